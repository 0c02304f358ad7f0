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
import { forEachResample, percentileInterval, WeightedCorrelation } from '../stats/bootstrap';
import { BinomialSampler } from '../stats/multinomial';
import { byModelLanguage } from './alignment';
import { orderByValue } from '../stats/order';

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
  return consistencyRowsOf(units, [opts.measure], opts.bootstrap);
}

/**
 * consistencyRows for several measures, rows in the order of `measures.flatMap(m => consistencyRows(…))`.
 * Where a cell holds the same responses under every measure (each response has both a mean and a pro
 * share), the response-pairs bootstraps of those measures are computed together (responsePairsJoint: the
 * questions are keyed once).
 */
export function consistencyRowsOf(
  units: readonly ResponseUnit[],
  measures: readonly AlignmentMeasure[],
  bootstrap: { iterations: number; seed: number },
): ConsistencyRow[] {
  const cellsOf = measures.map((measure) => byModelLanguage(units, (u) => valueOf(u, measure) !== undefined));
  // Response pairs per (measure, cell), computed jointly where the cell's responses coincide.
  const pairsOf = new Map<string, { pairs: number; value: Estimate | null }>();
  const keys = new Set(cellsOf.flatMap((cells) => [...cells.keys()]));
  for (const k of keys) {
    const groups: { cell: ResponseUnit[]; ms: number[] }[] = [];
    measures.forEach((_, m) => {
      const cell = cellsOf[m].get(k);
      if (!cell) return;
      const same = groups.find((g) => g.cell.length === cell.length && g.cell.every((u, i) => u === cell[i]));
      if (same) same.ms.push(m);
      else groups.push({ cell, ms: [m] });
    });
    for (const { cell, ms } of groups) {
      const questions = questionIds(cell);
      const results = responsePairsJoint(
        questions,
        ms.map((m) => cell.map((u) => valueOf(u, measures[m]) as number)),
        bootstrap,
      );
      ms.forEach((m, j) => pairsOf.set(`${m}${SEP}${k}`, results[j]));
    }
  }
  const rows: ConsistencyRow[] = [];
  measures.forEach((measure, m) => {
    const cells = cellsOf[m];
    for (const k of [...cells.keys()].sort()) {
      const [model, language] = k.split(SEP);
      const cell = cells.get(k) as ResponseUnit[];
      const pv = paraphraseVectors(cell, { measure, bootstrap });
      rows.push({ model, language, definition: 'paraphrase-vectors', pairs: pv.pairs, value: pv.value });
      const rp = pairsOf.get(`${m}${SEP}${k}`) as { pairs: number; value: Estimate | null };
      rows.push({ model, language, definition: 'response-pairs', pairs: rp.pairs, value: rp.value });
    }
  });
  return rows;
}

/** A "question" of the response-pairs definition: one item under one country cue. */
export const questionKey = (u: ResponseUnit): string => u.itemKey + SEP + (u.country ?? '');

/** questionKey as a number per unit (equal keys, equal numbers), without a key string per response. */
function questionIds(units: readonly ResponseUnit[]): number[] {
  const byItem = new Map<string, Map<string, number>>();
  let next = 0;
  return units.map((u) => {
    let byCountry = byItem.get(u.itemKey);
    if (!byCountry) byItem.set(u.itemKey, (byCountry = new Map()));
    // No cue and an empty cue are one question, as in questionKey.
    const country = u.country ?? '';
    let id = byCountry.get(country);
    if (id === undefined) byCountry.set(country, (id = next++));
    return id;
  });
}

// ------------------------------------------------------------------ response pairs (the paper)

/**
 * Spearman over the pooled ordered pairs of distinct rows sharing a question, in closed form: the pairs'
 * x and y have the same marginal (each row appears (m_q − 1) times on either side), so with d = rank − mean
 * rank, ρ = Σ_q [(Σᵢ dᵢ)² − Σᵢ dᵢ²] / Σ_q (m_q − 1) Σᵢ dᵢ². Under resampling weights w (row i drawn wᵢ
 * times, M_q = Σ wᵢ), ρ = Σ_q [(Σ wᵢdᵢ)² − Σ wᵢdᵢ²] / Σ_q (M_q − 1) Σ wᵢdᵢ², ranks taken with weights
 * wᵢ(M_q − 1). NaN when there is no pair or no variation.
 */
