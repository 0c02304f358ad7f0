// Issue 19: the results view over a two-folder workspace (real files in a tmp dir, fake `vscode`): studies of
// every folder (never only the first), runs from the manifests newest first, models and failures per run,
// batch jobs with status, refresh on file changes; Delete Run marks the manifest deleted after a modal and
// the run's records leave the study's analysis (selectUnits, 'deleted-run') while records.jsonl keeps them.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Uri, state, workspace } from './fake-vscode';
import { installMoreFakes, more, type TreeItem } from './fake-vscode-more';
import { result } from '../corpus/support';
import type { RunManifest } from '../../../src/core/corpus/types';
import type { ScoreFailure } from '../../../src/core/results';
import { writeManifest, readManifests } from '../../../src/core/corpus/writer';
import { corpusRecords } from '../../../src/core/corpus/reader';
import { selectUnits } from '../../../src/core/corpus/select';

installMoreFakes();
const { registerResultsTree, RESULTS_VIEW_ID, studyResultsDir } =
  require('../../../src/editor/resultsTree') as typeof import('../../../src/editor/resultsTree');
type Node = import('../../../src/editor/resultsTree').ResultsNode;
const { registeredCommands } = require('./fake-vscode') as typeof import('./fake-vscode');

let root: string;
const RUN_OLD = '20261201T100000Z-aaaaaa';
const RUN_NEW = '20261201T120000Z-bbbbbb';
const RUN_B = '20261201T110000Z-cccccc';

function manifest(runId: string, startedAt: string, over: Partial<RunManifest> = {}): RunManifest {
  return {
    format: 2,
    runId,
    study: 's',
    studyHash: 'h',
    toolVersion: '0.1.0',
    via: 'cli',
    startedAt,
    endedAt: startedAt,
    status: 'done',
    planned: 3,
    scored: 2,
    failed: 1,
    cached: 0,
    writeFailures: 0,
    ...over,
  };
}

function failure(runId: string, kind: string): ScoreFailure {
  const {
    probabilities: _p,
    mean: _m,
    mode: _mo,
    entropy: _e,
    missMass: _mm,
    latencyMs: _l,
    ...identity
  } = result(1, { runId, modelId: 'm1' }) as unknown as Record<string, unknown> & ReturnType<typeof result>;
  return {
    ...(identity as unknown as ScoreFailure),
    kind: 'failure',
    error: { kind, message: 'x' },
    attempts: 1,
    at: '2026-12-01T12:00:00Z',
  };
}

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'vl-tree-'));
  const a = join(root, 'a');
  const b = join(root, 'b');
  mkdirSync(a);
  mkdirSync(b);
  writeFileSync(join(a, 's.study.json'), JSON.stringify({ name: 's', results: 'out/s.results' }));
  const dirA = join(a, 'out', 's.results');
  mkdirSync(dirA, { recursive: true });
  await writeManifest(dirA, manifest(RUN_OLD, '2026-12-01T10:00:00.000Z'));
  await writeManifest(dirA, manifest(RUN_NEW, '2026-12-01T12:00:00.000Z', { status: 'cancelled' }));
  const lines = [
    result(1, { runId: RUN_OLD, modelId: 'm1' }),
    result(2, { runId: RUN_OLD, modelId: 'm2' }),
    failure(RUN_OLD, 'timeout'),
    result(1, { runId: RUN_NEW, modelId: 'm1', mean: 3 }),
    failure(RUN_NEW, 'http'),
    failure(RUN_NEW, 'http'),
  ];
  writeFileSync(join(dirA, 'records.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  // Folder b: an items file whose implicit corpus has one run and a batch still in flight.
  writeFileSync(join(b, 'b.wvs'), 'languages en\n');
  const dirB = join(b, 'b.results');
  mkdirSync(join(dirB, 'batches'), { recursive: true });
  await writeManifest(
    dirB,
    manifest(RUN_B, '2026-12-01T11:00:00.000Z', { status: 'running', batch: { id: 'batch_1', provider: 'openai' } }),
  );
  writeFileSync(
    join(dirB, 'batches', 'batch_1.json'),
    JSON.stringify({
      format: 1,
      localId: 'local-1',
      batchId: 'batch_1',
      provider: 'openai',
      endpointUrl: 'http://127.0.0.1:1/v1',
      url: '/v1/chat/completions',
      runId: RUN_B,
      createdAt: '2026-12-01T11:00:00Z',
      updatedAt: '2026-12-01T11:05:00Z',
      phase: 'submitted',
      status: 'in_progress',
      inputFile: 'local-1.input.jsonl',
      customIds: ['k1', 'k2', 'k3'],
      requestCounts: { total: 3, completed: 1, failed: 0 },
    }),
  );
  (workspace as { workspaceFolders: unknown }).workspaceFolders = [
    { uri: Uri.file(a), name: 'a', index: 0 },
    { uri: Uri.file(b), name: 'b', index: 1 },
  ];
});
after(() => rmSync(root, { recursive: true, force: true }));
beforeEach(() => {
  state.reset();
});

