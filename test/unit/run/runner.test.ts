// runPlan against a real loopback HTTP server: concurrency bound, retries with Retry-After, faults,
// timeouts, cancellation; every planned request ends as exactly one record.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runPlan, type RunOptions } from '../../../src/core/run/runner';
import type { PlannedRequest } from '../../../src/core/run/plan';
import { createMemoryLogger } from '../../../src/core/log';
import { createTestProvider, makePlan, startTestServer, type Fault, type TestServer } from './support';

const fast = { baseDelayMs: 20, maxDelayMs: 50 };

function options(server: TestServer, extra: Partial<RunOptions> = {}): RunOptions {
  return {
    providers: (_p, endpoint) => createTestProvider(endpoint),
    retry: fast,
    timeoutMs: 2_000,
    firstRequestTimeoutMs: 2_000,
    ...extra,
  };
}

function assertComplete(plan: PlannedRequest[], records: { itemId: string }[]): void {
  assert.equal(records.length, plan.length);
  plan.forEach((req, i) => assert.equal(records[i]?.itemId, req.identity.itemId, `record ${i} missing or misplaced`));
}

test('concurrency per endpoint never exceeds the bound, measured by the server', async () => {
  const server = await startTestServer({ latencyMs: 15 });
  try {
    const plan = makePlan({ count: 40, endpoint: server.url });
    const summary = await runPlan(plan, options(server, { concurrencyPerEndpoint: 3 }));
    assert.equal(server.peak, 3);
    assert.equal(server.requests.length, 40);
    assert.equal(summary.requestsSent, 40);
    assert.ok(summary.records.every((r) => r.kind === 'result'));
    assertComplete(plan, summary.records);
  } finally {
    await server.close();
  }
});

test('default concurrency is 4 for OpenAI-compatible and 2 for Ollama endpoints', async () => {
  // The first `bound` requests of each run are held long enough for the bound to fill on a loaded machine
  // (a 10 ms answer could come back before the 4th request was sent); one request over it would show.
  let bound = 4;
  let held = 0;
  const server = await startTestServer({ fault: () => ({ kind: 'ok', delayMs: held++ < bound ? 500 : 10 }) });
  try {
    await runPlan(makePlan({ count: 20, endpoint: server.url }), options(server));
    assert.equal(server.peak, 4);
    server.peak = 0;
    [bound, held] = [2, 0];
    await runPlan(makePlan({ count: 20, endpoint: server.url, provider: 'ollama', model: 'other' }), options(server));
    assert.equal(server.peak, 2);
  } finally {
    await server.close();
  }
});

// Retry-After in seconds, a fraction of one here (whole seconds: retry-after.slow.test.ts).
test('429 with Retry-After: 0.2, twice → exactly 3 attempts, each wait ≥ 200 ms', async () => {
  const server = await startTestServer({ fault: (n) => (n < 2 ? { kind: 'status', status: 429, retryAfter: '0.2' } : { kind: 'ok' }) });
  try {
    const plan = makePlan({ count: 1, endpoint: server.url });
    const summary = await runPlan(plan, options(server));
    assert.equal(server.requests.length, 3);
    const [a, b, c] = server.requests.map((r) => r.at);
    assert.ok(b - a >= 200, `first wait ${b - a} ms`);
    assert.ok(c - b >= 200, `second wait ${c - b} ms`);
    assert.ok(c - a < 1900, `waits far longer than asked: ${c - a} ms`);
    const record = summary.records[0];
    assert.equal(record.kind, 'result');
  } finally {
    await server.close();
  }
});

test('a 429 storm beyond maxAttempts ends as a failure with exactly maxAttempts attempts', async () => {
  const server = await startTestServer({ fault: () => ({ kind: 'status', status: 429, retryAfter: '0' }) });
  try {
    const summary = await runPlan(makePlan({ count: 2, endpoint: server.url }), options(server, { maxAttempts: 3 }));
    assert.equal(server.requests.length, 6);
    for (const r of summary.records) {
      assert.equal(r.kind, 'failure');
      if (r.kind === 'failure') {
        assert.equal(r.attempts, 3);
        assert.equal(r.error.status, 429);
      }
    }
  } finally {
    await server.close();
  }
});

test('Retry-After longer than the cap gives up instead of waiting less than asked', async () => {
  const server = await startTestServer({ fault: () => ({ kind: 'status', status: 429, retryAfter: '120' }) });
  try {
    const started = performance.now();
    const summary = await runPlan(makePlan({ count: 1, endpoint: server.url }), options(server));
    assert.ok(performance.now() - started < 1000);
    assert.equal(server.requests.length, 1);
    const r = summary.records[0];
    assert.ok(r.kind === 'failure' && /cap/.test(r.error.message), JSON.stringify(r));
  } finally {
    await server.close();
  }
});

