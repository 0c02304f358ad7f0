// One JSONL file per run: every result and every failure, one line each, appended in completion order.
// Lines go out whole, in single writes on an O_APPEND handle (several lines per write under load), so a
// crash can tear at most the last line; readers skip (and report) lines that do not parse.

import { promises as fs } from 'node:fs';
import { dirname } from 'node:path';
import type { RunRecord } from '../results';

export class ResultsStore {
  private handle: Promise<fs.FileHandle> | undefined;
  private tail: Promise<void> = Promise.resolve();
  /** Lines waiting for the next write; appended while a write is in flight, they go out together. */
  private pending: string[] = [];
  private batch: Promise<void> | undefined;

  constructor(readonly path: string) {}

  /**
   * Appends one record. Writes are serialised, and records that arrive while a write is in flight go out
   * together in the next single write: whole lines only, so a crash can tear at most the last line.
   */
  append(record: RunRecord): Promise<void> {
    this.pending.push(`${JSON.stringify(record)}\n`);
    this.batch ??= this.scheduleBatch();
    return this.batch;
  }

  private scheduleBatch(): Promise<void> {
    const next = this.tail.then(async () => {
      this.batch = undefined;
      const text = this.pending.join('');
      this.pending = [];
      const handle = await this.open();
      await writeAll(handle, text);
    });
    // Keep the chain alive after a failed write; the callers still see the error.
    this.tail = next.catch(() => undefined);
    return next;
  }

  /** Waits for pending appends and closes the file. The store reopens on the next append. */
  async close(): Promise<void> {
    while (this.batch) await this.batch.catch(() => undefined);
    await this.tail;
    const handle = this.handle;
    this.handle = undefined;
    if (handle) await (await handle).close();
  }

  private open(): Promise<fs.FileHandle> {
    this.handle ??= (async () => {
      await fs.mkdir(dirname(this.path), { recursive: true });
      const handle = await fs.open(this.path, 'a+');
      // A crash may have left a torn last line without its newline; start on a fresh line so the torn
      // fragment does not swallow the next record.
      const { size } = await handle.stat();
      if (size > 0) {
        const last = Buffer.alloc(1);
        await handle.read(last, 0, 1, size - 1);
        if (last[0] !== 0x0a) await writeAll(handle, '\n');
      }
      return handle;
    })();
    return this.handle;
  }
}

async function writeAll(handle: fs.FileHandle, text: string): Promise<void> {
  let buffer = Buffer.from(text, 'utf8');
  // One write call in practice; the loop only covers the rare short write.
  while (buffer.length > 0) {
    const { bytesWritten } = await handle.write(buffer, 0, buffer.length, null);
    buffer = buffer.subarray(bytesWritten);
  }
}

export interface ReadRunRecords {
  records: RunRecord[];
  /** 1-based numbers of lines that are not a record (a torn last line after a crash, or damage). */
  badLines: number[];
}

export async function readRunRecords(path: string): Promise<ReadRunRecords> {
  const text = await fs.readFile(path, 'utf8');
  return parseRunRecords(text);
}

export function parseRunRecords(text: string): ReadRunRecords {
  const records: RunRecord[] = [];
  const badLines: number[] = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      const value = JSON.parse(line) as unknown;
      if (isRunRecord(value)) records.push(value);
      else badLines.push(i + 1);
    } catch {
      badLines.push(i + 1);
    }
  });
  return { records, badLines };
}

export function isRunRecord(value: unknown): value is RunRecord {
  if (!value || typeof value !== 'object') return false;
  const r = value as Record<string, unknown>;
  if (typeof r.itemId !== 'string' || typeof r.language !== 'string' || typeof r.model !== 'string') return false;
  if (r.kind === 'result') return typeof r.probabilities === 'object' && r.probabilities !== null && typeof r.mean === 'number';
  if (r.kind === 'failure') return typeof r.error === 'object' && r.error !== null;
  return false;
}
