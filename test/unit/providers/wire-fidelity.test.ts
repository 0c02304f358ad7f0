// Fidelity of the loopback fakes to the servers' own documents (test/fixtures/wire/README.md): (a) every
// fake answer has every field the documented example has, recursively, with the same JSON types; (b) the
// providers read each documented example, served verbatim, to the values it holds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFakeOllama } from '../../support/fake-ollama';
import { startFakeOpenAI } from '../../support/fake-openai';
import { startFakeOpenAIBatch } from '../../support/fake-openai-batch';
import { startReplay } from '../../support/fake-replay';
import type { FakeBehaviour, FakeServer } from '../../support/fake-common';
import { createOpenAIProvider } from '../../../src/providers/openai';
import { createOllamaProvider, pullModel } from '../../../src/providers/ollama';
import { batchInfo } from '../../../src/providers/openai-batch';
import type { CompletionRequest, ModelProvider } from '../../../src/core/model';
import { shapeDiff, type ShapeOptions } from './wire-shape';

const WIRE = join(__dirname, '../../fixtures/wire');
const fixture = (name: string): unknown => JSON.parse(readFileSync(join(WIRE, name), 'utf8'));

async function withServer<T>(start: () => Promise<FakeServer>, run: (url: string) => Promise<T>): Promise<T> {
  const server = await start();
  try {
    return await run(server.url);
  } finally {
    await server.close();
  }
}

