// Human reference lookup for study analyses: one place that turns a reference name ('DK', 'pooled:da',
// 'global') and an item key into the human value an analysis compares with. Consistency, US bias and
// alignment all read human data through this, so they cannot disagree on which row counts.
import type { HumanReference, HumanRow } from '../data/types';
import { proShare } from '../stats/share';
import type { AlignmentMeasure } from './analysisTypes';
import type { ReferenceSpec } from './types';

/** Human value of one item under one reference: the mean on the item's code scale, or the pro share. */
export type ReferenceLookup = (reference: string, itemKey: string, measure: AlignmentMeasure) => number | undefined;

/** What pro shares and distances need to know of an item's scale (keyed by item key). */
export interface ItemScale {
  min: number;
  max: number;
  reversed: boolean;
}

export interface HumanLookup {
  value: ReferenceLookup;
  /** The human option distribution (non-negative codes, summing to 1), when the data has one. */
  distribution(reference: string, itemKey: string): Record<string, number> | undefined;
  /** Reference names the data can answer, sorted ('AU', …, 'pooled:da', …, 'global'). */
  references(): string[];
}

const POOLED = 'pooled:';

/** The reference name of a language's pooled rows (rows with no country and that interview language). */
export function pooledReference(language: string): string {
  return `${POOLED}${language.toLowerCase()}`;
}

/** Normalises a reference name: country codes upper case, 'pooled:<lang>' and 'global' lower case. */
export function normaliseReference(reference: string): string {
  const r = reference.trim();
  if (r.toLowerCase().startsWith(POOLED)) return pooledReference(r.slice(POOLED.length));
  if (r.toLowerCase() === 'global') return 'global';
  return r.toUpperCase();
}

/** Which reference a row answers: its country; a country-less row is pooled per language, else global. */
function referenceOfRow(row: HumanRow): string {
  if (row.country) return row.country.toUpperCase();
  return row.language ? pooledReference(row.language) : 'global';
}

function distributionMean(d: Record<string, number>): number | undefined {
  let total = 0;
  let sum = 0;
  for (const [k, p] of Object.entries(d)) {
    const code = Number(k);
    if (Number.isFinite(code) && code >= 0 && p > 0) {
      total += p;
      sum += code * p;
    }
  }
  return total > 0 ? sum / total : undefined;
}

/**
 * Index over human rows by (reference, item key), both case-insensitive. Where a country has several
 * rows for one key (per interview language as well as overall), the row without a language wins, else
 * the first in file order. Pro shares come from the row's share, else from its distribution through the
 * second seed's pro rule (src/core/stats/share.ts), which needs the item's scale.
 */
export function humanLookup(human: HumanReference, options: { scales?: Record<string, ItemScale> } = {}): HumanLookup {
  const rows = new Map<string, HumanRow>();
  const refs = new Set<string>();
  for (const row of human.rows) {
    const ref = referenceOfRow(row);
    const k = `${ref}\u0000${row.key.toUpperCase()}`;
    const prev = rows.get(k);
    if (!prev || (prev.language !== undefined && row.language === undefined && row.country)) rows.set(k, row);
    refs.add(ref);
  }
  const scales = new Map(Object.entries(options.scales ?? {}).map(([k, s]) => [k.toUpperCase(), s]));
  const find = (reference: string, itemKey: string): HumanRow | undefined =>
    rows.get(`${normaliseReference(reference)}\u0000${itemKey.toUpperCase()}`);
  const value: ReferenceLookup = (reference, itemKey, measure) => {
    const row = find(reference, itemKey);
    if (!row) return undefined;
    if (measure === 'mean') {
      const m = row.mean ?? (row.distribution ? distributionMean(row.distribution) : undefined);
      return m !== undefined && Number.isFinite(m) ? m : undefined;
    }
    if (row.share !== undefined) return Number.isFinite(row.share) ? row.share : undefined;
    const scale = scales.get(itemKey.toUpperCase());
    if (!row.distribution || !scale) return undefined;
    const s = proShare(row.distribution, scale.max, scale.reversed);
    return Number.isFinite(s) ? s : undefined;
  };
  const order = (r: string): number => (r === 'global' ? 2 : r.startsWith(POOLED) ? 1 : 0);
  return {
    value,
    distribution(reference, itemKey) {
      const d = find(reference, itemKey)?.distribution;
      if (!d) return undefined;
      const out: Record<string, number> = {};
      for (const [k, p] of Object.entries(d)) if (Number(k) >= 0 && p > 0) out[k] = p;
      return Object.keys(out).length ? out : undefined;
    },
    references: () => [...refs].sort((a, b) => order(a) - order(b) || (a < b ? -1 : a > b ? 1 : 0)),
  };
}

/** The plain lookup function (what consistency and US bias take). */
export function referenceLookup(human: HumanReference, options: { scales?: Record<string, ItemScale> } = {}): ReferenceLookup {
  return humanLookup(human, options).value;
}

/**
 * The references one condition (prompt language, country cue) is compared with, from the study's
 * analysis.references: 'cue' → the cue's country (none without a cue); 'language' → each country the
 * language maps to; 'pooled' → 'pooled:<lang>'; any other name as given. Duplicates removed, order kept.
 */
export function resolveReferences(
  specs: readonly ReferenceSpec[],
  language: string,
  country: string | null,
  languageCountries: Record<string, string[]>,
): string[] {
  const out: string[] = [];
  for (const spec of specs) {
    if (spec === 'cue') {
      if (country) out.push(country.toUpperCase());
    } else if (spec === 'language') out.push(...(languageCountries[language] ?? []).map((c) => c.toUpperCase()));
    else if (spec === 'pooled') out.push(pooledReference(language));
    else out.push(normaliseReference(spec));
  }
  return [...new Set(out)];
}

/** Whether a reference name is a single country (not pooled, not global). */
export function isCountryReference(reference: string): boolean {
  return !reference.startsWith(POOLED) && reference !== 'global';
}
