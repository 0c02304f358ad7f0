// One JSONL file of run records: every result and every failure, one line each, appended in completion
// order. Lines go out whole, in single writes on an O_APPEND handle. Appends are coalesced like the cache
// log's (cache.ts): a batch goes out at the end of the turn, or COALESCE_MS after the previous write when
// that is sooner, so a live run writes once per 20 ms instead of once per answer (each write is a
// thread-pool round trip); close() and flush() write what is pending at once.
// A write that fails (disk full…) fails its whole batch: the bytes it managed to write are cut off again,
// so the file never keeps a torn line in the middle; the batch's records are counted in `writeFailures`
// and their append() promises reject. A crash (SIGKILL) loses the batch waiting in memory — its lines are
// absent, never half there — and can tear at most the line being written; readers skip and count it.
// Why concurrent appends from several processes are safe, and when they are not: docs/corpus.md.

import { closeSync, fstatSync, ftruncateSync, mkdirSync, openSync, readSync, write } from 'node:fs';
import { dirname } from 'node:path';
import type { RunRecord } from '../results';
import { readCorpus } from '../corpus/reader';
import { isRunRecord } from '../corpus/records';

/** A batch goes out at most this often (at once when it reaches BATCH_BYTES, or on flush/close). */
const COALESCE_MS = 20;
/** A batch this large goes out at once. */
const BATCH_BYTES = 1 << 20;

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
  /** Longest wait of a batch for more lines (default 20 ms; 0: every batch at the end of its turn). */
  coalesceMs?: number;
}

/** Lines waiting to go out together, and the promise all their append() calls share. */
interface Batch {
  lines: string[];
  bytes: number;
  /** The write is queued (behind the one in flight, if any); lines may still join until it starts. */
  queued: boolean;
  timer?: NodeJS.Timeout;
  immediate?: NodeJS.Immediate;
  done: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * The default file: opened, stat'ed and read synchronously — microseconds on a local disk, where each
 * asynchronous call is a thread-pool round trip (on a busy machine several ms each, before the first
 * request of a run) —, written asynchronously (a write must not hold the event loop).
 */
export const openAppendFile: OpenAppendFile = async (path) => {
  const fd = openSync(path, 'a+');
  return {
    write: (buffer, offset, length, position) =>
      new Promise((resolve, reject) =>
        write(fd, buffer, offset, length, position, (error, bytesWritten) => (error ? reject(error) : resolve({ bytesWritten }))),
      ),
    read: async (buffer, offset, length, position) => ({ bytesRead: readSync(fd, buffer, offset, length, position) }),
    stat: async () => fstatSync(fd),
    truncate: async (length) => ftruncateSync(fd, length),
    close: async () => closeSync(fd),
  };
};

export class ResultsStore {
  private handle: Promise<AppendFile> | undefined;
  /** The write in flight (or the last one): batches are written one after another, in order. */
  private tail: Promise<void> = Promise.resolve();
  /** The batch new lines join (undefined once its write has started). */
  private batch: Batch | undefined;
  private lastWrite = -Infinity;
  private readonly coalesceMs: number;
  /** A failed write left bytes we could not cut off: the next write starts a fresh line first. */
  private tornTail = false;
  /** Records on disk (whole lines) and records lost to failed writes, since construction. */
  written = 0;
  writeFailures = 0;

  constructor(
    readonly path: string,
    private readonly options: ResultsStoreOptions = {},
  ) {
    this.coalesceMs = Math.max(0, options.coalesceMs ?? COALESCE_MS);
  }

  /**
   * Appends one record: it goes out with the others of its batch in one write (whole lines only). Resolves
   * when it is in the file; rejects when its batch could not be written (it is then counted in
   * writeFailures and absent from the file). A caller appending many records should not await each one
   * (it would wait for every batch's coalescing time): append them all, then await them or close().
   */
  append(record: RunRecord): Promise<void> {
    const line = `${JSON.stringify(record)}\n`;
    let batch = this.batch;
    if (!batch || batch.bytes >= BATCH_BYTES) batch = this.newBatch();
    batch.lines.push(line);
    batch.bytes += line.length;
    if (batch.bytes >= BATCH_BYTES) this.queue(batch);
    return batch.done;
  }

  /** Writes what is pending now; resolves when every record appended so far is written or failed. */
  async flush(): Promise<void> {
    if (this.batch) this.queue(this.batch);
    await this.tail;
  }

  private newBatch(): Batch {
    let resolve!: () => void;
    let reject!: (error: unknown) => void;
    const done = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // A caller that drops the promise must not crash the process on a failed write (it is counted).
    done.catch(() => undefined);
    const batch: Batch = { lines: [], bytes: 0, queued: false, done, resolve, reject };
    this.batch = batch;
    const wait = this.lastWrite + this.coalesceMs - performance.now();
    if (wait > 0) batch.timer = setTimeout(() => this.queue(batch), wait);
    else batch.immediate = setImmediate(() => this.queue(batch));
    return batch;
  }

  /** Puts the batch's write behind the one in flight; lines appended until it starts still join it. */
  private queue(batch: Batch): void {
    if (batch.queued) return;
    batch.queued = true;
    if (batch.timer) clearTimeout(batch.timer);
    if (batch.immediate) clearImmediate(batch.immediate);
    this.lastWrite = performance.now();
    this.tail = this.tail.then(async () => {
      if (this.batch === batch) this.batch = undefined;
      const { lines } = batch;
      try {
        const handle = await this.open();
        await this.writeBatch(handle, lines.join(''));
        this.written += lines.length;
        batch.resolve();
      } catch (error) {
        this.writeFailures += lines.length;
        batch.reject(error);
      }
    });
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
    // Records appended while we wait go out too.
    do await this.flush();
    while (this.batch);
    const handle = this.handle;
    this.handle = undefined;
    if (handle) await (await handle.catch(() => undefined))?.close();
  }

  private open(): Promise<AppendFile> {
    const opening = (this.handle ??= (async () => {
      mkdirSync(dirname(this.path), { recursive: true });
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
