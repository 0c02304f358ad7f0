// CorpusWriter: manifests written atomically at start and end with the run's counts, records appended.
import { strict as assert } from 'node:assert';
import { mkdtemp, readdir, readFile, rm, writeFile, chmod, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CorpusReader } from '../../../src/core/corpus/reader';
import { selectUnits } from '../../../src/core/corpus/select';
import type { RunManifest } from '../../../src/core/corpus/types';
import { CorpusWriter, outcomeOf, readManifests } from '../../../src/core/corpus/writer';
import type { CompletionRequest, CompletionResponse, ModelProvider } from '../../../src/core/model';
import { runPlan } from '../../../src/core/run/runner';
import { makePlan } from '../run/support';
import { failingOpen } from './support';

const provider: ModelProvider = {
  id: 'openai',
  origin: 'http://127.0.0.1:1',
  listModels: async () => [],
  complete: async (request: CompletionRequest): Promise<CompletionResponse> => {
    const n = Number(/thing number (\d+)/.exec(request.messages[request.messages.length - 1].content)?.[1]);
    // Spread completions over time so that the records go out in several write batches.
    await new Promise((resolve) => setTimeout(resolve, 2 + (n % 5) * 3));
    if (n % 7 === 0) throw Object.assign(new Error('bad request'), { code: 'EBAD' });
    return {
      model: request.model,
      choices: [{ text: '1', firstTokenLogprobs: ['1', '2', '3', '4'].map((token, k) => ({ token, logprob: -k - (n % 3) })) }],
    };
  },
};

test('a run through CorpusWriter: running manifest first, final counts after, records + writeFailures = planned', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vl-corpus-writer-'));
  try {
    const open = failingOpen((n) => (n === 2 || n === 3 ? 'enospc' : 'ok'));
    const writer = new CorpusWriter(dir, { open });
    const plan = makePlan({ count: 60, endpoint: 'http://127.0.0.1:1/v1' });
    const started = await writer.begin({
      runId: 'R1',
      study: 'demo',
      studyHash: 'abc',
      toolVersion: '0.0.0-test',
      via: 'cli',
      planned: plan.length,
    });
    const onDisk = JSON.parse(await readFile(join(dir, 'runs', 'R1.json'), 'utf8')) as RunManifest;
    assert.equal(onDisk.status, 'running');
    assert.equal(onDisk.endedAt, undefined);
    assert.deepEqual(onDisk, started);

    const summary = await runPlan(plan, { providers: () => provider, store: writer.store, runId: 'R1', maxAttempts: 1 });
    const outcome = outcomeOf(summary);
    const final = await writer.finish(outcome);
    const reread = (await readManifests(dir)).manifests.get('R1');
    assert.deepEqual(reread, final);
    assert.equal(final.status, 'failed', 'a run that lost records is a failed run');
    assert.ok(final.writeFailures > 0);
    assert.ok(final.failed > 0 && final.scored > 0);
    assert.ok(open.calls() > 3, 'writes after the failures went through');
    assert.ok(final.writeFailures < final.planned);
    assert.equal(final.scored + final.failed, final.planned);
    const reader = new CorpusReader(dir);
    const selection = await selectUnits(reader, { rule: 'latest' });
    assert.equal(selection.counts.read + final.writeFailures, final.planned);
    // On disk: results used, failures skipped; with the lost ones they are the run's counts.
    assert.equal(selection.counts.used + (selection.counts.skipped.failure ?? 0), selection.counts.read);
    assert.ok((selection.counts.skipped.failure ?? 0) <= final.failed && selection.counts.used <= final.scored);
    // No temp files left beside the manifests.
    assert.deepEqual(await readdir(join(dir, 'runs')), ['R1.json']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('begin() fails before any request when the corpus folder cannot be written', async () => {
  if (process.getuid?.() === 0) return; // root ignores permissions
  const dir = await mkdtemp(join(tmpdir(), 'vl-corpus-writer-'));
  try {
    const locked = join(dir, 'locked');
    await mkdir(locked);
    await chmod(locked, 0o500);
    const writer = new CorpusWriter(join(locked, 'study.results'));
    await assert.rejects(writer.begin({ runId: 'R', study: 's', studyHash: 'h', toolVersion: 'v', via: 'cli', planned: 1 }), /EACCES/);
  } finally {
    await chmod(join(dir, 'locked'), 0o700).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
});

test('readManifests lists unreadable manifests instead of guessing', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vl-corpus-writer-'));
  try {
    await mkdir(join(dir, 'runs'));
    await writeFile(join(dir, 'runs', 'broken.json'), '{"runId": ');
    await writeFile(join(dir, 'runs', 'ok.json'), JSON.stringify({ runId: 'ok', startedAt: '2026-01-01T00:00:00Z' }));
    const { manifests, bad } = await readManifests(dir);
    assert.deepEqual([...manifests.keys()], ['ok']);
    assert.deepEqual(bad, ['broken.json']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a reader polling a manifest while it is rewritten 200 times never sees half a file', async () => {
  const { writeManifest } = await import('../../../src/core/corpus/writer');
  const dir = await mkdtemp(join(tmpdir(), 'vl-corpus-writer-'));
  try {
    const base: RunManifest = {
      format: 2,
      runId: 'R',
      study: 's',
      studyHash: 'h'.repeat(64),
      toolVersion: 'v',
      via: 'editor',
      startedAt: '2026-01-01T00:00:00Z',
      status: 'running',
      planned: 1000,
      scored: 0,
      failed: 0,
      cached: 0,
      writeFailures: 0,
      filter: { languages: Array.from({ length: 400 }, (_, i) => `l${i}`) },
    };
    await writeManifest(dir, base);
    let done = false;
    let reads = 0;
    const reader = (async () => {
      while (!done) {
        const m = JSON.parse(await readFile(join(dir, 'runs', 'R.json'), 'utf8')) as RunManifest;
        assert.equal(m.runId, 'R');
        reads++;
      }
    })();
    for (let i = 1; i <= 200; i++) await writeManifest(dir, { ...base, scored: i });
    done = true;
    await reader;
    assert.ok(reads > 0);
    assert.equal((JSON.parse(await readFile(join(dir, 'runs', 'R.json'), 'utf8')) as RunManifest).scored, 200);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('ResultsStore.ready() fails at once on an unusable path', async () => {
  const { ResultsStore } = await import('../../../src/core/run/store');
  const dir = await mkdtemp(join(tmpdir(), 'vl-corpus-writer-'));
  try {
    await writeFile(join(dir, 'file'), 'x');
    await assert.rejects(new ResultsStore(join(dir, 'file', 'records.jsonl')).ready(), /ENOTDIR|EEXIST/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
