// The on-disk cache and the JSONL results store: hits, misses per key part, damaged entries, atomicity.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { ResultCache, encodeEntry, type CachedResponse } from '../../../src/core/run/cache';
import { cacheKey, type CacheKeyParts } from '../../../src/core/run/key';
import { runPlan } from '../../../src/core/run/runner';
import { ResultsStore, readRunRecords } from '../../../src/core/run/store';
import { createTestProvider, makePlan, startTestServer } from './support';

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'vl-cache-'));
}

const value: CachedResponse = {
  response: { model: 'm', choices: [{ text: '2', firstTokenLogprobs: [{ token: '2', logprob: -0.1 }] }], usage: { promptTokens: 10, completionTokens: 1 } },
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

test('set then get returns the value; layout is <dir>/<2 hex>/<key>.json with no temp files left', async () => {
  const dir = await tempDir();
  try {
    const cache = new ResultCache(dir);
    const key = cacheKey(base);
    assert.equal(await cache.get(key), undefined);
    await cache.set(key, value);
    assert.deepEqual(await cache.get(key), value);
    assert.deepEqual(await readdir(join(dir, key.slice(0, 2))), [`${key}.json`]);
    await cache.clear();
    assert.equal(await cache.get(key), undefined);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('corrupt, truncated, garbage, empty, foreign and old-format entries are misses, never crashes', async () => {
  const dir = await tempDir();
  try {
    const cache = new ResultCache(dir);
    const key = cacheKey(base);
    const otherKey = cacheKey({ ...base, model: 'x' });
    const good = encodeEntry(key, value);
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
      await mkdir(join(dir, key.slice(0, 2)), { recursive: true });
      await writeFile(cache.pathOf(key), content);
      assert.equal(await cache.get(key), undefined, name);
    }
    assert.equal(cache.corrupt, damaged.length);
    // A directory where the file should be is a miss too, and a good write still works afterwards.
    await rm(cache.pathOf(key), { force: true });
    await cache.set(key, value);
    assert.deepEqual(await cache.get(key), value);
    assert.equal(await cache.get('../../etc/passwd'), undefined);
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
    changed[3] = { ...changed[3], cacheKey: cacheKey({ provider: 'openai', endpoint: server.url, model: 'test-model', messages: changed[3].messages, params: { ...changed[3].params, temperature: 0.5 }, method: 'logprobs', sampleIndex: 0 }) };
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
