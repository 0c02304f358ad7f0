// The binomial/multinomial sampler of the response-pairs bootstrap (docs/analyses.md §7.6) against the
// distributions it claims to draw from. Every tolerance is z standard errors, the standard error computed
// from the number of draws and the target distribution's moments, z from a stated false-alarm rate
// (seeds are fixed, so the outcome is deterministic; the rate says how unlucky a seed would have to be).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BinomialSampler } from '../../../src/core/stats/multinomial';
import { normalQuantile } from '../../../src/core/stats/distributions';
import { ResampleStream } from '../../../src/core/stats/bootstrap';
import { PooledPairsSpearman, responsePairsReplicates } from '../../../src/core/study/consistency';
import { mulberry32 } from '../../../src/core/random';

/** Two-sided z for a false-alarm probability of 1e-6 per check. */
const Z = -normalQuantile(0.5e-6);

/** ln C(n, k) + k ln p + (n − k) ln q by sums of logs (exact enough for n ≤ a few thousand). */
function binomialPmf(n: number, p: number): Float64Array {
  const lnFact = new Float64Array(n + 1);
  for (let i = 2; i <= n; i++) lnFact[i] = lnFact[i - 1] + Math.log(i);
  const out = new Float64Array(n + 1);
  for (let k = 0; k <= n; k++) out[k] = Math.exp(lnFact[n] - lnFact[k] - lnFact[n - k] + k * Math.log(p) + (n - k) * Math.log(1 - p));
  return out;
}

/** Wilson–Hilferty: the upper quantile of χ²(df) at normal quantile z. */
const chiSquareUpper = (df: number, z: number): number => df * (1 - 2 / (9 * df) + z * Math.sqrt(2 / (9 * df))) ** 3;

test('binomial draws: mean, variance and the whole distribution (χ²) match Binomial(n, p), inversion and BTRD ranges, p on both sides of ½', () => {
  const D = 100_000;
  // n·min(p, q) < 10: inversion; ≥ 10: BTRD (both its recursion and its squeeze/Stirling branches).
  for (const [n, p] of [
    [6, 0.3],
    [40, 0.2],
    [25, 0.85],
    [300, 0.07],
    [1000, 0.3],
    [2000, 0.5],
    [4000, 0.97],
  ] as const) {
    const s = new BinomialSampler(11);
    const seen = new Float64Array(n + 1);
    let sum = 0;
    let sq = 0;
    for (let i = 0; i < D; i++) {
      const x = s.binomial(n, p);
      assert.ok(Number.isInteger(x) && x >= 0 && x <= n, `Binomial(${n}, ${p}) drew ${x}`);
      seen[x]++;
      sum += x;
      sq += x * x;
    }
    const mu = n * p;
    const v = n * p * (1 - p);
    const mean = sum / D;
    const variance = (sq - D * mean * mean) / (D - 1);
    assert.ok(Math.abs(mean - mu) <= Z * Math.sqrt(v / D), `Binomial(${n}, ${p}) mean ${mean} vs ${mu}`);
    const mu4 = v * (1 + 3 * (n - 2) * p * (1 - p));
    const seVar = Math.sqrt((mu4 - (v * v * (D - 3)) / (D - 1)) / D);
    assert.ok(Math.abs(variance - v) <= Z * seVar, `Binomial(${n}, ${p}) variance ${variance} vs ${v} (se ${seVar})`);
    // χ² over the values expected ≥ 5 times, the tails pooled into one bin.
    const pmf = binomialPmf(n, p);
    let chi = 0;
    let bins = 0;
    let tailO = 0;
    let tailE = 0;
    for (let k = 0; k <= n; k++) {
      const e = D * pmf[k];
      if (e >= 5) {
        chi += (seen[k] - e) ** 2 / e;
        bins++;
      } else {
        tailO += seen[k];
        tailE += e;
      }
    }
    if (tailE >= 5) {
      chi += (tailO - tailE) ** 2 / tailE;
      bins++;
    } else assert.ok(tailO <= 5 + Z * Math.sqrt(5), `Binomial(${n}, ${p}): ${tailO} draws in tails expected ${tailE.toFixed(2)} times`);
    assert.ok(chi <= chiSquareUpper(bins - 1, Z), `Binomial(${n}, ${p}) χ² ${chi.toFixed(1)} on ${bins - 1} df`);
  }
});

test('binomial edge cases: n = 0, p = 0, p = 1', () => {
  const s = new BinomialSampler(1);
  assert.equal(s.binomial(0, 0.4), 0);
  assert.equal(s.binomial(17, 0), 0);
  assert.equal(s.binomial(17, 1), 17);
});

