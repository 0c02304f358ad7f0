// The allocation-free bootstrap kernels against the implementation they replaced (issue 17): the code of
// src/core/stats/bootstrap.ts and consistency.ts as of commit 51c0f33 is copied below as the reference, and
// both are run on seeded data with ties inside and across clusters. Same resamples, replicates equal to 1e-12
// (response pairs: the old statistic on the new multinomial sampler's resamples, docs/analyses.md §7.6).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mulberry32 } from '../../../src/core/random';
import {
  bootstrapIndices,
  clusterIndex,
  clusterRows,
  clusteredCorrelation,
  correlationReplicates,
  forEachCount,
  forEachResample,
  percentileInterval,
} from '../../../src/core/stats/bootstrap';
import { PooledPairsSpearman, responsePairs, responsePairsJoint } from '../../../src/core/study/consistency';
import { BinomialSampler } from '../../../src/core/stats/multinomial';

// ------------------------------------------------------------------ reference (old code, verbatim logic)

type Kind = 'pearson' | 'spearman';

function refForEachResample(n: number, iterations: number, seed: number, fn: (indices: Int32Array, b: number) => void): void {
  const rand = mulberry32(seed);
  const idx = new Int32Array(n);
  for (let b = 0; b < iterations; b++) {
    for (let i = 0; i < n; i++) idx[i] = Math.floor(rand() * n);
    fn(idx, b);
  }
}

function refClusterRows(keys: readonly (string | number)[]): { keys: string[]; rows: number[][] } {
  const map = new Map<string, number[]>();
  keys.forEach((k, i) => {
    const s = String(k);
    const list = map.get(s);
    if (list) list.push(i);
    else map.set(s, [i]);
  });
  const sorted = [...map.keys()].sort();
  return { keys: sorted, rows: sorted.map((k) => map.get(k) as number[]) };
}

function refRanksUnderWeights(v: readonly number[], order: Int32Array, w: ArrayLike<number>, out: Float64Array): void {
  let cum = 0;
  let i = 0;
  while (i < order.length) {
    let j = i;
    let c = w[order[i]];
    while (j + 1 < order.length && v[order[j + 1]] === v[order[i]]) {
      j++;
      c += w[order[j]];
    }
    const rank = cum + (c + 1) / 2;
    for (let k = i; k <= j; k++) out[order[k]] = rank;
    cum += c;
    i = j + 1;
  }
}

function refWeightedPearson(x: ArrayLike<number>, y: ArrayLike<number>, w: ArrayLike<number>): number {
  let sw = 0;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < w.length; i++) {
    if (w[i] === 0) continue;
    sw += w[i];
    mx += w[i] * x[i];
    my += w[i] * y[i];
  }
  if (sw < 2) return NaN;
  mx /= sw;
  my /= sw;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < w.length; i++) {
    if (w[i] === 0) continue;
    const dx = x[i] - mx;
    const dy = y[i] - my;
    sxy += w[i] * dx * dy;
    sxx += w[i] * dx * dx;
    syy += w[i] * dy * dy;
  }
  if (sxx === 0 || syy === 0) return NaN;
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}

class RefWeightedCorrelation {
  private readonly orderX: Int32Array;
  private readonly orderY: Int32Array;
  private readonly rx: Float64Array;
  private readonly ry: Float64Array;
  constructor(
    private readonly x: readonly number[],
    private readonly y: readonly number[],
    private readonly kind: Kind,
  ) {
    const order = (v: readonly number[]): Int32Array => Int32Array.from(v.map((_, i) => i).sort((a, b) => v[a] - v[b]));
    this.orderX = order(x);
    this.orderY = order(y);
    this.rx = new Float64Array(x.length);
    this.ry = new Float64Array(x.length);
  }
  value(w: ArrayLike<number>): number {
    if (this.kind === 'pearson') return refWeightedPearson(this.x, this.y, w);
    refRanksUnderWeights(this.x, this.orderX, w, this.rx);
    refRanksUnderWeights(this.y, this.orderY, w, this.ry);
    return refWeightedPearson(this.rx, this.ry, w);
  }
}

