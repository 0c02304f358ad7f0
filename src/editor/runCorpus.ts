// The corpus a Score run writes: the implicit study's folder beside the items file (workspaceCorpora.ts),
// opened (manifest begun) before any request is sent, so a folder that cannot be written stops the run.
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { CorpusWriter } from '../core/corpus/writer';
import { implicitStudyName } from '../core/run/prepare';
import { implicitCorpusDir } from './workspaceCorpora';

export class CorpusOpenError extends Error {
  constructor(
    readonly corpusDir: string,
    reason: string,
  ) {
    super(
      `cannot write results to ${corpusDir}: ${reason}. Results are kept in the workspace, beside the items file; open the file from a writable folder.`,
    );
  }
}

/** Begins a run in the items file's corpus; throws CorpusOpenError when it cannot be written. */
export async function openRunCorpus(
  itemsPath: string,
  text: string,
  run: { runId: string; planned: number; toolVersion: string },
): Promise<{ writer: CorpusWriter; corpusDir: string }> {
  const corpusDir = implicitCorpusDir(itemsPath);
  const writer = new CorpusWriter(corpusDir);
  try {
    // An unsaved or virtual document has no folder of its own: never create one for it.
    if (
      !(await stat(dirname(itemsPath)).then(
        (s) => s.isDirectory(),
        () => false,
      ))
    )
      throw new Error('the items file is not saved in a folder; save it first');
    await writer.begin({
      runId: run.runId,
      study: implicitStudyName(itemsPath),
      studyHash: createHash('sha256').update(text).digest('hex'),
      toolVersion: run.toolVersion,
      via: 'editor',
      planned: run.planned,
    });
  } catch (error) {
    throw new CorpusOpenError(corpusDir, error instanceof Error ? error.message : String(error));
  }
  return { writer, corpusDir };
}
