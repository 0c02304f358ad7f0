// Content-addressed response cache on disk: `<dir>/<first 2 hex>/<key>.json`. Each entry is one header line
// (format tag, key, sha256 of the payload) followed by the payload, written to a temp file in the same
// directory and renamed into place (fsync on request). A torn, corrupt, foreign or older-format file is a
// miss, never a crash. Only successful, scorable responses are stored (the runner decides); failures never are.

import { createHash, randomBytes } from 'node:crypto';
import { promises as fs, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CompletionResponse } from '../model';
import { CACHE_FORMAT_VERSION } from './key';

export interface CachedResponse {
  response: CompletionResponse;
  /** Latency of the original request. */
  latencyMs: number;
  /** ISO time the original answer was obtained. */
  at: string;
}

export interface ResultCacheOptions {
  /**
   * fsync each entry before the rename (default false). Entries carry a checksum, so one torn by a power cut
   * reads as a miss and is asked again; paying a disk flush per answer would buy only durability of a cache.
   */
  fsync?: boolean;
}

const TAG = `VLC${CACHE_FORMAT_VERSION}`;
const KEY = /^[0-9a-f]{64}$/;
/** Longest stretch of synchronous cache reads before yielding to the event loop. */
const SLICE_MS = 4;
const RENAME_RETRY_CODES = new Set(['EPERM', 'EACCES', 'EBUSY']);

export class ResultCache {
  private readonly madeDirs = new Set<string>();
  private readonly fsync: boolean;
  /** Entries read as corrupt since construction (reported by the runner, asserted by tests). */
  corrupt = 0;
  private sliceStart = 0;

  constructor(
    readonly dir: string,
    options: ResultCacheOptions = {},
  ) {
    this.fsync = options.fsync ?? false;
  }

  pathOf(key: string): string {
    if (!KEY.test(key)) throw new RangeError('A cache key is 64 lowercase hex characters');
    return join(this.dir, key.slice(0, 2), `${key}.json`);
  }

  async get(key: string): Promise<CachedResponse | undefined> {
    if (!KEY.test(key)) return undefined;
    // Entries are small local files: a synchronous read costs ~20 µs, where an async one waits on the
    // 4-thread libuv pool (several times slower for 10,000 entries on a busy machine). Reads are
    // time-sliced so the event loop never blocks for more than a few milliseconds.
    if (performance.now() - this.sliceStart > SLICE_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      this.sliceStart = performance.now();
    }
    let text: string;
    try {
      text = readFileSync(this.pathOf(key), 'utf8');
    } catch {
      return undefined;
    }
    const value = decodeEntry(text, key);
    if (value === undefined) {
      this.corrupt++;
      // Best effort: drop the bad file so the next successful answer replaces it.
      await fs.rm(this.pathOf(key), { force: true }).catch(() => undefined);
    }
    return value;
  }

  async set(key: string, value: CachedResponse): Promise<void> {
    const target = this.pathOf(key);
    const dir = join(this.dir, key.slice(0, 2));
    if (!this.madeDirs.has(dir)) {
      await fs.mkdir(dir, { recursive: true });
      this.madeDirs.add(dir);
    }
    const temp = join(dir, `.${key}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    const handle = await fs.open(temp, 'wx');
    try {
      await handle.writeFile(encodeEntry(key, value), 'utf8');
      if (this.fsync) await handle.datasync();
    } finally {
      await handle.close();
    }
    try {
      await renameWithRetry(temp, target);
    } catch (error) {
      await fs.rm(temp, { force: true }).catch(() => undefined);
      throw error;
    }
  }

  /** Removes temp files that a killed process left behind (older than `maxAgeMs`); returns how many. */
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
    await fs.rm(this.dir, { recursive: true, force: true });
    this.madeDirs.clear();
  }
}

export function encodeEntry(key: string, value: CachedResponse): string {
  const payload = JSON.stringify(value);
  return `${TAG} ${key} ${sha256(payload)}\n${payload}`;
}

/** The entry's value, or undefined when the text is not a complete, intact entry for `key`. */
export function decodeEntry(text: string, key: string): CachedResponse | undefined {
  const newline = text.indexOf('\n');
  if (newline < 0) return undefined;
  const [tag, entryKey, sum, extra] = text.slice(0, newline).split(' ');
  if (tag !== TAG || entryKey !== key || extra !== undefined || !sum) return undefined;
  const payload = text.slice(newline + 1);
  if (sha256(payload) !== sum) return undefined;
  try {
    const value = JSON.parse(payload) as CachedResponse;
    if (!value || typeof value !== 'object' || !value.response || !Array.isArray(value.response.choices)) return undefined;
    return value;
  } catch {
    return undefined;
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

// Windows: antivirus and indexers briefly lock fresh files; retry a few times before giving up.
async function renameWithRetry(from: string, to: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await fs.rename(from, to);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (!code || !RENAME_RETRY_CODES.has(code) || attempt >= 8) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10 * 2 ** attempt));
    }
  }
}
