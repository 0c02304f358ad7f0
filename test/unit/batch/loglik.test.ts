// Method loglik as a batch: `value-lens run STUDY --batch` for a base model under method loglik uploads one
// /v1/completions echo line per distribution to the loopback Files + Batches fake, whose answers (vLLM's
// legacy shape, prompt logprobs echoed) become loglik records with the planted distribution recovered
// exactly — the same figures as a live run against the vLLM fake. A second batch run sends nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FakeToken } from '../../support/fake-common';
import { startFakeOpenAI } from '../../support/fake-openai';
import { startFakeOpenAIBatch } from '../../support/fake-openai-batch';
import { runCli } from '../cli/helpers';
import { EXAMPLES, corpusRecords } from './support';

const Q = { 1: 0.2, 2: 0.1, 3: 0.05, 4: 0.0009 } as const;
/** After the answer cue: option 4's label ranked below 20 fillers (outside any top 20). */
const PLANTED: FakeToken[] = [
  ...Object.entries(Q).map(([k, p]) => ({ token: ` ${k}`, logprob: Math.log(p) })),
  ...Array.from({ length: 20 }, (_, i) => ({ token: ` w${i}`, logprob: Math.log(0.03) - i * 0.01 })),
].sort((a, b) => b.logprob - a.logprob);
const planted = ({ prompt }: { prompt: string }): FakeToken[] | undefined => (prompt.endsWith('Answer:') ? PLANTED : undefined);
const ITEMS = ['Q1', 'Q2', 'Q3']; // four-option importance scale: labels 1–4 are codes 1–4

function writeStudy(dir: string, endpoint: string): string {
  cpSync(join(EXAMPLES, 'wvs7-sample.wvs'), join(dir, 'wvs7-sample.wvs'));
  cpSync(join(EXAMPLES, 'prompts.wvt'), join(dir, 'prompts.wvt'));
  const path = join(dir, 'll.study.json');
  writeFileSync(
    path,
    JSON.stringify({
      name: 'll',
      items: [{ file: 'wvs7-sample.wvs', ids: ITEMS }],
      templates: [{ file: 'prompts.wvt', names: ['direct'], paraphrases: 'none' }],
      languages: ['en', 'da'],
      models: [{ id: 'base', provider: 'openai', model: 'fake-base', endpoint, kind: 'base' }],
      method: 'loglik',
    }),
  );
  return path;
}

type Loglik = { kind: string; method: string; itemId: string; language: string; probabilities: Record<string, number>; missMass: number };

test('run --batch with method loglik: echo lines on /v1/completions, the planted distribution exactly, as live', {
  timeout: 240_000,
}, async () => {
  const batch = await startFakeOpenAIBatch({ firstToken: planted });
  const live = await startFakeOpenAI({ server: 'vllm', firstToken: planted });
  const dirs = [mkdtempSync(join(tmpdir(), 'vl-batch-loglik-')), mkdtempSync(join(tmpdir(), 'vl-batch-loglik-'))];
  try {
    const env = { VALUE_LENS_BATCH_POLL_MS: '5,10' };
    writeStudy(dirs[0], `${batch.url}/v1`);
    const args = ['run', 'll.study.json', '--batch', '--yes', '--no-analysis', '--cache-dir', join(dirs[0], 'c')];
    const r = await runCli(args, { cwd: dirs[0], env, timeoutMs: 200_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(batch.counts.creations, 1);
    const [created] = [...batch.batches.values()];
    assert.equal(created.endpoint, '/v1/completions');
    const lines = batch.files
      .get(created.input_file_id)!
      .content.trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { url: string; body: { prompt: string[]; echo: boolean; max_tokens: number } });
    assert.equal(lines.length, ITEMS.length * 2, 'one line per distribution');
    for (const line of lines) {
      assert.equal(line.url, '/v1/completions');
      assert.equal(line.body.echo, true);
      assert.equal(line.body.max_tokens, 0);
      assert.equal(line.body.prompt.length, 4);
    }

    const records = corpusRecords(join(dirs[0], 'll.results')) as unknown as Loglik[];
    assert.equal(records.length, 6);
    const total = Q[1] + Q[2] + Q[3] + Q[4];
    const en = records.filter((x) => x.language === 'en');
    assert.equal(en.length, 3);
    for (const record of en) {
      assert.equal(record.kind, 'result', JSON.stringify(record));
      assert.equal(record.method, 'loglik');
      for (const code of [1, 2, 3, 4] as const)
        assert.ok(Math.abs(record.probabilities[String(code)] - Q[code] / total) < 1e-12, `${record.itemId} option ${code}`);
      assert.ok(Math.abs(record.missMass - (1 - total)) < 1e-12);
    }
    assert.ok(
      records.every((x) => x.kind === 'result' && x.method === 'loglik'),
      'the Danish prompts are scored too (the fake model, not the planted one)',
    );

    // The same study live against the vLLM fake: the same figures for every condition.
    writeStudy(dirs[1], `${live.url}/v1`);
    const l = await runCli(['run', 'll.study.json', '--yes', '--no-analysis', '--cache-dir', join(dirs[1], 'c')], {
      cwd: dirs[1],
      timeoutMs: 200_000,
    });
    assert.equal(l.code, 0, l.stderr);
    const liveRecords = corpusRecords(join(dirs[1], 'll.results')) as unknown as Loglik[];
    const byCondition = (xs: Loglik[]) => new Map(xs.map((x) => [`${x.itemId} ${x.language}`, x.probabilities]));
    const batchMap = byCondition(records);
    for (const [key, p] of byCondition(liveRecords)) {
      for (const code of Object.keys(p))
        assert.ok(
          Math.abs(p[code] - (batchMap.get(key)?.[code] ?? NaN)) < 1e-12,
          `${key} option ${code}: live ${p[code]}, batch ${batchMap.get(key)?.[code]}`,
        );
    }

    // Everything is cached now: a second batch run creates no batch.
    const again = await runCli(args, { cwd: dirs[0], env, timeoutMs: 200_000 });
    assert.equal(again.code, 0, again.stderr);
    assert.equal(batch.counts.creations, 1);
  } finally {
    await batch.close();
    await live.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
});