test('503 (busy Ollama) then success is retried', async () => {
  const server = await startTestServer({ fault: (n) => (n === 0 ? { kind: 'status', status: 503 } : { kind: 'ok' }) });
  try {
    const summary = await runPlan(makePlan({ count: 1, endpoint: server.url }), options(server));
    assert.equal(server.requests.length, 2);
    assert.equal(summary.records[0].kind, 'result');
  } finally {
    await server.close();
  }
});

for (const status of [400, 401, 403, 404]) {
  test(`${status} is not retried (1 attempt)`, async () => {
    const server = await startTestServer({ fault: () => ({ kind: 'status', status }) });
    try {
      const summary = await runPlan(makePlan({ count: 1, endpoint: server.url }), options(server));
      assert.equal(server.requests.length, 1);
      const r = summary.records[0];
      assert.ok(r.kind === 'failure');
      assert.equal(r.attempts, 1);
      assert.equal(r.error.status, status);
      assert.equal(r.error.kind, 'http');
    } finally {
      await server.close();
    }
  });
}

test('a hung server times out at the budget, not before, then the retry succeeds', async () => {
  const server = await startTestServer({ fault: (n) => (n === 0 ? { kind: 'hang' } : { kind: 'ok' }) });
  try {
    const summary = await runPlan(
      makePlan({ count: 1, endpoint: server.url }),
      options(server, { timeoutMs: 400, firstRequestTimeoutMs: 400 }),
    );
    assert.equal(server.requests.length, 2);
    // Measured at the server; the first request may arrive a few ms after the client armed its timer. How
    // close to the budget it fires (±10%) is a wall-clock check: timeout-precision.slow.test.ts.
    const gap = server.requests[1].at - server.requests[0].at;
    assert.ok(gap >= 400 - 20, `timeout fired after ${gap} ms`);
    assert.equal(summary.records[0].kind, 'result');
  } finally {
    await server.close();
  }
});

test('a server that never answers fails with kind timeout after maxAttempts', async () => {
  const server = await startTestServer({ fault: () => ({ kind: 'hang' }) });
  try {
    const summary = await runPlan(
      makePlan({ count: 1, endpoint: server.url }),
      options(server, { timeoutMs: 100, firstRequestTimeoutMs: 100, maxAttempts: 2 }),
    );
    const r = summary.records[0];
    assert.ok(r.kind === 'failure');
    assert.equal(r.error.kind, 'timeout');
    assert.equal(r.attempts, 2);
  } finally {
    await server.close();
  }
});

test('the first request per (endpoint, model) gets the longer cold-start budget', async () => {
  // The first two answers take 300 ms. The first (cold, 1 s budget) passes; the second (warm, 150 ms budget)
  // times out once and its retry answers at once.
  const server = await startTestServer({ fault: (n) => ({ kind: 'ok', delayMs: n <= 1 ? 300 : 0 }) });
  try {
    const summary = await runPlan(
      makePlan({ count: 2, endpoint: server.url }),
      options(server, { timeoutMs: 150, firstRequestTimeoutMs: 1_000, concurrencyPerEndpoint: 1 }),
    );
    assert.deepEqual(
      summary.records.map((r) => r.kind),
      ['result', 'result'],
    );
    assert.equal(server.requests.length, 3);
  } finally {
    await server.close();
  }
});

test('a connection cut mid-body is retried', async () => {
  const server = await startTestServer({ fault: (n) => (n === 0 ? { kind: 'cut' } : { kind: 'ok' }) });
  try {
    const summary = await runPlan(makePlan({ count: 1, endpoint: server.url }), options(server));
    assert.equal(server.requests.length, 2);
    assert.equal(summary.records[0].kind, 'result');
  } finally {
    await server.close();
  }
});

test('a body that is not JSON is a parse failure, not retried; missing logprobs is a failure too', async () => {
  const server = await startTestServer({ fault: (n) => (n === 0 ? { kind: 'non-json' } : { kind: 'no-logprobs' }) });
  try {
    const summary = await runPlan(makePlan({ count: 2, endpoint: server.url }), options(server, { concurrencyPerEndpoint: 1 }));
    assert.equal(server.requests.length, 2);
    const kinds = summary.records.map((r) => (r.kind === 'failure' ? r.error.kind : 'result'));
    assert.deepEqual(kinds, ['parse', 'no-logprobs']);
  } finally {
    await server.close();
  }
});

