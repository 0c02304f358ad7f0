import { test } from 'node:test';
import assert from 'node:assert/strict';
import { averageRanks, pearson, spearman } from '../../../src/core/stats/correlation';
import { jensenShannon, ordinalWasserstein } from '../../../src/core/stats/distance';
import { isProCode, proShare } from '../../../src/core/stats/share';
import { itemDispersion, meanPairwiseSpearman } from '../../../src/core/stats/consistency';
import { usBias } from '../../../src/core/stats/bias';
import { bootstrapPercentileCI, mulberry32, quantileSorted } from '../../../src/core/stats/random';
import { fitRandomIntercept } from '../../../src/core/stats/lmm';

const close = (a: number, b: number, tol = 1e-12): void => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test('average ranks for ties', () => {
  assert.deepEqual(averageRanks([10, 20, 20, 5, 20]), [2, 4, 4, 1, 4]);
  assert.deepEqual(averageRanks([]), []);
});

test('correlation edge cases: constant or short input gives null, NaN pairs are dropped, |r| = 1', () => {
  assert.equal(pearson([1, 1, 1], [1, 2, 3]), null);
  assert.equal(pearson([1], [2]), null);
  const two = pearson([1, 2], [3, 5]);
  assert.ok(two);
  assert.equal(two.estimate, 1);
  assert.equal(two.p, null);
  assert.equal(two.ciLow, null);
  const exact = pearson([1, 2, 3, 4, 5, NaN], [2, 1, 4, 3, 5, 7]);
  assert.ok(exact);
  assert.equal(exact.n, 5);
  close(exact.estimate, 0.8);
  const perfect = spearman([1, 2, 3, 4, 5], [10, 20, 30, 40, 1000]);
  assert.equal(perfect?.estimate, 1);
  assert.equal(perfect?.p, 0);
});

test('Jensen–Shannon divergence (bits) and normalised ordinal Wasserstein', () => {
  close(jensenShannon({ 1: 1 }, { 2: 1 }), 1);
  close(jensenShannon({ 1: 0.3, 2: 0.7 }, { 1: 3, 2: 7 }), 0); // renormalised
  const expected = 0.5 * (0.5 * Math.log2(0.5 / 0.75) + 0.5 * Math.log2(0.5 / 0.25)) + 0.5 * Math.log2(1 / 0.75);
  close(jensenShannon({ 1: 0.5, 2: 0.5 }, { 1: 1 }), expected);
  assert.ok(Number.isNaN(jensenShannon({}, { 1: 1 })));
  close(ordinalWasserstein({ 1: 1 }, { 4: 1 }, { min: 1, max: 4 }), 1);
  close(ordinalWasserstein({ 1: 1 }, { 2: 1 }, { min: 1, max: 4 }), 1 / 3);
  close(ordinalWasserstein({ 1: 1 }, { 2: 1 }), 1); // only the codes seen: K = 2
  close(ordinalWasserstein({ 1: 0.5, 4: 0.5 }, { 2: 0.5, 3: 0.5 }, { min: 1, max: 4 }), (0.5 + 0 + 0.5) / 3);
});

test('pro share follows the second seed: 10-point > 5, 3-point = 1, else lower half; reversed flips', () => {
  assert.ok(isProCode(6, 10, false) && !isProCode(5, 10, false));
  assert.ok(isProCode(1, 3, false) && !isProCode(2, 3, false));
  assert.ok(isProCode(2, 4, false) && !isProCode(3, 4, false));
  assert.ok(isProCode(2, 5, false) && !isProCode(3, 5, false)); // 5-point midpoint is not pro
  assert.ok(isProCode(3, 10, true) && !isProCode(8, 10, true));
  close(proShare({ 1: 0.1, 6: 0.2, 10: 0.3, 5: 0.4 }, 10, false), 0.5);
  close(proShare({ 1: 0.1, 6: 0.2, 10: 0.3, 5: 0.4 }, 10, true), 0.5);
  close(proShare({ 1: 0.2, 2: 0.2, 3: 0.4, 4: 0.2 }, 4, false), 0.4);
  close(proShare({ '-1': 0.5, 1: 0.25, 4: 0.25 }, 4, false), 0.5); // missing codes excluded
});

