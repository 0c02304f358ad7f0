// The completion-mode (base model) protocol suite, shared by both providers: a CompletionRequest with a
// plain `prompt` goes to Ollama /api/generate (raw) or /v1/completions. Runs against the loopback fakes,
// or a real server when VALUE_LENS_OLLAMA_URL / VALUE_LENS_OPENAI_BASE_URL is set (fault cases skip then;
// VALUE_LENS_*_BASE_MODEL names a base model there, else the chat model is used, which also works raw).

import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import type { CompletionRequest, ModelProvider } from '../../../src/core/model';
import { toPlainPrompt } from '../../../src/core/prompt/plain';
import { renderPrompt } from '../../../src/core/prompt/render';
import { distributionFromLogprobs } from '../../../src/core/scoring/logprobs';
import { distributionFromSamples } from '../../../src/core/scoring/sample';
import { fakeFirstToken, type FakeServer, type Fault } from '../../support/fake-common';
import { direct, question, rejection, type Target } from './protocol-suite';

export function completionRequest(provider: ModelProvider, model: string, language: string, patch: Partial<CompletionRequest> = {}) {
  const rendered = renderPrompt({ item: question, template: direct, language });
  const prompt = toPlainPrompt(rendered.messages, { language });
  const req: CompletionRequest = {
    model,
    messages: rendered.messages,
    prompt,
    maxTokens: 1,
    temperature: 0,
    seed: 7,
    topLogprobs: 20,
    signal: new AbortController().signal,
    timeoutMs: 60_000,
    ...patch,
  };
  return { rendered, prompt, req, run: () => provider.complete(req) };
}

const PATH = { ollama: '/api/generate', openai: '/v1/completions' } as const;