const cancelCases: { name: string; fault: (n: number) => Fault; timeoutMs?: number }[] = [
  { name: 'a Retry-After wait', fault: () => ({ kind: 'status', status: 429, retryAfter: '5' }) },
  { name: 'a 503 backoff', fault: () => ({ kind: 'status', status: 503 }) },
  { name: 'a hung request', fault: () => ({ kind: 'hang' }) },
  { name: 'a slow answer', fault: () => ({ kind: 'ok', delayMs: 5_000 }) },
  { name: 'cut connections', fault: () => ({ kind: 'cut', delayMs: 100 }) },
  { name: 'non-JSON bodies', fault: () => ({ kind: 'non-json', delayMs: 100 }) },
];

for (const c of cancelCases) {
  test(`cancel during ${c.name}: resolves at once (< 1 s, where the run had seconds left), every planned request is a record`, async () => {
    const server = await startTestServer({ fault: c.fault });
    try {
      const plan = makePlan({ count: 30, endpoint: server.url });
      const controller = new AbortController();
      const logger = createMemoryLogger();
      const retry = c.name === 'a 503 backoff' ? { baseDelayMs: 5_000, maxDelayMs: 5_000, random: () => 0.99 } : fast;
      const provider = createTestProvider(server.url);
      const running = runPlan(plan, {
        ...options(server, { timeoutMs: 10_000, firstRequestTimeoutMs: 10_000, logger }),
        providers: () => provider,
        retry,
        signal: controller.signal,
      });
      await new Promise((r) => setTimeout(r, 300));
      const callsAtCancel = provider.calls;
      const started = performance.now();
      controller.abort();
      const summary = await running;
      const elapsed = performance.now() - started;
      // Every case had seconds still to go (5 s waits, 10 s timeouts, ~3 s of cut or garbled answers with
      // retries); 1 s tells a prompt cancel from one that waited, also with other test files on the cores.
      assert.ok(elapsed < 1000, `cancel took ${elapsed.toFixed(0)} ms`);
      assert.equal(summary.cancelled, true);
      assertComplete(plan, summary.records);
      const cancelled = summary.records.filter((r) => r.kind === 'failure' && r.error.kind === 'cancelled').length;
      const other = summary.records.length - cancelled;
      // Only requests that had already been answered may end otherwise; the rest are recorded as cancelled.
      assert.ok(cancelled > 0 && other <= callsAtCancel, `${cancelled} cancelled, ${other} otherwise, ${callsAtCancel} calls`);
      // Nothing new is started after the cancel (a request already on the wire may still reach the server).
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(provider.calls, callsAtCancel);
      assert.ok(server.requests.length <= callsAtCancel);
    } finally {
      await server.close();
    }
  });
}

test('in-flight requests are aborted at the socket on cancel', async () => {
  const server = await startTestServer({ fault: () => ({ kind: 'hang' }) });
  try {
    const controller = new AbortController();
    const running = runPlan(makePlan({ count: 4, endpoint: server.url }), { ...options(server), signal: controller.signal });
    await new Promise((r) => setTimeout(r, 150));
    controller.abort();
    await running;
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(server.clientAborts, 4);
  } finally {
    await server.close();
  }
});

test('progress events count up to the plan length; logger never sees the API key', async () => {
  const key = 'sk-CANARY-0123456789abcdef';
  const server = await startTestServer({ fault: (n) => (n % 3 === 0 ? { kind: 'status', status: 401 } : { kind: 'ok' }) });
  try {
    const logger = createMemoryLogger();
    const progress: number[] = [];
    const plan = makePlan({ count: 9, endpoint: server.url });
    const summary = await runPlan(plan, {
      ...options(server, { logger }),
      providers: (_p, e) => createTestProvider(e, key),
      onProgress: (p) => progress.push(p.done),
    });
    assert.deepEqual(progress, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.equal(server.requests[0].authorization, `Bearer ${key}`);
    const logged = JSON.stringify(logger.entries);
    assert.ok(logger.entries.length > 0);
    assert.ok(!logged.includes(key) && !logged.includes('CANARY'));
    assert.ok(!JSON.stringify(summary.records).includes(key));
  } finally {
    await server.close();
  }
});

test('a provider that throws synchronously or a factory that throws still yields records', async () => {
  const plan = makePlan({ count: 3, endpoint: 'http://127.0.0.1:9/v1' });
  const summary = await runPlan(plan, {
    providers: () => {
      throw new Error('bad endpoint');
    },
  });
  assert.equal(summary.records.length, 3);
  assert.ok(summary.records.every((r) => r.kind === 'failure' && r.error.kind === 'config'));
  const refused = await runPlan(plan, { providers: (_p, e) => createTestProvider(e), maxAttempts: 2, retry: fast });
  assert.ok(refused.records.every((r) => r.kind === 'failure' && r.error.kind === 'network' && r.attempts === 2));
});

test('a sample-method plan scores N samples per request', async () => {
  const server = await startTestServer();
  try {
    const summary = await runPlan(makePlan({ count: 2, endpoint: server.url, method: 'sample', samples: 20 }), options(server));
    assert.equal(server.requests.length, 2);
    for (const r of summary.records) {
      assert.ok(r.kind === 'result');
      assert.equal(r.samples, 20);
      const total = Object.values(r.probabilities).reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(total - 1) < 1e-9);
    }
  } finally {
    await server.close();
  }
});

