// Crash safety: a child process writing 10,000 cache entries and result lines is SIGKILLed at seeded random
// points, several rounds. Afterwards no cache entry reads as valid with wrong content (the append-only log:
// a torn record is a miss), and the results file parses line by line, with at most one torn line per kill.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOG_NAME, ResultCache } from '../../../src/core/run/cache';
import { readRunRecords } from '../../../src/core/run/store';
import { mulberry32 } from '../../../src/core/prompt/order';
import { COUNT, keyOf, recordOf, valueOf } from './crash-writer';

const WRITER = join(__dirname, 'crash-writer.ts');
const ROUNDS = Number(process.env.VALUE_LENS_CRASH_ROUNDS ?? 6);
const SEED = Number(process.env.VALUE_LENS_CRASH_SEED ?? 20261125);

function runWriter(dir: string, killAfterMs: number | null): Promise<{ killed: boolean; finished: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let timer: NodeJS.Timeout | undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (killAfterMs !== null && timer === undefined && out.includes('ready')) {
        timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal === null && code !== 0) reject(new Error(`writer failed (${code}): ${err}`));
      else resolve({ killed: signal === 'SIGKILL', finished: out.includes('done') });
    });
  });
}

test('SIGKILL at random points during 10,000 cache and results writes leaves nothing corrupt that reads as valid', {
  timeout: 300_000,
}, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vl-crash-'));
  try {
    const random = mulberry32(SEED);
    let kills = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const { killed } = await runWriter(dir, Math.floor(5 + random() * 2500));
      if (killed) kills++;
    }
    assert.ok(kills >= Math.ceil(ROUNDS / 2), `only ${kills} of ${ROUNDS} rounds were killed mid-run`);

    const cache = new ResultCache(join(dir, 'cache'));
    let valid = 0;
    for (let i = 0; i < COUNT; i++) {
      const got = await cache.get(keyOf(i));
      if (got === undefined) continue;
      assert.deepEqual(got, valueOf(i), `entry ${i} reads as valid but differs`);
      valid++;
    }
    assert.equal(cache.corrupt, 0, 'a torn record is never indexed, so none is read and found corrupt');
    // The log itself: every line is a whole record except at most one torn one per kill.
    const lines = (await readFile(join(dir, 'cache', LOG_NAME), 'latin1')).split('\n');
    const tail = lines.pop();
    const torn =
      lines.filter(
        (line) =>
          !/^VLR\d+ [0-9a-f]{64} [0-9a-f]{64} \d+ \{/.test(line) ||
          Buffer.byteLength(line, 'latin1') !== line.indexOf(' {') + 1 + Number(line.split(' ')[3]),
      ).length + (tail ? 1 : 0);
    assert.ok(torn <= kills, `${torn} torn log records after ${kills} kills`);
    const read = await readRunRecords(join(dir, 'results.jsonl'));
    assert.ok(read.badLines.length <= kills, `${read.badLines.length} bad lines after ${kills} kills`);
    for (const record of read.records) {
      const i = Number(record.itemId.slice(1));
      assert.deepEqual(record, recordOf(i));
    }
    process.stdout.write(
      `# crash: ${kills} kills, ${valid} valid entries, ${torn} torn log records, ${read.records.length} lines, ${read.badLines.length} torn\n`,
    );

    // Restart and let it finish: everything is there and intact.
    const last = await runWriter(dir, null);
    assert.ok(last.finished);
    const after = new ResultCache(join(dir, 'cache'));
    for (let i = 0; i < COUNT; i++) assert.deepEqual(await after.get(keyOf(i)), valueOf(i));
    const final = await readRunRecords(join(dir, 'results.jsonl'));
    assert.ok(final.records.length >= COUNT);
    assert.equal(after.corrupt, 0);
    assert.equal(await after.removeStaleTemps(0), 0, 'the log leaves no temp files');
    for (let i = 0; i < COUNT; i += 97) assert.deepEqual(await after.get(keyOf(i)), valueOf(i));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
