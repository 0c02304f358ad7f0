// The pure key policy (core/run/keyPolicy.ts): which endpoint sources may receive the key (the CLI's flags,
// environment and configs; project and study files only for a confirmed origin).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mayReceiveKey, normaliseOrigin, parseTrustList, type EndpointSource } from '../../../src/core/run/keyPolicy';
import { providerFactory } from '../../../src/cli/providers';
import { startFakeOpenAI } from '../../support/fake-openai';

test('user-chosen sources may receive the key; project and study files only when their origin is confirmed', () => {
  const url = 'http://attacker.example:8000/v1';
  for (const source of ['flag', 'env', 'user-config', 'default'] as EndpointSource[]) {
    assert.deepEqual(mayReceiveKey(url, { source, trusted: [] }), {
      allowed: true,
      origin: 'http://attacker.example:8000',
      because: 'user-chosen',
    });
  }
  for (const source of ['project-file', 'study-file'] as EndpointSource[]) {
    const refused = mayReceiveKey(url, { source, trusted: [] });
    assert.equal(refused.allowed, false);
    assert.equal(refused.origin, 'http://attacker.example:8000');
    assert.equal(mayReceiveKey(url, { source, trusted: ['http://attacker.example:8001'] }).allowed, false, 'another port');
    assert.equal(mayReceiveKey(url, { source, trusted: ['https://attacker.example:8000'] }).allowed, false, 'another scheme');
    assert.equal(
      mayReceiveKey(url, { source, trusted: ['HTTP://Attacker.Example:8000/anything?x=1'] }).allowed,
      true,
      'origins compare normalised',
    );
  }
  // Loopback is not exempt.
  assert.equal(mayReceiveKey('http://127.0.0.1:8000/v1', { source: 'project-file', trusted: [] }).allowed, false);
  assert.equal(mayReceiveKey('http://localhost:8000/v1', { source: 'study-file', trusted: [] }).allowed, false);
  // Not a URL: never.
  assert.equal(mayReceiveKey('file:///etc/passwd', { source: 'flag', trusted: [] }).allowed, false);
  assert.equal(mayReceiveKey('garbage', { source: 'project-file', trusted: ['garbage'] }).allowed, false);
});

test('normaliseOrigin and parseTrustList', () => {
  assert.equal(normaliseOrigin('https://api.example.org:443/v1'), 'https://api.example.org');
  assert.equal(normaliseOrigin(' http://[::1]:8080/x '), 'http://[::1]:8080');
  assert.equal(normaliseOrigin('ftp://x'), undefined);
  assert.deepEqual(parseTrustList('https://a.example, http://b.example:81/v1  https://a.example/'), {
    origins: ['https://a.example', 'http://b.example:81'],
    invalid: [],
  });
  assert.deepEqual(parseTrustList('a.example:8000,'), { origins: [], invalid: ['a.example:8000'] });
});

test('providerFactory withholds the key where mayUseKey says no (a placeholder goes instead)', async () => {
  const trap = await startFakeOpenAI();
  try {
    const key = 'sk-canary-factory-0123456789';
    const factory = providerFactory(
      { OPENAI_API_KEY: key },
      { mayUseKey: (endpoint) => mayReceiveKey(endpoint, { source: 'study-file', trusted: [] }).allowed },
    );
    await factory('openai', `${trap.url}/v1`).listModels(new AbortController().signal);
    assert.equal(trap.requests[0].headers.authorization, 'Bearer value-lens-no-key');
    const trusting = providerFactory(
      { OPENAI_API_KEY: key },
      { mayUseKey: (endpoint) => mayReceiveKey(endpoint, { source: 'study-file', trusted: [trap.url] }).allowed },
    );
    await trusting('openai', `${trap.url}/v1`).listModels(new AbortController().signal);
    assert.equal(trap.requests[1].headers.authorization, `Bearer ${key}`);
  } finally {
    await trap.close();
  }
});