export class PooledPairsSpearman {
  /**
   * Rows with the same value and question are interchangeable (same rank, same question), so the statistic
   * runs over "cells" of such rows, in value order: a resample only needs how often each cell was drawn.
   * With repeated identical answers (temperature 0, several rounds) that is far fewer than the rows.
   */
  private readonly cellOf: Int32Array;
  private readonly cellQ: Int32Array;
  /** Rows per cell. */
  private readonly cellSize: Float64Array;
  /** Where each group of equal values ends, in cells. */
  private readonly groupEnd: Int32Array;
  private readonly q: Int32Array;
  private readonly cw: Float64Array;
  private readonly qSum: Float64Array;
  private readonly qSq: Float64Array;
  private readonly qW: Float64Array;
  readonly questions: number;

  /** @param questionOf each row's question: any key (a string, or a number already standing for one) */
  constructor(questionOf: readonly (string | number)[], values: ArrayLike<number>) {
    const ids = new Map<string | number, number>();
    const n = values.length;
    this.q = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      let id = ids.get(questionOf[i]);
      if (id === undefined) ids.set(questionOf[i], (id = ids.size));
      this.q[i] = id;
    }
    this.questions = ids.size;
    const q = this.q;
    const order = valueQuestionOrder(values, q, ids.size);
    this.cellOf = new Int32Array(n);
    const cellQ: number[] = [];
    const ends: number[] = [];
    for (let k = 0; k < n; k++) {
      const i = order[k];
      const prev = k > 0 ? order[k - 1] : -1;
      const sameValue = prev >= 0 && values[prev] === values[i];
      if (!sameValue || q[prev] !== q[i]) {
        if (prev >= 0 && !sameValue) ends.push(cellQ.length);
        cellQ.push(q[i]);
      }
      this.cellOf[i] = cellQ.length - 1;
    }
    if (n) ends.push(cellQ.length);
    this.cellQ = Int32Array.from(cellQ);
    this.cellSize = new Float64Array(cellQ.length);
    for (let i = 0; i < n; i++) this.cellSize[this.cellOf[i]]++;
    this.groupEnd = Int32Array.from(ends);
    this.cw = new Float64Array(cellQ.length);
    this.qSum = new Float64Array(ids.size);
    this.qSq = new Float64Array(ids.size);
    this.qW = new Float64Array(ids.size);
  }

  /** Rows in the sample; cells (distinct value × question). */
  get rows(): number {
    return this.cellOf.length;
  }

  get cells(): number {
    return this.cw.length;
  }

  /** Each row's cell. */
  get rowCells(): Int32Array {
    return this.cellOf;
  }

  /** Rows per cell, in cell order: a resample of the rows is Multinomial(rows; cellSizes / rows) over cells. */
  get cellSizes(): Float64Array {
    return this.cellSize;
  }

  /** Ordered pairs of distinct rows under weights w. */
  pairs(w: ArrayLike<number>): number {
    this.qW.fill(0);
    for (let i = 0; i < w.length; i++) this.qW[this.q[i]] += w[i];
    let n = 0;
    for (let g = 0; g < this.qW.length; g++) n += this.qW[g] * (this.qW[g] - 1);
    return n;
  }

  /** ρ (not yet divided by the reliability) under row weights w (row i drawn w[i] times). */
  value(w: ArrayLike<number>): number {
    const cw = this.cw;
    cw.fill(0);
    for (let i = 0; i < w.length; i++) cw[this.cellOf[i]] += w[i];
    return this.valueOfCells(cw);
  }

  /**
   * ρ when cell c was drawn cw[c] times. O(cells), no allocation: one sweep over the groups of equal values,
   * where rank − mean rank is cum + c/2 − N/2 (rank weight of a draw: M_q − 1).
   */
  valueOfCells(cw: ArrayLike<number>): number {
    const { cellQ, qW, qSum, qSq, groupEnd } = this;
    qW.fill(0);
    for (let c = 0; c < cellQ.length; c++) qW[cellQ[c]] += cw[c];
    let N = 0;
    for (let g = 0; g < qW.length; g++) N += qW[g] * (qW[g] - 1);
    if (N <= 0) return NaN;
    qSum.fill(0);
    qSq.fill(0);
    let cum = 0;
    let start = 0;
    for (let g = 0; g < groupEnd.length; g++) {
      const end = groupEnd[g];
      let t = 0;
      for (let c = start; c < end; c++) if (cw[c] !== 0) t += cw[c] * Math.max(0, qW[cellQ[c]] - 1);
      if (t > 0) {
        const d = cum + t / 2 - N / 2;
        for (let c = start; c < end; c++) {
          const v = cw[c];
          if (v === 0 || !(qW[cellQ[c]] > 1)) continue;
          qSum[cellQ[c]] += v * d;
          qSq[cellQ[c]] += v * d * d;
        }
        cum += t;
      }
      start = end;
    }
    let num = 0;
    let den = 0;
    for (let g = 0; g < qW.length; g++) {
      if (qW[g] < 2) continue;
      num += qSum[g] * qSum[g] - qSq[g];
      den += (qW[g] - 1) * qSq[g];
    }
    if (den === 0) return NaN;
    return Math.max(-1, Math.min(1, num / den));
  }
}

