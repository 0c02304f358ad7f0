// Issue 20: runs are a set, so is their progress. Two Score runs at once each keep their own entry on the
// progress board (one per run id), the board's total is their sum, and each entry leaves with its run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeDocument, Uri, installFakeVscode, state } from './fake-vscode';
import { startFakeOllama } from '../../support/fake-ollama';
import { nullLogger } from '../../../src/core/log';

installFakeVscode();
const { ParsedDocuments } = require('../../../src/editor/documents') as typeof import('../../../src/editor/documents');
const { ResultsState } = require('../../../src/editor/resultsState') as typeof import('../../../src/editor/resultsState');
const { AnalysisSources } = require('../../../src/editor/analysisSources') as typeof import('../../../src/editor/analysisSources');
const { ApiKeys } = require('../../../src/editor/apiKeys') as typeof import('../../../src/editor/apiKeys');
const { ModelPicker } = require('../../../src/editor/models') as typeof import('../../../src/editor/models');
const { Scoring } = require('../../../src/editor/scoring') as typeof import('../../../src/editor/scoring');
const { ProgressBoard } = require('../../../src/editor/progressBoard') as typeof import('../../../src/editor/progressBoard');

test('two concurrent runs: two board entries with their own totals, summed; both leave when done', async () => {
  // Long enough that the second run is set up while the first still waits for answers (the machine is shared).
  const server = await startFakeOllama({ latencyMs: 1500 });
  const ws = mkdtempSync(join(tmpdir(), 'vl-concurrent-'));
  const uri = Uri.file(join(ws, 'items.wvs'));
  state.reset();
  state.documents = [new FakeDocument(uri, 'wvs', readFileSync('examples/wvs7-sample.wvs', 'utf8')), new FakeDocument(Uri.file(join(ws, 'prompts.wvt')), 'wvt', readFileSync('examples/prompts.wvt', 'utf8'))];
  state.settings = {
    'valueLens.ollama.host': { globalValue: server.url },
    'valueLens.model': { globalValue: 'fake-llm:latest' },
    'valueLens.method': { globalValue: 'logprobs' },
    'valueLens.template': { globalValue: 'direct' },
    'valueLens.cache.enabled': { globalValue: false },
  };
  const board = new ProgressBoard();
  const seen: { size: number; total: number }[] = [];
  const set = board.set.bind(board);
  board.set = (runId, p) => {
    set(runId, p);
    seen.push({ size: board.size, total: board.total()!.total });
  };
  const apiKeys = new ApiKeys({ get: async () => undefined, store: async () => undefined, delete: async () => undefined });
  const models = new ModelPicker(apiKeys, nullLogger);
  const scoring = new Scoring({ storageDir: ws, documents: new ParsedDocuments(), results: new ResultsState(), sources: new AnalysisSources(join(ws, 'legacy'), nullLogger), apiKeys, models, logger: nullLogger, onRecords: () => undefined, progress: board });
  try {
    const [a, b] = await Promise.all([
      scoring.score({ uri: uri as never, itemIds: ['Q1'], languages: ['en', 'da'] }),
      scoring.score({ uri: uri as never, itemIds: ['Q2', 'Q3'], languages: ['en', 'da', 'nl'] }),
    ]);
    assert.equal(a?.length, 2);
    assert.equal(b?.length, 6);
    // While both ran, the board held both entries and their summed total (2 + 6), never one overwriting the other.
    assert.ok(seen.some((s) => s.size === 2 && s.total === 8), JSON.stringify(seen));
    assert.equal(board.size, 0);
    assert.equal(scoring.running, 0);
  } finally {
    models.dispose();
    await server.close();
    rmSync(ws, { recursive: true, force: true });
  }
});
