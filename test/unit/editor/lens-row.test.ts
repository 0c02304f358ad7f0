// The item lens row and the file lens (issue 19): a failure never replaces a good result (it is counted
// beside it, live and after a reload), the alignment r is a file-level lens computed once everything it
// needs is read (and so survives a reload), and the row stays short enough to fit at 1400 px.
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeDocument, Position, Uri, installFakeVscode, state, type CodeLens } from './fake-vscode';
import { itemHash, parseSurvey } from '../../../src/core/language/index';
import type { RunRecord, ScoreFailure, ScoreResult } from '../../../src/core/results';
import { nullLogger } from '../../../src/core/log';

installFakeVscode();
const { ParsedDocuments } = require('../../../src/editor/documents') as typeof import('../../../src/editor/documents');
const { ResultsState } = require('../../../src/editor/resultsState') as typeof import('../../../src/editor/resultsState');
const { AnalysisSources } = require('../../../src/editor/analysisSources') as typeof import('../../../src/editor/analysisSources');
const { registerCodeLenses } = require('../../../src/editor/codeLens') as typeof import('../../../src/editor/codeLens');
const { registerResultsView } = require('../../../src/editor/resultsView') as typeof import('../../../src/editor/resultsView');
const { registerSummaryRefresh } = require('../../../src/editor/summaryRefresh') as typeof import('../../../src/editor/summaryRefresh');
const { StudyItemLensProvider } = require('../../../src/editor/studyLens') as typeof import('../../../src/editor/studyLens');
const { StudyResultsIndex } = require('../../../src/editor/studyResults') as typeof import('../../../src/editor/studyResults');

/**
 * The width of a lens row in characters as the editor lays it out: a `$(icon)` is one glyph about two
 * characters wide, and lenses are separated by " | ".
 */
function lensRowWidth(titles: readonly string[]): number {
  const widths = titles.filter(Boolean).map((title) => [...title.replace(/\$\([a-z0-9~-]+\)/g, '##')].length);
  return widths.reduce((a, b) => a + b, 0) + Math.max(0, widths.length - 1) * 3;
}

const TEXT = readFileSync('examples/wvs7-sample.wvs', 'utf8');
const survey = parseSurvey(TEXT);
const ws = mkdtempSync(join(tmpdir(), 'vl-lens-row-'));
const uri = Uri.file(join(ws, 'wvs7-sample.wvs'));
const COUNTRIES = { da: ['DK'], nl: ['NL'], en: ['US', 'GB'], pt: ['PT', 'BR'] };

function result(itemId: string, language: string, mean: number, extra: Partial<ScoreResult> = {}): ScoreResult {
  const item = survey.items.find((i) => i.id === itemId)!;
  return {
    kind: 'result',
    runId: 'r1',
    itemId,
    itemHash: itemHash(item),
    language,
    template: 'direct',
    paraphrase: null,
    provider: 'ollama',
    model: 'm',
    endpoint: 'http://127.0.0.1:1',
    method: 'logprobs',
    optionOrder: [1, 2, 3, 4],
    probabilities: { '1': 0.5, '2': 0.5 },
    mean,
    mode: 1,
    entropy: 0.69,
    missMass: 0,
    latencyMs: 1,
    cached: false,
    at: '2026-12-01T10:00:00Z',
    ...extra,
  };
}

function failure(itemId: string, language: string, message: string): ScoreFailure {
  const {
    probabilities: _p,
    mean: _m,
    mode: _o,
    entropy: _e,
    missMass: _s,
    cached: _c,
    latencyMs: _l,
    ...identity
  } = result(itemId, language, 0, { runId: 'r2', at: '2026-12-01T11:00:00Z' });
  return { ...identity, kind: 'failure', error: { kind: 'timeout', message } } as ScoreFailure;
}

const lineOf = (id: string): number => TEXT.split('\n').findIndex((l) => new RegExp(`^item ${id}\\b`).test(l));

function titlesAt(line: number): string[] {
  const out: string[] = [];
  for (const provider of state.codeLensProviders) {
    for (const lens of provider.provideCodeLenses(state.documents[0], { isCancellationRequested: false })) {
      if (lens.range.start.line !== line) continue;
      const resolved = (provider.resolveCodeLens ? provider.resolveCodeLens(lens) : lens) as CodeLens;
      if (resolved.command?.title) out.push(resolved.command.title);
    }
  }
  return out;
}

