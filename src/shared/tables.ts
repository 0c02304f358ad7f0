// The numbers behind each panel chart as plain tables. The webview renders them as accessible <table>s
// and the host writes them as CSV, so what a reader sees and what they export are the same rows.
// Pure: no Node or DOM APIs (both bundles import it).
import type { AnalysisReport, CorrelationStat } from '../core/analysis';
import type { ChartId } from './protocol';

export type Cell = string | number | null;

export interface Table {
  headers: string[];
  rows: Cell[][];
}

export interface TableOptions {
  /** Restrict the per-model tables (scatter, category, bias) to the model the charts show. */
  focusModel?: string;
}

const stat = (s: CorrelationStat | null): Cell[] => [s?.estimate ?? null, s?.ciLow ?? null, s?.ciHigh ?? null, s?.p ?? null, s?.n ?? null];

const keep = (model: string, options: TableOptions): boolean => options.focusModel === undefined || model === options.focusModel;

export function chartTable(report: AnalysisReport, chart: ChartId, options: TableOptions = {}): Table {
  switch (chart) {
    case 'correlation':
      return {
        headers: ['Model', 'Language', 'Country', 'Measure', 'Pearson r', 'CI low', 'CI high', 'p', 'n', 'Spearman ρ'],
        rows: report.alignment.map((row) => [
          row.model,
          row.language,
          row.country,
          row.measure,
          ...stat(row.pearson),
          row.spearman?.estimate ?? null,
        ]),
      };
    case 'scatter':
      return {
        headers: ['Model', 'Language', 'Country', 'Item', 'Title', 'Category', 'Model score', 'Human score'],
        rows: report.scatter
          .filter((series) => keep(series.model, options))
          .flatMap((series) =>
            series.points.map((p) => [
              series.model,
              series.language,
              series.country,
              p.itemId,
              p.title,
              p.category,
              p.modelScore,
              p.humanScore,
            ]),
          ),
      };
    case 'consistency':
      return {
        headers: ['Model', 'Language', 'Template', 'Mean pairwise Spearman', 'Pairs'],
        rows: report.consistency.map((row) => [row.model, row.language, row.template, row.meanSpearman, row.pairs]),
      };
    case 'category':
      return {
        headers: ['Model', 'Language', 'Country', 'Category', 'Pearson r', 'CI low', 'CI high', 'p', 'n'],
        rows: report.byCategory
          .filter((row) => keep(row.model, options))
          .map((row) => [row.model, row.language, row.country, row.category, ...stat(row.pearson)]),
      };
    case 'bias':
      return {
        headers: ['Model', 'Language', 'Local country', 'r (local)', 'r (US)', 'US − local', 'CI low', 'CI high'],
        rows: report.usBias
          .filter((row) => keep(row.model, options))
          .map((row) => [row.model, row.language, row.localCountry, row.localR, row.usR, row.difference, row.ciLow, row.ciHigh]),
      };
  }
}

/** Items that move most across paraphrases, over all models/languages/templates, most dispersed first. */
export function inconsistentItems(report: AnalysisReport, limit = 10): Table {
  const rows = report.consistency.flatMap((row) =>
    // Paraphrases are numbered from 1 for people, as in the file's list and the editor's hover.
    row.items.map(
      (item) =>
        [
          row.model,
          row.language,
          row.template,
          item.itemId,
          item.title,
          item.dispersion,
          item.mostDeviantParaphrase === null ? null : item.mostDeviantParaphrase + 1,
        ] as Cell[],
    ),
  );
  rows.sort((a, b) => (b[5] as number) - (a[5] as number));
  return {
    headers: ['Model', 'Language', 'Template', 'Item', 'Title', 'Dispersion', 'Most deviant paraphrase'],
    rows: rows.slice(0, limit),
  };
}

/** Cell as text: numbers to `digits` decimals (integers as they are), null as an empty string. */
export function formatCell(cell: Cell, digits = 3): string {
  if (cell === null) return '';
  if (typeof cell === 'number') {
    if (!Number.isFinite(cell)) return '';
    return Number.isInteger(cell) ? String(cell) : cell.toFixed(digits);
  }
  return cell;
}

/**
 * The rows as display text with one number format per column (issue 19: a dispersion of exactly 0 showed as
 * "0" beside "0.123"): a column of integers only (counts, paraphrase numbers) stays integer, any other
 * numeric column gets `digits` decimals on every number, 0 included.
 */
export function formatRows(table: Table, digits = 3): string[][] {
  const decimal = table.headers.map((_, c) =>
    table.rows.some((row) => typeof row[c] === 'number' && Number.isFinite(row[c]) && !Number.isInteger(row[c])),
  );
  return table.rows.map((row) =>
    row.map((cell, c) =>
      typeof cell === 'number' && decimal[c] && Number.isFinite(cell) ? cell.toFixed(digits) : formatCell(cell, digits),
    ),
  );
}

/** A measure (never a count) as text: always `digits` decimals, so 0 reads "0.000" like its neighbours. */
export function formatMeasure(value: Cell, digits = 3): string {
  return typeof value === 'number' && Number.isFinite(value) ? value.toFixed(digits) : formatCell(value, digits);
}

/** Table as string rows for a CSV writer (header first). Full precision for numbers. */
export function tableToStrings(table: Table): string[][] {
  return [
    table.headers,
    ...table.rows.map((row) => row.map((cell) => (typeof cell === 'number' ? formatCell(cell, 6) : formatCell(cell)))),
  ];
}
