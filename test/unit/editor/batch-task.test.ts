// Issue 17 in the editor: Run Study as Batch through StudyCommands against the loopback Files + Batches
// fake. The progress notification shows the batch's status, records reach the corpus when it ends; closing
// the editor mid-poll detaches (the job is not cancelled), the study is then found with an unfinished batch,
// and the next run resumes it without a second upload or creation. Studies that cannot batch are refused.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Uri, state, workspace } from './fake-vscode';
import { installMoreFakes } from './fake-vscode-more';
import { startFakeOpenAIBatch, type FakeBatchServer } from '../../support/fake-openai-batch';
import { writeStudy, manifests, corpusRecords } from '../batch/support';
import { nullLogger } from '../../../src/core/log';
import type { Study } from '../../../src/core/study/types';

installMoreFakes();
const { StudyCommands } = require('../../../src/editor/studyCommands') as typeof import('../../../src/editor/studyCommands');
const { ProgressBoard } = require('../../../src/editor/progressBoard') as typeof import('../../../src/editor/progressBoard');
const { StudyResultsIndex } = require('../../../src/editor/studyResults') as typeof import('../../../src/editor/studyResults');
const { editorBatchEngine, studiesWithUnfinishedBatches } =
  require('../../../src/editor/batchTask') as typeof import('../../../src/editor/batchTask');

let server: FakeBatchServer;
let root: string;
before(async () => {
  server = await startFakeOpenAIBatch();
  root = mkdtempSync(join(tmpdir(), 'vl-ebatch-'));
});
after(async () => {
  await server.close();
  rmSync(root, { recursive: true, force: true });
});
beforeEach(() => state.reset());

const keys = { get: async () => undefined };
function commands(dir: string) {
  (workspace as { workspaceFolders: unknown }).workspaceFolders = [{ uri: Uri.file(dir), name: 'w', index: 0 }];
  return new StudyCommands({
    apiKeys: keys as never,
    logger: nullLogger,
    board: new ProgressBoard(),
    cacheDir: join(dir, '.cache'),
    toolVersion: 'test',
    index: new StudyResultsIndex(),
    human: () => ({ rows: [] }) as never,
    showAnalysis: () => undefined,
  });
}
const fast = (study: Study, onStatus: Parameters<typeof editorBatchEngine>[2]) =>
  editorBatchEngine(study, keys, onStatus, { firstMs: 5, maxMs: 20 });

test('Run Study as Batch: status in the notification, records = planned in the corpus, manifest names the batch', async () => {
  const dir = mkdtempSync(join(root, 'a-'));
  const path = writeStudy(dir, `${server.url}/v1`, 1);
  const cmds = commands(dir);
  const result = await cmds.run(Uri.file(path) as never, fast);
  assert.ok(result && result.status !== 'declined');
  const [manifest] = manifests(join(dir, 'batch.results'));
  assert.equal(manifest!.batch?.provider, 'openai');
  assert.equal(corpusRecords(join(dir, 'batch.results')).length, manifest!.planned);
  assert.ok(
    state.progressReports.some((p) => /^batch \S+: (validating|in_progress|completed)/.test(p.message ?? '')),
    JSON.stringify(state.progressReports.slice(0, 5)),
  );
  assert.equal(server.counts.creations, 1);
  cmds.dispose();
});

test('closing mid-poll detaches; the study shows an unfinished batch; the next run resumes it, nothing resubmitted', async () => {
  const dir = mkdtempSync(join(root, 'b-'));
  const path = writeStudy(dir, `${server.url}/v1`, 1);
  server.control.hold = true;
  const before = { ...server.counts };
  const first = commands(dir);
  const running = first.run(Uri.file(path) as never, fast);
  while (server.counts.retrieves < before.retrieves + 2) await new Promise((r) => setTimeout(r, 10));
  first.dispose(); // the editor closes
  await running;
  assert.equal(server.counts.cancels, before.cancels, 'a shutdown does not cancel the job');
  const pending = await studiesWithUnfinishedBatches();
  assert.deepEqual(
    pending.map((p) => [p.name, p.batches]),
    [['batch', 1]],
  );

  server.control.hold = false;
  const second = commands(dir);
  await second.run(Uri.file(path) as never, fast);
  assert.equal(server.counts.uploads, before.uploads + 1, 'uploaded once');
  assert.equal(server.counts.creations, before.creations + 1, 'created once');
  const [manifest] = manifests(join(dir, 'batch.results'));
  // The detached run recorded its unanswered requests as cancelled failures; the resumed run (same run id) its results.
  assert.equal(corpusRecords(join(dir, 'batch.results')).filter((r) => r.kind !== 'failure').length, manifest!.planned);
  assert.deepEqual(await studiesWithUnfinishedBatches(), []);
  second.dispose();
});

test('a study with Ollama models or the judge method is refused before anything is sent', async () => {
  const study = { method: 'logprobs', models: [{ id: 'o', provider: 'ollama', endpoint: 'http://127.0.0.1:1' }] } as unknown as Study;
  assert.match(String(await editorBatchEngine(study, keys, () => undefined)), /need OpenAI-compatible models; o is not/);
  assert.match(String(await editorBatchEngine({ ...study, method: 'judge' } as Study, keys, () => undefined)), /judge/);
});
