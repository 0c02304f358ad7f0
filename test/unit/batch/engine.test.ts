// The OpenAI batch engine through runStudy against the loopback Files + Batches fake: one batch for the
// plan, planted line failures recorded as failures, lines missing from both files counted, the corpus and
// the cache filled so that a second run sends nothing; resume after a detached stop, cancel, expiry.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runStudy } from '../../../src/core/study/session';
import { listBatches, readStates } from '../../../src/core/batch/state';
import { startFakeOpenAIBatch } from '../../support/fake-openai-batch';
import { ITEM_IDS, corpusRecords, environment, load, manifests, planOf, tempDir, writeStudy } from './support';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function fresh(): string {
  const d = tempDir();
  dirs.push(d);
  return d;
}

test('1,000 requests as one batch (10,000 through the CLI: cli-resume.slow.test.ts): 37 planted failures recorded, the rest in the corpus and cache; a second run sends nothing', {
  timeout: 120_000,
}, async () => {
  const fake = await startFakeOpenAIBatch();
  try {
    const dir = fresh();
    const baseURL = `${fake.url}/v1`;
    const loaded = await load(writeStudy(dir, baseURL, 50));
    const filter = { items: ITEM_IDS.slice(0, 20) };
    const plan = planOf(loaded, filter);
    assert.equal(plan.length, 1_000);
    assert.equal(new Set(plan.map((r) => r.cacheKey)).size, 1_000);
    // 37 planted failures spread over the file.
    const planted = Array.from({ length: 37 }, (_, i) => plan[Math.floor((i * 1_000) / 37) + 3].cacheKey);
    fake.control.failIds = new Set(planted);

    const progress: string[] = [];
    const env = environment(join(dir, 'cache'), baseURL, new AbortController().signal, {
      onBatch: (p) => progress.push(`${p.phase}/${p.status ?? '-'}`),
    });
    const result = await runStudy(loaded, filter, env);
    assert.equal(result.status, 'ran');
    if (result.status !== 'ran') return;
    assert.deepEqual(fake.counts.uploads, 1);
    assert.deepEqual(fake.counts.creations, 1);
    assert.equal(result.summary.requestsSent, 1_000);
    const records = corpusRecords(loaded.study.results);
    assert.equal(records.length, 1_000);
    const failures = records.filter((r) => r.kind === 'failure');
    assert.equal(failures.length, 37);
    assert.deepEqual(new Set(failures.map((f) => f.cacheKey)), new Set(planted));
    // Both kinds of error line: an HTTP 400 body and an `error` object.
    assert.deepEqual(new Set(failures.map((f) => (f.kind === 'failure' ? f.error.kind : ''))), new Set(['http', 'batch-error']));
    assert.ok(failures.every((f) => f.kind === 'failure' && /Planted/.test(f.error.message)));
    const results = records.filter((r) => r.kind === 'result');
    assert.equal(results.length, 963);
    for (const r of results.slice(0, 50)) {
      assert.ok(
        r.kind === 'result' && Number.isFinite(r.mean) && Math.abs(Object.values(r.probabilities).reduce((a, b) => a + b, 0) - 1) < 1e-9,
      );
    }
    const [manifest] = manifests(loaded.study.results);
    assert.deepEqual([manifest.planned, manifest.scored, manifest.failed, manifest.status], [1_000, 963, 37, 'done']);
    assert.equal(manifest.batch?.provider, 'openai');
    assert.ok(fake.batches.has(manifest.batch!.id));
    // The state file says it was imported, with the counts.
    const { states } = await readStates(loaded.study.results);
    assert.equal(states.length, 1);
    assert.equal(states[0].batchId, manifest.batch!.id);
    assert.equal(states[0].phase, 'imported');
    assert.deepEqual(
      states[0].imported && [states[0].imported.results, states[0].imported.failed, states[0].imported.missing],
      [963, 37, 0],
    );
    assert.ok(progress.includes('submitted/validating') && progress.includes('imported/completed'), progress.join(' '));
    // The input line format (OpenAI reference): custom_id = cache key, POST, the chat endpoint, a body.
    const input = readFileSync(join(loaded.study.results, 'batches', states[0].inputFile), 'utf8').split('\n')[0];
    const line = JSON.parse(input) as {
      custom_id: string;
      method: string;
      url: string;
      body: { model: string; messages: unknown[]; logprobs: boolean; top_logprobs: number; max_tokens: number };
    };
    assert.equal(line.custom_id, plan[0].cacheKey);
    assert.deepEqual(
      [line.method, line.url, line.body.model, line.body.logprobs, line.body.top_logprobs, line.body.max_tokens],
      ['POST', '/v1/chat/completions', 'fake-llm', true, 20, 1],
    );

    // Second run: every answer is cached, nothing is uploaded or created; failures are submitted again.
    fake.control.failIds = new Set();
    const again = await runStudy(loaded, filter, environment(join(dir, 'cache'), baseURL, new AbortController().signal));
    assert.equal(again.status, 'ran');
    if (again.status !== 'ran') return;
    assert.equal(again.estimate.cached, 963);
    assert.equal(fake.counts.uploads, 2, 'only the 37 failed lines go out again');
    assert.equal(again.summary.requestsSent, 37);
    const third = await runStudy(loaded, filter, environment(join(dir, 'cache'), baseURL, new AbortController().signal));
    assert.ok(
      third.status === 'ran' && third.summary.requestsSent === 0 && third.manifest.cached === 1_000 && third.manifest.batch === undefined,
    );
    assert.equal(fake.counts.uploads, 2);
    assert.equal(fake.counts.creations, 2);
  } finally {
    await fake.close();
  }
});

