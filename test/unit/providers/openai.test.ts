import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createOpenAIProvider } from '../../../src/providers/openai';
import { protocolSuite, rejection, request } from './protocol-suite';
import { openaiTarget } from './targets';

const KEY = 'sk-test-CANARY-0123456789abcdef';
const { target, skip } = openaiTarget(process.env.VALUE_LENS_OPENAI_MODEL ?? 'gpt-4o-mini', KEY);
const { ctx } = protocolSuite(target);

test('openai: Authorization carries the key; keyless servers get a placeholder, never OPENAI_API_KEY', { skip }, async () => {
  const { fake, provider } = ctx();
  fake!.requests.length = 0;
  await request(provider, 'fake-llm:latest', 'en').run();
  assert.equal(fake!.modelRequests()[0].headers.authorization, `Bearer ${KEY}`);
  const saved = process.env.OPENAI_API_KEY;
  process.env.OPENAI_API_KEY = 'sk-env-CANARY-should-not-leave';
  try {
    const keyless = createOpenAIProvider({ baseURL: `${fake!.url}/v1` });
    await request(keyless, 'fake-llm:latest', 'en').run();
    const auth = String(fake!.modelRequests()[1].headers.authorization);
    assert.ok(!auth.includes('CANARY'), auth);
    assert.equal(auth, 'Bearer value-lens-no-key');
  } finally {
    if (saved === undefined) delete process.env.OPENAI_API_KEY;
    else process.env.OPENAI_API_KEY = saved;
  }
  assert.equal(provider.origin, fake!.url);
});

test('openai: a wrong key echoed back by the server never reaches the error message', { skip }, async () => {
  const { fake } = ctx();
  fake!.setBehaviour({ requireKey: 'sk-the-right-one' });
  try {
    const provider = createOpenAIProvider({ baseURL: `${fake!.url}/v1`, apiKey: KEY });
    const e = await rejection(provider.listModels(new AbortController().signal));
    assert.equal(e.status, 401);
    assert.ok(!e.message.includes(KEY), e.message);
    assert.match(e.message, /\[redacted\]/);
  } finally {
    fake!.setBehaviour({ requireKey: null });
  }
});

test('openai: max_tokens rejected → max_completion_tokens, remembered per model', { skip }, async () => {
  const { fake } = ctx();
  fake!.requests.length = 0;
  fake!.setBehaviour({ tokenParam: 'max_completion_tokens' });
  try {
    const provider = createOpenAIProvider({ baseURL: `${fake!.url}/v1`, apiKey: KEY });
    const first = await request(provider, 'fake-reasoner:latest', 'en').run();
    assert.equal(first.choices.length, 1);
    await request(provider, 'fake-reasoner:latest', 'da').run();
    const bodies = fake!.modelRequests().map((r) => r.body as Record<string, unknown>);
    assert.equal(bodies.length, 3, 'one 400, then two direct successes');
    assert.equal(bodies[0].max_tokens, 1);
    assert.equal(bodies[1].max_completion_tokens, 1);
    assert.equal(bodies[1].max_tokens, undefined);
    assert.equal(bodies[2].max_completion_tokens, 1);
  } finally {
    fake!.setBehaviour({ tokenParam: 'both' });
  }
});

test('openai: a server that ignores n is asked again for the remaining samples', { skip }, async () => {
  const { fake } = ctx();
  fake!.requests.length = 0;
  // Emulate Ollama /v1: strip `n` before the fake sees it.
  const provider = createOpenAIProvider({
    baseURL: `${fake!.url}/v1`,
    apiKey: KEY,
    fetch: async (input, init) => {
      const body = JSON.parse(String(init?.body ?? '{}')) as Record<string, unknown>;
      delete body.n;
      return fetch(input, { ...init, body: JSON.stringify(body) });
    },
  });
  const response = await request(provider, 'fake-llm:latest', 'en', { n: 3, maxTokens: 8, temperature: 1, topLogprobs: undefined }).run();
  assert.equal(response.choices.length, 3);
  const seeds = fake!.modelRequests().map((r) => (r.body as { seed: number }).seed);
  assert.deepEqual(seeds, [7, 1007, 2007]);
});

test('openai: top_logprobs is clamped to 20', { skip }, async () => {
  const { fake, provider } = ctx();
  fake!.requests.length = 0;
  await request(provider, 'fake-llm:latest', 'en', { topLogprobs: 50 }).run();
  assert.equal((fake!.modelRequests()[0].body as { top_logprobs: number }).top_logprobs, 20);
});

test('openai: a model that only takes its default temperature gets none, remembered per model', { skip }, async () => {
  const { fake } = ctx();
  fake!.requests.length = 0;
  fake!.setBehaviour({ fixedTemperature: true, tokenParam: 'max_completion_tokens' });
  try {
    const provider = createOpenAIProvider({ baseURL: `${fake!.url}/v1`, apiKey: KEY });
    const r = await request(provider, 'fake-reasoner:latest', 'en', { n: 2, maxTokens: 8, topLogprobs: undefined }).run();
    assert.equal(r.choices.length, 2);
    await request(provider, 'fake-reasoner:latest', 'da', { maxTokens: 8, topLogprobs: undefined }).run();
    const bodies = fake!.modelRequests().map((x) => x.body as Record<string, unknown>);
    // max_tokens rejected, then temperature rejected, then success; the next request is right first time
    assert.equal(bodies.length, 4);
    assert.equal(bodies[2].temperature, undefined);
    assert.equal(bodies[2].max_completion_tokens, 8);
    assert.equal(bodies[3].temperature, undefined);
    assert.equal(bodies[3].max_tokens, undefined);
  } finally {
    fake!.setBehaviour({ fixedTemperature: false, tokenParam: 'both' });
  }
});
