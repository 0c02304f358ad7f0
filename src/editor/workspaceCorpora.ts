// Where the editor's results live: in the workspace, never in the extension's global storage (that holds
// caches only). An items file's implicit study writes `<dir>/<basename>.results/` (the corpus layout of a
// study: records.jsonl + runs/*.json, docs/corpus.md); a study writes the folder it names. Only corpora
// inside the workspace folders are read, so another project's results can never appear here.
// No vscode import: tests use it in plain Node.
import { promises as fs } from 'node:fs';
import { dirname, join, relative, isAbsolute, resolve } from 'node:path';
import { implicitStudyName } from '../core/run/prepare';

/** The implicit study's corpus folder of an items file: `<dir>/<name>.results`. */
export function implicitCorpusDir(itemsPath: string): string {
  return join(dirname(itemsPath), `${implicitStudyName(itemsPath)}.results`);
}

/** Whether `path` is inside one of the folders (the workspace). No folder: nothing is inside. */
export function insideFolders(path: string, folders: readonly string[]): boolean {
  const target = resolve(path);
  return folders.some((folder) => {
    const rel = relative(resolve(folder), target);
    return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
  });
}

export async function hasRecords(corpusDir: string): Promise<boolean> {
  return fs.stat(join(corpusDir, 'records.jsonl')).then(
    (s) => s.isFile(),
    () => false,
  );
}

/**
 * The corpus folders the editor reads: the implicit corpus of each items file and the results folder of
 * each study, kept only when inside the workspace folders and when they hold records.
 */
export async function workspaceCorpora(candidates: readonly string[], folders: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const dir of new Set(candidates.map((c) => resolve(c)))) {
    if (insideFolders(dir, folders) && (await hasRecords(dir))) out.push(dir);
  }
  return out.sort();
}
