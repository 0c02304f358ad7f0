// Seeded percentile bootstrap for correlations and paired differences of correlations (docs/analyses.md §7).
// A resample is represented by a weight per row (how often the row, or its cluster, was drawn), so a
// replicate costs O(n) with reused buffers: Pearson is a weighted Pearson, Spearman a weighted Pearson of
// the average ranks a resample would give, computed from one presort — no copied arrays per iteration.
// Cluster resamples go through bootstrapKernel.ts: O(clusters) or O(clusters²) per replicate, not O(rows).
import type { Estimate } from '../study/analysisTypes';
import { ClusteredCorrelation } from './bootstrapKernel';
import { allFinite, completePairs, pearson, spearman } from './correlation';
import { normalQuantile } from './distributions';

export type CorrelationKind = 'pearson' | 'spearman';
export type ClusterKey = string | number;

export interface BootstrapOptions {
  iterations: number;
  seed: number;
  /** One key per row: resample whole clusters (items) instead of rows. */
  clusters?: readonly ClusterKey[];
}

/**
 * The resamples every function here draws: `iterations` × `n` indices (row-major, resample b occupies
 * [b·n, (b+1)·n)), index = ⌊u·n⌋ with u from mulberry32(seed) in that order. Exposed so that a fixture can
 * hand the very same resamples to R's boot.
 */
export function bootstrapIndices(n: number, iterations: number, seed: number): Int32Array {
  const out = new Int32Array(Math.max(0, n * iterations));
  new ResampleStream(seed).indices(out, 0, out.length, n);
  return out;
}

/**
 * mulberry32(seed) of src/core/random.ts written out inside the loop that draws indices: the very same
 * numbers (the R fixture's resamples test it), without a closure call per draw — the draws are the floor
 * of a response-level bootstrap (n per replicate).
 */
export class ResampleStream {
  private a: number;

  constructor(seed: number) {
    this.a = seed >>> 0;
  }

  /** out[from … to) = ⌊u·n⌋ for the next uniform u of the stream each. */
  indices(out: Int32Array, from: number, to: number, n: number): void {
    let a = this.a;
    for (let i = from; i < to; i++) {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      out[i] = Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
    }
    this.a = a;
  }

  /** One resample of n rows counted by group: counts[groupOf[i]]++ for each of n draws i = ⌊u·n⌋. */
  countsInto(counts: Float64Array, groupOf: Int32Array, n: number): void {
    let a = this.a;
    for (let i = 0; i < n; i++) {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      counts[groupOf[Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n)]]++;
    }
    this.a = a;
  }

  /** counts[i] += how often i was drawn in the next m draws of ⌊u·n⌋ (counts not cleared here). */
  counts(counts: Float64Array, m: number, n: number): void {
    let a = this.a;
    for (let i = 0; i < m; i++) {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      counts[Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n)]++;
    }
    this.a = a;
  }
}

/** Streams the resamples of bootstrapIndices one at a time through one reused buffer. */
export function forEachResample(n: number, iterations: number, seed: number, fn: (indices: Int32Array, b: number) => void): void {
  const stream = new ResampleStream(seed);
  const idx = new Int32Array(n);
  for (let b = 0; b < iterations; b++) {
    stream.indices(idx, 0, n, n);
    fn(idx, b);
  }
}

/**
 * The resamples of bootstrapIndices(n, iterations, seed) as counts: w[i] = how often unit i was drawn in
 * resample b (one reused buffer). The cheap form when only the multiset matters, as for every statistic here.
 */
export function forEachCount(n: number, iterations: number, seed: number, fn: (w: Float64Array, b: number) => void): void {
  const stream = new ResampleStream(seed);
  const w = new Float64Array(n);
  for (let b = 0; b < iterations; b++) {
    w.fill(0);
    stream.counts(w, n, n);
    fn(w, b);
  }
}

/** Each row's cluster index in clusterRows' order (keys sorted as strings), without the row lists. */
export function clusterIndex(keys: readonly ClusterKey[]): { keys: string[]; of: Int32Array } {
  const ids = new Map<string, number>();
  const first: string[] = [];
  const raw = new Int32Array(keys.length);
  for (let i = 0; i < keys.length; i++) {
    const s = String(keys[i]);
    let id = ids.get(s);
    if (id === undefined) {
      id = first.length;
      ids.set(s, id);
      first.push(s);
    }
    raw[i] = id;
  }
  const sorted = first.map((k, i) => ({ k, i })).sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
  const rank = new Int32Array(first.length);
  sorted.forEach((s, r) => (rank[s.i] = r));
  for (let i = 0; i < raw.length; i++) raw[i] = rank[raw[i]];
  return { keys: sorted.map((s) => s.k), of: raw };
}

