// Content-addressed response cache on disk: one append-only log, `<dir>/entries.vlc`, one record per line
// (format tag, key, sha256 of the payload, payload byte length, payload JSON). Writes are batched: the
// `set`s of one event-loop turn (or of up to 20 ms after the last write) go out as one O_APPEND write of whole records, so several processes
// (editor + CLI) can share a dir without interleaving records. Reads scan the log once into an index
// (key → offset), then read each entry back and check its checksum: a torn tail, a corrupt, foreign or
// older-format record is a miss, never a crash and never read as valid. A log of up to KEEP_BYTES is read
// once, whole, and entries are decoded from that copy (a cached re-run makes no read per entry). Appends by
// other processes are picked up on a miss (the log is re-scanned from where the last scan stopped).
// Entries of the older one-file-per-answer layout (`<dir>/<2 hex>/<key>.json`) are still read on a miss.
// Only successful, scorable responses are stored (the runner decides); failures never are.

import * as crypto from 'node:crypto';
import { closeSync, fstatSync, openSync, promises as fs, readFileSync, readSync, readdirSync, statSync, write } from 'node:fs';
import { join } from 'node:path';
import type { CompletionResponse } from '../model';
import { CACHE_FORMAT_VERSION, sha256Hex } from './key';

export interface CachedResponse {
  response: CompletionResponse;
  /** Latency of the original request. */
  latencyMs: number;
  /** ISO time the original answer was obtained. */
  at: string;
}

export interface ResultCacheOptions {
  /**
   * fsync each batch after writing it (default false). Records carry a checksum, so one torn by a power cut
   * reads as a miss and is asked again; paying a disk flush would buy only durability of a cache.
   */
  fsync?: boolean;
  /** A log up to this many bytes is kept in memory after its first scan (default 64 MiB; 0: never). */
  keepBytes?: number;
  /** The coalescing window's clock and timer (tests: a window that never ends on its own). */
  clock?: CacheClock;
}

export interface CacheClock {
  now(): number;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(timer: unknown): void;
}

const realClock: CacheClock = {
  now: () => performance.now(),
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (timer) => clearTimeout(timer as NodeJS.Timeout),
};

/** Name of the log inside the cache dir. */
export const LOG_NAME = 'entries.vlc';
const TAG = `VLR${CACHE_FORMAT_VERSION}`;
const LEGACY_TAG = `VLC${CACHE_FORMAT_VERSION}`;
/** `TAG key sum length ` before the payload: tag, 64 hex, 64 hex, up to 10 digits, 4 spaces. */
const MAX_HEADER = TAG.length + 64 + 64 + 10 + 4;
/** Longest stretch of synchronous cache reads before yielding to the event loop. */
const SLICE_MS = 4;
/** Batches go out at most this often (and at once when one reaches BATCH_BYTES, or on flushAll). */
const COALESCE_MS = 20;
/** A batch larger than this is written at once instead of waiting for the end of the turn. */
const BATCH_BYTES = 1 << 20;
const SCAN_CHUNK = 4 << 20;
/** A log up to this size is kept in memory after its first scan (larger ones are read per entry). */
const KEEP_BYTES = 64 << 20;
/** The read descriptor is closed after this long unused (the editor makes a cache per run). */
const IDLE_CLOSE_MS = 2000;
const NEWLINE = 0x0a;
const TAG_BYTES = Buffer.from(`${TAG} `, 'latin1');

interface Located {
  offset: number;
  /** Bytes of the record without its newline. */
  length: number;
  /** Bytes before the payload (tag, key, checksum, length and their spaces). */
  headerBytes: number;
}

interface Pending {
  text: string;
  bytes: number;
  waiters: { resolve(): void; reject(error: unknown): void }[];
  /** Set once the batch's write has started. */
  done?: Promise<void>;
  /** The window's timer, cleared when the batch is written sooner (it would hold the process's exit). */
  timer?: unknown;
}

