// Paired differences of alignment between two languages, two references or two models, everything else
// fixed (docs/analyses.md §7.3): r(a) − r(b) on the items both sides cover, with a seeded bootstrap that
// draws items jointly for both sides (responses stay with their item), so the shared item sample is not
// counted as noise. p is the bootstrap's two-sided p; Holm and BH adjust it across the grid of contrasts.
import type { ResponseUnit } from '../corpus/types';
import { adjustBH, adjustHolm } from '../stats/adjust';
import { pairedDifference } from '../stats/bootstrap';
import { alignmentPairs, conditions } from './alignment';
import type { AlignmentLevel, AlignmentMeasure, AlignmentRow, ContrastRow, Estimate, TestGrid } from './analysisTypes';
import { resolveReferences, type ReferenceLookup } from './reference';
import type { ReferenceSpec } from './types';

export type AdjustMethod = 'holm' | 'BH';
export type ContrastFactor = ContrastRow['factor'];

/** The pairs behind one alignment figure, named by its row's fields: one entry per compared pair, with the item it belongs to. */
export interface AlignmentSample extends Pick<AlignmentRow, 'model' | 'language' | 'country' | 'reference' | 'level' | 'measure'> {
  items: readonly string[];
  x: readonly number[];
  y: readonly number[];
}

export interface ContrastSpec {
  factor: ContrastFactor;
  a: string;
  b: string;
}

export interface ContrastOptions {
  bootstrap: { iterations: number; seed: number };
  statistics?: readonly ('pearson' | 'spearman')[];
  adjust?: readonly AdjustMethod[];
  /** Name of the test grid (default 'contrasts'). */
  grid?: string;
}

/**
 * Holm and Benjamini–Hochberg across one grid: every Estimate with a p counts as one test; pHolm / pBH are
 * written into the Estimates (null where p is null). Returns the grid's description with its test count.
 */
export function adjustGrid(
  estimates: readonly (Estimate | null | undefined)[],
  grid: string,
  adjust: readonly AdjustMethod[] = ['holm', 'BH'],
): TestGrid {
  const list = estimates.filter((e): e is Estimate => !!e);
  const p = list.map((e) => (e.p !== null && Number.isFinite(e.p) ? e.p : null));
  if (adjust.includes('holm')) adjustHolm(p).forEach((v, i) => (list[i].pHolm = v));
  if (adjust.includes('BH')) adjustBH(p).forEach((v, i) => (list[i].pBH = v));
  return { grid, tests: p.filter((v) => v !== null).length, adjust: [...adjust] };
}

/** Every pair (a, b), a before b in the given order, of one factor's values. */
export function contrastSpecs(factor: ContrastFactor, values: readonly string[]): ContrastSpec[] {
  const out: ContrastSpec[] = [];
  for (let i = 0; i < values.length; i++) for (let j = i + 1; j < values.length; j++) out.push({ factor, a: values[i], b: values[j] });
  return out;
}

/** The alignment samples of a study grid, from the same pairs alignment rows are computed on. */
export function alignmentSamples(
  units: readonly ResponseUnit[],
  lookup: ReferenceLookup,
  opts: {
    levels: readonly AlignmentLevel[];
    measures: readonly AlignmentMeasure[];
    references: readonly ReferenceSpec[];
    languageCountries: Record<string, string[]>;
  },
): AlignmentSample[] {
  const out: AlignmentSample[] = [];
  for (const cond of conditions(units)) {
    for (const reference of resolveReferences(opts.references, cond.language, cond.country, opts.languageCountries)) {
      for (const measure of opts.measures) {
        for (const level of opts.levels) {
          const pairs = alignmentPairs(cond.units, lookup, reference, measure, level);
          if (!pairs.length) continue;
          out.push({
            model: cond.model,
            language: cond.language,
            country: cond.country,
            reference,
            level,
            measure,
            items: pairs.map((p) => p.itemId),
            x: pairs.map((p) => p.model),
            y: pairs.map((p) => p.human),
          });
        }
      }
    }
  }
  return out;
}

/** 'pooled:<lang>' compares across languages as 'pooled'; other references by name. */
const referenceClass = (r: string): string => {
  const l = r.toLowerCase();
  return l === 'pooled' || l.startsWith('pooled:') ? 'pooled' : l === 'global' ? 'global' : r.toUpperCase();
};
const levelOf = (s: AlignmentSample, f: ContrastFactor): string =>
  f === 'model' ? s.model : f === 'language' ? s.language : referenceClass(s.reference);
const specLevel = (v: string, f: ContrastFactor): string => (f === 'reference' ? referenceClass(v) : v);

/** Restricts a sample to the given items (order kept). */
function onItems(s: AlignmentSample, keep: ReadonlySet<string>): { x: number[]; y: number[]; items: string[] } {
  const x: number[] = [];
  const y: number[] = [];
  const items: string[] = [];
  s.items.forEach((it, i) => {
    if (!keep.has(it)) return;
    x.push(s.x[i]);
    y.push(s.y[i]);
    items.push(it);
  });
  return { x, y, items };
}

/**
 * One row per spec × combination of the other factors (model, language, cue, reference, level, measure)
 * where both sides have a sample, × statistic; sides restricted to their common items. Rows whose
 * difference is undefined (a constant side, < 2 common items) are not emitted. Holm/BH over all rows.
 */
export function contrastRows(
  samples: readonly AlignmentSample[],
  specs: readonly ContrastSpec[],
  opts: ContrastOptions,
): { rows: ContrastRow[]; grid: TestGrid } {
  const statistics = opts.statistics ?? ['pearson', 'spearman'];
  const rows: ContrastRow[] = [];
  for (const spec of specs) {
    const f = spec.factor;
    const others = (s: AlignmentSample): string =>
      [
        f === 'model' ? '' : s.model,
        f === 'language' ? '' : s.language,
        s.country ?? '',
        f === 'reference' ? '' : referenceClass(s.reference),
        s.level,
        s.measure,
      ].join('\u0000');
    const sideA = new Map<string, AlignmentSample>();
    const sideB = new Map<string, AlignmentSample>();
    for (const s of samples) {
      const lv = levelOf(s, f);
      if (lv === specLevel(spec.a, f)) sideA.set(others(s), s);
      else if (lv === specLevel(spec.b, f)) sideB.set(others(s), s);
    }
    for (const k of [...sideA.keys()].sort()) {
      const a = sideA.get(k) as AlignmentSample;
      const b = sideB.get(k);
      if (!b) continue;
      const inB = new Set(b.items);
      const common = new Set(a.items.filter((it) => inB.has(it)));
      const sa = onItems(a, common);
      const sb = onItems(b, common);
      const within: Record<string, string> = { level: a.level };
      if (f !== 'model') within.model = a.model;
      if (f !== 'language') within.language = a.language;
      if (a.country !== null) within.country = a.country;
      if (f !== 'reference') within.reference = f === 'language' && a.reference !== b.reference ? referenceClass(a.reference) : a.reference;
      for (const statistic of statistics) {
        const difference = pairedDifference(sa, sb, statistic, { ...opts.bootstrap, clusters: { a: sa.items, b: sb.items } });
        if (!difference) continue;
        rows.push({ factor: f, a: spec.a, b: spec.b, within, measure: a.measure, statistic, difference });
      }
    }
  }
  const grid = adjustGrid(
    rows.map((r) => r.difference),
    opts.grid ?? 'contrasts',
    opts.adjust ?? ['holm', 'BH'],
  );
  return { rows, grid };
}
