// One JSONL file of run records: every result and every failure, one line each, appended in completion
// order. Lines go out whole, in single writes on an O_APPEND handle (several lines per write under load).
// A write that fails (disk full…) fails its whole batch: the bytes it managed to write are cut off again,
// so the file never keeps a torn line in the middle; the batch's records are counted in `writeFailures`
// and their append() promises reject. A crash can still tear the last line; readers skip and count it.
// Why concurrent appends from several processes are safe, and when they are not: docs/corpus.md.

import { promises as fs } from 'node:fs';
import { dirname } from 'node:path';
import type { RunRecord } from '../results';
import { readCorpus } from '../corpus/reader';
import { isRunRecord } from '../corpus/records';

/** The part of a file handle the store uses; tests inject one that fails like a full disk. */
export interface AppendFile {
  write(buffer: Uint8Array, offset: number, length: number, position: null): Promise<{ bytesWritten: number }>;
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  stat(): Promise<{ size: number }>;
  truncate(length: number): Promise<void>;
  close(): Promise<void>;
}

/** Opens `path` for appending (created if missing). */
export type OpenAppendFile = (path: string) => Promise<AppendFile>;

export interface ResultsStoreOptions {
  open?: OpenAppendFile;
}

export const openAppendFile: OpenAppendFile = (path) => fs.open(path, 'a+');

export class ResultsStore {
  private handle: Promise<AppendFile> | undefined;
  private tail: Promise<void> = Promise.resolve();
  /** Lines waiting for the next write; appended while a write is in flight, they go out together. */
  private pending: string[] = [];
  private batch: Promise<void> | undefined;
  /** A failed write left bytes we could not cut off: the next write starts a fresh line first. */
  private tornTail = false;
  /** Records on disk (whole lines) and records lost to failed writes, since construction. */
  written = 0;
  writeFailures = 0;

  constructor(
    readonly path: string,
    private readonly options: ResultsStoreOptions = {},
  ) {}

  /**
   * Appends one record. Writes are serialised, and records that arrive while a write is in flight go out
   * together in the next single write: whole lines only. Rejects when the record's batch could not be
   * written (it is then counted in writeFailures and absent from the file).
   */
  append(record: RunRecord): Promise<void> {
    this.pending.push(`${JSON.stringify(record)}\n`);
    this.batch ??= this.scheduleBatch();
    return this.batch;
  }

  private scheduleBatch(): Promise<void> {
    const next = this.tail.then(async () => {
      this.batch = undefined;
      const lines = this.pending;
      this.pending = [];
      try {
        const handle = await this.open();
        await this.writeBatch(handle, lines.join(''));
        this.written += lines.length;
      } catch (error) {
        this.writeFailures += lines.length;
        throw error;
      }
    });
    // Keep the chain alive after a failed write; the callers still see the error.
    this.tail = next.catch(() => undefined);
    return next;
  }

  /** One batch, all or nothing: on failure the bytes already written are cut off (when that is safe). */
  private async writeBatch(handle: AppendFile, text: string): Promise<void> {
    const buffer = Buffer.from(this.tornTail ? `\n${text}` : text, 'utf8');
    // No fstat before the write (it was a thread-pool round trip per batch): a failed write finds its own
    // bytes at the end of the file by content instead (cutOff).
    let done = 0;
    try {
      // One write call in practice; the loop covers short writes (a disk filling up writes what fits).
      while (done < buffer.length) {
        const { bytesWritten } = await handle.write(buffer, done, buffer.length - done, null);
        if (!(bytesWritten > 0)) throw Object.assign(new Error(`no bytes written to ${this.path}`), { code: 'EIO' });
        done += bytesWritten;
      }
      this.tornTail = false;
    } catch (error) {
      if (done > 0) await this.cutOff(handle, buffer.subarray(0, done));
      throw error;
    }
  }

  /**
   * Removes the `written` prefix of a failed batch if it is still the end of the file (nobody appended
   * after it: the file's last bytes are exactly it). Otherwise it stays as one bad line and the next write
   * starts on a fresh line.
   */
  private async cutOff(handle: AppendFile, written: Uint8Array): Promise<void> {
    try {
      const { size } = await handle.stat();
      let at = -1;
      if (size >= written.length) {
        const tail = Buffer.alloc(written.length);
        const { bytesRead } = await handle.read(tail, 0, written.length, size - written.length);
        if (bytesRead === written.length && tail.equals(written)) at = size - written.length;
      }
      if (at >= 0) {
        await handle.truncate(at);
        // The file ends where it did before the batch (on a line boundary, or torn as before).
        return;
      }
    } catch {
      // fall through: isolate the fragment instead
    }
    this.tornTail = written[written.length - 1] !== 0x0a;
  }

  /** Opens (creates) the file now: an unusable path fails here, before a run sends anything. */
  async ready(): Promise<void> {
    await this.open();
  }

  /** Waits for pending appends and closes the file. The store reopens on the next append. */
  async close(): Promise<void> {
    while (this.batch) await this.batch.catch(() => undefined);
    await this.tail;
    const handle = this.handle;
    this.handle = undefined;
    if (handle) await (await handle.catch(() => undefined))?.close();
  }

  private open(): Promise<AppendFile> {
    const opening = (this.handle ??= (async () => {
      await fs.mkdir(dirname(this.path), { recursive: true });
      const handle = await (this.options.open ?? openAppendFile)(this.path);
      // A crash may have left a torn last line without its newline; start on a fresh line so the torn
      // fragment does not swallow the next record.
      const { size } = await handle.stat();
      if (size > 0) {
        const last = Buffer.alloc(1);
        await handle.read(last, 0, 1, size - 1);
        if (last[0] !== 0x0a) this.tornTail = true;
      }
      return handle;
    })());
    // A failed open (missing permission, disk full) is retried on the next append.
    opening.catch(() => {
      if (this.handle === opening) this.handle = undefined;
    });
    return opening;
  }
}

export interface ReadRunRecords {
  records: RunRecord[];
  /** 1-based numbers of lines that are not a record (a torn last line after a crash, or damage). */
  badLines: number[];
}

/** Every record of a results file (or corpus folder) as written, read as a stream (readCorpus fills format 1's defaults). */
export async function readRunRecords(path: string): Promise<ReadRunRecords> {
  const records: RunRecord[] = [];
  const report = await readCorpus(path, (record) => records.push(record), { maxBadLines: Number.MAX_SAFE_INTEGER, defaults: false });
  return { records, badLines: report.badLines.map((b) => b.line) };
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