function hoverAt(id: string): string {
  return state.hoverProviders[0]!.provideHover(state.documents[0], new Position(lineOf(id), 6))!.contents[0]!.value;
}

beforeEach(() => {
  state.reset();
  state.codeLensProviders.length = 0;
  state.hoverProviders.length = 0;
  state.documents = [new FakeDocument(uri, 'wvs', TEXT)];
  state.settings = {
    'valueLens.model': { globalValue: 'm' },
    'valueLens.template': { globalValue: 'direct' },
    'valueLens.languageCountries': { globalValue: COUNTRIES },
  };
});

function setup() {
  const documents = new ParsedDocuments();
  const results = new ResultsState();
  const lenses = registerCodeLenses(documents, results);
  const view = registerResultsView(documents, results);
  return { documents, results, dispose: () => (lenses.disposable.dispose(), view.dispose()) };
}

test('a failed run keeps the last good result: counted beside it in the lens, explained in the hover; a later success clears the count', () => {
  const ctx = setup();
  try {
    const u = uri.toString();
    ctx.results.record(u, result('Q1', 'en', 2.31));
    ctx.results.record(u, result('Q1', 'da', 1.5));
    ctx.results.record(u, failure('Q1', 'da', 'no answer within 60 s'));
    ctx.results.record(u, failure('Q1', 'da', 'no answer within 60 s'));
    ctx.results.record(u, failure('Q1', 'nl', 'HTTP 500'));
    const [score] = titlesAt(lineOf('Q1'));
    assert.equal(score, '$(play) Score: en 2.31 · da 1.50 ✗2 · nl ✗');
    const hover = hoverAt('Q1');
    assert.match(hover, /\*\*da\*\* mean 1\.50/);
    assert.match(hover, /\*\*Failed since the result shown\*\*/);
    assert.match(hover, /- \*\*da\*\* 2 failed run\(s\), last 2026-12-01 11:00 UTC: no answer within 60 s/);
    ctx.results.record(u, result('Q1', 'da', 1.75));
    assert.equal(titlesAt(lineOf('Q1'))[0], '$(play) Score: en 2.31 · da 1.75 · nl ✗');
    assert.doesNotMatch(hoverAt('Q1'), /Failed since/);
  } finally {
    ctx.dispose();
  }
});

test('a run stopped by the user is not a failure: a good result stays uncounted, an empty slot reads – not ✗', () => {
  const ctx = setup();
  try {
    const u = uri.toString();
    const cancelled = (language: string): ScoreFailure => ({
      ...failure('Q1', language, 'The run was cancelled before this request completed'),
      error: { kind: 'cancelled', message: 'The run was cancelled before this request completed' },
    });
    ctx.results.record(u, result('Q1', 'en', 2.31));
    ctx.results.record(u, cancelled('en'));
    ctx.results.record(u, cancelled('da'));
    assert.equal(titlesAt(lineOf('Q1'))[0], '$(play) Score: en 2.31 · da –');
    assert.equal(ctx.results.view(u, 'Q1').failures.en, undefined);
  } finally {
    ctx.dispose();
  }
});

test('replaying the same records (a window reload reads them from the corpus) gives the same lens', () => {
  const records: RunRecord[] = [result('Q2', 'en', 3), failure('Q2', 'en', 'timeout'), result('Q2', 'pt', 2)];
  const live = new ResultsState();
  for (const r of records) live.record('u', r);
  const reloaded = new ResultsState();
  for (const r of JSON.parse(JSON.stringify(records)) as RunRecord[]) reloaded.record('u', r);
  assert.deepEqual(reloaded.view('u', 'Q2'), live.view('u', 'Q2'));
  assert.equal((live.view('u', 'Q2').latest.en as ScoreResult).mean, 3);
  assert.equal(live.view('u', 'Q2').failures.en?.count, 1);
});

test('records of another option order are never the inline result', () => {
  const state = new ResultsState();
  state.record('u', result('Q1', 'en', 2));
  assert.equal(state.record('u', result('Q1', 'en', 3.5, { order: 'reversed', optionOrder: [4, 3, 2, 1] })), false);
  assert.equal((state.view('u', 'Q1').latest.en as ScoreResult).mean, 2);
  assert.equal((state.view('u', 'Q1').orders.reversed!.en as ScoreResult).mean, 3.5);
});

