// The cache key is assembled from memoised pieces (core/run/key.ts); it must equal the documented
// definition — sha256 over canonical JSON of the whole document — for every input, so caches written by an
// earlier version (and by the editor, which shares the function) keep hitting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { CACHE_FORMAT_VERSION, cacheKey, canonicalJson, type CacheKeyParts, type RequestParams } from '../../../src/core/run/key';

/** The definition, computed the slow way: one canonical document, hashed. */
function reference(parts: CacheKeyParts): string {
  let endpoint = parts.endpoint;
  try {
    const url = new URL(parts.endpoint);
    endpoint = `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
  } catch {
    // not a URL: the raw text
  }
  const doc = {
    v: CACHE_FORMAT_VERSION,
    provider: parts.provider,
    endpoint,
    model: parts.model,
    digest: parts.digest ?? null,
    messages: parts.messages.map((m) => ({ role: m.role, content: m.content })),
    prompt: parts.prompt,
    params: parts.params,
    method: parts.method,
    sampleIndex: parts.sampleIndex,
  };
  return createHash('sha256').update(canonicalJson(doc)).digest('hex');
}

const text = fc.string({ unit: 'binary', maxLength: 40 });
const params: fc.Arbitrary<RequestParams> = fc.record(
  {
    temperature: fc.double({ min: 0, max: 2, noNaN: true }),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    maxTokens: fc.integer({ min: 1, max: 600 }),
    topLogprobs: fc.integer({ min: 0, max: 20 }),
    n: fc.integer({ min: 1, max: 30 }),
    stop: fc.array(text, { maxLength: 2 }),
    schema: text,
  },
  { requiredKeys: ['temperature', 'seed', 'maxTokens', 'n'] },
);
const parts: fc.Arbitrary<CacheKeyParts> = fc.record(
  {
    provider: fc.constantFrom('ollama', 'openai'),
    endpoint: fc.oneof(
      fc.constantFrom('http://127.0.0.1:11434', 'https://api.example.com/v1/', 'https://u:p@h.example/v1?api-key=s', 'not a url'),
      text,
    ),
    model: text,
    digest: text,
    messages: fc.array(fc.record({ role: fc.constantFrom('system', 'user', 'assistant'), content: text }), { maxLength: 3 }),
    prompt: text,
    params,
    method: fc.constantFrom('logprobs', 'sample'),
    sampleIndex: fc.integer({ min: 0, max: 50 }),
  },
  { requiredKeys: ['provider', 'endpoint', 'model', 'messages', 'params', 'method', 'sampleIndex'] },
) as fc.Arbitrary<CacheKeyParts>;

test('cacheKey equals sha256 over the canonical document, for any input', () => {
  fc.assert(
    fc.property(parts, (p) => cacheKey(p) === reference(p)),
    { numRuns: 2000 },
  );
});

test('the memoised pieces are per input: shared params objects and message arrays give each request its own key', () => {
  const shared: RequestParams = { temperature: 0, seed: 0, maxTokens: 1, topLogprobs: 20, n: 1 };
  const messages = [{ role: 'user' as const, content: 'Q?' }];
  const base: CacheKeyParts = {
    provider: 'openai',
    endpoint: 'http://127.0.0.1:1/v1',
    model: 'm',
    messages,
    params: shared,
    method: 'logprobs',
    sampleIndex: 0,
  };
  const variants: CacheKeyParts[] = [
    base,
    { ...base, model: 'n' },
    { ...base, endpoint: 'http://127.0.0.1:2/v1' },
    { ...base, digest: '' },
    { ...base, digest: 'sha256:abc' },
    { ...base, sampleIndex: 1 },
    { ...base, method: 'sample' },
    { ...base, provider: 'ollama' },
    { ...base, prompt: 'Q?' },
    { ...base, messages: [{ role: 'user', content: 'Q!' }] },
    { ...base, params: { ...shared, seed: 1 } },
  ];
  const keys = variants.map((v) => cacheKey(v));
  assert.equal(new Set(keys).size, variants.length);
  variants.forEach((v, i) => assert.equal(cacheKey(v), reference(v), `variant ${i}`));
  // Asked again in another order, each still gets its own key (no stale memo).
  [...variants].reverse().forEach((v) => assert.equal(cacheKey(v), keys[variants.indexOf(v)]));
});

test('a key made by this version for a known request is the one earlier versions made', () => {
  // Computed with the whole-document implementation before the pieces were memoised.
  const key = cacheKey({
    provider: 'openai',
    endpoint: 'http://127.0.0.1:8080/v1/',
    model: 'gpt-x',
    messages: [
      { role: 'system', content: 'Sé breve.' },
      { role: 'user', content: 'How important is family?\n1. Very\n2. Not' },
    ],
    params: { temperature: 0, seed: 0, maxTokens: 1, topLogprobs: 20, n: 1 },
    method: 'logprobs',
    sampleIndex: 0,
  });
  assert.equal(key, GOLDEN);
});

const GOLDEN = '0f8368a0a73431449fd96bca47abe44c16cef0817efb01a584d70223c9790d05';
