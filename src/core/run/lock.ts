// An exclusive lock beside a results file, so two runs writing the same file refuse instead of one
// silently unlinking the other's records. `<file>.lock` is created with O_EXCL and holds the owner's pid,
// host and start time; a lock whose process is gone (same host, kill -9) is stale and taken over.
// A study corpus needs no lock: every run appends its own files (docs/corpus.md).

import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';

export class LockedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LockedError';
  }
}

export interface FileLock {
  path: string;
  release(): Promise<void>;
}

interface LockInfo {
  pid: number;
  host: string;
  since: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readLock(path: string): Promise<LockInfo | undefined> {
  try {
    const info = JSON.parse(await fs.readFile(path, 'utf8')) as Partial<LockInfo>;
    return typeof info.pid === 'number' && typeof info.host === 'string'
      ? { pid: info.pid, host: info.host, since: String(info.since ?? '') }
      : undefined;
  } catch {
    return undefined;
  }
}

/** Takes `<target>.lock` or throws LockedError naming the holder; stale locks are replaced. */
export async function lockFile(target: string): Promise<FileLock> {
  const path = `${target}.lock`;
  const mine: LockInfo = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await fs.open(path, 'wx');
      try {
        await handle.writeFile(`${JSON.stringify(mine)}\n`);
      } finally {
        await handle.close();
      }
      let released = false;
      return {
        path,
        release: async () => {
          if (released) return;
          released = true;
          // Only our own lock is removed (a stale-lock takeover by another run must not be undone).
          const current = await readLock(path);
          if (current && current.pid === mine.pid && current.since === mine.since) await fs.rm(path, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = await readLock(path);
    const stale = holder !== undefined && holder.host === mine.host && !alive(holder.pid);
    if (stale) {
      await fs.rm(path, { force: true });
      continue;
    }
    if (holder === undefined) {
      // Being written this very moment, or damaged: an empty/garbled lock older than a minute is stale.
      const age = await fs.stat(path).then(
        (st) => Date.now() - st.mtimeMs,
        () => 0,
      );
      if (age > 60_000) {
        await fs.rm(path, { force: true });
        continue;
      }
    }
    const who = holder ? `process ${holder.pid} on ${holder.host}, since ${holder.since}` : 'another process';
    throw new LockedError(
      `${target} is being written by another value-lens run (${who}). Wait for it to finish or choose another --out; ` +
        `if no such run exists, delete ${path}.`,
    );
  }
  throw new LockedError(`Could not take the lock ${path}; delete it if no other value-lens run is writing ${target}.`);
}