test('lines in neither file are failures, counted; results + failures = planned', async () => {
  const fake = await startFakeOpenAIBatch();
  try {
    const dir = fresh();
    const baseURL = `${fake.url}/v1`;
    const loaded = await load(writeStudy(dir, baseURL, 2));
    const plan = planOf(loaded);
    fake.control.dropIds = new Set([plan[1].cacheKey, plan[7].cacheKey, plan[20].cacheKey]);
    fake.control.failIds = new Set([plan[2].cacheKey]);
    const result = await runStudy(loaded, undefined, environment(join(dir, 'cache'), baseURL, new AbortController().signal));
    assert.ok(result.status === 'ran');
    const records = corpusRecords(loaded.study.results);
    assert.equal(records.length, plan.length);
    const missing = records.filter((r) => r.kind === 'failure' && r.error.kind === 'batch-missing');
    assert.deepEqual(missing.map((r) => r.cacheKey).sort(), [plan[1], plan[7], plan[20]].map((r) => r.cacheKey).sort());
    const { states } = await readStates(loaded.study.results);
    assert.deepEqual(states[0].imported && [states[0].imported.results, states[0].imported.failed, states[0].imported.missing], [
      plan.length - 4,
      1,
      3,
    ]);
  } finally {
    await fake.close();
  }
});

test('a run stopped while polling (detached) is resumed by the next run, never resubmitted', async () => {
  const fake = await startFakeOpenAIBatch({ hold: true });
  try {
    const dir = fresh();
    const baseURL = `${fake.url}/v1`;
    const loaded = await load(writeStudy(dir, baseURL, 3));
    const plan = planOf(loaded);
    const controller = new AbortController();
    const first = runStudy(loaded, undefined, {
      ...environment(join(dir, 'cache'), baseURL, controller.signal, {
        onAbort: 'detach',
        onBatch: (p) => {
          if (p.status === 'in_progress') controller.abort();
        },
      }),
    });
    const stopped = await first;
    assert.ok(stopped.status === 'ran' && stopped.summary.cancelled);
    assert.equal(fake.counts.cancels, 0);
    const { states } = await readStates(loaded.study.results);
    assert.equal(states.length, 1);
    assert.equal(states[0].phase, 'submitted');
    assert.equal(states[0].runId, stopped.manifest.runId);
    // What a UI lists on start: the batch still running, with its last status.
    const listed = await listBatches(loaded.study.results);
    assert.deepEqual(
      listed.map((b) => [b.batchId, b.phase, b.status, b.lines, b.runId]),
      [[states[0].batchId, 'submitted', 'in_progress', plan.length, stopped.manifest.runId]],
    );
    assert.equal(states[0].customIds.length, plan.length);

    fake.control.hold = false;
    const resumed = await runStudy(loaded, undefined, environment(join(dir, 'cache'), baseURL, new AbortController().signal));
    assert.ok(resumed.status === 'ran');
    assert.equal(fake.counts.uploads, 1);
    assert.equal(fake.counts.creations, 1);
    assert.equal(resumed.summary.requestsSent, 0, 'nothing new submitted');
    assert.equal(resumed.manifest.runId, stopped.manifest.runId, 'the resumed run continues the first run');
    assert.deepEqual([resumed.manifest.scored, resumed.manifest.failed, resumed.manifest.status], [plan.length, 0, 'done']);
    assert.equal(resumed.manifest.batch?.id, states[0].batchId);
  } finally {
    await fake.close();
  }
});

