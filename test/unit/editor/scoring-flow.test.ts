// The editor adapters end to end in plain Node (a fake `vscode` module): lenses on the example file, a Score
// run against the loopback fake Ollama through the real planner/runner/providers, the updated lens titles and
// hover, the results file, cancellation, trust and the ways out of errors.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeDocument, Position, Uri, installFakeVscode, state, type CodeLens } from './fake-vscode';
import { startFakeOllama } from '../../support/fake-ollama';
import { startFakeOpenAI } from '../../support/fake-openai';
import type { FakeServer } from '../../support/fake-common';
import { createMemoryLogger, nullLogger, type Logger } from '../../../src/core/log';

installFakeVscode();
const { ParsedDocuments } = require('../../../src/editor/documents') as typeof import('../../../src/editor/documents');
const { ResultsState } = require('../../../src/editor/resultsState') as typeof import('../../../src/editor/resultsState');
const { AnalysisSources } = require('../../../src/editor/analysisSources') as typeof import('../../../src/editor/analysisSources');
const { ApiKeys } = require('../../../src/editor/apiKeys') as typeof import('../../../src/editor/apiKeys');
const { ModelPicker } = require('../../../src/editor/models') as typeof import('../../../src/editor/models');
const { Scoring } = require('../../../src/editor/scoring') as typeof import('../../../src/editor/scoring');
const { registerCodeLenses } = require('../../../src/editor/codeLens') as typeof import('../../../src/editor/codeLens');
const { registerResultsView } = require('../../../src/editor/resultsView') as typeof import('../../../src/editor/resultsView');

// The items file lives in a temporary workspace folder: results are written beside it (wvs7-sample.results/).
const wsDir = mkdtempSync(join(tmpdir(), 'vl-flow-ws-'));
const surveyUri = Uri.file(join(wsDir, 'wvs7-sample.wvs'));
const corpusDir = join(wsDir, 'wvs7-sample.results');
const surveyText = readFileSync('examples/wvs7-sample.wvs', 'utf8');
const q1Line = surveyText.split('\n').findIndex((l) => /^item Q1\b/.test(l));

let server: FakeServer;
let storage: string;

function setup(logger: Logger = nullLogger) {
  const documents = new ParsedDocuments();
  const results = new ResultsState();
  const sources = new AnalysisSources(join(storage, 'runs'), logger);
  const store = new Map<string, string>();
  const apiKeys = new ApiKeys({
    get: async (k) => store.get(k),
    store: async (k, v) => void store.set(k, v),
    delete: async (k) => void store.delete(k),
  });
  const models = new ModelPicker(apiKeys, logger);
  const scoring = new Scoring({ storageDir: storage, documents, results, sources, apiKeys, models, logger, onRecords: () => undefined });
  const lenses = registerCodeLenses(documents, results);
  const view = registerResultsView(documents, results);
  return { documents, results, scoring, apiKeys, dispose: () => (lenses.disposable.dispose(), view.dispose(), models.dispose()) };
}

function settings(host: string, extra: Record<string, unknown> = {}) {
  state.settings = {
    'valueLens.provider': { defaultValue: 'ollama' },
    'valueLens.ollama.host': { defaultValue: 'http://127.0.0.1:11434', globalValue: host },
    'valueLens.model': { globalValue: 'fake-llm:latest' },
    'valueLens.method': { globalValue: 'auto' },
    'valueLens.template': { globalValue: 'direct' },
    'valueLens.cache.enabled': { globalValue: false },
    ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [`valueLens.${k}`, { globalValue: v }])),
  };
}

function lensTitles(line: number): string[] {
  const provider = state.codeLensProviders[0]!;
  const doc = state.documents[0];
  return provider
    .provideCodeLenses(doc, { isCancellationRequested: false })
    .filter((l: CodeLens) => l.range.start.line === line)
    .map((l: CodeLens) => provider.resolveCodeLens!(l).command!.title);
}

before(async () => {
  server = await startFakeOllama();
  storage = mkdtempSync(join(tmpdir(), 'vl-flow-'));
});
after(async () => {
  await server.close();
  rmSync(storage, { recursive: true, force: true });
  rmSync(wsDir, { recursive: true, force: true });
});
beforeEach(() => {
  state.reset();
  state.documents = [
    new FakeDocument(surveyUri, 'wvs', surveyText),
    new FakeDocument(Uri.file(join(wsDir, 'prompts.wvt')), 'wvt', readFileSync('examples/prompts.wvt', 'utf8')),
  ];
  server.setBehaviour({ fault: null, faults: [], latencyMs: 0, logprobs: 'ok' });
  server.requests.length = 0;
});

