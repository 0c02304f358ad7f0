// The lens and `value-lens score` prepare runs the same way (src/core/run/prepare.ts): the same condition
// scored from one and then the other is one cache entry, and the second run sends no model request at all
// (the probe verdict is read from the shared probes.json too); the same for a study run by `value-lens run`
// and then by Run Study in the editor. Against the loopback fake Ollama.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeDocument, Uri, installFakeVscode, state } from './fake-vscode';
import { startFakeOllama } from '../../support/fake-ollama';
import type { FakeServer } from '../../support/fake-common';
import { nullLogger } from '../../../src/core/log';
import { parseFlags } from '../../../src/cli/args';
import { SCORE_OPTIONS, executeScore, resolveScoreSettings } from '../../../src/cli/score';

installFakeVscode();
const { ParsedDocuments } = require('../../../src/editor/documents') as typeof import('../../../src/editor/documents');
const { ResultsState } = require('../../../src/editor/resultsState') as typeof import('../../../src/editor/resultsState');
const { AnalysisSources } = require('../../../src/editor/analysisSources') as typeof import('../../../src/editor/analysisSources');
const { ApiKeys } = require('../../../src/editor/apiKeys') as typeof import('../../../src/editor/apiKeys');
const { ModelPicker } = require('../../../src/editor/models') as typeof import('../../../src/editor/models');
const { Scoring } = require('../../../src/editor/scoring') as typeof import('../../../src/editor/scoring');

const wsDir = mkdtempSync(join(tmpdir(), 'vl-shared-ws-'));
const surveyUri = Uri.file(join(wsDir, 'wvs7-sample.wvs'));
let server: FakeServer;
let storage: string;

before(async () => {
  server = await startFakeOllama();
  storage = mkdtempSync(join(tmpdir(), 'vl-shared-cache-'));
});
after(async () => {
  await server.close();
  rmSync(storage, { recursive: true, force: true });
  rmSync(wsDir, { recursive: true, force: true });
});

function lens() {
  state.reset();
  state.documents = [
    new FakeDocument(surveyUri, 'wvs', readFileSync('examples/wvs7-sample.wvs', 'utf8')),
    new FakeDocument(Uri.file(join(wsDir, 'prompts.wvt')), 'wvt', readFileSync('examples/prompts.wvt', 'utf8')),
  ];
  // Only what a user sets; the package.json defaults (samples 20, temperature 1) are what the lens used to apply.
  state.settings = {
    'valueLens.provider': { defaultValue: 'ollama' },
    'valueLens.ollama.host': { defaultValue: 'http://127.0.0.1:11434', globalValue: server.url },
    'valueLens.model': { globalValue: 'fake-llm:latest' },
    'valueLens.method': { defaultValue: 'auto' },
    'valueLens.samples': { defaultValue: 20 },
    'valueLens.temperature': { defaultValue: 1 },
    'valueLens.template': { globalValue: 'country' },
    'valueLens.cache.enabled': { defaultValue: true },
  };
  const apiKeys = new ApiKeys({ get: async () => undefined, store: async () => undefined, delete: async () => undefined });
  const models = new ModelPicker(apiKeys, nullLogger);
  const scoring = new Scoring({
    storageDir: storage,
    documents: new ParsedDocuments(),
    results: new ResultsState(),
    sources: new AnalysisSources(join(storage, 'runs'), nullLogger),
    apiKeys,
    models,
    logger: nullLogger,
    onRecords: () => undefined,
  });
  return { scoring, dispose: () => models.dispose() };
}

const keys = (records: { cacheKey?: string }[]): string[] => records.map((r) => r.cacheKey ?? '').sort();

async function cli(item: string) {
  const out = join(storage, `cli-${item}.jsonl`);
  const argv = [
    'examples/wvs7-sample.wvs',
    '--template',
    'examples/prompts.wvt',
    '--template-name',
    'country',
    '--item',
    item,
    '--endpoint',
    server.url,
    '--model',
    'fake-llm:latest',
    '--cache-dir',
    join(storage, 'cache'),
    '--out',
    out,
  ];
  const sink = { write: () => true } as unknown as NodeJS.WritableStream;
  const io = { cwd: process.cwd(), env: {}, stdout: sink, stderr: sink };
  const outcome = await executeScore(
    resolveScoreSettings(parseFlags('score', argv, SCORE_OPTIONS), {}, io),
    io,
    new AbortController().signal,
  );
  const records = readFileSync(out, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { cacheKey?: string; cached: boolean; kind: string });
  return { outcome, records };
}

