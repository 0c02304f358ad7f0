// The response cache's coalescing window at a run's end: when every request still open waits on its cache
// write, the batch is written at once (responses.ts), so the last answers are on disk when runPlan resolves
// instead of after the window. The cache's clock is injected and its window never ends on its own: without
// the flush the run could never resolve (node:test then fails it: the event loop empties with it pending).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOG_NAME, ResultCache, type CacheClock } from '../../../src/core/run/cache';
import type { CompletionResponse, ModelProvider } from '../../../src/core/model';
import { runPlan } from '../../../src/core/run/runner';
import { makePlan } from './support';

const ENDPOINT = 'http://127.0.0.1:9/v1';

/** A provider in this process: each answer comes one event-loop turn after its request. */
function turnLaterProvider(): ModelProvider & { calls: number } {
  const answer: CompletionResponse = {
    model: 'test-model',
    choices: [
      {
        text: '2',
        firstTokenLogprobs: [
          { token: '2', logprob: -0.1 },
          { token: '1', logprob: -2.5 },
        ],
      },
    ],
  };
  const provider = {
    id: 'openai' as const,
    origin: new URL(ENDPOINT).origin,
    calls: 0,
    listModels: async () => [],
    complete: () => {
      provider.calls++;
      return new Promise<CompletionResponse>((resolve) => setImmediate(() => resolve(answer)));
    },
  };
  return provider;
}

/** A clock that stands still, and timers that are kept but never run. */
function stoppedClock(): CacheClock & { armed: number; cleared: number } {
  const clock = {
    armed: 0,
    cleared: 0,
    now: () => 0,
    setTimeout: () => ++clock.armed,
    clearTimeout: () => void clock.cleared++,
  };
  return clock;
}

test('a run resolves with its last answers in the cache log, without waiting out the coalescing window', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vl-cache-flush-'));
  try {
    const clock = stoppedClock();
    const cache = new ResultCache(dir, { clock });
    const provider = turnLaterProvider();
    const plan = makePlan({ count: 3, endpoint: ENDPOINT });
    // One at a time: the first answer's batch is written at the end of its turn, so the next ones fall
    // inside the window (the stopped clock keeps it open) and only the flush at the end writes them.
    const summary = await runPlan(plan, { providers: () => provider, cache, concurrencyPerEndpoint: 1 });
    assert.equal(provider.calls, 3);
    assert.deepEqual(
      summary.records.map((r) => r.kind),
      ['result', 'result', 'result'],
    );
    assert.ok(clock.armed >= 1, 'a later answer waited on the window (else this test shows nothing)');
    // A window timer left running would keep the process from exiting until it fires.
    assert.equal(clock.cleared, clock.armed, 'every window timer cleared when its batch was written');
    // Read by another cache, from the log on disk: every answer is there.
    const log = await readFile(join(dir, LOG_NAME), 'latin1');
    for (const req of plan) assert.ok(log.includes(` ${req.cacheKey} `), `answer ${req.index} on disk`);
    assert.ok(await new ResultCache(dir).hasAll(plan.map((r) => r.cacheKey)));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('mid-run, answers still coalesce: a request waiting to be sent keeps the window open', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vl-cache-flush-'));
  try {
    const clock = stoppedClock();
    const cache = new ResultCache(dir, { clock });
    const provider = turnLaterProvider();
    const plan = makePlan({ count: 4, endpoint: ENDPOINT });
    await runPlan(plan, { providers: () => provider, cache, concurrencyPerEndpoint: 1 });
    // Answers 2–4 share one batch (one window armed), written when the last answer is all that is open; a
    // write per answer would have armed a window for each.
    assert.equal(clock.armed, 1);
    assert.ok(await new ResultCache(dir).hasAll(plan.map((r) => r.cacheKey)));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
