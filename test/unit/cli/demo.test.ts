// `value-lens demo`: with a fake Ollama standing in at OLLAMA_HOST it writes results and a report; with
// nothing listening, or without the model, it stops with instructions and exit 1.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { startFakeOllama, type FakeServer } from '../../support/fake-ollama';
import { buildOnce, deadPort, jsonLines, removeDir, runCli, tempDir } from './helpers';

const DEFAULT_MODEL = 'qwen2.5:0.5b';

let fake: FakeServer;
let dir: string;
before(async () => {
  buildOnce();
  fake = await startFakeOllama({ models: [{ name: DEFAULT_MODEL, digest: 'sha256:' + 'a'.repeat(64), size: 397_000_000 }] });
  dir = tempDir();
});
after(async () => {
  await fake.close();
  await removeDir(dir);
});

test('demo runs the demo study against OLLAMA_HOST: corpus, manifest, analysis and report', async () => {
  const r = await runCli(['demo'], { cwd: dir, env: { OLLAMA_HOST: fake.url }, timeoutMs: 120_000 });
  assert.equal(r.code, 0, r.stderr);
  const out = join(dir, 'value-lens-demo');
  assert.match(r.stdout, /Corpus: {2}.*value-lens-demo\/records\.jsonl/);
  assert.match(r.stdout, /Report: {2}.*report\.html/);
  // The follow-up hint names a command that exists: `value-lens` is not on PATH from a clone (issue 19).
  assert.match(r.stdout, /or run: node \S*dist\/cli\.js analyze /);
  assert.doesNotMatch(r.stdout, /run: value-lens /);
  const records = jsonLines(await fs.readFile(join(out, 'records.jsonl'), 'utf8')) as {
    kind: string;
    model: string;
    cached: boolean;
    study: string;
    language: string;
  }[];
  const sent = fake.modelRequests();
  // 23 items × 4 languages: every record came from a real request to the server (nothing is made up); plus one logprobs probe.
  assert.equal(records.length, 92);
  assert.equal(sent.length, records.length + 1);
  assert.ok(records.every((x) => x.kind === 'result' && x.model === DEFAULT_MODEL && !x.cached && x.study === 'demo'));
  assert.deepEqual([...new Set(records.map((x) => x.language))].sort(), ['da', 'en', 'nl', 'pt']);
  const manifests = await fs.readdir(join(out, 'runs'));
  assert.equal(manifests.filter((m) => m.endsWith('.json')).length, 1);
  const analysis = JSON.parse(await fs.readFile(join(out, 'analysis.json'), 'utf8')) as {
    counts: { read: number; used: number };
    alignment: unknown[];
  };
  assert.deepEqual([analysis.counts.read, analysis.counts.used], [92, 92]);
  assert.ok(analysis.alignment.length > 0);
  const html = await fs.readFile(join(out, 'report.html'), 'utf8');
  assert.match(html, /data-study=/);

  // A second demo run is served from the cache.
  fake.requests.length = 0;
  const again = await runCli(['demo'], { cwd: dir, env: { OLLAMA_HOST: fake.url } });
  assert.equal(again.code, 0, again.stderr);
  assert.equal(fake.modelRequests().length, 0);
});

test('demo with nothing listening exits 1 and says how to start Ollama or use another endpoint', async () => {
  const port = await deadPort();
  const r = await runCli(['demo', '--out-dir', 'down'], { cwd: dir, env: { OLLAMA_HOST: `127.0.0.1:${port}` } });
  assert.equal(r.code, 1);
  for (const hint of [
    'ollama serve',
    `ollama pull ${DEFAULT_MODEL}`,
    'OLLAMA_HOST',
    '--endpoint',
    '--provider openai',
    'OPENAI_BASE_URL',
    'OPENAI_API_KEY',
  ]) {
    assert.ok(r.stderr.includes(hint), `missing hint "${hint}" in:\n${r.stderr}`);
  }
  await assert.rejects(fs.access(join(dir, 'down', 'report.html')));
});

test('demo without the default model says how to pull it; --model picks another', async () => {
  const bare = await startFakeOllama();
  try {
    const r = await runCli(['demo', '--out-dir', 'nomodel'], { cwd: dir, env: { OLLAMA_HOST: bare.url } });
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`ollama pull ${DEFAULT_MODEL.replace('.', '\\.')}`));
    assert.match(r.stderr, /installed: fake-llm:latest/);
    assert.equal(bare.modelRequests().length, 0);
    const other = await runCli(['demo', '--out-dir', 'other', '--model', 'fake-llm', '--item', 'Q1,Q2', '--lang', 'en'], {
      cwd: dir,
      env: { OLLAMA_HOST: bare.url },
    });
    assert.equal(other.code, 0, other.stderr);
    assert.equal(jsonLines(await fs.readFile(join(dir, 'other', 'records.jsonl'), 'utf8')).length, 2);
    await fs.access(join(dir, 'other', 'report.html'));
  } finally {
    await bare.close();
  }
});

test('demo refuses stray positionals and bad flags with exit 2', async () => {
  const r = await runCli(['demo', 'extra'], { cwd: dir });
  assert.equal(r.code, 2);
  const f = await runCli(['demo', '--samples', 'x'], { cwd: dir, env: { OLLAMA_HOST: fake.url } });
  assert.equal(f.code, 2);
  assert.match(f.stderr, /--samples must be a whole number/);
});

test('demo --provider openai uses OPENAI_BASE_URL and OPENAI_API_KEY', async () => {
  const { startFakeOpenAI } = await import('../../support/fake-openai');
  const key = 'sk-demo-key-abcdefghijklmnop';
  const openai = await startFakeOpenAI({ requireKey: key });
  try {
    const r = await runCli(['demo', '--provider', 'openai', '--model', 'fake-llm', '--item', 'Q1,Q2,Q3', '--out-dir', 'openai'], {
      cwd: dir,
      env: { OPENAI_BASE_URL: `${openai.url}/v1`, OPENAI_API_KEY: key },
    });
    assert.equal(r.code, 0, r.stderr);
    const records = jsonLines(await fs.readFile(join(dir, 'openai', 'records.jsonl'), 'utf8')) as { provider: string }[];
    assert.equal(records.length, 3 * 4);
    assert.ok(records.every((x) => x.provider === 'openai'));
    assert.ok(openai.modelRequests().every((q) => q.headers.authorization === `Bearer ${key}`));
    assert.ok(!(await fs.readFile(join(dir, 'openai', 'report.html'), 'utf8')).includes(key));
    const down = await runCli(['demo', '--provider', 'openai', '--model', 'm', '--out-dir', 'x'], {
      cwd: dir,
      env: { OPENAI_BASE_URL: `http://127.0.0.1:${await deadPort()}/v1` },
    });
    assert.equal(down.code, 1);
    assert.match(down.stderr, /No model server answered/);
  } finally {
    await openai.close();
  }
});
