// How closely a request timeout fires to its budget, on the wall clock (the fast tier's runner.test.ts checks
// only that it fires, not before the budget, and that the retry succeeds): a hung loopback server, a 400 ms
// budget, the gap between the first request and its retry at the server within 10% (+60 ms of delivery
// and backoff) of the budget. Run at the slow tier's concurrency of 2, where the cores are not oversubscribed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runPlan } from '../../../src/core/run/runner';
import { createTestProvider, makePlan, startTestServer } from './support';

test('a hung server times out at the budget (±10%), then the retry succeeds', async () => {
  const server = await startTestServer({ fault: (n) => (n === 0 ? { kind: 'hang' } : { kind: 'ok' }) });
  try {
    const summary = await runPlan(makePlan({ count: 1, endpoint: server.url }), {
      providers: (_p, endpoint) => createTestProvider(endpoint),
      retry: { baseDelayMs: 20, maxDelayMs: 50 },
      timeoutMs: 400,
      firstRequestTimeoutMs: 400,
    });
    assert.equal(server.requests.length, 2);
    const gap = server.requests[1].at - server.requests[0].at;
    assert.ok(gap >= 400 - 20 && gap < 400 * 1.1 + 60, `timeout fired after ${gap} ms`);
    assert.equal(summary.records[0].kind, 'result');
  } finally {
    await server.close();
  }
});