async function call(url: string, method: 'GET' | 'POST', body?: unknown): Promise<{ status: number; json: unknown }> {
  const response = await fetch(url, {
    method,
    ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, json: await response.json() };
}

interface FakeCase {
  fixture: string;
  server: 'ollama' | Partial<FakeBehaviour>;
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  status?: number;
  shape?: ShapeOptions;
}

const LEGACY_MAPS: ShapeOptions = { freeform: ['choices[].logprobs.top_logprobs[]', 'choices[].prompt_logprobs[]'] };
const MODEL = 'fake-llm:latest';

const FAKE_CASES: FakeCase[] = [
  {
    fixture: 'ollama/generate.json',
    server: 'ollama',
    method: 'POST',
    path: '/api/generate',
    body: { model: MODEL, prompt: 'Why is the sky blue?', stream: false },
  },
  {
    fixture: 'ollama/generate-raw-logprobs.json',
    server: 'ollama',
    method: 'POST',
    path: '/api/generate',
    body: { model: MODEL, prompt: 'Answer:', raw: true, stream: false, logprobs: true, top_logprobs: 3, options: { num_predict: 1 } },
  },
  {
    fixture: 'ollama/chat.json',
    server: 'ollama',
    method: 'POST',
    path: '/api/chat',
    body: { model: MODEL, messages: [{ role: 'user', content: 'Hello' }], stream: false },
  },
  {
    fixture: 'ollama/chat-logprobs.json',
    server: 'ollama',
    method: 'POST',
    path: '/api/chat',
    body: { model: MODEL, messages: [{ role: 'user', content: 'Hello' }], stream: false, logprobs: true, top_logprobs: 2 },
  },
  { fixture: 'ollama/tags.json', server: 'ollama', method: 'GET', path: '/api/tags' },
  {
    fixture: 'ollama/show.json',
    server: 'ollama',
    method: 'POST',
    path: '/api/show',
    body: { model: MODEL },
    shape: { opaque: ['model_info'] },
  },
  { fixture: 'ollama/pull.json', server: 'ollama', method: 'POST', path: '/api/pull', body: { model: 'new-model', stream: false } },
  { fixture: 'ollama/version.json', server: 'ollama', method: 'GET', path: '/api/version' },
  {
    fixture: 'openai/chat-completion.json',
    server: {},
    method: 'POST',
    path: '/v1/chat/completions',
    body: { model: MODEL, messages: [{ role: 'user', content: 'Hello!' }] },
  },
  {
    fixture: 'openai/chat-completion-logprobs.json',
    server: {},
    method: 'POST',
    path: '/v1/chat/completions',
    body: { model: MODEL, messages: [{ role: 'user', content: 'Hello!' }], logprobs: true, top_logprobs: 2 },
  },
  {
    fixture: 'openai/completion.json',
    server: {},
    method: 'POST',
    path: '/v1/completions',
    body: { model: MODEL, prompt: 'Say this is a test', max_tokens: 7, temperature: 0 },
  },
  { fixture: 'openai/models.json', server: {}, method: 'GET', path: '/v1/models' },
  { fixture: 'openai/model.json', server: {}, method: 'GET', path: `/v1/models/${MODEL}`, shape: { nullable: ['shutdown_date'] } },
  {
    fixture: 'vllm/completion-logprobs.json',
    server: { server: 'vllm' },
    method: 'POST',
    path: '/v1/completions',
    body: { model: MODEL, prompt: 'Answer:', max_tokens: 2, logprobs: 2 },
    shape: LEGACY_MAPS,
  },
  {
    fixture: 'vllm/completion-echo.json',
    server: { server: 'vllm' },
    method: 'POST',
    path: '/v1/completions',
    body: { model: MODEL, prompt: ['Answer: 1', 'Answer: 2'], echo: true, max_tokens: 0, logprobs: 1 },
    shape: LEGACY_MAPS,
  },
  { fixture: 'vllm/models.json', server: { server: 'vllm' }, method: 'GET', path: '/v1/models' },
  {
    fixture: 'llamacpp/v1-completions-logprobs.json',
    server: { server: 'llamacpp' },
    method: 'POST',
    path: '/v1/completions',
    body: { model: MODEL, prompt: 'Answer:', max_tokens: 1, logprobs: 2 },
  },
  { fixture: 'llamacpp/v1-models.json', server: { server: 'llamacpp' }, method: 'GET', path: '/v1/models' },
  {
    fixture: 'llamacpp/error-echo.json',
    server: { server: 'llamacpp' },
    method: 'POST',
    path: '/v1/completions',
    body: { model: MODEL, prompt: 'Answer: 1', echo: true, max_tokens: 0, logprobs: 1 },
    status: 400,
  },
];

for (const c of FAKE_CASES) {
  test(`wire (a): the fake's ${c.method} ${c.path} has every field of ${c.fixture}`, async () => {
    const start = () => (c.server === 'ollama' ? startFakeOllama() : startFakeOpenAI(c.server));
    const answer = await withServer(start, (url) => call(url + c.path, c.method, c.body));
    assert.equal(answer.status, c.status ?? 200, JSON.stringify(answer.json));
    assert.deepEqual(shapeDiff(fixture(c.fixture), answer.json, c.shape), []);
  });
}

test('wire (a): the batch fake has every field of the Files and Batches examples (openai/file.json, batch-created.json, batch.json)', async () => {
  const fake = await startFakeOpenAIBatch();
  try {
    const form = new FormData();
    form.append('purpose', 'batch');
    const line = {
      custom_id: 'r1',
      method: 'POST',
      url: '/v1/chat/completions',
      body: { model: MODEL, messages: [{ role: 'user', content: 'Hi' }] },
    };
    form.append('file', new Blob([`${JSON.stringify(line)}\n`]), 'input.jsonl');
    const file = (await (await fetch(`${fake.url}/v1/files`, { method: 'POST', body: form })).json()) as { id: string };
    assert.deepEqual(shapeDiff(fixture('openai/file.json'), file), []);
    const created = await call(`${fake.url}/v1/batches`, 'POST', {
      input_file_id: file.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
    });
    assert.deepEqual(shapeDiff(fixture('openai/batch-created.json'), created.json, { nullable: ['metadata'] }), []);
    const id = (created.json as { id: string }).id;
    let batch: { status?: string } = {};
    for (let i = 0; i < 5 && batch.status !== 'completed'; i++)
      batch = (await call(`${fake.url}/v1/batches/${id}`, 'GET')).json as { status?: string };
    assert.equal(batch.status, 'completed');
    // The documented batch is a completed one: every timestamp up to completed_at is a number by now.
    // No line failed, so there is no error file (null, as the reference's batch object allows).
    assert.deepEqual(shapeDiff(fixture('openai/batch.json'), batch, { nullable: ['metadata', 'error_file_id'] }), []);
  } finally {
    await fake.close();
  }
});

test("wire (a): the Ollama fake's stream (its default) has the documented first and final objects (ollama/generate-stream.json)", async () => {
  const [first, last] = fixture('ollama/generate-stream.json') as unknown[];
  const lines = await withServer(startFakeOllama, async (url) => {
    const response = await fetch(`${url}/api/generate`, {
      method: 'POST',
      body: JSON.stringify({ model: MODEL, prompt: 'Why is the sky blue?' }),
    });
    assert.equal(response.headers.get('content-type'), 'application/x-ndjson');
    return (await response.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as unknown);
  });
  assert.ok(lines.length >= 2);
  for (const chunk of lines.slice(0, -1)) assert.deepEqual(shapeDiff(first, chunk), []);
  assert.deepEqual(shapeDiff(last, lines.at(-1)), []);
});

test('wire (a): the comparison catches a missing field and a changed type (it can fail)', () => {
  const example = { id: 'x', usage: { total_tokens: 1 }, choices: [{ text: 'a', logprobs: null }] };
  assert.deepEqual(shapeDiff(example, { id: 'x', usage: {}, choices: [{ text: 'a', logprobs: 1 }] }), ['usage.total_tokens: missing']);
  assert.deepEqual(shapeDiff(example, { id: 1, usage: { total_tokens: 1 }, choices: [] }), [
    'id: number where the example has string',
    'choices: empty where the example has 1 entries',
  ]);
});

// ------------------------------------------------------------------ (b) providers on the documents

const signal = new AbortController().signal;
const request = (extra: Partial<CompletionRequest>): CompletionRequest => ({
  model: MODEL,
  messages: [{ role: 'user', content: 'Hello!' }],
  maxTokens: 1,
  temperature: 0,
  signal,
  timeoutMs: 10_000,
  ...extra,
});

async function replayed<T>(routes: Parameters<typeof startReplay>[0], run: (url: string) => Promise<T>): Promise<T> {
  return withServer(() => startReplay(routes), run);
}

const openai = (url: string): ModelProvider => createOpenAIProvider({ baseURL: `${url}/v1` });
const ollama = (url: string): ModelProvider => createOllamaProvider({ host: url });

test('wire (b): the OpenAI provider reads the API reference chat example and its logprobs example', async () => {
  const plain = await replayed({ 'POST /v1/chat/completions': { body: fixture('openai/chat-completion.json') } }, (url) =>
    openai(url).complete(request({})),
  );
  assert.equal(plain.choices[0].text, 'Hello! How can I assist you today?');
  assert.deepEqual(plain.usage, { promptTokens: 19, completionTokens: 10 });
  const withLogprobs = await replayed({ 'POST /v1/chat/completions': { body: fixture('openai/chat-completion-logprobs.json') } }, (url) =>
    openai(url).complete(request({ topLogprobs: 2 })),
  );
  assert.deepEqual(withLogprobs.choices[0].firstTokenLogprobs, [
    { token: 'Hello', logprob: -0.31725305 },
    { token: 'Hi', logprob: -1.3190403 },
  ]);
});

test("wire (b): the OpenAI provider reads the legacy completion example, vLLM's logprobs and llama.cpp's content logprobs", async () => {
  const legacy = await replayed({ 'POST /v1/completions': { body: fixture('openai/completion.json') } }, (url) =>
    openai(url).complete(request({ prompt: 'Say this is a test', maxTokens: 7 })),
  );
  assert.equal(legacy.choices[0].text, '\n\nThis is indeed a test');
  const vllm = await replayed({ 'POST /v1/completions': { body: fixture('vllm/completion-logprobs.json') } }, (url) =>
    openai(url).complete(request({ prompt: 'Answer:', topLogprobs: 2 })),
  );
  assert.equal(vllm.choices[0].text, ' 3.');
  assert.deepEqual(vllm.choices[0].firstTokenLogprobs, [
    { token: ' 3', logprob: -0.3567 },
    { token: ' 4', logprob: -1.6094 },
    { token: ' 2', logprob: -2.3026 },
  ]);
  const llama = await replayed({ 'POST /v1/completions': { body: fixture('llamacpp/v1-completions-logprobs.json') } }, (url) =>
    openai(url).complete(request({ prompt: 'Answer:', topLogprobs: 2 })),
  );
  assert.equal(llama.choices[0].text, ' 3');
  assert.deepEqual(llama.choices[0].firstTokenLogprobs, [
    { token: ' 3', logprob: -0.4155 },
    { token: ' 4', logprob: -1.5141 },
  ]);
});

test('wire (b): the OpenAI provider lists the models of the API reference, vLLM and llama.cpp examples', async () => {
  for (const [file, names] of [
    ['openai/models.json', ['model-id-0', 'model-id-1', 'model-id-2']],
    ['vllm/models.json', ['meta-llama/Llama-3.1-8B']],
    ['llamacpp/v1-models.json', ['../models/Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf']],
  ] as const) {
    const models = await replayed({ 'GET /v1/models': { body: fixture(file) } }, (url) => openai(url).listModels(signal));
    assert.deepEqual(
      models.map((m) => m.name),
      names,
      file,
    );
  }
});

test('wire (b): the Ollama provider reads the documented chat, generate (raw) and tags answers, and a pull', async () => {
  const chat = await replayed({ 'POST /api/chat': { body: fixture('ollama/chat.json') } }, (url) => ollama(url).complete(request({})));
  assert.equal(chat.choices[0].text, 'Hello! How can I help you today?');
  assert.deepEqual(chat.usage, { promptTokens: 11, completionTokens: 18 });
  const chatLogprobs = await replayed({ 'POST /api/chat': { body: fixture('ollama/chat-logprobs.json') } }, (url) =>
    ollama(url).complete(request({ topLogprobs: 2 })),
  );
  assert.deepEqual(chatLogprobs.choices[0].firstTokenLogprobs, [
    { token: 'Hello', logprob: -0.0435 },
    { token: 'Hi', logprob: -3.1632 },
  ]);
  const raw = await replayed({ 'POST /api/generate': { body: fixture('ollama/generate-raw-logprobs.json') } }, (url) =>
    ollama(url).complete(request({ prompt: 'Answer:', topLogprobs: 3 })),
  );
  assert.equal(raw.choices[0].text, ' 3');
  assert.deepEqual(
    raw.choices[0].firstTokenLogprobs?.map((t) => t.token),
    [' 3', ' 2', ' 4'],
  );
  const generate = await replayed({ 'POST /api/generate': { body: fixture('ollama/generate.json') } }, (url) =>
    ollama(url).complete(request({ prompt: 'Why is the sky blue?' })),
  );
  assert.equal(generate.choices[0].text, 'Hello! How can I help you today?');
  const models = await replayed({ 'GET /api/tags': { body: fixture('ollama/tags.json') } }, (url) => ollama(url).listModels(signal));
  assert.deepEqual(models, [
    { name: 'gemma4', digest: 'c6eb396dbd5992bbe3f5cdb947e8bbc0ee413d7c17e2beaae69f5d569cf982eb', sizeBytes: 9608350245 },
  ]);
  const progress: string[] = [];
  await replayed({ 'POST /api/pull': { body: fixture('ollama/pull.json'), ndjson: true } }, (url) =>
    pullModel(url, 'gemma4', (p) => progress.push(p.status), signal),
  );
  assert.deepEqual(progress, ['success']);
});

test("wire (b): the OpenAI provider reads the vLLM echo answer as the options' continuation log-likelihoods (method loglik)", async () => {
  const scored = await replayed({ 'POST /v1/completions': { body: fixture('vllm/completion-echo.json') } }, (url) =>
    openai(url).complete(request({ prompt: 'Answer:', continuations: [' 1', ' 2'] })),
  );
  assert.deepEqual(scored.continuationLogprobs, [-1.204, -0.5108]);
  assert.deepEqual(scored.usage, { promptTokens: 8, completionTokens: 2 });
});

test('wire (b): the batch client reads the API reference batch object', () => {
  const info = batchInfo(fixture('openai/batch.json'), 'http://127.0.0.1');
  assert.deepEqual(info, {
    id: 'batch_abc123',
    status: 'completed',
    inputFileId: 'file-abc123',
    outputFileId: 'file-cvaTdG',
    errorFileId: 'file-HOWS94',
    requestCounts: { total: 100, completed: 95, failed: 5 },
  });
});
