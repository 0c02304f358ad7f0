// The whole CLI: `value-lens run STUDY --batch` with 10,000 requests against the loopback Files + Batches
// fake. The process is killed (SIGKILL) while it polls; the restarted run resumes the batch it finds in the
// study's folder (the fake counts one upload and one creation), imports 9,963 results and the 37 planted line
// failures; the failed lines go out again in a second batch, and then neither a batch run nor a live run
// sends anything.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { startFakeOpenAIBatch } from '../../support/fake-openai-batch';
import { buildOnce, runCli, spawnCli } from '../cli/helpers';
import { ITEM_IDS, corpusRecords, load, planOf, tempDir, writeStudy } from './support';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const waitFor = async (what: string, ok: () => boolean, ms = 120_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

test('run --batch: killed while polling, restarted, resumed not resubmitted; 37 failures recorded; then nothing is sent', {
  timeout: 600_000,
}, async () => {
  buildOnce();
  const fake = await startFakeOpenAIBatch({ hold: true });
  try {
    const dir = tempDir('vl-batch-cli-');
    dirs.push(dir);
    const baseURL = `${fake.url}/v1`;
    const studyPath = writeStudy(dir, baseURL, 500);
    const loaded = await load(studyPath);
    const items = ITEM_IDS.slice(0, 20);
    const plan = planOf(loaded, { items });
    assert.equal(plan.length, 10_000);
    const planted = Array.from({ length: 37 }, (_, i) => plan[Math.floor((i * 10_000) / 37) + 1].cacheKey);
    fake.control.failIds = new Set(planted);
    const args = ['run', 'batch.study.json', '--batch', '--yes', '--no-analysis', '--item', items.join(',')];
    const env = { VALUE_LENS_BATCH_POLL_MS: '20,50' };

    let child: ChildProcess | undefined;
    const started = Date.now();
    const first = spawnCli(args, { cwd: dir, env, timeoutMs: 300_000, onSpawn: (c) => (child = c) });
    await waitFor('the batch to be polled', () => fake.counts.creations === 1 && fake.counts.retrieves >= 3);
    const submittedMs = Date.now() - started;
    child!.kill('SIGKILL');
    const killed = await first;
    assert.equal(killed.code, null, 'killed by the signal');
    const batchesDir = join(loaded.study.results, 'batches');
    const stateFile = readdirSync(batchesDir).find((f) => f.startsWith('batch-') && f.endsWith('.json'));
    assert.ok(stateFile, readdirSync(batchesDir).join(', '));
    const state = JSON.parse(readFileSync(join(batchesDir, stateFile), 'utf8')) as { phase: string; customIds: string[]; runId: string };
    assert.equal(state.phase, 'submitted');
    assert.equal(state.customIds.length, 10_000);

    fake.control.hold = false;
    const t0 = Date.now();
    const resumed = await runCli(args, { cwd: dir, env, timeoutMs: 300_000 });
    const resumeMs = Date.now() - t0;
    assert.equal(resumed.code, 1, resumed.stderr); // 37 failures
    assert.match(resumed.stderr, /resumed/);
    assert.equal(fake.counts.uploads, 1, 'resumed, not uploaded again');
    assert.equal(fake.counts.creations, 1, 'resumed, not created again');
    assert.match(resumed.stderr, /10000 planned, 9963 scored \(0 from cache\), 37 failed/);
    const records = corpusRecords(loaded.study.results);
    assert.equal(records.length, 10_000, 'the killed run wrote no records');
    assert.deepEqual(new Set(records.filter((r) => r.kind === 'failure').map((r) => r.cacheKey)), new Set(planted));
    assert.ok(records.every((r) => r.runId === state.runId));

    // The 37 go out again, as a second batch; after that nothing at all.
    fake.control.failIds = new Set();
    const retried = await runCli(args, { cwd: dir, env, timeoutMs: 300_000 });
    assert.equal(retried.code, 0, retried.stderr);
    assert.match(retried.stderr, /9963 cached/);
    assert.deepEqual([fake.counts.uploads, fake.counts.creations], [2, 2]);
    const before = fake.requests.length;
    const t1 = Date.now();
    const cached = await runCli(args, { cwd: dir, env, timeoutMs: 300_000 });
    const cachedMs = Date.now() - t1;
    assert.equal(cached.code, 0, cached.stderr);
    assert.match(cached.stderr, /0 request\(s\) sent/);
    const live = await runCli(
      args.filter((a) => a !== '--batch'),
      { cwd: dir, env, timeoutMs: 300_000 },
    );
    assert.equal(live.code, 0, live.stderr);
    assert.match(live.stderr, /10000 scored \(10000 from cache\)/);
    assert.equal(fake.requests.length, before, 'neither the batch run nor the live run sent anything');
    process.stdout.write(
      `# figures: first run to a polled batch ${submittedMs} ms; resumed run (poll, download, import 10,000) ${resumeMs} ms; cached run ${cachedMs} ms\n`,
    );
  } finally {
    await fake.close();
  }
});

test('run --batch: Ctrl-C while polling cancels the batch on the server and exits 130', { timeout: 300_000 }, async () => {
  buildOnce();
  const fake = await startFakeOpenAIBatch({ hold: true });
  try {
    const dir = tempDir('vl-batch-cli-');
    dirs.push(dir);
    const loaded = await load(writeStudy(dir, `${fake.url}/v1`, 1));
    let child: ChildProcess | undefined;
    const run = spawnCli(['run', 'batch.study.json', '--batch', '--yes', '--no-analysis'], {
      cwd: dir,
      env: { VALUE_LENS_BATCH_POLL_MS: '20,50' },
      timeoutMs: 120_000,
      onSpawn: (c) => (child = c),
    });
    await waitFor('the batch to be polled', () => fake.counts.creations === 1 && fake.counts.retrieves >= 2);
    child!.kill('SIGINT');
    const result = await run;
    assert.equal(result.code, 130, result.stderr);
    assert.equal(fake.counts.cancels, 1);
    assert.equal([...fake.batches.values()][0].status, 'cancelling');
    assert.match(result.stderr, /cancel-requested/);
    const [name] = readdirSync(join(loaded.study.results, 'batches')).filter((f) => f.startsWith('batch-') && f.endsWith('.json'));
    assert.equal(
      (JSON.parse(readFileSync(join(loaded.study.results, 'batches', name), 'utf8')) as { phase: string }).phase,
      'cancel-requested',
    );
  } finally {
    await fake.close();
  }
});