export class ResultCache {
  private readonly fsync: boolean;
  private readonly keepBytes: number;
  private readonly clock: CacheClock;
  /** Entries read as corrupt since construction (reported by the runner, asserted by tests). */
  corrupt = 0;
  private sliceStart = 0;
  private index = new Map<string, Located>();
  /** The log's first bytes as read by the first scan (the log only grows, so they stay valid). */
  private memory: Buffer | undefined;
  /** Bytes of the log scanned into the index (always a record boundary). */
  private scanned = 0;
  private scanning: Promise<void> | undefined;
  private loaded = false;
  private fd: number | undefined;
  private idle: NodeJS.Timeout | undefined;
  /** The log opened for appending, kept between batches (an open per batch cost ~0.8 ms a request). */
  private appendFd: number | undefined;
  private appendIdle: NodeJS.Timeout | undefined;
  /** Values set but not yet written, by key (a get sees them). */
  private readonly unwritten = new Map<string, CachedResponse>();
  private batch: Pending | undefined;
  private flushing: Promise<void> | undefined;
  /** When the last batch went to the writer (the clock's now()). */
  private lastFlush = -Infinity;
  private madeDir = false;
  private legacy: boolean | undefined;

  constructor(
    readonly dir: string,
    options: ResultCacheOptions = {},
  ) {
    this.fsync = options.fsync ?? false;
    this.keepBytes = options.keepBytes ?? KEEP_BYTES;
    this.clock = options.clock ?? realClock;
  }

  get logPath(): string {
    return join(this.dir, LOG_NAME);
  }

  /** Where the older one-file-per-answer layout kept an entry (read as a fallback). */
  pathOf(key: string): string {
    if (!isKey(key)) throw new RangeError('A cache key is 64 lowercase hex characters');
    return join(this.dir, key.slice(0, 2), `${key}.json`);
  }

  async get(key: string): Promise<CachedResponse | undefined> {
    if (!isKey(key)) return undefined;
    const own = this.unwritten.get(key);
    if (own) return own;
    if (!this.loaded) await this.rescan();
    // Reads are synchronous positioned reads of a local file (a few µs each, where an async read waits on
    // the 4-thread libuv pool); they are time-sliced so the event loop never blocks for long.
    if (performance.now() - this.sliceStart > SLICE_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      this.sliceStart = performance.now();
    }
    let at = this.index.get(key);
    if (!at && this.grew()) {
      await this.rescan();
      at = this.index.get(key);
    }
    if (!at) return this.legacyGet(key);
    const value = this.readAt(at, key);
    if (value === undefined) {
      this.corrupt++;
      this.index.delete(key);
    }
    return value;
  }

  /**
   * Whether an entry for `key` is stored, from the index alone (nothing decoded): for estimates. A record
   * that is damaged still counts here; `get` is what refuses it.
   */
  async has(key: string): Promise<boolean> {
    if (!isKey(key)) return false;
    if (this.unwritten.has(key)) return true;
    if (!this.loaded) await this.rescan();
    if (this.index.has(key)) return true;
    if (this.grew()) {
      await this.rescan();
      if (this.index.has(key)) return true;
    }
    return (await this.legacyGet(key)) !== undefined;
  }

  /**
   * Whether every key has an entry, from the index alone: `has` for each, without a promise a key when the
   * index has it (a cached re-run asks about 10,000 keys before it starts).
   */
  async hasAll(keys: Iterable<string>): Promise<boolean> {
    if (!this.loaded) await this.rescan();
    for (const key of keys) {
      if (isKey(key) && (this.index.has(key) || this.unwritten.has(key))) continue;
      if (!(await this.has(key))) return false;
    }
    return true;
  }

