// `value-lens run` on the first seed's example study (examples/kim-baek-2024.study.json) against the
// loopback Ollama fake: the plan is the product of the study's factors, the corpus holds exactly one record
// per planned request with every factor written, a second run is served from the cache and supersedes the
// first, and the analysis counts add up.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startFakeOllama, type FakeServer } from '../../support/fake-ollama';
import { EXAMPLES, buildOnce, removeDir, runCli, tempDir } from './helpers';

interface StudyJson {
  countries: string[];
  models: { id: string; model: string; kind: 'chat' | 'base' }[];
}

const study = JSON.parse(readFileSync(join(EXAMPLES, 'kim-baek-2024.study.json'), 'utf8')) as StudyJson;
const itemIds = [...readFileSync(join(EXAMPLES, 'wvs7-sample.wvs'), 'utf8').matchAll(/^item (\S+)/gm)].map((m) => m[1]);
const digestOf = (name: string): string => Buffer.from(name).toString('hex').padEnd(64, '0').slice(0, 64);

let fake: FakeServer;
let dir: string;

before(async () => {
  buildOnce();
  fake = await startFakeOllama({ models: study.models.map((m) => ({ name: m.model, digest: digestOf(m.model), size: 1000 })) });
  dir = tempDir('vl-run-study-');
  cpSync(EXAMPLES, join(dir, 'examples'), { recursive: true });
});

after(async () => {
  await fake.close();
  await removeDir(dir);
});

const corpusDir = (): string => join(dir, 'examples', 'kim-baek-2024.results');
const records = (): Record<string, unknown>[] =>
  readFileSync(join(corpusDir(), 'records.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
const manifests = (): Record<string, unknown>[] =>
  readdirSync(join(corpusDir(), 'runs'))
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(corpusDir(), 'runs', f), 'utf8')) as Record<string, unknown>);

test('run: one record per planned request, every factor of the first seed design written', { timeout: 180_000 }, async () => {
  const planned = itemIds.length * study.countries.length * study.models.length;
  assert.ok(study.countries.length >= 20 && study.models.some((m) => m.kind === 'base'));
  const r = await runCli(['run', 'examples/kim-baek-2024.study.json', '--endpoint', fake.url, '--yes'], { cwd: dir, timeoutMs: 170_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`plan kim-baek-2024: ${planned} request\\(s\\), 0 cached`));
  const all = records();
  assert.equal(all.length, planned);
  const [manifest] = manifests();
  assert.deepEqual(
    [manifest.planned, manifest.scored, manifest.failed, manifest.writeFailures, manifest.status],
    [planned, planned, 0, 0, 'done'],
  );

  // Every combination exactly once, with its factor values.
  const seen = new Set<string>();
  for (const rec of all) {
    assert.equal(rec.kind, 'result', JSON.stringify(rec));
    assert.equal(rec.study, 'kim-baek-2024');
    assert.equal(rec.language, 'en');
    assert.equal(rec.template, 'country');
    assert.equal(rec.paraphrase, null);
    assert.equal(rec.order, 'original');
    assert.equal(rec.round, 0);
    assert.equal(rec.method, 'logprobs');
    assert.equal(rec.runId, manifest.runId);
    const model = study.models.find((m) => m.id === rec.modelId);
    assert.ok(model, `model id ${String(rec.modelId)}`);
    assert.equal(rec.model, model.model);
    assert.equal(rec.modelKind, model.kind);
    assert.equal(rec.digest, digestOf(model.model));
    assert.ok(study.countries.includes(rec.country as string), `country ${String(rec.country)}`);
    assert.ok(itemIds.includes(rec.itemId as string));
    assert.equal(typeof rec.cacheKey, 'string');
    const key = `${String(rec.itemId)} ${String(rec.country)} ${String(rec.modelId)}`;
    assert.ok(!seen.has(key), `duplicate ${key}`);
    seen.add(key);
  }
  assert.equal(seen.size, planned);

  // The cue is named in the prompt (DK → Denmark in English); the base model went to /api/generate raw.
  const bodies = fake.modelRequests().map((q) => q.rawBody);
  assert.ok(bodies.some((b) => b.includes('Denmark')));
  assert.ok(fake.modelRequests().some((q) => q.path === '/api/generate' && (q.body as { raw?: boolean }).raw === true));

  const analysis = JSON.parse(readFileSync(join(corpusDir(), 'analysis.json'), 'utf8')) as {
    counts: { read: number; used: number; superseded: number; stale: number; skipped: Record<string, number> };
    alignment: { reference: string }[];
  };
  const { counts } = analysis;
  assert.equal(counts.read, counts.used + counts.superseded + counts.stale + Object.values(counts.skipped).reduce((a, b) => a + b, 0));
  assert.equal(counts.read, planned);
  assert.ok(analysis.alignment.some((row) => row.reference === 'DK'));
});

test('run again: 0 requests (all cached), the new run supersedes the old one, counts still add up', { timeout: 180_000 }, async () => {
  const planned = itemIds.length * study.countries.length * study.models.length;
  const before = fake.modelRequests().length;
  const r = await runCli(['run', 'examples/kim-baek-2024.study.json', '--endpoint', fake.url, '--yes'], { cwd: dir, timeoutMs: 170_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(fake.modelRequests().length, before);
  assert.match(r.stderr, /0 request\(s\) sent/);
  assert.equal(records().length, 2 * planned);
  const analysis = JSON.parse(readFileSync(join(corpusDir(), 'analysis.json'), 'utf8')) as {
    counts: { read: number; used: number; superseded: number; stale: number; skipped: Record<string, number> };
  };
  assert.deepEqual([analysis.counts.read, analysis.counts.used, analysis.counts.superseded], [2 * planned, planned, planned]);
});

test('run --dry-run prints the size and sends nothing; a filter narrows the plan', { timeout: 60_000 }, async () => {
  const before = fake.modelRequests().length;
  const r = await runCli(
    [
      'run',
      'examples/kim-baek-2024.study.json',
      '--endpoint',
      fake.url,
      '--dry-run',
      '--no-analysis',
      '--country',
      'DK,SE',
      '--model',
      study.models[0].id,
    ],
    { cwd: dir },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`plan kim-baek-2024: ${itemIds.length * 2} request\\(s\\), ${itemIds.length * 2} cached`));
  // Only model listing and no scoring request.
  assert.equal(fake.modelRequests().length, before);
});

test('run: an unknown country in --country is a usage error naming the study values', async () => {
  const r = await runCli(['run', 'examples/kim-baek-2024.study.json', '--country', 'XX', '--endpoint', fake.url], { cwd: dir });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--country: "XX" not in the study/);
});

test('report/analyze of a study with no results yet: exit 1 saying how to get some (not an ENOENT)', async () => {
  const fresh = tempDir('vl-no-corpus-');
  try {
    cpSync(EXAMPLES, join(fresh, 'examples'), { recursive: true });
    for (const command of ['report', 'analyze']) {
      const r = await runCli([command, 'examples/kim-baek-2024.study.json'], { cwd: fresh });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /No results yet at examples\/kim-baek-2024\.results: score the study first \(value-lens run/);
      assert.doesNotMatch(r.stderr, /ENOENT|unexpected error/);
    }
  } finally {
    await removeDir(fresh);
  }
});