/** Cluster keys in a fixed order (sorted as strings) with each cluster's rows; the order defines index c. */
export function clusterRows(keys: readonly ClusterKey[]): { keys: string[]; rows: number[][] } {
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

/**
 * boot.ci(type = "perc")'s percentile interval (Davison & Hinkley 1997, §5.3; boot's norm.inter): with R
 * finite replicates sorted, the endpoint for α is the ((R+1)α)-th order statistic, interpolated on the
 * normal-quantile scale when (R+1)α is not an integer. Null with fewer than 2 finite replicates.
 */
export function percentileInterval(replicates: ArrayLike<number>, level = 0.95): [number, number] | null {
  const t: number[] = [];
  for (let i = 0; i < replicates.length; i++) if (Number.isFinite(replicates[i])) t.push(replicates[i]);
  const R = t.length;
  if (R < 2) return null;
  t.sort((a, b) => a - b);
  const at = (alpha: number): number => {
    // (1 − 0.95)/2 is 0.025000000000000022 in binary: (R+1)α within rounding of an integer is one.
    const nearest = Math.round((R + 1) * alpha);
    const rk = Math.abs((R + 1) * alpha - nearest) < 1e-9 ? nearest : (R + 1) * alpha;
    const k = Math.trunc(rk);
    if (k === rk && k >= 1 && k <= R) return t[k - 1];
    if (k <= 0) return t[0];
    if (k >= R) return t[R - 1];
    const z = normalQuantile(alpha);
    const z1 = normalQuantile(k / (R + 1));
    const z2 = normalQuantile((k + 1) / (R + 1));
    return t[k - 1] + ((z - z1) / (z2 - z1)) * (t[k] - t[k - 1]);
  };
  const a = (1 - level) / 2;
  return [at(a), at(1 - a)];
}

/** Two-sided bootstrap p for H0: θ = 0 — 2·(1 + #replicates on the far side of 0)/(R + 1), at most 1. */
export function bootstrapP(replicates: ArrayLike<number>): number | null {
  let below = 0;
  let above = 0;
  let R = 0;
  for (let i = 0; i < replicates.length; i++) {
    const v = replicates[i];
    if (!Number.isFinite(v)) continue;
    R++;
    if (v <= 0) below++;
    if (v >= 0) above++;
  }
  if (R < 2) return null;
  return Math.min(1, (2 * (1 + Math.min(below, above))) / (R + 1));
}

/** A prepared (x, y) sample: presorted orders and reusable buffers for weighted replicates. */
export class WeightedCorrelation {
  readonly n: number;
  private readonly orderX: Int32Array;
  private readonly orderY: Int32Array;
  private readonly rx: Float64Array;
  private readonly ry: Float64Array;

  constructor(
    private readonly x: ArrayLike<number>,
    private readonly y: ArrayLike<number>,
    private readonly kind: CorrelationKind,
  ) {
    this.n = x.length;
    const order = (v: ArrayLike<number>): Int32Array =>
      Int32Array.from(Array.from({ length: v.length }, (_, i) => i).sort((a, b) => v[a] - v[b]));
    this.orderX = kind === 'spearman' ? order(x) : new Int32Array(0);
    this.orderY = kind === 'spearman' ? order(y) : new Int32Array(0);
    this.rx = new Float64Array(kind === 'spearman' ? this.n : 0);
    this.ry = new Float64Array(kind === 'spearman' ? this.n : 0);
  }

  /** The correlation of the sample in which row i occurs w[i] times; NaN when undefined. */
  value(w: ArrayLike<number>): number {
    if (this.kind === 'pearson') return weightedPearson(this.x, this.y, w);
    ranksUnderWeights(this.x, this.orderX, w, this.rx);
    ranksUnderWeights(this.y, this.orderY, w, this.ry);
    return weightedPearson(this.rx, this.ry, w);
  }
}

/** Average ranks (1-based) each row would get in the sample where row i occurs w[i] times, written to out. */
export function ranksUnderWeights(v: ArrayLike<number>, order: Int32Array, w: ArrayLike<number>, out: Float64Array): void {
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

/** Pearson r of the sample in which row i occurs w[i] times; NaN when undefined. */
export function weightedPearson(x: ArrayLike<number>, y: ArrayLike<number>, w: ArrayLike<number>): number {
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

/**
 * A correlation over a subset of a larger sample's rows (e.g. the responses whose item a reference covers):
 * value(w) reads the weights of the full sample.
 */
export class SubsetCorrelation {
  private readonly stat: WeightedCorrelation;
  private readonly w: Float64Array;
  readonly n: number;

  constructor(
    private readonly rows: readonly number[],
    x: readonly number[],
    y: readonly number[],
    kind: CorrelationKind,
  ) {
    this.stat = new WeightedCorrelation(x, y, kind);
    this.w = new Float64Array(rows.length);
    this.n = rows.length;
  }

  value(all: ArrayLike<number>): number {
    for (let i = 0; i < this.rows.length; i++) this.w[i] = all[this.rows[i]];
    return this.stat.value(this.w);
  }
}

/**
 * Row weights of each resample: rows drawn directly, or (clusters) every row of each drawn cluster.
 * Calls fn with one reused Float64Array per resample, in the order of bootstrapIndices(units, …).
 */
export function forEachWeighting(rows: number, opts: BootstrapOptions, fn: (w: Float64Array, b: number) => void): void {
  if (!opts.clusters) {
    forEachCount(rows, opts.iterations, opts.seed, fn);
    return;
  }
  const w = new Float64Array(rows);
  const { rows: members } = clusterRows(opts.clusters);
  forEachResample(members.length, opts.iterations, opts.seed, (idx, b) => {
    w.fill(0);
    for (let i = 0; i < idx.length; i++) for (const r of members[idx[i]]) w[r]++;
    fn(w, b);
  });
}

function finitePairs(
  xIn: readonly number[],
  yIn: readonly number[],
  clusters?: readonly ClusterKey[],
): { x: number[]; y: number[]; clusters?: ClusterKey[] } {
  if (!clusters) return completePairs(xIn, yIn);
  if (clusters.length !== xIn.length || yIn.length !== xIn.length) {
    throw new Error(`bootstrap: x, y and clusters differ in length (${xIn.length}, ${yIn.length}, ${clusters.length})`);
  }
  if (Array.isArray(xIn) && Array.isArray(yIn) && allFinite(xIn, xIn.length) && allFinite(yIn, yIn.length))
    return { x: xIn.slice(), y: yIn.slice(), clusters: clusters.slice() };
  const x: number[] = [];
  const y: number[] = [];
  const c: ClusterKey[] = [];
  for (let i = 0; i < xIn.length; i++) {
    if (Number.isFinite(xIn[i]) && Number.isFinite(yIn[i])) {
      x.push(xIn[i]);
      y.push(yIn[i]);
      c.push(clusters[i]);
    }
  }
  return { x, y, clusters: c };
}

/** Every replicate of one correlation under opts (NaN where a resample leaves it undefined). */
export function correlationReplicates(
  x: readonly number[],
  y: readonly number[],
  kind: CorrelationKind,
  opts: BootstrapOptions,
): Float64Array {
  const out = new Float64Array(opts.iterations);
  if (opts.clusters) {
    if (opts.clusters.length !== x.length)
      throw new Error(`bootstrap: x and clusters differ in length (${x.length}, ${opts.clusters.length})`);
    const { keys, of } = clusterIndex(opts.clusters);
    const stat = clusteredCorrelation(x, y, of, keys.length, kind);
    forEachCount(keys.length, opts.iterations, opts.seed, (wc, b) => {
      out[b] = stat.value(wc);
    });
    return out;
  }
  const stat = new WeightedCorrelation(x, y, kind);
  forEachCount(x.length, opts.iterations, opts.seed, (w, b) => {
    out[b] = stat.value(w);
  });
  return out;
}

/**
 * A correlation of rows grouped in clusters (cluster[i] in 0 … clusters−1), evaluated from per-cluster
 * draw counts: value(wc) is what WeightedCorrelation gives for row weights w[i] = wc[cluster[i]], in
 * O(clusters) (Pearson) or O(clusters²) (Spearman, y constant within clusters) instead of O(rows).
 */
export function clusteredCorrelation(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  cluster: ArrayLike<number>,
  clusters: number,
  kind: CorrelationKind,
): ClusteredCorrelation {
  return new ClusteredCorrelation(x, y, cluster, clusters, kind, () => new WeightedCorrelation(x, y, kind));
}

export { ClusteredCorrelation };

/**
 * A correlation with its uncertainty: the estimate on all complete pairs, p from the t test of
 * correlation.ts (as R's cor.test; it assumes independent rows even when clusters are given), and the
 * percentile 95% CI of `iterations` seeded resamples of rows — or of whole clusters when given.
 * Null when the correlation is undefined (fewer than 2 pairs or a constant variable).
 */
export function correlationEstimate(
  xIn: readonly number[],
  yIn: readonly number[],
  kind: CorrelationKind,
  opts: BootstrapOptions,
): Estimate | null {
  const { x, y, clusters } = finitePairs(xIn, yIn, opts.clusters);
  const point = kind === 'pearson' ? pearson(x, y) : spearman(x, y);
  if (!point) return null;
  const ci = opts.iterations > 0 && x.length >= 2 ? percentileInterval(correlationReplicates(x, y, kind, { ...opts, clusters })) : null;
  return { estimate: point.estimate, ci, p: point.p };
}

export interface PairedSample {
  x: readonly number[];
  y: readonly number[];
}

export interface PairedOptions {
  iterations: number;
  seed: number;
  /** Cluster (item) key per row of a and of b; clusters are drawn jointly from the union of both. */
  clusters?: { a: readonly ClusterKey[]; b: readonly ClusterKey[] };
}

/**
 * r(a) − r(b) for two correlations measured on the same items. Without clusters a and b must have equal
 * length and row i of both is one item, resampled jointly; with clusters, each drawn cluster contributes
 * its rows on both sides. CI: percentile; p: bootstrapP (two-sided, from the replicates). Null when either
 * correlation is undefined on the full data.
 */
export function pairedDifference(a: PairedSample, b: PairedSample, kind: CorrelationKind, opts: PairedOptions): Estimate | null {
  if (!opts.clusters && (a.x.length !== b.x.length || a.y.length !== a.x.length || b.y.length !== b.x.length)) {
    throw new Error(`pairedDifference: without clusters a and b must be aligned rows (${a.x.length} vs ${b.x.length})`);
  }
  // Keep rows where both of one side's values are finite; unclustered rows must stay aligned, so a row
  // missing on either side is dropped from both.
  let ax: number[] = [];
  let ay: number[] = [];
  let bx: number[] = [];
  let by: number[] = [];
  let ca: string[] = [];
  let cb: string[];
  if (!opts.clusters) {
    for (let i = 0; i < a.x.length; i++) {
      if ([a.x[i], a.y[i], b.x[i], b.y[i]].every(Number.isFinite)) {
        ax.push(a.x[i]);
        ay.push(a.y[i]);
        bx.push(b.x[i]);
        by.push(b.y[i]);
        ca.push(String(i));
      }
    }
    cb = ca;
  } else {
    const pa = finitePairs(a.x, a.y, opts.clusters.a);
    const pb = finitePairs(b.x, b.y, opts.clusters.b);
    ax = pa.x;
    ay = pa.y;
    bx = pb.x;
    by = pb.y;
    ca = (pa.clusters ?? []).map(String);
    cb = (pb.clusters ?? []).map(String);
  }
  const pointA = kind === 'pearson' ? pearson(ax, ay) : spearman(ax, ay);
  const pointB = kind === 'pearson' ? pearson(bx, by) : spearman(bx, by);
  if (!pointA || !pointB) return null;
  const reps = pairedReplicates({ x: ax, y: ay, clusters: ca }, { x: bx, y: by, clusters: cb }, kind, opts, !opts.clusters);
  return { estimate: pointA.estimate - pointB.estimate, ci: percentileInterval(reps), p: bootstrapP(reps) };
}

/** Replicates of r(a) − r(b); rows mode: index i of both sides is one unit drawn together. */
function pairedReplicates(
  a: { x: number[]; y: number[]; clusters: string[] },
  b: { x: number[]; y: number[]; clusters: string[] },
  kind: CorrelationKind,
  opts: { iterations: number; seed: number },
  rows: boolean,
): Float64Array {
  const out = new Float64Array(opts.iterations);
  if (opts.iterations < 1) return out;
  const sa = new WeightedCorrelation(a.x, a.y, kind);
  const sb = new WeightedCorrelation(b.x, b.y, kind);
  if (rows) {
    forEachWeighting(a.x.length, opts, (w, i) => {
      out[i] = sa.value(w) - sb.value(w);
    });
    return out;
  }
  const keys = [...new Set([...a.clusters, ...b.clusters])].sort();
  const pos = new Map(keys.map((k, i) => [k, i]));
  const membersA: number[][] = keys.map(() => []);
  const membersB: number[][] = keys.map(() => []);
  a.clusters.forEach((k, i) => membersA[pos.get(k) as number].push(i));
  b.clusters.forEach((k, i) => membersB[pos.get(k) as number].push(i));
  const wa = new Float64Array(a.x.length);
  const wb = new Float64Array(b.x.length);
  forEachResample(keys.length, opts.iterations, opts.seed, (idx, i) => {
    wa.fill(0);
    wb.fill(0);
    for (let j = 0; j < idx.length; j++) {
      for (const r of membersA[idx[j]]) wa[r]++;
      for (const r of membersB[idx[j]]) wb[r]++;
    }
    out[i] = sa.value(wa) - sb.value(wb);
  });
  return out;
}
