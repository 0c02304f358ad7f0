import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderPrompt, fillSlots, languageName, RenderError } from '../../../src/core/prompt/render';
import { labelAt, labelsFor } from '../../../src/core/prompt/labels';
import { orderCodes } from '../../../src/core/prompt/order';
import { IMPORTANCE, JUSTIFIABLE, INCOMES, item, template, numericScale } from '../../support/ast-fixtures';

const family = item(
  'Q1',
  IMPORTANCE,
  { en: 'How important is family in your life?', da: 'Hvor vigtig er familien i dit liv?' },
  { title: 'Family', topics: { da: 'familie' } },
);
const direct = template(
  'direct',
  { en: '{question}\n{options}\nAnswer with the number only.', da: 'Emne: {topic} ({language})\n{question}\n{options}' },
  { en: 'You are a survey respondent in {country}.' },
);

test('renders system + user with options one per line, digit labels for 4 options', () => {
  const r = renderPrompt({ item: family, template: direct, language: 'en', country: 'Denmark' });
  assert.deepEqual(r.messages, [
    { role: 'system', content: 'You are a survey respondent in Denmark.' },
    {
      role: 'user',
      content:
        'How important is family in your life?\n1. Very important\n2. Rather important\n3. Not very important\n4. Not at all important\nAnswer with the number only.',
    },
  ]);
  assert.deepEqual(r.optionOrder, [1, 2, 3, 4]);
  assert.deepEqual(
    r.labels.map((l) => [l.label, l.code, l.score]),
    [
      ['1', 1, 1],
      ['2', 2, 2],
      ['3', 3, 3],
      ['4', 4, 4],
    ],
  );
});

test('topic and language slots use the item topic and the language name in that language; no system part in da', () => {
  const r = renderPrompt({ item: family, template: direct, language: 'da' });
  assert.equal(r.messages.length, 1);
  assert.equal(
    r.messages[0].content,
    'Emne: familie (dansk)\nHvor vigtig er familien i dit liv?\n1. Meget vigtigt\n2. Ret vigtigt\n3. Ikke særlig vigtigt\n4. Slet ikke vigtigt',
  );
});

test('topic falls back to the title', () => {
  const t = template('t', { en: 'About {topic}: {question}' });
  const r = renderPrompt({ item: family, template: t, language: 'en' });
  assert.equal(r.messages[0].content, 'About Family: How important is family in your life?');
});

test('language names', () => {
  assert.equal(languageName('da'), 'dansk');
  assert.equal(languageName('nl'), 'Nederlands');
  assert.equal(languageName('pt'), 'português');
  assert.equal(languageName('en'), 'English');
});

test('literal braces and unknown slots', () => {
  assert.equal(fillSlots('{{x}} {question} }} {nope}', { question: 'Q' }), '{x} Q } {nope}');
  assert.throws(() => fillSlots('{country}', { country: undefined }), RenderError);
});

test('reversed order relabels by position and maps back to codes', () => {
  const r = renderPrompt({ item: family, template: direct, language: 'en', country: 'X', optionOrder: 'reversed' });
  assert.deepEqual(r.optionOrder, [4, 3, 2, 1]);
  assert.deepEqual(
    r.labels.map((l) => [l.label, l.code]),
    [
      ['1', 4],
      ['2', 3],
      ['3', 2],
      ['4', 1],
    ],
  );
  assert.match(
    r.messages[1].content,
    /^How important.*\n1\. Not at all important\n2\. Not very important\n3\. Rather important\n4\. Very important\n/,
  );
});

test('seeded shuffle is deterministic, a permutation, and differs between seeds', () => {
  const codes = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const a = orderCodes(codes, { seed: 42 });
  assert.deepEqual(orderCodes(codes, { seed: 42 }), a);
  assert.deepEqual(
    [...a].sort((x, y) => x - y),
    codes,
  );
  const orders = new Set([1, 2, 3, 4, 5].map((seed) => orderCodes(codes, { seed }).join(',')));
  assert.ok(orders.size >= 4, `expected distinct shuffles, got ${[...orders].join(' | ')}`);
  assert.notDeepEqual(a, codes);
});

test('10-point numeric scale: letters A–J, codes shown, end labels on the ends', () => {
  const q = item('F118', JUSTIFIABLE, { en: 'Homosexuality', da: 'Homoseksualitet' });
  const t = template('t', { en: '{question}\n{options}', da: '{question}\n{options}' });
  const r = renderPrompt({ item: q, template: t, language: 'en' });
  assert.deepEqual(
    r.labels.map((l) => l.label),
    ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J'],
  );
  assert.deepEqual(
    r.labels.map((l) => l.code),
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
  );
  const lines = r.messages[0].content.split('\n');
  assert.equal(lines[1], 'A. 1 (Never justifiable)');
  assert.equal(lines[2], 'B. 2');
  assert.equal(lines[10], 'J. 10 (Always justifiable)');
  const da = renderPrompt({ item: q, template: t, language: 'da', optionOrder: 'reversed' });
  const daLines = da.messages[0].content.split('\n');
  assert.equal(daLines[1], 'A. 10 (Altid i orden)');
  assert.equal(daLines[10], 'J. 1 (Aldrig i orden)');
});

test('reversed scale keeps mirrored scores on the labels', () => {
  const q = item('E035', INCOMES, { en: 'Incomes' });
  const r = renderPrompt({ item: q, template: template('t', { en: '{options}' }), language: 'en' });
  assert.deepEqual(
    r.labels.map((l) => l.score),
    [10, 9, 8, 7, 6, 5, 4, 3, 2, 1],
  );
});

test('short numeric scale with digit labels equal to codes shows no duplicate value', () => {
  const s = numericScale('s', 1, 5, { en: ['Disagree', 'Agree'] });
  const r = renderPrompt({ item: item('x', s, { en: 'Q' }), template: template('t', { en: '{options}' }), language: 'en' });
  assert.equal(r.messages[0].content, '1. Disagree\n2.\n3.\n4.\n5. Agree');
  const rev = renderPrompt({
    item: item('x', s, { en: 'Q' }),
    template: template('t', { en: '{options}' }),
    language: 'en',
    optionOrder: 'reversed',
  });
  assert.equal(rev.messages[0].content, '1. 5 (Agree)\n2. 4\n3. 3\n4. 2\n5. 1 (Disagree)');
});

test('paraphrase replaces the user part', () => {
  const r = renderPrompt({
    item: family,
    template: direct,
    language: 'en',
    country: 'US',
    paraphrase: { index: 2, text: 'Q: {question} Options:\n{options}' },
  });
  assert.equal(r.messages[0].content, 'You are a survey respondent in US.');
  assert.ok(r.messages[1].content.startsWith('Q: How important is family in your life? Options:\n1. Very important'));
});

test('missing wording, template part or country are errors, not silent fallbacks', () => {
  assert.throws(() => renderPrompt({ item: family, template: direct, language: 'nl' }), /no wording in "nl"/);
  const onlyEn = template('t', { en: '{question}' });
  assert.throws(() => renderPrompt({ item: family, template: onlyEn, language: 'da' }), /no "da" part/);
  assert.throws(() => renderPrompt({ item: family, template: direct, language: 'en' }), /\{country\}/);
});

test('label helpers', () => {
  assert.equal(labelAt(8, 9), '9');
  assert.equal(labelAt(9, 10), 'J');
  assert.equal(labelAt(25, 26), 'Z');
  assert.throws(() => labelAt(0, 27), RangeError);
  assert.throws(() => labelsFor(IMPORTANCE, [1, 2, 9]), RangeError);
});
