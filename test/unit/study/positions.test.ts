// Option order as a factor, end to end on the loopback Ollama fake: a study with the original and every
// cyclic order, scored by first-token logprobs. A fake whose answer depends on the position only gives a
// uniform order-averaged distribution and position shares equal to the planted bias; a fake whose answer
// depends on the option's content only is unchanged by averaging (1e-12). Plus the bootstrap CI against a
// hand computation on the very same resamples.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { selectUnits } from '../../../src/core/corpus/select';
import type { ResponseUnit } from '../../../src/core/corpus/types';
import { selectionItems } from '../../../src/core/study/analyzeCorpus';
import { analyzeStudy } from '../../../src/core/study/analyze';
import { loadStudy } from '../../../src/core/study/load';
import { orderAveragedRows, positionBiasRows } from '../../../src/core/study/positions';
import { runStudy } from '../../../src/core/study/session';
import type { LoadedStudy, Study } from '../../../src/core/study/types';
import { bootstrapIndices, percentileInterval } from '../../../src/core/stats/bootstrap';
import { hashText, type FakeToken } from '../../support/fake-common';
import { startFakeOllama } from '../../support/fake-ollama';
import { ollamaStudyEnv } from '../../support/study-env';

const examples = resolve(__dirname, '../../../examples');
const ITEMS = ['Q1', 'Q2', 'Q3', 'Q4', 'Q5', 'Q6']; // four-option importance scale
const PLANTED = [0.1, 0.2, 0.3, 0.4]; // probability per display position: a last-option preference

function normalised(weights: [string, number][]): FakeToken[] {
  const total = weights.reduce((a, [, w]) => a + w, 0);
  return weights.map(([token, w]) => ({ token, logprob: Math.log(w / total) })).sort((a, b) => b.logprob - a.logprob);
}

/** Answers by position: label j gets PLANTED[j] whatever option it shows. */
const byPosition = (): FakeToken[] => normalised(PLANTED.map((p, j) => [String(j + 1), p]));

/** Answers by content: each option's weight comes from its wording, wherever it is shown. */
const byContent = ({ prompt }: { prompt: string }): FakeToken[] => {
  const options = [...prompt.matchAll(/^\s*([1-9])\. (.+)$/gm)];
  return normalised(options.map((m) => [m[1], 1 + (hashText(m[2].trim()) % 97)]));
};

async function scoredUnits(
  firstToken: (input: { model: string; prompt: string }) => FakeToken[],
): Promise<{ units: ResponseUnit[]; loaded: LoadedStudy & { study: Study } }> {
  const fake = await startFakeOllama({ firstToken });
  try {
    const dir = mkdtempSync(join(tmpdir(), 'vl-positions-'));
    const path = join(dir, 'orders.study.json');
    writeFileSync(
      path,
      JSON.stringify({
        name: 'orders',
        items: [{ file: join(examples, 'wvs7-sample.wvs'), ids: ITEMS }],
        templates: [{ file: join(examples, 'prompts.wvt'), names: ['direct'] }],
        languages: ['en'],
        models: [{ id: 'm', provider: 'ollama', model: 'fake-llm:latest', endpoint: fake.url }],
        method: 'logprobs',
        optionOrders: ['original', 'cyclic'],
        results: join(dir, 'results'),
      }),
    );
    const loaded = (await loadStudy(path)) as LoadedStudy & { study: Study };
    assert.ok(loaded.study, JSON.stringify(loaded.diagnostics));
    const out = await runStudy(loaded, undefined, ollamaStudyEnv(join(dir, 'cache')));
    assert.ok(out.status === 'ran');
    if (out.status !== 'ran') throw new Error('not run');
    assert.equal(out.summary.records.length, ITEMS.length * 4);
    assert.ok(
      out.summary.records.every((r) => r.kind === 'result'),
      JSON.stringify(out.summary.records.find((r) => r.kind !== 'result')),
    );
    const selection = await selectUnits(out.summary.records, { rule: 'latest', items: selectionItems(loaded.surveys) });
    assert.equal(selection.units.length, ITEMS.length * 4);
    return { units: selection.units, loaded };
  } finally {
    await fake.close();
  }
}

