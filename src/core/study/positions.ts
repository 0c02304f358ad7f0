// Option order as a factor: every record is already de-permuted (probabilities keyed by code, `optionOrder`
// says what was shown where). Two figures come from that:
//  - the order-averaged distribution of a condition: the mean over its orders of the per-code probabilities
//    (a condition = item × language × country × template × paraphrase × model × round);
//  - position bias per model × language (× scale size K): the probability on each display position, averaged
//    over every response shown in more than one order, against the uniform 1/K a position-blind model gives.
//    Models favour positions (Dominguez-Olmedo et al. 2023, arXiv 2306.07951; Rupprecht et al. 2025,
//    arXiv 2507.07188 report a last-option preference on WVS items). The CI resamples items (percentile
//    bootstrap, src/core/stats/bootstrap.ts), since responses to one item share its content.

import type { ResponseUnit } from '../corpus/types';
import { forEachResample, percentileInterval } from '../stats/bootstrap';
import type { Estimate, OrderAveragedRow, PositionBiasRow } from './analysisTypes';

/** The condition without its order: what averaging over orders groups by. */
function conditionWithoutOrder(u: ResponseUnit): string {
  return `${u.itemId}\u0001${u.language}\u0001${u.country ?? ''}\u0001${u.template}\u0001${u.paraphrase ?? ''}\u0001${u.modelId}\u0001${u.round}`;
}

/**
 * The units whose condition may have been shown in two or more orders. A condition's orders are among its
 * item × language × model's, so where those have a single order (every unshuffled study) the per-condition
 * key — one string per response, most conditions holding one response — is never built.
 */
function maybeMultiOrder(units: readonly ResponseUnit[]): ResponseUnit[] {
  // One order in the whole selection (selection shares one string per order): nothing to compare.
  let single = true;
  for (let i = 1; i < units.length && single; i++) if (units[i].order !== units[0].order) single = false;
  if (single) return [];
  const coarse = new Map<string, string | null>();
  const keyOf = (u: ResponseUnit): string => `${u.itemId}\u0001${u.language}\u0001${u.modelId}`;
  for (const u of units) {
    const key = keyOf(u);
    const seen = coarse.get(key);
    if (seen === undefined) coarse.set(key, u.order);
    else if (seen !== null && seen !== u.order) coarse.set(key, null);
  }
  let any = false;
  for (const v of coarse.values()) if (v === null) any = true;
  return any ? units.filter((u) => coarse.get(keyOf(u)) === null) : [];
}

/**
 * One row per condition seen in two or more orders: the mean of the orders' distributions (per code) and
 * of their mean scores (the mean of a mixture is the mixture of the means). Conditions in one order only
 * are left out: their "average" is the record itself.
 */
export function orderAveragedRows(all: readonly ResponseUnit[]): OrderAveragedRow[] {
  const groups = new Map<string, ResponseUnit[]>();
  for (const u of maybeMultiOrder(all)) {
    if (!u.probabilities) continue;
    const key = conditionWithoutOrder(u);
    const list = groups.get(key);
    if (list) list.push(u);
    else groups.set(key, [u]);
  }
  const rows: OrderAveragedRow[] = [];
  for (const list of groups.values()) {
    const orders = [...new Set(list.map((u) => u.order))];
    if (orders.length < 2) continue;
    const probabilities: Record<string, number> = {};
    for (const u of list)
      for (const [code, p] of Object.entries(u.probabilities ?? {})) probabilities[code] = (probabilities[code] ?? 0) + p / list.length;
    const means = list.map((u) => u.mean).filter((m): m is number => m !== undefined && Number.isFinite(m));
    const u = list[0];
    rows.push({
      model: u.modelId,
      language: u.language,
      country: u.country,
      template: u.template,
      paraphrase: u.paraphrase,
      itemId: u.itemId,
      round: u.round,
      orders: orders.sort(),
      responses: list.length,
      probabilities,
      mean: means.length === list.length ? means.reduce((a, b) => a + b, 0) / means.length : null,
    });
  }
  return rows;
}

