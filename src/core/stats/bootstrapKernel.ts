// Allocation-free bootstrap kernels for correlations whose resampling unit is a cluster of rows (an item and
// its responses). A resample is the vector wc of how often each cluster was drawn; every row of cluster c
// then counts wc[c] times. The statistic is the same as the weighted Pearson of the rows (or of their average
// ranks) that bootstrap.ts's WeightedCorrelation computes from row weights, but evaluated from per-cluster
// summaries prepared once (docs/analyses.md §7.6):
//  - Pearson: per-cluster sums n, Σx, Σy, Σx², Σy², Σxy (of globally centred values) → O(clusters).
//  - Spearman when y is constant within each cluster (the human value of the item): a row's average rank
//    minus the mean rank is ½ Σ_s w_s sgn(x_r − x_s), so the per-cluster rank sums need only the
//    antisymmetric cluster × cluster matrix E(c, c′) = #{x_r > x_s} − #{x_r < x_s} (r ∈ c, s ∈ c′), and
//    Σ w (rank − mean)² is (W³ − W)/12 minus the tie correction Σ (t³ − t)/12 over the groups of equal x.
//    → O(clusters²) per replicate, exact in half-integers. Otherwise (y varies within a cluster, or there
//    are so many clusters that clusters² exceeds the rows) the rows' weights are expanded and ranked: O(rows).
// No allocation per replicate: every buffer is made in the constructor.

import type { CorrelationKind } from './bootstrap';
import { orderByValue } from './order';

/** Row weights from cluster counts, then the row-level statistic: the general path. */
interface RowStatistic {
  value(w: ArrayLike<number>): number;
}

export class ClusteredCorrelation {
  /** Rows in the sample. */
  readonly n: number;
  /** Global cluster id of each local cluster (clusters that hold at least one row). */
  private readonly ids: Int32Array;
  private readonly k: number;
  private readonly count: Float64Array;
  /** Per local cluster: min and max of x and y, to detect a constant variable in a resample exactly. */
  private readonly xMin: Float64Array;
  private readonly xMax: Float64Array;
  private readonly yMin: Float64Array;
  private readonly yMax: Float64Array;
  // Pearson: sums of centred values.
  private readonly sx: Float64Array;
  private readonly sy: Float64Array;
  private readonly sxx: Float64Array;
  private readonly syy: Float64Array;
  private readonly sxy: Float64Array;
  // Spearman (cluster-constant y).
  private readonly mode: 'pearson' | 'ranks' | 'rows';
  private readonly e: Float64Array;
  /** Local clusters sorted by y, and where each group of equal y ends in that order. */
  private readonly yOrder: Int32Array;
  private readonly yGroupEnd: Int32Array;
  /** Per local cluster: Σ m³ and Σ m over the groups of equal x that lie inside that cluster alone. */
  private readonly tieCube: Float64Array;
  private readonly tieLin: Float64Array;
  /** Groups of equal x spanning several clusters, as (cluster, multiplicity) lists. */
  private readonly spanStart: Int32Array;
  private readonly spanCluster: Int32Array;
  private readonly spanCount: Float64Array;
  private readonly dy: Float64Array;
  private readonly w: Float64Array;
  // Rows path.
  private readonly rows: RowStatistic | null;
  private readonly rowCluster: Int32Array;
  private readonly rowW: Float64Array;

  /**
   * @param cluster global cluster id of each row (0 ≤ id < clusters)
   * @param makeRows the row-level statistic for the general path (bootstrap.ts's WeightedCorrelation)
   */
  constructor(
    x: ArrayLike<number>,
    y: ArrayLike<number>,
    cluster: ArrayLike<number>,
    clusters: number,
    kind: CorrelationKind,
    makeRows: () => RowStatistic,
  ) {
    const n = x.length;
    this.n = n;
    const local = new Int32Array(clusters).fill(-1);
    const ids: number[] = [];
    for (let i = 0; i < n; i++) {
      const c = cluster[i];
      if (local[c] < 0) {
        local[c] = ids.length;
        ids.push(c);
      }
    }
    this.ids = Int32Array.from(ids);
    const k = ids.length;
    this.k = k;
    this.count = new Float64Array(k);
    this.xMin = new Float64Array(k).fill(Infinity);
    this.xMax = new Float64Array(k).fill(-Infinity);
    this.yMin = new Float64Array(k).fill(Infinity);
    this.yMax = new Float64Array(k).fill(-Infinity);
    const lc = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const j = local[cluster[i]];
      lc[i] = j;
      this.count[j]++;
      if (x[i] < this.xMin[j]) this.xMin[j] = x[i];
      if (x[i] > this.xMax[j]) this.xMax[j] = x[i];
      if (y[i] < this.yMin[j]) this.yMin[j] = y[i];
      if (y[i] > this.yMax[j]) this.yMax[j] = y[i];
    }
    this.w = new Float64Array(k);
    const empty = new Float64Array(0);
    const emptyI = new Int32Array(0);
    this.sx = this.sy = this.sxx = this.syy = this.sxy = empty;
    this.e = this.tieCube = this.tieLin = this.spanCount = this.dy = empty;
    this.yOrder = this.yGroupEnd = this.spanStart = this.spanCluster = emptyI;
    this.rows = null;
    this.rowCluster = emptyI;
    this.rowW = empty;

