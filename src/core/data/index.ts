// Human reference import: aggregated tables or WVS/EVS microdata, from real-world CSV exports.
import { looksAggregated, loadAggregated } from './aggregated';
import { readTable, type Problem } from './csv';
import { loadMicrodata } from './microdata';
import type { HumanReference, HumanRow } from './types';

export type { HumanReference, HumanRow } from './types';
export type { Problem } from './csv';
export { toCsv, neutraliseCell } from './export';
export { readTable } from './csv';

/** Which countries' human data a prompt language is compared with; the first is the "local" one. */
export const DEFAULT_LANGUAGE_COUNTRIES: Record<string, string[]> = {
  da: ['DK'],
  nl: ['NL'],
  en: ['US', 'GB'],
  pt: ['PT', 'BR'],
};

export interface LoadHumanReferenceInput {
  text: string | Uint8Array;
  format?: 'aggregated' | 'microdata' | 'auto';
  /** Project item id → data key (e.g. { Q182: 'F118' }). Rows of mapped keys are renamed to the item id. */
  itemMap?: Record<string, string>;
}

export interface LoadHumanReferenceResult {
  reference: HumanReference;
  problems: Problem[];
  /** How the file was read, for the log and the UI. */
  info: { format: 'aggregated' | 'microdata'; delimiter: string; decimalMark: string; encoding: string; rows: number };
}

/** Turns { item: key } around into key (upper-case) → item ids; several items may share a data key. */
export function invertItemMap(itemMap: Record<string, string>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [item, key] of Object.entries(itemMap)) {
    const k = key.trim().toUpperCase();
    out.set(k, [...(out.get(k) ?? []), item]);
  }
  return out;
}

/** Reads a human reference file. Never throws: bad rows become problems with their line number. */
export function loadHumanReference(input: LoadHumanReferenceInput): LoadHumanReferenceResult {
  const table = readTable(input.text);
  const problems: Problem[] = [...table.problems];
  const format = input.format && input.format !== 'auto' ? input.format : looksAggregated(table.header) ? 'aggregated' : 'microdata';
  let rows: HumanRow[] =
    format === 'aggregated'
      ? loadAggregated(table, problems)
      : loadMicrodata(table, problems, input.itemMap ? Object.values(input.itemMap) : undefined);
  if (input.itemMap) {
    const inverse = invertItemMap(input.itemMap);
    rows = rows.flatMap((r) => {
      const ids = inverse.get(r.key.toUpperCase());
      return ids ? ids.map((key) => ({ ...r, key })) : [r];
    });
  }
  problems.sort((a, b) => (a.line || Infinity) - (b.line || Infinity));
  return {
    reference: { rows },
    problems,
    info: { format, delimiter: table.delimiter, decimalMark: table.decimalMark, encoding: table.encoding, rows: table.rows.length },
  };
}
