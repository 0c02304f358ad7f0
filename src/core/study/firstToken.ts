// First token vs text (Wang et al. 2024, "My Answer is C", ACL Findings: for some instruction-tuned models
// the first-token answer and the text answer disagree in more than 60% of cases). For the models a study
// scores with logprobs or loglik (a distribution over the options either way), the check asks the same prompts again for a greedy text answer (method sample, one
// answer, temperature 0), parses it as any sampled answer, and compares it with the argmax of the
// first-token (or continuation log-likelihood) distribution. The text answers live in a corpus of their own (`<results>/checks/
// first-token-vs-text/`), so they never supersede the logprob records of the same conditions.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { corpusRecords } from '../corpus/reader';
import { orderName, roundOf } from '../corpus/records';
import { conditionKey, selectUnits } from '../corpus/select';
import type { ResponseUnit } from '../corpus/types';
import type { RunRecord, ScoringMethod } from '../results';
import type { FirstTokenTextRow } from './analysisTypes';
import { selectionItems } from './analyzeCorpus';
import { runStudy, type StudyRunEnvironment, type StudyRunResult } from './session';
import type { LoadedStudy, Study, StudyFilter } from './types';

export const FIRST_TOKEN_CHECK = 'first-token-vs-text';

/** Where the check's text answers are written. */
export function firstTokenCheckDir(study: Study): string {
  return join(study.results, 'checks', FIRST_TOKEN_CHECK);
}

/** The study as the check runs it: greedy, one text answer per condition, into the check's own corpus. */
export function textCheckStudy(study: Study): Study {
  return { ...study, method: 'sample', samples: 1, temperature: 0, results: firstTokenCheckDir(study) };
}

/** Methods whose records are one distribution over the options: the ones the check compares with text. */
const CHECKED_METHODS: readonly ScoringMethod[] = ['logprobs', 'loglik'];

/**
 * The models of a run the check applies to: scored with logprobs, or with loglik where loglik can run at all
 * (a base model on an OpenAI-compatible endpoint; the others were planned as skips and have nothing to compare).
 */
export function checkedModelIds(study: Study, methods: Readonly<Record<string, ScoringMethod>>): string[] {
  const byId = new Map(study.models.map((m) => [m.id, m]));
  return Object.entries(methods)
    .filter(([id, how]) => how === 'logprobs' || (how === 'loglik' && byId.get(id)?.kind === 'base' && byId.get(id)?.provider === 'openai'))
    .map(([id]) => id);
}

/** Runs the greedy text plan for these models (those scored with logprobs or loglik) with the run's environment. */
export function runFirstTokenCheck(
  loaded: LoadedStudy & { study: Study },
  filter: StudyFilter | undefined,
  env: StudyRunEnvironment,
  modelIds: string[],
): Promise<StudyRunResult> {
  return runStudy({ ...loaded, study: textCheckStudy(loaded.study) }, { ...filter, models: modelIds }, env);
}

/** The option code with the most probability (lowest code on ties, as summarize's mode); undefined when empty. */
function argmax(probabilities: Record<string, number> | undefined): number | undefined {
  let best: number | undefined;
  let bestP = 0;
  for (const [key, p] of Object.entries(probabilities ?? {})) {
    const code = Number(key);
    if (!(p > 0) || !Number.isFinite(code)) continue;
    if (p > bestP || (p === bestP && best !== undefined && code < best)) {
      best = code;
      bestP = p;
    }
  }
  return best;
}

/**
 * Rows per model × language from the logprob units and the check's text units (paired by condition:
 * item × language × country × template × paraphrase × order × model × round). `unparsed` conditions (a text
 * answer that named no option, or failed) are counted per model × language and left out of the pairs.
 */
export function firstTokenTextRows(
  logprobUnits: readonly ResponseUnit[],
  textUnits: readonly ResponseUnit[],
  unparsed: ReadonlyMap<string, number> = new Map(),
): FirstTokenTextRow[] {
  const text = new Map<string, ResponseUnit>();
  for (const u of textUnits) text.set(conditionKey(u), u);
  const groups = new Map<
    string,
    { model: string; language: string; lp: number[]; tx: number[]; agree: number; disagreements: FirstTokenTextRow['disagreements'] }
  >();
  for (const u of logprobUnits) {
    if (!(CHECKED_METHODS as readonly string[]).includes(u.method)) continue;
    const t = text.get(conditionKey(u));
    const first = argmax(u.probabilities);
    const answer = t ? argmax(t.probabilities) : undefined;
    if (first === undefined || answer === undefined || u.mean === undefined || t?.mean === undefined) continue;
    const key = `${u.modelId}\u0001${u.language}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { model: u.modelId, language: u.language, lp: [], tx: [], agree: 0, disagreements: [] }));
    g.lp.push(u.mean);
    g.tx.push(t.mean);
    if (first === answer) g.agree++;
    else
      g.disagreements.push({
        itemId: u.itemId,
        template: u.template,
        paraphrase: u.paraphrase,
        country: u.country,
        order: u.order,
        firstToken: first,
        text: answer,
      });
  }
  for (const key of unparsed.keys()) {
    if (groups.has(key)) continue;
    const [model, language] = key.split('\u0001');
    groups.set(key, { model, language, lp: [], tx: [], agree: 0, disagreements: [] });
  }
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, g]) => ({
      model: g.model,
      language: g.language,
      pairs: g.lp.length,
      agreement: g.lp.length ? g.agree / g.lp.length : null,
      meanAbsDifference: g.lp.length ? Math.abs(mean(g.lp) - mean(g.tx)) : null,
      unparsed: unparsed.get(key) ?? 0,
      disagreements: g.disagreements,
    }));
}

/**
 * The check's rows for a study whose check corpus exists (undefined otherwise): the text units selected from
 * it under the 'latest' rule, failures whose condition has no text unit counted as unparsed.
 */
export async function readFirstTokenCheck(
  loaded: LoadedStudy & { study: Study },
  logprobUnits: readonly ResponseUnit[],
  filter?: StudyFilter,
): Promise<FirstTokenTextRow[] | undefined> {
  const dir = firstTokenCheckDir(loaded.study);
  if (!existsSync(dir)) return undefined;
  const failed = new Map<string, { model: string; language: string }>();
  const reader = corpusRecords(dir);
  async function* watched(): AsyncGenerator<RunRecord> {
    for await (const r of reader) {
      if (r.kind === 'failure' && r.error.kind !== 'skipped') {
        const unit = {
          itemId: r.itemId,
          language: r.language,
          country: r.country ?? null,
          template: r.template,
          paraphrase: r.paraphrase,
          order: r.order ?? orderName(r.optionOrder),
          modelId: r.modelId ?? r.model,
          round: roundOf(r),
        };
        failed.set(conditionKey(unit), { model: unit.modelId, language: r.language });
      }
      yield r;
    }
  }
  const selection = await selectUnits(watched(), { items: selectionItems(loaded.surveys), rule: 'latest', ...(filter ? { filter } : {}) });
  const have = new Set(selection.units.map((u) => conditionKey(u)));
  const unparsed = new Map<string, number>();
  for (const [key, f] of failed) {
    if (have.has(key)) continue;
    const k = `${f.model}\u0001${f.language}`;
    unparsed.set(k, (unparsed.get(k) ?? 0) + 1);
  }
  return firstTokenTextRows(logprobUnits, selection.units, unparsed);
}