/** Records for every item with a data key, in two languages, and the human reference, in a workspace corpus. */
function writeCorpus(): { corpus: string; items: string[] } {
  const corpus = join(ws, 'wvs7-sample.results');
  mkdirSync(corpus, { recursive: true });
  const items = survey.items.filter((i) => i.dataKey && i.scale).map((i) => i.id);
  const lines = items.flatMap((id, k) => {
    const item = survey.items.find((i) => i.id === id)!;
    const span = item.scale!.max - item.scale!.min + 1;
    return ['en', 'da'].map((language, j) => JSON.stringify(result(id, language, item.scale!.min + ((k * (5 + j)) % span))));
  });
  writeFileSync(join(corpus, 'records.jsonl'), `${lines.join('\n')}\n`);
  return { corpus, items };
}

test('alignment r is one file lens, never on an item; after a reload it comes back whatever order the sources are read in', async () => {
  const { corpus } = writeCorpus();
  // A "reload": new state; the corpus is read before the surveys are indexed, and the human data last.
  const ctx = setup();
  const sources = new AnalysisSources(join(ws, 'legacy'), nullLogger);
  const refresh = registerSummaryRefresh(sources, ctx.results, 5);
  try {
    await sources.loadCorpora([corpus]);
    refresh.flush();
    assert.deepEqual(titlesAt(0), [], 'no r before the surveys and human data are read');
    sources.setSurvey(uri.toString(), survey);
    await sources.loadHuman('examples/human-reference.csv');
    await new Promise((r) => setTimeout(r, 30));
    const [file] = titlesAt(0);
    assert.match(file ?? '', /^\$\(graph\) r vs human data: en -?\d\.\d\d · da -?\d\.\d\d$/);
    const expected = sources.editorSummary('m', 'direct', COUNTRIES).alignment;
    assert.ok(file!.includes(`en ${expected.en!.toFixed(2)}`) && file!.includes(`da ${expected.da!.toFixed(2)}`));
    // No item lens repeats the file's r: items with results of their own (the old code put the language-wide r
    // beside each item's result, so items without one proved nothing).
    for (const item of survey.items)
      for (const language of ['en', 'da']) ctx.results.record(uri.toString(), result(item.id, language, item.scale ? item.scale.min : 1));
    for (const item of survey.items) {
      const titles = titlesAt(lineOf(item.id));
      assert.match(titles[0] ?? '', /^\$\(play\) Score: en \d/, item.id);
      for (const title of titles) assert.doesNotMatch(title, /\br -?\d/, `${item.id}: ${title}`);
    }
    // And not in the item hover either (which shows the item's result per language).
    assert.match(hoverAt('Q182'), /\*\*en\*\* mean/);
    assert.doesNotMatch(hoverAt('Q182'), / r -?\d\.\d\d/);
  } finally {
    refresh.dispose();
    ctx.dispose();
  }
});

test('after a reload r comes back in every order the corpus, the surveys and the human data are read in', async () => {
  // The old code computed r at three moments (after the corpus, after the human data, after a run) and never
  // when a survey was indexed: a reload that indexed the survey last showed no r at all (issue 19).
  const { corpus } = writeCorpus();
  const steps = {
    corpus: (s: InstanceType<typeof AnalysisSources>) => s.loadCorpora([corpus]),
    survey: async (s: InstanceType<typeof AnalysisSources>) => s.setSurvey(uri.toString(), survey),
    human: (s: InstanceType<typeof AnalysisSources>) => s.loadHuman('examples/human-reference.csv'),
  };
  const orders: (keyof typeof steps)[][] = [
    ['corpus', 'survey', 'human'],
    ['corpus', 'human', 'survey'],
    ['survey', 'corpus', 'human'],
    ['survey', 'human', 'corpus'],
    ['human', 'corpus', 'survey'],
    ['human', 'survey', 'corpus'],
  ];
  try {
    for (const order of orders) {
      const ctx = setup();
      const sources = new AnalysisSources(join(ws, 'legacy'), nullLogger);
      const refresh = registerSummaryRefresh(sources, ctx.results, 5);
      try {
        for (const step of order) await steps[step](sources);
        let file: string | undefined;
        for (let i = 0; i < 300 && !file; i++) {
          await new Promise((r) => setTimeout(r, 10));
          file = titlesAt(0)[0];
        }
        const expected = sources.editorSummary('m', 'direct', COUNTRIES).alignment;
        assert.equal(file, `$(graph) r vs human data: en ${expected.en!.toFixed(2)} · da ${expected.da!.toFixed(2)}`, order.join(' → '));
      } finally {
        refresh.dispose();
        ctx.dispose();
      }
    }
  } finally {
    rmSync(join(ws, 'wvs7-sample.results'), { recursive: true, force: true });
  }
});