export function completionSuite(target: Target): { ctx: () => { provider: ModelProvider; fake?: FakeServer } } {
  let provider!: ModelProvider;
  let fake: FakeServer | undefined;
  const skipFaults = target.real ? `real ${target.kind} server: fault injection needs the loopback fake` : false;
  before(async () => {
    ({ provider, fake } = await target.setup());
  });
  after(async () => {
    await fake?.close();
  });
  const reset = () => {
    if (fake) {
      fake.setBehaviour({
        faults: [],
        fault: null,
        logprobs: 'ok',
        latencyMs: 0,
        completionLogprobs: 'legacy',
        completionsMaxLogprobs: 20,
        completionsEndpoint: true,
      });
      fake.requests.length = 0;
    }
  };

  test(`${target.kind} completion: the plain prompt goes verbatim to ${PATH[target.kind]}; first-token logprobs become a distribution`, async () => {
    reset();
    const { rendered, prompt, run } = completionRequest(provider, target.model, 'en');
    const response = await run();
    assert.equal(response.choices.length, 1);
    const alternatives = response.choices[0].firstTokenLogprobs;
    assert.ok(alternatives && alternatives.length > 1, 'alternatives at the first position');
    const d = distributionFromLogprobs(alternatives, rendered.labels);
    const total = Object.values(d.probabilities).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(total - 1) < 1e-9, `probabilities sum to ${total}`);
    if (!fake) return;
    const [sent] = fake.modelRequests();
    assert.equal(sent.path, PATH[target.kind]);
    const body = sent.body as Record<string, unknown>;
    assert.equal(body.prompt, prompt);
    assert.equal(body.messages, undefined, 'no chat messages in completion mode');
    if (target.kind === 'ollama') {
      assert.equal(body.raw, true);
      assert.equal(body.stream, false);
      assert.equal(body.logprobs, true);
      assert.equal(body.top_logprobs, 20);
      assert.equal(body.think, undefined, 'no think field: base models do not think, and raw mode has no template');
      assert.equal(body.system, undefined);
      assert.deepEqual(body.options, { temperature: 0, num_predict: 1, seed: 7 });
    } else {
      assert.equal(body.logprobs, 20, 'the integer logprobs of the legacy endpoint');
      assert.equal(body.top_logprobs, undefined);
      assert.equal(body.max_tokens, 1);
      assert.equal(body.seed, 7);
      assert.equal(body.temperature, 0);
    }
    // The fake model saw exactly the raw text: its distribution for that text is what came back.
    const expected = fakeFirstToken(prompt, target.model);
    const byToken = new Map(alternatives.map((a) => [a.token, a.logprob]));
    for (const t of expected.slice(0, 20))
      assert.ok(Math.abs((byToken.get(t.token) ?? NaN) - t.logprob) < 1e-12, `token ${JSON.stringify(t.token)}`);
    assert.deepEqual(
      alternatives.map((a) => a.token),
      expected.slice(0, 20).map((t) => t.token),
      'best first',
    );
    assert.ok(response.usage && response.usage.promptTokens > 0);
  });

  test(`${target.kind} completion: n samples come back as n choices and parse`, async () => {
    reset();
    const { rendered, run } = completionRequest(provider, target.model, 'en', {
      n: 4,
      maxTokens: 8,
      temperature: 1,
      topLogprobs: undefined,
    });
    const response = await run();
    assert.equal(response.choices.length, 4);
    assert.ok(response.choices.every((c) => c.firstTokenLogprobs === undefined));
    const d = distributionFromSamples(
      response.choices.map((c) => c.text),
      rendered.labels,
      ['en'],
    );
    assert.ok(d.unparseableShare + d.refusalShare <= 1);
    if (!fake) return;
    assert.equal(d.unparseableShare, 0);
    const bodies = fake.modelRequests().map((r) => r.body as Record<string, unknown>);
    assert.ok(fake.modelRequests().every((r) => r.path === PATH[target.kind]));
    if (target.kind === 'ollama') {
      assert.deepEqual(
        bodies.map((b) => (b.options as { seed: number }).seed),
        [7, 8, 9, 10],
      );
      assert.ok(bodies.every((b) => b.logprobs === undefined && b.raw === true));
    } else {
      assert.equal(bodies.length, 1);
      assert.equal(bodies[0].n, 4);
      assert.equal(bodies[0].logprobs, undefined);
    }
  });

  test(`${target.kind} completion: errors map as in chat mode (429, 404, not JSON, cut)`, { skip: skipFaults }, async () => {
    reset();
    fake!.setBehaviour({
      faults: [{ kind: 'rateLimit', retryAfterSeconds: 2 }, { kind: 'modelNotFound' }, { kind: 'nonJson' }, { kind: 'cut' }],
    });
    const limited = await rejection(completionRequest(provider, target.model, 'en').run());
    assert.equal(limited.status, 429);
    assert.equal(limited.retryAfterMs, 2000);
    assert.equal(limited.retryable, true);
    const missing = await rejection(completionRequest(provider, target.model, 'en').run());
    assert.equal(missing.status, 404);
    assert.equal(missing.retryable, false);
    const garbled = await rejection(completionRequest(provider, target.model, 'en').run());
    assert.equal(garbled.kind, 'parse', garbled.message);
    const cut = await rejection(completionRequest(provider, target.model, 'en').run());
    assert.equal(cut.kind, 'network', cut.message);
    assert.equal(fake!.modelRequests().length, 4, 'the provider itself never retries');
    assert.ok(fake!.modelRequests().every((r) => r.path === PATH[target.kind]));
  });

  test(`${target.kind} completion: missing logprobs → no alternatives`, { skip: skipFaults }, async () => {
    reset();
    fake!.setBehaviour({ logprobs: 'missing' });
    const response = await completionRequest(provider, target.model, 'en').run();
    assert.equal(response.choices.length, 1);
    assert.equal(response.choices[0].firstTokenLogprobs, undefined);
    assert.equal(typeof response.choices[0].text, 'string');
  });

  test(`${target.kind} completion: a slow answer times out; cancelling rejects at once (< 1 s; the answer never comes)`, {
    skip: skipFaults,
  }, async () => {
    reset();
    fake!.setBehaviour({ faults: [{ kind: 'slow', delayMs: 2000 }] });
    const e = await rejection(completionRequest(provider, target.model, 'en', { timeoutMs: 200 }).run());
    assert.equal(e.kind, 'timeout', e.message);
    const faults: Fault[] = [{ kind: 'hang' }, { kind: 'stall' }];
    for (const fault of faults) {
      fake!.setBehaviour({ fault });
      const controller = new AbortController();
      const pending = completionRequest(provider, target.model, 'en', { signal: controller.signal }).run();
      await new Promise((r) => setTimeout(r, 100));
      const t0 = Date.now();
      controller.abort();
      const aborted = await rejection(pending);
      assert.equal(aborted.kind, 'aborted', `${fault.kind}: ${aborted.message}`);
      // < 1 s, not tighter: the machine may be loaded; a missed abort would wait for ever.
      assert.ok(Date.now() - t0 < 1000, `${fault.kind}: aborted after ${Date.now() - t0} ms`);
    }
    fake!.setBehaviour({ fault: null });
  });

  return { ctx: () => ({ provider, fake }) };
}
