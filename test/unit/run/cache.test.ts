// The on-disk cache and the JSONL results store: hits, misses per key part, damaged entries, atomicity.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { LOG_NAME, ResultCache, encodeEntry, encodeRecord, type CachedResponse } from '../../../src/core/run/cache';
import { keyOf, valueOf } from './crash-writer';
import { cacheKey, type CacheKeyParts } from '../../../src/core/run/key';
import { runPlan } from '../../../src/core/run/runner';
import { ResultsStore, readRunRecords } from '../../../src/core/run/store';
import { createTestProvider, makePlan, startTestServer } from './support';

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'vl-cache-'));
}

const value: CachedResponse = {
  response: {
    model: 'm',
    choices: [{ text: '2', firstTokenLogprobs: [{ token: '2', logprob: -0.1 }] }],
    usage: { promptTokens: 10, completionTokens: 1 },
  },
  latencyMs: 12,
  at: '2026-01-01T00:00:00.000Z',
};

const base: CacheKeyParts = {
  provider: 'openai',
  endpoint: 'http://127.0.0.1:8080/v1',
  model: 'llama3.2:1b',
  digest: 'sha256:aaaa',
  messages: [
    { role: 'system', content: 'You answer surveys.' },
    { role: 'user', content: 'How important is family?\n1. Very\n2. Rather' },
  ],
  params: { temperature: 0, seed: 1, maxTokens: 1, topLogprobs: 20, n: 1 },
  method: 'logprobs',
  sampleIndex: 0,
};

test('every key part changes the cache key; secrets and key order do not', () => {
  const k = cacheKey(base);
  const variants: [string, CacheKeyParts][] = [
    ['endpoint host', { ...base, endpoint: 'http://127.0.0.2:8080/v1' }],
    ['endpoint port', { ...base, endpoint: 'http://127.0.0.1:8081/v1' }],
    ['endpoint path', { ...base, endpoint: 'http://127.0.0.1:8080/v2' }],
    ['provider', { ...base, provider: 'ollama' }],
    ['model', { ...base, model: 'llama3.2:3b' }],
    ['digest', { ...base, digest: 'sha256:bbbb' }],
    ['no digest', { ...base, digest: undefined }],
    ['user text', { ...base, messages: [base.messages[0], { role: 'user', content: 'How important is family?\n1. Very\n2. Rather ' }] }],
    ['system text', { ...base, messages: [{ role: 'system', content: 'You answer surveys!' }, base.messages[1]] }],
    ['role', { ...base, messages: [{ role: 'user', content: base.messages[0].content }, base.messages[1]] }],
    ['temperature', { ...base, params: { ...base.params, temperature: 0.7 } }],
    ['seed', { ...base, params: { ...base.params, seed: 2 } }],
    ['max tokens', { ...base, params: { ...base.params, maxTokens: 2 } }],
    ['top_logprobs', { ...base, params: { ...base.params, topLogprobs: 10 } }],
    ['n', { ...base, params: { ...base.params, n: 2 } }],
    ['method', { ...base, method: 'sample' }],
    ['sample index', { ...base, sampleIndex: 1 }],
  ];
  const seen = new Set([k]);
  for (const [name, parts] of variants) {
    const other = cacheKey(parts);
    assert.notEqual(other, k, `${name} must change the key`);
    seen.add(other);
  }
  assert.equal(seen.size, variants.length + 1);
  // Credentials and query strings never enter the key; reordered param keys do not change it.
  assert.equal(cacheKey({ ...base, endpoint: 'http://user:sk-secret@127.0.0.1:8080/v1?api-key=sk-x' }), k);
  assert.equal(cacheKey({ ...base, endpoint: 'http://127.0.0.1:8080/v1/' }), k);
  assert.equal(cacheKey({ ...base, params: { n: 1, topLogprobs: 20, maxTokens: 1, seed: 1, temperature: 0 } }), k);
  assert.match(k, /^[0-9a-f]{64}$/);
});