  async set(key: string, value: CachedResponse): Promise<void> {
    if (!isKey(key)) throw new RangeError('A cache key is 64 lowercase hex characters');
    const text = encodeRecord(key, value);
    this.unwritten.set(key, value);
    let batch = this.batch;
    if (!batch) {
      batch = { text: '', bytes: 0, waiters: [] };
      this.batch = batch;
      const pending = batch;
      // At the end of this turn, or COALESCE_MS after the previous write: a live run gets one answer a turn,
      // and a write each (a thread-pool round trip, contended on a busy machine) cost more than the answer.
      // The run's last answers need not wait out the window: the runner calls flushAll (responses.ts).
      const wait = this.lastFlush + COALESCE_MS - this.clock.now();
      if (wait > 0) pending.timer = this.clock.setTimeout(() => void this.flush(pending), wait);
      else setImmediate(() => void this.flush(pending));
    }
    batch.text += text;
    batch.bytes += text.length;
    const done = new Promise<void>((resolve, reject) => (batch as Pending).waiters.push({ resolve, reject }));
    if (batch.bytes >= BATCH_BYTES) void this.flush(batch);
    return done;
  }

  /** Writes everything set so far now (not at the end of the coalescing window); resolves when it is written. */
  async flushAll(): Promise<void> {
    if (this.batch) await this.flush(this.batch);
    while (this.flushing) await this.flushing;
  }

  // One batch at a time, each as one append of whole records (O_APPEND: no other writer lands inside it).
  private flush(batch: Pending): Promise<void> {
    if (batch.done) return batch.done;
    if (batch.timer !== undefined) this.clock.clearTimeout(batch.timer);
    if (this.batch === batch) this.batch = undefined;
    this.lastFlush = this.clock.now();
    const previous = this.flushing;
    const run = (async () => {
      await previous?.catch(() => undefined);
      try {
        if (!this.madeDir) {
          await fs.mkdir(this.dir, { recursive: true });
          this.madeDir = true;
        }
        const data = Buffer.from(batch.text, 'utf8');
        if (this.fsync) {
          const handle = await fs.open(this.logPath, 'a');
          try {
            await handle.write(data);
            await handle.datasync();
          } finally {
            await handle.close();
          }
        } else {
          await this.append(data);
        }
        for (const w of batch.waiters) w.resolve();
      } catch (error) {
        for (const w of batch.waiters) w.reject(error);
      } finally {
        this.dropUnwritten(batch.text);
      }
    })();
    batch.done = run;
    this.flushing = run;
    void run.then(() => {
      if (this.flushing === run) this.flushing = undefined;
    });
    return run;
  }

  private async append(data: Buffer): Promise<void> {
    if (this.appendFd === undefined) this.appendFd = openSync(this.logPath, 'a');
    clearTimeout(this.appendIdle);
    this.appendIdle = setTimeout(() => this.closeAppend(), IDLE_CLOSE_MS);
    this.appendIdle.unref();
    const fd = this.appendFd;
    let offset = 0;
    while (offset < data.length) {
      offset += await new Promise<number>((resolve, reject) =>
        write(fd, data, offset, data.length - offset, null, (error, written) => (error ? reject(error) : resolve(written))),
      );
    }
  }

  private closeAppend(): void {
    clearTimeout(this.appendIdle);
    if (this.appendFd !== undefined) closeQuietly(this.appendFd);
    this.appendFd = undefined;
  }

  private dropUnwritten(text: string): void {
    // Each record starts with `TAG key `; the key sits right after the tag.
    let at = text.indexOf(`${TAG} `);
    while (at >= 0) {
      const key = text.slice(at + TAG.length + 1, at + TAG.length + 65);
      this.unwritten.delete(key);
      at = text.indexOf(`\n${TAG} `, at);
      if (at >= 0) at++;
    }
  }

  /** Whether the log is longer than what the index covers (another process or a batch appended). */
  private grew(): boolean {
    try {
      // No descriptor yet: a stat by path that does not throw for a missing log (a fresh run misses a lot).
      if (this.fd === undefined) return (statSync(this.logPath, { throwIfNoEntry: false })?.size ?? 0) > this.scanned;
      return fstatSync(this.openFd()).size > this.scanned;
    } catch {
      return false;
    }
  }

