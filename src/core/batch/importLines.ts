// Turns the lines of batch output and error files into corpus records and cache entries: each line finds
// its planned requests by custom_id (= cache key), goes through the runner's one response → record
// conversion, and a scorable answer is written to the response cache (so a later live run sends nothing).
// Every submitted key ends as results or failures: keys in neither file are counted and recorded as
// failures too.

import type { Logger } from '../log';
import type { RunRecord } from '../results';
import type { ResultCache } from '../run/cache';
import type { PlannedRequest } from '../run/plan';
import { recordFromResponse } from '../run/runner';
import { lineOutcome, readOutputFile } from './lines';
import { failureOf } from './partition';
import type { BatchCodec, BatchEndpoint } from './types';

export interface ImportCounts {
  /** Keys answered with a scorable response. */
  results: number;
  /** Keys whose line was an error, or whose answer could not be scored. */
  failed: number;
  /** Submitted keys found in neither file. */
  missing: number;
  /** Lines whose custom_id was not submitted in this batch (ignored). */
  unknown: number;
  /** Lines that are not JSON batch lines. */
  badLines: number;
}

export interface ImportInput {
  files: string[];
  /** Every custom_id submitted in the batch. */
  customIds: readonly string[];
  url: BatchEndpoint;
  plan: readonly PlannedRequest[];
  /** Cache key → plan indices still waiting for an answer (resolved entries are deleted). */
  pending: Map<string, number[]>;
  records: (RunRecord | undefined)[];
  runId: string;
  codec: BatchCodec;
  cache?: ResultCache;
  /** The failure of a submitted key with no line in either file (the batch status says why). */
  missingError: { kind: string; message: string };
  logger?: Logger;
}

const CACHE_WRITES_IN_FLIGHT = 32;

export async function importBatchLines(input: ImportInput): Promise<ImportCounts> {
  const counts: ImportCounts = { results: 0, failed: 0, missing: 0, unknown: 0, badLines: 0 };
  const submitted = new Set(input.customIds);
  const seen = new Set<string>();
  const at = new Date().toISOString();
  const writes = new Set<Promise<void>>();
  const { pending, records, plan } = input;

  const onLine = async (line: { custom_id: string } & Parameters<typeof lineOutcome>[0]): Promise<void> => {
    const key = line.custom_id;
    if (!submitted.has(key) || seen.has(key)) {
      counts.unknown++;
      return;
    }
    seen.add(key);
    const indices = pending.get(key);
    // A key submitted by this batch but not in this run's plan (a narrower filter): still cached below.
    const req = indices ? plan[indices[0]] : undefined;
    if (!req) {
      counts.unknown++;
      return;
    }
    const outcome = lineOutcome(line, input.url, req, input.codec);
    let ok = false;
    for (const i of indices!) {
      const record = outcome.ok
        ? recordFromResponse(plan[i], input.runId, outcome.response, { latencyMs: 0, at, cached: false })
        : failureOf(plan[i], input.runId, outcome.error, 1, at);
      records[i] = record;
      ok = record.kind === 'result';
    }
    pending.delete(key);
    if (ok) counts.results++;
    else counts.failed++;
    if (ok && outcome.ok && input.cache) {
      const cache = input.cache;
      const write = cache
        .set(key, { response: outcome.response, latencyMs: 0, at })
        .catch((error: unknown) => input.logger?.warn(`cache write failed: ${error instanceof Error ? error.message : String(error)}`));
      writes.add(write);
      void write.finally(() => writes.delete(write));
      if (writes.size >= CACHE_WRITES_IN_FLIGHT) await Promise.race(writes);
    }
  };

  for (const file of input.files) {
    const read = await readOutputFile(file, onLine);
    counts.badLines += read.bad;
    if (read.bad) input.logger?.warn(`${file}: ${read.bad} unreadable line(s), first at line ${read.firstBad}`);
  }
  await Promise.all(writes);
  for (const key of input.customIds) {
    if (seen.has(key)) continue;
    const indices = pending.get(key);
    if (!indices) continue;
    for (const i of indices) records[i] = failureOf(plan[i], input.runId, input.missingError, 1, at);
    pending.delete(key);
    counts.missing++;
  }
  return counts;
}
