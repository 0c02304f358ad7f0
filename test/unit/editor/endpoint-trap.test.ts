// A workspace-level setting must not change the endpoint that receives the API key (issue 4, issue 11 §3):
// the real providers against two loopback servers, the user's and a "trap" named by workspace settings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { endpointConfig, type InspectResult } from '../../../src/core/security/endpointSettings';
import { ApiKeys } from '../../../src/editor/apiKeys';
import { EndpointBlockedError, activeProvider, providerLookup } from '../../../src/editor/providerFactory';
import { startFakeOpenAI } from '../../support/fake-openai';
import { startFakeOllama } from '../../support/fake-ollama';
import type { FakeServer } from '../../support/fake-common';

const KEY = 'sk-CANARY-0123456789abcdef';

function memoryKeys(): ApiKeys {
  const store = new Map<string, string>();
  return new ApiKeys({
    get: async (k) => store.get(k),
    store: async (k, v) => void store.set(k, v),
    delete: async (k) => void store.delete(k),
  });
}

function carriesKey(server: FakeServer): number {
  return server.requests.filter((r) => JSON.stringify(r.headers).includes(KEY) || r.rawBody.includes(KEY)).length;
}

async function exercise(provider: Awaited<ReturnType<typeof activeProvider>>['provider']): Promise<void> {
  const models = await provider.listModels(AbortSignal.timeout(5000));
  await provider.complete({
    model: models[0]!.name,
    messages: [{ role: 'user', content: 'Family: 1 Very important 2 Rather important. Answer with a number.' }],
    maxTokens: 1,
    temperature: 0,
    topLogprobs: 5,
    signal: AbortSignal.timeout(5000),
    timeoutMs: 5000,
  });
}

for (const trusted of [true, false]) {
  test(`workspace endpoint settings never receive the key (${trusted ? 'trusted' : 'untrusted'} workspace)`, async () => {
    const user = await startFakeOpenAI({ requireKey: KEY });
    const trapOpenAI = await startFakeOpenAI();
    const trapOllama = await startFakeOllama();
    try {
      const keys = memoryKeys();
      await keys.set(`${user.url}/v1`, KEY);
      const settings: Record<string, InspectResult> = {
        provider: { defaultValue: 'ollama', globalValue: 'openai', workspaceValue: 'ollama' },
        'openai.baseUrl': {
          defaultValue: 'https://api.openai.com/v1',
          globalValue: `${user.url}/v1`,
          workspaceValue: `${trapOpenAI.url}/v1`,
        },
        'ollama.host': { defaultValue: 'http://127.0.0.1:11434', workspaceFolderValue: trapOllama.url },
      };
      const config = endpointConfig((k) => settings[k]);
      assert.equal(config.ignored.length, 3);
      const resolved = await activeProvider(config, { getApiKey: (e) => keys.get(e), trusted });
      assert.equal(resolved.providerId, 'openai');
      await exercise(resolved.provider);

      // The runner's lookup refuses any other endpoint, before any request is made.
      const lookup = providerLookup(resolved);
      assert.throws(() => lookup('openai', `${trapOpenAI.url}/v1`), EndpointBlockedError);
      assert.throws(() => lookup('ollama', trapOllama.url), EndpointBlockedError);
      assert.equal(lookup('openai', `${user.url}/v1`), resolved.provider);

      assert.equal(trapOpenAI.requests.length, 0, 'the OpenAI trap got no request at all');
      assert.equal(trapOllama.requests.length, 0, 'the Ollama trap got no request at all');
      assert.equal(carriesKey(trapOpenAI) + carriesKey(trapOllama), 0);
      assert.ok(user.requests.length >= 2);
      assert.equal(carriesKey(user), user.requests.length, 'every request to the user origin carries the key');
      assert.ok(user.requests.every((r) => r.headers.authorization === `Bearer ${KEY}`));
    } finally {
      await Promise.all([user.close(), trapOpenAI.close(), trapOllama.close()]);
    }
  });
}

test('a key entered for one origin is not sent to another user-configured origin', async () => {
  const first = await startFakeOpenAI({ requireKey: KEY });
  const second = await startFakeOpenAI();
  try {
    const keys = memoryKeys();
    await keys.set(`${first.url}/v1`, KEY);
    const config = endpointConfig(
      (k) => ({ provider: { globalValue: 'openai' }, 'openai.baseUrl': { globalValue: `${second.url}/v1` } })[k],
    );
    const resolved = await activeProvider(config, { getApiKey: (e) => keys.get(e), trusted: true });
    assert.equal(resolved.hasKey, false);
    await exercise(resolved.provider);
    assert.ok(second.requests.length >= 2);
    assert.equal(carriesKey(second), 0);
    assert.equal(first.requests.length, 0);
  } finally {
    await Promise.all([first.close(), second.close()]);
  }
});

test('untrusted workspace: a remote user endpoint is blocked before anything is sent', async () => {
  const keys = memoryKeys();
  await keys.set('https://llm.example/v1', KEY);
  let asked = 0;
  const config = endpointConfig(
    (k) => ({ provider: { globalValue: 'openai' }, 'openai.baseUrl': { globalValue: 'https://llm.example/v1' } })[k],
  );
  await assert.rejects(
    activeProvider(config, { getApiKey: (e) => (asked++, keys.get(e)), trusted: false }),
    (e: unknown) => e instanceof EndpointBlockedError && /not trusted/.test(e.message),
  );
  assert.equal(asked, 0, 'the key is not even read');
  const ollama = endpointConfig((k) => ({ 'ollama.host': { globalValue: 'http://10.1.2.3:11434' } })[k]);
  await assert.rejects(activeProvider(ollama, { getApiKey: async () => undefined, trusted: false }), EndpointBlockedError);
});
