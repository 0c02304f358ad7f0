// Summaries of the self-consistency review and the option-order check, on records run through analyze().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ScoreResult } from '../../../src/core/results';
import { analyze } from '../../../src/core/stats/analyze';
import { parseTemplates } from '../../../src/core/language';
import { consistencyLines, movingItems, optionOrderLines, optionOrderShifts } from '../../../src/core/authoring/review';

function result(
  itemId: string,
  language: string,
  paraphrase: number | null,
  mean: number,
  optionOrder = [1, 2, 3, 4],
  at = '2026-01-01T00:00:00Z',
): ScoreResult {
  return {
    kind: 'result',
    runId: 'r',
    itemId,
    itemHash: 'h',
    language,
    template: 'direct',
    paraphrase,
    provider: 'ollama',
    model: 'm',
    endpoint: 'http://127.0.0.1:1',
    method: 'logprobs',
    optionOrder,
    probabilities: { '1': 1 },
    mean,
    mode: 1,
    entropy: 0,
    missMass: 0,
    latencyMs: 1,
    cached: false,
    at,
  };
}

const items = ['A', 'B', 'C'].map((id) => ({ id, title: `Item ${id}`, category: 'c', scaleMin: 1, scaleMax: 4, reversed: false }));
const sets = parseTemplates(
  'template direct\n  en: {question} {options}\nparaphrases direct\n  en:\n    - P0 {question} {options}\n    - P1 {question} {options}\n    - P2 {question} {options}\n',
).paraphraseSets;

test('moving items: most dispersed first, with the paraphrase that moved them and its text', () => {
  // B moves a lot under paraphrase 2; A barely; C not at all.
  const records = [
    ...[2.0, 2.1, 2.0].map((m, p) => result('A', 'en', p, m)),
    ...[1.5, 1.6, 3.5].map((m, p) => result('B', 'en', p, m)),
    ...[3.0, 3.0, 3.0].map((m, p) => result('C', 'en', p, m)),
  ];
  const report = analyze({ records, items, human: { rows: [] }, languageCountries: { en: ['US'] } });
  const moving = movingItems(report.consistency, sets, 'direct');
  assert.deepEqual(
    moving.map((m) => [m.itemId, m.paraphrase]),
    [
      ['B', 2],
      ['A', 1],
      ['C', null],
    ],
  );
  assert.equal(moving[0].paraphraseText, 'P2 {question} {options}');
  assert.ok(Math.abs(moving[0].dispersion - Math.sqrt(((1.5 - 2.2) ** 2 + (1.6 - 2.2) ** 2 + (3.5 - 2.2) ** 2) / 2)) < 1e-9);
  assert.match(consistencyLines(report.consistency, 'direct')[0], /^m · en: mean pairwise Spearman -?\d\.\d\d over 3 pairs$/);
});

test('option-order shifts: reversed minus original, latest record of each, unpaired ones ignored', () => {
  const records = [
    result('A', 'da', null, 2.0, [1, 2, 3, 4], '2026-01-01T00:00:00Z'),
    result('A', 'da', null, 2.2, [1, 2, 3, 4], '2026-01-02T00:00:00Z'), // newer original
    result('A', 'da', null, 2.9, [4, 3, 2, 1]),
    result('A', 'en', null, 3.0, [1, 2, 3, 4]), // no reversed partner
    result('A', 'nl', null, 2.5, [2, 4, 1, 3]), // shuffled: not part of the figure
  ];
  const shifts = optionOrderShifts(records);
  assert.deepEqual(
    shifts.map((s) => [s.language, s.original, s.reversed]),
    [['da', 2.2, 2.9]],
  );
  assert.ok(Math.abs(shifts[0].shift - 0.7) < 1e-9);
  assert.deepEqual(optionOrderLines(shifts), ['A · da: mean 2.20 (original order) → 2.90 (reversed), shift +0.70']);
  // Agrees with the panel's positionBias figure from analyze().
  const report = analyze({ records, items, human: { rows: [] }, languageCountries: { da: ['DK'] } });
  assert.ok(Math.abs(report.positionBias.find((r) => r.language === 'da')!.shift - shifts[0].shift) < 1e-9);
});

test('issue 19: an item with sd 0.00 is not "moved most by paraphrase 1"; lines use one number format', async () => {
  const { movingItemLine } = await import('../../../src/core/authoring/review');
  // Q45's case: the paraphrases differ in the third decimal (sd 0.0006, shown as 0.00); analyze() still names
  // the furthest one, and the review listed it as "moved most by paraphrase 1".
  const records = [
    ...[2.301, 2.3, 2.3].map((m, p) => result('A', 'en', p, m)),
    ...[1.5, 1.6, 3.5].map((m, p) => result('B', 'en', p, m)),
    ...[3.0, 3.0, 3.0].map((m, p) => result('C', 'en', p, m)),
  ];
  const report = analyze({ records, items, human: { rows: [] }, languageCountries: { en: ['US'] } });
  const moving = movingItems(report.consistency, sets, 'direct');
  assert.equal(report.consistency[0]!.items.find((i) => i.itemId === 'A')!.mostDeviantParaphrase, 0, 'the statistic itself is unchanged');
  const a = moving.find((m) => m.itemId === 'A')!;
  assert.equal(a.paraphrase, null);
  assert.equal(a.paraphraseText, undefined);
  assert.deepEqual(moving.map(movingItemLine), [
    'B · en: sd 1.13 across paraphrases; moved most by paraphrase 3: P2 {question} {options}',
    'A · en: sd 0.00 across paraphrases; all paraphrases agree',
    'C · en: sd 0.00 across paraphrases; all paraphrases agree',
  ]);
});