test('lenses above Q1 before any run', () => {
  const ctx = setup();
  try {
    assert.deepEqual(lensTitles(q1Line), ['$(play) Score', '$(list-flat) Paraphrases', '⋯']);
  } finally {
    ctx.dispose();
  }
});

test('Score runs against the loopback model, then lens titles, hover, decoration and the results file show it', async () => {
  settings(server.url);
  const decorations: { range: { start: { line: number } }; renderOptions: { after: { contentText: string } } }[][] = [];
  const { window: fakeWindow } = require('./fake-vscode') as typeof import('./fake-vscode');
  fakeWindow.visibleTextEditors = [
    { document: state.documents[0], setDecorations: (_type: unknown, options: (typeof decorations)[number]) => decorations.push(options) },
  ];
  const ctx = setup();
  try {
    const records = await ctx.scoring.score({ uri: surveyUri as never, itemIds: ['Q1'] });
    assert.equal(records?.length, 4);
    assert.ok(
      records!.every((r) => r.kind === 'result'),
      JSON.stringify(records!.filter((r) => r.kind === 'failure')),
    );
    assert.ok(server.modelRequests().length >= 4);
    const [score, ...rest] = lensTitles(q1Line);
    assert.match(score!, /^\$\(play\) Score: en \d\.\d\d · da \d\.\d\d · nl \d\.\d\d · pt \d\.\d\d$/);
    assert.deepEqual(rest, ['$(list-flat) Paraphrases', '⋯']);
    const hover = state.hoverProviders[0]!.provideHover(state.documents[0], new Position(q1Line, 3))!;
    const md = hover.contents[0]!.value;
    assert.match(md, /Scale `importance`/);
    assert.match(md, /\*\*da\*\* mean \d\.\d\d · mode \d · missMass \d\.\d{3} · logprobs · `fake-llm:latest`/);
    assert.match(md, /█/);
    for (let i = 0; i < 200 && !/^ {2}en /.test(decorations[decorations.length - 1]?.[0]?.renderOptions.after.contentText ?? ''); i++)
      await new Promise((r) => setTimeout(r, 20));
    const last = decorations[decorations.length - 1]!;
    assert.equal(last.length, 1);
    assert.equal(last[0]!.range.start.line, q1Line);
    assert.match(last[0]!.renderOptions.after.contentText, /^ {2}en \d\.\d\d · da \d\.\d\d · nl \d\.\d\d · pt \d\.\d\d$/);
    fakeWindow.visibleTextEditors = [];
    // The run is in the workspace corpus (records + manifest), not in the editor's global storage.
    assert.ok(readFileSync(join(corpusDir, 'records.jsonl'), 'utf8').includes('"study":"wvs7-sample"'));
    const manifests = readdirSync(join(corpusDir, 'runs')).map(
      (f) => JSON.parse(readFileSync(join(corpusDir, 'runs', f), 'utf8')) as { status: string; via: string; planned: number },
    );
    assert.ok(
      manifests.some((m) => m.status === 'done' && m.via === 'editor' && m.planned === 4),
      JSON.stringify(manifests),
    );
    assert.ok(!readdirSync(storage).includes('runs'), 'no runs in global storage');
    assert.ok(state.progressReports.some((p) => /4\/4/.test(p.message ?? '')));

    // Editing the item marks its results stale.
    state.documents[0]!.setText(surveyText.replace('Family', 'Family and relatives'));
    assert.match(lensTitles(q1Line)[0]!, /\$\(warning\) stale$/);
  } finally {
    ctx.dispose();
  }
});

test('an endpoint without logprobs: auto falls back to sampling and says so', async () => {
  // A server of its own: the probe's answer is cached per origin and model.
  const plain = await startFakeOllama({ logprobs: 'missing' });
  settings(plain.url, { samples: 3 });
  const ctx = setup();
  try {
    const records = await ctx.scoring.score({ uri: surveyUri as never, itemIds: ['Q2'], languages: ['en'] });
    assert.equal(records?.[0]?.kind, 'result', JSON.stringify(records?.[0]));
    assert.equal(records?.[0]?.method, 'sample');
    assert.ok(state.messages.some((m) => m.level === 'info' && /does not return logprobs.*sampling/.test(m.text)));
  } finally {
    ctx.dispose();
    await plain.close();
  }
});

