// Retry-After in whole seconds end to end, with the real waits (the fast tier's runner.test.ts and
// providers.test.ts send 0.2 s): the generic loopback server and both real providers against their fakes;
// each wait is at least the second asked for, and exactly three attempts are made.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ModelProvider } from '../../../src/core/model';
import { runPlan } from '../../../src/core/run/runner';
import { createOllamaProvider } from '../../../src/providers/ollama';
import { createOpenAIProvider } from '../../../src/providers/openai';
import { startFakeOllama } from '../../support/fake-ollama';
import { startFakeOpenAI } from '../../support/fake-openai';
import { createTestProvider, makePlan, startTestServer } from './support';

const fast = { baseDelayMs: 20, maxDelayMs: 50 };

test('429 with Retry-After: 1, twice → exactly 3 attempts, each wait ≥ 1000 ms', async () => {
  const server = await startTestServer({ fault: (n) => (n < 2 ? { kind: 'status', status: 429, retryAfter: '1' } : { kind: 'ok' }) });
  try {
    const summary = await runPlan(makePlan({ count: 1, endpoint: server.url }), {
      providers: (_p, endpoint) => createTestProvider(endpoint),
      retry: fast,
      timeoutMs: 2_000,
      firstRequestTimeoutMs: 2_000,
    });
    assert.equal(server.requests.length, 3);
    const [a, b, c] = server.requests.map((r) => r.at);
    assert.ok(b - a >= 1000, `first wait ${b - a} ms`);
    assert.ok(c - b >= 1000, `second wait ${c - b} ms`);
    assert.ok(c - a < 3500, `waits far longer than asked: ${c - a} ms`);
    assert.equal(summary.records[0].kind, 'result');
  } finally {
    await server.close();
  }
});

for (const kind of ['openai', 'ollama'] as const) {
  test(`${kind}: 2 × 429 with Retry-After: 1 → exactly 3 attempts, waits ≥ 1 s`, async () => {
    const faults = [
      { kind: 'rateLimit', retryAfterSeconds: 1 },
      { kind: 'rateLimit', retryAfterSeconds: 1 },
    ] as const;
    const server = kind === 'openai' ? await startFakeOpenAI({ faults: [...faults] }) : await startFakeOllama({ faults: [...faults] });
    const endpoint = kind === 'openai' ? `${server.url}/v1` : server.url;
    const providers = (): ModelProvider =>
      kind === 'openai' ? createOpenAIProvider({ baseURL: endpoint }) : createOllamaProvider({ host: endpoint });
    try {
      const summary = await runPlan(makePlan({ count: 1, endpoint, provider: kind, model: 'fake-llm:latest' }), { providers, retry: fast });
      const calls = server.modelRequests();
      assert.equal(calls.length, 3);
      assert.ok(calls[1].at - calls[0].at >= 1000, `wait ${calls[1].at - calls[0].at} ms`);
      assert.ok(calls[2].at - calls[1].at >= 1000, `wait ${calls[2].at - calls[1].at} ms`);
      assert.equal(summary.records[0].kind, 'result');
    } finally {
      await server.close();
    }
  });
}
