// The provider protocol suite, shared by both providers. Runs against the loopback fakes, or against a
// real server when VALUE_LENS_OLLAMA_URL / VALUE_LENS_OPENAI_BASE_URL is set (fault cases skip then).

import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { ProviderError, type CompletionRequest, type ModelProvider } from '../../../src/core/model';
import { renderPrompt } from '../../../src/core/prompt/render';
import { distributionFromLogprobs } from '../../../src/core/scoring/logprobs';
import { distributionFromSamples } from '../../../src/core/scoring/sample';
import { clearProbeCache, probeLogprobs } from '../../../src/providers/probe';
import type { FakeServer, Fault } from '../../support/fake-common';
import { IMPORTANCE, item, template } from '../../support/ast-fixtures';

export interface Target {
  kind: 'ollama' | 'openai';
  /** Set when running against a real server. */
  real: boolean;
  model: string;
  /** Starts the fake (if any) and returns the provider; called once in before(). */
  setup(): Promise<{ provider: ModelProvider; fake?: FakeServer; secret?: string }>;
}

export const question = item(
  'Q1',
  IMPORTANCE,
  {
    en: 'For each of the following, indicate how important it is in your life. Family',
    da: 'Angiv for hvert af følgende, hvor vigtigt det er i dit liv. Familie',
  },
  { title: 'Family' },
);
export const direct = template('direct', {
  en: '{question}\n{options}\nAnswer with the number of one option only.',
  da: '{question}\n{options}\nSvar kun med nummeret på én mulighed.',
});

export function request(provider: ModelProvider, model: string, language: string, patch: Partial<CompletionRequest> = {}) {
  const rendered = renderPrompt({ item: question, template: direct, language });
  const req: CompletionRequest = {
    model,
    messages: rendered.messages,
    maxTokens: 1,
    temperature: 0,
    seed: 7,
    topLogprobs: 20,
    signal: new AbortController().signal,
    timeoutMs: 60_000,
    ...patch,
  };
  return { rendered, req, run: () => provider.complete(req) };
}