class RefSubsetCorrelation {
  private readonly stat: RefWeightedCorrelation;
  private readonly w: Float64Array;
  constructor(
    private readonly rows: readonly number[],
    x: readonly number[],
    y: readonly number[],
    kind: Kind,
  ) {
    this.stat = new RefWeightedCorrelation(x, y, kind);
    this.w = new Float64Array(rows.length);
  }
  value(all: ArrayLike<number>): number {
    for (let i = 0; i < this.rows.length; i++) this.w[i] = all[this.rows[i]];
    return this.stat.value(this.w);
  }
}

function refForEachWeighting(
  rows: number,
  opts: { iterations: number; seed: number; clusters?: readonly string[] },
  fn: (w: Float64Array, b: number) => void,
): void {
  const w = new Float64Array(rows);
  if (!opts.clusters) {
    refForEachResample(rows, opts.iterations, opts.seed, (idx, b) => {
      w.fill(0);
      for (let i = 0; i < idx.length; i++) w[idx[i]]++;
      fn(w, b);
    });
    return;
  }
  const { rows: members } = refClusterRows(opts.clusters);
  refForEachResample(members.length, opts.iterations, opts.seed, (idx, b) => {
    w.fill(0);
    for (let i = 0; i < idx.length; i++) for (const r of members[idx[i]]) w[r]++;
    fn(w, b);
  });
}

function refCorrelationReplicates(
  x: readonly number[],
  y: readonly number[],
  kind: Kind,
  opts: { iterations: number; seed: number; clusters?: readonly string[] },
): Float64Array {
  const stat = new RefWeightedCorrelation(x, y, kind);
  const out = new Float64Array(opts.iterations);
  refForEachWeighting(x.length, opts, (w, b) => {
    out[b] = stat.value(w);
  });
  return out;
}

class RefPooledPairsSpearman {
  private readonly q: Int32Array;
  private readonly order: Int32Array;
  private readonly rw: Float64Array;
  private readonly ranks: Float64Array;
  private readonly qSum: Float64Array;
  private readonly qSq: Float64Array;
  private readonly qW: Float64Array;
  constructor(
    questionOf: readonly string[],
    private readonly values: readonly number[],
  ) {
    const ids = new Map<string, number>();
    this.q = Int32Array.from(
      questionOf.map((k) => {
        let id = ids.get(k);
        if (id === undefined) ids.set(k, (id = ids.size));
        return id;
      }),
    );
    this.order = Int32Array.from(values.map((_, i) => i).sort((a, b) => values[a] - values[b]));
    this.rw = new Float64Array(values.length);
    this.ranks = new Float64Array(values.length);
    this.qSum = new Float64Array(ids.size);
    this.qSq = new Float64Array(ids.size);
    this.qW = new Float64Array(ids.size);
  }
  pairs(w: ArrayLike<number>): number {
    this.qW.fill(0);
    for (let i = 0; i < w.length; i++) this.qW[this.q[i]] += w[i];
    let n = 0;
    for (let g = 0; g < this.qW.length; g++) n += this.qW[g] * (this.qW[g] - 1);
    return n;
  }
  value(w: ArrayLike<number>): number {
    const N = this.pairs(w);
    if (N <= 0) return NaN;
    for (let i = 0; i < w.length; i++) this.rw[i] = w[i] * Math.max(0, this.qW[this.q[i]] - 1);
    refRanksUnderWeights(this.values, this.order, this.rw, this.ranks);
    const mu = (N + 1) / 2;
    this.qSum.fill(0);
    this.qSq.fill(0);
    for (let i = 0; i < w.length; i++) {
      if (this.rw[i] === 0) continue;
      const d = this.ranks[i] - mu;
      this.qSum[this.q[i]] += w[i] * d;
      this.qSq[this.q[i]] += w[i] * d * d;
    }
    let num = 0;
    let den = 0;
    for (let g = 0; g < this.qW.length; g++) {
      if (this.qW[g] < 2) continue;
      num += this.qSum[g] * this.qSum[g] - this.qSq[g];
      den += (this.qW[g] - 1) * this.qSq[g];
    }
    if (den === 0) return NaN;
    return Math.max(-1, Math.min(1, num / den));
  }
}

// ------------------------------------------------------------------ seeded data

interface Sample {
  x: number[];
  y: number[];
  clusters: string[];
}

