// Alignment of a study's responses with human data (docs/analyses.md §4): per model × language × country
// cue × reference × measure, at item level (the model's mean per item over all its responses vs the
// human value — the first seed's r) and at response level (each response vs its item's human value — the
// second seed's headline ρ), overall and per category.
import type { ResponseUnit } from '../corpus/types';
import { correlationEstimate } from '../stats/bootstrap';
import type { AlignmentLevel, AlignmentMeasure, AlignmentRow, Estimate } from './analysisTypes';
import { resolveReferences, type ReferenceLookup } from './reference';
import type { ReferenceSpec } from './types';

export interface AlignmentOptions {
  levels: readonly AlignmentLevel[];
  measures: readonly AlignmentMeasure[];
  references: readonly ReferenceSpec[];
  languageCountries: Record<string, string[]>;
  /** Seeded bootstrap (0 iterations: point estimates and t-test p only, ci null). */
  bootstrap: { iterations: number; seed: number };
  /** Rows per category as well as over all categories (default true). */
  perCategory?: boolean;
}

/** One compared pair: a model value (an item mean or one response) and the human value of its item. */
export interface AlignmentPair {
  itemId: string;
  itemKey: string;
  category: string;
  model: number;
  human: number;
  /** Responses behind the model value (1 at response level). */
  responses: number;
}

const SEP = '\u0000';

/** The unit's value of a measure (undefined when the unit has none, e.g. a stance result's mean). */
export function unitValue(unit: ResponseUnit, measure: AlignmentMeasure): number | undefined {
  const v = measure === 'mean' ? unit.mean : unit.pro;
  return v !== undefined && Number.isFinite(v) ? v : undefined;
}

/**
 * The pairs one correlation is computed over. Item level: per item id, the mean of the measure over the
 * condition's responses that have it, paired with the human value of the item's key; response level: one
 * pair per response. Items without a human value under `reference` are left out (n counts pairs only).
 * Order: by item id, then input order — stable, so bootstrap resamples are reproducible.
 */
export function alignmentPairs(
  units: readonly ResponseUnit[],
  lookup: ReferenceLookup,
  reference: string,
  measure: AlignmentMeasure,
  level: AlignmentLevel,
): AlignmentPair[] {
  const out: AlignmentPair[] = [];
  for (const { itemId, unit, values } of itemValues(units, measure)) {
    const human = lookup(reference, unit.itemKey, measure);
    if (human === undefined || !Number.isFinite(human)) continue;
    const base = { itemId, itemKey: unit.itemKey, category: unit.category, human };
    if (level === 'item') out.push({ ...base, model: itemMean(values), responses: values.length });
    else for (const v of values) out.push({ ...base, model: v, responses: 1 });
  }
  return out;
}

interface ItemValues {
  itemId: string;
  /** The item's first unit (its key and category). */
  unit: ResponseUnit;
  values: number[];
}

/** The measure's values per item id, ids sorted, values in input order: alignmentPairs' grouping. */
function itemValues(units: readonly ResponseUnit[], measure: AlignmentMeasure): ItemValues[] {
  const byItem = new Map<string, { unit: ResponseUnit; values: number[] }>();
  for (const u of units) {
    const v = unitValue(u, measure);
    if (v === undefined) continue;
    const slot = byItem.get(u.itemId);
    if (slot) slot.values.push(v);
    else byItem.set(u.itemId, { unit: u, values: [v] });
  }
  return [...byItem.keys()].sort().map((itemId) => ({ itemId, ...(byItem.get(itemId) as { unit: ResponseUnit; values: number[] }) }));
}

const itemMean = (values: readonly number[]): number => values.reduce((s, v) => s + v, 0) / values.length;

/** Pearson and Spearman of the pairs' columns with the seeded bootstrap (over items at response level). */
function columnEstimates(
  { x, y, clusters }: { x: number[]; y: number[]; clusters: string[] },
  level: AlignmentLevel,
  bootstrap: { iterations: number; seed: number },
): { pearson: Estimate | null; spearman: Estimate | null } {
  // Responses to one item share its human value: resample items (clusters), not responses, so the CI
  // does not treat 10 responses to one question as 10 independent observations.
  const opts = { ...bootstrap, ...(level === 'response' ? { clusters } : {}) };
  return { pearson: correlationEstimate(x, y, 'pearson', opts), spearman: correlationEstimate(x, y, 'spearman', opts) };
}

