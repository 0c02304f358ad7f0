// The panel's views of option orders and the first-token check (issue 16): position bias and first token
// vs text as study views with a data table and CSV (src/shared/study-tables.ts), their rows surviving the
// webview's untrusted parse (src/shared/study-parse.ts), and the export through the panel session.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { ResponseUnit } from '../../../src/core/corpus/types';
import type { StudyAnalysis } from '../../../src/core/study/analysisTypes';
import { firstTokenTextRows } from '../../../src/core/study/firstToken';
import { positionBiasRows } from '../../../src/core/study/positions';
import { nullLogger } from '../../../src/core/log';
import { STUDY_VIEW_IDS } from '../../../src/shared/protocol';
import { parseStudyAnalysis } from '../../../src/shared/study-parse';
import { studyTable } from '../../../src/shared/study-tables';
import { PanelSession } from '../../../src/panel/session';

const fixture = (): StudyAnalysis => JSON.parse(readFileSync('test/fixtures/study-analysis/study-analysis.json', 'utf8')) as StudyAnalysis;

function unit(over: Partial<ResponseUnit>): ResponseUnit {
  return {
    runId: 'r',
    modelId: 'm',
    model: 'm',
    modelAttributes: {},
    language: 'en',
    country: null,
    template: 'direct',
    paraphrase: null,
    order: 'original',
    optionOrder: [1, 2, 3, 4],
    round: 0,
    itemId: 'Q1',
    itemKey: 'Q1',
    category: '',
    method: 'logprobs',
    mean: 1,
    probabilities: { '1': 1 },
    ...over,
  };
}

/** Two items shown in the original and the reversed order, the model always on the first position shown. */
function firstPositionUnits(): ResponseUnit[] {
  return ['Q1', 'Q2'].flatMap((itemId) => [
    unit({ itemId, itemKey: itemId, order: 'original', optionOrder: [1, 2, 3, 4], probabilities: { '1': 1 }, mean: 1 }),
    unit({ itemId, itemKey: itemId, order: 'reversed', optionOrder: [4, 3, 2, 1], probabilities: { '4': 1 }, mean: 4 }),
  ]);
}

function analysisWithChecks(): StudyAnalysis {
  const a = fixture();
  a.positionBias = positionBiasRows(firstPositionUnits(), { bootstrap: { iterations: 50, seed: 1 } });
  // First token "3", text "2" on Q1; both "2" on Q2.
  const lp = [
    unit({ itemId: 'Q1', probabilities: { '3': 0.9, '2': 0.1 }, mean: 2.9 }),
    unit({ itemId: 'Q2', probabilities: { '2': 1 }, mean: 2 }),
  ];
  const text = [
    unit({ itemId: 'Q1', method: 'sample', probabilities: { '2': 1 }, mean: 2 }),
    unit({ itemId: 'Q2', method: 'sample', probabilities: { '2': 1 }, mean: 2 }),
  ];
  a.firstTokenText = firstTokenTextRows(lp, text);
  return a;
}

test('the two new views are study views (export ids)', () => {
  assert.ok(STUDY_VIEW_IDS.includes('study-positions'));
  assert.ok(STUDY_VIEW_IDS.includes('study-first-token'));
});

test('position-bias table: one row per shown position and the total variation; all mass on position 1 of 4 gives shares 1,0,0,0 and TV 0.75', () => {
  const table = studyTable(analysisWithChecks(), 'study-positions');
  assert.deepEqual(table.headers.slice(0, 8), ['Model', 'Language', 'Options (K)', 'Orders', 'Items', 'Responses', 'Position', 'Share']);
  assert.deepEqual(
    table.rows.map((r) => [r[6], r[7]]),
    [
      ['1', 1],
      ['2', 0],
      ['3', 0],
      ['4', 0],
      ['total variation', 0.75],
    ],
  );
  assert.deepEqual(table.rows[0]!.slice(0, 6), ['m', 'en', 4, 'original reversed', 2, 4]);
  // Excess over the uniform 1/4 (by hand: 1 − 0.25).
  assert.equal(table.rows[0]![11], 0.75);
});

test('first-token table: agreement 1 of 2 pairs, |Δ| of the mean scores, the disagreeing item listed', () => {
  const table = studyTable(analysisWithChecks(), 'study-first-token');
  assert.deepEqual(table.headers, ['Model', 'Language', 'Pairs', 'Agreement', 'Mean |Δ mean|', 'Unparsed', 'Disagreeing items']);
  const [row] = table.rows;
  assert.deepEqual(row!.slice(0, 4), ['m', 'en', 2, 0.5]);
  // By hand: first-token means (2.9 + 2) / 2 = 2.45, text means 2: |Δ| = 0.45.
  assert.ok(Math.abs((row![4] as number) - 0.45) < 1e-12);
  assert.equal(row![6], 'Q1');
});

test('the rows survive the webview parse; an analysis without them shows the views empty', () => {
  const a = analysisWithChecks();
  const parsed = parseStudyAnalysis(JSON.parse(JSON.stringify(a)))!;
  assert.deepEqual(parsed.analysis.positionBias, a.positionBias);
  assert.deepEqual(parsed.analysis.firstTokenText, a.firstTokenText);
  const hostile = JSON.parse(JSON.stringify(a)) as { positionBias: unknown[] };
  hostile.positionBias.push({ model: 'x', language: 'en', k: 4, uniform: 0.25, positions: 'nope', totalVariation: { estimate: 1 } });
  assert.equal(parseStudyAnalysis(hostile)!.dropped.positionBias, 1);
  assert.deepEqual(studyTable(fixture(), 'study-positions').rows, []);
  assert.deepEqual(studyTable(fixture(), 'study-first-token').rows, []);
});

test('Export CSV of the new views goes through the panel session like the other study views', async () => {
  const saved: { name: string; text: string }[] = [];
  const session = new PanelSession(
    { computeReport: () => ({}) as never, logger: nullLogger },
    { post: () => undefined, saveFile: async (name, data) => (saved.push({ name, text: new TextDecoder().decode(data) }), `/tmp/${name}`) },
  );
  session.showStudy(analysisWithChecks());
  await session.handleMessage({ type: 'exportCsv', chart: 'study-positions' });
  await session.handleMessage({ type: 'exportCsv', chart: 'study-first-token' });
  assert.deepEqual(
    saved.map((s) => s.name),
    ['value-lens-study-positions.csv', 'value-lens-study-first-token.csv'],
  );
  assert.match(saved[0]!.text, /^Model,Language,Options \(K\),Orders,Items,Responses,Position,Share,/);
  assert.match(saved[0]!.text, /total variation,0\.75/);
  assert.match(saved[1]!.text, /\r\nm,en,2,0\.500000,0\.450000,0,Q1\r\n/);
});
