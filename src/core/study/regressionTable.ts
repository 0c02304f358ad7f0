// The second seed's regression table (Rystrøm et al. 2025, RQ1; docs/analyses.md §3.5): one row per model ×
// language × bootstrap round, native language only, for
//   alignment ~ 0 + consistency:language + multilingual:family:language + (1 | model)
//  - alignment: Spearman of each response's pro share vs its item's per-language ground truth
//    ('pooled:<lang>'), in that round's resample;
//  - consistency: the paper's response-pairs consistency (÷ 0.955) on the same resample;
//  - multilingual: mean benchmark score / 100 of that model × language;
//  - family: the model's `family` attribute.
// Each round draws N rows with replacement from all N responses that have a ground-truth value (all models
// and languages at once, as the study's polars sample(fraction = 1, with_replacement = True) does), so a
// cell's size varies between rounds.
import type { ResponseUnit } from '../corpus/types';
import { readTable } from '../data/csv';
import { toCsv } from '../data/export';
import { forEachWeighting, SubsetCorrelation } from '../stats/bootstrap';
import type { AlignmentMeasure } from './analysisTypes';
import { unitValue } from './alignment';
import { PooledPairsSpearman, questionKey, RESPONSE_PAIRS_RELIABILITY } from './consistency';
import { pooledReference, type ReferenceLookup } from './reference';

export type RegressionRow = Record<string, string | number>;

export interface RegressionTableOptions {
  rounds: number;
  seed: number;
  /** Default 'pro' (the study's measure). */
  measure?: AlignmentMeasure;
  /** Mean benchmark score / 100 of a model (study id) in a language; cells without one are left out and listed. */
  multilingual: (model: string, language: string) => number | undefined;
  /** The model's family (default: the units' `family` attribute). */
  family?: (model: string) => string | undefined;
  /** The native reference of a language (default 'pooled:<lang>'). */
  reference?: (language: string) => string;
  /**
   * Which rows are resampled. 'responses' (default): each response with a native ground truth once.
   * 'study-join': as the study's code runs — each response once per language whose ground truth has its
   * question (`join_all_gt`), alignment on the native copies, consistency on all copies (which pair with
   * each other; docs/analyses.md §3.5).
   */
  rows?: 'responses' | 'study-join';
  /** Languages joined in 'study-join' (default: every language of the units). */
  joinLanguages?: readonly string[];
}

export interface RegressionTable {
  columns: string[];
  rows: RegressionRow[];
  /** Responses without a measure or without a ground-truth value (any joined language for 'study-join'): not resampled. */
  unitsWithoutReference: number;
  /** Cells ("model|language") left out: no multilingual score, or no family. */
  cellsWithoutMultilingual: string[];
  cellsWithoutFamily: string[];
  /** Cell × round rows left out because alignment or consistency was undefined in that resample. */
  undefinedRows: number;
}

export const REGRESSION_COLUMNS = ['model', 'family', 'language', 'round', 'n', 'alignment', 'consistency', 'multilingual'];

const SEP = '\u0000';

