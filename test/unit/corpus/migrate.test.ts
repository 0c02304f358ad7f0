// Migration (issue 14 point 8): round one's results files — written by the runner without study factors —
// load with the documented defaults and go through selection.
import { strict as assert } from 'node:assert';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readCorpus } from '../../../src/core/corpus/reader';
import { orderName, roundOf, withDefaults } from '../../../src/core/corpus/records';
import { selectUnits } from '../../../src/core/corpus/select';
import type { RunRecord } from '../../../src/core/results';
import { runPlan } from '../../../src/core/run/runner';
import { ResultsStore } from '../../../src/core/run/store';
import { createTestProvider, makePlan, startTestServer } from '../run/support';

test('a format-1 results file written by the runner against the loopback fake loads with the defaults', async () => {
  const server = await startTestServer();
  const dir = await mkdtemp(join(tmpdir(), 'vl-corpus-migrate-'));
  try {
    const path = join(dir, 'old-run.jsonl');
    const store = new ResultsStore(path);
    const plan = makePlan({ count: 12, endpoint: server.url, model: 'llama3' });
    await runPlan(plan, { providers: (_p, e) => createTestProvider(e), store });
    await store.close();
    const raw = (await readFile(path, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    // It really is format 1: none of the study factors are on disk.
    for (const r of raw) for (const field of ['study', 'country', 'modelId', 'order', 'round']) assert.equal(r[field], undefined, field);

    const records: RunRecord[] = [];
    const report = await readCorpus(path, (r) => records.push(r));
    assert.equal(report.records, 12);
    for (const r of records) {
      assert.equal(r.country, null);
      assert.equal(r.modelId, 'llama3');
      assert.equal(r.order, 'original');
      assert.equal(r.round, 0);
      assert.equal(r.source, 'run');
      assert.equal(r.study, undefined);
    }
    const selection = await selectUnits(records, { rule: 'latest' });
    assert.equal(selection.counts.used, 12);
    assert.equal(selection.units[0].modelId, 'llama3');
    assert.equal(selection.units[0].country, null);
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('order names from optionOrder; round from sampleIndex; fields a record has are never changed', () => {
  assert.equal(orderName([1, 2, 3, 4]), 'original');
  assert.equal(orderName([4, 3, 2, 1]), 'reversed');
  assert.equal(orderName([2, 3, 4, 1]), 'other');
  assert.equal(orderName([]), 'original');
  const base = {
    kind: 'failure',
    runId: 'r',
    itemId: 'Q1',
    itemHash: 'h',
    language: 'en',
    template: 't',
    paraphrase: null,
    provider: 'openai',
    model: 'm',
    endpoint: 'http://x',
    method: 'logprobs',
    optionOrder: [5, 4, 3],
    error: { kind: 'x', message: 'y' },
    attempts: 1,
    at: '',
  } as const;
  const withIndex = { ...base, optionOrder: [...base.optionOrder], sampleIndex: 3 } as unknown as RunRecord;
  assert.equal(roundOf(withIndex), 3);
  const filled = withDefaults(withIndex);
  assert.equal(filled.order, 'reversed');
  assert.equal(filled.round, 3);
  const kept = withDefaults({ ...base, optionOrder: [1, 2, 3], country: 'DK', modelId: 'x', order: 'perm-1', round: 7 } as RunRecord);
  assert.deepEqual([kept.country, kept.modelId, kept.order, kept.round], ['DK', 'x', 'perm-1', 7]);
});