  private rescan(): Promise<void> {
    if (!this.scanning) {
      this.scanning = this.scan().finally(() => {
        this.scanning = undefined;
        this.loaded = true;
      });
    }
    return this.scanning;
  }

  // Reads the log from where the last scan stopped, in chunks, yielding between them. Only complete lines
  // are indexed; an incomplete tail (a writer mid-append, or one killed) is looked at again next time.
  private async scan(): Promise<void> {
    let fd: number;
    try {
      if (this.fd === undefined && !statSync(this.logPath, { throwIfNoEntry: false })) return;
      fd = this.openFd();
    } catch {
      return;
    }
    let size = fstatSync(fd).size;
    if (size < this.scanned) {
      // The log was cleared or replaced: start over.
      this.index = new Map();
      this.scanned = 0;
      this.memory = undefined;
    }
    if (this.scanned === 0 && size > 0 && size <= this.keepBytes) return this.scanWhole(fd, size);
    let carry: Buffer = Buffer.alloc(0);
    let position = this.scanned;
    while (position < size) {
      const want = Math.min(SCAN_CHUNK, size - position);
      const chunk = Buffer.allocUnsafe(want);
      const got = readSync(fd, chunk, 0, want, position);
      if (got <= 0) break;
      const buf = carry.length ? Buffer.concat([carry, chunk.subarray(0, got)]) : chunk.subarray(0, got);
      const base = position - carry.length;
      let start = 0;
      for (;;) {
        const end = buf.indexOf(NEWLINE, start);
        if (end < 0) break;
        this.indexLine(buf, start, end, base);
        start = end + 1;
      }
      this.scanned = base + start;
      carry = Buffer.from(buf.subarray(start));
      position += got;
      if (position < size) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        size = Math.max(size, fstatSync(fd).size);
      }
    }
  }

  // The first scan of a log that fits KEEP_BYTES: one buffer, filled a chunk at a time (yielding between
  // chunks), indexed as it fills, then kept for reads.
  private async scanWhole(fd: number, size: number): Promise<void> {
    const buf = Buffer.allocUnsafe(size);
    let filled = 0;
    let start = 0;
    while (filled < size) {
      const got = readSync(fd, buf, filled, Math.min(SCAN_CHUNK, size - filled), filled);
      if (got <= 0) break;
      filled += got;
      const view = buf.subarray(0, filled);
      for (;;) {
        const end = view.indexOf(NEWLINE, start);
        if (end < 0) break;
        this.indexLine(view, start, end, 0);
        start = end + 1;
      }
      this.scanned = start;
      if (filled < size) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    this.memory = buf.subarray(0, filled);
  }

  private indexLine(buf: Buffer, start: number, end: number, base: number): void {
    let from = start;
    if (!this.indexRecord(buf, from, end, base)) {
      // A torn record followed by a whole one on the same line: try the last tag in the line.
      from = buf.lastIndexOf(TAG_BYTES, end - 1);
      if (from > start) this.indexRecord(buf, from, end, base);
    }
  }

  private indexRecord(buf: Buffer, start: number, end: number, base: number): boolean {
    // The digits are not checked here: a key that is not hex is never asked for, and a checksum that is
    // not hex never matches (decodeKnown).
    const header = parseHeader(buf, start, end, false);
    if (!header || header.headerBytes + header.length !== end - start) return false;
    this.index.set(header.key, { offset: base + start, length: end - start, headerBytes: header.headerBytes });
    return true;
  }

  private readAt(at: Located, key: string): CachedResponse | undefined {
    if (this.memory && at.offset + at.length <= this.memory.length)
      return decodeKnown(this.memory.subarray(at.offset, at.offset + at.length), key, at.headerBytes);
    let buf: Buffer;
    try {
      const fd = this.openFd();
      buf = Buffer.allocUnsafe(at.length);
      if (readSync(fd, buf, 0, at.length, at.offset) !== at.length) return undefined;
    } catch {
      return undefined;
    }
    return decodeRecord(buf, key);
  }

  private openFd(): number {
    if (this.fd === undefined) this.fd = openSync(this.logPath, 'r');
    clearTimeout(this.idle);
    this.idle = setTimeout(() => this.closeFd(), IDLE_CLOSE_MS);
    this.idle.unref();
    return this.fd;
  }

  private closeFd(): void {
    clearTimeout(this.idle);
    if (this.fd !== undefined) closeQuietly(this.fd);
    this.fd = undefined;
  }

  // The one-file-per-answer layout of earlier versions, read only when such folders exist.
  private async legacyGet(key: string): Promise<CachedResponse | undefined> {
    if (this.legacy === undefined) {
      try {
        this.legacy = readdirSync(this.dir).some((name) => /^[0-9a-f]{2}$/.test(name));
      } catch {
        this.legacy = false;
      }
    }
    if (!this.legacy) return undefined;
    let text: string;
    try {
      text = readFileSync(this.pathOf(key), 'utf8');
    } catch {
      return undefined;
    }
    const value = decodeEntry(text, key);
    if (value === undefined) {
      this.corrupt++;
      await fs.rm(this.pathOf(key), { force: true }).catch(() => undefined);
    }
    return value;
  }

  /** Removes temp files that a killed process of the older layout left behind (older than `maxAgeMs`). */
  async removeStaleTemps(maxAgeMs = 10 * 60_000): Promise<number> {
    let removed = 0;
    let dirs: string[];
    try {
      dirs = await fs.readdir(this.dir);
    } catch {
      return 0;
    }
    const cutoff = Date.now() - maxAgeMs;
    for (const sub of dirs) {
      if (!/^[0-9a-f]{2}$/.test(sub)) continue;
      const names = await fs.readdir(join(this.dir, sub)).catch(() => [] as string[]);
      for (const name of names) {
        if (!name.endsWith('.tmp')) continue;
        const path = join(this.dir, sub, name);
        const stat = await fs.stat(path).catch(() => undefined);
        if (stat && stat.mtimeMs < cutoff) {
          await fs.rm(path, { force: true }).catch(() => undefined);
          removed++;
        }
      }
    }
    return removed;
  }

  async clear(): Promise<void> {
    await this.flushAll().catch(() => undefined);
    this.closeFd();
    this.closeAppend();
    await fs.rm(this.dir, { recursive: true, force: true });
    this.index = new Map();
    this.memory = undefined;
    this.scanned = 0;
    this.loaded = false;
    this.madeDir = false;
    this.legacy = undefined;
  }
}

