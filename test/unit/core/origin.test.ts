// The one origin parser and the three behaviours its callers rely on: the trust and key checks
// (http(s) only, undefined otherwise), the providers (Ollama's bare host:port, an error for garbage)
// and the cache key (the raw text when it is not a URL, so keys made so far keep their value).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { originOf } from '../../../src/core/origin';
import { originOf as providerOriginOf } from '../../../src/providers/errors';
import { endpointOrigin } from '../../../src/core/run/key';

test('originOf: scheme://host:port of an http(s) URL, credentials, path and query dropped', () => {
  assert.equal(originOf('https://user:pw@api.example.test:8443/v1/chat?api-key=x#f'), 'https://api.example.test:8443');
  assert.equal(originOf('http://127.0.0.1:11434/'), 'http://127.0.0.1:11434');
  assert.equal(originOf('HTTPS://API.Example.TEST/v1'), 'https://api.example.test');
  assert.equal(originOf('https://api.example.test:443/v1'), 'https://api.example.test', 'default port dropped');
});

test('originOf without bareHost: not http(s), or not a URL → undefined (a trust check never guesses)', () => {
  for (const text of ['ftp://files.example.test', 'file:///etc/passwd', 'javascript:alert(1)', 'localhost:11434', ':11434', '', 'not a url']) {
    assert.equal(originOf(text), undefined, text);
  }
});

test('originOf with bareHost reads Ollama hosts: host:port gets http://, an empty host is 127.0.0.1', () => {
  assert.equal(originOf('127.0.0.1:11434', { bareHost: true }), 'http://127.0.0.1:11434');
  assert.equal(originOf('localhost:11434', { bareHost: true }), 'http://localhost:11434');
  assert.equal(originOf(':11434', { bareHost: true }), 'http://127.0.0.1:11434');
  assert.equal(originOf('https://ollama.example.test/', { bareHost: true }), 'https://ollama.example.test', 'a scheme is kept');
  assert.equal(originOf('ftp://x.example.test', { bareHost: true }), undefined);
});

test('the providers read bare hosts and fail loudly on what is no endpoint', () => {
  assert.equal(providerOriginOf(':11434'), 'http://127.0.0.1:11434');
  assert.equal(providerOriginOf('http://user:pw@example.test:8080/v1/'), 'http://example.test:8080');
  assert.throws(() => providerOriginOf('http://'), /Not an http\(s\) endpoint/);
  assert.throws(() => providerOriginOf('ftp://x.example.test'), /Not an http\(s\) endpoint/);
});

test('the cache key origin: the origin of a URL, the raw text otherwise (keys made so far keep their value)', () => {
  assert.equal(endpointOrigin('https://user:pw@api.example.test/v1?k=1'), 'https://api.example.test');
  assert.equal(endpointOrigin('127.0.0.1:11434'), '127.0.0.1:11434');
  assert.equal(endpointOrigin('not a url'), 'not a url');
});
