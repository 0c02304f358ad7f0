// File and stream helpers shared by the commands: readable errors for missing files, atomic writes.

import { randomBytes } from 'node:crypto';
import { promises as fs, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { formatBytes, limits } from '../core/limits';
import { visible } from '../core/text';
import { InputError, UsageError } from './errors';

export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Where questions are read (confirming a large run); process.stdin when absent. */
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
  /** The running script, as commands quote it back to the user; process.argv[1] when absent. */
  script?: string;
}

/**
 * Writes a message line. Messages quote outside text (server errors, names from input files), so every
 * line passes through the one sanitiser (src/core/text.ts): no escape sequence reaches the terminal.
 */
export function print(stream: NodeJS.WritableStream, text: string): void {
  const safe = visible(text);
  stream.write(safe.endsWith('\n') ? safe : `${safe}\n`);
}

/** Refuses a file over the input-size limit with a message saying how big it is and how to lift the limit. */
function checkSize(path: string, what: string, size: number): void {
  const max = limits().maxInputFileBytes;
  if (size > max) {
    throw new InputError(
      `${what} ${path} is ${formatBytes(size)}, over the ${formatBytes(max)} input limit; ` +
        `split or filter it (for survey microdata: keep only the needed columns), or raise VALUE_LENS_MAX_INPUT_BYTES.`,
    );
  }
}

/**
 * Reads a text file named on the command line; a missing or unreadable file is a usage error. Synchronous
 * (stat, open, fstat, read, close: microseconds on a local disk), where each asynchronous step is a
 * thread-pool round trip, several ms each on a busy machine, before a command's first request.
 */
export async function readInputFile(path: string, what: string): Promise<string> {
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) throw new UsageError(`${what} ${path} is a directory, not a file.`);
    checkSize(path, what, stat.size);
  } catch (error) {
    if (error instanceof UsageError || error instanceof InputError) throw error;
    throw new UsageError(`${what} ${path} does not exist or cannot be read.`);
  }
  try {
    return decodeInputText(readFileSync(path));
  } catch (error) {
    throw new InputError(`${what} ${path} cannot be read: ${(error as Error).message}`);
  }
}

/**
 * Text of an input file: UTF-8 (BOM dropped), or UTF-16 when a BOM says so or when every other byte of the
 * start is NUL (Windows editors save "Unicode" that way). Invalid UTF-8 decodes to U+FFFD, which the
 * parsers report where it matters (ids); it is never silently re-read as another encoding.
 */
export function decodeInputText(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  const head = bytes.subarray(0, Math.min(bytes.length, 512) & ~1);
  if (head.length >= 8) {
    let evenNul = 0;
    let oddNul = 0;
    for (let i = 0; i < head.length; i += 2) {
      if (head[i] === 0) evenNul++;
      if (head[i + 1] === 0) oddNul++;
    }
    const half = head.length / 2;
    if (oddNul > half * 0.9 && evenNul === 0) return new TextDecoder('utf-16le').decode(bytes);
    if (evenNul > half * 0.9 && oddNul === 0) return new TextDecoder('utf-16be').decode(bytes);
  }
  return new TextDecoder('utf-8').decode(bytes).replace(/^\uFEFF/, '');
}

export async function readInputBytes(path: string, what: string): Promise<Uint8Array> {
  try {
    const stat = await fs.stat(path);
    if (stat.isDirectory()) throw new UsageError(`${what} ${path} is a directory, not a file.`);
    checkSize(path, what, stat.size);
    return await fs.readFile(path);
  } catch (error) {
    if (error instanceof UsageError || error instanceof InputError) throw error;
    throw new UsageError(`${what} ${path} does not exist or cannot be read.`);
  }
}

/** Writes via a temp file in the same directory and a rename, so readers never see half a file. */
export async function writeFileAtomic(path: string, content: string): Promise<void> {
  const dir = dirname(path);
  await fs.mkdir(dir, { recursive: true });
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await fs.writeFile(temp, content, 'utf8');
    await fs.rename(temp, path);
  } catch (error) {
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw new InputError(`Cannot write ${path}: ${(error as Error).message}`);
  }
}

export async function exists(path: string): Promise<boolean> {
  try {
    await fs.access(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Refuses an output path that is one of the command's inputs (`--out prompts.wvt`, `--html items.wvs`),
 * also through a symlink or hard link: writing it would destroy the input.
 */
export async function refuseInputAsOutput(
  output: string,
  inputs: (string | undefined)[],
  flagName: string,
  command: string,
): Promise<void> {
  const out = resolve(output);
  const named = inputs.filter((input): input is string => input !== undefined);
  const refused = (): UsageError =>
    new UsageError(`${flagName} ${output} is one of the input files; writing it would overwrite that input. Name another file.`, command);
  if (named.some((input) => resolve(input) === out)) throw refused();
  // The output and every input stat'ed at once (each a thread-pool round trip): the same file by another name.
  const [outStat, ...inputStats] = await Promise.all([out, ...named].map((path) => fs.stat(path).catch(() => undefined)));
  if (outStat && inputStats.some((st) => st !== undefined && st.ino === outStat.ino && st.dev === outStat.dev)) throw refused();
}