    if (kind === 'pearson') {
      this.mode = 'pearson';
      let gx = 0;
      let gy = 0;
      for (let i = 0; i < n; i++) {
        gx += x[i];
        gy += y[i];
      }
      gx /= n || 1;
      gy /= n || 1;
      this.sx = new Float64Array(k);
      this.sy = new Float64Array(k);
      this.sxx = new Float64Array(k);
      this.syy = new Float64Array(k);
      this.sxy = new Float64Array(k);
      for (let i = 0; i < n; i++) {
        const j = lc[i];
        const dx = x[i] - gx;
        const dy = y[i] - gy;
        this.sx[j] += dx;
        this.sy[j] += dy;
        this.sxx[j] += dx * dx;
        this.syy[j] += dy * dy;
        this.sxy[j] += dx * dy;
      }
      return;
    }
    let yConstant = true;
    for (let j = 0; j < k; j++) if (this.yMin[j] !== this.yMax[j]) yConstant = false;
    if (!yConstant || k * k > 4 * n) {
      this.mode = 'rows';
      this.rows = makeRows();
      this.rowCluster = lc;
      this.rowW = new Float64Array(n);
      return;
    }
    this.mode = 'ranks';
    // y per cluster, clusters sorted by it, groups of equal y.
    const yOrder = Array.from({ length: k }, (_, j) => j).sort((a, b) => this.yMin[a] - this.yMin[b] || a - b);
    this.yOrder = Int32Array.from(yOrder);
    const ends: number[] = [];
    for (let t = 0; t < k; t++) if (t === k - 1 || this.yMin[yOrder[t + 1]] !== this.yMin[yOrder[t]]) ends.push(t + 1);
    this.yGroupEnd = Int32Array.from(ends);
    this.dy = new Float64Array(k);
    // One sweep over the rows sorted by x: E, and the groups of equal x.
    let order = orderByValue(x);
    if (!order) {
      order = new Int32Array(n);
      for (let i = 0; i < n; i++) order[i] = i;
      order.sort((a, b) => x[a] - x[b] || a - b);
    }
    const e = new Float64Array(k * k);
    const less = new Float64Array(k);
    const eq = new Float64Array(k);
    const members: number[] = [];
    this.tieCube = new Float64Array(k);
    this.tieLin = new Float64Array(k);
    const spanStart: number[] = [0];
    const spanCluster: number[] = [];
    const spanCount: number[] = [];
    let s = 0;
    while (s < n) {
      let t = s + 1;
      while (t < n && x[order[t]] === x[order[s]]) t++;
      members.length = 0;
      for (let u = s; u < t; u++) {
        const j = lc[order[u]];
        if (eq[j] === 0) members.push(j);
        eq[j]++;
      }
      // Each member row r of cluster a gains, against cluster c: #{x_s < x_r} − #{x_s > x_r}.
      for (const a of members) {
        const m = eq[a];
        const row = a * k;
        for (let c = 0; c < k; c++) e[row + c] += m * (2 * less[c] + eq[c] - this.count[c]);
      }
      if (members.length === 1) {
        const a = members[0];
        this.tieCube[a] += eq[a] * eq[a] * eq[a];
        this.tieLin[a] += eq[a];
      } else {
        for (const a of members) {
          spanCluster.push(a);
          spanCount.push(eq[a]);
        }
        spanStart.push(spanCluster.length);
      }
      for (const a of members) {
        less[a] += eq[a];
        eq[a] = 0;
      }
      s = t;
    }
    this.e = e;
    this.spanStart = Int32Array.from(spanStart);
    this.spanCluster = Int32Array.from(spanCluster);
    this.spanCount = Float64Array.from(spanCount);
  }

  /** The correlation of the sample in which every row of cluster c occurs wc[c] times; NaN when undefined. */
  value(wc: ArrayLike<number>): number {
    if (this.mode === 'rows') {
      const rw = this.rowW;
      for (let i = 0; i < rw.length; i++) rw[i] = wc[this.ids[this.rowCluster[i]]];
      return (this.rows as RowStatistic).value(rw);
    }
    const k = this.k;
    const w = this.w;
    let sw = 0;
    let xLo = Infinity;
    let xHi = -Infinity;
    let yLo = Infinity;
    let yHi = -Infinity;
    for (let j = 0; j < k; j++) {
      const v = wc[this.ids[j]];
      w[j] = v;
      if (v === 0) continue;
      sw += v * this.count[j];
      if (this.xMin[j] < xLo) xLo = this.xMin[j];
      if (this.xMax[j] > xHi) xHi = this.xMax[j];
      if (this.yMin[j] < yLo) yLo = this.yMin[j];
      if (this.yMax[j] > yHi) yHi = this.yMax[j];
    }
    // As the row-level statistic: undefined below two rows or when either variable is constant.
    if (sw < 2 || xLo === xHi || yLo === yHi) return NaN;
    return this.mode === 'pearson' ? this.pearson(sw) : this.ranks(sw);
  }

  private pearson(sw: number): number {
    const w = this.w;
    let mx = 0;
    let my = 0;
    for (let j = 0; j < this.k; j++) {
      if (w[j] === 0) continue;
      mx += w[j] * this.sx[j];
      my += w[j] * this.sy[j];
    }
    mx /= sw;
    my /= sw;
    let sxy = 0;
    let sxx = 0;
    let syy = 0;
    for (let j = 0; j < this.k; j++) {
      if (w[j] === 0) continue;
      sxy += w[j] * this.sxy[j];
      sxx += w[j] * this.sxx[j];
      syy += w[j] * this.syy[j];
    }
    sxy -= sw * mx * my;
    sxx -= sw * mx * mx;
    syy -= sw * my * my;
    if (!(sxx > 0) || !(syy > 0)) return NaN;
    return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
  }

  private ranks(sw: number): number {
    const k = this.k;
    const w = this.w;
    // y: average rank of each cluster's rows minus the mean rank (SW + 1)/2, and Σ w (rank − mean)².
    let cum = 0;
    let syy = 0;
    let start = 0;
    for (let g = 0; g < this.yGroupEnd.length; g++) {
      const end = this.yGroupEnd[g];
      let t = 0;
      for (let u = start; u < end; u++) t += w[this.yOrder[u]] * this.count[this.yOrder[u]];
      const dev = cum + t / 2 - sw / 2;
      for (let u = start; u < end; u++) this.dy[this.yOrder[u]] = dev;
      syy += t * dev * dev;
      cum += t;
      start = end;
    }
    // x: Σ w (rank − mean)² from the tie groups; Σ over rows of w (rank_x − mean)(rank_y − mean) from E.
    let ties = 0;
    for (let j = 0; j < k; j++) {
      const v = w[j];
      if (v !== 0) ties += v * v * v * this.tieCube[j] - v * this.tieLin[j];
    }
    for (let g = 0; g + 1 < this.spanStart.length; g++) {
      let t = 0;
      for (let u = this.spanStart[g]; u < this.spanStart[g + 1]; u++) t += w[this.spanCluster[u]] * this.spanCount[u];
      ties += t * t * t - t;
    }
    const sxx = (sw * sw * sw - sw - ties) / 12;
    let sxy = 0;
    for (let a = 0; a < k; a++) {
      if (w[a] === 0 || this.dy[a] === 0) continue;
      const row = a * k;
      let ds = 0;
      for (let c = 0; c < k; c++) ds += w[c] * this.e[row + c];
      sxy += w[a] * this.dy[a] * ds;
    }
    sxy /= 2;
    if (!(sxx > 0) || !(syy > 0)) return NaN;
    return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
  }
}