export async function rejection(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ProviderError, `expected ProviderError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a rejection');
}

export function protocolSuite(target: Target): { ctx: () => { provider: ModelProvider; fake?: FakeServer; secret?: string } } {
  let provider!: ModelProvider;
  let fake: FakeServer | undefined;
  let secret: string | undefined;
  const skipFaults = target.real ? `real ${target.kind} server: fault injection needs the loopback fake` : false;
  before(async () => {
    ({ provider, fake, secret } = await target.setup());
  });
  after(async () => {
    await fake?.close();
  });
  const reset = () => {
    if (fake) {
      fake.setBehaviour({ faults: [], fault: null, logprobs: 'ok', latencyMs: 0 });
      fake.requests.length = 0;
    }
  };

  test(`${target.kind}: first-token logprobs become a distribution over the options`, async () => {
    reset();
    const { rendered, run } = request(provider, target.model, 'en');
    const response = await run();
    assert.equal(response.choices.length, 1);
    const alternatives = response.choices[0].firstTokenLogprobs;
    assert.ok(alternatives && alternatives.length > 1, 'alternatives at the first position');
    const d = distributionFromLogprobs(alternatives, rendered.labels);
    const total = Object.values(d.probabilities).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(total - 1) < 1e-9, `probabilities sum to ${total}`);
    assert.ok(d.missMass >= 0 && d.missMass < 0.9, `miss mass ${d.missMass}`);
    if (fake) {
      const body = fake.modelRequests()[0].body as Record<string, unknown>;
      if (target.kind === 'ollama') {
        assert.equal(body.logprobs, true);
        assert.equal(body.top_logprobs, 20);
        assert.equal(body.think, false);
        assert.equal(body.stream, false);
        assert.deepEqual(body.options, { temperature: 0, num_predict: 1, seed: 7 });
      } else {
        assert.equal(body.logprobs, true);
        assert.equal(body.top_logprobs, 20);
        assert.equal(body.max_tokens, 1);
        assert.equal(body.seed, 7);
        assert.equal(body.n, undefined);
      }
      assert.ok(response.usage && response.usage.promptTokens > 0);
    }
  });

  test(`${target.kind}: another language gives another, reproducible distribution`, { skip: skipFaults }, async () => {
    reset();
    const en1 = request(provider, target.model, 'en');
    const en2 = request(provider, target.model, 'en');
    const da = request(provider, target.model, 'da');
    const p = async (r: typeof en1) =>
      distributionFromLogprobs((await r.run()).choices[0].firstTokenLogprobs ?? [], r.rendered.labels).probabilities;
    const [a, b, c] = [await p(en1), await p(en2), await p(da)];
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });

  test(`${target.kind}: n samples come back as n choices and parse`, async () => {
    reset();
    const { rendered, req, run } = request(provider, target.model, 'en', { n: 5, maxTokens: 8, temperature: 1, topLogprobs: undefined });
    const response = await run();
    assert.equal(response.choices.length, 5);
    assert.ok(response.choices.every((c) => c.firstTokenLogprobs === undefined));
    const d = distributionFromSamples(
      response.choices.map((c) => c.text),
      rendered.labels,
      ['en'],
    );
    if (fake) {
      assert.equal(d.unparseableShare, 0);
      const bodies = fake.modelRequests().map((r) => r.body as Record<string, unknown>);
      if (target.kind === 'ollama') {
        // no `n` in Ollama: one request per sample, seeds seed..seed+4
        assert.deepEqual(
          bodies.map((b) => (b.options as { seed: number }).seed),
          [7, 8, 9, 10, 11],
        );
        assert.ok(bodies.every((b) => b.logprobs === undefined));
      } else {
        assert.equal(bodies.length, 1);
        assert.equal(bodies[0].n, 5);
      }
    } else {
      assert.ok(d.unparseableShare + d.refusalShare <= 1);
    }
    assert.equal(req.n, 5);
  });

  test(`${target.kind}: list models`, async () => {
    reset();
    const models = await provider.listModels(new AbortController().signal);
    assert.ok(models.length > 0);
    if (fake) {
      assert.ok(models.some((m) => m.name === 'fake-llm:latest'));
      if (target.kind === 'ollama') assert.equal(models.find((m) => m.name === 'fake-llm:latest')?.digest, '1'.repeat(64));
    } else {
      assert.ok(
        models.some((m) => m.name === target.model || m.name === `${target.model}:latest`),
        `${target.model} is listed`,
      );
    }
  });

  test(`${target.kind}: logprob probe says yes, caches the verdict`, async () => {
    reset();
    clearProbeCache();
    assert.equal(await probeLogprobs(provider, target.model, new AbortController().signal), true);
    const sent = fake?.modelRequests().length;
    assert.equal(await probeLogprobs(provider, target.model, new AbortController().signal), true);
    if (fake) assert.equal(fake.modelRequests().length, sent, 'second probe is served from the cache');
  });

  test(`${target.kind}: missing logprobs → no alternatives; probe says no`, { skip: skipFaults }, async () => {
    reset();
    clearProbeCache();
    fake!.setBehaviour({ logprobs: 'missing' });
    const response = await request(provider, target.model, 'en').run();
    assert.equal(response.choices[0].firstTokenLogprobs, undefined);
    assert.equal(await probeLogprobs(provider, target.model, new AbortController().signal), false);
    fake!.setBehaviour({ logprobs: 'reject' });
    assert.equal(await probeLogprobs(provider, 'other-model', new AbortController().signal), false, '400 on logprobs = unsupported');
    clearProbeCache();
  });

  test(`${target.kind}: 429 with Retry-After (seconds, ms, HTTP date)`, { skip: skipFaults }, async () => {
    reset();
    fake!.setBehaviour({
      faults: [
        { kind: 'rateLimit', retryAfterSeconds: 3 },
        { kind: 'rateLimit', retryAfterMs: 1500 },
        { kind: 'rateLimit', retryAfterSeconds: 10, asDate: true },
      ],
    });
    const e1 = await rejection(request(provider, target.model, 'en').run());
    assert.equal(e1.kind, 'http');
    assert.equal(e1.status, 429);
    assert.equal(e1.retryAfterMs, 3000);
    assert.equal(e1.retryable, true);
    const e2 = await rejection(request(provider, target.model, 'en').run());
    assert.equal(e2.retryAfterMs, 1500);
    const e3 = await rejection(request(provider, target.model, 'en').run());
    // an HTTP date has 1 s resolution
    assert.ok(e3.retryAfterMs !== undefined && e3.retryAfterMs > 8000 && e3.retryAfterMs <= 10_000, `date → ${e3.retryAfterMs}`);
    assert.equal(fake!.modelRequests().length, 3, 'the provider itself never retries');
  });

  test(`${target.kind}: 503 busy is retryable, 404 model not found is not`, { skip: skipFaults }, async () => {
    reset();
    fake!.setBehaviour({ faults: [{ kind: 'busy' }, { kind: 'modelNotFound' }] });
    const busy = await rejection(request(provider, target.model, 'en').run());
    assert.equal(busy.status, 503);
    assert.equal(busy.retryable, true);
    if (target.kind === 'ollama') assert.match(busy.message, /server busy/);
    const missing = await rejection(request(provider, target.model, 'en').run());
    assert.equal(missing.status, 404);
    assert.equal(missing.retryable, false);
    assert.match(missing.message, /not (found|exist)/);
  });

  test(`${target.kind}: slow answer → timeout error`, { skip: skipFaults }, async () => {
    reset();
    fake!.setBehaviour({ faults: [{ kind: 'slow', delayMs: 2000 }] });
    const started = Date.now();
    const e = await rejection(request(provider, target.model, 'en', { timeoutMs: 200 }).run());
    assert.equal(e.kind, 'timeout');
    assert.equal(e.retryable, true);
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 190 && elapsed < 1500, `timed out after ${elapsed} ms`);
  });

  test(`${target.kind}: headers then a stalled body → timeout error`, { skip: skipFaults }, async () => {
    reset();
    fake!.setBehaviour({ faults: [{ kind: 'stall' }] });
    const started = Date.now();
    const e = await rejection(request(provider, target.model, 'en', { timeoutMs: 300 }).run());
    assert.equal(e.kind, 'timeout', e.message);
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 290 && elapsed < 1500, `timed out after ${elapsed} ms`);
  });

  test(`${target.kind}: connection cut mid-body → network error`, { skip: skipFaults }, async () => {
    reset();
    fake!.setBehaviour({ faults: [{ kind: 'cut' }] });
    const e = await rejection(request(provider, target.model, 'en').run());
    assert.equal(e.kind, 'network', e.message);
    assert.equal(e.retryable, true);
  });

  test(`${target.kind}: body that is not JSON → parse error`, { skip: skipFaults }, async () => {
    reset();
    fake!.setBehaviour({ faults: [{ kind: 'nonJson' }, { kind: 'nonJson', contentType: 'text/html' }] });
    const e1 = await rejection(request(provider, target.model, 'en').run());
    assert.equal(e1.kind, 'parse', e1.message);
    const e2 = await rejection(request(provider, target.model, 'en').run());
    assert.equal(e2.kind, 'parse', e2.message);
    assert.equal(e2.retryable, false);
  });

  test(`${target.kind}: cancelling rejects at once (< 1 s; never answers, stalled body, an answer 5 s away)`, {
    skip: skipFaults,
  }, async () => {
    reset();
    const faults: Fault[] = [{ kind: 'hang' }, { kind: 'stall' }, { kind: 'slow', delayMs: 5000 }];
    for (const fault of faults) {
      fake!.setBehaviour({ fault });
      const controller = new AbortController();
      const pending = request(provider, target.model, 'en', { signal: controller.signal }).run();
      await new Promise((r) => setTimeout(r, 100));
      const t0 = Date.now();
      controller.abort();
      const e = await rejection(pending);
      const took = Date.now() - t0;
      assert.equal(e.kind, 'aborted', `${fault.kind}: ${e.message}`);
      assert.equal(e.retryable, false);
      // < 1 s, not tighter: the machine may be loaded; a missed abort waits 5 s or for ever.
      assert.ok(took < 1000, `${fault.kind}: aborted after ${took} ms`);
    }
    // already-aborted signal: no request at all
    const controller = new AbortController();
    controller.abort();
    const before = fake!.modelRequests().length;
    const e2 = await rejection(request(provider, target.model, 'en', { signal: controller.signal }).run());
    assert.equal(e2.kind, 'aborted');
    assert.equal(fake!.modelRequests().length, before);
    fake!.setBehaviour({ fault: null });
  });

  test(`${target.kind}: 401 maps to a non-retryable error whose message carries no key`, { skip: skipFaults }, async () => {
    reset();
    fake!.setBehaviour({ faults: [{ kind: 'unauthorized' }] });
    const e = await rejection(request(provider, target.model, 'en').run());
    assert.equal(e.status, 401);
    assert.equal(e.retryable, false);
    if (secret) {
      assert.ok(!e.message.includes(secret), e.message);
      assert.ok(!String(e.stack).includes(secret));
    }
  });

  return { ctx: () => ({ provider, fake, secret }) };
}
