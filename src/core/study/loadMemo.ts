// A study's load remembered (issue 17: the cached re-run). Loading a study parses its .wvs and .wvt files
// only to check them against it (items, categories, translations, slots): ~100 ms for 2,500 items, on
// every re-run, where the plan memo already supplies every request. The memo keeps the load's diagnostics
// (each with its code, severity, English text, message template and range), so that a run from the memo
// prints exactly what a parsing run prints; the study file itself is still parsed (a few ms: the Study and
// the files it names come from it), the files it references are read but parsed only when asked for.
//
// Validity: the memo's file is named by a fingerprint of the code (the CLI's bundle), the study file's
// path and the bytes of the study file and of every file its load read, in the load's order, in the plan
// memo's checksummed format (core/run/planMemo.ts). A load with an error is never remembered, so a memo
// holds warnings and infos only; a torn, damaged or foreign memo is not used (`outcome.ignored` says why)
// and a parsing run writes it again.

import { memoFile, readMemoBody, writeMemoBody } from '../run/planMemo';
import type { Message } from '../message';
import type { StudyDiagnostic } from './types';

const TAG = 'VLS1';
/** Folder of the load memos inside the response cache folder. */
const FOLDER = 'studies';

/** What loadStudy asks of a load memo (the CLI's is studyLoadMemo). */
export interface LoadMemoStore {
  /**
   * The diagnostics remembered for a load of the study at `path` that read exactly `inputs` (the study
   * file's bytes, then each file it references, in the load's order); undefined when none is intact.
   */
  read(path: string, inputs: readonly Uint8Array[]): Promise<StudyDiagnostic[] | undefined>;
  /** Remembers the diagnostics of a load without errors. */
  write(path: string, inputs: readonly Uint8Array[], diagnostics: readonly StudyDiagnostic[]): Promise<void>;
}

/** What a load did with its memo (for the CLI's --verbose log and the tests). */
export interface LoadMemoOutcome {
  /** The memo's file (set on the first read or write). */
  file?: string;
  /** The diagnostics came from the memo (nothing referenced was parsed while loading). */
  used: boolean;
  /** A memo file was there but not intact (torn, damaged, another format): not used. */
  ignored?: string;
  /** A memo of this load was written. */
  written: boolean;
  /** Why writing it failed, if it did (the load is unaffected). */
  writeError?: string;
}

/** The load memo in `cacheDir` of a build identified by `code`; `read` is skipped when `fresh`. */
export function studyLoadMemo(
  cacheDir: string,
  code: string,
  options: { fresh?: boolean } = {},
): LoadMemoStore & { outcome: LoadMemoOutcome } {
  const outcome: LoadMemoOutcome = { used: false, written: false };
  const fileOf = (path: string, inputs: readonly Uint8Array[]): string =>
    (outcome.file = memoFile(cacheDir, FOLDER, TAG, { code, texts: [...inputs], selection: { command: 'load', path } }));
  return {
    outcome,
    async read(path, inputs) {
      const file = fileOf(path, inputs);
      if (options.fresh) return undefined;
      const value = await readMemoBody(file, TAG, (reason) => (outcome.ignored = reason));
      if (value === undefined) return undefined;
      const diagnostics = decodeDiagnostics(value);
      if (!diagnostics) outcome.ignored = 'not a study load memo';
      outcome.used = !!diagnostics;
      return diagnostics;
    },
    async write(path, inputs, diagnostics) {
      if (diagnostics.some((d) => d.severity === 'error')) return;
      try {
        await writeMemoBody(fileOf(path, inputs), TAG, { diagnostics });
        outcome.written = true;
      } catch (error) {
        outcome.writeError = (error as Error).message;
      }
    },
  };
}

const SEVERITIES = new Set(['warning', 'info']);
const isIndex = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;

function isMessage(v: unknown, depth = 0): v is Message {
  if (depth > 16 || v === null || typeof v !== 'object') return false;
  const { template, args } = v as { template?: unknown; args?: unknown };
  return (
    typeof template === 'string' &&
    Array.isArray(args) &&
    args.every((a: unknown) => typeof a === 'string' || typeof a === 'number' || isMessage(a, depth + 1))
  );
}

/** The remembered diagnostics, each checked and rebuilt field by field; undefined when any is not one. */
function decodeDiagnostics(value: unknown): StudyDiagnostic[] | undefined {
  const list = (value as { diagnostics?: unknown } | null)?.diagnostics;
  if (!Array.isArray(list)) return undefined;
  const out: StudyDiagnostic[] = [];
  for (const d of list as Partial<Record<keyof StudyDiagnostic, unknown>>[]) {
    if (d === null || typeof d !== 'object') return undefined;
    const { code, severity, message, text, range } = d;
    const { start, end } = (range ?? {}) as { start?: unknown; end?: unknown };
    // An error is never remembered: a memo that holds one is not ours.
    if (typeof code !== 'string' || typeof severity !== 'string' || !SEVERITIES.has(severity) || typeof message !== 'string')
      return undefined;
    if (text !== undefined && !isMessage(text)) return undefined;
    if (!isIndex(start) || !isIndex(end) || end < start) return undefined;
    out.push({
      code,
      severity: severity as StudyDiagnostic['severity'],
      message,
      ...(text !== undefined ? { text: text as Message } : {}),
      range: { start, end },
    });
  }
  return out;
}