/**
 * `k` clusters of 1…maxSize rows; x rounded to `xStep` (ties inside and across clusters); y the cluster's
 * value (rounded to `yStep`, so clusters tie too) unless `yVaries`.
 */
function sample(seed: number, k: number, maxSize: number, xStep: number, yStep: number, yVaries = false): Sample {
  const rand = mulberry32(seed);
  const out: Sample = { x: [], y: [], clusters: [] };
  for (let c = 0; c < k; c++) {
    const size = 1 + Math.floor(rand() * maxSize);
    const level = rand();
    const yc = Math.round(rand() / yStep) * yStep;
    for (let i = 0; i < size; i++) {
      out.clusters.push(`item${String(c).padStart(3, '0')}`);
      out.x.push(Math.round((level + 0.6 * (rand() - 0.5) + 0.4 * yc) / xStep) * xStep);
      out.y.push(yVaries ? yc + Math.round(rand() * 3) : yc);
    }
  }
  // Rows of one cluster are not contiguous in real data: interleave.
  const order = out.x.map((_, i) => i).sort((a, b) => ((a * 7919) % out.x.length) - ((b * 7919) % out.x.length) || a - b);
  return { x: order.map((i) => out.x[i]), y: order.map((i) => out.y[i]), clusters: order.map((i) => out.clusters[i]) };
}

const SAMPLES: [string, Sample][] = [
  ['continuous x, cluster-constant y', sample(1, 23, 40, 1e-9, 0.01)],
  ['heavy ties in x and y', sample(2, 12, 25, 0.25, 0.5)],
  ['few clusters, many rows', sample(3, 4, 300, 0.05, 0.1)],
  ['singleton clusters', sample(4, 30, 1, 0.1, 0.1)],
  ['y varies inside clusters (rows path)', sample(5, 15, 12, 0.1, 0.2, true)],
  ['many clusters, few rows (rows path)', sample(6, 80, 2, 0.01, 0.01)],
];

function assertClose(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string): number {
  assert.equal(a.length, b.length, `${what}: length`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(b[i])) {
      assert.ok(Number.isNaN(a[i]), `${what}[${i}]: ${a[i]} vs NaN`);
      continue;
    }
    const d = Math.abs(a[i] - b[i]);
    worst = Math.max(worst, d);
    assert.ok(d <= tol, `${what}[${i}]: ${a[i]} vs ${b[i]} (Δ ${d})`);
  }
  return worst;
}

/**
 * The response-pairs bootstrap's resamples (docs/analyses.md §7.6: multinomial cell counts, a new sampler of
 * the same resampling distribution) as row weights for the old row-level code: each cell's count on one of
 * its rows (rows of a cell share value and question, so which one does not matter).
 */
function pairsResampleWeights(
  questions: readonly string[],
  values: readonly number[],
  iterations: number,
  seed: number,
  fn: (w: Float64Array, b: number) => void,
): void {
  const stat = new PooledPairsSpearman(questions, values);
  const rowOfCell = new Int32Array(stat.cells);
  stat.rowCells.forEach((c, i) => (rowOfCell[c] = i));
  const sampler = new BinomialSampler(seed);
  const counts = new Float64Array(stat.cells);
  const w = new Float64Array(values.length);
  for (let b = 0; b < iterations; b++) {
    sampler.multinomialInto(counts, stat.cellSizes, values.length);
    w.fill(0);
    for (let c = 0; c < counts.length; c++) w[rowOfCell[c]] = counts[c];
    fn(w, b);
  }
}

// ------------------------------------------------------------------ tests

test('the resample stream is mulberry32 as before: indices and counts', () => {
  for (const [n, it, seed] of [
    [7, 50, 1],
    [23, 200, 42],
    [1000, 3, 9],
  ] as const) {
    const idx = bootstrapIndices(n, it, seed);
    const rand = mulberry32(seed);
    for (let k = 0; k < idx.length; k++) assert.equal(idx[k], Math.floor(rand() * n));
    let b = 0;
    refForEachResample(n, it, seed, (ref) => {
      assert.deepEqual(Array.from(idx.subarray(b * n, (b + 1) * n)), Array.from(ref));
      b++;
    });
    forEachCount(n, it, seed, (w, r) => {
      const expect = new Float64Array(n);
      for (let i = 0; i < n; i++) expect[idx[r * n + i]]++;
      assert.deepEqual(Array.from(w), Array.from(expect));
    });
    let seen = 0;
    forEachResample(n, it, seed, (ref, r) => {
      assert.deepEqual(Array.from(ref), Array.from(idx.subarray(r * n, (r + 1) * n)));
      seen++;
    });
    assert.equal(seen, it);
  }
});

