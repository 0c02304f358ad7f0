// The plan of a study: the product of its factors, narrowed by a filter. Loops, outermost first:
//
//   item × language × country cue × template × paraphrase × option order × model × round
//
// (items in the order the study lists its sources and each file lists them; languages, countries and models
// in study order; templates in source order, then file order; paraphrase null (the template) then 0..;
// orders as expandOrders names them). The prompt depends on everything but model and round, so it is
// rendered once per condition and shared by the model × round requests below it. `iterateStudyPlan` yields
// requests one by one (a million-request plan never has to be held), `countStudyPlan` computes the size
// from the factor sizes without rendering anything.

import type { Item, Template, TemplateFile } from '../language/ast';
import { itemHash } from '../language/index';
import { expandOrders, type NamedOrder } from '../prompt/order';
import type { ScoringMethod } from '../results';
import { methodDefaults, resolveChoices, SAMPLE_TEMPERATURE } from '../run/prepare';
import { JUDGE_GENERATION_MAX_TOKENS, JUDGE_GENERATION_STOP } from '../scoring/judge';
import {
  planRequest,
  renderCondition,
  roundParams,
  variantsFor,
  type Condition,
  type PlanModel,
  type PlannedRequest,
  type Variant,
} from '../run/plan';
import type { RequestParams } from '../run/key';
import type { LoadedStudy, Study, StudyFilter, StudyModel } from './types';

export interface StudyPlanOptions {
  filter?: StudyFilter;
  /** Model digests by model id (Ollama); part of the cache key when known. */
  digests?: Record<string, string>;
  /** The method per model id, for a study whose method is 'auto' (resolved by probing, see run/prepare.ts). */
  methods?: Record<string, ScoringMethod>;
}

/** A study's plan size before a run: what it costs and what the cache already holds. */
export interface PlanEstimate {
  requests: number;
  /** Tokens of the requests that would be sent (not cached, not skipped); rule in docs/runs.md. */
  estimatedTokens: number;
  cached: number;
  /** Planned failures: no request is sent for them. */
  skipped: number;
}

export function planStudy(loaded: LoadedStudy, options: StudyPlanOptions = {}): PlannedRequest[] {
  return [...iterateStudyPlan(loaded, options)];
}

export function* iterateStudyPlan(loaded: LoadedStudy, options: StudyPlanOptions = {}): Generator<PlannedRequest> {
  const f = factors(loaded, options);
  let index = 0;
  for (const item of f.items) {
    const hash = itemHash(item);
    const orders = f.ordersFor(item);
    for (const language of f.languages) {
      for (const country of f.countries) {
        for (const t of f.templates) {
          for (const variant of t.variants(language)) {
            for (const order of orders) {
              const condition: Condition = {
                study: f.study.name,
                item,
                itemHash: hash,
                language,
                country,
                templateName: t.name,
                template: t.template,
                variant,
                order,
              };
              const prompt = renderCondition(condition);
              for (const m of f.models) {
                for (let round = 0; round < f.rounds; round++) {
                  yield planRequest({
                    condition,
                    prompt,
                    model: m.model,
                    method: m.method,
                    params: m.params(round),
                    round,
                    index: index++,
                    ...(m.judge ? { judge: m.judge } : {}),
                    ...(m.stanceLanguage ? { stanceLanguage: m.stanceLanguage } : {}),
                  });
                }
              }
            }
          }
        }
      }
    }
  }
}

/** The number of requests `iterateStudyPlan` yields, from the factor sizes (nothing is rendered). */
export function countStudyPlan(loaded: LoadedStudy, options: StudyPlanOptions = {}): number {
  const f = factors(loaded, options);
  const perLanguage = f.languages.map((language) => f.templates.reduce((n, t) => n + t.variants(language).length, 0));
  const variants = perLanguage.reduce((a, b) => a + b, 0);
  const tail = f.countries.length * f.models.length * f.rounds;
  let total = 0;
  for (const item of f.items) total += variants * f.ordersFor(item).length * tail;
  return total;
}

/**
 * Size, tokens and cache hits of a plan (an array or a stream). Tokens per request that would be sent:
 * ceil(prompt characters / 4) + maxTokens × n, where prompt characters are the plain prompt's (base models)
 * or the sum of the message contents (chat). Cached and skipped requests send nothing and add no tokens.
 */