test('cancel while polling: POST cancel, the state says so, records are cancelled failures; the next run collects the cancelled batch', async () => {
  const fake = await startFakeOpenAIBatch({ hold: true });
  try {
    const dir = fresh();
    const baseURL = `${fake.url}/v1`;
    const loaded = await load(writeStudy(dir, baseURL, 1));
    const plan = planOf(loaded);
    const controller = new AbortController();
    const result = await runStudy(
      loaded,
      undefined,
      environment(join(dir, 'cache'), baseURL, controller.signal, { onBatch: (p) => p.status === 'in_progress' && controller.abort() }),
    );
    assert.ok(result.status === 'ran' && result.summary.cancelled);
    assert.equal(fake.counts.cancels, 1);
    assert.equal(result.manifest.status, 'cancelled');
    assert.ok(corpusRecords(loaded.study.results).every((r) => r.kind === 'failure' && r.error.kind === 'cancelled'));
    const { states } = await readStates(loaded.study.results);
    assert.deepEqual([states[0].phase, states[0].status], ['cancel-requested', 'cancelling']);
    // Next run: polls the cancelled batch to its end (no output), records its lines as failures, submits nothing.
    const next = await runStudy(loaded, undefined, environment(join(dir, 'cache'), baseURL, new AbortController().signal));
    assert.ok(next.status === 'ran');
    assert.equal(fake.counts.creations, 1);
    assert.equal(next.manifest.failed, plan.length);
    const after = await readStates(loaded.study.results);
    assert.deepEqual([after.states[0].phase, after.states[0].status], ['imported', 'cancelled']);
  } finally {
    await fake.close();
  }
});

test('an expired batch: the answered half is imported, the rest are batch-expired failures', async () => {
  const fake = await startFakeOpenAIBatch({ expire: true });
  try {
    const dir = fresh();
    const baseURL = `${fake.url}/v1`;
    const loaded = await load(writeStudy(dir, baseURL, 2));
    const plan = planOf(loaded);
    const result = await runStudy(loaded, undefined, environment(join(dir, 'cache'), baseURL, new AbortController().signal));
    assert.ok(result.status === 'ran');
    const half = Math.floor(plan.length / 2);
    assert.deepEqual([result.manifest.scored, result.manifest.failed], [half, plan.length - half]);
    assert.ok(
      corpusRecords(loaded.study.results)
        .filter((r) => r.kind === 'failure')
        .every((r) => r.kind === 'failure' && r.error.kind === 'batch-expired'),
    );
    assert.ok(existsSync(join(loaded.study.results, 'batches')));
    assert.ok(readdirSync(join(loaded.study.results, 'batches')).some((f) => f.endsWith('.output.jsonl')));
  } finally {
    await fake.close();
  }
});

test('method judge is refused before anything is sent', async () => {
  const fake = await startFakeOpenAIBatch();
  try {
    const dir = fresh();
    const baseURL = `${fake.url}/v1`;
    const loaded = await load(writeStudy(dir, baseURL, 1));
    const plan = planOf(loaded);
    const { createOpenAIBatchEngine } = await import('../../../src/core/batch/engine');
    const { openAIBatchCodec, createOpenAIBatchClient } = await import('../../../src/providers/openai-batch');
    const engine = createOpenAIBatchEngine({ clientFor: () => createOpenAIBatchClient({ baseURL }), codec: openAIBatchCodec() });
    const judged = plan.map((r) => ({
      ...r,
      judge: {
        provider: 'openai' as const,
        endpointUrl: baseURL,
        model: 'j',
        kind: 'chat' as const,
        id: 'j',
        language: 'en',
        stance: { pro: 'p', con: 'c' },
        params: r.params,
      },
    }));
    await assert.rejects(engine.run(judged, { runId: 'r', resultsDir: dir, signal: new AbortController().signal }), /judge/);
    assert.equal(fake.counts.uploads, 0);
  } finally {
    await fake.close();
  }
});
