// llama.cpp server as its source says it behaves (test/fixtures/wire/README.md): `n` other than 1 is a 400
// "Only one completion choice is allowed" on both OpenAI-compatible endpoints. The provider learns it from
// the first refusal and collects the samples one choice per round, with shifted seeds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createOpenAIProvider } from '../../../src/providers/openai';
import type { CompletionRequest } from '../../../src/core/model';
import { startFakeOpenAI } from '../../support/fake-openai';
import { shapeDiff } from './wire-shape';

const signal = new AbortController().signal;
const base = (extra: Partial<CompletionRequest>): CompletionRequest => ({
  model: 'fake-llm:latest',
  messages: [{ role: 'user', content: 'Pick 1, 2 or 3.\n1. a\n2. b\n3. c' }],
  maxTokens: 16,
  temperature: 1,
  seed: 7,
  n: 5,
  signal,
  timeoutMs: 10_000,
  ...extra,
});

for (const mode of ['chat', 'completion'] as const) {
  test(`llama.cpp (${mode}): n = 5 is refused once as the server does, then asked one choice at a time`, async () => {
    const fake = await startFakeOpenAI({ server: 'llamacpp' });
    try {
      const provider = createOpenAIProvider({ baseURL: `${fake.url}/v1` });
      const request = base(mode === 'completion' ? { prompt: 'Pick 1, 2 or 3.\n1. a\n2. b\n3. c\n\nAnswer:' } : {});
      const response = await provider.complete(request);
      assert.equal(response.choices.length, 5);
      const sent = fake.modelRequests().map((r) => r.body as { n?: number; seed?: number });
      assert.equal(sent[0].n, 5);
      assert.deepEqual(
        sent.slice(1).map((b) => b.n),
        [undefined, undefined, undefined, undefined, undefined],
      );
      assert.equal(new Set(sent.slice(1).map((b) => b.seed)).size, 5);
      // Learned: the next request sends no `n` at all.
      fake.requests.length = 0;
      await provider.complete({ ...request, n: 2 });
      assert.ok(fake.modelRequests().every((r) => (r.body as { n?: number }).n === undefined));
    } finally {
      await fake.close();
    }
  });
}

test("llama.cpp: the fake's refusal has the shape of the documented error (llamacpp/error-n.json)", async () => {
  const fake = await startFakeOpenAI({ server: 'llamacpp' });
  try {
    const answer = await fetch(`${fake.url}/v1/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', prompt: 'x', n: 2 }),
    });
    assert.equal(answer.status, 400);
    const example = JSON.parse(readFileSync(join(__dirname, '../../fixtures/wire/llamacpp/error-n.json'), 'utf8')) as unknown;
    const body = (await answer.json()) as unknown;
    assert.deepEqual(shapeDiff(example, body), []);
    assert.deepEqual(body, example);
  } finally {
    await fake.close();
  }
});