export async function estimatePlan(
  plan: Iterable<PlannedRequest> | AsyncIterable<PlannedRequest>,
  cacheHas: (key: string) => boolean | Promise<boolean>,
): Promise<PlanEstimate> {
  const out: PlanEstimate = { requests: 0, estimatedTokens: 0, cached: 0, skipped: 0 };
  // Awaiting only what is a promise: a synchronous plan and cache cost no microtask per request.
  const add = (req: PlannedRequest, hit: boolean): void => {
    out.requests++;
    if (req.skip) out.skipped++;
    else if (hit) out.cached++;
    else out.estimatedTokens += requestTokens(req);
  };
  const visit = (req: PlannedRequest): Promise<void> | undefined => {
    if (req.skip) return void add(req, false);
    const hit = cacheHas(req.cacheKey);
    if (typeof hit === 'boolean') return void add(req, hit);
    return hit.then((h) => add(req, h));
  };
  if (Symbol.iterator in plan) {
    for (const req of plan) {
      const pending = visit(req);
      if (pending) await pending;
    }
  } else {
    for await (const req of plan) {
      const pending = visit(req);
      if (pending) await pending;
    }
  }
  return out;
}

/** The token estimate of one request (see estimatePlan). */
export function requestTokens(req: PlannedRequest): number {
  const chars = req.prompt !== undefined ? req.prompt.length : req.messages.reduce((n, m) => n + m.content.length, 0);
  // A judged condition also sends its generation (≤ maxTokens) to the judge and reads the judge's labels.
  const judged = req.judge ? req.params.maxTokens + req.judge.params.maxTokens : 0;
  return Math.ceil(chars / 4) + req.params.maxTokens * req.params.n + judged;
}

interface TemplateFactor {
  name: string;
  template: Template | undefined;
  variants(language: string): Variant[];
}

interface ModelFactor {
  model: PlanModel;
  method: ScoringMethod;
  params(round: number): RequestParams;
  /** Method 'judge': the entry that judges this model's generated text. */
  judge?: PlanModel;
  stanceLanguage?: string;
}

interface Factors {
  study: Study;
  items: Item[];
  languages: string[];
  countries: (string | null)[];
  templates: TemplateFactor[];
  models: ModelFactor[];
  rounds: number;
  ordersFor(item: Item): NamedOrder[];
}

const keep = <T>(values: readonly T[], wanted: readonly T[] | undefined): T[] =>
  wanted ? values.filter((v) => wanted.includes(v)) : [...values];

function factors(loaded: LoadedStudy, options: StudyPlanOptions): Factors {
  const study = loaded.study;
  if (!study) throw new Error('The study has errors that leave nothing to plan (see its diagnostics).');
  const filter = options.filter ?? {};

  const items: Item[] = [];
  const seen = new Set<string>();
  for (const source of study.items) {
    const survey = loaded.surveys.find((s) => s.path === source.file);
    if (!survey) throw new Error(`The study's items file ${source.file} was not loaded.`);
    for (const item of survey.file.items) {
      if (source.ids && !source.ids.includes(item.id)) continue;
      if (source.categories && !(item.category && source.categories.includes(item.category.value))) continue;
      if (filter.items && !filter.items.includes(item.id)) continue;
      if (filter.categories && !(item.category && filter.categories.includes(item.category.value))) continue;
      // An item listed by two sources of the same file is one item.
      const id = `${source.file}\u0000${item.id}`;
      if (seen.has(id)) continue;
      seen.add(id);
      items.push(item);
    }
  }

  const templates: TemplateFactor[] = [];
  for (const source of study.templates) {
    const file = loaded.templates.find((t) => t.path === source.file)?.file;
    if (!file) throw new Error(`The study's template file ${source.file} was not loaded.`);
    const names = source.names ?? file.templates.map((t) => t.name);
    for (const name of keep(names, filter.templates)) templates.push(templateFactor(file, name, source.paraphrases));
  }

  const countries: (string | null)[] = study.countries.length ? study.countries.map((c) => c.toUpperCase()) : [null];
  const wantedCountries = filter.countries?.map((c) => c.toUpperCase());

  const models = keep(
    study.models.map((m) => m.id),
    filter.models,
  ).map((id) => modelFactor(study, study.models.find((m) => m.id === id)!, options));

  const ordersByK = new Map<number, NamedOrder[]>();
  const ordersFor = (item: Item): NamedOrder[] => {
    const k = item.scale?.options.length ?? 0;
    let orders = ordersByK.get(k);
    if (!orders) {
      orders = expandOrders(study.optionOrders, k).filter((o) => !filter.orders || filter.orders.includes(o.id));
      ordersByK.set(k, orders);
    }
    return orders;
  };

  return {
    study,
    items,
    languages: keep(study.languages, filter.languages),
    countries: wantedCountries ? countries.filter((c) => c !== null && wantedCountries.includes(c)) : countries,
    templates,
    models,
    // Method 'judge': each of the study's samples is its own generation + judge pair (one stance record
    // each), so a condition is repeated rounds × samples times; the round index numbers them.
    rounds: Math.max(1, Math.floor(study.rounds)) * (study.method === 'judge' ? Math.max(1, Math.floor(study.samples)) : 1),
    ordersFor,
  };
}

