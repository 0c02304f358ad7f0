// US-centric bias per model × language in both definitions (docs/analyses.md §3.3–3.4), each named; the
// difference is always usR − localR (positive: the model tracks US opinion more than local opinion).
//  - 'item-pearson' (Value Lens, round one): item level — the model's mean per item vs the human value —
//    Pearson with the US minus Pearson with the language's first listed country that is not the US, over
//    the items both references cover. Bootstrap: items resampled (the two r on the same resample).
//  - 'response-spearman' (Rystrøm et al. 2025, RQ2): response level — each response vs its item's human
//    value — Spearman with the US minus the mean of the Spearman with each native country of the language
//    other than the US (the study's regression codes the US as its own `us` level, so for English the
//    local mean runs over the other anglophone countries). Bootstrap: items (default) or responses.
// Only responses without a country cue count: a cue names the intended reference itself.
import type { ResponseUnit } from '../corpus/types';
import {
  bootstrapP,
  clusteredCorrelation,
  forEachCount,
  pairedDifference,
  percentileInterval,
  SubsetCorrelation,
} from '../stats/bootstrap';
import { pearsonR } from '../stats/correlation';
import type { AlignmentMeasure, BiasRow } from './analysisTypes';
import { byModelLanguage, unitValue } from './alignment';
import type { ReferenceLookup } from './reference';
import type { Study } from './types';

export interface BiasOptions {
  measure: AlignmentMeasure;
  bootstrap: { iterations: number; seed: number };
  /** The reference the bias points to (default 'US'). */
  us?: string;
  /** response-spearman: resample items (clusters of responses, default) or single responses (the study). */
  resample?: 'items' | 'responses';
}

const SEP = '\u0000';
const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);

export function usBiasRows(
  units: readonly ResponseUnit[],
  lookup: ReferenceLookup,
  study: Pick<Study, 'languageCountries'>,
  opts: BiasOptions,
): BiasRow[] {
  const us = (opts.us ?? 'US').toUpperCase();
  // Per model × language: its units and their values as two columns (no object per response).
  const cells = new Map<string, Cell>();
  for (const [k, list] of byModelLanguage(units, (u) => u.country === null && unitValue(u, opts.measure) !== undefined)) {
    cells.set(k, { units: list, values: list.map((u) => unitValue(u, opts.measure) as number) });
  }
  const rows: BiasRow[] = [];
  for (const k of [...cells.keys()].sort()) {
    const [model, language] = k.split(SEP);
    const cell = cells.get(k) as Cell;
    const natives = (study.languageCountries[language] ?? []).map((c) => c.toUpperCase()).filter((c) => c !== us);
    if (!natives.length) continue;
    const ip = itemPearson(cell, lookup, natives[0], us, opts);
    if (ip) rows.push({ model, language, definition: 'item-pearson', ...ip });
    const rs = responseSpearman(cell, lookup, natives, us, opts);
    if (rs) rows.push({ model, language, definition: 'response-spearman', ...rs });
  }
  return rows;
}

type BiasFigures = Omit<BiasRow, 'model' | 'language' | 'definition'>;

/** One model × language's units (cue-less, with a value of the measure) and those values. */
interface Cell {
  units: ResponseUnit[];
  values: number[];
}

function itemPearson(cell: Cell, lookup: ReferenceLookup, local: string, us: string, opts: BiasOptions): BiasFigures | null {
  const byItem = new Map<string, { key: string; sum: number; n: number }>();
  for (let i = 0; i < cell.units.length; i++) {
    const unit = cell.units[i];
    const value = cell.values[i];
    const slot = byItem.get(unit.itemId);
    if (slot) {
      slot.sum += value;
      slot.n++;
    } else byItem.set(unit.itemId, { key: unit.itemKey, sum: value, n: 1 });
  }
  const m: number[] = [];
  const l: number[] = [];
  const u: number[] = [];
  for (const id of [...byItem.keys()].sort()) {
    const { key, sum, n } = byItem.get(id) as { key: string; sum: number; n: number };
    const hl = lookup(local, key, opts.measure);
    const hu = lookup(us, key, opts.measure);
    if (hl === undefined || hu === undefined || !Number.isFinite(hl) || !Number.isFinite(hu)) continue;
    m.push(sum / n);
    l.push(hl);
    u.push(hu);
  }
  if (!m.length) return null;
  const localR = finite(pearsonR(m, l));
  const usR = finite(pearsonR(m, u));
  const difference = localR !== null && usR !== null ? pairedDifference({ x: m, y: u }, { x: m, y: l }, 'pearson', opts.bootstrap) : null;
  return { local: [local], localR, usR, difference };
}

