import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createOllamaProvider, pullModel, type PullProgress } from '../../../src/providers/ollama';
import { protocolSuite, rejection, request } from './protocol-suite';
import { ollamaTarget } from './targets';

const { target, skip } = ollamaTarget(process.env.VALUE_LENS_OLLAMA_MODEL ?? 'llama3.2:1b');
const { ctx } = protocolSuite(target);

test('ollama: keep_alive is sent, origin has no path, host:port form accepted', { skip }, async () => {
  const { fake } = ctx();
  fake!.requests.length = 0;
  const provider = createOllamaProvider({ host: fake!.url.replace('http://', ''), keepAlive: '30m' });
  assert.equal(provider.origin, fake!.url);
  await request(provider, 'fake-llm:latest', 'en').run();
  assert.equal((fake!.modelRequests()[0].body as { keep_alive?: string }).keep_alive, '30m');
  assert.equal(fake!.modelRequests()[0].path, '/api/chat');
});

test('ollama: pullModel streams progress to the end', { skip }, async () => {
  const { fake } = ctx();
  const seen: PullProgress[] = [];
  await pullModel(fake!.url, 'tiny:1b', (p) => seen.push(p), new AbortController().signal);
  assert.equal(seen[0].status, 'pulling manifest');
  assert.equal(seen.at(-1)?.status, 'success');
  const bytes = seen.filter((p) => p.total).map((p) => p.completed);
  assert.deepEqual(bytes, [0, 1_000_000, 2_500_000, 4_000_000]);
  const models = await ctx().provider.listModels(new AbortController().signal);
  assert.ok(models.some((m) => m.name === 'tiny:1b'));
});

test('ollama: pullModel errors and cancellation', { skip }, async () => {
  const { fake } = ctx();
  const e = await rejection(pullModel(fake!.url, 'missing-model', () => {}, new AbortController().signal));
  assert.equal(e.kind, 'http');
  assert.match(e.message, /file does not exist/);
  fake!.setBehaviour({ latencyMs: 200 });
  const controller = new AbortController();
  const pending = pullModel(fake!.url, 'slow:1b', () => controller.abort(), controller.signal);
  const aborted = await rejection(pending);
  assert.equal(aborted.kind, 'aborted');
  fake!.setBehaviour({ latencyMs: 0 });
});

test('ollama: unreachable host → network error', { skip }, async () => {
  const provider = createOllamaProvider({ host: 'http://127.0.0.1:9' });
  const e = await rejection(request(provider, 'm', 'en').run());
  assert.equal(e.kind, 'network', e.message);
  assert.equal(e.retryable, true);
});

test('ollama: a server that rejects `think` gets it dropped, once per model', { skip }, async () => {
  const { fake } = ctx();
  const provider = createOllamaProvider({ host: fake!.url });
  fake!.requests.length = 0;
  fake!.setBehaviour({ rejectThink: true });
  try {
    const r = await request(provider, 'fake-llm:latest', 'en').run();
    assert.ok(r.choices[0].firstTokenLogprobs?.length);
    await request(provider, 'fake-llm:latest', 'da').run();
    const bodies = fake!.modelRequests().map((x) => x.body as { think?: boolean });
    assert.deepEqual(
      bodies.map((b) => b.think),
      [false, undefined, undefined],
    );
  } finally {
    fake!.setBehaviour({ rejectThink: false });
  }
});
