// The editor side of studies in plain Node (fake `vscode`), against the loopback fake Ollama: Run Study
// writes records = planned into the study's corpus and posts the analysis to the panel; the item lens shows
// the study's results; cancel; the confirm modal declines → nothing sent; diagnostics on the study file;
// results are read only from the workspace (another folder's corpus never); a changed item's old results
// are stale and left out of the analysis; Open Results File; the migration copies matching old runs.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FakeDocument,
  Uri,
  diagnosticCollections,
  installFakeVscode,
  registeredCommands,
  state,
  workspace,
  type CodeLens,
} from './fake-vscode';
import { startFakeOllama } from '../../support/fake-ollama';
import type { FakeServer } from '../../support/fake-common';
import { nullLogger } from '../../../src/core/log';
import type { StudyAnalysis } from '../../../src/core/study/analysisTypes';
import type { RunManifest } from '../../../src/core/corpus/types';

installFakeVscode();
const { ParsedDocuments } = require('../../../src/editor/documents') as typeof import('../../../src/editor/documents');
const { ResultsState } = require('../../../src/editor/resultsState') as typeof import('../../../src/editor/resultsState');
const { AnalysisSources } = require('../../../src/editor/analysisSources') as typeof import('../../../src/editor/analysisSources');
const { ApiKeys } = require('../../../src/editor/apiKeys') as typeof import('../../../src/editor/apiKeys');
const { ModelPicker } = require('../../../src/editor/models') as typeof import('../../../src/editor/models');
const { Scoring } = require('../../../src/editor/scoring') as typeof import('../../../src/editor/scoring');
const { ProgressBoard } = require('../../../src/editor/progressBoard') as typeof import('../../../src/editor/progressBoard');
const { StudyResultsIndex } = require('../../../src/editor/studyResults') as typeof import('../../../src/editor/studyResults');
const { registerStudies } = require('../../../src/editor/studies') as typeof import('../../../src/editor/studies');
const { registerCodeLenses } = require('../../../src/editor/codeLens') as typeof import('../../../src/editor/codeLens');
const { workspaceCorpora, implicitCorpusDir } =
  require('../../../src/editor/workspaceCorpora') as typeof import('../../../src/editor/workspaceCorpora');

let server: FakeServer;
let root: string;
const surveyText = readFileSync('examples/wvs7-sample.wvs', 'utf8');
const templatesText = readFileSync('examples/prompts.wvt', 'utf8');

before(async () => {
  server = await startFakeOllama();
  root = mkdtempSync(join(tmpdir(), 'vl-studies-'));
});
after(async () => {
  await server.close();
  rmSync(root, { recursive: true, force: true });
});
beforeEach(() => {
  state.reset();
  server.setBehaviour({ fault: null, faults: [], latencyMs: 0, logprobs: 'ok' });
  server.requests.length = 0;
});