/**
 * The lens row budget: 120 characters. Code lenses are drawn at 90% of the editor font (12.6 px for 14 px,
 * ~7.6 px per character); at 1400 px, after the activity bar, a 300 px side bar, the gutter and the minimap,
 * about 900 px remain: 120 characters. A `$(icon)` counts 2, a separator " | " 3 (lensRowWidth).
 */
const ROW_BUDGET = 120;

test(`with human data, four languages, paraphrases, a failure, a stale result and a study, the row fits in ${ROW_BUDGET} characters`, async () => {
  const { corpus } = writeCorpus();
  const ctx = setup();
  const sources = new AnalysisSources(join(ws, 'legacy'), nullLogger);
  const refresh = registerSummaryRefresh(sources, ctx.results, 5);
  const index = new StudyResultsIndex();
  const studyLens = new StudyItemLensProvider(ctx.documents, index);
  state.codeLensProviders.push(studyLens as never);
  try {
    sources.setSurvey(uri.toString(), survey);
    await sources.loadCorpora([corpus]);
    await sources.loadHuman('examples/human-reference.csv');
    refresh.flush();
    const u = uri.toString();
    const id = 'Q182';
    for (const [k, language] of ['en', 'da', 'nl', 'pt'].entries()) ctx.results.record(u, result(id, language, 5.12 + k));
    ctx.results.record(u, failure(id, 'nl', 'timeout'));
    ctx.results.record(u, { ...result(id, 'pt', 4), itemHash: 'older-wording' });
    for (let p = 0; p < 10; p++)
      for (const language of ['en', 'da', 'nl', 'pt']) ctx.results.record(u, result(id, language, 5 + (p % 3) * 0.1, { paraphrase: p }));
    const item = survey.items.find((i) => i.id === id)!;
    index.setStudy(
      {
        study: { name: 'kim-baek-2024', path: join(ws, 'kim-baek-2024.study.json'), languages: ['en', 'da', 'nl', 'pt'] },
        surveys: [{ path: uri.fsPath, file: survey }],
      } as never,
      ['en', 'da', 'nl', 'pt'].flatMap((language) =>
        ['US', 'DK', 'NL', 'PT', 'BR'].map((country) => ({ itemId: item.id, language, country, modelId: 'a', mean: 5.2 })),
      ) as never,
    );
    const row = titlesAt(lineOf(id));
    assert.equal(row.length, 4, JSON.stringify(row));
    assert.match(row[0]!, /^\$\(play\) Score: en 5\.12 · da 6\.12 · nl 7\.12 ✗1 · pt 4\.00 \$\(warning\) stale$/);
    assert.match(row[1]!, /^\$\(list-flat\) Paraphrases ±0\.\d\d$/);
    assert.equal(row[2], '⋯');
    assert.match(row[3]!, /^\$\(beaker\) kim-baek-2024/);
    const width = lensRowWidth(row);
    assert.ok(width <= ROW_BUDGET, `row of ${width} characters: ${row.join(' | ')}`);
  } finally {
    refresh.dispose();
    ctx.dispose();
    rmSync(join(ws, 'wvs7-sample.results'), { recursive: true, force: true });
  }
});

test('lensRowWidth counts an icon as two characters and separators as three', () => {
  assert.equal(lensRowWidth(['$(play) Score', '⋯']), 2 + 6 + 3 + 1);
});

test('a judged (stance) result shows its pro share in the lens and the end-of-line text, not ✗', () => {
  const { decorationText } = require('../../../src/core/resultText') as typeof import('../../../src/core/resultText');
  const { scoreLensTitle } = require('../../../src/editor/lensTitles') as typeof import('../../../src/editor/lensTitles');
  const base = result('Q1', 'en', 0);
  const stance = { ...base, kind: 'stance', proShare: 0.4, pro: 4, con: 6, method: 'judge' } as unknown as RunRecord;
  const view = { latest: { en: stance }, failures: {} };
  assert.equal(scoreLensTitle(view, ['en']), '$(play) Score: en pro 0.40');
  assert.equal(decorationText(view, ['en']), '  en pro 0.40');
});
