import { test } from 'node:test';
import assert from 'node:assert/strict';
import { activeEndpoint, endpointConfig, type InspectResult } from '../../../src/core/security/endpointSettings';
import { apiKeySecretName } from '../../../src/core/security/secretNames';
import { isLoopback, mayContact } from '../../../src/core/security/trust';
import { runSettings } from '../../../src/core/run/settings';
import { DEFAULT_OLLAMA_HOST, DEFAULT_OPENAI_BASE_URL } from '../../../src/core/origin';

function inspector(values: Record<string, InspectResult>) {
  return (key: string) => values[key];
}

test('defaults when nothing is set', () => {
  const config = endpointConfig(() => undefined);
  assert.equal(config.provider, 'ollama');
  assert.equal(config.ollamaHost, DEFAULT_OLLAMA_HOST);
  assert.equal(config.openaiBaseUrl, DEFAULT_OPENAI_BASE_URL);
  assert.deepEqual(config.ignored, []);
});

test('user (global) values are used, trailing slashes removed', () => {
  const config = endpointConfig(
    inspector({
      provider: { defaultValue: 'ollama', globalValue: 'openai' },
      'openai.baseUrl': { defaultValue: DEFAULT_OPENAI_BASE_URL, globalValue: 'https://llm.example.org/v1/' },
    }),
  );
  assert.equal(config.provider, 'openai');
  assert.equal(config.openaiBaseUrl, 'https://llm.example.org/v1');
  assert.equal(activeEndpoint(config), 'https://llm.example.org/v1');
});

test('workspace and folder values for endpoint settings are ignored and reported', () => {
  const config = endpointConfig(
    inspector({
      provider: { defaultValue: 'ollama', workspaceValue: 'openai' },
      'openai.baseUrl': {
        defaultValue: DEFAULT_OPENAI_BASE_URL,
        globalValue: 'https://user.example/v1',
        workspaceValue: 'http://127.0.0.1:9/trap',
      },
      'ollama.host': { defaultValue: DEFAULT_OLLAMA_HOST, workspaceFolderValue: 'http://evil.example:11434' },
    }),
  );
  assert.equal(config.provider, 'ollama');
  assert.equal(config.openaiBaseUrl, 'https://user.example/v1');
  assert.equal(config.ollamaHost, DEFAULT_OLLAMA_HOST);
  assert.deepEqual(config.ignored.map((i) => `${i.key}@${i.scope}`).sort(), [
    'ollama.host@workspaceFolder',
    'openai.baseUrl@workspace',
    'provider@workspace',
  ]);
});

test('credentials in a URL are stripped, non-http URLs rejected', () => {
  const config = endpointConfig(
    inspector({
      'openai.baseUrl': { globalValue: 'https://user:sk-secret@llm.example/v1' },
      'ollama.host': { globalValue: 'file:///etc/passwd' },
    }),
  );
  assert.equal(config.openaiBaseUrl, 'https://llm.example/v1');
  assert.ok(!JSON.stringify(config).includes('sk-secret'));
  assert.equal(config.ollamaHost, DEFAULT_OLLAMA_HOST);
  assert.equal(config.ignored.length, 2);
});

test('loopback detection and trust gate', () => {
  assert.ok(isLoopback('http://127.0.0.1:11434'));
  assert.ok(isLoopback('http://localhost:8080/v1'));
  assert.ok(isLoopback('http://[::1]:1234'));
  assert.ok(!isLoopback('http://127.0.0.1.evil.example'));
  assert.ok(!isLoopback('https://api.openai.com/v1'));
  assert.deepEqual(mayContact('https://api.openai.com/v1', true), { allowed: true });
  assert.deepEqual(mayContact('http://127.0.0.1:11434', false), { allowed: true });
  const blocked = mayContact('https://api.openai.com/v1', false);
  assert.equal(blocked.allowed, false);
  assert.match(!blocked.allowed ? blocked.reason : '', /not trusted.*https:\/\/api\.openai\.com/);
});

test('API key secret names are per origin', () => {
  assert.equal(apiKeySecretName('https://llm.example/v1'), 'valueLens.apiKey:https://llm.example');
  assert.equal(apiKeySecretName('https://llm.example:8443/v1'), 'valueLens.apiKey:https://llm.example:8443');
  assert.notEqual(apiKeySecretName('http://llm.example/v1'), apiKeySecretName('https://llm.example/v1'));
  assert.equal(apiKeySecretName('not a url'), undefined);
});

test('run settings are validated and clamped', () => {
  const values: Record<string, unknown> = {
    method: 'sample',
    samples: 5000,
    temperature: -1,
    concurrency: 2.6,
    timeoutSeconds: 30,
    languageCountries: { da: 'dk', en: ['US'], xx: [] },
  };
  const s = runSettings((k) => values[k]);
  assert.equal(s.method, 'sample');
  assert.equal(s.samples, 1000);
  assert.equal(s.temperature, 0);
  assert.equal(s.concurrency, 3);
  assert.equal(runSettings(() => undefined).concurrency, 0, 'unset means the provider default (0)');
  assert.equal(s.timeoutMs, 30000);
  assert.deepEqual(s.languageCountries, { da: ['DK'], en: ['US'] });
  const d = runSettings(() => undefined);
  assert.equal(d.method, 'auto');
  assert.deepEqual(d.languageCountries, { da: ['DK'], nl: ['NL'], en: ['US', 'GB'], pt: ['PT', 'BR'] });
  assert.equal(d.codeLensEnabled, true);
});
