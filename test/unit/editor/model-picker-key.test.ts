// "Set an API key…" in the model picker (issue 19): choosing it runs the key command (SecretStorage), and
// once a key is stored the picker opens again and lists the endpoint's models with it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installFakeVscode, state } from './fake-vscode';
import { startFakeOllama } from '../../support/fake-ollama';
import { startFakeOpenAI } from '../../support/fake-openai';
import { nullLogger } from '../../../src/core/log';

installFakeVscode();
const { ApiKeys } = require('../../../src/editor/apiKeys') as typeof import('../../../src/editor/apiKeys');
const { ModelPicker } = require('../../../src/editor/models') as typeof import('../../../src/editor/models');
const fake = require('./fake-vscode') as typeof import('./fake-vscode');

const wait = async (ready: () => boolean): Promise<void> => {
  for (let i = 0; i < 500 && !ready(); i++) await new Promise((r) => setTimeout(r, 10));
};

test('the "Set an API key" entry of Select Model runs valueLens.setApiKey; with a key stored the endpoint is listed', async () => {
  const KEY = 'sk-CANARY-picker-0123456789';
  const ollama = await startFakeOllama();
  // A remote-looking endpoint: not loopback, no key, not the active provider, so it is not contacted.
  const openai = await startFakeOpenAI({ requireKey: KEY, models: [{ name: 'gpt-remote' }] });
  state.reset();
  state.quickPicks = [];
  state.settings = {
    'valueLens.provider': { defaultValue: 'ollama' },
    'valueLens.ollama.host': { globalValue: ollama.url },
    'valueLens.openai.baseUrl': { globalValue: 'https://api.example.invalid/v1' },
  };
  const secrets = new Map<string, string>();
  const apiKeys = new ApiKeys({
    get: async (k) => secrets.get(k),
    store: async (k, v) => void secrets.set(k, v),
    delete: async (k) => void secrets.delete(k),
  });
  // The key command as commands.ts registers it, reduced to what the picker relies on: it stores a key.
  const executed: string[] = [];
  const original = fake.commands.executeCommand;
  fake.commands.executeCommand = async (command: string, ...args: unknown[]) => {
    executed.push(command);
    if (command === 'valueLens.setApiKey') {
      // The user entered the key; the endpoint now points at the (loopback) server that needs it.
      state.settings['valueLens.openai.baseUrl'] = { globalValue: `${openai.url}/v1` };
      await apiKeys.set(`${openai.url}/v1`, KEY);
    }
    return original(command, ...args);
  };
  const picker = new ModelPicker(apiKeys, nullLogger);
  try {
    const choice = picker.select();
    const first = state.quickPicks[0]!;
    await wait(() => !first.busy);
    const keyEntry = first.items.find((i) => i.label.includes('Set an API key'));
    assert.ok(keyEntry, first.items.map((i) => i.label).join(' | '));
    first.selectedItems = [keyEntry];
    first.accept();
    await wait(() => state.quickPicks.length > 1 && !state.quickPicks[1]!.busy);
    assert.deepEqual(executed, ['valueLens.setApiKey']);
    const second = state.quickPicks[1]!;
    const remote = second.items.find((i) => i.model === 'gpt-remote');
    assert.ok(remote, second.items.map((i) => i.label).join(' | '));
    second.selectedItems = [remote];
    second.accept();
    assert.equal(await choice, 'gpt-remote');
    assert.ok(openai.requests.length > 0 && openai.requests.every((r) => r.headers.authorization === `Bearer ${KEY}`));
  } finally {
    fake.commands.executeCommand = original;
    picker.dispose();
    await ollama.close();
    await openai.close();
  }
});

test('cancelling the key input leaves the picker closed and nothing chosen', async () => {
  const ollama = await startFakeOllama();
  state.reset();
  state.quickPicks = [];
  state.settings = {
    'valueLens.ollama.host': { globalValue: ollama.url },
    'valueLens.openai.baseUrl': { globalValue: 'https://api.example.invalid/v1' },
  };
  const apiKeys = new ApiKeys({ get: async () => undefined, store: async () => undefined, delete: async () => undefined });
  const picker = new ModelPicker(apiKeys, nullLogger);
  try {
    const choice = picker.select();
    const pick = state.quickPicks[0]!;
    await wait(() => !pick.busy);
    pick.selectedItems = [pick.items.find((i) => i.label.includes('Set an API key'))!];
    pick.accept();
    assert.equal(await choice, undefined);
    assert.ok(state.executed.some((e) => e.command === 'valueLens.setApiKey'));
    assert.equal(state.quickPicks.length, 1);
  } finally {
    picker.dispose();
    await ollama.close();
  }
});
