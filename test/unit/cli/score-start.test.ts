// `value-lens score` before its first request: the inputs are read while --out is checked and locked, and
// nothing is written (results file, cache) unless the lock is ours and the inputs are good; an input's
// error comes before an --out error, as when the two ran one after the other.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { startFakeOllama, type FakeServer } from '../../support/fake-ollama';
import { EXAMPLE_ITEMS, EXAMPLE_TEMPLATES, removeDir, runCli, tempDir } from './helpers';

let fake: FakeServer;
let dir: string;
before(async () => {
  fake = await startFakeOllama();
  dir = tempDir();
});
after(async () => {
  await fake.close();
  await removeDir(dir);
});

const args = (items: string, out: string, cache: string): string[] => [
  'score',
  items,
  '--template',
  EXAMPLE_TEMPLATES,
  '--endpoint',
  fake.url,
  '--model',
  'fake-llm',
  '--method',
  'logprobs',
  '--item',
  'Q1',
  '--lang',
  'en',
  '--cache-dir',
  cache,
  '--out',
  out,
];

test('--out locked by a live run: refused with nothing sent and nothing written (results file, lock, cache)', async () => {
  const out = join(dir, 'held.jsonl');
  const cache = join(dir, 'cache-held');
  await fs.writeFile(out, "the other run's records\n");
  // This test's own process is alive on this host: its lock is not stale.
  const lock = `${JSON.stringify({ pid: process.pid, host: hostname(), since: '2026-01-01T00:00:00.000Z' })}\n`;
  await fs.writeFile(`${out}.lock`, lock);
  fake.requests.length = 0;
  const r = await runCli(args(EXAMPLE_ITEMS, out, cache));
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /held\.jsonl is being written by another value-lens run/);
  assert.equal(await fs.readFile(out, 'utf8'), "the other run's records\n");
  assert.equal(await fs.readFile(`${out}.lock`, 'utf8'), lock, "the holder's lock is left alone");
  assert.equal(fake.requests.length, 0, 'nothing sent');
  assert.equal(existsSync(cache), false, 'nothing written to the cache');
});

test('an items file with errors: its diagnostics, the existing --out untouched and the lock released', async () => {
  const out = join(dir, 'kept.jsonl');
  const items = join(dir, 'broken.wvs');
  await fs.writeFile(items, `${await fs.readFile(EXAMPLE_ITEMS, 'utf8')}\nitem Q1\n`);
  await fs.writeFile(out, 'earlier results\n');
  fake.requests.length = 0;
  const r = await runCli(args(items, out, join(dir, 'cache-broken')));
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /broken\.wvs has \d+ error\(s\)/);
  assert.equal(await fs.readFile(out, 'utf8'), 'earlier results\n');
  assert.equal(existsSync(`${out}.lock`), false, 'the lock taken meanwhile is released');
  assert.equal(fake.requests.length, 0);
});

test('a missing items file and an --out that is a directory: the items file is what is reported', async () => {
  const out = join(dir, 'a-folder');
  await fs.mkdir(out);
  const r = await runCli(args(join(dir, 'missing.wvs'), out, join(dir, 'cache-missing')));
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /missing\.wvs does not exist/);
  assert.doesNotMatch(r.stderr, /is a directory/);
});

test('an --out that is a directory, good inputs: refused before anything is sent', async () => {
  const out = join(dir, 'another-folder');
  await fs.mkdir(out);
  fake.requests.length = 0;
  const r = await runCli(args(EXAMPLE_ITEMS, out, join(dir, 'cache-folder')));
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /another-folder is a directory/);
  assert.equal(fake.requests.length, 0);
});