async function children(node?: Node): Promise<Node[]> {
  return (await more.treeProviders.get(RESULTS_VIEW_ID)!.getChildren(node)) as Node[];
}
function item(node: Node): TreeItem {
  return more.treeProviders.get(RESULTS_VIEW_ID)!.getTreeItem(node) as TreeItem;
}

test('studies of both folders, runs newest first with models and failures, batches with status', async () => {
  const opened: string[] = [];
  const { disposable } = registerResultsTree({
    openRun: async (e, id) => opened.push(`${e.name}:${id}`),
    onDeleted: async () => undefined,
  });
  try {
    const folders = await children();
    assert.deepEqual(
      folders.map((n) => item(n).label),
      ['a', 'b'],
    );
    const [studyA] = await children(folders[0]);
    assert.equal(item(studyA!).label, 's');
    const runs = await children(studyA);
    assert.deepEqual(
      runs.map((n) => item(n).label),
      ['2026-12-01 12:00 UTC', '2026-12-01 10:00 UTC'],
    );
    assert.equal(item(runs[1]!).description, 'done · 2/3 scored · 1 failed');
    assert.equal(item(runs[0]!).contextValue, 'valueLens.run');
    const old = await children(runs[1]);
    assert.deepEqual(
      old.map((n) => [item(n).label, item(n).description]),
      [
        ['m1', '1 result(s) · 1 failure(s)'],
        ['m2', '1 result(s) · 0 failure(s)'],
        ['Failures', '1'],
      ],
    );
    const newer = await children(runs[0]);
    const fails = await children(newer.find((n) => n.kind === 'failures'));
    assert.deepEqual(
      fails.map((n) => [item(n).label, item(n).description]),
      [['http', '2']],
    );

    const [studyB] = await children(folders[1]);
    assert.equal(item(studyB!).label, join(root, 'b', 'b.wvs'));
    const bNodes = await children(studyB);
    assert.equal(bNodes[0]!.kind, 'batch');
    assert.equal(item(bNodes[0]!).description, 'in_progress · 1/3 · submitted');
    assert.equal(item(bNodes[0]!).contextValue, 'valueLens.batch.pending');
    assert.equal(item(bNodes[1]!).description, 'running · 2/3 scored · 1 failed · batch openai');

    await registeredCommands.get('valueLens.results.openRun')!(runs[0]);
    assert.deepEqual(opened, [`s:${RUN_NEW}`]);
    await registeredCommands.get('valueLens.results.revealCorpus')!(runs[0]);
    assert.deepEqual(state.executed.at(-1), {
      command: 'revealInExplorer',
      args: [Uri.file(join(root, 'a', 'out', 's.results', 'records.jsonl'))],
    });
  } finally {
    disposable.dispose();
  }
});

