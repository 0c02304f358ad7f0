import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyError, endpointOriginOrThrow, httpError, messageFromBody, parseRetryAfter, redact } from '../../../src/providers/errors';
import { ProviderError } from '../../../src/core/model';

const h = (entries: Record<string, string>) => new Headers(entries);

test('parseRetryAfter: ms header wins, then seconds, then HTTP date; junk is ignored', () => {
  assert.equal(parseRetryAfter(h({ 'retry-after-ms': '250.4', 'retry-after': '9' })), 250);
  assert.equal(parseRetryAfter(h({ 'retry-after': '2' })), 2000);
  assert.equal(parseRetryAfter(h({ 'retry-after': '0.5' })), 500);
  const now = Date.parse('2026-11-25T12:00:00Z');
  assert.equal(parseRetryAfter(h({ 'retry-after': 'Wed, 25 Nov 2026 12:00:30 GMT' }), now), 30_000);
  assert.equal(parseRetryAfter(h({ 'retry-after': 'Wed, 25 Nov 2026 11:00:00 GMT' }), now), 0, 'a past date means now');
  assert.equal(parseRetryAfter(h({ 'retry-after': 'soon' })), undefined);
  assert.equal(parseRetryAfter(h({ 'retry-after-ms': '-5' })), undefined);
  assert.equal(parseRetryAfter(h({})), undefined);
  assert.equal(parseRetryAfter(undefined), undefined);
});

test('redact removes the key and bearer tokens', () => {
  assert.equal(redact('bad key sk-abc123 here', ['sk-abc123']), 'bad key [redacted] here');
  assert.equal(redact('Authorization: Bearer xyz.123', []), 'Authorization: Bearer [redacted]');
  assert.equal(redact('nothing', [undefined, '']), 'nothing');
});

test('httpError carries status, retryAfter and a redacted excerpt', () => {
  const e = httpError(429, 'http://h:1', 'slow down sk-secret-key '.repeat(50), 1000, ['sk-secret-key']);
  assert.equal(e.kind, 'http');
  assert.equal(e.status, 429);
  assert.equal(e.retryAfterMs, 1000);
  assert.ok(!e.message.includes('sk-secret-key'));
  assert.ok(e.message.length < 400);
});

test('messageFromBody reads Ollama and OpenAI error shapes', () => {
  assert.equal(messageFromBody('{"error":"model not found"}'), 'model not found');
  assert.equal(messageFromBody('{"error":{"message":"Rate limit","type":"requests"}}'), 'Rate limit');
  assert.equal(messageFromBody('<html>502</html>'), '<html>502</html>');
});

test('classifyError distinguishes abort, timeout, parse and network', () => {
  const user = new AbortController();
  user.abort();
  const ctx = { origin: 'http://h:1', secrets: [] };
  assert.equal(classifyError(new Error('x'), { ...ctx, userSignal: user.signal }).kind, 'aborted');
  const fired = AbortSignal.abort(new DOMException('t', 'TimeoutError'));
  assert.equal(
    classifyError(new Error('x'), { ...ctx, userSignal: new AbortController().signal, timeoutSignal: fired, timeoutMs: 5 }).kind,
    'timeout',
  );
  assert.equal(classifyError(new SyntaxError('Unexpected token <'), ctx).kind, 'parse');
  const net = classifyError(new TypeError('fetch failed', { cause: new Error('ECONNREFUSED') }), ctx);
  assert.equal(net.kind, 'network');
  assert.match(net.message, /ECONNREFUSED/);
  const original = new ProviderError('keep', 'http', 500);
  assert.equal(classifyError(original, ctx), original);
});

test('endpointOriginOrThrow: core originOf with bare hosts (credentials and paths stripped), or a TypeError', () => {
  assert.equal(endpointOriginOrThrow('http://user:pw@example.test:8080/v1/'), 'http://example.test:8080');
  assert.equal(endpointOriginOrThrow('127.0.0.1:11434'), 'http://127.0.0.1:11434');
  assert.equal(endpointOriginOrThrow(':11434'), 'http://127.0.0.1:11434');
  assert.equal(endpointOriginOrThrow('https://api.openai.com/v1'), 'https://api.openai.com');
  assert.throws(() => endpointOriginOrThrow('ftp://example.test/'), /Not an http\(s\) endpoint: ftp:\/\/example.test\//);
});