test('self-consistency: mean pairwise Spearman over paraphrases and per-item dispersion', () => {
  const scores = new Map([
    [
      0,
      new Map([
        ['a', 1],
        ['b', 2],
        ['c', 3],
        ['d', 4],
      ]),
    ],
    [
      1,
      new Map([
        ['a', 1.5],
        ['b', 2.5],
        ['c', 3.5],
        ['d', 4.5],
      ]),
    ],
    [
      2,
      new Map([
        ['a', 4],
        ['b', 2],
        ['c', 3],
        ['d', 1.5],
      ]),
    ],
  ]);
  const r = meanPairwiseSpearman(scores);
  assert.equal(r.pairs, 3);
  // rho(0,1) = 1; rho(0,2) = rho(1,2) = spearman([1,2,3,4],[4,2,3,1]) = 1 − 6·(9+0+0+9)/(4·15) = −0.8
  close(r.meanSpearman ?? NaN, (1 - 0.8 - 0.8) / 3);
  const d = itemDispersion(scores);
  assert.equal(d[0].itemId, 'a'); // scores 1, 1.5, 4
  const mean = (1 + 1.5 + 4) / 3;
  close(d[0].dispersion, Math.sqrt(((1 - mean) ** 2 + (1.5 - mean) ** 2 + (4 - mean) ** 2) / 2));
  assert.equal(d[0].mostDeviantParaphrase, 2);
  assert.deepEqual(meanPairwiseSpearman(new Map([[0, new Map([['a', 1]])]])), { meanSpearman: null, pairs: 0 });
});

test('US bias: difference = r(US) − r(local); seeded bootstrap CI is reproducible and covers it', () => {
  const model = [1, 2, 3, 4, 5, 6, 7, 8];
  const local = [2, 1, 4, 3, 6, 5, 8, 7];
  const us = [1, 2, 3, 4, 5, 6, 8, 7];
  const a = usBias(model, local, us, { iterations: 500, seed: 7 });
  const b = usBias(model, local, us, { iterations: 500, seed: 7 });
  const c = usBias(model, local, us, { iterations: 500, seed: 8 });
  assert.deepEqual(a, b);
  assert.ok(c.ciLow !== a.ciLow || c.ciHigh !== a.ciHigh, 'another seed gives another interval');
  assert.ok(a.localR !== null && a.usR !== null && a.difference !== null && a.ciLow !== null && a.ciHigh !== null);
  close(a.difference, a.usR - a.localR);
  assert.ok(a.difference > 0);
  assert.ok(a.ciLow <= a.difference && a.difference <= a.ciHigh);
  const none = usBias([1, 2], [1, 2], [NaN, 1], { iterations: 10, seed: 1 });
  assert.deepEqual(none, { localR: null, usR: null, difference: null, ciLow: null, ciHigh: null, n: 1 });
});

test('seeded PRNG and percentile bootstrap are deterministic', () => {
  const r1 = mulberry32(42);
  const r2 = mulberry32(42);
  const xs = Array.from({ length: 5 }, () => r1());
  assert.deepEqual(
    xs,
    Array.from({ length: 5 }, () => r2()),
  );
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  close(quantileSorted([1, 2, 3, 4], 0.5), 2.5);
  const data = [3, 1, 4, 1, 5, 9, 2, 6];
  const stat = (idx: number[]): number => idx.reduce((s, i) => s + data[i], 0) / idx.length;
  const ci1 = bootstrapPercentileCI(data.length, stat, { iterations: 200, seed: 3 });
  const ci2 = bootstrapPercentileCI(data.length, stat, { iterations: 200, seed: 3 });
  assert.deepEqual(ci1, ci2);
  assert.ok(ci1 && ci1.low < 3.875 && ci1.high > 3.875);
});

test('mixed model: no group variance → λ = 0 and OLS; bad input throws', () => {
  // Groups with identical residual means: the REML optimum is on the boundary (singular fit).
  const y = [1, 2, 3, 4, 1, 2, 3, 4, 1.1, 1.9, 3.1, 3.9];
  const x = [1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4];
  const groups = ['a', 'a', 'a', 'a', 'b', 'b', 'b', 'b', 'c', 'c', 'c', 'c'];
  const fit = fitRandomIntercept({ y, X: x.map((v) => [1, v]), groups });
  assert.equal(fit.singular, true);
  assert.equal(fit.groupVariance, 0);
  // OLS: slope = Sxy/Sxx on the pooled data.
  const mx = 2.5;
  const my = y.reduce((s, v) => s + v, 0) / y.length;
  const sxy = x.reduce((s, v, i) => s + (v - mx) * (y[i] - my), 0);
  const sxx = x.reduce((s, v) => s + (v - mx) ** 2, 0);
  close(fit.beta[1], sxy / sxx, 1e-10);
  close(fit.beta[0], my - (sxy / sxx) * mx, 1e-10);
  assert.throws(() => fitRandomIntercept({ y: [1, 2], X: [[1], [1], [1]], groups: ['a', 'b'] }));
  assert.throws(
    () =>
      fitRandomIntercept({
        y: [1, 2, 3],
        X: [
          [1, 1],
          [1, 1],
          [1, 1],
        ],
        groups: ['a', 'b', 'c'],
      }),
    /rank/,
  );
});
