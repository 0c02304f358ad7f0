import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunRecord, ScoreResult } from '../../../src/core/results';
import { ResultsState, RESULTS_STATE_KEY, type MementoLike } from '../../../src/editor/resultsState';
import { adviseError, adviseRun } from '../../../src/editor/errorAdvice';
import { ApiKeys } from '../../../src/editor/apiKeys';

class Memento implements MementoLike {
  data = new Map<string, unknown>();
  updates = 0;
  get<T>(key: string): T | undefined {
    return this.data.get(key) as T | undefined;
  }
  async update(key: string, value: unknown): Promise<void> {
    this.updates++;
    this.data.set(key, JSON.parse(JSON.stringify(value)));
  }
}

function result(language: string, mean: number, paraphrase: number | null = null): ScoreResult {
  return {
    kind: 'result',
    runId: 'r1',
    itemId: 'Q1',
    itemHash: 'h1',
    language,
    template: 'direct',
    paraphrase,
    provider: 'ollama',
    model: 'm',
    endpoint: 'http://127.0.0.1:11434',
    method: 'logprobs',
    optionOrder: [1, 2],
    probabilities: { '1': 0.5, '2': 0.5 },
    mean,
    mode: 1,
    entropy: 0.69,
    missMass: 0,
    latencyMs: 1,
    cached: false,
    at: '2026-11-25T13:00:00Z',
  };
}

test('results state keeps the latest per language and survives a reload through the memento', async () => {
  const memento = new Memento();
  const state = new ResultsState(memento, 5);
  const changed: string[] = [];
  state.onDidChange((uri) => changed.push(uri));
  state.record('file:///a.wvs', result('en', 2));
  state.record('file:///a.wvs', result('en', 3));
  state.record('file:///a.wvs', result('da', 1.5));
  state.record('file:///a.wvs', result('en', 2.5, 4));
  assert.deepEqual(changed, Array(4).fill('file:///a.wvs'));
  const view = state.view('file:///a.wvs', 'Q1', 'h1');
  assert.equal((view.latest.en as ScoreResult).mean, 3);
  assert.equal((view.paraphrases!.en!['4'] as ScoreResult).mean, 2.5);
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(memento.updates, 1, 'writes are debounced into one update');
  const reloaded = new ResultsState(memento);
  assert.equal((reloaded.view('file:///a.wvs', 'Q1').latest.da as ScoreResult).mean, 1.5);
  assert.deepEqual(Object.keys(reloaded.view('file:///b.wvs', 'Q1').latest), []);
  reloaded.clear();
  await reloaded.flush();
  assert.deepEqual(memento.get(RESULTS_STATE_KEY), {});
});

test('running marks are per item and tag and are not persisted', async () => {
  const memento = new Memento();
  const state = new ResultsState(memento, 5);
  state.setRunning('u', 'Q1', 'da', true);
  assert.ok(state.view('u', 'Q1').running!.has('da'));
  assert.equal(state.view('u', 'Q2').running!.size, 0);
  assert.ok(state.isRunning());
  state.setRunning('u', 'Q1', 'da', false);
  assert.ok(!state.isRunning());
  await state.flush();
  assert.ok(!JSON.stringify(memento.get(RESULTS_STATE_KEY)).includes('da'));
});

const ctx = { provider: 'ollama', endpoint: 'http://127.0.0.1:11434/', model: 'llama3.2' };

test('error advice: unreachable Ollama says ollama serve and offers settings', () => {
  const a = adviseError({ kind: 'network', message: 'connect ECONNREFUSED 127.0.0.1:11434' }, ctx);
  assert.equal(a.kind, 'unreachable');
  assert.match(a.message, /`ollama serve`/);
  assert.deepEqual(a.actions, ['openSettings', 'showLog']);
});

test('error advice: model not found offers a pull for Ollama only', () => {
  const a = adviseError({ kind: 'http', status: 404, message: 'model "llama3.2" not found, try pulling it first' }, ctx);
  assert.equal(a.kind, 'modelNotFound');
  assert.ok(a.actions.includes('pullModel'));
  const b = adviseError({ kind: 'http', status: 404, message: 'The model `gpt-x` does not exist' }, { ...ctx, provider: 'openai' });
  assert.ok(!b.actions.includes('pullModel'));
});

test('error advice: rejected key offers Set API Key, no logprobs offers sampling', () => {
  assert.deepEqual(adviseError({ kind: 'http', status: 401, message: 'Unauthorized' }, ctx).actions[0], 'setApiKey');
  assert.equal(adviseError({ kind: 'unsupported', message: 'logprobs are not supported' }, ctx).kind, 'noLogprobs');
  assert.equal(adviseError({ kind: 'timeout', message: 'timed out' }, ctx).kind, 'timeout');
  assert.equal(adviseError({ kind: 'parse', message: 'bad json' }, ctx).kind, 'other');
});

test('run advice picks the most actionable failure and counts, ignoring aborts', () => {
  const base = result('en', 1);
  const fail = (kind: string, status?: number): RunRecord =>
    ({ ...base, kind: 'failure', error: { kind, message: kind, status }, attempts: 1 }) as RunRecord;
  assert.equal(adviseRun([base, fail('aborted')], ctx), undefined);
  const advice = adviseRun([base, fail('timeout'), fail('http', 401)], ctx)!;
  assert.equal(advice.kind, 'auth');
  assert.match(advice.message, /^2 of 3 requests failed\./);
});

test('API keys are bound to the origin they were entered for', async () => {
  const store = new Map<string, string>();
  const keys = new ApiKeys({
    get: async (k) => store.get(k),
    store: async (k, v) => void store.set(k, v),
    delete: async (k) => void store.delete(k),
  });
  assert.equal(await keys.set('https://llm.example/v1', ' sk-abc '), 'https://llm.example');
  assert.equal(await keys.get('https://llm.example/v2/other'), 'sk-abc');
  assert.equal(await keys.get('https://llm.example:8443/v1'), undefined);
  assert.equal(await keys.get('http://llm.example/v1'), undefined);
  assert.equal(await keys.get('https://evil.example/v1'), undefined);
  await keys.clear('https://llm.example/v1');
  assert.equal(await keys.get('https://llm.example/v1'), undefined);
  await assert.rejects(keys.get('file:///x'));
});