let n = 0;
/** A workspace folder with the example items, templates, synthetic human data and a narrowed study. */
function makeWorkspace(study: Record<string, unknown> = {}) {
  const dir = join(root, `ws${++n}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'wvs7-sample.wvs'), surveyText);
  writeFileSync(join(dir, 'prompts.wvt'), templatesText);
  copyFileSync('examples/human-countries-synthetic.csv', join(dir, 'human-countries-synthetic.csv'));
  const design = {
    name: 'mini',
    items: [{ file: 'wvs7-sample.wvs', ids: ['Q1', 'Q2'] }],
    templates: [{ file: 'prompts.wvt', names: ['country'], paraphrases: 'none' }],
    languages: ['en'],
    countries: ['US', 'SE', 'JP'],
    languageCountries: { en: ['US', 'GB'] },
    endpoints: { local: server.url },
    models: [
      {
        id: 'chat-a',
        provider: 'ollama',
        model: 'fake-llm:latest',
        endpoint: 'local',
        kind: 'chat',
        attributes: { family: 'fake', size: 1 },
      },
      {
        id: 'chat-b',
        provider: 'ollama',
        model: 'fake-reasoner:latest',
        endpoint: 'local',
        kind: 'chat',
        attributes: { family: 'fake', size: 2 },
      },
    ],
    method: 'logprobs',
    human: [{ file: 'human-countries-synthetic.csv' }],
    ...study,
  };
  const studyPath = join(dir, 'mini.study.json');
  writeFileSync(studyPath, JSON.stringify(design, null, 2));
  const surveyUri = Uri.file(join(dir, 'wvs7-sample.wvs'));
  state.documents = [
    new FakeDocument(surveyUri, 'wvs', surveyText),
    new FakeDocument(Uri.file(join(dir, 'prompts.wvt')), 'wvt', templatesText),
    new FakeDocument(Uri.file(studyPath), 'json', JSON.stringify(design)),
  ];
  (workspace as { workspaceFolders: { uri: Uri }[] | undefined }).workspaceFolders = [{ uri: Uri.file(dir) }];
  state.settings = {
    'valueLens.provider': { defaultValue: 'ollama' },
    'valueLens.ollama.host': { defaultValue: 'http://127.0.0.1:11434', globalValue: server.url },
    'valueLens.model': { globalValue: 'fake-llm:latest' },
    'valueLens.method': { globalValue: 'logprobs' },
    'valueLens.template': { globalValue: 'direct' },
    'valueLens.cache.enabled': { globalValue: true },
  };
  return { dir, studyPath, studyUri: Uri.file(studyPath), surveyUri, results: join(dir, 'mini.results') };
}

function editor(storage = join(root, `storage${n}`)) {
  const documents = new ParsedDocuments();
  const results = new ResultsState();
  const sources = new AnalysisSources(join(storage, 'runs'), nullLogger);
  const apiKeys = new ApiKeys({ get: async () => undefined, store: async () => undefined, delete: async () => undefined });
  const models = new ModelPicker(apiKeys, nullLogger);
  const board = new ProgressBoard();
  const scoring = new Scoring({
    storageDir: storage,
    documents,
    results,
    sources,
    apiKeys,
    models,
    logger: nullLogger,
    onRecords: () => undefined,
    progress: board,
  });
  const shown: StudyAnalysis[] = [];
  const memento = new Map<string, unknown>();
  const index = new StudyResultsIndex();
  const lenses = registerCodeLenses(documents, results);
  const studies = registerStudies({
    context: {
      workspaceState: {
        get: (k: string) => memento.get(k),
        update: async (k: string, v: unknown) => void memento.set(k, v),
        keys: () => [...memento.keys()],
      } as never,
    },
    documents,
    results,
    sources,
    scoring,
    apiKeys,
    logger: nullLogger,
    board,
    index,
    toolVersion: 'test',
    panel: { show: () => undefined, showStudy: (a) => void (a && shown.push(a)), refresh: () => undefined },
  });
  return {
    documents,
    results,
    sources,
    scoring,
    studies,
    shown,
    memento,
    board,
    storage,
    dispose: () => (studies.disposable.dispose(), lenses.disposable.dispose(), models.dispose()),
  };
}

const run = (id: string, ...args: unknown[]) => registeredCommands.get(`valueLens.${id}`)!(...args);
const lines = (file: string) =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>)
    : [];
const manifests = (dir: string) =>
  readdirSync(join(dir, 'runs'))
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(dir, 'runs', f), 'utf8')) as RunManifest);

function studyLensTitles(doc: FakeDocument): string[] {
  return state.codeLensProviders
    .flatMap((p) => p.provideCodeLenses(doc, { isCancellationRequested: false }))
    .map((l: CodeLens) => l.command?.title ?? '')
    .filter((t) => t.startsWith('$(beaker)'));
}

test('Run Study: records = planned in the study corpus with every factor, the panel gets the study analysis, the item lens shows the study', async () => {
  const ws = makeWorkspace();
  const ctx = editor();
  try {
    // The study file gets its three lenses.
    const fileLenses = state.codeLensProviders
      .flatMap((p) => p.provideCodeLenses(state.documents[2], { isCancellationRequested: false }))
      .map((l: CodeLens) => l.command?.title);
    assert.ok(
      fileLenses.includes('▶ Run Study') && fileLenses.includes('Plan only') && fileLenses.includes('Open Results'),
      String(fileLenses),
    );

    const result = (await run('runStudy', ws.studyUri)) as { status: string; manifest: RunManifest };
    assert.equal(result.status, 'ran');
    const records = lines(join(ws.results, 'records.jsonl'));
    assert.equal(records.length, 2 * 3 * 2, 'items × countries × models');
    assert.equal(result.manifest.planned, records.length);
    assert.equal(result.manifest.status, 'done');
    assert.equal(result.manifest.via, 'editor');
    const combos = new Set(records.map((r) => `${r.itemId} ${r.country} ${r.modelId} ${r.study} ${r.language} ${r.template}`));
    assert.equal(combos.size, 12);
    for (const r of records) {
      assert.equal(r.kind, 'result', JSON.stringify(r));
      assert.equal(r.study, 'mini');
      assert.ok(['US', 'SE', 'JP'].includes(r.country as string));
      assert.ok(['chat-a', 'chat-b'].includes(r.modelId as string));
    }
    // The panel got the study's analysis: counts add up and name the study.
    assert.equal(ctx.shown.length, 1);
    const analysis = ctx.shown[0]!;
    assert.equal(analysis.study, 'mini');
    assert.equal(analysis.counts.read, 12);
    assert.equal(analysis.counts.used, 12);
    // The item lens: one study lens per item of the study, with its conditions.
    const titles = studyLensTitles(state.documents[0]);
    assert.equal(titles.length, 2, String(titles));
    for (const t of titles) assert.match(t, /^\$\(beaker\) mini: en \d\.\d\d$/);
    // The conditions it spans are in the tooltip (the row stays short).
    const tooltips = state.codeLensProviders
      .flatMap((p) => p.provideCodeLenses(state.documents[0], { isCancellationRequested: false }))
      .map((l: CodeLens) => (l.command as { tooltip?: string } | undefined)?.tooltip ?? '');
    assert.ok(
      tooltips.some((t) => /^mini: en \d\.\d\d \(3 countries · 2 models\)\n/.test(t)),
      JSON.stringify(tooltips),
    );
    // The progress notification showed the plan size and the run.
    assert.ok(
      state.progressReports.some((p) => /12 request\(s\), 0 cached, about \d+ tokens/.test(p.message ?? '')),
      JSON.stringify(state.progressReports),
    );
    assert.ok(state.progressReports.some((p) => /12\/12/.test(p.message ?? '')));
    assert.equal(ctx.board.size, 0, 'the run left the progress board');

    // Running again: everything from the cache, nothing sent to the model.
    const before = server.modelRequests().length;
    const again = (await run('runStudy', ws.studyUri)) as { manifest: RunManifest };
    assert.equal(again.manifest.cached, 12);
    assert.equal(server.modelRequests().length, before);
  } finally {
    ctx.dispose();
  }
});

test('the confirm modal declines: nothing is sent and no corpus is written', async () => {
  const ws = makeWorkspace({ confirmAbove: 5 });
  const ctx = editor();
  try {
    state.answer = undefined; // the modal is dismissed
    const result = (await run('runStudy', ws.studyUri)) as { status: string };
    assert.equal(result.status, 'declined');
    const modal = state.messages.find((m) => /^Run mini\? 12 request\(s\) to send/.test(m.text));
    assert.ok(modal, JSON.stringify(state.messages));
    assert.deepEqual(modal.buttons, ['Run']);
    assert.equal(server.modelRequests().length, 0);
    assert.ok(!existsSync(ws.results));
    assert.equal(ctx.shown.length, 0);
  } finally {
    ctx.dispose();
  }
});

test('Plan only reports the size and sends nothing', async () => {
  const ws = makeWorkspace();
  const ctx = editor();
  try {
    const estimate = (await run('planStudy', ws.studyUri)) as { requests: number; cached: number };
    assert.equal(estimate.requests, 12);
    assert.ok(state.messages.some((m) => /plan of mini: 12 request\(s\), 0 cached/.test(m.text) && m.buttons.includes('Run Study')));
    assert.equal(server.modelRequests().length, 0);
    assert.ok(!existsSync(join(ws.results, 'records.jsonl')));
  } finally {
    ctx.dispose();
  }
});

test('cancel: the run stops, every planned request has a record, the manifest says cancelled', async () => {
  const ws = makeWorkspace();
  const ctx = editor();
  server.setBehaviour({ latencyMs: 300 });
  try {
    const pending = run('runStudy', ws.studyUri) as Promise<{ status: string; manifest: RunManifest; summary: { cancelled: boolean } }>;
    for (let i = 0; i < 200 && !state.cancelProgress; i++) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 100));
    state.cancelProgress!();
    const result = await pending;
    assert.equal(result.summary.cancelled, true);
    assert.equal(result.manifest.status, 'cancelled');
    const records = lines(join(ws.results, 'records.jsonl'));
    assert.equal(records.length, 12);
    assert.ok(
      records.some((r) => r.kind === 'failure'),
      'cancelled requests are recorded as failures',
    );
    assert.equal(manifests(ws.results)[0]!.status, 'cancelled');
    assert.ok(state.messages.some((m) => /mini cancelled/.test(m.text)));
  } finally {
    ctx.dispose();
  }
});

test('study diagnostics with ranges are published on the study file; nothing is run', async () => {
  const ws = makeWorkspace({ templates: [{ file: 'prompts.wvt', names: ['no-such-template'], paraphrases: 'none' }] });
  const ctx = editor();
  try {
    const result = await run('runStudy', ws.studyUri);
    assert.equal(result, undefined);
    const diagnostics = diagnosticCollections.get('valueLens.study')!.get(ws.studyUri.toString())!;
    const unknown = diagnostics.find((d) => /no-such-template/.test(d.message));
    assert.ok(unknown, JSON.stringify(diagnostics.map((d) => d.message)));
    const text = readFileSync(ws.studyPath, 'utf8');
    const line = text.split('\n').findIndex((l) => l.includes('no-such-template'));
    assert.equal(unknown.range.start.line, line);
    assert.ok(
      state.messages.some((m) => m.level === 'error' && /error\(s\); nothing was run/.test(m.text) && m.buttons.includes('Show Problems')),
    );
    assert.equal(server.modelRequests().length, 0);
  } finally {
    ctx.dispose();
  }
});

test("a workspace never sees another workspace's results; only its own corpora are read", async () => {
  // Workspace B scores Q1 from the lens: its corpus is beside its items file.
  const b = makeWorkspace();
  const ctxB = editor();
  try {
    const recordsB = await ctxB.scoring.score({ uri: b.surveyUri as never, itemIds: ['Q1'] });
    assert.equal(recordsB?.length, 4);
  } finally {
    ctxB.dispose();
  }
  assert.equal(lines(join(b.dir, 'wvs7-sample.results', 'records.jsonl')).length, 4);

  // Workspace A has the same items file (same ids, same hashes) and no results of its own.
  const a = makeWorkspace();
  const ctxA = editor();
  try {
    assert.deepEqual(
      await workspaceCorpora([implicitCorpusDir(a.surveyUri.fsPath), implicitCorpusDir(b.surveyUri.fsPath)], [a.dir]),
      [],
      'B is outside A',
    );
    const loaded = await ctxA.studies.loadWorkspaceResults();
    assert.equal(loaded, 0);
    assert.equal(ctxA.sources.recordCount, 0);
    assert.deepEqual(ctxA.results.view(a.surveyUri.toString(), 'Q1').latest, {});
    assert.deepEqual(ctxA.results.view(b.surveyUri.toString(), 'Q1').latest, {});
    // Opening B's folder as the workspace reads them.
    (workspace as { workspaceFolders: { uri: Uri }[] }).workspaceFolders = [{ uri: Uri.file(b.dir) }];
    state.documents[0] = new FakeDocument(b.surveyUri, 'wvs', surveyText);
    assert.equal(await ctxA.studies.loadWorkspaceResults(), 4);
    assert.equal(Object.keys(ctxA.results.view(b.surveyUri.toString(), 'Q1').latest).length, 4);
  } finally {
    ctxA.dispose();
  }
});

test('reading the workspace results again (after a migration or a deleted run) gives the same lens state, not doubled failure counts', async () => {
  const ws = makeWorkspace();
  const ctx = editor();
  // The second run must reach the (failing) server, not the cache.
  state.settings['valueLens.cache.enabled'] = { globalValue: false };
  try {
    await ctx.scoring.score({ uri: ws.surveyUri as never, itemIds: ['Q1'], languages: ['en'] });
    server.setBehaviour({ fault: { kind: 'status', status: 400, body: { error: 'bad request' } } });
    await ctx.scoring.score({ uri: ws.surveyUri as never, itemIds: ['Q1', 'Q2'], languages: ['en'] });
    server.setBehaviour({ fault: null });
    const live = ctx.results.view(ws.surveyUri.toString(), 'Q1');
    // Q2 never had a good result: its failure is the result shown, counted once.
    assert.equal(ctx.results.view(ws.surveyUri.toString(), 'Q2').failures.en?.count, 1);
    assert.equal(live.latest.en?.kind, 'result', 'the failure did not replace the good result');
    assert.equal(live.failures.en?.count, 1);
    for (let i = 0; i < 2; i++) await ctx.studies.loadWorkspaceResults();
    const again = ctx.results.view(ws.surveyUri.toString(), 'Q1');
    assert.equal(again.latest.en?.kind, 'result');
    assert.equal(again.failures.en?.count, 1);
    assert.equal(ctx.results.view(ws.surveyUri.toString(), 'Q2').failures.en?.count, 1);
  } finally {
    ctx.dispose();
  }
});

test("a changed item's old result is shown as stale and excluded from the analysis", async () => {
  const ws = makeWorkspace();
  const ctx = editor();
  try {
    await ctx.scoring.score({ uri: ws.surveyUri as never, itemIds: ['Q1'] });
  } finally {
    ctx.dispose();
  }
  {
    // A new window on the workspace: results come from its corpus.
    const fresh = editor(ctx.storage);
    try {
      await fresh.studies.loadWorkspaceResults();
      const survey = require('../../../src/core/language') as typeof import('../../../src/core/language');
      fresh.sources.setSurvey(ws.surveyUri.toString(), survey.parseSurvey(surveyText));
      assert.deepEqual(fresh.sources.currentRecords().records.length, 4);
      // The item's wording changes: its results are stale (lens) and out of the analysis (panel).
      const changed = surveyText.replace('Family', 'Family and relatives');
      fresh.sources.setSurvey(ws.surveyUri.toString(), survey.parseSurvey(changed));
      const current = fresh.sources.currentRecords();
      assert.equal(current.records.length, 0);
      assert.equal(current.stale, 4);
      const countries = { en: ['US'], da: ['DK'], nl: ['NL'], pt: ['PT'] };
      assert.equal(fresh.sources.report({}, countries).counts.results, 0, 'the panel analyses no stale record');
      fresh.sources.setSurvey(ws.surveyUri.toString(), survey.parseSurvey(surveyText));
      assert.equal(fresh.sources.report({}, countries).counts.results, 4, 'the same records count while the item is unchanged');
      fresh.sources.setSurvey(ws.surveyUri.toString(), survey.parseSurvey(changed));
      state.documents[0]!.setText(changed);
      const lensProvider = state.codeLensProviders.find((p) => p.resolveCodeLens)!;
      const q1Line = changed.split('\n').findIndex((l) => /^item Q1\b/.test(l));
      const titles = lensProvider
        .provideCodeLenses(state.documents[0], { isCancellationRequested: false })
        .filter((l: CodeLens) => l.range.start.line === q1Line)
        .map((l: CodeLens) => lensProvider.resolveCodeLens!(l).command!.title);
      assert.match(titles[0]!, /\$\(warning\) stale$/);
    } finally {
      fresh.dispose();
    }
  }
});

test('Open Results File: a CLI-style results file analysed with the implicit study of an items file', async () => {
  const ws = makeWorkspace();
  const ctx = editor();
  try {
    await ctx.scoring.score({ uri: ws.surveyUri as never, itemIds: ['Q1', 'Q2'] });
    const file = join(ws.dir, 'exported.jsonl');
    copyFileSync(join(ws.dir, 'wvs7-sample.results', 'records.jsonl'), file);
    // The design: an items file chosen in the file dialog (its implicit study).
    state.quickPickChoice = (item) => (item as { label: string }).label === 'Choose a file…';
    state.openDialog = [ws.surveyUri];
    const analysis = (await run('openResultsFile', Uri.file(file))) as StudyAnalysis;
    assert.equal(analysis.study, 'wvs7-sample');
    assert.equal(analysis.counts.read, 8);
    assert.equal(analysis.counts.used, 8);
    assert.equal(ctx.shown.at(-1), analysis);
  } finally {
    ctx.dispose();
  }
});

test('migration: earlier global runs of this workspace’s items are offered once and copied into its corpus', async () => {
  const ws = makeWorkspace();
  const storage = join(root, 'legacy-storage');
  // An earlier version's run, written to global storage by scoring another copy of the items.
  const old = editor(storage);
  try {
    await old.scoring.score({ uri: ws.surveyUri as never, itemIds: ['Q1'] });
  } finally {
    old.dispose();
  }
  const legacyDir = join(storage, 'runs');
  mkdirSync(legacyDir, { recursive: true });
  const corpus = join(ws.dir, 'wvs7-sample.results');
  const oldRecords = readFileSync(join(corpus, 'records.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const foreign = { ...oldRecords[0], itemId: 'Q1', itemHash: 'another-wording', runId: '20250101T000000Z-aaaaaa' };
  writeFileSync(
    join(legacyDir, '20250101T000000Z-old.jsonl'),
    [...oldRecords.map((r) => ({ ...r, runId: '20250101T000000Z-bbbbbb', study: undefined })), foreign]
      .map((r) => JSON.stringify(r))
      .join('\n') + '\n',
  );
  rmSync(corpus, { recursive: true, force: true });

  const ctx = editor(storage);
  try {
    state.answer = 'Copy to Workspace';
    const written = await ctx.studies.offerMigration();
    assert.equal(written, 4, 'the record of another wording is not copied');
    const offer = state.messages.find((m) => /4 result\(s\) of earlier versions/.test(m.text));
    assert.ok(offer && offer.buttons.includes('Copy to Workspace') && offer.buttons.includes("Don't Ask Again"));
    assert.equal(lines(join(corpus, 'records.jsonl')).length, 4);
    assert.ok(lines(join(corpus, 'records.jsonl')).every((r) => r.study === 'wvs7-sample'));
    assert.equal(manifests(corpus).length, 1);
    assert.equal(Object.keys(ctx.results.view(ws.surveyUri.toString(), 'Q1').latest).length, 4, 'shown after the copy');
    // Asked once: a second activation says nothing.
    const count = state.messages.length;
    assert.equal(await ctx.studies.offerMigration(), 0);
    assert.equal(state.messages.length, count);
  } finally {
    ctx.dispose();
  }
});
