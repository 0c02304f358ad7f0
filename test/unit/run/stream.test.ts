// runPlan over a stream of planned requests (iteratePlan, iterateStudyPlan): the first request is sent
// before the plan has been pulled to its end, every request still ends as exactly one record in plan order,
// and identical requests are answered once even when they are further apart than the runner's window.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runPlan } from '../../../src/core/run/runner';
import type { PlannedRequest } from '../../../src/core/run/plan';
import { createTestProvider, makePlan, startTestServer } from './support';

const fast = { baseDelayMs: 20, maxDelayMs: 50 };

/** A generator over `plan` that counts what has been pulled. */
function counted(plan: PlannedRequest[]): { stream: Iterable<PlannedRequest>; pulled(): number } {
  let pulled = 0;
  return {
    stream: (function* () {
      for (const req of plan) {
        pulled++;
        yield req;
      }
    })(),
    pulled: () => pulled,
  };
}

test('a streamed plan: the first request reaches the server while most of the plan is not yet pulled', async () => {
  const server = await startTestServer({ latencyMs: 5 });
  try {
    const plan = makePlan({ count: 200, endpoint: server.url });
    const source = counted(plan);
    let pulledAtFirstSend: number | undefined;
    const progressTotals = new Set<number>();
    const summary = await runPlan(source.stream, {
      total: plan.length,
      providers: (_p, endpoint) => {
        const provider = createTestProvider(endpoint);
        const complete = provider.complete.bind(provider);
        provider.complete = (request) => {
          pulledAtFirstSend ??= source.pulled();
          return complete(request);
        };
        return provider;
      },
      retry: fast,
      timeoutMs: 2_000,
      concurrencyPerEndpoint: 8,
      onProgress: (p) => progressTotals.add(p.total),
    });
    assert.ok(
      pulledAtFirstSend !== undefined && pulledAtFirstSend < 100,
      `first request sent after ${pulledAtFirstSend} of ${plan.length} were planned`,
    );
    assert.equal(source.pulled(), plan.length);
    assert.equal(summary.records.length, plan.length);
    plan.forEach((req, i) => assert.equal(summary.records[i]?.itemId, req.identity.itemId, `record ${i}`));
    assert.ok(summary.records.every((r) => r.kind === 'result'));
    assert.equal(server.requests.length, plan.length);
    assert.deepEqual([...progressTotals], [plan.length], 'the progress total is the given count from the first event');
  } finally {
    await server.close();
  }
});

test('a streamed plan without a count: the total grows as requests are pulled and ends at the plan length', async () => {
  const server = await startTestServer({ latencyMs: 1 });
  try {
    const plan = makePlan({ count: 50, endpoint: server.url });
    let last = 0;
    const summary = await runPlan(counted(plan).stream, {
      providers: (_p, endpoint) => createTestProvider(endpoint),
      retry: fast,
      timeoutMs: 2_000,
      onProgress: (p) => (last = p.total),
    });
    assert.equal(summary.records.length, 50);
    assert.equal(last, 50);
  } finally {
    await server.close();
  }
});

test('cancelled mid-stream: the rest of the plan is still pulled and recorded as cancelled, nothing more is sent', async () => {
  const server = await startTestServer({ latencyMs: 20 });
  try {
    const plan = makePlan({ count: 300, endpoint: server.url });
    const controller = new AbortController();
    let done = 0;
    const summary = await runPlan(counted(plan).stream, {
      total: plan.length,
      providers: (_p, endpoint) => createTestProvider(endpoint),
      retry: fast,
      timeoutMs: 2_000,
      concurrencyPerEndpoint: 2,
      signal: controller.signal,
      onRecord: () => {
        if (++done === 10) controller.abort();
      },
    });
    assert.equal(summary.cancelled, true);
    assert.equal(summary.records.length, plan.length);
    const cancelled = summary.records.filter((r) => r.kind === 'failure' && r.error.kind === 'cancelled').length;
    assert.ok(cancelled >= plan.length - 20, `${cancelled} cancelled`);
    assert.ok(server.requests.length < 20, `${server.requests.length} sent`);
  } finally {
    await server.close();
  }
});

test('identical requests further apart than the window are sent once without a cache', async () => {
  const server = await startTestServer({ latencyMs: 1 });
  try {
    const distinct = makePlan({ count: 1500, endpoint: server.url });
    // The first request again at the end, 1,500 requests later (the window is 1,024).
    const plan = [...distinct, { ...distinct[0], index: distinct.length }];
    const summary = await runPlan(plan, {
      providers: (_p, endpoint) => createTestProvider(endpoint),
      retry: fast,
      timeoutMs: 30_000,
      concurrencyPerEndpoint: 16,
    });
    assert.equal(summary.records.length, plan.length);
    // Counted by prompt: a retry of some other request on a loaded machine does not change this figure.
    const first = JSON.stringify(distinct[0].messages);
    assert.equal(server.requests.filter((r) => JSON.stringify(r.body.messages) === first).length, 1);
    assert.equal(summary.records[plan.length - 1].kind, 'result');
    assert.equal(summary.records.filter((r) => r.kind === 'result').length, plan.length);
  } finally {
    await server.close();
  }
});

test('a planning error surfaces from runPlan after the requests already started have their records', async () => {
  const server = await startTestServer({ latencyMs: 1 });
  try {
    const plan = makePlan({ count: 5, endpoint: server.url });
    const recorded: string[] = [];
    const broken = (function* () {
      yield* plan;
      throw new Error('planning bug');
    })();
    await assert.rejects(
      runPlan(broken, {
        providers: (_p, endpoint) => createTestProvider(endpoint),
        retry: fast,
        timeoutMs: 2_000,
        onRecord: (r) => recorded.push(r.itemId),
      }),
      /planning bug/,
    );
    assert.equal(recorded.length, 5);
  } finally {
    await server.close();
  }
});
