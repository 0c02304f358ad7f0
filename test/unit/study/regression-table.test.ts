// The second seed's regression table: every row against a resample written out here (explicit copies,
// explicit response pairs, a Spearman from the R-tested correlation.ts), benchmark names mapped, and the
// committed fixture test/fixtures/r/lmm-rystrom.csv equal to what the code regenerates from the study's data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import type { ResponseUnit } from '../../../src/core/corpus/types';
import { benchmarkScores, regressionTable, regressionTableCsv, REGRESSION_COLUMNS } from '../../../src/core/study/regressionTable';
import { forEachResample } from '../../../src/core/stats/bootstrap';
import { spearman } from '../../../src/core/stats/correlation';

function unit(p: Partial<ResponseUnit>): ResponseUnit {
  return {
    runId: 'r1',
    modelId: 'm1',
    model: 'm1',
    modelAttributes: { family: 'fam' },
    language: 'da',
    country: null,
    template: 't',
    paraphrase: null,
    order: 'original',
    round: 0,
    itemId: 'i',
    itemKey: 'i',
    category: 'c',
    method: 'judge',
    ...p,
  };
}
const close = (a: unknown, b: number, tol = 1e-12): void => assert.ok(typeof a === 'number' && Math.abs(a - b) <= tol, `${a} vs ${b}`);

const gt: Record<string, Record<string, number>> = {
  'pooled:da': { a: 0.1, b: 0.5, c: 0.9, d: 0.3 },
  'pooled:en': { a: 0.2, b: 0.6, c: 0.7 }, // no d in English
};
const lookup = (ref: string, key: string): number | undefined => gt[ref]?.[key];

// Sorted as the table sorts its rows (model, language, item, input order), so row i of `units` is index i.
const spec: [string, string, string, number][] = [
  ['m1', 'da', 'a', 0.2],
  ['m1', 'da', 'a', 0.3],
  ['m1', 'da', 'b', 0.5],
  ['m1', 'da', 'b', 0.4],
  ['m1', 'da', 'c', 0.8],
  ['m1', 'da', 'c', 0.9],
  ['m1', 'da', 'd', 0.1],
  ['m1', 'en', 'a', 0.1],
  ['m1', 'en', 'a', 0.2],
  ['m1', 'en', 'b', 0.7],
  ['m1', 'en', 'b', 0.6],
  ['m1', 'en', 'c', 0.5],
  ['m1', 'en', 'c', 0.9],
  ['m2', 'da', 'a', 0.6],
  ['m2', 'da', 'a', 0.4],
  ['m2', 'da', 'b', 0.2],
  ['m2', 'da', 'b', 0.5],
  ['m2', 'da', 'c', 0.3],
  ['m2', 'da', 'c', 0.7],
  ['m2', 'da', 'd', 0.9],
];
const units = spec.map(([m, l, k, v]) => unit({ modelId: m, model: m, language: l, itemId: k, itemKey: k, pro: v }));
const extra = [unit({ language: 'en', itemId: 'd', itemKey: 'd', pro: 0.5 }), unit({ itemId: 'a', itemKey: 'a' })]; // no ground truth; no measure
const multilingual = (m: string, l: string): number | undefined =>
  (({ 'm1|da': 0.4, 'm1|en': 0.8, 'm2|da': 0.3 }) as Record<string, number>)[`${m}|${l}`];

test('each row: Spearman vs the native ground truth and response-pairs consistency ÷ 0.955 on that round’s resample of all rows', () => {
  const rounds = 25;
  // input order: blocks moved around (the table sorts by model, language, item; input order within an item)
  const table = regressionTable([extra[0], ...units.slice(13), extra[1], ...units.slice(7, 13), ...units.slice(0, 7)], lookup, {
    rounds,
    seed: 77,
    multilingual,
  });
  assert.deepEqual(table.columns, REGRESSION_COLUMNS);
  assert.equal(table.unitsWithoutReference, 2);
  assert.deepEqual(table.cellsWithoutMultilingual, []);
  const expected: Record<string, number | string>[] = [];
  forEachResample(units.length, rounds, 77, (idx, round) => {
    for (const cell of ['m1|da', 'm1|en', 'm2|da']) {
      const drawn = Array.from(idx).filter((i) => `${spec[i][0]}|${spec[i][1]}` === cell);
      const x = drawn.map((i) => spec[i][3]);
      const y = drawn.map((i) => gt[`pooled:${spec[i][1]}`][spec[i][2]]);
      const px: number[] = [];
      const py: number[] = [];
      // the study's self-join: ordered pairs of distinct drawn rows with the same question
      drawn.forEach((i, a) =>
        drawn.forEach((j, b) => {
          if (a !== b && spec[i][2] === spec[j][2]) {
            px.push(spec[i][3]);
            py.push(spec[j][3]);
          }
        }),
      );
      const al = spearman(x, y);
      const co = spearman(px, py);
      if (!al || !co) continue;
      const [model, language] = cell.split('|');
      expected.push({
        model,
        language,
        round,
        n: drawn.length,
        alignment: al.estimate,
        consistency: co.estimate / 0.955,
        multilingual: multilingual(model, language) as number,
      });
    }
  });
  assert.equal(table.rows.length + table.undefinedRows, rounds * 3);
  assert.equal(table.rows.length, expected.length);
  table.rows.forEach((r, i) => {
    const e = expected[i];
    assert.deepEqual(
      [r.model, r.language, r.round, r.n, r.family, r.multilingual],
      [e.model, e.language, e.round, e.n, 'fam', e.multilingual],
    );
    close(r.alignment, e.alignment as number);
    close(r.consistency, e.consistency as number);
  });
  const csv = regressionTableCsv(table).split('\r\n');
  assert.equal(csv[0], 'model,family,language,round,n,alignment,consistency,multilingual');
  assert.equal(Number(csv[1].split(',')[5]), table.rows[0].alignment);
});

