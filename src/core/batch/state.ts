// The state of every batch job a study submitted, one file each in `<results>/batches/<batchId>.json`
// (`local-….json` until the server has named the batch): what was written, uploaded and submitted, the
// custom_ids it carries, the run it belongs to and how far it got. A restarted run reads these files and
// resumes polling instead of submitting again. Files are replaced atomically (temp file + rename).

import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { ProviderId } from '../model';
import type { BatchEndpoint, BatchPhase, BatchProgress, BatchRequestCounts, BatchStatus } from './types';

export const BATCHES_DIR = 'batches';
export const BATCH_STATE_FORMAT = 1;

export interface BatchState {
  format: number;
  /** Our own id, given before the server names the batch (also the input file's name). */
  localId: string;
  /** The server's batch id, once created. */
  batchId?: string;
  provider: ProviderId;
  /** The model endpoint's base URL as the study names it (never credentials). */
  endpointUrl: string;
  url: BatchEndpoint;
  /** The run whose corpus records this batch's lines become. */
  runId: string;
  createdAt: string;
  updatedAt: string;
  phase: BatchPhase;
  status?: BatchStatus;
  /** File name (in the batches folder) of the input JSONL. */
  inputFile: string;
  inputFileId?: string;
  outputFileId?: string;
  errorFileId?: string;
  requestCounts?: BatchRequestCounts;
  errors?: string[];
  /** Every custom_id (= cache key) in the input file, in file order. */
  customIds: string[];
  /** Counts of the import: results, failed lines, lines missing from both files, lines not ours. */
  imported?: { at: string; results: number; failed: number; missing: number; unknown: number; badLines: number };
}

export function batchesDir(resultsDir: string): string {
  return join(resultsDir, BATCHES_DIR);
}

/** The state file of a batch: named by the server's id once there is one. */
export function statePath(resultsDir: string, state: Pick<BatchState, 'batchId' | 'localId'>): string {
  return join(batchesDir(resultsDir), `${safeName(state.batchId ?? state.localId)}.json`);
}

/** Writes the state atomically; when the batch id is new, the `local-…` file is removed after. */
export async function saveState(resultsDir: string, state: BatchState): Promise<void> {
  const dir = batchesDir(resultsDir);
  await fs.mkdir(dir, { recursive: true });
  const target = statePath(resultsDir, state);
  const temp = join(dir, `.${safeName(state.localId)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  await fs.writeFile(temp, `${JSON.stringify(state)}\n`, { encoding: 'utf8', flag: 'wx' });
  try {
    await fs.rename(temp, target);
  } catch (error) {
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
  if (state.batchId) await fs.rm(statePath(resultsDir, { localId: state.localId }), { force: true });
}

/** Every batch state of a study; unreadable files are listed, never guessed at. */
export async function readStates(resultsDir: string): Promise<{ states: BatchState[]; bad: string[] }> {
  const dir = batchesDir(resultsDir);
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return { states: [], bad: [] };
  }
  const states: BatchState[] = [];
  const bad: string[] = [];
  for (const name of names.sort()) {
    if (!name.endsWith('.json') || name.startsWith('.')) continue;
    try {
      const value = JSON.parse(await fs.readFile(join(dir, name), 'utf8')) as Partial<BatchState>;
      if (
        value.format === BATCH_STATE_FORMAT &&
        typeof value.localId === 'string' &&
        typeof value.runId === 'string' &&
        Array.isArray(value.customIds)
      )
        states.push(value as BatchState);
      else bad.push(name);
    } catch {
      bad.push(name);
    }
  }
  // A crash between writing `<batchId>.json` and removing `local-….json` leaves both: the named one wins.
  const named = new Set(states.filter((s) => s.batchId).map((s) => s.localId));
  return { states: states.filter((s) => s.batchId || !named.has(s.localId)), bad };
}

/** Batches that are not imported yet: a run must resume these, never submit their lines again. */
export function unfinished(states: BatchState[]): BatchState[] {
  return states.filter((s) => s.phase !== 'imported');
}

// Batch ids come from a server: keep them to characters that are safe in a file name.
function safeName(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 200);
}

/** A batch's state as the progress a UI shows (the same entry while running and when listed later). */
export function batchProgress(resultsDir: string, state: BatchState, resumed: boolean): BatchProgress {
  return {
    batchId: state.batchId ?? state.localId,
    phase: state.phase,
    ...(state.status ? { status: state.status } : {}),
    ...(state.requestCounts ? { requestCounts: state.requestCounts } : {}),
    lines: state.customIds.length,
    stateFile: statePath(resultsDir, state),
    resumed,
  };
}

/**
 * The batches of a study as progress entries, newest first: what a UI shows on start (a batch still
 * running after the editor or CLI was closed is listed with its last known status until a run resumes it).
 */
export async function listBatches(
  resultsDir: string,
): Promise<(BatchProgress & { runId: string; updatedAt: string; imported?: BatchState['imported'] })[]> {
  const { states } = await readStates(resultsDir);
  return states
    .sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : 0))
    .map((s) => ({
      ...batchProgress(resultsDir, s, false),
      runId: s.runId,
      updatedAt: s.updatedAt,
      ...(s.imported ? { imported: s.imported } : {}),
    }));
}