export function regressionTable(units: readonly ResponseUnit[], lookup: ReferenceLookup, opts: RegressionTableOptions): RegressionTable {
  const measure = opts.measure ?? 'pro';
  const refOf = opts.reference ?? pooledReference;
  const familyAttr = new Map<string, string>();
  for (const u of units) {
    const f = u.modelAttributes.family;
    if (f !== undefined && !familyAttr.has(u.modelId)) familyAttr.set(u.modelId, String(f));
  }
  const familyOf = opts.family ?? ((m: string) => familyAttr.get(m));
  // Rows with a value and a ground truth, in a stable order (model, language, item, input order).
  // `native`: the row's y is the response language's own ground truth (only those count for alignment).
  const kept: { u: ResponseUnit; x: number; y: number; i: number; j: number; native: boolean }[] = [];
  let unitsWithoutReference = 0;
  const joinLanguages = [...(opts.joinLanguages ?? new Set(units.map((u) => u.language)))].sort();
  units.forEach((u, i) => {
    const x = unitValue(u, measure);
    if (x === undefined) {
      unitsWithoutReference++;
      return;
    }
    if (opts.rows === 'study-join') {
      let any = false;
      joinLanguages.forEach((l, j) => {
        const y = lookup(refOf(l), u.itemKey, measure);
        if (y === undefined || !Number.isFinite(y)) return;
        any = true;
        kept.push({ u, x, y, i, j, native: l === u.language });
      });
      if (!any) unitsWithoutReference++;
      return;
    }
    const y = lookup(refOf(u.language), u.itemKey, measure);
    if (y === undefined || !Number.isFinite(y)) {
      unitsWithoutReference++;
      return;
    }
    kept.push({ u, x, y, i, j: 0, native: true });
  });
  const key = (u: ResponseUnit): string => u.modelId + SEP + u.language;
  kept.sort((a, b) => {
    const ka = key(a.u) + SEP + a.u.itemId;
    const kb = key(b.u) + SEP + b.u.itemId;
    return ka < kb ? -1 : ka > kb ? 1 : a.i - b.i || a.j - b.j;
  });
  const cellRows = new Map<string, number[]>();
  kept.forEach((r, i) => {
    const k = key(r.u);
    const list = cellRows.get(k);
    if (list) list.push(i);
    else cellRows.set(k, [i]);
  });
  const cellsWithoutMultilingual: string[] = [];
  const cellsWithoutFamily: string[] = [];
  const cells: {
    model: string;
    language: string;
    family: string;
    multilingual: number;
    rows: number[];
    alignment: SubsetCorrelation;
    consistency: PooledPairsSpearman;
    w: Float64Array;
  }[] = [];
  for (const k of [...cellRows.keys()].sort()) {
    const [model, language] = k.split(SEP);
    const rows = cellRows.get(k) as number[];
    const multilingual = opts.multilingual(model, language);
    const family = familyOf(model);
    if (multilingual === undefined || !Number.isFinite(multilingual)) {
      cellsWithoutMultilingual.push(`${model}|${language}`);
      continue;
    }
    if (family === undefined) {
      cellsWithoutFamily.push(`${model}|${language}`);
      continue;
    }
    cells.push({
      model,
      language,
      family,
      multilingual,
      rows,
      alignment: ((nat) =>
        new SubsetCorrelation(
          nat,
          nat.map((i) => kept[i].x),
          nat.map((i) => kept[i].y),
          'spearman',
        ))(rows.filter((i) => kept[i].native)),
      consistency: new PooledPairsSpearman(
        rows.map((i) => questionKey(kept[i].u)),
        rows.map((i) => kept[i].x),
      ),
      w: new Float64Array(rows.length),
    });
  }
  const out: RegressionRow[] = [];
  let undefinedRows = 0;
  forEachWeighting(kept.length, { iterations: opts.rounds, seed: opts.seed }, (w, round) => {
    for (const c of cells) {
      let n = 0;
      for (let i = 0; i < c.rows.length; i++) {
        c.w[i] = w[c.rows[i]];
        if (kept[c.rows[i]].native) n += c.w[i];
      }
      const alignment = c.alignment.value(w);
      const consistency = c.consistency.value(c.w) / RESPONSE_PAIRS_RELIABILITY;
      if (!Number.isFinite(alignment) || !Number.isFinite(consistency)) {
        undefinedRows++;
        continue;
      }
      out.push({ model: c.model, family: c.family, language: c.language, round, n, alignment, consistency, multilingual: c.multilingual });
    }
  });
  return {
    columns: [...REGRESSION_COLUMNS],
    rows: out,
    unitsWithoutReference,
    cellsWithoutMultilingual,
    cellsWithoutFamily,
    undefinedRows,
  };
}

/** The table as CSV (numbers with full precision, so a fit in R reads exactly what ours reads). */
export function regressionTableCsv(table: Pick<RegressionTable, 'columns' | 'rows'>): string {
  return toCsv([table.columns, ...table.rows.map((r) => table.columns.map((c) => (r[c] === undefined ? '' : String(r[c]))))]);
}

