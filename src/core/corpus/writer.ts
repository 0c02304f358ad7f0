// Writes a study's corpus: records appended to `<dir>/records.jsonl` (through ResultsStore: whole lines,
// single O_APPEND writes, failed batches cut off and counted) and one manifest per run in
// `<dir>/runs/<runId>.json`, replaced atomically (temp file + rename) at the start (status 'running') and
// at the end (counts, end time). Several processes may write one corpus at once: docs/corpus.md.

import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { RunRecord } from '../results';
import { ResultsStore, type OpenAppendFile } from '../run/store';
import { CORPUS_FORMAT_VERSION, CORPUS_RECORDS_FILE, CORPUS_RUNS_DIR, type RunManifest } from './types';

export interface CorpusWriterOptions {
  /** File opener for records.jsonl (tests inject a failing one). */
  open?: OpenAppendFile;
  now?: () => Date;
}

/** What a run says about itself when it starts. */
export type ManifestStart = Pick<RunManifest, 'runId' | 'study' | 'studyHash' | 'toolVersion' | 'via' | 'planned'> &
  Pick<Partial<RunManifest>, 'filter'>;

/** The end of a run: its counts (writeFailures defaults to what the writer's store counted). */
export interface RunOutcome {
  scored: number;
  failed: number;
  cached: number;
  writeFailures?: number;
  status: 'done' | 'cancelled' | 'failed';
}

/** Counts of a run summary (runPlan's), for finish(). A run with write failures ends 'failed'. */
export function outcomeOf(summary: { records: readonly (RunRecord | undefined)[]; cancelled: boolean; writeFailures: number }): RunOutcome {
  let scored = 0;
  let failed = 0;
  let cached = 0;
  for (const r of summary.records) {
    if (!r) continue;
    if (r.kind === 'failure') failed++;
    else {
      scored++;
      if (r.cached) cached++;
    }
  }
  const status = summary.writeFailures > 0 ? 'failed' : summary.cancelled ? 'cancelled' : 'done';
  return { scored, failed, cached, writeFailures: summary.writeFailures, status };
}

export function manifestPath(dir: string, runId: string): string {
  return join(dir, CORPUS_RUNS_DIR, `${runId}.json`);
}

export class CorpusWriter {
  readonly recordsPath: string;
  /** Hand this to runPlan ({ store }) or append through the writer. */
  readonly store: ResultsStore;
  private manifest: RunManifest | undefined;
  private readonly now: () => Date;

  constructor(
    readonly dir: string,
    options: CorpusWriterOptions = {},
  ) {
    this.recordsPath = join(dir, CORPUS_RECORDS_FILE);
    this.store = new ResultsStore(this.recordsPath, options.open ? { open: options.open } : {});
    this.now = options.now ?? (() => new Date());
  }

  /** Writes the 'running' manifest. Throws when the folder is not writable: before any request is sent. */
  async begin(start: ManifestStart): Promise<RunManifest> {
    const manifest: RunManifest = {
      format: CORPUS_FORMAT_VERSION,
      ...start,
      startedAt: this.now().toISOString(),
      status: 'running',
      scored: 0,
      failed: 0,
      cached: 0,
      writeFailures: 0,
    };
    await writeManifest(this.dir, manifest);
    this.manifest = manifest;
    return manifest;
  }

  append(record: RunRecord): Promise<void> {
    return this.store.append(record);
  }

  /** Flushes the records, then replaces the manifest with the final counts. */
  async finish(outcome: RunOutcome): Promise<RunManifest> {
    if (!this.manifest) throw new Error('CorpusWriter.finish() before begin()');
    await this.store.close();
    const manifest: RunManifest = {
      ...this.manifest,
      endedAt: this.now().toISOString(),
      status: outcome.status,
      scored: outcome.scored,
      failed: outcome.failed,
      cached: outcome.cached,
      writeFailures: outcome.writeFailures ?? this.store.writeFailures,
    };
    if (manifest.writeFailures > 0 && manifest.status === 'done') manifest.status = 'failed';
    await writeManifest(this.dir, manifest);
    this.manifest = manifest;
    return manifest;
  }

  close(): Promise<void> {
    return this.store.close();
  }
}

/** Replaces `runs/<runId>.json` atomically: a reader sees the old manifest or the new one, never half. */
export async function writeManifest(dir: string, manifest: RunManifest): Promise<void> {
  const runs = join(dir, CORPUS_RUNS_DIR);
  await fs.mkdir(runs, { recursive: true });
  const target = manifestPath(dir, manifest.runId);
  const temp = join(runs, `.${manifest.runId}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const handle = await fs.open(temp, 'wx');
    try {
      await handle.writeFile(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, target);
  } catch (error) {
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
}

/** Every manifest of a corpus by run id; unreadable ones are listed in `bad` (never guessed). */
export async function readManifests(dir: string): Promise<{ manifests: Map<string, RunManifest>; bad: string[] }> {
  const manifests = new Map<string, RunManifest>();
  const bad: string[] = [];
  let names: string[];
  try {
    names = await fs.readdir(join(dir, CORPUS_RUNS_DIR));
  } catch {
    return { manifests, bad };
  }
  for (const name of names.sort()) {
    if (!name.endsWith('.json') || name.startsWith('.')) continue;
    try {
      const value = JSON.parse(await fs.readFile(join(dir, CORPUS_RUNS_DIR, name), 'utf8')) as Partial<RunManifest>;
      if (typeof value.runId === 'string' && typeof value.startedAt === 'string') manifests.set(value.runId, value as RunManifest);
      else bad.push(name);
    } catch {
      bad.push(name);
    }
  }
  return { manifests, bad };
}