function templateFactor(file: TemplateFile, name: string, paraphrases: 'none' | 'all' | number[]): TemplateFactor {
  const template = file.templates.find((t) => t.name === name);
  const sets = file.paraphraseSets.filter((s) => s.templateName === name);
  const byLanguage = new Map<string, Variant[]>();
  return {
    name,
    template,
    variants: (language) => {
      let list = byLanguage.get(language);
      if (!list) byLanguage.set(language, (list = variantsFor(paraphrases, sets, language)));
      return list;
    },
  };
}

function planModel(entry: StudyModel, options: StudyPlanOptions): PlanModel {
  const digest = options.digests?.[entry.id];
  return {
    provider: entry.provider,
    endpoint: entry.endpoint,
    model: entry.model,
    id: entry.id,
    kind: entry.kind,
    ...(digest ? { digest } : {}),
  };
}

/**
 * Method 'judge' (the second seed): one sampled generation per condition and round, long enough for ten
 * summaries and stopped before an eleventh, judged by the study's `judge` model (default: the same one).
 */
function judgeFactor(study: Study, entry: StudyModel, options: StudyPlanOptions): ModelFactor {
  const judgeEntry = study.judge ? study.models.find((m) => m.id === study.judge) : entry;
  if (!judgeEntry) throw new Error(`The study's "judge" names no model of the study: ${study.judge}`);
  const temperature = study.temperature ?? SAMPLE_TEMPERATURE;
  const byRound: RequestParams[] = [];
  return {
    model: planModel(entry, options),
    method: 'sample',
    params: (round) =>
      (byRound[round] ??= {
        temperature,
        seed: study.seed + round,
        maxTokens: JUDGE_GENERATION_MAX_TOKENS,
        n: 1,
        stop: JUDGE_GENERATION_STOP,
      }),
    judge: planModel(judgeEntry, options),
    ...(study.stanceLanguage ? { stanceLanguage: study.stanceLanguage } : {}),
  };
}

function modelFactor(study: Study, entry: StudyModel, options: StudyPlanOptions): ModelFactor {
  if (study.method === 'judge') return judgeFactor(study, entry, options);
  const method =
    options.methods?.[entry.id] ??
    (study.method === 'logprobs' || study.method === 'sample' || study.method === 'loglik' ? study.method : undefined);
  if (!method) {
    throw new Error(
      `The study method is "auto": resolve it per model first (options.methods["${entry.id}"], see resolveMethod in run/prepare.ts).`,
    );
  }
  const choices = resolveChoices(method, {
    samples: study.samples,
    seed: study.seed,
    ...(study.temperature !== undefined ? { temperature: study.temperature } : {}),
  });
  const digest = options.digests?.[entry.id];
  return {
    model: {
      provider: entry.provider,
      endpoint: entry.endpoint,
      model: entry.model,
      id: entry.id,
      kind: entry.kind,
      ...(digest ? { digest } : {}),
    },
    method,
    params: roundParams(method, {
      samples: method === 'sample' ? choices.samples : methodDefaults(method).samples,
      temperature: choices.temperature,
      seed: choices.seed,
    }),
  };
}
