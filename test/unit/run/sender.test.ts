// The sender's attempts and the run's signal: one abort listener for all attempts in flight (none left once
// they are done), a cancel reaching every attempt in flight, and a provider that ignores its signal still
// let go of at the timeout.
import { strict as assert } from 'node:assert';
import { getEventListeners } from 'node:events';
import { test } from 'node:test';
import type { CompletionRequest, CompletionResponse, ModelProvider } from '../../../src/core/model';
import { DEFAULT_RETRY_POLICY } from '../../../src/core/run/retry';
import { Scheduler } from '../../../src/core/run/scheduler';
import { RequestSender } from '../../../src/core/run/sender';
import { nullLogger } from '../../../src/core/log';
import { makePlan } from './support';

/** A provider whose calls wait until the test answers them (or never, when it ignores its signal). */
function heldProvider(ignoreSignal = false): ModelProvider & { held: { request: CompletionRequest; answer: () => void }[] } {
  const held: { request: CompletionRequest; answer: () => void }[] = [];
  return {
    id: 'openai',
    origin: 'http://127.0.0.1:1',
    listModels: async () => [],
    held,
    complete: (request) =>
      new Promise<CompletionResponse>((resolve, reject) => {
        const answer = (): void =>
          resolve({ model: request.model, choices: [{ text: '1', firstTokenLogprobs: [{ token: '1', logprob: -0.1 }] }] });
        held.push({ request, answer });
        if (!ignoreSignal) request.signal.addEventListener('abort', () => reject(request.signal.reason as Error), { once: true });
      }),
  };
}

function senderFor(provider: ModelProvider, signal: AbortSignal, concurrency: number, timeoutMs = 60_000): RequestSender {
  return new RequestSender({
    providers: () => provider,
    scheduler: new Scheduler(() => concurrency),
    policy: { ...DEFAULT_RETRY_POLICY, maxAttempts: 1 },
    timeoutMs,
    firstTimeoutMs: timeoutMs,
    signal,
    logger: nullLogger,
  });
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setImmediate(resolve));
}

test('eight attempts in flight: one abort listener of the sender on the run signal, none once they are answered', async () => {
  const controller = new AbortController();
  const provider = heldProvider();
  const sender = senderFor(provider, controller.signal, 8);
  const before = getEventListeners(controller.signal, 'abort').length;
  const plan = makePlan({ count: 8, endpoint: 'http://127.0.0.1:1/v1' });
  const first = sender.send(plan[0]);
  await until(() => provider.held.length === 1);
  const withOne = getEventListeners(controller.signal, 'abort').length;
  const rest = plan.slice(1).map((req) => sender.send(req));
  await until(() => provider.held.length === 8);
  assert.equal(getEventListeners(controller.signal, 'abort').length, withOne, 'no listener per attempt');
  assert.ok(withOne <= before + 1);
  for (const h of provider.held) h.answer();
  const outcomes = await Promise.all([first, ...rest]);
  assert.ok(outcomes.every((o) => o.ok));
  assert.equal(getEventListeners(controller.signal, 'abort').length, before, 'nothing left on the signal');
  // Each attempt had its own signal, so aborting one could never reach another.
  assert.equal(new Set(provider.held.map((h) => h.request.signal)).size, 8);
});

test('a cancel reaches every attempt in flight: each ends cancelled and its provider signal is aborted', async () => {
  const controller = new AbortController();
  const provider = heldProvider();
  const sender = senderFor(provider, controller.signal, 4);
  const plan = makePlan({ count: 10, endpoint: 'http://127.0.0.1:1/v1' });
  const outcomes = plan.map((req) => sender.send(req));
  await until(() => provider.held.length === 4);
  controller.abort();
  const settled = await Promise.all(outcomes);
  assert.ok(settled.every((o) => !o.ok && o.error.kind === 'cancelled'));
  assert.ok(provider.held.every((h) => h.request.signal.aborted));
  assert.equal(provider.held.length, 4, 'queued requests were never sent');
  assert.equal(sender.sent, 4);
});

test('a provider that ignores its signal is let go of at the timeout, with a timeout error', async () => {
  const controller = new AbortController();
  const provider = heldProvider(true);
  const sender = senderFor(provider, controller.signal, 1, 50);
  const [req] = makePlan({ count: 1, endpoint: 'http://127.0.0.1:1/v1' });
  const outcome = await sender.send(req);
  assert.ok(!outcome.ok);
  assert.equal(outcome.error.kind, 'timeout');
  assert.ok(provider.held[0].request.signal.aborted, 'the attempt was aborted for the provider too');
  // A late answer after the timeout changes nothing.
  provider.held[0].answer();
  assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
});