test('set then get returns the value; layout is one append-only log <dir>/entries.vlc, one record per line', async () => {
  const dir = await tempDir();
  try {
    const cache = new ResultCache(dir);
    const key = cacheKey(base);
    assert.equal(await cache.get(key), undefined);
    await cache.set(key, value);
    assert.deepEqual(await cache.get(key), value);
    assert.deepEqual(await readdir(dir), [LOG_NAME]);
    const text = await readFile(join(dir, LOG_NAME), 'utf8');
    assert.equal(text, encodeRecord(key, value));
    // A new instance (a later run) reads it back from the log.
    assert.deepEqual(await new ResultCache(dir).get(key), value);
    await cache.clear();
    assert.equal(await cache.get(key), undefined);
    assert.equal(await new ResultCache(dir).get(key), undefined);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('sets of one turn go out as one append of whole records; a cached re-run reads the log once', async () => {
  const dir = await tempDir();
  try {
    const cache = new ResultCache(dir);
    const keys = Array.from({ length: 500 }, (_, i) => cacheKey({ ...base, sampleIndex: i }));
    const values = keys.map((_, i) => ({ ...value, latencyMs: i }));
    // Before the batch is written, a get still sees the value.
    const writes = keys.map((k, i) => cache.set(k, values[i]));
    assert.deepEqual(await cache.get(keys[7]), values[7]);
    await Promise.all(writes);
    const text = await readFile(join(dir, LOG_NAME), 'utf8');
    assert.equal(text, keys.map((k, i) => encodeRecord(k, values[i])).join(''));
    const reader = new ResultCache(dir);
    for (let i = 0; i < keys.length; i++) assert.deepEqual(await reader.get(keys[i]), values[i]);
    assert.equal(reader.corrupt, 0);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a damaged record in the log is a miss, counted corrupt, never read as valid; the others still read', async () => {
  const dir = await tempDir();
  try {
    const key = cacheKey(base);
    const before = cacheKey({ ...base, sampleIndex: 1 });
    const after = cacheKey({ ...base, sampleIndex: 2 });
    const otherKey = cacheKey({ ...base, model: 'x' });
    const good = encodeRecord(key, value);
    const sum = good.split(' ')[2];
    const damaged: [string, string | Buffer, boolean][] = [
      // [name, the record's bytes, whether the index takes it (then get finds it corrupt)]
      ['flipped payload byte', good.replace('"latencyMs":12', '"latencyMs":13'), true],
      [
        'flipped checksum digit',
        good.replace(
          sum,
          sum.replace(/^./, (c) => (c === '0' ? '1' : '0')),
        ),
        true,
      ],
      ['valid checksum, wrong shape', `VLR1 ${key} ${sha256(`${key} {"response":{}}`)} 15 {"response":{}}\n`, true],
      ['a record of another key only', encodeRecord(otherKey, value), false],
      ['header key changed', good.replace(key, otherKey), false],
      ['length too long', good.replace(/ (\d+) \{/, (_m, n: string) => ` ${Number(n) + 1} {`), false],
      ['truncated by one byte', good.slice(0, -2) + '\n', false],
      ['truncated to the header', good.slice(0, good.indexOf('{')) + '\n', false],
      ['garbage bytes', Buffer.from([0, 255, 13, 10]), false],
      ['old format tag', good.replace(/^VLR\d+/, 'VLR0'), false],
      ['plain JSON', JSON.stringify(value) + '\n', false],
    ];
    for (const [name, record, indexed] of damaged) {
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir, { recursive: true });
      await writeFile(
        join(dir, LOG_NAME),
        Buffer.concat([Buffer.from(encodeRecord(before, value)), Buffer.from(record), Buffer.from(encodeRecord(after, value))]),
      );
      const cache = new ResultCache(dir);
      assert.equal(await cache.get(key), undefined, name);
      assert.equal(cache.corrupt, indexed ? 1 : 0, name);
      if (!name.startsWith('a record of another key')) assert.equal(await cache.get(otherKey), undefined, `${name}: no other key reads it`);
      assert.deepEqual(await cache.get(before), value, `${name}: the record before`);
      assert.deepEqual(await cache.get(after), value, `${name}: the record after`);
      // A good answer appended later replaces it.
      await cache.set(key, value);
      assert.deepEqual(await new ResultCache(dir).get(key), value, `${name}: rewritten`);
    }
    const cache = new ResultCache(dir);
    assert.equal(await cache.get('../../etc/passwd'), undefined);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a torn tail is a miss; a record appended after it (restart) reads; so does one by another instance', async () => {
  const dir = await tempDir();
  try {
    const keys = [0, 1, 2, 3].map((i) => cacheKey({ ...base, sampleIndex: i }));
    const first = new ResultCache(dir);
    await first.set(keys[0], value);
    // A writer killed mid-append leaves half a record without its newline.
    await appendFile(join(dir, LOG_NAME), encodeRecord(keys[1], value).slice(0, 100));
    const reader = new ResultCache(dir);
    assert.equal(await reader.get(keys[1]), undefined);
    assert.deepEqual(await reader.get(keys[0]), value);
    // The restarted writer appends after the torn bytes; the reader sees it on its next miss.
    await new ResultCache(dir).set(keys[2], value);
    assert.deepEqual(await reader.get(keys[2]), value);
    assert.equal(await reader.get(keys[1]), undefined);
    await first.set(keys[3], { ...value, latencyMs: 99 });
    assert.deepEqual(await reader.get(keys[3]), { ...value, latencyMs: 99 });
    assert.equal(reader.corrupt, 0);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('entries of the older one-file-per-answer layout are still read; damaged ones are misses', async () => {
  const dir = await tempDir();
  try {
    const cache = new ResultCache(dir);
    const key = cacheKey(base);
    const otherKey = cacheKey({ ...base, model: 'x' });
    const good = encodeEntry(key, value);
    await mkdir(join(dir, key.slice(0, 2)), { recursive: true });
    await writeFile(cache.pathOf(key), good);
    assert.deepEqual(await cache.get(key), value);
    const damaged: [string, string | Buffer][] = [
      ['truncated by one byte', good.slice(0, -1)],
      ['truncated to the header', good.slice(0, good.indexOf('\n') + 1)],
      ['header only without newline', good.slice(0, 20)],
      ['empty', ''],
      ['garbage bytes', Buffer.from([0, 255, 13, 10, 1, 2, 3])],
      ['flipped payload byte', good.replace('"latencyMs":12', '"latencyMs":13')],
      ['foreign entry (other key)', encodeEntry(otherKey, value)],
      ['old format tag', good.replace(/^VLC\d+/, 'VLC0')],
      ['plain JSON', JSON.stringify(value)],
      ['valid checksum, wrong shape', `${good.split(' ')[0]} ${key} ${sha256('{"response":{}}')}\n{"response":{}}`],
    ];
    for (const [name, content] of damaged) {
      const fresh = new ResultCache(dir);
      await writeFile(cache.pathOf(key), content);
      assert.equal(await fresh.get(key), undefined, name);
      assert.equal(fresh.corrupt, 1, name);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('several processes appending to one cache dir at once: every entry reads back intact', { timeout: 120_000 }, async () => {
  const dir = await tempDir();
  try {
    const writer = join(__dirname, 'crash-writer.ts');
    const per = 1500;
    const children = [0, 1, 2].map(
      (n) =>
        new Promise<void>((resolve, reject) => {
          const child = spawn(process.execPath, ['--import', 'tsx', writer, dir, String(n * per), String(per), `results-${n}.jsonl`], {
            stdio: ['ignore', 'ignore', 'pipe'],
          });
          let err = '';
          child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
          child.on('error', reject);
          child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`writer ${n} failed (${code}): ${err}`))));
        }),
    );
    await Promise.all(children);
    const cache = new ResultCache(join(dir, 'cache'));
    for (let i = 0; i < 3 * per; i++) assert.deepEqual(await cache.get(keyOf(i)), valueOf(i), `entry ${i}`);
    assert.equal(cache.corrupt, 0);
    const lines = (await readFile(join(dir, 'cache', LOG_NAME), 'utf8')).split('\n');
    assert.equal(lines.pop(), '');
    assert.equal(lines.length, 3 * per);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

test('a second identical run makes 0 requests; fresh bypasses reads; each changed part misses', async () => {
  const server = await startTestServer();
  const dir = await tempDir();
  try {
    const cache = new ResultCache(dir);
    const opts = { providers: (_p: string, e: string) => createTestProvider(e), cache };
    const plan = makePlan({ count: 12, endpoint: server.url });
    const first = await runPlan(plan, opts);
    assert.equal(first.requestsSent, 12);
    assert.equal(server.requests.length, 12);
    const second = await runPlan(plan, opts);
    assert.equal(second.requestsSent, 0);
    assert.equal(server.requests.length, 12);
    assert.ok(second.records.every((r) => r.kind === 'result' && r.cached));
    // Same numbers either way.
    assert.deepEqual(
      second.records.map((r) => (r.kind === 'result' ? r.probabilities : null)),
      first.records.map((r) => (r.kind === 'result' ? r.probabilities : null)),
    );
    const fresh = await runPlan(plan, { ...opts, fresh: true });
    assert.equal(fresh.requestsSent, 12);
    assert.ok(fresh.records.every((r) => r.kind === 'result' && !r.cached));

    // Changing one part of one request misses for that request only.
    const changed = makePlan({ count: 12, endpoint: server.url });
    changed[3] = {
      ...changed[3],
      cacheKey: cacheKey({
        provider: 'openai',
        endpoint: server.url,
        model: 'test-model',
        messages: changed[3].messages,
        params: { ...changed[3].params, temperature: 0.5 },
        method: 'logprobs',
        sampleIndex: 0,
      }),
    };
    const third = await runPlan(changed, opts);
    assert.equal(third.requestsSent, 1);
    const otherModel = await runPlan(makePlan({ count: 12, endpoint: server.url, model: 'other-model' }), opts);
    assert.equal(otherModel.requestsSent, 12);
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('errors are never cached: a failed request is asked again on the next run', async () => {
  let fail = true;
  const server = await startTestServer({ fault: () => (fail ? { kind: 'status', status: 401 } : { kind: 'ok' }) });
  const dir = await tempDir();
  try {
    const cache = new ResultCache(dir);
    const opts = { providers: (_p: string, e: string) => createTestProvider(e), cache };
    const plan = makePlan({ count: 3, endpoint: server.url });
    const first = await runPlan(plan, opts);
    assert.ok(first.records.every((r) => r.kind === 'failure'));
    assert.deepEqual(await readdir(dir).catch(() => []), []);
    fail = false;
    const second = await runPlan(plan, opts);
    assert.equal(second.requestsSent, 3);
    assert.ok(second.records.every((r) => r.kind === 'result' && !r.cached));
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('results store: one line per record, completion order; torn last line is reported, next append starts a new line', async () => {
  const server = await startTestServer();
  const dir = await tempDir();
  try {
    const path = join(dir, 'runs', 'run-1.jsonl');
    const store = new ResultsStore(path);
    const plan = makePlan({ count: 10, endpoint: server.url });
    const summary = await runPlan(plan, { providers: (_p, e) => createTestProvider(e), store });
    await store.close();
    const read = await readRunRecords(path);
    assert.deepEqual(read.badLines, []);
    assert.equal(read.records.length, 10);
    assert.deepEqual(new Set(read.records.map((r) => r.itemId)), new Set(summary.records.map((r) => r.itemId)));

    // Simulate a crash mid-line, then a new append after restart.
    await appendFile(path, '{"kind":"result","itemId":"Q9","lang');
    const torn = await readRunRecords(path);
    assert.equal(torn.records.length, 10);
    assert.deepEqual(torn.badLines, [11]);
    const again = new ResultsStore(path);
    await again.append(summary.records[0]);
    await again.close();
    const after = await readRunRecords(path);
    assert.equal(after.records.length, 11);
    assert.deepEqual(after.badLines, [11]);
    const text = await readFile(path, 'utf8');
    assert.equal(text.split('\n').filter(Boolean).length, 12);
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('kept in memory or read per entry, a log reads the same: damaged records are misses, appends by others are found', async () => {
  for (const keepBytes of [0, undefined]) {
    const dir = await tempDir();
    try {
      const keys = Array.from({ length: 200 }, (_, i) => cacheKey({ ...base, sampleIndex: i }));
      const records = keys.map((k, i) => encodeRecord(k, { ...value, latencyMs: i }));
      // Record 100: one payload byte changed after it was summed.
      records[100] = records[100].replace('"latencyMs":100', '"latencyMs":101');
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, LOG_NAME), records.join(''));
      const cache = new ResultCache(dir, { keepBytes });
      for (let i = 0; i < keys.length; i++) {
        const got = await cache.get(keys[i]);
        if (i === 100) assert.equal(got, undefined, `keepBytes ${keepBytes}: damaged record`);
        else assert.equal(got?.latencyMs, i, `keepBytes ${keepBytes}: record ${i}`);
      }
      assert.equal(cache.corrupt, 1);
      // Another process appends after this instance read the log: found on the miss.
      const late = cacheKey({ ...base, sampleIndex: 999 });
      await new ResultCache(dir).set(late, { ...value, latencyMs: 999 });
      assert.equal((await cache.get(late))?.latencyMs, 999, `keepBytes ${keepBytes}: appended later`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
});

test('has answers from the index: stored and just-set keys yes, others no, and nothing is decoded', async () => {
  const dir = await tempDir();
  try {
    const [stored, damaged, absent, fresh] = [0, 1, 2, 3].map((i) => cacheKey({ ...base, sampleIndex: i }));
    await mkdir(dir, { recursive: true });
    await writeFile(
      join(dir, LOG_NAME),
      encodeRecord(stored, value) + encodeRecord(damaged, value).replace('"latencyMs":12', '"latencyMs":13'),
    );
    const cache = new ResultCache(dir);
    assert.equal(await cache.has(stored), true);
    assert.equal(await cache.has(absent), false);
    assert.equal(await cache.has('not a key'), false);
    // An estimate may count a damaged record; reading it is still a miss.
    assert.equal(await cache.has(damaged), true);
    assert.equal(cache.corrupt, 0, 'has decoded nothing');
    assert.equal(await cache.get(damaged), undefined);
    const pending = cache.set(fresh, value);
    assert.equal(await cache.has(fresh), true, 'set, not yet written');
    await pending;
    assert.equal(await new ResultCache(dir).has(fresh), true);
    // hasAll: has for every key (an empty list has them all).
    const later = new ResultCache(dir);
    assert.equal(await later.hasAll([stored, damaged, fresh]), true);
    assert.equal(await later.hasAll([stored, absent, fresh]), false);
    assert.equal(await later.hasAll([stored, 'not a key']), false);
    assert.equal(await later.hasAll([]), true);
    // A key another process appended after the first scan: found on the miss, as has finds it.
    const appended = cacheKey({ ...base, sampleIndex: 4 });
    await new ResultCache(dir).set(appended, value);
    assert.equal(await later.hasAll([stored, appended]), true);
    assert.equal(later.corrupt, 0, 'hasAll decoded nothing');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
