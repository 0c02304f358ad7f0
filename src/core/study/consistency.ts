// Self-consistency per model × language in both definitions (docs/analyses.md §3.1–3.2), each named:
//  - 'paraphrase-vectors' (Value Lens, round one): each paraphrase of a template gives a vector of item
//    scores (the mean over its responses); consistency = mean Spearman ρ over all pairs of paraphrases of
//    the same template and country cue, on the items both scored (≥ 3). Bootstrap: items resampled.
//  - 'response-pairs' (Rystrøm et al. 2025): all ordered pairs (i, j), i ≠ j, of responses to the same
//    question (item and cue) are pooled; consistency = Spearman(xᵢ, xⱼ) / 0.955. Both (i, j) and (j, i) are
//    in, as the study's self-join on (question, model, language) minus identical rows gives. Bootstrap:
//    responses resampled, as the study does; a response drawn twice is two rows that pair with each other.
import type { ResponseUnit } from '../corpus/types';
import type { AlignmentMeasure, ConsistencyRow, Estimate } from './analysisTypes';
import { forEachResample, percentileInterval, ranksUnderWeights, WeightedCorrelation } from '../stats/bootstrap';

/** The study's reliability correction: 1 − 0.045, its estimate of judge noise (source unverified). */
export const RESPONSE_PAIRS_RELIABILITY = 0.955;

export interface ConsistencyOptions {
  measure: AlignmentMeasure;
  bootstrap: { iterations: number; seed: number };
}

const SEP = '\u0000';

function valueOf(u: ResponseUnit, measure: AlignmentMeasure): number | undefined {
  const v = measure === 'mean' ? u.mean : u.pro;
  return v !== undefined && Number.isFinite(v) ? v : undefined;
}

export function consistencyRows(units: readonly ResponseUnit[], opts: ConsistencyOptions): ConsistencyRow[] {
  const cells = new Map<string, ResponseUnit[]>();
  for (const u of units) {
    if (valueOf(u, opts.measure) === undefined) continue;
    const k = u.modelId + SEP + u.language;
    const list = cells.get(k);
    if (list) list.push(u);
    else cells.set(k, [u]);
  }
  const rows: ConsistencyRow[] = [];
  for (const k of [...cells.keys()].sort()) {
    const [model, language] = k.split(SEP);
    const cell = cells.get(k) as ResponseUnit[];
    const pv = paraphraseVectors(cell, opts);
    rows.push({ model, language, definition: 'paraphrase-vectors', pairs: pv.pairs, value: pv.value });
    const rp = responsePairs(
      cell.map((u) => questionKey(u)),
      cell.map((u) => valueOf(u, opts.measure) as number),
      opts.bootstrap,
    );
    rows.push({ model, language, definition: 'response-pairs', pairs: rp.pairs, value: rp.value });
  }
  return rows;
}

/** A "question" of the response-pairs definition: one item under one country cue. */
export const questionKey = (u: ResponseUnit): string => u.itemKey + SEP + (u.country ?? '');

// ------------------------------------------------------------------ response pairs (the paper)

/**
 * Spearman over the pooled ordered pairs of distinct rows sharing a question, in closed form: the pairs'
 * x and y have the same marginal (each row appears (m_q − 1) times on either side), so with d = rank − mean
 * rank, ρ = Σ_q [(Σᵢ dᵢ)² − Σᵢ dᵢ²] / Σ_q (m_q − 1) Σᵢ dᵢ². Under resampling weights w (row i drawn wᵢ
 * times, M_q = Σ wᵢ), ρ = Σ_q [(Σ wᵢdᵢ)² − Σ wᵢdᵢ²] / Σ_q (M_q − 1) Σ wᵢdᵢ², ranks taken with weights
 * wᵢ(M_q − 1). NaN when there is no pair or no variation.
 */
export class PooledPairsSpearman {
  private readonly q: Int32Array;
  private readonly order: Int32Array;
  private readonly rw: Float64Array;
  private readonly ranks: Float64Array;
  private readonly qSum: Float64Array;
  private readonly qSq: Float64Array;
  private readonly qW: Float64Array;
  readonly questions: number;

  constructor(
    questionOf: readonly string[],
    private readonly values: readonly number[],
  ) {
    const ids = new Map<string, number>();
    this.q = Int32Array.from(questionOf.map((k) => {
      let id = ids.get(k);
      if (id === undefined) ids.set(k, (id = ids.size));
      return id;
    }));
    this.questions = ids.size;
    this.order = Int32Array.from(values.map((_, i) => i).sort((a, b) => values[a] - values[b]));
    this.rw = new Float64Array(values.length);
    this.ranks = new Float64Array(values.length);
    this.qSum = new Float64Array(ids.size);
    this.qSq = new Float64Array(ids.size);
    this.qW = new Float64Array(ids.size);
  }

  /** Ordered pairs of distinct rows under weights w. */
  pairs(w: ArrayLike<number>): number {
    this.qW.fill(0);
    for (let i = 0; i < w.length; i++) this.qW[this.q[i]] += w[i];
    let n = 0;
    for (let g = 0; g < this.qW.length; g++) n += this.qW[g] * (this.qW[g] - 1);
    return n;
  }