test('a file change refreshes the view (FileSystemWatcher on results folders and study files)', async () => {
  const { disposable } = registerResultsTree({ openRun: async () => undefined, onDeleted: async () => undefined });
  try {
    const globs = more.watchers.filter((w) => !w.disposed).map((w) => w.glob);
    assert.ok(globs.includes('**/*.results/runs/*.json') && globs.includes('**/*.study.json') && globs.includes('**/batches/*.json'));
    const provider = more.treeProviders.get(RESULTS_VIEW_ID)! as unknown as { onDidChangeTreeData(l: () => void): unknown };
    let fired = 0;
    provider.onDidChangeTreeData(() => fired++);
    const watcher = more.watchers.find((w) => w.glob === '**/*.results/runs/*.json' && !w.disposed)!;
    watcher.create(Uri.file(join(root, 'a', 'out', 's.results', 'runs', 'x.json')));
    watcher.change(Uri.file(join(root, 'a', 'out', 's.results', 'runs', 'x.json')));
    await new Promise((r) => setTimeout(r, 700));
    assert.equal(fired, 1, 'two events within 500 ms: one refresh');
  } finally {
    disposable.dispose();
  }
  assert.ok(more.watchers.every((w) => w.disposed));
});

test('Delete Run: a modal first; declined changes nothing; accepted marks the manifest and the selection leaves its records out', async () => {
  const deletedCalls: string[] = [];
  const { disposable } = registerResultsTree({ openRun: async () => undefined, onDeleted: async (_e, id) => void deletedCalls.push(id) });
  const dirA = join(root, 'a', 'out', 's.results');
  const before = readFileSync(join(dirA, 'records.jsonl'), 'utf8');
  try {
    const [studyA] = await children((await children())[0]);
    const runs = await children(studyA);
    const newest = runs[0]!;
    assert.equal(await registeredCommands.get('valueLens.results.deleteRun')!(newest), false, 'no answer: not deleted');
    assert.match(state.messages.at(-1)!.text, /Delete run 20261201T120000Z-bbbbbb of s \(3 record\(s\)\)/);
    assert.equal((await readManifests(dirA)).manifests.get(RUN_NEW)!.deletedAt, undefined);

    state.answer = 'Delete Run';
    assert.equal(await registeredCommands.get('valueLens.results.deleteRun')!(newest), true);
    assert.deepEqual(deletedCalls, [RUN_NEW]);
    assert.match((await readManifests(dirA)).manifests.get(RUN_NEW)!.deletedAt!, /^\d{4}-/);
    assert.equal(readFileSync(join(dirA, 'records.jsonl'), 'utf8'), before, 'records.jsonl is never rewritten');

    const after = await children(studyA);
    assert.deepEqual(
      after.map((n) => item(n).label),
      ['2026-12-01 10:00 UTC', '1 deleted run(s) hidden'],
    );

    // The selection: the deleted run's result no longer supersedes the older run's Q1 (analyzeCorpus passes deletedRuns).
    const selection = await selectUnits(corpusRecords(dirA), { rule: 'latest', deletedRuns: new Set([RUN_NEW]) });
    assert.equal(selection.counts.skipped['deleted-run'], 3);
    assert.ok(selection.units.every((u) => u.runId === RUN_OLD));
    assert.equal(
      selection.counts.read,
      selection.counts.used +
        selection.counts.superseded +
        selection.counts.stale +
        Object.values(selection.counts.skipped).reduce((a, b) => a + (b ?? 0), 0),
    );
  } finally {
    disposable.dispose();
  }
  // A record appended later by another process is still read (nothing was locked or rewritten).
  appendFileSync(join(dirA, 'records.jsonl'), JSON.stringify(result(3, { runId: RUN_OLD })) + '\n');
  const again = await selectUnits(corpusRecords(dirA), { rule: 'latest', deletedRuns: new Set([RUN_NEW]) });
  assert.equal(again.units.length, 3);
});

test('a study file names its results folder; without one it is <name>.results beside it', () => {
  assert.deepEqual(studyResultsDir('/w/x.study.json', '{"name": "kim", "results": "runs/kim"}'), { name: 'kim', dir: '/w/runs/kim' });
  assert.deepEqual(studyResultsDir('/w/x.study.json', '{ broken'), { name: 'x', dir: '/w/x.results' });
});
