// Earlier versions wrote every editor run to the extension's global storage (`<globalStorage>/runs/*.jsonl`),
// shared by all workspaces. Those runs are not shown any more. This offers, once per workspace, to copy the
// records whose item (same id AND same item hash) is in one of this workspace's .wvs files into that file's
// implicit corpus, with one manifest per copied run. The global files are left as they are.
import { promises as fs } from 'node:fs';
import type { SurveyFile } from '../core/language/ast';
import { itemHash } from '../core/language/index';
import { corpusRecords } from '../core/corpus/reader';
import { CorpusWriter, readManifests } from '../core/corpus/writer';
import type { RunRecord } from '../core/results';
import { implicitStudyName } from '../core/run/prepare';
import { implicitCorpusDir } from './workspaceCorpora';

export const MIGRATION_STATE_KEY = 'valueLens.migratedGlobalRuns.v1';

export interface MigrationPlan {
  /** items file path → the old records of its items (id and hash match). */
  byFile: Map<string, RunRecord[]>;
  /** Old records read, and how many match no item of the workspace. */
  read: number;
  unmatched: number;
}

/** Which old records belong to which of the workspace's items files (first file that has the item wins). */
export async function planMigration(legacyRunsDir: string, surveys: readonly { path: string; file: SurveyFile }[]): Promise<MigrationPlan> {
  const plan: MigrationPlan = { byFile: new Map(), read: 0, unmatched: 0 };
  const exists = await fs.stat(legacyRunsDir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!exists) return plan;
  const owner = new Map<string, string>();
  for (const { path, file } of surveys) {
    for (const item of file.items) {
      const key = `${item.id}\u0000${itemHash(item)}`;
      if (!owner.has(key)) owner.set(key, path);
    }
  }
  const reader = corpusRecords(legacyRunsDir, { defaults: false });
  for await (const record of reader) {
    plan.read++;
    const path = owner.get(`${record.itemId}\u0000${record.itemHash}`);
    if (!path) {
      plan.unmatched++;
      continue;
    }
    const list = plan.byFile.get(path) ?? [];
    list.push(record);
    plan.byFile.set(path, list);
  }
  return plan;
}

/**
 * Appends the planned records to each items file's implicit corpus (study = the implicit name), one
 * manifest per old run; runs already copied (their manifest exists) are skipped. Returns records written.
 */
export async function applyMigration(plan: MigrationPlan, toolVersion: string): Promise<number> {
  let written = 0;
  for (const [path, records] of plan.byFile) {
    const dir = implicitCorpusDir(path);
    const { manifests } = await readManifests(dir);
    const byRun = new Map<string, RunRecord[]>();
    for (const r of records) byRun.set(r.runId, [...(byRun.get(r.runId) ?? []), r]);
    for (const [runId, list] of byRun) {
      if (manifests.has(runId)) continue;
      const writer = new CorpusWriter(dir);
      const study = implicitStudyName(path);
      await writer.begin({ runId, study, studyHash: 'migrated', toolVersion, via: 'editor', planned: list.length });
      let failed = 0;
      let cached = 0;
      for (const r of list) {
        if (r.kind === 'failure') failed++;
        else if (r.cached) cached++;
      }
      // Appended all at once: awaiting each would wait out the store's coalescing. A failed write throws, as before.
      await Promise.all(list.map((r) => writer.append({ ...r, study: r.study ?? study })));
      await writer.finish({ scored: list.length - failed, failed, cached, status: 'done' });
      written += list.length - writer.store.writeFailures;
    }
  }
  return written;
}
