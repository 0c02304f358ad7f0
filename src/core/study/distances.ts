// Distribution distances per item between the model's option distribution and the human one
// (docs/analyses.md §2): Jensen–Shannon divergence (Durmus et al. 2023, GlobalOpinionQA) and the ordinal
// Wasserstein distance normalised by its maximum (Santurkar et al. 2023, OpinionQA), each with the
// baseline of a model that answers uniformly at random over the scale.
import type { ResponseUnit } from '../corpus/types';
import { jensenShannon, ordinalWasserstein } from '../stats/distance';
import type { DistanceRow } from './analysisTypes';
import { conditions } from './alignment';
import { resolveReferences, type HumanLookup, type ItemScale } from './reference';
import type { ReferenceSpec } from './types';

export interface DistanceOptions {
  references: readonly ReferenceSpec[];
  languageCountries: Record<string, string[]>;
  /** Item key → scale: Wasserstein positions and the uniform baseline span min..max (else the codes seen). */
  scales?: Record<string, ItemScale>;
}

/** A distribution renormalised over its non-negative codes with positive mass (null: no such mass). */
type Normalised = { codes: string[]; shares: number[] } | null;

function normalise(probabilities: Record<string, number>): Normalised {
  let total = 0;
  for (const k in probabilities) if (Number(k) >= 0 && probabilities[k] > 0) total += probabilities[k];
  if (!(total > 0)) return null;
  const codes: string[] = [];
  const shares: number[] = [];
  for (const k in probabilities) {
    if (Number(k) >= 0 && probabilities[k] > 0) {
      codes.push(k);
      shares.push(probabilities[k] / total);
    }
  }
  return { codes, shares };
}

/**
 * Mean of the responses' option distributions (each renormalised over non-negative codes). `cache` holds
 * each distribution object's renormalised form: units share identical distributions (corpus/intern.ts), so
 * at a million responses a few thousand are computed instead of one per response.
 */
export function meanDistribution(
  units: readonly ResponseUnit[],
  cache = new Map<Record<string, number>, Normalised>(),
): Record<string, number> | undefined {
  const sum: Record<string, number> = {};
  let n = 0;
  for (const u of units) {
    if (!u.probabilities) continue;
    let e = cache.get(u.probabilities);
    if (e === undefined) cache.set(u.probabilities, (e = normalise(u.probabilities)));
    if (!e) continue;
    for (let i = 0; i < e.codes.length; i++) sum[e.codes[i]] = (sum[e.codes[i]] ?? 0) + e.shares[i];
    n++;
  }
  if (!n) return undefined;
  for (const k of Object.keys(sum)) sum[k] /= n;
  return sum;
}

/** Uniform distribution over the scale's codes, or over the codes either side has when no scale is known. */
export function uniformOver(scale: ItemScale | undefined, ...seen: Record<string, number>[]): Record<string, number> {
  const codes: number[] = [];
  if (scale) for (let c = scale.min; c <= scale.max; c++) codes.push(c);
  else codes.push(...new Set(seen.flatMap((d) => Object.keys(d).map(Number))));
  return Object.fromEntries(codes.map((c) => [String(c), 1 / codes.length]));
}

/** One row per condition × reference × item where both the model and the human side have a distribution. */
export function distanceRows(units: readonly ResponseUnit[], human: HumanLookup, opts: DistanceOptions): DistanceRow[] {
  const scales = new Map(Object.entries(opts.scales ?? {}).map(([k, s]) => [k.toUpperCase(), s]));
  const rows: DistanceRow[] = [];
  const normalised = new Map<Record<string, number>, Normalised>();
  for (const cond of conditions(units)) {
    const byItem = new Map<string, ResponseUnit[]>();
    for (const u of cond.units) {
      const list = byItem.get(u.itemId);
      if (list) list.push(u);
      else byItem.set(u.itemId, [u]);
    }
    // The model side of an item does not depend on the reference: one mean per item.
    const means = new Map<string, Record<string, number> | undefined>();
    for (const reference of resolveReferences(opts.references, cond.language, cond.country, opts.languageCountries)) {
      for (const itemId of [...byItem.keys()].sort()) {
        const list = byItem.get(itemId) as ResponseUnit[];
        if (!means.has(itemId)) means.set(itemId, meanDistribution(list, normalised));
        const model = means.get(itemId);
        const h = human.distribution(reference, list[0].itemKey);
        if (!model || !h) continue;
        const scale = scales.get(list[0].itemKey.toUpperCase());
        const uniform = uniformOver(scale, model, h);
        rows.push({
          model: cond.model,
          language: cond.language,
          reference,
          country: cond.country,
          itemId,
          jsd: jensenShannon(model, h),
          wasserstein: ordinalWasserstein(model, h, scale),
          uniformJsd: jensenShannon(uniform, h),
          uniformWasserstein: ordinalWasserstein(uniform, h, scale),
        });
      }
    }
  }
  return rows;
}
