// Ollama in completion mode (base models): /api/generate with raw: true.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { completionRequest, completionSuite } from './completion-suite';
import { ollamaTarget } from './targets';

const { target, skip } = ollamaTarget(process.env.VALUE_LENS_OLLAMA_BASE_MODEL ?? process.env.VALUE_LENS_OLLAMA_MODEL ?? 'llama3.2:1b');
const { ctx } = completionSuite(target);

test('ollama completion: a raw answer carries no context; without raw the fake applies the template and returns context', {
  skip,
}, async () => {
  const { fake, provider } = ctx();
  fake!.requests.length = 0;
  await completionRequest(provider, 'fake-llm:latest', 'da').run();
  const body = fake!.modelRequests()[0].body as { keep_alive?: string; raw?: boolean };
  assert.equal(body.keep_alive, '10m');
  assert.equal(body.raw, true);
  // The fake itself, as documented: non-raw generate answers carry `context`, raw ones do not.
  const res = await fetch(`${fake!.url}/api/generate`, {
    method: 'POST',
    body: JSON.stringify({ model: 'fake-llm:latest', prompt: 'Hi', stream: false }),
  });
  const plain = (await res.json()) as { context?: number[]; response: string };
  assert.ok(Array.isArray(plain.context) && plain.context.length > 0);
  const rawRes = await fetch(`${fake!.url}/api/generate`, {
    method: 'POST',
    body: JSON.stringify({ model: 'fake-llm:latest', prompt: 'Hi', raw: true, stream: false }),
  });
  assert.equal(((await rawRes.json()) as { context?: unknown }).context, undefined);
});

test('ollama completion: the chat path is unchanged when no prompt is given', { skip }, async () => {
  const { fake, provider } = ctx();
  fake!.requests.length = 0;
  const { req } = completionRequest(provider, 'fake-llm:latest', 'en');
  const { prompt: _drop, ...chat } = req;
  await provider.complete(chat);
  assert.equal(fake!.modelRequests()[0].path, '/api/chat');
});