/** One log record: `TAG key sha256(key payload) bytes payload\n` (the sum covers the key: a flipped key bit is a miss). */
export function encodeRecord(key: string, value: CachedResponse): string {
  const payload = JSON.stringify(value);
  return `${TAG} ${key} ${sha256Hex(`${key} ${payload}`)} ${Buffer.byteLength(payload)} ${payload}\n`;
}

interface Header {
  key: string;
  /** Offset of the checksum's 64 hex digits. */
  sumAt: number;
  length: number;
  headerBytes: number;
}

function parseHeader(buf: Buffer, start: number, end: number, checkDigits = true): Header | undefined {
  if (end - start < MAX_HEADER - 10) return undefined;
  for (let i = 0; i < TAG_BYTES.length; i++) if (buf[start + i] !== TAG_BYTES[i]) return undefined;
  let p = start + TAG_BYTES.length;
  if (buf[p + 64] !== 0x20 || (checkDigits && !isHexAt(buf, p))) return undefined;
  const key = buf.toString('latin1', p, p + 64);
  p += 65;
  if (buf[p + 64] !== 0x20 || (checkDigits && !isHexAt(buf, p))) return undefined;
  const sumAt = p;
  p += 65;
  let length = 0;
  let digits = 0;
  while (p < end && buf[p] >= 0x30 && buf[p] <= 0x39 && digits < 10) {
    length = length * 10 + (buf[p] - 0x30);
    p++;
    digits++;
  }
  if (!digits || buf[p] !== 0x20) return undefined;
  return { key, sumAt, length, headerBytes: p + 1 - start };
}