test("rows: 'study-join' resamples each response once per language whose ground truth has its question: alignment on the native copies, consistency on all", () => {
  // joined rows in the table's order: model, language, item, input order, joined language (da < en)
  const joined: { s: number; lang: string }[] = [];
  spec.forEach((r, s) =>
    ['da', 'en'].forEach((lang) => {
      if (gt[`pooled:${lang}`][r[2]] !== undefined) joined.push({ s, lang });
    }),
  );
  const rounds = 20;
  const table = regressionTable(units, lookup, { rounds, seed: 5, multilingual, rows: 'study-join' });
  assert.equal(table.unitsWithoutReference, 0);
  const expected: { alignment: number; consistency: number; n: number }[] = [];
  forEachResample(joined.length, rounds, 5, (idx) => {
    for (const cell of ['m1|da', 'm1|en', 'm2|da']) {
      const drawn = Array.from(idx)
        .map((i) => joined[i])
        .filter((j) => `${spec[j.s][0]}|${spec[j.s][1]}` === cell);
      const native = drawn.filter((j) => j.lang === spec[j.s][1]);
      const al = spearman(
        native.map((j) => spec[j.s][3]),
        native.map((j) => gt[`pooled:${j.lang}`][spec[j.s][2]]),
      );
      const px: number[] = [];
      const py: number[] = [];
      drawn.forEach((a, ia) =>
        drawn.forEach((b, ib) => {
          if (ia !== ib && spec[a.s][2] === spec[b.s][2]) {
            px.push(spec[a.s][3]);
            py.push(spec[b.s][3]);
          }
        }),
      );
      const co = spearman(px, py);
      if (al && co) expected.push({ alignment: al.estimate, consistency: co.estimate / 0.955, n: native.length });
    }
  });
  assert.equal(table.rows.length, expected.length);
  table.rows.forEach((r, i) => {
    assert.equal(r.n, expected[i].n);
    close(r.alignment, expected[i].alignment);
    close(r.consistency, expected[i].consistency);
  });
});

test('cells without a multilingual score or a family are left out and listed', () => {
  const t = regressionTable(units, lookup, {
    rounds: 3,
    seed: 1,
    multilingual: (m, l) => (m === 'm2' ? undefined : multilingual(m, l)),
    family: (m) => (m === 'm1' ? 'fam' : 'x'),
  });
  assert.deepEqual(t.cellsWithoutMultilingual, ['m2|da']);
  assert.ok(t.rows.every((r) => r.model === 'm1'));
  const f = regressionTable(units, lookup, { rounds: 3, seed: 1, multilingual, family: (m) => (m === 'm1' ? 'fam' : undefined) });
  assert.deepEqual(f.cellsWithoutFamily, ['m2|da']);
});

test('benchmark scores: both spellings of a model map to one response-file name; mean of score / 100; unknown rows listed', () => {
  const csv =
    'model,benchmark,language,score,family\nGPT-4 Turbo,MMLU,English,86.7,openai\ngpt-4-turbo,DANSK,Danish,60,openai\ngpt-4-turbo,ScaLA-da,Danish,40,openai\nMystery 1B,X,English,10,x\nGPT-4o,Y,Klingon,50,openai\nGPT-4o,Z,English,n/a,openai\n';
  const b = benchmarkScores(csv);
  close(b.score('gpt-4-turbo-2024-04-09', 'en'), 0.867);
  close(b.score('gpt-4-turbo-2024-04-09', 'da'), 0.5);
  assert.equal(b.score('gpt-4o', 'en'), undefined);
  assert.deepEqual(
    b.unmatched.map((u) => [u.line, u.reason]),
    [
      [5, 'unknown model'],
      [6, 'unknown language'],
      [7, 'score not a number'],
    ],
  );
  assert.throws(() => benchmarkScores('name,score\nx,1\n'), /no "model" column/);
});

const DATA = ['examples/rystrom-2025', '/work/shared/data/rystrom-2025/output'].find(
  (d) => existsSync(`${d}/multilingual_benchmarks.csv`) && existsSync(`${d}/all_lang_model_responses_with_scores.csv`),
);
test('the committed lmm-rystrom.csv is what the code regenerates from the study’s data (3,600 rows: 9 models × 4 languages × 100 rounds)', {
  skip: DATA ? false : 'no study data',
}, async () => {
  const { buildRystromTable } = await import('../../fixtures/r/lmm-rystrom-make');
  const { table, bench } = await buildRystromTable(DATA as string);
  assert.equal(bench.unmatched.length, 0);
  assert.deepEqual(Object.keys(bench.benchmarks).length, 36);
  assert.equal(table.rows.length, 3600);
  assert.deepEqual(table.cellsWithoutMultilingual, []);
  assert.equal(regressionTableCsv(table), readFileSync('test/fixtures/r/lmm-rystrom.csv', 'utf8'));
  const joined = await buildRystromTable(DATA as string, 'study-join');
  assert.equal(joined.table.rows.length, 3600);
  assert.equal(regressionTableCsv(joined.table), readFileSync('test/fixtures/r/lmm-rystrom-study-join.csv', 'utf8'));
  // English MMLU-only cell checks against the method notes: GPT-4o's English mean of 4 benchmarks is not MMLU alone
  assert.equal(bench.benchmarks['gpt-4o|en'].length, 4);
  assert.equal(bench.benchmarks['gpt-4o|pt'].length, 3);
});
