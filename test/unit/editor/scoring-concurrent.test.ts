// Issue 20: runs are a set, so is their progress. Two Score runs at once each keep their own entry on the
// progress board (one per run id), the board's total is their sum, and each entry leaves with its run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeDocument, Uri, installFakeVscode, state } from './fake-vscode';
import { startFakeOllama } from '../../support/fake-ollama';
import { nullLogger } from '../../../src/core/log';
import { parseSurvey } from '../../../src/core/language/index';

installFakeVscode();
const { ParsedDocuments } = require('../../../src/editor/documents') as typeof import('../../../src/editor/documents');
const { ResultsState } = require('../../../src/editor/resultsState') as typeof import('../../../src/editor/resultsState');
const { AnalysisSources } = require('../../../src/editor/analysisSources') as typeof import('../../../src/editor/analysisSources');
const { ApiKeys } = require('../../../src/editor/apiKeys') as typeof import('../../../src/editor/apiKeys');
const { ModelPicker } = require('../../../src/editor/models') as typeof import('../../../src/editor/models');
const { Scoring } = require('../../../src/editor/scoring') as typeof import('../../../src/editor/scoring');
const { ProgressBoard } = require('../../../src/editor/progressBoard') as typeof import('../../../src/editor/progressBoard');

/**
 * A proxy in front of the fake that releases scoring requests in an order that makes the runs overlap by
 * construction, not by timing: run A's first request at once; run B's once a run is on the board; A's others
 * once both are. Metadata requests (/api/tags, /api/show) pass at once.
 */
async function orderingProxy(
  target: string,
  isRunA: (body: string) => boolean,
  onBoard: (wanted: 'A' | 'AB') => Promise<void>,
): Promise<{ url: string; close(): Promise<void> }> {
  let firstA = true;
  const proxy = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      let held: Promise<void> = Promise.resolve();
      if (/^\/api\/(chat|generate)/.test(req.url ?? '')) {
        if (!isRunA(body.toString('utf8'))) held = onBoard('A');
        else if (firstA) firstA = false;
        else held = onBoard('AB');
      }
      void held.then(() => {
        const out = http.request(new URL(req.url ?? '/', target), { method: req.method, headers: req.headers }, (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        });
        out.on('error', () => res.destroy());
        out.end(body);
      });
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const { port } = proxy.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        proxy.closeAllConnections();
        proxy.close(() => resolve());
      }),
  };
}

test('two concurrent runs: two board entries with their own totals, summed; both leave when done', async () => {
  const server = await startFakeOllama();
  const text = readFileSync('examples/wvs7-sample.wvs', 'utf8');
  const q1 = parseSurvey(text).items.find((i) => i.id === 'Q1')!;
  // Run A scores Q1 only; its prompts are the only ones that carry Q1's wording (JSON-escaped in the body).
  const q1Texts = Object.values(q1.texts).map((t) => JSON.stringify(t.value).slice(1, -1));
  const waiting: { wanted: 'A' | 'AB'; resolve(): void }[] = [];
  // 'A' (run B's requests) waits until a run is on the board, 'AB' (run A's later ones) until both are. The
  // condition is checked when a request arrives too: one that comes after the last board change must not
  // wait for another change (it would hang until the request timeouts).
  const ready = (wanted: 'A' | 'AB'): boolean => (wanted === 'A' ? board.size >= 1 : board.size === 2);
  const onBoard = (wanted: 'A' | 'AB'): Promise<void> =>
    new Promise((resolve) => {
      if (ready(wanted)) resolve();
      else waiting.push({ wanted, resolve });
    });
  const proxy = await orderingProxy(server.url, (body) => q1Texts.some((t) => body.includes(t)), onBoard);
  const ws = mkdtempSync(join(tmpdir(), 'vl-concurrent-'));
  const uri = Uri.file(join(ws, 'items.wvs'));
  state.reset();
  state.documents = [
    new FakeDocument(uri, 'wvs', text),
    new FakeDocument(Uri.file(join(ws, 'prompts.wvt')), 'wvt', readFileSync('examples/prompts.wvt', 'utf8')),
  ];
  state.settings = {
    'valueLens.ollama.host': { globalValue: proxy.url },
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
    for (const w of waiting.splice(0)) {
      if (ready(w.wanted)) w.resolve();
      else waiting.push(w);
    }
  };
  const apiKeys = new ApiKeys({ get: async () => undefined, store: async () => undefined, delete: async () => undefined });
  const models = new ModelPicker(apiKeys, nullLogger);
  const scoring = new Scoring({
    storageDir: ws,
    documents: new ParsedDocuments(),
    results: new ResultsState(),
    sources: new AnalysisSources(join(ws, 'legacy'), nullLogger),
    apiKeys,
    models,
    logger: nullLogger,
    onRecords: () => undefined,
    progress: board,
  });
  try {
    const [a, b] = await Promise.all([
      scoring.score({ uri: uri as never, itemIds: ['Q1'], languages: ['en', 'da'] }),
      scoring.score({ uri: uri as never, itemIds: ['Q2', 'Q3'], languages: ['en', 'da', 'nl'] }),
    ]);
    assert.equal(a?.length, 2);
    assert.equal(b?.length, 6);
    // While both ran, the board held both entries and their summed total (2 + 6), never one overwriting the other.
    assert.ok(
      seen.some((s) => s.size === 2 && s.total === 8),
      JSON.stringify(seen),
    );
    assert.equal(board.size, 0);
    assert.equal(scoring.running, 0);
  } finally {
    models.dispose();
    await proxy.close();
    await server.close();
    rmSync(ws, { recursive: true, force: true });
  }
});