test('clusterIndex numbers clusters as clusterRows orders them', () => {
  const keys = ['b', 'a', 'c', 'a', 10, 2, 'b'];
  const { keys: sorted, of } = clusterIndex(keys);
  const ref = clusterRows(keys);
  assert.deepEqual(sorted, ref.keys);
  ref.rows.forEach((rows, c) => rows.forEach((r) => assert.equal(of[r], c)));
});

/**
 * Replicates whose resample holds one value of x or of y. The old code's two-pass sums could leave rounding
 * noise there (Σ w(y − ȳ)² of about 1e-32 for y = 0.30000000000000004 repeated) and return a "correlation"
 * of that noise; the kernel checks constancy exactly and gives NaN, as for an exactly constant variable.
 */
function constantResamples(s: Sample, iterations: number, seed: number): Set<number> {
  const out = new Set<number>();
  refForEachWeighting(s.x.length, { iterations, seed, clusters: s.clusters }, (w, b) => {
    const xs = new Set<number>();
    const ys = new Set<number>();
    for (let i = 0; i < w.length; i++) {
      if (w[i] === 0) continue;
      xs.add(s.x[i]);
      ys.add(s.y[i]);
    }
    if (xs.size < 2 || ys.size < 2) out.add(b);
  });
  return out;
}

test('cluster-resampled Pearson and Spearman replicates equal the row-weight implementation to 1e-12', () => {
  let worst = 0;
  let constant = 0;
  for (const [name, s] of SAMPLES) {
    const degenerate = constantResamples(s, 400, 11);
    for (const kind of ['pearson', 'spearman'] as const) {
      const opts = { iterations: 400, seed: 11, clusters: s.clusters };
      const ref = refCorrelationReplicates(s.x, s.y, kind, opts);
      const got = correlationReplicates(s.x, s.y, kind, opts);
      for (const b of degenerate) {
        assert.ok(Number.isNaN(got[b]), `${name} ${kind}[${b}]: a constant variable gives NaN`);
        ref[b] = NaN;
        constant++;
      }
      worst = Math.max(worst, assertClose(got, ref, 1e-12, `${name} ${kind}`));
      assert.ok(ref.filter((v) => Number.isFinite(v)).length > 300, `${name}: the reference is defined almost everywhere`);
      const [a, b] = [percentileInterval(got), percentileInterval(ref)];
      assert.ok(a && b && Math.abs(a[0] - b[0]) <= 1e-12 && Math.abs(a[1] - b[1]) <= 1e-12, `${name} ${kind} CI`);
    }
  }
  assert.ok(constant > 0, 'the samples include resamples with a constant variable');
  assert.ok(worst < 1e-12);
});

test('undefined replicates stay undefined: one cluster drawn, constant x, constant y', () => {
  // Two clusters: any resample drawing only one of them has constant y (Spearman and Pearson: NaN).
  const s = { x: [1, 2, 3, 4, 5, 5], y: [1, 1, 1, 2, 2, 2], clusters: ['a', 'a', 'a', 'b', 'b', 'b'] };
  // Cluster c has a constant x: resamples of c alone are NaN on the x side too.
  const t = { x: [3, 3, 3, 1, 2, 9], y: [0, 0, 0, 1, 1, 1], clusters: ['c', 'c', 'c', 'd', 'd', 'd'] };
  for (const d of [s, t]) {
    for (const kind of ['pearson', 'spearman'] as const) {
      const opts = { iterations: 60, seed: 3, clusters: d.clusters };
      const ref = refCorrelationReplicates(d.x, d.y, kind, opts);
      assert.ok(ref.some((v) => Number.isNaN(v)) && ref.some((v) => Number.isFinite(v)));
      assertClose(correlationReplicates(d.x, d.y, kind, opts), ref, 1e-12, `${kind} degenerate`);
    }
  }
});

