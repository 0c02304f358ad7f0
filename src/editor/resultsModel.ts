// What the results view shows of one corpus folder: its runs (manifests, newest first, deleted ones left
// out), per run the models it scored and its failures by kind (one streamed pass over records.jsonl), and
// its provider batch jobs (batches/*.json). Pure Node (no vscode): the tree adapter (resultsTree.ts) and
// its tests use it.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { listBatches } from '../core/batch/state';
import type { BatchProgress } from '../core/batch/types';
import { corpusRecords } from '../core/corpus/reader';
import type { RunManifest } from '../core/corpus/types';
import { CORPUS_RECORDS_FILE } from '../core/corpus/types';
import { readManifests } from '../core/corpus/writer';

export interface ModelCounts {
  model: string;
  results: number;
  failures: number;
}

export interface RunSummary {
  manifest: RunManifest;
  models: ModelCounts[];
  /** Failure kind → count (timeout, http, parse, batch-missing…). */
  failures: { kind: string; count: number }[];
  /** Records of this run in records.jsonl (results + failures). */
  records: number;
}

export type BatchSummary = BatchProgress & { runId: string; updatedAt: string };

export interface CorpusSummary {
  dir: string;
  runs: RunSummary[];
  /** Runs deleted in the view (kept in records.jsonl, left out of every analysis). */
  deleted: number;
  batches: BatchSummary[];
  badManifests: string[];
  /** Unreadable lines of records.jsonl. */
  badLines: number;
}

export async function readCorpusSummary(dir: string, signal?: AbortSignal): Promise<CorpusSummary> {
  const { manifests, bad } = await readManifests(dir);
  const perRun = new Map<string, { models: Map<string, ModelCounts>; failures: Map<string, number>; records: number }>();
  let badLines = 0;
  const hasRecords = await fs.stat(join(dir, CORPUS_RECORDS_FILE)).then(
    (s) => s.isFile(),
    () => false,
  );
  if (hasRecords) {
    const reader = corpusRecords(dir, { defaults: false, ...(signal ? { signal } : {}) });
    for await (const batch of reader.batches()) {
      for (const r of batch) {
        let run = perRun.get(r.runId);
        if (!run) perRun.set(r.runId, (run = { models: new Map(), failures: new Map(), records: 0 }));
        run.records++;
        const id = r.modelId ?? r.model;
        let m = run.models.get(id);
        if (!m) run.models.set(id, (m = { model: id, results: 0, failures: 0 }));
        if (r.kind === 'failure') {
          m.failures++;
          run.failures.set(r.error.kind, (run.failures.get(r.error.kind) ?? 0) + 1);
        } else m.results++;
      }
    }
    badLines = reader.report.badLineCount;
  }
  const runs: RunSummary[] = [];
  let deleted = 0;
  for (const manifest of manifests.values()) {
    if (manifest.deletedAt) {
      deleted++;
      continue;
    }
    const agg = perRun.get(manifest.runId);
    runs.push({
      manifest,
      models: agg ? [...agg.models.values()].sort((a, b) => a.model.localeCompare(b.model)) : [],
      failures: agg
        ? [...agg.failures].map(([kind, count]) => ({ kind, count })).sort((a, b) => b.count - a.count || a.kind.localeCompare(b.kind))
        : [],
      records: agg?.records ?? 0,
    });
  }
  runs.sort((a, b) => (a.manifest.startedAt < b.manifest.startedAt ? 1 : a.manifest.startedAt > b.manifest.startedAt ? -1 : 0));
  const batches = await listBatches(dir).catch(() => []);
  return { dir, runs, deleted, batches, badManifests: bad, badLines };
}

/** "done · 40/40 scored · 2 failed · 12 cached" for a run node. */
export function runDescription(m: RunManifest): string {
  const parts = [m.status, `${m.scored}/${m.planned} scored`];
  if (m.failed) parts.push(`${m.failed} failed`);
  if (m.cached) parts.push(`${m.cached} cached`);
  if (m.batch) parts.push(`batch ${m.batch.provider}`);
  return parts.join(' · ');
}

/** "in_progress · 120/400 · submitted" for a batch node. */
export function batchDescription(b: BatchProgress): string {
  const counts = b.requestCounts
    ? `${b.requestCounts.completed + b.requestCounts.failed}/${b.requestCounts.total}${b.requestCounts.failed ? ` (${b.requestCounts.failed} failed)` : ''}`
    : `${b.lines} line(s)`;
  return [b.status ?? b.phase, counts, b.status ? b.phase : undefined].filter(Boolean).join(' · ');
}

/** "2026-12-01 21:57" from a manifest's ISO start time (UTC, as stored). */
export function runLabel(m: RunManifest): string {
  const t = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(m.startedAt);
  return t ? `${t[1]} ${t[2]} UTC` : m.runId;
}