/** Units grouped per condition (study model id × language × country cue), keys sorted. */
export function conditions(
  units: readonly ResponseUnit[],
): { model: string; language: string; country: string | null; units: ResponseUnit[] }[] {
  // Found through nested maps (no key string per unit); ordered by the joined key, as before.
  const groups = new Map<string, Map<string, Map<string, ResponseUnit[]>>>();
  const keyed: { key: string; units: ResponseUnit[] }[] = [];
  for (const u of units) {
    let byLanguage = groups.get(u.modelId);
    if (!byLanguage) groups.set(u.modelId, (byLanguage = new Map()));
    let byCountry = byLanguage.get(u.language);
    if (!byCountry) byLanguage.set(u.language, (byCountry = new Map()));
    const country = u.country ?? '';
    let list = byCountry.get(country);
    if (!list) {
      byCountry.set(country, (list = []));
      keyed.push({ key: [u.modelId, u.language, country].join(SEP), units: list });
    }
    list.push(u);
  }
  return keyed
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map(({ key, units: list }) => {
      const [model, language, country] = key.split(SEP);
      return { model, language, country: country || null, units: list };
    });
}

/**
 * Units per model × language, keyed `modelId \0 language` in order of first occurrence (as a Map filled with
 * those keys would be), found through nested maps: no key string per unit.
 */
export function byModelLanguage(units: readonly ResponseUnit[], keep: (u: ResponseUnit) => boolean): Map<string, ResponseUnit[]> {
  const out = new Map<string, ResponseUnit[]>();
  const nested = new Map<string, Map<string, ResponseUnit[]>>();
  for (const u of units) {
    if (!keep(u)) continue;
    let byLanguage = nested.get(u.modelId);
    if (!byLanguage) nested.set(u.modelId, (byLanguage = new Map()));
    let list = byLanguage.get(u.language);
    if (!list) {
      byLanguage.set(u.language, (list = []));
      out.set(u.modelId + SEP + u.language, list);
    }
    list.push(u);
  }
  return out;
}

/** Every alignment row of the study's grid; rows with no comparable pair are not emitted. */
export function alignmentRows(units: readonly ResponseUnit[], lookup: ReferenceLookup, opts: AlignmentOptions): AlignmentRow[] {
  const rows: AlignmentRow[] = [];
  for (const cond of conditions(units)) {
    const refs = resolveReferences(opts.references, cond.language, cond.country, opts.languageCountries);
    // Units without a category (imports of items the study does not list) get no per-category rows.
    const categories = opts.perCategory === false ? [] : [...new Set(cond.units.map((u) => u.category))].filter((c) => c !== '').sort();
    // The pairs of alignmentPairs as columns, grouped once per measure for every reference and level (no
    // object per response: at a million responses those objects were most of the garbage collector's work).
    const grouped = new Map(opts.measures.map((m) => [m, itemValues(cond.units, m)]));
    for (const reference of refs) {
      for (const measure of opts.measures) {
        const items: { group: ItemValues; human: number }[] = [];
        for (const group of grouped.get(measure) as ItemValues[]) {
          const human = lookup(reference, group.unit.itemKey, measure);
          if (human !== undefined && Number.isFinite(human)) items.push({ group, human });
        }
        if (!items.length) continue;
        for (const level of opts.levels) {
          const head = { model: cond.model, language: cond.language, country: cond.country, reference, level, measure };
          const columns = (category: string | null): { x: number[]; y: number[]; clusters: string[] } => {
            const x: number[] = [];
            const y: number[] = [];
            const clusters: string[] = [];
            for (const { group, human } of items) {
              if (category !== null && group.unit.category !== category) continue;
              if (level === 'item') {
                x.push(itemMean(group.values));
                y.push(human);
              } else {
                for (const v of group.values) {
                  x.push(v);
                  y.push(human);
                  clusters.push(group.itemId);
                }
              }
            }
            return { x, y, clusters };
          };
          const all = columns(null);
          rows.push({ ...head, category: null, n: all.x.length, ...columnEstimates(all, level, opts.bootstrap) });
          for (const category of categories) {
            const sub = columns(category);
            if (sub.x.length) rows.push({ ...head, category, n: sub.x.length, ...columnEstimates(sub, level, opts.bootstrap) });
          }
        }
      }
    }
  }
  return rows;
}
