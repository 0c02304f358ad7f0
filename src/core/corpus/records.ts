// What counts as a run record on disk, and how records of older formats read today. Format 1 (round one's
// results files) has no study factors; they load with documented defaults (docs/corpus.md, "Migration")
// so that every reader sees every factor.

import type { RunRecord } from '../results';

export function isRunRecord(value: unknown): value is RunRecord {
  if (!value || typeof value !== 'object') return false;
  const r = value as Record<string, unknown>;
  if (typeof r.itemId !== 'string' || typeof r.language !== 'string' || typeof r.model !== 'string') return false;
  // The order shown is a list of codes (failures may have []); `null` or a string is damage: a bad line,
  // counted and skipped, rather than a crash of the whole analysis.
  if (r.optionOrder !== undefined && !isCodeList(r.optionOrder)) return false;
  if (r.kind === 'result') return typeof r.probabilities === 'object' && r.probabilities !== null && typeof r.mean === 'number';
  if (r.kind === 'stance') return typeof r.proShare === 'number';
  if (r.kind === 'failure') return typeof r.error === 'object' && r.error !== null;
  return false;
}

/** An array of numbers; a loop, not every() with a closure: this runs once per record read. */
function isCodeList(value: unknown): boolean {
  if (!Array.isArray(value)) return false;
  for (let i = 0; i < value.length; i++) if (typeof value[i] !== 'number') return false;
  return true;
}

/** The name of an option order from the codes in the order shown: ascending 'original', descending 'reversed'. */
export function orderName(optionOrder: readonly number[] | null | undefined): string {
  if (!Array.isArray(optionOrder) || optionOrder.length < 2) return 'original';
  let ascending = true;
  let descending = true;
  for (let i = 1; i < optionOrder.length; i++) {
    if (!(optionOrder[i] > optionOrder[i - 1])) ascending = false;
    if (!(optionOrder[i] < optionOrder[i - 1])) descending = false;
  }
  return ascending ? 'original' : descending ? 'reversed' : 'other';
}

/**
 * Fills the study factors a format-1 record lacks, in place (the record came from JSON.parse and is ours):
 * country null, modelId = model, order named from optionOrder, round from `sampleIndex` or 0, source 'run'.
 * Fields a record carries are never changed. Returns the record.
 */
export function withDefaults(record: RunRecord): RunRecord {
  const r = record;
  if (r.country === undefined) r.country = null;
  if (r.modelId === undefined) r.modelId = r.model;
  if (r.order === undefined) r.order = orderName(r.optionOrder);
  if (r.round === undefined) r.round = roundOf(r);
  if (r.source === undefined) r.source = 'run';
  if (r.paraphrase === undefined) r.paraphrase = null;
  return r;
}

/** The record's round: `round`, else format 1's `sampleIndex` when a writer put one there, else 0. */
export function roundOf(record: RunRecord): number {
  if (typeof record.round === 'number') return record.round;
  const sampleIndex = (record as { sampleIndex?: unknown }).sampleIndex;
  return typeof sampleIndex === 'number' && Number.isInteger(sampleIndex) && sampleIndex >= 0 ? sampleIndex : 0;
}

/** Parses one line; undefined when it is not a record. Blank lines are the caller's business. */
export function parseRecordLine(line: string, defaults = true): RunRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!isRunRecord(value)) return undefined;
  return defaults ? withDefaults(value) : value;
}