// ------------------------------------------------------------------ multilingual benchmark scores

/**
 * The study's benchmark file names models in two ways ("GPT-4 Turbo" and "gpt-4-turbo"); this maps every
 * spelling in multilingual_benchmarks.csv (compared case-insensitively) to the response file's model name.
 */
export const RYSTROM_2025_BENCHMARK_MODELS: Record<string, string> = {
  'gpt-3.5 turbo': 'gpt-3.5-turbo-0125',
  'gpt-4 turbo': 'gpt-4-turbo-2024-04-09',
  'gpt-4-turbo': 'gpt-4-turbo-2024-04-09',
  'gpt-4o': 'gpt-4o',
  'gemma-2 2b': 'gemma-2-2b-it',
  'gemma-2 9b': 'gemma-2-9b-it',
  'gemma-2 27b': 'gemma-2-27b-it',
  'olmo-2 7b': 'OLMo-2-1124-7B-Instruct',
  'olmo-2 13b': 'OLMo-2-1124-13B-Instruct',
  'olmo-2 32b': 'OLMo-2-0325-32B-Instruct',
};

/** Benchmark language names → prompt language codes. */
export const BENCHMARK_LANGUAGES: Record<string, string> = { english: 'en', danish: 'da', dutch: 'nl', portuguese: 'pt' };

export interface BenchmarkScores {
  /** Mean score / 100 over the benchmarks of (model, language). */
  score: (model: string, language: string) => number | undefined;
  /** Benchmarks per (model|language) behind each mean. */
  benchmarks: Record<string, string[]>;
  /** Rows whose model or language the mappings do not know, or whose score is not a number (line numbers). */
  unmatched: { line: number; model: string; language: string; reason: string }[];
}

/** Reads `model,benchmark,language,score[,family]` and averages score/100 per mapped (model, language). */
export function benchmarkScores(
  text: string | Uint8Array,
  models: Record<string, string> = RYSTROM_2025_BENCHMARK_MODELS,
  languages: Record<string, string> = BENCHMARK_LANGUAGES,
): BenchmarkScores {
  const table = readTable(text);
  const col = (name: string): number => {
    const i = table.header.findIndex((h) => h.trim().toLowerCase() === name);
    if (i < 0) throw new Error(`benchmark file: no "${name}" column (have: ${table.header.join(', ')})`);
    return i;
  };
  const [cm, cb, cl, cs] = [col('model'), col('benchmark'), col('language'), col('score')];
  const modelMap = new Map(Object.entries(models).map(([k, v]) => [k.toLowerCase(), v]));
  const langMap = new Map(Object.entries(languages).map(([k, v]) => [k.toLowerCase(), v]));
  const sums = new Map<string, { sum: number; names: string[] }>();
  const unmatched: BenchmarkScores['unmatched'] = [];
  for (const row of table.rows) {
    const name = (row.cells[cm] ?? '').trim();
    const langName = (row.cells[cl] ?? '').trim();
    const model = modelMap.get(name.toLowerCase());
    const language = langMap.get(langName.toLowerCase());
    const score = Number((row.cells[cs] ?? '').trim());
    const reason = !model
      ? 'unknown model'
      : !language
        ? 'unknown language'
        : !Number.isFinite(score) || (row.cells[cs] ?? '').trim() === ''
          ? 'score not a number'
          : '';
    if (reason) {
      unmatched.push({ line: row.line, model: name, language: langName, reason });
      continue;
    }
    const k = `${model}|${language}`;
    const slot = sums.get(k) ?? { sum: 0, names: [] };
    slot.sum += score / 100;
    slot.names.push((row.cells[cb] ?? '').trim());
    sums.set(k, slot);
  }
  const benchmarks: Record<string, string[]> = {};
  for (const [k, v] of sums) benchmarks[k] = v.names;
  return {
    score: (model, language) => {
      const s = sums.get(`${model}|${language}`);
      return s ? s.sum / s.names.length : undefined;
    },
    benchmarks,
    unmatched,
  };
}