test('method logprobs on an endpoint without logprobs: the error offers Use Sampling, which reruns by sampling', async () => {
  const plain = await startFakeOllama({ logprobs: 'missing' });
  settings(plain.url, { samples: 2, method: 'logprobs' });
  state.answer = 'Use Sampling';
  const ctx = setup();
  try {
    const records = await ctx.scoring.score({ uri: surveyUri as never, itemIds: ['Q2'], languages: ['en'] });
    assert.equal(records?.[0]?.kind, 'failure');
    const error = state.messages.find((m) => m.level === 'error');
    assert.ok(error?.buttons.includes('Use Sampling'), JSON.stringify(state.messages));
    for (let i = 0; i < 200 && ctx.results.view(surveyUri.toString(), 'Q2').latest.en?.kind !== 'result'; i++)
      await new Promise((r) => setTimeout(r, 50));
    const view = ctx.results.view(surveyUri.toString(), 'Q2');
    assert.equal(view.latest.en?.kind, 'result');
    assert.equal(view.latest.en?.method, 'sample');
  } finally {
    ctx.dispose();
    await plain.close();
  }
});

test('Ollama not reachable: the message says `ollama serve` and offers Open Settings', async () => {
  settings('http://127.0.0.1:9', { method: 'logprobs' });
  state.answer = 'Open Settings';
  const ctx = setup();
  try {
    await ctx.scoring.score({ uri: surveyUri as never, itemIds: ['Q1'], languages: ['en'] });
    const error = state.messages.find((m) => m.level === 'error');
    assert.ok(error, JSON.stringify(state.messages));
    assert.match(error.text, /`ollama serve`/);
    assert.ok(error.buttons.includes('Open Settings'));
    for (let i = 0; i < 100 && !state.executed.length; i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(state.executed.some((c) => c.command === 'workbench.action.openSettings'));
  } finally {
    ctx.dispose();
  }
});

test('cancel during a slow run ends it quickly and keeps the lens out of the running state', async () => {
  settings(server.url, { method: 'logprobs' });
  server.setBehaviour({ latencyMs: 3000 });
  const ctx = setup();
  try {
    const run = ctx.scoring.score({ uri: surveyUri as never, itemIds: ['Q3'] });
    // Until the run is under its progress notification (the machine is shared: no fixed wait).
    for (let i = 0; i < 300 && !state.cancelProgress; i++) await new Promise((r) => setTimeout(r, 10));
    const q3 = surveyText.split('\n').findIndex((l) => /^item Q3\b/.test(l));
    assert.equal(lensTitles(q3)[0], '$(sync~spin) Scoring…');
    const t0 = Date.now();
    state.cancelProgress!();
    const records = await run;
    assert.ok(Date.now() - t0 < 1000, `cancel took ${Date.now() - t0} ms`);
    assert.ok(records!.every((r) => r.kind === 'failure'));
    assert.ok(!lensTitles(q3)[0]!.includes('Scoring'));
    assert.ok(state.messages.some((m) => /cancelled/.test(m.text)));
  } finally {
    ctx.dispose();
  }
});

test('untrusted workspace with a remote endpoint: nothing is sent, the message says why', async () => {
  settings('http://10.255.255.1:11434');
  state.trusted = false;
  const ctx = setup();
  try {
    const records = await ctx.scoring.score({ uri: surveyUri as never, itemIds: ['Q1'] });
    assert.equal(records, undefined);
    const warning = state.messages.find((m) => m.level === 'warning');
    assert.match(warning!.text, /not trusted, so Value Lens sends nothing to http:\/\/10\.255\.255\.1:11434/);
    assert.deepEqual(warning!.buttons, ['Manage Workspace Trust']);
  } finally {
    ctx.dispose();
  }
});

test('a workspace value for the Ollama host is ignored (and reported); the user host gets the requests', async () => {
  const trap = await startFakeOllama();
  try {
    settings(server.url, { method: 'logprobs' });
    state.settings['valueLens.ollama.host']!.workspaceValue = trap.url;
    const ctx = setup();
    try {
      const records = await ctx.scoring.score({ uri: surveyUri as never, itemIds: ['Q1'], languages: ['en'] });
      assert.equal(records?.[0]?.kind, 'result');
      assert.equal(trap.requests.length, 0);
      assert.ok(server.modelRequests().length >= 1);
      assert.ok(
        state.messages.some((m) => m.level === 'warning' && /ignores the workspace value of "valueLens\.ollama\.host"/.test(m.text)),
      );
    } finally {
      ctx.dispose();
    }
  } finally {
    await trap.close();
  }
});

test('model not found: Pull Model pulls it with progress and the run is repeated', async () => {
  const ollama = await startFakeOllama({ rejectUnknownModels: true });
  settings(ollama.url, { method: 'logprobs', model: 'tinyllama:latest' });
  state.answer = 'Pull Model';
  const ctx = setup();
  try {
    const first = await ctx.scoring.score({ uri: surveyUri as never, itemIds: ['Q4'], languages: ['en'] });
    assert.equal(first?.[0]?.kind, 'failure');
    const error = state.messages.find((m) => m.level === 'error')!;
    assert.match(error.text, /Model "tinyllama:latest" was not found/);
    assert.deepEqual(error.buttons, ['Pull Model', 'Select Model']);
    for (let i = 0; i < 200 && ctx.results.view(surveyUri.toString(), 'Q4').latest.en?.kind !== 'result'; i++)
      await new Promise((r) => setTimeout(r, 50));
    assert.ok(ollama.requests.some((r) => r.path === '/api/pull'));
    assert.ok(
      state.progressReports.some((p) => /pulling .*\d+%/.test(p.message ?? '')),
      JSON.stringify(state.progressReports),
    );
    assert.equal(ctx.results.view(surveyUri.toString(), 'Q4').latest.en?.kind, 'result');
  } finally {
    ctx.dispose();
    await ollama.close();
  }
});

test('OpenAI-compatible endpoint: a missing key offers Set API Key; with the key for its origin the run succeeds', async () => {
  const KEY = 'sk-CANARY-flow-0123456789';
  const openai = await startFakeOpenAI({ requireKey: KEY });
  settings(server.url, { method: 'logprobs' });
  state.settings['valueLens.provider'] = { defaultValue: 'ollama', globalValue: 'openai' };
  state.settings['valueLens.openai.baseUrl'] = { defaultValue: 'https://api.openai.com/v1', globalValue: `${openai.url}/v1` };
  state.answer = 'Set API Key';
  const logger = createMemoryLogger();
  const ctx = setup(logger);
  try {
    const first = await ctx.scoring.score({ uri: surveyUri as never, itemIds: ['Q5'], languages: ['en'] });
    assert.equal(first?.[0]?.kind, 'failure');
    const error = state.messages.find((m) => m.level === 'error')!;
    assert.match(error.text, /rejected the request \(HTTP 401\)/);
    for (let i = 0; i < 100 && !state.executed.length; i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(state.executed.some((c) => c.command === 'valueLens.setApiKey'));

    await ctx.apiKeys.set(`${openai.url}/v1`, KEY);
    const second = await ctx.scoring.score({ uri: surveyUri as never, itemIds: ['Q5'], languages: ['en', 'da'] });
    assert.deepEqual(
      second?.map((r) => r.kind),
      ['result', 'result'],
    );
    const keyed = openai.modelRequests().filter((r) => r.headers.authorization === `Bearer ${KEY}`);
    assert.ok(keyed.length >= 2);
    // The key never reaches the Ollama server configured alongside.
    assert.ok(!server.requests.some((r) => JSON.stringify(r.headers).includes(KEY)));
    // Nor any log line (unredacted logger), message or results file.
    assert.ok(logger.entries.length > 0);
    assert.ok(!JSON.stringify(logger.entries).includes(KEY));
    assert.ok(!JSON.stringify(state.messages).includes(KEY));
    assert.ok(!readFileSync(join(corpusDir, 'records.jsonl'), 'utf8').includes(KEY));
    for (const f of readdirSync(join(corpusDir, 'runs'))) assert.ok(!readFileSync(join(corpusDir, 'runs', f), 'utf8').includes(KEY), f);
  } finally {
    ctx.dispose();
    await openai.close();
  }
});

test('status bar and Select Model: models listed from Ollama and the OpenAI-compatible endpoint, choice written to settings', async () => {
  const KEY = 'sk-CANARY-pick-0123456789';
  const openai = await startFakeOpenAI({ requireKey: KEY, models: [{ name: 'gpt-fake-mini' }] });
  settings(server.url);
  state.settings['valueLens.openai.baseUrl'] = { globalValue: `${openai.url}/v1` };
  state.statusBarItems = [];
  state.quickPicks = [];
  const ctx = setup();
  try {
    await ctx.apiKeys.set(`${openai.url}/v1`, KEY);
    const bar = state.statusBarItems[0]!;
    assert.equal(bar.texts[bar.texts.length - 1], '$(hubot) ollama: fake-llm:latest');
    const { ModelPicker: Picker } = require('../../../src/editor/models') as typeof import('../../../src/editor/models');
    const picker = new Picker(ctx.apiKeys, nullLogger);
    const choice = picker.select();
    const pick = state.quickPicks[0]!;
    assert.equal(pick.busy, true);
    assert.ok(state.statusBarItems[1]!.texts.includes('$(sync~spin) Loading models…'));
    for (let i = 0; i < 500 && pick.busy; i++) await new Promise((r) => setTimeout(r, 20));
    const labels = pick.items.map((i) => i.label);
    assert.ok(labels.some((l) => l.startsWith('Ollama')) && labels.includes('fake-llm:latest'));
    assert.ok(labels.some((l) => l.startsWith('OpenAI-compatible')) && labels.includes('gpt-fake-mini'));
    pick.selectedItems = [pick.items.find((i) => i.model === 'gpt-fake-mini')!];
    pick.accept();
    assert.equal(await choice, 'gpt-fake-mini');
    assert.equal(state.settings['valueLens.provider']!.globalValue, 'openai');
    assert.equal(state.settings['valueLens.model']!.globalValue, 'gpt-fake-mini');
    assert.ok(openai.requests.every((r) => r.headers.authorization === `Bearer ${KEY}`));
    picker.dispose();
  } finally {
    ctx.dispose();
    await openai.close();
  }
});

test('Try on item… above a paraphrase set scores the picked item with every paraphrase; the Paraphrases lens summarises', async () => {
  settings(server.url, { method: 'logprobs' });
  const { registerCommands } = require('../../../src/editor/commands') as typeof import('../../../src/editor/commands');
  const { registeredCommands } = require('./fake-vscode') as typeof import('./fake-vscode');
  const ctx = setup();
  const commands = registerCommands({ documents: ctx.documents, results: ctx.results, scoring: ctx.scoring } as never);
  try {
    const wvt = state.documents[1]!;
    const provider = state.codeLensProviders[0]!;
    const lenses = provider
      .provideCodeLenses(wvt, { isCancellationRequested: false })
      .map((l: CodeLens) => provider.resolveCodeLens!(l).command!);
    assert.ok(lenses.every((c) => c.title === '$(beaker) Try on item…'));
    const setLens = lenses.find((c) => c.arguments?.[2] === 'paraphrases' && c.arguments?.[1] === 'direct')!;
    assert.ok(setLens, JSON.stringify(lenses.map((l) => l.arguments?.slice(1))));
    state.quickPickChoice = (item) => (item as { id: string }).id === 'Q6';
    await registeredCommands.get(setLens.command)!(...setLens.arguments!);
    const q6 = surveyText.split('\n').findIndex((l) => /^item Q6\b/.test(l));
    const titles = lensTitles(q6);
    assert.match(titles[1]!, /^\$\(list-flat\) Paraphrases ±\d\.\d\d$/);
  } finally {
    commands.dispose();
    ctx.dispose();
  }
});

test('Select Model does not contact a remote OpenAI-compatible endpoint that has no key and is not in use', async () => {
  settings(server.url);
  state.quickPicks = [];
  const ctx = setup();
  try {
    const { ModelPicker: Picker } = require('../../../src/editor/models') as typeof import('../../../src/editor/models');
    const picker = new Picker(ctx.apiKeys, nullLogger);
    const choice = picker.select();
    const pick = state.quickPicks[0]!;
    for (let i = 0; i < 500 && pick.busy; i++) await new Promise((r) => setTimeout(r, 20));
    const labels = pick.items.map((i) => i.label);
    assert.ok(labels.includes('fake-llm:latest'));
    assert.ok(labels.includes('$(key) Set an API key for this endpoint to list its models'), labels.join(' | '));
    pick.hide();
    assert.equal(await choice, undefined);
    picker.dispose();
  } finally {
    ctx.dispose();
  }
});

test('an endpoint that rejects logprobs requests (400): auto falls back to sampling', async () => {
  const rejecting = await startFakeOpenAI({ logprobs: 'reject' });
  settings(server.url, { samples: 2 });
  state.settings['valueLens.provider'] = { globalValue: 'openai' };
  state.settings['valueLens.openai.baseUrl'] = { globalValue: `${rejecting.url}/v1` };
  const ctx = setup();
  try {
    const records = await ctx.scoring.score({ uri: surveyUri as never, itemIds: ['Q2'], languages: ['en'] });
    assert.equal(records?.[0]?.kind, 'result', JSON.stringify(records?.[0] ?? state.messages));
    assert.equal(records?.[0]?.method, 'sample');
    assert.ok(state.messages.some((m) => /does not return logprobs/.test(m.text)));
  } finally {
    ctx.dispose();
    await rejecting.close();
  }
});