/**
 * Rows by value, then question, then row: a counting sort by question (ids are 0 … questions − 1), then
 * orderByValue of that sequence (stable, so ties keep question-then-row order). Falls back to a sort.
 */
function valueQuestionOrder(values: ArrayLike<number>, q: Int32Array, questions: number): Int32Array {
  const n = values.length;
  const start = new Int32Array(questions + 1);
  for (let i = 0; i < n; i++) start[q[i] + 1]++;
  for (let g = 0; g < questions; g++) start[g + 1] += start[g];
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[start[q[i]]++] = i;
  const permuted = new Float64Array(n);
  for (let j = 0; j < n; j++) permuted[j] = values[perm[j]];
  const byValue = orderByValue(permuted);
  if (byValue) {
    for (let k = 0; k < n; k++) byValue[k] = perm[byValue[k]];
    return byValue;
  }
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return order.sort((a, b) => values[a] - values[b] || q[a] - q[b] || a - b);
}

/** The paper's consistency of one model × language: ρ over pooled response pairs ÷ 0.955, with its CI. */
export function responsePairs(
  questionOf: readonly (string | number)[],
  values: readonly number[],
  bootstrap: { iterations: number; seed: number },
): { pairs: number; value: Estimate | null } {
  return responsePairsJoint(questionOf, [values], bootstrap)[0];
}

/** responsePairs of several value columns over the same rows (the same resamples for each). */
export function responsePairsJoint(
  questionOf: readonly (string | number)[],
  columns: readonly (readonly number[])[],
  bootstrap: { iterations: number; seed: number },
): { pairs: number; value: Estimate | null }[] {
  const n = questionOf.length;
  const ones = new Float64Array(n).fill(1);
  const stats = columns.map((values) => new PooledPairsSpearman(questionOf, values));
  const out = stats.map((stat) => ({ pairs: stat.pairs(ones), rho: stat.value(ones) }));
  const live = stats.map((_, j) => j).filter((j) => Number.isFinite(out[j].rho));
  // Each column draws from its own stream of the same seed: a measure's interval does not depend on which
  // other measures are analysed with it.
  const reps = live.map((j) => responsePairsReplicates(stats[j], bootstrap));
  // p: none — the pairs are not independent, and "consistency ≠ 0" is not a question anyone asks.
  return out.map(({ pairs, rho }, j) => {
    const t = live.indexOf(j);
    return t < 0
      ? { pairs, value: null }
      : { pairs, value: { estimate: rho / RESPONSE_PAIRS_RELIABILITY, ci: percentileInterval(reps[t]), p: null } };
  });
}

/**
 * The bootstrap replicates of ρ ÷ 0.955 with the responses resampled. A resample of the n responses counted
 * by cell is Multinomial(n; cell sizes / n): drawn as one binomial per cell (stats/multinomial.ts), O(cells)
 * per replicate instead of n draws — the same resampling distribution (docs/analyses.md §7.6).
 */
export function responsePairsReplicates(stat: PooledPairsSpearman, bootstrap: { iterations: number; seed: number }): Float64Array {
  const reps = new Float64Array(bootstrap.iterations);
  const cw = new Float64Array(stat.cells);
  const sampler = new BinomialSampler(bootstrap.seed);
  for (let b = 0; b < bootstrap.iterations; b++) {
    sampler.multinomialInto(cw, stat.cellSizes, stat.rows);
    reps[b] = stat.valueOfCells(cw) / RESPONSE_PAIRS_RELIABILITY;
  }
  return reps;
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
