// File and stream helpers shared by the commands: readable errors for missing files, atomic writes.

import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { InputError, UsageError } from './errors';

export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export function print(stream: NodeJS.WritableStream, text: string): void {
  stream.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** Reads a text file named on the command line; a missing or unreadable file is a usage error. */
export async function readInputFile(path: string, what: string): Promise<string> {
  try {
    const stat = await fs.stat(path);
    if (stat.isDirectory()) throw new UsageError(`${what} ${path} is a directory, not a file.`);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`${what} ${path} does not exist or cannot be read.`);
  }
  try {
    const bytes = await fs.readFile(path);
    return bytes.toString('utf8').replace(/^\uFEFF/, '');
  } catch (error) {
    throw new InputError(`${what} ${path} cannot be read: ${(error as Error).message}`);
  }
}

export async function readInputBytes(path: string, what: string): Promise<Uint8Array> {
  try {
    const stat = await fs.stat(path);
    if (stat.isDirectory()) throw new UsageError(`${what} ${path} is a directory, not a file.`);
    return await fs.readFile(path);
  } catch (error) {
    if (error instanceof UsageError) throw error;
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
