import { test } from 'node:test';
import assert from 'node:assert/strict';
import { paraphraseSpreadMarkdown, resultsHoverMarkdown, type ItemResultsView } from '../../../src/core/resultText';
import type { ScoreResult } from '../../../src/core/results';

function result(language: string, paraphrase: number, mean: number): ScoreResult {
  return {
    kind: 'result',
    runId: 'r',
    itemId: 'Q1',
    itemHash: 'h',
    language,
    template: 'direct',
    paraphrase,
    provider: 'ollama',
    model: 'm',
    endpoint: 'http://127.0.0.1:11434',
    method: 'logprobs',
    optionOrder: [1, 2, 3, 4],
    probabilities: { '1': 1 },
    mean,
    mode: 1,
    entropy: 0,
    missMass: 0,
    latencyMs: 1,
    cached: false,
    at: '2026-11-25T12:00:00.000Z',
  };
}

test('the hover shows the spread across paraphrases, the paraphrase that moved the item most, and self-consistency', () => {
  const view: ItemResultsView = {
    latest: {},
    paraphrases: { en: { 0: result('en', 0, 2), 1: result('en', 1, 2.2), 2: result('en', 2, 3.1) }, da: { 0: result('da', 0, 1.5) } },
    consistency: { en: 0.734, da: null },
  };
  const text = paraphraseSpreadMarkdown(view, ['en', 'da']);
  const [header, en, da] = text.split('\n');
  assert.equal(header, '**Across paraphrases**');
  // mean 2.433…, sd 0.586; paraphrase 3 (index 2) is furthest: 3.10, +0.67
  assert.equal(en, '- **en** 2.43 ± 0.59 over 3 paraphrases · moved most by paraphrase 3 (3.10, +0.67) · self-consistency ρ̄ 0.73');
  assert.equal(da, '- **da** 1.50 ± 0.00 over 1 paraphrase');
  // With no base results the hover still shows the paraphrase section instead of "not scored".
  assert.equal(resultsHoverMarkdown(view, ['en', 'da']), text);
});

test('failures and empty paraphrase results add nothing', () => {
  const failure = { ...result('en', 0, 2), kind: 'failure' as const, error: { kind: 'http', message: 'x' }, attempts: 1 };
  const view: ItemResultsView = { latest: {}, paraphrases: { en: { 0: failure as never } } };
  assert.equal(paraphraseSpreadMarkdown(view, ['en']), '');
  assert.match(resultsHoverMarkdown(view, ['en']), /Not scored yet/);
});

test('issue 19: no "moved most" when the spread is 0 (equal means, and floating-point noise around them)', () => {
  // 0.1 + 0.2 is 0.30000000000000004: the sd is 3e-17, not 0, and the old code named paraphrase 1.
  const view: ItemResultsView = {
    latest: {},
    paraphrases: {
      en: { 0: result('en', 0, 0.1 + 0.2 + 2), 1: result('en', 1, 2.3), 2: result('en', 2, 2.3) },
      da: { 0: result('da', 0, 2.001), 1: result('da', 1, 2) },
      nl: { 0: result('nl', 0, 2), 1: result('nl', 1, 2.01) },
    },
  };
  const [, en, da, nl] = paraphraseSpreadMarkdown(view, ['en', 'da', 'nl']).split('\n');
  assert.equal(en, '- **en** 2.30 ± 0.00 over 3 paraphrases · all paraphrases agree');
  // Differences in the third decimal (sd 0.0007) show as 0.00: no mover either.
  assert.equal(da, '- **da** 2.00 ± 0.00 over 2 paraphrases · all paraphrases agree');
  // A spread that shows (sd 0.007 → "0.01") still names its mover.
  assert.match(nl!, /± 0\.01 over 2 paraphrases · moved most by paraphrase \d/);
});
