// First token vs text (Wang et al. 2024) end to end on the loopback Ollama fake: the study is scored with
// logprobs, the check asks the same prompts for a greedy text answer into its own corpus, and the study
// analysis reports agreement per model × language. A fake whose first token is "3" but whose text says "2"
// agrees 0 times and lists every item; a fake whose text says "3" agrees always. The logprob records are
// not superseded by the text answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { analyzeCorpus } from '../../../src/core/study/analyzeCorpus';
import { firstTokenCheckDir, firstTokenTextRows, runFirstTokenCheck } from '../../../src/core/study/firstToken';
import { loadStudy } from '../../../src/core/study/load';
import { runStudy } from '../../../src/core/study/session';
import type { ResponseUnit } from '../../../src/core/corpus/types';
import type { LoadedStudy, Study } from '../../../src/core/study/types';
import type { FakeToken } from '../../support/fake-common';
import { startFakeOllama } from '../../support/fake-ollama';
import { ollamaStudyEnv } from '../../support/study-env';

const examples = resolve(__dirname, '../../../examples');
const ITEMS = ['Q1', 'Q2', 'Q3']; // four-option importance scale: labels 1–4 = codes 1–4 in the original order

const firstTokenThree = (): FakeToken[] =>
  [
    ['3', 0.7],
    ['2', 0.2],
    ['1', 0.05],
    ['4', 0.05],
  ].map(([token, p]) => ({ token: token as string, logprob: Math.log(p as number) }));

async function checked(textAnswer: string) {
  const fake = await startFakeOllama({ firstToken: firstTokenThree, reply: () => textAnswer });
  try {
    const dir = mkdtempSync(join(tmpdir(), 'vl-first-token-'));
    const path = join(dir, 'ft.study.json');
    writeFileSync(
      path,
      JSON.stringify({
        name: 'ft',
        items: [{ file: join(examples, 'wvs7-sample.wvs'), ids: ITEMS }],
        templates: [{ file: join(examples, 'prompts.wvt'), names: ['direct'] }],
        languages: ['en'],
        models: [{ id: 'm', provider: 'ollama', model: 'fake-llm:latest', endpoint: fake.url }],
        method: 'logprobs',
        results: join(dir, 'results'),
      }),
    );
    const loaded = (await loadStudy(path)) as LoadedStudy & { study: Study };
    assert.ok(loaded.study, JSON.stringify(loaded.diagnostics));
    const env = ollamaStudyEnv(join(dir, 'cache'));
    const main = await runStudy(loaded, undefined, env);
    assert.ok(main.status === 'ran' && main.summary.records.every((r) => r.kind === 'result'));
    const check = await runFirstTokenCheck(loaded, undefined, env, ['m']);
    assert.ok(check.status === 'ran');
    if (check.status !== 'ran') throw new Error('check not run');
    // Greedy, one answer, free text: temperature 0 and n 1 on the wire.
    for (const q of fake.modelRequests().slice(ITEMS.length)) {
      const body = q.body as { options: { temperature: number; num_predict: number }; logprobs?: boolean };
      assert.deepEqual([body.options.temperature, body.options.num_predict > 1, body.logprobs], [0, true, undefined]);
    }
    assert.ok(existsSync(firstTokenCheckDir(loaded.study)));
    const { analysis } = await analyzeCorpus(loaded);
    // The main corpus still holds the logprob results only.
    assert.equal(analysis.counts.used, ITEMS.length);
    return analysis;
  } finally {
    await fake.close();
  }
}

test('first token "3", text "2": agreement 0, every item listed, |mean difference| = |E[score] − 2|', async () => {
  const analysis = await checked('2');
  const rows = analysis.firstTokenText ?? [];
  assert.equal(rows.length, 1);
  const [row] = rows;
  assert.deepEqual([row.model, row.language, row.pairs, row.agreement, row.unparsed], ['m', 'en', 3, 0, 0]);
  assert.deepEqual(
    row.disagreements.map((d) => [d.itemId, d.firstToken, d.text]),
    ITEMS.map((id) => [id, 3, 2]),
  );
  // First-token mean score: 0.05·1 + 0.2·2 + 0.7·3 + 0.05·4 = 2.75 on every item; text score 2.
  assert.ok(row.meanAbsDifference !== null && Math.abs(row.meanAbsDifference - 0.75) < 1e-9, String(row.meanAbsDifference));
});

test('first token "3", text "3": agreement 1, nothing listed', async () => {
  const analysis = await checked('3');
  const [row] = analysis.firstTokenText ?? [];
  assert.deepEqual([row.pairs, row.agreement, row.disagreements.length], [3, 1, 0]);
  assert.ok(row.meanAbsDifference !== null && Math.abs(row.meanAbsDifference - 0.25) < 1e-9);
});

test('firstTokenTextRows: pairs by condition, ties go to the lower code, unparsed counted apart', () => {
  const base = {
    runId: 'r',
    modelId: 'm',
    model: 'm',
    modelAttributes: {},
    language: 'en',
    country: null,
    template: 't',
    paraphrase: null,
    order: 'original',
    round: 0,
    itemKey: '',
    category: '',
  };
  const lp = (itemId: string, p: Record<string, number>, mean: number): ResponseUnit => ({
    ...base,
    itemId,
    method: 'logprobs',
    probabilities: p,
    mean,
  });
  const tx = (itemId: string, code: number): ResponseUnit => ({
    ...base,
    itemId,
    method: 'sample',
    probabilities: { [code]: 1 },
    mean: code,
  });
  const rows = firstTokenTextRows(
    [lp('A', { 1: 0.5, 2: 0.5 }, 1.5), lp('B', { 1: 0.1, 2: 0.9 }, 1.9), lp('C', { 1: 1, 2: 0 }, 1)],
    [tx('A', 1), tx('B', 1)],
    new Map([['m\u0001en', 1]]),
  );
  assert.equal(rows.length, 1);
  assert.deepEqual([rows[0].pairs, rows[0].agreement, rows[0].unparsed], [2, 0.5, 1]);
  assert.deepEqual(
    rows[0].disagreements.map((d) => [d.itemId, d.firstToken, d.text]),
    [['B', 2, 1]],
  );
  assert.ok(Math.abs((rows[0].meanAbsDifference ?? NaN) - Math.abs((1.5 + 1.9) / 2 - 1)) < 1e-12);
});