export interface PositionBiasOptions {
  bootstrap: { iterations: number; seed: number };
}

/**
 * Position shares per model × language × K over the responses whose condition was shown in two or more
 * orders: share_j = mean over responses of p(code shown at position j). Also ½ Σ_j |share_j − 1/K| (total
 * variation from uniform: 0 = position-blind, 1 − 1/K = always the same position).
 */
export function positionBiasRows(all: readonly ResponseUnit[], options: PositionBiasOptions): PositionBiasRow[] {
  const units = maybeMultiOrder(all);
  const multiOrder = new Map<string, Set<string>>();
  for (const u of units) {
    if (!u.probabilities || !u.optionOrder?.length) continue;
    const key = conditionWithoutOrder(u);
    const set = multiOrder.get(key) ?? new Set<string>();
    set.add(u.order);
    multiOrder.set(key, set);
  }
  const groups = new Map<
    string,
    { model: string; language: string; k: number; orders: Set<string>; byItem: Map<string, { sums: number[]; n: number }>; n: number }
  >();
  for (const u of units) {
    const order = u.optionOrder;
    if (!u.probabilities || !order?.length || (multiOrder.get(conditionWithoutOrder(u))?.size ?? 0) < 2) continue;
    const k = order.length;
    const key = `${u.modelId}\u0001${u.language}\u0001${k}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { model: u.modelId, language: u.language, k, orders: new Set(), byItem: new Map(), n: 0 }));
    g.orders.add(u.order);
    let item = g.byItem.get(u.itemId);
    if (!item) g.byItem.set(u.itemId, (item = { sums: new Array<number>(k).fill(0), n: 0 }));
    for (let j = 0; j < k; j++) item.sums[j] += u.probabilities[String(order[j])] ?? 0;
    item.n++;
    g.n++;
  }
  const rows: PositionBiasRow[] = [];
  for (const g of groups.values()) {
    const items = [...g.byItem.keys()].sort();
    const cells = items.map((id) => g.byItem.get(id)!);
    const uniform = 1 / g.k;
    const sharesOf = (weight: (c: number) => number): number[] => {
      const sums = new Array<number>(g.k).fill(0);
      let n = 0;
      cells.forEach((cell, c) => {
        const w = weight(c);
        if (!w) return;
        for (let j = 0; j < g.k; j++) sums[j] += w * cell.sums[j];
        n += w * cell.n;
      });
      return sums.map((s) => (n > 0 ? s / n : NaN));
    };
    const tv = (shares: number[]): number => shares.reduce((a, s) => a + Math.abs(s - uniform), 0) / 2;
    const point = sharesOf(() => 1);
    const reps: number[][] = Array.from({ length: g.k + 1 }, () => []);
    if (cells.length >= 2 && options.bootstrap.iterations > 0) {
      const weights = new Float64Array(cells.length);
      forEachResample(cells.length, options.bootstrap.iterations, options.bootstrap.seed, (idx) => {
        weights.fill(0);
        for (const i of idx) weights[i]++;
        const shares = sharesOf((c) => weights[c]);
        shares.forEach((s, j) => reps[j].push(s));
        reps[g.k].push(tv(shares));
      });
    }
    const estimate = (value: number, replicates: number[]): Estimate => ({
      estimate: value,
      ci: replicates.length ? percentileInterval(replicates) : null,
      p: null,
    });
    rows.push({
      model: g.model,
      language: g.language,
      k: g.k,
      orders: [...g.orders].sort(),
      responses: g.n,
      items: cells.length,
      uniform,
      positions: point.map((share, j) => ({ position: j + 1, share: estimate(share, reps[j]), excess: share - uniform })),
      totalVariation: estimate(tv(point), reps[g.k]),
    });
  }
  return rows.sort((a, b) =>
    a.model < b.model ? -1 : a.model > b.model ? 1 : a.language < b.language ? -1 : a.language > b.language ? 1 : a.k - b.k,
  );
}
