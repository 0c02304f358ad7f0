// Retry policy maths: which errors retry, backoff bounds with injected jitter, Retry-After parsing.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProviderError } from '../../../src/core/model';
import { DEFAULT_RETRY_POLICY, backoffDelay, decideRetry, parseRetryAfter, sleep } from '../../../src/core/run/retry';
import { Limiter } from '../../../src/core/run/scheduler';

const policy = (random: number) => ({ ...DEFAULT_RETRY_POLICY, random: () => random });

test('retryable: 408, 409, 429, 5xx, timeouts, network, connection codes; not 400/401/403/404/422, parse or abort', () => {
  for (const status of [408, 409, 429, 500, 502, 503, 504])
    assert.equal(decideRetry(new ProviderError('x', 'http', status), 1, policy(0.5)).retry, true, String(status));
  for (const status of [400, 401, 403, 404, 422])
    assert.equal(decideRetry(new ProviderError('x', 'http', status), 1, policy(0.5)).retry, false, String(status));
  assert.equal(decideRetry(new ProviderError('x', 'timeout'), 1, policy(0.5)).retry, true);
  assert.equal(decideRetry(new ProviderError('x', 'network'), 1, policy(0.5)).retry, true);
  assert.equal(decideRetry(new ProviderError('x', 'parse'), 1, policy(0.5)).retry, false);
  assert.equal(decideRetry(new ProviderError('x', 'aborted'), 1, policy(0.5)).retry, false);
  assert.equal(decideRetry(Object.assign(new Error('reset'), { code: 'ECONNRESET' }), 1, policy(0.5)).retry, true);
  assert.equal(decideRetry(new TypeError('bug'), 1, policy(0.5)).retry, false);
  assert.equal(decideRetry(new ProviderError('x', 'http', 503), 4, policy(0.5)).retry, false, 'max attempts');
});

test('full-jitter backoff: bounded by min(cap, base·2^(k-1)); jitter 0 → 0, jitter→1 → the ceiling', () => {
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6].map((k) => backoffDelay(k, policy(0.999999))),
    [499, 999, 1999, 3999, 7999, 7999],
  );
  assert.deepEqual(
    [1, 2, 3].map((k) => backoffDelay(k, policy(0))),
    [0, 0, 0],
  );
});

test('Retry-After is never shortened, gets ≤ 10% jitter, and a wait beyond the cap ends the request', () => {
  const d = decideRetry(new ProviderError('x', 'http', 429, 1000), 1, policy(0.999));
  assert.ok(d.retry && d.delayMs >= 1000 && d.delayMs <= 1100, JSON.stringify(d));
  const d0 = decideRetry(new ProviderError('x', 'http', 429, 1000), 1, policy(0));
  assert.ok(d0.retry && d0.delayMs === 1000);
  const far = decideRetry(new ProviderError('x', 'http', 429, 61_000), 1, policy(0));
  assert.equal(far.retry, false);
});

test('parseRetryAfter: seconds, retry-after-ms, HTTP date, junk', () => {
  const h = (o: Record<string, string>) => new Headers(o);
  assert.equal(parseRetryAfter(h({ 'retry-after': '2' })), 2000);
  assert.equal(parseRetryAfter(h({ 'retry-after': '0.5' })), 500);
  assert.equal(parseRetryAfter(h({ 'retry-after-ms': '250', 'retry-after': '9' })), 250);
  const now = Date.parse('2026-01-01T00:00:00Z');
  assert.equal(parseRetryAfter(h({ 'retry-after': 'Thu, 01 Jan 2026 00:00:03 GMT' }), now), 3000);
  assert.equal(parseRetryAfter(h({ 'retry-after': 'soon' })), undefined);
  assert.equal(parseRetryAfter(h({ 'retry-after': '-1' })), undefined);
  assert.equal(parseRetryAfter(h({})), undefined);
});

test('sleep rejects at once on abort', async () => {
  const c = new AbortController();
  const started = performance.now();
  const p = sleep(10_000, c.signal);
  setTimeout(() => c.abort(), 10);
  await assert.rejects(p);
  // < 1 s, not tighter: the machine may be loaded; a missed abort would wait the full 10 s.
  assert.ok(performance.now() - started < 1000);
});

test('Limiter: FIFO, bound respected, front-of-queue retries, abort drops waiters', async () => {
  const limiter = new Limiter(2);
  const order: number[] = [];
  const releases: (() => void)[] = [];
  const take = (i: number, front = false, signal?: AbortSignal) =>
    limiter.acquire(signal, front).then((release) => {
      order.push(i);
      releases.push(release);
    });
  const c = new AbortController();
  const all = [take(0), take(1), take(2), take(3), take(4, true)];
  const dropped = take(5, false, c.signal);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(order, [0, 1]);
  assert.equal(limiter.inFlight, 2);
  assert.equal(limiter.waiting, 4);
  c.abort();
  await assert.rejects(dropped);
  assert.equal(limiter.waiting, 3);
  releases[0]();
  releases[0]();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(order, [0, 1, 4], 'a double release must not free two slots');
  releases[1]();
  releases[2]();
  await new Promise((r) => setImmediate(r));
  releases[3]();
  releases[4]();
  await Promise.all(all);
  assert.deepEqual(order, [0, 1, 4, 2, 3]);
  assert.equal(limiter.peak, 2);
});