test('position-only fake: order-averaged distribution uniform, position shares = the planted bias', async () => {
  const { units, loaded } = await scoredUnits(byPosition);
  assert.deepEqual([...new Set(units.map((u) => u.order))].sort(), ['original', 'shift-1', 'shift-2', 'shift-3']);
  const averaged = orderAveragedRows(units);
  assert.equal(averaged.length, ITEMS.length);
  for (const row of averaged) {
    assert.equal(row.responses, 4);
    for (const code of ['1', '2', '3', '4'])
      assert.ok(Math.abs(row.probabilities[code] - 0.25) < 1e-12, `${row.itemId} ${code}: ${row.probabilities[code]}`);
  }
  const [bias] = positionBiasRows(units, { bootstrap: { iterations: 200, seed: 1 } });
  assert.equal(bias.k, 4);
  assert.equal(bias.responses, ITEMS.length * 4);
  assert.equal(bias.uniform, 0.25);
  bias.positions.forEach((p, j) => {
    assert.ok(Math.abs(p.share.estimate - PLANTED[j]) < 1e-12, `position ${j + 1}: ${p.share.estimate}`);
    assert.ok(Math.abs(p.excess - (PLANTED[j] - 0.25)) < 1e-12);
    // Every item has the same bias: the CI collapses onto it.
    assert.ok(p.share.ci && Math.abs(p.share.ci[0] - PLANTED[j]) < 1e-12 && Math.abs(p.share.ci[1] - PLANTED[j]) < 1e-12);
  });
  // ½ (0.15 + 0.05 + 0.05 + 0.15) = 0.2
  assert.ok(Math.abs(bias.totalVariation.estimate - 0.2) < 1e-12);

  // The study analysis carries both (additive fields of StudyAnalysis).
  const analysis = analyzeStudy({
    selection: { units, counts: { read: units.length, used: units.length, superseded: 0, stale: 0, skipped: {} }, rule: 'latest' },
    human: { rows: [] },
    study: loaded.study,
  });
  assert.equal(analysis.orderAveraged?.length, ITEMS.length);
  assert.equal(analysis.positionBias?.length, 1);
  assert.ok(Math.abs((analysis.positionBias?.[0].positions[3].share.estimate ?? 0) - 0.4) < 1e-12);
});

test('content-only fake: averaging over orders changes nothing (1e-12), position shares near but not the bias', async () => {
  const { units } = await scoredUnits(byContent);
  const averaged = orderAveragedRows(units);
  assert.equal(averaged.length, ITEMS.length);
  for (const row of averaged) {
    const own = units.filter((u) => u.itemId === row.itemId);
    assert.equal(own.length, 4);
    for (const u of own) {
      for (const code of Object.keys(row.probabilities))
        assert.ok(Math.abs((u.probabilities?.[code] ?? NaN) - row.probabilities[code]) < 1e-12, `${row.itemId} ${u.order} ${code}`);
      assert.ok(row.mean !== null && u.mean !== undefined && Math.abs(u.mean - row.mean) < 1e-12);
    }
  }
  // A content-only model shown every cyclic order puts each option once at each position: shares average to 1/K.
  const [bias] = positionBiasRows(units, { bootstrap: { iterations: 100, seed: 2 } });
  for (const p of bias.positions) assert.ok(Math.abs(p.share.estimate - 0.25) < 1e-12, String(p.share.estimate));
});

test('positionBiasRows: CI by hand on the same item resamples; conditions in one order are left out', () => {
  // Two items, two orders each, K = 2; item A favours position 1, item B position 2.
  const unit = (itemId: string, order: string, optionOrder: number[], p: Record<string, number>): ResponseUnit => ({
    runId: 'r',
    modelId: 'm',
    model: 'm',
    modelAttributes: {},
    language: 'en',
    country: null,
    template: 't',
    paraphrase: null,
    order,
    optionOrder,
    round: 0,
    itemId,
    itemKey: itemId,
    category: '',
    method: 'logprobs',
    probabilities: p,
    mean: 1,
  });
  const units = [
    unit('A', 'original', [1, 2], { 1: 0.9, 2: 0.1 }), // position 1: 0.9
    unit('A', 'reversed', [2, 1], { 1: 0.3, 2: 0.7 }), // position 1: 0.7
    unit('B', 'original', [1, 2], { 1: 0.2, 2: 0.8 }), // position 1: 0.2
    unit('B', 'reversed', [2, 1], { 1: 0.6, 2: 0.4 }), // position 1: 0.4
    unit('C', 'original', [1, 2], { 1: 1, 2: 0 }), // one order only: not in the figure
  ];
  const iterations = 500;
  const [row] = positionBiasRows(units, { bootstrap: { iterations, seed: 7 } });
  assert.equal(row.items, 2);
  assert.equal(row.responses, 4);
  assert.ok(Math.abs(row.positions[0].share.estimate - (0.9 + 0.7 + 0.2 + 0.4) / 4) < 1e-12);
  // By hand: items sorted (A, B); a resample's share = mean over drawn items' responses.
  const itemShare = [(0.9 + 0.7) / 2, (0.2 + 0.4) / 2];
  const idx = bootstrapIndices(2, iterations, 7);
  const reps: number[] = [];
  for (let b = 0; b < iterations; b++) reps.push((itemShare[idx[2 * b]] + itemShare[idx[2 * b + 1]]) / 2);
  assert.deepEqual(row.positions[0].share.ci, percentileInterval(reps));
  assert.equal(orderAveragedRows(units).length, 2);
});
