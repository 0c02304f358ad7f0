// Both self-consistency definitions against hand computations and explicit pair lists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ResponseUnit } from '../../../src/core/corpus/types';
import { consistencyRows, PooledPairsSpearman, responsePairs, RESPONSE_PAIRS_RELIABILITY } from '../../../src/core/study/consistency';
import { percentileInterval } from '../../../src/core/stats/bootstrap';
import { BinomialSampler } from '../../../src/core/stats/multinomial';
import { spearman } from '../../../src/core/stats/correlation';

function unit(p: Partial<ResponseUnit>): ResponseUnit {
  return {
    runId: 'r1',
    modelId: 'm1',
    model: 'm1',
    modelAttributes: {},
    language: 'en',
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

const close = (a: number | undefined | null, b: number, tol = 1e-12): void =>
  assert.ok(a !== undefined && a !== null && Math.abs(a - b) <= tol, `${a} vs ${b}`);

/** The study's self-join written out: every ordered pair of distinct rows with the same question. */
function explicitPairs(q: string[], v: number[]): { x: number[]; y: number[] } {
  const x: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < v.length; i++)
    for (let j = 0; j < v.length; j++)
      if (i !== j && q[i] === q[j]) {
        x.push(v[i]);
        y.push(v[j]);
      }
  return { x, y };
}

test('response-pairs: two questions of two responses — pairs (1,2),(2,1),(3,4),(4,3), ρ = 1 − 6·4/(4·15) = 0.6, ÷ 0.955', () => {
  const units = [1, 2, 3, 4].map((v, i) => unit({ itemKey: i < 2 ? 'q1' : 'q2', pro: v }));
  const rows = consistencyRows(units, { measure: 'pro', bootstrap: { iterations: 20, seed: 1 } });
  const rp = rows.find((r) => r.definition === 'response-pairs');
  assert.ok(rp);
  assert.equal(rp.pairs, 4);
  close(rp.value?.estimate, 0.6 / 0.955);
  assert.equal(RESPONSE_PAIRS_RELIABILITY, 0.955);
  assert.equal(rp.value?.p, null);
});

test('response-pairs equals Spearman over the explicit self-join, with ties and unequal group sizes; CI from explicit resampled self-joins', () => {
  const q = ['a', 'a', 'a', 'b', 'b', 'c', 'c', 'c', 'c', 'd', 'e', 'e'];
  const v = [0.2, 0.3, 0.2, 0.9, 0.8, 0.5, 0.5, 0.6, 0.4, 0.7, 0.1, 0.3];
  const { x, y } = explicitPairs(q, v);
  assert.equal(x.length, 6 + 2 + 12 + 0 + 2);
  const ref = spearman(x, y);
  assert.ok(ref);
  const got = responsePairs(q, v, { iterations: 60, seed: 9 });
  assert.equal(got.pairs, 22);
  close(got.value?.estimate, ref.estimate / 0.955);
  // Resample rows as the study does (a row drawn twice is two rows that pair with each other): the sampler's
  // counts per cell of equal value × question (docs/analyses.md §7.6), each cell's count written out as that
  // many copies of one of its rows (rows of a cell are interchangeable), then the explicit self-join.
  const stat = new PooledPairsSpearman(q, v);
  const rowOfCell = new Int32Array(stat.cells);
  stat.rowCells.forEach((c, i) => (rowOfCell[c] = i));
  const sampler = new BinomialSampler(9);
  const counts = new Float64Array(stat.cells);
  const reps: number[] = [];
  for (let b = 0; b < 60; b++) {
    sampler.multinomialInto(counts, stat.cellSizes, v.length);
    const idx = Array.from(counts, (k, c) => new Array<number>(k).fill(rowOfCell[c])).flat();
    assert.equal(idx.length, v.length);
    const rq = Array.from(idx, (i) => q[i]);
    const rv = Array.from(idx, (i) => v[i]);
    const p = explicitPairs(rq, rv);
    const s = spearman(p.x, p.y);
    reps.push(s ? s.estimate / 0.955 : NaN);
  }
  const ci = percentileInterval(reps);
  assert.ok(ci && got.value?.ci);
  close(got.value.ci[0], ci[0]);
  close(got.value.ci[1], ci[1]);
});

test('response-pairs pairs only responses to the same question and cue, per model × language', () => {
  const units = [
    unit({ itemKey: 'q1', pro: 0.1, country: 'US' }),
    unit({ itemKey: 'q1', pro: 0.9, country: 'DK' }),
    unit({ itemKey: 'q1', pro: 0.2, language: 'da' }),
    unit({ itemKey: 'q1', pro: 0.3, modelId: 'm2' }),
  ];
  const rows = consistencyRows(units, { measure: 'pro', bootstrap: { iterations: 5, seed: 1 } });
  assert.deepEqual(
    rows.map((r) => [r.model, r.language, r.definition, r.pairs, r.value]),
    [
      ['m1', 'da', 'paraphrase-vectors', 0, null],
      ['m1', 'da', 'response-pairs', 0, null],
      ['m1', 'en', 'paraphrase-vectors', 0, null],
      ['m1', 'en', 'response-pairs', 0, null],
      ['m2', 'en', 'paraphrase-vectors', 0, null],
      ['m2', 'en', 'response-pairs', 0, null],
    ],
  );
});

test('paraphrase-vectors: ρ(p0,p1) = 0.8, ρ(p0,p2) = −1, ρ(p1,p2) = −0.8 → mean −1/3 over 3 pairs; item score = mean of its responses', () => {
  const p0 = [1, 2, 3, 4];
  const p1 = [1, 3, 2, 4];
  const p2 = [4, 3, 2, 1];
  const units: ResponseUnit[] = [];
  [p0, p1, p2].forEach((scores, p) =>
    scores.forEach((s, i) => {
      // two responses per item and paraphrase whose mean is s
      units.push(unit({ paraphrase: p, itemKey: `k${i}`, mean: s - 0.5 }), unit({ paraphrase: p, itemKey: `k${i}`, mean: s + 0.5 }));
    }),
  );
  units.push(unit({ paraphrase: null, itemKey: 'k0', mean: 99 })); // the base template is not a paraphrase
  const rows = consistencyRows(units, { measure: 'mean', bootstrap: { iterations: 40, seed: 2 } });
  const pv = rows.find((r) => r.definition === 'paraphrase-vectors');
  assert.ok(pv && pv.value && pv.value.ci);
  assert.equal(pv.pairs, 3);
  close(pv.value.estimate, -1 / 3);
  assert.ok(pv.value.ci[0] <= pv.value.ci[1]);
  // units lacking the measure are not used
  const none = consistencyRows(units, { measure: 'pro', bootstrap: { iterations: 5, seed: 1 } });
  assert.equal(none.length, 0);
});

test('paraphrase-vectors pairs paraphrases within one template and cue only', () => {
  const units: ResponseUnit[] = [];
  [
    [1, 2, 3],
    [1, 2, 3],
  ].forEach((scores, p) =>
    scores.forEach((s, i) => units.push(unit({ template: p === 0 ? 'A' : 'B', paraphrase: 0, itemKey: `k${i}`, mean: s }))),
  );
  const pv = consistencyRows(units, { measure: 'mean', bootstrap: { iterations: 5, seed: 1 } }).find(
    (r) => r.definition === 'paraphrase-vectors',
  );
  assert.equal(pv?.pairs, 0);
  assert.equal(pv?.value, null);
});