  /** ρ (not yet divided by the reliability) under weights w. */
  value(w: ArrayLike<number>): number {
    const N = this.pairs(w); // also fills qW
    if (N <= 0) return NaN;
    for (let i = 0; i < w.length; i++) this.rw[i] = w[i] * Math.max(0, this.qW[this.q[i]] - 1);
    ranksUnderWeights(this.values, this.order, this.rw, this.ranks);
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

/** The paper's consistency of one model × language: ρ over pooled response pairs ÷ 0.955, with its CI. */
export function responsePairs(
  questionOf: readonly string[],
  values: readonly number[],
  bootstrap: { iterations: number; seed: number },
): { pairs: number; value: Estimate | null } {
  const stat = new PooledPairsSpearman(questionOf, values);
  const ones = new Float64Array(values.length).fill(1);
  const pairs = stat.pairs(ones);
  const rho = stat.value(ones);
  if (!Number.isFinite(rho)) return { pairs, value: null };
  const reps = new Float64Array(bootstrap.iterations);
  const w = new Float64Array(values.length);
  forEachResample(values.length, bootstrap.iterations, bootstrap.seed, (idx, b) => {
    w.fill(0);
    for (let i = 0; i < idx.length; i++) w[idx[i]]++;
    reps[b] = stat.value(w) / RESPONSE_PAIRS_RELIABILITY;
  });
  // p: none — the pairs are not independent, and "consistency ≠ 0" is not a question anyone asks.
  return { pairs, value: { estimate: rho / RESPONSE_PAIRS_RELIABILITY, ci: percentileInterval(reps), p: null } };
}

// ------------------------------------------------------------------ paraphrase vectors (Value Lens)

function paraphraseVectors(cell: readonly ResponseUnit[], opts: ConsistencyOptions): { pairs: number; value: Estimate | null } {
  // group (template, cue) → paraphrase → item → values
  const groups = new Map<string, Map<number, Map<string, number[]>>>();
  const itemIds = new Map<string, number>();
  for (const u of cell) {
    if (u.paraphrase === null) continue;
    const g = u.template + SEP + (u.country ?? '');
    let byP = groups.get(g);
    if (!byP) groups.set(g, (byP = new Map()));
    let items = byP.get(u.paraphrase);
    if (!items) byP.set(u.paraphrase, (items = new Map()));
    const list = items.get(u.itemKey);
    if (list) list.push(valueOf(u, opts.measure) as number);
    else items.set(u.itemKey, [valueOf(u, opts.measure) as number]);
  }
  const allItems = [...new Set(cell.filter((u) => u.paraphrase !== null).map((u) => u.itemKey))].sort();
  allItems.forEach((k, i) => itemIds.set(k, i));
  const mean = (v: number[]): number => v.reduce((s, x) => s + x, 0) / v.length;
  // One prepared correlation per pair of paraphrases, over the items both scored.
  const pairStats: { stat: WeightedCorrelation; items: Int32Array; w: Float64Array }[] = [];
  for (const g of [...groups.keys()].sort()) {
    const byP = groups.get(g) as Map<number, Map<string, number[]>>;
    const ps = [...byP.keys()].sort((a, b) => a - b);
    for (let i = 0; i < ps.length; i++) {
      for (let j = i + 1; j < ps.length; j++) {
        const a = byP.get(ps[i]) as Map<string, number[]>;
        const b = byP.get(ps[j]) as Map<string, number[]>;
        const common = [...a.keys()].filter((k) => b.has(k)).sort();
        if (common.length < 3) continue;
        const x = common.map((k) => mean(a.get(k) as number[]));
        const y = common.map((k) => mean(b.get(k) as number[]));
        pairStats.push({
          stat: new WeightedCorrelation(x, y, 'spearman'),
          items: Int32Array.from(common.map((k) => itemIds.get(k) as number)),
          w: new Float64Array(common.length),
        });
      }
    }
  }
  const meanOver = (itemWeights: ArrayLike<number> | null): { mean: number; pairs: number } => {
    let sum = 0;
    let pairs = 0;
    for (const p of pairStats) {
      for (let i = 0; i < p.items.length; i++) p.w[i] = itemWeights ? itemWeights[p.items[i]] : 1;
      const r = p.stat.value(p.w);
      if (Number.isFinite(r)) {
        sum += r;
        pairs++;
      }
    }
    return { mean: pairs ? sum / pairs : NaN, pairs };
  };
  const full = meanOver(null);
  if (!full.pairs) return { pairs: 0, value: null };
  const reps = new Float64Array(opts.bootstrap.iterations);
  const w = new Float64Array(allItems.length);
  forEachResample(allItems.length, opts.bootstrap.iterations, opts.bootstrap.seed, (idx, b) => {
    w.fill(0);
    for (let i = 0; i < idx.length; i++) w[idx[i]]++;
    reps[b] = meanOver(w).mean;
  });
  return { pairs: full.pairs, value: { estimate: full.mean, ci: percentileInterval(reps), p: null } };
}
