import { test } from 'node:test';
import assert from 'node:assert/strict';
import { distributionFromLogprobs, logSumExp, normaliseToken } from '../../../src/core/scoring/logprobs';
import { summarize } from '../../../src/core/scoring/summary';
import { renderPrompt } from '../../../src/core/prompt/render';
import type { OptionLabel } from '../../../src/core/prompt/labels';
import { INCOMES, IMPORTANCE, item, template } from '../../support/ast-fixtures';

const close = (a: number, b: number, eps = 1e-9) => assert.ok(Math.abs(a - b) < eps, `${a} ≉ ${b}`);
const four: OptionLabel[] = [1, 2, 3, 4].map((c) => ({ label: String(c), code: c, score: c }));

test('merges whitespace/marker variants, ignores non-labels and -9999, renormalises, reports miss mass', () => {
  const d = distributionFromLogprobs(
    [
      { token: '1', logprob: Math.log(0.5) },
      { token: ' 1', logprob: Math.log(0.1) },
      { token: '2', logprob: Math.log(0.2) },
      { token: '▁3', logprob: Math.log(0.05) },
      { token: 'Answer', logprob: Math.log(0.1) },
      { token: '10', logprob: Math.log(0.03) },
      { token: '1.', logprob: Math.log(0.01) },
      { token: '4', logprob: -9999 },
    ],
    four,
  );
  // options took 0.5+0.1 | 0.2 | 0.05 | 0 = 0.85 of the mass
  close(d.missMass, 0.15);
  close(d.probabilities['1'], 12 / 17);
  close(d.probabilities['2'], 4 / 17);
  close(d.probabilities['3'], 1 / 17);
  assert.equal(d.probabilities['4'], 0);
  const s = summarize(d.probabilities, four);
  close(s.mean, 1.15 / 0.85);
  assert.equal(s.mode, 1);
  close(s.entropy, 0.7529746827658885, 1e-12);
});

test('duplicated token entries are not counted twice', () => {
  const d = distributionFromLogprobs(
    [
      { token: '2', logprob: Math.log(0.4) },
      { token: '2', logprob: Math.log(0.4) },
      { token: '3', logprob: Math.log(0.4) },
    ],
    four,
  );
  close(d.probabilities['2'], 0.5);
  close(d.missMass, 0.2);
});

test('10-point reversed scale with letter labels in reversed display order', () => {
  const q = item('E035', INCOMES, { en: 'Incomes' });
  const { labels, optionOrder } = renderPrompt({
    item: q,
    template: template('t', { en: '{question}\n{options}' }),
    language: 'en',
    optionOrder: 'reversed',
  });
  assert.deepEqual(optionOrder, [10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
  // A = code 10 (score 1), B = code 9 (score 2), J = code 1 (score 10)
  const d = distributionFromLogprobs(
    [
      { token: 'A', logprob: Math.log(0.4) },
      { token: 'a', logprob: Math.log(0.1) },
      { token: 'ĠB', logprob: Math.log(0.2) },
      { token: ' J', logprob: Math.log(0.2) },
      { token: '1', logprob: Math.log(0.05) },
    ],
    labels,
  );
  close(d.missMass, 0.1);
  close(d.probabilities['10'], 5 / 9);
  close(d.probabilities['9'], 2 / 9);
  close(d.probabilities['1'], 2 / 9);
  close(d.probabilities['5'], 0);
  const s = summarize(d.probabilities, labels);
  close(s.mean, 29 / 9);
  assert.equal(s.mode, 10);
  close(s.entropy, 0.9950269901795212, 1e-12);
});

test('no option at all: zero distribution, miss mass 1, NaN summary', () => {
  const d = distributionFromLogprobs([{ token: 'The', logprob: -0.1 }], four);
  assert.equal(d.missMass, 1);
  assert.deepEqual(Object.values(d.probabilities), [0, 0, 0, 0]);
  assert.ok(Number.isNaN(summarize(d.probabilities, four).mean));
  assert.equal(distributionFromLogprobs([], four).missMass, 1);
});

test('logsumexp is stable for very small logprobs', () => {
  close(logSumExp([-1000, -1000]), -1000 + Math.log(2));
  assert.equal(logSumExp([]), -Infinity);
  const d = distributionFromLogprobs(
    [
      { token: '1', logprob: -800 },
      { token: '2', logprob: -800 },
    ],
    four,
  );
  // both underflow to 0 in linear space: treated as no mass rather than NaN
  assert.ok(!Number.isNaN(d.missMass));
});

test('normaliseToken', () => {
  assert.equal(normaliseToken(' b'), 'B');
  assert.equal(normaliseToken('▁7\n'), '7');
  assert.equal(normaliseToken('Ġc'), 'C');
  assert.equal(normaliseToken('1.'), '1.');
});

test('summary: uniform distribution entropy is ln K and mean the midpoint', () => {
  const p = { '1': 0.25, '2': 0.25, '3': 0.25, '4': 0.25 };
  const s = summarize(p, four);
  close(s.entropy, Math.log(4));
  close(s.mean, 2.5);
  assert.equal(s.mode, 1, 'ties resolve to the lowest code');
  const labelled = renderPrompt({
    item: item('x', IMPORTANCE, { en: 'Q' }),
    template: template('t', { en: '{options}' }),
    language: 'en',
    optionOrder: 'reversed',
  }).labels;
  assert.equal(summarize({ '1': 0.1, '2': 0.2, '3': 0.3, '4': 0.4 }, labelled).mode, 4);
});

test('a labels array scored again, after it grew, and the same tokens again give what fresh copies give', () => {
  const alternatives = [
    { token: ' a', logprob: Math.log(0.4) },
    { token: 'B', logprob: Math.log(0.3) },
    { token: 'c', logprob: Math.log(0.2) },
  ];
  const labels: OptionLabel[] = [
    { label: 'A', code: 1, score: 1 },
    { label: 'B', code: 2, score: 2 },
  ];
  const fresh = (): OptionLabel[] => labels.map((l) => ({ ...l }));
  assert.deepEqual(distributionFromLogprobs(alternatives, labels), distributionFromLogprobs(alternatives, fresh()));
  assert.deepEqual(distributionFromLogprobs(alternatives, labels), distributionFromLogprobs([...alternatives], fresh()), 'the same again');
  labels.push({ label: 'C', code: 3, score: 3 });
  const grown = distributionFromLogprobs(alternatives, labels);
  assert.deepEqual(grown, distributionFromLogprobs(alternatives, fresh()));
  close(grown.probabilities['3'], 0.2 / 0.9, 1e-12);
});

test('summarize of one labels array again, and after it grew, equals that of a fresh copy', () => {
  const labels: OptionLabel[] = [
    { label: '2', code: 2, score: 2 },
    { label: '1', code: 1, score: 1 },
  ];
  const p = { '1': 0.5, '2': 0.5, '3': 0.5 };
  assert.deepEqual(summarize(p, labels), { mean: 1.5, mode: 1, entropy: Math.log(2) });
  assert.deepEqual(
    summarize(p, labels),
    summarize(
      p,
      labels.map((l) => ({ ...l })),
    ),
  );
  labels.push({ label: '3', code: 3, score: 3 });
  assert.deepEqual(
    summarize(p, labels),
    summarize(
      p,
      labels.map((l) => ({ ...l })),
    ),
  );
  assert.equal(summarize(p, labels).mean, 2);
});
