// The first seed's continent view (Kim & Baek 2024): per-country alignment r averaged over the countries
// of a UN M49 region or sub-region (src/core/data/m49.ts), and alignment grouped by a model attribute
// (chat vs base, family, size). Both are plain means of rows alignmentRows() produced (docs/analyses.md §5).
import { m49Of } from '../data/m49';
import type { AlignmentMeasure, AlignmentRow, AttributeGroupRow, RegionRow } from './analysisTypes';
import { isCountryReference } from './reference';
import type { AttributeValue } from './types';

const SEP = '\u0000';

function meanOf(values: readonly (number | null | undefined)[]): number | null {
  const v = values.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  return v.length ? v.reduce((s, x) => s + x, 0) / v.length : null;
}

/**
 * The per-country rows of one model × language × measure: item level, all categories, a single-country
 * reference compared from a condition that either cues that country or has no cue (a cue X compared with
 * the US is US-bias material, not "alignment with X"). One row per country: a cue row wins over a no-cue one.
 */
export function perCountryRows(alignment: readonly AlignmentRow[]): Map<string, AlignmentRow> {
  const out = new Map<string, AlignmentRow>();
  for (const row of alignment) {
    if (row.level !== 'item' || row.category !== null || !isCountryReference(row.reference)) continue;
    if (row.country !== null && row.country !== row.reference) continue;
    const k = [row.model, row.language, row.measure, row.reference].join(SEP);
    const prev = out.get(k);
    if (!prev || (prev.country === null && row.country !== null)) out.set(k, row);
  }
  return out;
}

/** Mean of per-country Pearson r and Spearman ρ over each M49 region and sub-region with data. */
export function regionRows(
  alignment: readonly AlignmentRow[],
  schemes: readonly ('region' | 'subregion')[] = ['region', 'subregion'],
): RegionRow[] {
  const groups = new Map<string, AlignmentRow[]>();
  for (const row of perCountryRows(alignment).values()) {
    const entry = m49Of(row.reference);
    if (!entry) continue;
    for (const scheme of schemes) {
      const k = [row.model, row.language, row.measure, scheme, entry[scheme]].join(SEP);
      const list = groups.get(k);
      if (list) list.push(row);
      else groups.set(k, [row]);
    }
  }
  return [...groups.keys()].sort().map((k) => {
    const [model, language, measure, scheme, region] = k.split(SEP);
    const rows = groups.get(k) as AlignmentRow[];
    return {
      model,
      language,
      measure: measure as AlignmentMeasure,
      region,
      scheme: scheme as 'region' | 'subregion',
      countries: rows.map((r) => r.reference).sort(),
      meanPearson: meanOf(rows.map((r) => r.pearson?.estimate)),
      meanSpearman: meanOf(rows.map((r) => r.spearman?.estimate)),
    };
  });
}

/**
 * Alignment by model attribute. Each model's figure per language and measure is the mean over its
 * per-country rows (perCountryRows) when the language has any, else its pooled-language item-level row;
 * the group's figure is the mean over the models with that attribute value. Booleans, numbers and
 * strings are grouped by exact value (sizes: one group per size).
 */
export function attributeGroupRows(
  alignment: readonly AlignmentRow[],
  models: readonly { id: string; attributes: Record<string, AttributeValue> }[],
): AttributeGroupRow[] {
  const countryRows = [...perCountryRows(alignment).values()];
  const perModel = new Map<string, { pearson: number | null; spearman: number | null; basis: 'countries' | 'pooled' }>();
  const keys = new Set<string>();
  for (const r of alignment) keys.add([r.language, r.measure].join(SEP));
  for (const lm of keys) {
    const [language, measure] = lm.split(SEP);
    const inLang = countryRows.filter((r) => r.language === language && r.measure === measure);
    for (const m of models) {
      const own = inLang.filter((r) => r.model === m.id);
      let rows = own;
      let basis: 'countries' | 'pooled' = 'countries';
      if (!inLang.length) {
        basis = 'pooled';
        rows = alignment.filter(
          (r) =>
            r.model === m.id &&
            r.language === language &&
            r.measure === measure &&
            r.level === 'item' &&
            r.category === null &&
            !isCountryReference(r.reference),
        );
      }
      if (!rows.length) continue;
      perModel.set([m.id, language, measure].join(SEP), {
        pearson: meanOf(rows.map((r) => r.pearson?.estimate)),
        spearman: meanOf(rows.map((r) => r.spearman?.estimate)),
        basis,
      });
    }
  }
  const out: AttributeGroupRow[] = [];
  const attributes = [...new Set(models.flatMap((m) => Object.keys(m.attributes)))].sort();
  for (const lm of [...keys].sort()) {
    const [language, measure] = lm.split(SEP);
    for (const attribute of attributes) {
      const values = new Map<string, { value: AttributeValue; models: string[] }>();
      for (const m of models) {
        const v = m.attributes[attribute];
        if (v === undefined || !perModel.has([m.id, language, measure].join(SEP))) continue;
        const k = `${typeof v}:${String(v)}`;
        const slot = values.get(k) ?? { value: v, models: [] };
        slot.models.push(m.id);
        values.set(k, slot);
      }
      for (const k of [...values.keys()].sort()) {
        const { value, models: ids } = values.get(k) as { value: AttributeValue; models: string[] };
        const figures = ids.map((id) => perModel.get([id, language, measure].join(SEP)));
        out.push({
          attribute,
          value,
          language,
          measure: measure as AlignmentMeasure,
          basis: figures[0]?.basis ?? 'countries',
          models: ids.sort(),
          meanPearson: meanOf(figures.map((f) => f?.pearson)),
          meanSpearman: meanOf(figures.map((f) => f?.spearman)),
        });
      }
    }
  }
  return out;
}