test("a subset of a sample (clusters absent from it) reads the full sample's cluster counts as SubsetCorrelation did", () => {
  const s = SAMPLES[0][1];
  // The rows whose cluster has an even number: as the responses a reference covers.
  const rows = s.x.map((_, i) => i).filter((i) => Number(s.clusters[i].slice(4)) % 2 === 0);
  const { keys, of } = clusterIndex(s.clusters);
  for (const kind of ['pearson', 'spearman'] as const) {
    const ref = new RefSubsetCorrelation(
      rows,
      rows.map((i) => s.x[i]),
      rows.map((i) => s.y[i]),
      kind,
    );
    const got = clusteredCorrelation(
      rows.map((i) => s.x[i]),
      rows.map((i) => s.y[i]),
      rows.map((i) => of[i]),
      keys.length,
      kind,
    );
    const refReps: number[] = [];
    refForEachWeighting(s.x.length, { iterations: 300, seed: 5, clusters: s.clusters }, (w) => refReps.push(ref.value(w)));
    const gotReps: number[] = [];
    forEachCount(keys.length, 300, 5, (wc) => gotReps.push(got.value(wc)));
    assertClose(gotReps, refReps, 1e-12, `subset ${kind}`);
  }
});

test('pooled response pairs (consistency): new kernel equals the old on the same resamples', () => {
  for (const [name, s] of SAMPLES) {
    const questions = s.clusters;
    const ref = new RefPooledPairsSpearman(questions, s.x);
    const got = new PooledPairsSpearman(questions, s.x);
    const ones = new Float64Array(s.x.length).fill(1);
    assert.equal(got.pairs(ones), ref.pairs(ones));
    const refReps: number[] = [];
    const gotReps: number[] = [];
    refForEachWeighting(s.x.length, { iterations: 200, seed: 13 }, (w) => {
      refReps.push(ref.value(w));
      gotReps.push(got.value(w));
    });
    refReps.push(ref.value(ones));
    gotReps.push(got.value(ones));
    assertClose(gotReps, refReps, 1e-12, name);
    // responsePairs: estimate as before; CI from the old statistic on the new sampler's resamples.
    const est = responsePairs(questions, s.x, { iterations: 200, seed: 13 });
    if (Number.isNaN(ref.value(ones))) {
      assert.equal(est.value, null, `${name}: no pairs`);
      continue;
    }
    const reps = new Float64Array(200);
    pairsResampleWeights(questions, s.x, 200, 13, (w, b) => (reps[b] = ref.value(w) / 0.955));
    const ci = percentileInterval(reps);
    assert.ok(est.value && ci && est.value.ci);
    assert.ok(Math.abs(est.value.estimate - ref.value(ones) / 0.955) <= 1e-12);
    assert.ok(Math.abs(est.value.ci[0] - ci[0]) <= 1e-12 && Math.abs(est.value.ci[1] - ci[1]) <= 1e-12, `${name} ci`);
  }
});

test("two measures, each on its own stream of the seed, give what each gives alone, and the old code's CI", () => {
  const s = SAMPLES[1][1];
  const other = s.x.map((v, i) => Math.round((v * 3 + (i % 5)) * 4) / 4);
  const joint = responsePairsJoint(s.clusters, [s.x, other], { iterations: 150, seed: 21 });
  const alone = [
    responsePairs(s.clusters, s.x, { iterations: 150, seed: 21 }),
    responsePairs(s.clusters, other, { iterations: 150, seed: 21 }),
  ];
  assert.deepEqual(joint, alone);
  [s.x, other].forEach((values, j) => {
    const ref = new RefPooledPairsSpearman(s.clusters, values);
    const reps = new Float64Array(150);
    pairsResampleWeights(s.clusters, values, 150, 21, (w, b) => (reps[b] = ref.value(w) / 0.955));
    const ci = percentileInterval(reps);
    const got = joint[j].value?.ci;
    assert.ok(ci && got && Math.abs(got[0] - ci[0]) <= 1e-12 && Math.abs(got[1] - ci[1]) <= 1e-12, `column ${j}`);
  });
});
