// Which engine a run gets: the flags, or the study's own "batch": true (which --no-batch overrides); one
// choice at a time; only OpenAI-compatible models; and the study file's "batch" read strictly.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { batchEngineFrom } from '../../../src/cli/batch';
import { parseFlags } from '../../../src/cli/args';
import { STUDY_RUN_OPTIONS } from '../../../src/cli/study';
import { loadStudy } from '../../../src/core/study/load';
import { load, tempDir, writeStudy } from './support';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const io = (cwd: string) => ({ stdout: new PassThrough(), stderr: new PassThrough(), cwd, env: {} });

test('flags and the study setting choose the engine', async () => {
  const dir = tempDir();
  dirs.push(dir);
  const path = writeStudy(dir, 'http://127.0.0.1:9/v1', 1);
  const loaded = await load(path);
  const engine = (...argv: string[]) => batchEngineFrom(parseFlags('run', argv, STUDY_RUN_OPTIONS), loaded.study, undefined, io(dir));
  assert.equal(engine(), undefined, 'live by default');
  assert.equal(engine('--batch')?.provider, 'openai');
  assert.ok(engine('--batch-export', 'in.jsonl')?.exportInput);
  assert.equal(engine('--batch-import', 'out.jsonl')?.provider, 'vllm-offline');
  assert.throws(() => engine('--batch', '--batch-export', 'x'), /choose one/);

  const json = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  writeFileSync(path, JSON.stringify({ ...json, batch: true }));
  const batched = await load(path);
  assert.equal(batched.study.batch, true);
  const engine2 = (...argv: string[]) => batchEngineFrom(parseFlags('run', argv, STUDY_RUN_OPTIONS), batched.study, undefined, io(dir));
  assert.equal(engine2()?.provider, 'openai', 'the study says batch');
  assert.equal(engine2('--no-batch'), undefined, '--no-batch runs live');
  assert.ok(engine2('--batch-export', 'in.jsonl')?.exportInput, 'an explicit export wins');

  writeFileSync(path, JSON.stringify({ ...json, batch: 'yes' }));
  const bad = await loadStudy(path);
  assert.ok(
    bad.diagnostics.some((d) => d.severity === 'error' && /"batch"/.test(d.message)),
    JSON.stringify(bad.diagnostics),
  );

  // Ollama models cannot be batched: a usage error naming them.
  writeFileSync(path, JSON.stringify({ ...json, models: [{ id: 'local', provider: 'ollama', model: 'qwen2.5:0.5b' }] }));
  const local = await load(path);
  assert.throws(() => batchEngineFrom(parseFlags('run', ['--batch'], STUDY_RUN_OPTIONS), local.study, undefined, io(dir)), /local is not/);
});