function responseSpearman(
  cell: Cell,
  lookup: ReferenceLookup,
  natives: readonly string[],
  us: string,
  opts: BiasOptions,
): BiasFigures | null {
  // Stable order (item id, then input order) so resamples are reproducible whatever the corpus order.
  // Grouped by item, not sorted with a comparator: thousands of responses per item.
  const byItem = new Map<string, number[]>();
  cell.units.forEach((u, i) => {
    const list = byItem.get(u.itemId);
    if (list) list.push(i);
    else byItem.set(u.itemId, [i]);
  });
  const ids = [...byItem.keys()].sort();
  // The values in that order, read once: each reference then runs over the items and these columns
  // (reading every response object again per reference was most of this function's time at 10⁶ responses).
  const groups = ids.map((id) => byItem.get(id) as number[]);
  const keys = groups.map((rows) => cell.units[rows[0]].itemKey);
  const values = groups.flatMap((rows) => rows.map((i) => cell.values[i]));
  // Resampling items: the statistic reads how often each item was drawn (clusteredCorrelation, O(items²)
  // per replicate); resampling responses: a weight per response (O(responses)). Items are numbered in id
  // order, as clusterIndex numbers them.
  const byItems = opts.resample !== 'responses';
  const units = byItems ? ids.length : values.length;
  const against = (reference: string): { value(w: ArrayLike<number>): number } | null => {
    const rows: number[] = [];
    const x: number[] = [];
    const y: number[] = [];
    const cluster: number[] = [];
    let at = 0;
    groups.forEach((members, g) => {
      const start = at;
      at += members.length;
      const h = lookup(reference, keys[g], opts.measure);
      if (h === undefined || !Number.isFinite(h)) return;
      for (let i = start; i < at; i++) {
        rows.push(i);
        x.push(values[i]);
        y.push(h);
        cluster.push(g);
      }
    });
    if (!rows.length) return null;
    return byItems ? clusteredCorrelation(x, y, cluster, units, 'spearman') : new SubsetCorrelation(rows, x, y, 'spearman');
  };
  const usStat = against(us);
  const ones = new Float64Array(units).fill(1);
  const locals = natives
    .map((c) => ({ country: c, stat: against(c) }))
    .filter(
      (e): e is { country: string; stat: { value(w: ArrayLike<number>): number } } =>
        e.stat !== null && Number.isFinite(e.stat.value(ones)),
    );
  if (!usStat && !locals.length) return null;
  const usR = usStat ? finite(usStat.value(ones)) : null;
  const meanLocal = (w: ArrayLike<number>): number => {
    let s = 0;
    let k = 0;
    for (const e of locals) {
      const r = e.stat.value(w);
      if (Number.isFinite(r)) {
        s += r;
        k++;
      }
    }
    return k ? s / k : NaN;
  };
  const localR = locals.length ? finite(meanLocal(ones)) : null;
  let difference = null;
  if (usR !== null && localR !== null && usStat) {
    const reps = new Float64Array(opts.bootstrap.iterations);
    // Item i drawn w times: the same resamples as forEachWeighting over the items' rows.
    forEachCount(units, opts.bootstrap.iterations, opts.bootstrap.seed, (w, b) => {
      reps[b] = usStat.value(w) - meanLocal(w);
    });
    difference = { estimate: usR - localR, ci: percentileInterval(reps), p: bootstrapP(reps) };
  }
  return { local: locals.map((e) => e.country), localR, usR, difference };
}
