// Issue 19: the `valueLens.running` context key and the language status items (model and endpoint on
// .wvs/.wvt/study files only; a busy item with Stop while anything runs), through the fake `vscode`.
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { FakeDocument, Uri, state } from './fake-vscode';
import { installMoreFakes, more } from './fake-vscode-more';

installMoreFakes();
const { RunningBoard, registerRunningContext, RUNNING_CONTEXT_KEY } =
  require('../../../src/editor/running') as typeof import('../../../src/editor/running');
const { registerLanguageStatus, STATUS_SELECTOR } =
  require('../../../src/editor/languageStatus') as typeof import('../../../src/editor/languageStatus');
const { editorModelStatus, studyModelStatus } =
  require('../../../src/editor/languageStatusText') as typeof import('../../../src/editor/languageStatusText');

beforeEach(() => {
  state.reset();
  more.reset();
});

test('valueLens.running is true from the first run until the last one ends, set only on a change', () => {
  const board = new RunningBoard();
  const disposable = registerRunningContext(board);
  const sets = () => state.executed.filter((e) => e.command === 'setContext' && e.args[0] === RUNNING_CONTEXT_KEY).map((e) => e.args[1]);
  assert.deepEqual(sets(), [false]);
  board.set('a', { done: 0, total: 4, failed: 0, cached: 0 });
  board.set('a', { done: 1, total: 4, failed: 0, cached: 0 });
  board.set('b', { done: 0, total: 2, failed: 0, cached: 0 });
  assert.equal(more.contexts.get(RUNNING_CONTEXT_KEY), true);
  board.delete('a');
  assert.equal(more.contexts.get(RUNNING_CONTEXT_KEY), true, 'b still runs');
  board.delete('b');
  board.delete('b');
  assert.deepEqual(sets(), [false, true, false]);
  disposable.dispose();
});

test('the model item is on .wvs, .wvt and study files only, and says the model and the endpoint origin', () => {
  state.settings = {
    'valueLens.provider': { globalValue: 'openai' },
    'valueLens.openai.baseUrl': { globalValue: 'https://llm.example.org:8443/v1' },
    'valueLens.model': { workspaceValue: 'gpt-x' },
  };
  const board = new RunningBoard();
  more.activeEditor = { document: new FakeDocument(Uri.file('/ws/a.wvs'), 'wvs', '') };
  const disposable = registerLanguageStatus(board);
  const [item] = more.statusItems;
  assert.equal(item!.id, 'valueLens.model');
  assert.deepEqual(item!.selector, [{ language: 'wvs' }, { language: 'wvt' }, { pattern: '**/*.study.json' }]);
  assert.deepEqual(STATUS_SELECTOR, item!.selector);
  assert.equal(item!.text, '$(hubot) gpt-x');
  assert.equal(item!.detail, 'OpenAI-compatible · https://llm.example.org:8443');
  assert.equal(item!.command?.command, 'valueLens.selectModel');

  // A study file: the study's own models and endpoints.
  const study = JSON.stringify({
    name: 's',
    items: [],
    templates: [],
    languages: ['en'],
    models: [{ id: 'm1', provider: 'ollama', model: 'qwen2.5:0.5b', endpoint: 'http://127.0.0.1:11500', kind: 'chat' }],
  });
  more.activeEditor = { document: new FakeDocument(Uri.file('/ws/x.study.json'), 'json', study) };
  more.activeEditorChanged.fire(more.activeEditor);
  assert.equal(item!.text, '$(hubot) qwen2.5:0.5b');
  assert.equal(item!.detail, 'm1 · http://127.0.0.1:11500');
  disposable.dispose();
  assert.equal(item!.disposed, true);
});

test('while a run is in flight a busy item offers Stop (valueLens.cancelRuns); it goes when the runs end', () => {
  const board = new RunningBoard();
  more.activeEditor = { document: new FakeDocument(Uri.file('/ws/a.wvs'), 'wvs', '') };
  const disposable = registerLanguageStatus(board);
  assert.equal(more.statusItems.length, 1, 'no running item while idle');
  board.set('r1', { done: 2, total: 10, failed: 1, cached: 0 });
  board.set('r2', { done: 1, total: 5, failed: 0, cached: 0 });
  const running = more.statusItems.find((i) => i.id === 'valueLens.running')!;
  assert.equal(running.busy, true);
  assert.equal(running.text, 'Scoring 3/15');
  assert.equal(running.detail, '1 failed');
  assert.deepEqual([running.command?.title, running.command?.command], ['Stop', 'valueLens.cancelRuns']);
  board.delete('r1');
  board.delete('r2');
  assert.equal(running.disposed, true);
  disposable.dispose();
});

test('status text: no model, Ollama; several study models; a study that does not parse', () => {
  assert.deepEqual(editorModelStatus('ollama', '', 'http://127.0.0.1:11434'), {
    text: '$(hubot) no model',
    detail: 'Ollama · http://127.0.0.1:11434',
  });
  const models = ['a', 'b', 'c', 'd'].map((id) => ({
    id,
    provider: 'openai',
    model: `m-${id}`,
    endpoint: id === 'd' ? 'http://127.0.0.1:9000/v1' : 'https://api.example.com/v1',
    kind: 'chat',
  }));
  const status = studyModelStatus(JSON.stringify({ name: 's', items: [], templates: [], languages: ['en'], models }))!;
  assert.equal(status.text, '$(hubot) 4 models');
  assert.equal(status.detail, 'a, b, c and 1 more · https://api.example.com, http://127.0.0.1:9000');
  assert.equal(studyModelStatus('{ not json'), undefined);
  // An endpoint by name, and a model without one (the provider's default).
  const byName = studyModelStatus(
    '{"endpoints": {"lab": "http://10.0.0.5:8000/v1"}, "models": [{"id": "x", "provider": "openai", "model": "m", "endpoint": "lab"}, {"id": "y", "provider": "ollama", "model": "n"},],}',
  )!;
  assert.equal(byName.detail, 'x, y · http://10.0.0.5:8000, http://127.0.0.1:11434');
});
