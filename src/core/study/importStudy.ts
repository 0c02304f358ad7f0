// Importing a study's existing response tables (its `imports`) into its corpus: one run per table, named by
// the content hash of the table and its mapping, so importing the same table twice adds nothing (the run's
// manifest already says it is done) and a changed table is a new run that supersedes the old one.

import { formatBytes, limits } from '../limits';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { itemHash } from '../language/index';
import { canonicalJson } from '../run/key';
import { CorpusWriter, manifestPath } from '../corpus/writer';
import type { RunManifest } from '../corpus/types';
import { importResponses, type ImportRejection } from './import';
import type { ImportMapping, LoadedStudy, Study } from './types';

export interface ImportedTable {
  file: string;
  runId: string;
  /** true: this table (same bytes, same mapping) was imported before; nothing was written. */
  already: boolean;
  rows: number;
  used: number;
  rejected: ImportRejection[];
  errors: string[];
  writeFailures: number;
}

export interface ImportEnvironment {
  via: RunManifest['via'];
  toolVersion: string;
  /** Re-import even when the table was imported before. */
  force?: boolean;
}

export async function importStudyData(
  loaded: LoadedStudy & { study: Study },
  env: ImportEnvironment,
  mappings: ImportMapping[] = loaded.study.imports,
): Promise<ImportedTable[]> {
  const { study } = loaded;
  const categories: Record<string, string> = {};
  const itemHashes: Record<string, string> = {};
  for (const { file } of loaded.surveys) {
    for (const item of file.items) {
      if (item.category) categories[item.id] = item.category.value;
      itemHashes[item.id] = itemHash(item);
    }
  }
  const modelIds: Record<string, string> = {};
  for (const model of study.models) modelIds[model.model] = model.id;

  const out: ImportedTable[] = [];
  for (const mapping of mappings) {
    // A table larger than the input limit would be read whole (and a string past V8's maximum aborts the
    // process): refuse it with its size instead (docs/security.md).
    const size = (await fs.stat(mapping.file)).size;
    if (size > limits().maxInputFileBytes) {
      throw new Error(
        `${mapping.file} is ${formatBytes(size)}, over the ${formatBytes(limits().maxInputFileBytes)} input limit; split or filter it (keep only the needed columns), or raise VALUE_LENS_MAX_INPUT_BYTES.`,
      );
    }
    const bytes = await fs.readFile(mapping.file);
    const digest = createHash('sha256')
      .update(bytes)
      .update(canonicalJson({ columns: mapping.columns, where: mapping.where ?? {} }))
      .digest('hex');
    const runId = `import-${digest.slice(0, 16)}`;
    if (!env.force && (await isDone(study.results, runId))) {
      out.push({ file: mapping.file, runId, already: true, rows: 0, used: 0, rejected: [], errors: [], writeFailures: 0 });
      continue;
    }
    const at = new Date().toISOString();
    const result = importResponses(bytes, mapping, {
      runId,
      study: study.name,
      at,
      modelIds,
      categories,
      itemHashes,
      lowerCaseItems: false,
    });
    const writer = new CorpusWriter(study.results);
    await writer.begin({
      runId,
      study: study.name,
      studyHash: study.hash,
      toolVersion: env.toolVersion,
      via: env.via,
      planned: result.rows,
    });
    // Appended all at once: the store writes them in a few large batches (awaiting each would wait out its coalescing).
    const appended = await Promise.allSettled(result.records.map((record) => writer.append(record)));
    const writeFailures = appended.filter((a) => a.status === 'rejected').length;
    const manifest = await writer.finish({
      scored: result.used,
      failed: result.rejected.length,
      cached: 0,
      writeFailures: writeFailures || undefined,
      status: result.errors.length ? 'failed' : 'done',
    });
    out.push({
      file: mapping.file,
      runId,
      already: false,
      rows: result.rows,
      used: result.used,
      rejected: result.rejected,
      errors: result.errors,
      writeFailures: manifest.writeFailures,
    });
  }
  return out;
}

async function isDone(dir: string, runId: string): Promise<boolean> {
  try {
    const manifest = JSON.parse(await fs.readFile(manifestPath(dir, runId), 'utf8')) as RunManifest;
    return manifest.status === 'done';
  } catch {
    return false;
  }
}
