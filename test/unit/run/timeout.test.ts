// --timeout bounds every attempt, also before the first success; the model-loading allowance
// (--first-timeout) is separate, spent once per request, and bounds the probe too. Against a server that
// accepts and never answers. No wall-clock thresholds: the attempt counts and the timeout handed to the
// provider are what is asserted (the run finishing at all shows that nothing waited on a default).

import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import type { CompletionRequest, ModelProvider } from '../../../src/core/model';
import { resolveChoices } from '../../../src/core/run/prepare';
import {
  DEFAULT_FIRST_REQUEST_TIMEOUT_MS,
  DEFAULT_TIMEOUT_MS,
  resolveTimeouts,
  runPlan,
  type RunOptions,
} from '../../../src/core/run/runner';
import type { ScoreFailure } from '../../../src/core/results';
import { createOpenAIProvider } from '../../../src/providers/openai';
import { clearProbeCache, probeLogprobs } from '../../../src/providers/probe';
import { startFakeOpenAI, type FakeServer } from '../../support/fake-openai';
import { makePlan } from './support';

let fake: FakeServer;
before(async () => {
  fake = await startFakeOpenAI();
});
after(async () => {
  await fake.close();
});

/** The real provider, recording the timeout each call was given. */
function recording(): { budgets: number[]; options: Pick<RunOptions, 'providers'> } {
  const budgets: number[] = [];
  const wrap = (inner: ModelProvider): ModelProvider => ({
    ...inner,
    id: inner.id,
    origin: inner.origin,
    complete(request: CompletionRequest) {
      budgets.push(request.timeoutMs);
      return inner.complete(request);
    },
  });
  return { budgets, options: { providers: (_p, endpoint) => wrap(createOpenAIProvider({ baseURL: endpoint })) } };
}

const fast = { baseDelayMs: 1, maxDelayMs: 2, random: () => 0 };

test('resolveTimeouts: a timeout the user sets applies to the first attempts too; the allowance only when asked for', () => {
  assert.deepEqual(resolveTimeouts({}), { timeoutMs: DEFAULT_TIMEOUT_MS, firstRequestTimeoutMs: DEFAULT_FIRST_REQUEST_TIMEOUT_MS });
  assert.deepEqual(resolveTimeouts({ timeoutMs: 2000 }), { timeoutMs: 2000, firstRequestTimeoutMs: 2000 });
  assert.deepEqual(resolveTimeouts({ timeoutMs: 2000, firstRequestTimeoutMs: 30_000 }), { timeoutMs: 2000, firstRequestTimeoutMs: 30_000 });
  assert.deepEqual(resolveTimeouts({ firstRequestTimeoutMs: 300_000 }), { timeoutMs: DEFAULT_TIMEOUT_MS, firstRequestTimeoutMs: 300_000 });
  // never below the per-attempt timeout
  assert.deepEqual(resolveTimeouts({ timeoutMs: 5000, firstRequestTimeoutMs: 1000 }), { timeoutMs: 5000, firstRequestTimeoutMs: 5000 });
  // the shared run defaults (prepare.ts) follow the same rule
  const prepared = resolveChoices('logprobs', { timeoutMs: 2000 });
  assert.equal(prepared.timeoutMs, 2000);
  assert.equal(prepared.firstRequestTimeoutMs, 2000);
  assert.equal(resolveChoices('logprobs', {}).firstRequestTimeoutMs, DEFAULT_FIRST_REQUEST_TIMEOUT_MS);
});

test('a server that never answers: --timeout alone bounds all 4 attempts of a cold model', async () => {
  fake.setBehaviour({ fault: { kind: 'hang' } });
  fake.requests.length = 0;
  const { budgets, options } = recording();
  const plan = makePlan({ count: 1, endpoint: `${fake.url}/v1`, model: 'fake-llm:latest' });
  const summary = await runPlan(plan, { ...options, timeoutMs: 150, maxAttempts: 4, retry: fast });
  const [record] = summary.records as ScoreFailure[];
  assert.equal(record.kind, 'failure');
  assert.equal(record.error.kind, 'timeout');
  assert.equal(record.attempts, 4);
  assert.deepEqual(budgets, [150, 150, 150, 150], 'no 180 s first-request default');
  // Each attempt is one HTTP request (a request still on its way when its 150 ms ran out may not be logged).
  assert.ok(fake.modelRequests().length >= 3 && fake.modelRequests().length <= 4, `${fake.modelRequests().length} requests`);
  fake.setBehaviour({ fault: null });
});

test('the loading allowance is used once per request; a retry after it timed out gets --timeout', async () => {
  fake.setBehaviour({ fault: { kind: 'hang' } });
  const { budgets, options } = recording();
  const plan = makePlan({ count: 1, endpoint: `${fake.url}/v1`, model: 'fake-llm:latest' });
  const summary = await runPlan(plan, { ...options, timeoutMs: 100, firstRequestTimeoutMs: 300, maxAttempts: 3, retry: fast });
  assert.equal((summary.records[0] as ScoreFailure).attempts, 3);
  assert.deepEqual(budgets, [300, 100, 100]);
  fake.setBehaviour({ fault: null });
});

test('once the model has answered, later requests get --timeout, not the allowance', async () => {
  fake.setBehaviour({ fault: null, faults: [] });
  const { budgets, options } = recording();
  const plan = makePlan({ count: 2, endpoint: `${fake.url}/v1`, model: 'fake-llm:latest' });
  let served = 0;
  const summary = await runPlan(plan, {
    ...options,
    concurrencyPerEndpoint: 1,
    timeoutMs: 100,
    firstRequestTimeoutMs: 5000,
    maxAttempts: 2,
    retry: fast,
    // After the first answer the server stops answering.
    onRecord: () => {
      if (++served === 1) fake.setBehaviour({ fault: { kind: 'hang' } });
    },
  });
  assert.deepEqual(summary.records.map((r) => r.kind).sort(), ['failure', 'result']);
  assert.deepEqual(budgets, [5000, 100, 100]);
  fake.setBehaviour({ fault: null });
});

test('the probe is bounded by the allowance it is given and reports a timeout, not a cancel', async () => {
  clearProbeCache();
  fake.setBehaviour({ fault: { kind: 'hang' } });
  fake.requests.length = 0;
  const budgets: number[] = [];
  const inner = createOpenAIProvider({ baseURL: `${fake.url}/v1` });
  const provider: ModelProvider = { ...inner, complete: (r) => (budgets.push(r.timeoutMs), inner.complete(r)) };
  await assert.rejects(
    probeLogprobs(provider, 'fake-llm:latest', new AbortController().signal, { timeoutMs: 150 }),
    (e: Error & { kind?: string }) => e.kind === 'timeout',
  );
  // As prepare.ts calls it: its own deadline on the signal, the same value as the request's.
  await assert.rejects(
    probeLogprobs(provider, 'fake-llm:latest', AbortSignal.timeout(120), { timeoutMs: 120 }),
    (e: Error & { kind?: string }) => e.kind === 'timeout',
  );
  assert.deepEqual(budgets, [150, 120]);
  assert.ok(fake.modelRequests().length <= 2);
  fake.setBehaviour({ fault: null });
  clearProbeCache();
});
