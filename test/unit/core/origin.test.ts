// The one origin parser and the three behaviours its callers rely on: the trust and key checks
// (http(s) only, undefined otherwise), the providers (Ollama's bare host:port, an error for garbage)
// and the cache key (the raw text when it is not a URL, so keys made so far keep their value).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ollamaHostUrl, originOf, readOllamaHost } from '../../../src/core/origin';
import { endpointOriginOrThrow as providerOriginOf } from '../../../src/providers/errors';
import { endpointOrigin } from '../../../src/core/run/key';

test('originOf: scheme://host:port of an http(s) URL, credentials, path and query dropped', () => {
  assert.equal(originOf('https://user:pw@api.example.test:8443/v1/chat?api-key=x#f'), 'https://api.example.test:8443');
  assert.equal(originOf('http://127.0.0.1:11434/'), 'http://127.0.0.1:11434');
  assert.equal(originOf('HTTPS://API.Example.TEST/v1'), 'https://api.example.test');
  assert.equal(originOf('https://api.example.test:443/v1'), 'https://api.example.test', 'default port dropped');
});

test('originOf without bareHost: not http(s), or not a URL → undefined (a trust check never guesses)', () => {
  for (const text of [
    'ftp://files.example.test',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'localhost:11434',
    ':11434',
    '',
    'not a url',
  ]) {
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

test('one reading of an Ollama host: the CLI, the editor setting and the provider give one endpoint', async () => {
  const { normaliseOllamaHost } = await import('../../../src/cli/config');
  const { endpointConfig } = await import('../../../src/core/security/endpointSettings');
  const forms: [string, string][] = [
    ['127.0.0.1', 'http://127.0.0.1:11434'],
    [':9999', 'http://127.0.0.1:9999'],
    ['0.0.0.0:11434', 'http://127.0.0.1:11434'],
    ['http://gpu-box:8080/', 'http://gpu-box:8080'],
    ['http://gpu-box', 'http://gpu-box:11434'],
    ['http://gpu-box:80', 'http://gpu-box:80'],
    ['https://ollama.example.org/', 'https://ollama.example.org'],
    ['https://ollama.example.org:8443/ollama/', 'https://ollama.example.org:8443/ollama'],
    ['http://[::1]:11434', 'http://[::1]:11434'],
    ['[::1]', 'http://[::1]:11434'],
  ];
  for (const [text, url] of forms) {
    assert.equal(normaliseOllamaHost(text), url, `CLI: ${text}`);
    assert.equal(ollamaHostUrl(text), url, `provider: ${text}`);
    assert.equal(ollamaHostUrl(url), url, `read twice: ${text}`);
    if (/^https?:\/\//.test(text))
      assert.equal(endpointConfig((k) => (k === 'ollama.host' ? { globalValue: text } : undefined)).ollamaHost, url, `editor: ${text}`);
  }
  assert.equal(ollamaHostUrl(''), 'http://127.0.0.1:11434');
});

test('readOllamaHost says what the URL would drop (the CLI refuses it), undefined for no URL', () => {
  assert.deepEqual(readOllamaHost('http://u:p@gpu-box:1/?x=1'), { url: 'http://gpu-box:1', credentials: true, extras: true });
  assert.deepEqual(readOllamaHost('gpu-box#f'), { url: 'http://gpu-box:11434', credentials: false, extras: true });
  assert.equal(readOllamaHost('http://[bad'), undefined);
});