test('identical requests in one plan share one call', async () => {
  const server = await startTestServer({ latencyMs: 20 });
  try {
    const one = makePlan({ count: 3, endpoint: server.url });
    const plan = [...one, ...one.map((r) => ({ ...r, index: r.index + 3 })), ...one.map((r) => ({ ...r, index: r.index + 6 }))];
    const summary = await runPlan(plan, options(server));
    assert.equal(server.requests.length, 3);
    assert.equal(summary.records.length, 9);
    assert.ok(summary.records.every((r) => r.kind === 'result'));
  } finally {
    await server.close();
  }
});

test('canary key: 0 occurrences in logs (all levels), records, cache files and the results file, errors included', async () => {
  const { mkdtemp, readdir, readFile, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { ResultCache } = await import('../../../src/core/run/cache');
  const { ResultsStore } = await import('../../../src/core/run/store');
  const key = 'sk-CANARY-feedface0123456789';
  const forms = [key, Buffer.from(key).toString('base64'), encodeURIComponent(key), 'CANARY'];
  const faults: Fault[] = [
    { kind: 'status', status: 401 },
    { kind: 'status', status: 429, retryAfter: '0' },
    { kind: 'cut' },
    { kind: 'non-json' },
    { kind: 'ok' },
  ];
  const server = await startTestServer({ fault: (n) => faults[n % faults.length] });
  const dir = await mkdtemp(join(tmpdir(), 'vl-canary-'));
  try {
    const logger = createMemoryLogger();
    const store = new ResultsStore(join(dir, 'run.jsonl'));
    const summary = await runPlan(makePlan({ count: 20, endpoint: server.url }), {
      ...options(server, { logger }),
      providers: (_p, e) => {
        const p = createTestProvider(e, key);
        // A provider whose errors quote the key (as some servers echo it back) must still not leak it.
        return {
          ...p,
          complete: (r) =>
            p.complete(r).catch((error: Error) => {
              throw Object.assign(error, { message: `${error.message} (key ${key})` });
            }),
        };
      },
      cache: new ResultCache(join(dir, 'cache')),
      store,
    });
    await store.close();
    assert.ok(server.requests.every((r) => r.authorization === `Bearer ${key}`));
    assert.ok(summary.records.some((r) => r.kind === 'failure') && summary.records.some((r) => r.kind === 'result'));
    const texts = [JSON.stringify(logger.entries), JSON.stringify(summary.records)];
    for (const f of await readdir(dir, { recursive: true })) {
      const path = join(dir, f);
      if (f.endsWith('.json') || f.endsWith('.jsonl')) texts.push(await readFile(path, 'utf8'));
    }
    for (const text of texts) for (const form of forms) assert.ok(!text.includes(form), `found ${form}`);
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('AIMD: a server that answers 503 beyond one parallel request makes the bound adapt; all requests succeed', async () => {
  // Like Ollama with NUM_PARALLEL=1 and a full queue: any second concurrent request is refused.
  let refused = 0;
  const server = await startTestServer({
    latencyMs: 10,
    fault: (_n, _body, active) => {
      if (active > 1) {
        refused++;
        return { kind: 'status', status: 503, retryAfter: '0' };
      }
      return { kind: 'ok' };
    },
  });
  try {
    const plan = makePlan({ count: 40, endpoint: server.url });
    const summary = await runPlan(plan, options(server, { concurrencyPerEndpoint: 4 }));
    assert.ok(
      summary.records.every((r) => r.kind === 'result'),
      JSON.stringify(summary.records.find((r) => r.kind === 'failure')),
    );
    // Without adaptation about 3 of every 4 attempts would be refused; with it, only a few probes are.
    assert.ok(refused < 40, `${refused} refusals for 40 requests`);
    process.stdout.write(`# AIMD: ${refused} refusals, ${summary.requestsSent} attempts for 40 requests\n`);
  } finally {
    await server.close();
  }
});
