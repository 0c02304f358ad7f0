// Fault injection end to end: runPlan with the real providers (openai SDK, ollama client) against the
// loopback fakes of test/support. Exact attempts, waits not shorter than Retry-After, cancel at once, and
// every planned request ends as a record.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ModelProvider } from '../../../src/core/model';
import { runPlan } from '../../../src/core/run/runner';
import { createOllamaProvider } from '../../../src/providers/ollama';
import { createOpenAIProvider } from '../../../src/providers/openai';
import { startFakeOllama, type FakeServer, type Fault } from '../../support/fake-ollama';
import { startFakeOpenAI } from '../../support/fake-openai';
import { makePlan } from './support';

type Kind = 'openai' | 'ollama';

async function start(
  kind: Kind,
  faults: Fault[] = [],
  fault: Fault | null = null,
): Promise<{ server: FakeServer; endpoint: string; providers: () => ModelProvider }> {
  const server = kind === 'openai' ? await startFakeOpenAI({ faults, fault }) : await startFakeOllama({ faults, fault });
  const endpoint = kind === 'openai' ? `${server.url}/v1` : server.url;
  const providers = (): ModelProvider =>
    kind === 'openai' ? createOpenAIProvider({ baseURL: endpoint }) : createOllamaProvider({ host: endpoint });
  return { server, endpoint, providers };
}

const fast = { baseDelayMs: 20, maxDelayMs: 50 };

for (const kind of ['openai', 'ollama'] as const) {
  // Retry-After in seconds, a fraction of one here (whole seconds: retry-after.slow.test.ts).
  test(`${kind}: 2 × 429 with Retry-After: 0.2 → exactly 3 attempts, waits ≥ 200 ms`, async () => {
    const { server, endpoint, providers } = await start(kind, [
      { kind: 'rateLimit', retryAfterSeconds: 0.2 },
      { kind: 'rateLimit', retryAfterSeconds: 0.2 },
    ]);
    try {
      const summary = await runPlan(makePlan({ count: 1, endpoint, provider: kind, model: 'fake-llm:latest' }), { providers, retry: fast });
      const calls = server.modelRequests();
      assert.equal(calls.length, 3);
      assert.ok(calls[1].at - calls[0].at >= 200, `wait ${calls[1].at - calls[0].at} ms`);
      assert.ok(calls[2].at - calls[1].at >= 200, `wait ${calls[2].at - calls[1].at} ms`);
      assert.equal(summary.records[0].kind, 'result');
    } finally {
      await server.close();
    }
  });

  test(`${kind}: busy 503, cut mid-body → retried; 401 → 1 attempt; non-JSON → failure; missing logprobs → failure`, async () => {
    const { server, endpoint, providers } = await start(kind, [{ kind: 'busy' }, { kind: 'cut' }]);
    try {
      const one = await runPlan(makePlan({ count: 1, endpoint, provider: kind, model: 'fake-llm:latest' }), { providers, retry: fast });
      assert.equal(server.modelRequests().length, 3);
      assert.equal(one.records[0].kind, 'result');

      server.setBehaviour({ fault: { kind: 'unauthorized' } });
      const denied = await runPlan(makePlan({ count: 1, endpoint, provider: kind, model: 'other' }), { providers, retry: fast });
      const r = denied.records[0];
      assert.ok(r.kind === 'failure' && r.attempts === 1 && r.error.status === 401, JSON.stringify(r));

      server.setBehaviour({ fault: { kind: 'nonJson' } });
      const garbled = await runPlan(makePlan({ count: 1, endpoint, provider: kind, model: 'third' }), { providers, retry: fast });
      assert.equal(garbled.records[0].kind, 'failure');

      server.setBehaviour({ fault: { kind: 'noLogprobs' } });
      const bare = await runPlan(makePlan({ count: 1, endpoint, provider: kind, model: 'fourth' }), { providers, retry: fast });
      const b = bare.records[0];
      assert.ok(b.kind === 'failure' && b.error.kind === 'no-logprobs', JSON.stringify(b));
    } finally {
      await server.close();
    }
  });

  for (const [name, fault] of [
    ['a hung server', { kind: 'hang' }],
    ['Retry-After waits', { kind: 'rateLimit', retryAfterSeconds: 5 }],
    ['slow answers', { kind: 'slow', delayMs: 5_000 }],
  ] as [string, Fault][]) {
    test(`${kind}: cancel during ${name} resolves at once (< 1 s of 5–10 s left) with every request recorded`, async () => {
      const { server, endpoint, providers } = await start(kind, [], fault);
      try {
        const plan = makePlan({ count: 12, endpoint, provider: kind, model: 'fake-llm:latest' });
        const controller = new AbortController();
        let calls = 0;
        const inner = providers();
        const counted: ModelProvider = {
          id: inner.id,
          origin: inner.origin,
          listModels: (sig) => inner.listModels(sig),
          complete: (r) => (calls++, inner.complete(r)),
        };
        const running = runPlan(plan, {
          providers: () => counted,
          retry: fast,
          signal: controller.signal,
          timeoutMs: 10_000,
          firstRequestTimeoutMs: 10_000,
        });
        await new Promise((r) => setTimeout(r, 250));
        const sent = calls;
        assert.ok(sent >= 1);
        const t0 = performance.now();
        controller.abort();
        const summary = await running;
        const elapsed = performance.now() - t0;
        // The faults had 5–10 s to go; 1 s tells a prompt cancel from a wait, also with other files running.
        assert.ok(elapsed < 1000, `cancel took ${elapsed.toFixed(0)} ms`);
        assert.equal(summary.records.length, plan.length);
        assert.ok(summary.records.every((rec) => rec.kind === 'failure' && rec.error.kind === 'cancelled'));
        await new Promise((r) => setTimeout(r, 50));
        assert.equal(calls, sent, 'nothing is started after the cancel');
        assert.ok(server.modelRequests().length <= sent);
      } finally {
        await server.close();
      }
    });
  }

  test(`${kind}: a sample run of N=20 scores 20 samples per distribution`, async () => {
    const { server, endpoint, providers } = await start(kind);
    try {
      const summary = await runPlan(
        makePlan({ count: 2, endpoint, provider: kind, model: 'fake-llm:latest', method: 'sample', samples: 20 }),
        { providers },
      );
      assert.equal(server.modelRequests().length, kind === 'openai' ? 2 : 40);
      for (const r of summary.records) assert.ok(r.kind === 'result' && r.samples === 20, JSON.stringify(r));
    } finally {
      await server.close();
    }
  });
}
