// Deleting a run from a corpus. records.jsonl is append-only and other processes (the CLI, another window)
// may be appending to it at any moment, so its lines are never rewritten: the run's manifest gets
// `deletedAt` (replaced atomically, writer.ts) and every reader leaves the run's records out — selectUnits
// through `deletedRuns` (counted as 'deleted-run'), the editor's lenses and panel through deletedRunIds().

import { readManifests, writeManifest } from './writer';
import type { RunManifest } from './types';

/** Marks the run deleted; the manifest as written, or undefined when the corpus has no such run. */
export async function markRunDeleted(dir: string, runId: string, now: Date = new Date()): Promise<RunManifest | undefined> {
  const { manifests } = await readManifests(dir);
  const manifest = manifests.get(runId);
  if (!manifest) return undefined;
  if (manifest.deletedAt) return manifest;
  const deleted: RunManifest = { ...manifest, deletedAt: now.toISOString() };
  await writeManifest(dir, deleted);
  return deleted;
}

/** The ids of a corpus's deleted runs (none when it has no manifests). */
export async function deletedRunIds(dir: string): Promise<Set<string>> {
  const { manifests } = await readManifests(dir).catch(() => ({ manifests: new Map<string, RunManifest>() }));
  const out = new Set<string>();
  for (const [runId, m] of manifests) if (m.deletedAt) out.add(runId);
  return out;
}