test('multinomial cell counts: total n always, each cell mean n·p and variance n·p(1 − p), covariance −n·pᵢpⱼ', () => {
  // Cells of very unequal size (as cells of value × question are), an empty cell included.
  const sizes = Float64Array.from([1, 190, 3, 0, 800, 57, 12, 2400, 1, 36]);
  const n = sizes.reduce((a, b) => a + b, 0);
  const R = 40_000;
  const s = new BinomialSampler(5);
  const counts = new Float64Array(sizes.length);
  const sum = new Float64Array(sizes.length);
  const sq = new Float64Array(sizes.length);
  const x1 = new Float64Array(R);
  const x4 = new Float64Array(R);
  for (let b = 0; b < R; b++) {
    s.multinomialInto(counts, sizes, n);
    let total = 0;
    for (let c = 0; c < sizes.length; c++) {
      total += counts[c];
      sum[c] += counts[c];
      sq[c] += counts[c] * counts[c];
    }
    assert.equal(total, n);
    assert.equal(counts[3], 0);
    x1[b] = counts[1];
    x4[b] = counts[4];
  }
  for (let c = 0; c < sizes.length; c++) {
    if (sizes[c] === 0) continue;
    const p = sizes[c] / n;
    const v = n * p * (1 - p);
    const mean = sum[c] / R;
    const variance = (sq[c] - R * mean * mean) / (R - 1);
    assert.ok(Math.abs(mean - n * p) <= Z * Math.sqrt(v / R), `cell ${c} mean ${mean} vs ${n * p}`);
    const mu4 = v * (1 + 3 * (n - 2) * p * (1 - p));
    const seVar = Math.sqrt((mu4 - (v * v * (R - 3)) / (R - 1)) / R);
    assert.ok(Math.abs(variance - v) <= Z * seVar, `cell ${c} variance ${variance} vs ${v}`);
  }
  // Cov(x₁, x₄) = −n p₁ p₄: the mean of the centred products, its se their sd / √R.
  const m1 = sum[1] / R;
  const m4 = sum[4] / R;
  let cov = 0;
  for (let b = 0; b < R; b++) cov += ((x1[b] - m1) * (x4[b] - m4)) / R;
  let spread = 0;
  for (let b = 0; b < R; b++) spread += ((x1[b] - m1) * (x4[b] - m4) - cov) ** 2 / (R - 1);
  const expected = (-n * sizes[1] * sizes[4]) / (n * n);
  assert.ok(Math.abs(cov - expected) <= Z * Math.sqrt(spread / R), `cov ${cov} vs ${expected}`);
});

test('response-pairs consistency: the bootstrap standard error under the multinomial sampler agrees with n draws per replicate', () => {
  // 14 questions of 20–80 responses, values on a coarse grid (ties within and across questions).
  const rand = mulberry32(3);
  const questions: string[] = [];
  const values: number[] = [];
  for (let q = 0; q < 14; q++) {
    const level = rand();
    const m = 20 + Math.floor(rand() * 60);
    for (let i = 0; i < m; i++) {
      questions.push(`q${q}`);
      values.push(Math.round((level + 0.5 * rand()) * 8) / 8);
    }
  }
  const B = 4000;
  const stat = new PooledPairsSpearman(questions, values);
  const multinomial = responsePairsReplicates(stat, { iterations: B, seed: 17 });
  // The sampler it replaced: n uniform draws of rows per replicate, counted into cells.
  const draws = new Float64Array(B);
  const stream = new ResampleStream(17);
  const cw = new Float64Array(stat.cells);
  for (let b = 0; b < B; b++) {
    cw.fill(0);
    stream.countsInto(cw, stat.rowCells, stat.rows);
    draws[b] = stat.valueOfCells(cw) / 0.955;
  }
  // se of a standard deviation from B replicates: Var(s²) ≈ (μ₄ − σ⁴(B − 3)/(B − 1))/B, Var(s) ≈ Var(s²)/(4σ²).
  const moments = (r: Float64Array): { sd: number; varSd: number; mean: number } => {
    let mean = 0;
    for (const v of r) mean += v / r.length;
    let m2 = 0;
    let m4 = 0;
    for (const v of r) {
      m2 += (v - mean) ** 2 / r.length;
      m4 += (v - mean) ** 4 / r.length;
    }
    const varS2 = (m4 - (m2 * m2 * (B - 3)) / (B - 1)) / B;
    return { sd: Math.sqrt(m2), varSd: varS2 / (4 * m2), mean };
  };
  const a = moments(multinomial);
  const b = moments(draws);
  assert.ok(a.sd > 0 && b.sd > 0);
  assert.ok(Math.abs(a.sd - b.sd) <= Z * Math.sqrt(a.varSd + b.varSd), `se ${a.sd} vs ${b.sd}`);
  // The replicates' means too (the bootstrap bias is the same): se of a mean of B replicates.
  assert.ok(Math.abs(a.mean - b.mean) <= Z * Math.sqrt((a.sd ** 2 + b.sd ** 2) / B), `mean ${a.mean} vs ${b.mean}`);
});