test('lens first, then the CLI: one cache entry per request, the second run sends no model request', async () => {
  const { scoring, dispose } = lens();
  try {
    const records = await scoring.score({ uri: surveyUri as never, itemIds: ['Q1'] });
    assert.equal(records?.length, 4);
    assert.ok(
      records!.every((r) => r.kind === 'result' && !r.cached),
      JSON.stringify(records),
    );
    assert.ok(server.modelRequests().length >= 4);
    const entries = readdirSync(join(storage, 'cache'), { recursive: true }).length;
    const before = server.modelRequests().length;

    const { outcome, records: cliRecords } = await cli('Q1');
    assert.equal(outcome.planned, 4);
    assert.equal(outcome.cached, 4);
    assert.equal(outcome.summary.requestsSent, 0);
    assert.equal(server.modelRequests().length, before, 'no probe and no scoring request');
    assert.deepEqual(keys(cliRecords), keys(records!));
    assert.equal(readdirSync(join(storage, 'cache'), { recursive: true }).length, entries, 'no second cache entry');
  } finally {
    dispose();
  }
});

test('the CLI first, then the lens: the lens is served from the cache', async () => {
  const { records } = await cli('Q2');
  assert.equal(records.length, 4);
  const before = server.modelRequests().length;
  const { scoring, dispose } = lens();
  try {
    const lensRecords = await scoring.score({ uri: surveyUri as never, itemIds: ['Q2'] });
    assert.ok(
      lensRecords!.every((r) => r.kind === 'result' && r.cached),
      JSON.stringify(lensRecords),
    );
    assert.equal(server.modelRequests().length, before);
    assert.deepEqual(keys(lensRecords!), keys(records));
  } finally {
    dispose();
  }
});

test('a study: `value-lens run` first, then Run Study in the editor: every request from the one cache, no model request', async () => {
  const { mkdirSync, writeFileSync, copyFileSync } = await import('node:fs');
  const { runRun } = await import('../../../src/cli/run');
  const { registeredCommands } = await import('./fake-vscode');
  const { registerStudies } = require('../../../src/editor/studies') as typeof import('../../../src/editor/studies');
  const { StudyResultsIndex } = require('../../../src/editor/studyResults') as typeof import('../../../src/editor/studyResults');
  const dir = join(wsDir, 'study');
  mkdirSync(dir, { recursive: true });
  copyFileSync('examples/wvs7-sample.wvs', join(dir, 'wvs7-sample.wvs'));
  copyFileSync('examples/prompts.wvt', join(dir, 'prompts.wvt'));
  const studyPath = join(dir, 'shared.study.json');
  writeFileSync(
    studyPath,
    JSON.stringify({
      name: 'shared',
      items: [{ file: 'wvs7-sample.wvs', ids: ['Q3', 'Q4'] }],
      templates: [{ file: 'prompts.wvt', names: ['country'], paraphrases: 'none' }],
      languages: ['en', 'da'],
      countries: ['US', 'DK'],
      endpoints: { local: server.url },
      models: [{ id: 'fake', provider: 'ollama', model: 'fake-llm:latest', endpoint: 'local' }],
      method: 'auto',
    }),
  );
  const sink = { write: () => true } as unknown as NodeJS.WritableStream;
  const io = { cwd: dir, env: {}, stdout: sink, stderr: sink };
  assert.equal(await runRun([studyPath, '--cache-dir', join(storage, 'cache'), '--no-analysis'], io, new AbortController().signal), 0);
  const cliRecords = readFileSync(join(dir, 'shared.results', 'records.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { cacheKey?: string });
  assert.equal(cliRecords.length, 2 * 2 * 2);
  const entries = readdirSync(join(storage, 'cache'), { recursive: true }).length;
  const before = server.modelRequests().length;

  const { dispose } = lens();
  const apiKeys = new ApiKeys({ get: async () => undefined, store: async () => undefined, delete: async () => undefined });
  const studies = registerStudies({
    context: { workspaceState: { get: () => undefined, update: async () => undefined } } as never,
    documents: new ParsedDocuments(),
    results: new ResultsState(),
    sources: new AnalysisSources(join(storage, 'runs'), nullLogger),
    scoring: { cacheDir: join(storage, 'cache') },
    apiKeys,
    logger: nullLogger,
    board: new (require('../../../src/editor/progressBoard') as typeof import('../../../src/editor/progressBoard')).ProgressBoard(),
    index: new StudyResultsIndex(),
    toolVersion: 'test',
    panel: { show: () => undefined, showStudy: () => undefined, refresh: () => undefined },
  });
  try {
    const result = (await registeredCommands.get('valueLens.runStudy')!(Uri.file(studyPath))) as {
      manifest: { planned: number; cached: number };
      summary: { requestsSent: number; records: { cacheKey?: string }[] };
    };
    assert.equal(result.manifest.planned, 8);
    assert.equal(result.manifest.cached, 8);
    assert.equal(result.summary.requestsSent, 0);
    assert.equal(server.modelRequests().length, before, 'no probe (verdict from probes.json) and no scoring request');
    assert.deepEqual(keys(result.summary.records), keys(cliRecords));
    assert.equal(readdirSync(join(storage, 'cache'), { recursive: true }).length, entries, 'no second cache entry');
  } finally {
    studies.disposable.dispose();
    dispose();
  }
});