/** 64 lowercase hex digits at `at` (a byte loop: a regular expression per read costs more than the read). */
function isHexAt(buf: Buffer, at: number): boolean {
  if (at + 64 > buf.length) return false;
  for (let i = at; i < at + 64; i++) {
    const c = buf[i];
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return false;
  }
  return true;
}

function isKey(key: string): boolean {
  if (typeof key !== 'string' || key.length !== 64) return false;
  for (let i = 0; i < 64; i++) {
    const c = key.charCodeAt(i);
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return false;
  }
  return true;
}

/** The record's value, or undefined when `record` (one line without its newline) is not intact for `key`. */
export function decodeRecord(record: Buffer, key: string): CachedResponse | undefined {
  const header = parseHeader(record, 0, record.length);
  if (!header || header.key !== key || header.headerBytes + header.length !== record.length) return undefined;
  const payload = record.subarray(header.headerBytes);
  if (sumOfKeyAndPayload(key, payload) !== record.toString('latin1', header.sumAt, header.sumAt + 64)) return undefined;
  return shaped(payload.toString('utf8'));
}

/**
 * decodeRecord for a record the index located in the kept copy of the log: its header was parsed when it
 * was indexed and those bytes cannot have changed since, so only the checksum — over the asked-for key and
 * the payload — and the shape are checked.
 */
function decodeKnown(record: Buffer, key: string, headerBytes: number): CachedResponse | undefined {
  const sumAt = TAG_BYTES.length + 65;
  const payload = record.subarray(headerBytes);
  if (sumOfKeyAndPayload(key, payload) !== record.toString('latin1', sumAt, sumAt + 64)) return undefined;
  return shaped(payload.toString('utf8'));
}

function shaped(payload: string): CachedResponse | undefined {
  try {
    const value = JSON.parse(payload) as CachedResponse;
    if (!value || typeof value !== 'object' || !value.response || !Array.isArray(value.response.choices)) return undefined;
    return value;
  } catch {
    return undefined;
  }
}

/** An entry of the older one-file-per-answer layout (header line, then the payload). */
export function encodeEntry(key: string, value: CachedResponse): string {
  const payload = JSON.stringify(value);
  return `${LEGACY_TAG} ${key} ${sha256Hex(payload)}\n${payload}`;
}

/** The older layout's entry value, or undefined when the text is not a complete, intact entry for `key`. */
export function decodeEntry(text: string, key: string): CachedResponse | undefined {
  const newline = text.indexOf('\n');
  if (newline < 0) return undefined;
  const [tag, entryKey, sum, extra] = text.slice(0, newline).split(' ');
  if (tag !== LEGACY_TAG || entryKey !== key || extra !== undefined || !sum) return undefined;
  const payload = text.slice(newline + 1);
  if (sha256Hex(payload) !== sum) return undefined;
  return shaped(payload);
}

// One-shot hashing where the runtime has it (Node ≥ 20.12): no Hash object per entry read.
const oneShot = (crypto as { hash?: (algorithm: string, data: Buffer, encoding: 'hex') => string }).hash;

/** sha256 hex of `key + ' ' + payload`, as encodeRecord sums it. */
function sumOfKeyAndPayload(key: string, payload: Buffer): string {
  if (!oneShot) return crypto.createHash('sha256').update(`${key} `).update(payload).digest('hex');
  const data = Buffer.allocUnsafe(65 + payload.length);
  data.write(key, 0, 64, 'latin1');
  data[64] = 0x20;
  payload.copy(data, 65);
  return oneShot('sha256', data, 'hex');
}

/** closeSync, ignoring a descriptor that is already closed (the cache then simply opens a new one). */
function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
}
