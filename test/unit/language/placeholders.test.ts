// Issue 19: a placeholder translation ("TODO translate", what the quick fix inserts) is a warning and is
// never scored; a language tag the header does not declare is a warning with a "did you mean"; an `item`
// line without an id does not hide the errors in the lines below it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSurvey, parseTemplates } from '../../../src/core/language/index';
import { isPlaceholder, suggestLanguage } from '../../../src/core/language/placeholders';
import { buildPlan } from '../../../src/core/run/plan';
import { quickFixes } from '../../../src/core/language/services/quickfix';

const SURVEY = `languages en da
scale agree 1..2
  en: Agree | Disagree
  da: Enig | Uenig

item Q1 "Family"
  scale: agree
  en: Is family important?
  da: TODO translate

item Q2 "Work"
  scale: agree
  en: Is work important?
  da: Er arbejde vigtigt?
`;

const TEMPLATES = `template direct
  en: {question} {options} Answer with a number.
  da: {question} {options} Svar med et tal.
`;

const codes = (text: string): string[] => parseSurvey(text).diagnostics.map((d) => d.code);

test('isPlaceholder: to-do markers are placeholders, real wording (even "Todo el mundo") is not', () => {
  for (const text of ['TODO translate', 'TODO', 'TODO: translate this', 'TBD', 'FIXME later', '???', '…', '...'])
    assert.ok(isPlaceholder(text), text);
  for (const text of ['Todo el mundo debería…', 'Is family important?', 'Er arbejde vigtigt?', 'TODOS los días', '3'])
    assert.ok(!isPlaceholder(text), text);
});

test('a placeholder wording is a warning at its value, with the language', () => {
  const survey = parseSurvey(SURVEY);
  const found = survey.diagnostics.filter((d) => d.code === 'wvs/placeholder-text');
  assert.equal(found.length, 1);
  assert.equal(found[0]!.severity, 'warning');
  assert.deepEqual([found[0]!.range.start.line, found[0]!.range.start.character], [8, 6]);
  assert.equal(found[0]!.data?.language, 'da');
  assert.match(found[0]!.message, /Placeholder in the wording of item Q1 \('da'\)/);
});

test('placeholder scale labels are a warning too', () => {
  const text = SURVEY.replace('da: Enig | Uenig', 'da[mt]: TODO translate | TODO translate');
  assert.ok(parseSurvey(text).diagnostics.some((d) => d.code === 'wvs/placeholder-text' && d.range.start.line === 3));
});

test('the plan skips a placeholder with the reason and scores the rest', () => {
  const survey = parseSurvey(SURVEY);
  const plan = buildPlan({
    survey,
    templates: parseTemplates(TEMPLATES),
    template: 'direct',
    paraphrases: 'none',
    models: [{ provider: 'ollama', endpoint: 'http://127.0.0.1:11434', model: 'm' }],
    method: 'logprobs',
    samples: 1,
    temperature: 0,
    seed: 1,
  });
  const byCondition = new Map(plan.map((r) => [`${r.identity.itemId} ${r.identity.language}`, r]));
  const skipped = byCondition.get('Q1 da')!;
  assert.equal(skipped.skip?.kind, 'skipped');
  assert.match(skipped.skip!.message, /the wording of item Q1 in "da" is a placeholder/);
  assert.equal(skipped.messages.length, 0, 'nothing to send');
  for (const key of ['Q1 en', 'Q2 en', 'Q2 da']) assert.equal(byCondition.get(key)!.skip, undefined, key);
});

test('the plan skips placeholder scale labels and placeholder template text', () => {
  const models = [{ provider: 'ollama' as const, endpoint: 'http://127.0.0.1:11434', model: 'm' }];
  const base = {
    template: 'direct',
    paraphrases: 'none' as const,
    models,
    method: 'logprobs' as const,
    samples: 1,
    temperature: 0,
    seed: 1,
    itemIds: ['Q2'],
    languages: ['da'],
  };
  const labels = buildPlan({
    ...base,
    survey: parseSurvey(SURVEY.replace('da: Enig | Uenig', 'da[mt]: TODO translate | TODO translate')),
    templates: parseTemplates(TEMPLATES),
  });
  assert.match(labels[0]!.skip?.message ?? '', /a label of scale agree in "da" is a placeholder/);
  const template = buildPlan({
    ...base,
    survey: parseSurvey(SURVEY),
    templates: parseTemplates(TEMPLATES.replace('da: {question} {options} Svar med et tal.', 'da[mt]: TODO translate')),
  });
  assert.match(template[0]!.skip?.message ?? '', /template direct in "da" is a placeholder/);
});

test('the quick fix stub parses as a placeholder marked [mt], for items and templates', () => {
  const text = SURVEY.replace('  da: TODO translate\n', '');
  const survey = parseSurvey(text);
  const missing = survey.diagnostics.find((d) => d.code === 'wvs/missing-translation' && d.data?.id === 'Q1')!;
  const [fix] = quickFixes(text, survey, missing);
  assert.match(fix!.edits[0]!.newText, /^\n {2}da\[mt\]: TODO translate$/);
});

test('an undeclared language tag is a warning on the tag, with "did you mean" for a country code or a typo', () => {
  const text = SURVEY.replace('  da: Er arbejde vigtigt?', '  dk: Er arbejde vigtigt?\n  xx: bonjour\n  topic dq[mt]: arbejde');
  const survey = parseSurvey(text);
  const found = survey.diagnostics.filter((d) => d.code === 'wvs/undeclared-language');
  assert.deepEqual(
    found.map((d) => [d.data?.language, d.data?.suggestion, d.range.start.line, d.range.start.character, d.range.end.character]),
    [
      ['dk', 'da', 13, 2, 4],
      ['xx', undefined, 14, 2, 4],
      ['dq', 'da', 15, 8, 10],
    ],
  );
  assert.match(
    found[0]!.message,
    /Language 'dk' in item Q2 is not declared in the header \(languages en da\): it is never scored; did you mean 'da'\?/,
  );
  assert.match(found[1]!.message, /add it to the 'languages' header/);
  // The file without the typos has no such warning (the check is not noise).
  assert.ok(!codes(SURVEY).includes('wvs/undeclared-language'));
  // Scale label lines are checked too.
  assert.ok(codes(SURVEY.replace('  da: Enig | Uenig', '  dk: Enig | Uenig')).includes('wvs/undeclared-language'));
});

test('suggestLanguage: only among declared codes, and not when two are equally close', () => {
  assert.equal(suggestLanguage('dk', ['en', 'da']), 'da');
  assert.equal(suggestLanguage('dk', ['en']), undefined);
  assert.equal(suggestLanguage('nk', ['nl', 'en']), 'nl');
  assert.equal(suggestLanguage('ex', ['en', 'es']), undefined);
});

test('an item line without an id does not swallow its block: the unknown scale and broken lines are reported', () => {
  const text = `languages en
item
  scale: nosuch
  en: A question
  this is broken
  xx: bonjour

item Q2
  scale: nosuch2
  en: Another
`;
  const survey = parseSurvey(text);
  const lines = (code: string): number[] => survey.diagnostics.filter((d) => d.code === code).map((d) => d.range.start.line);
  assert.deepEqual(lines('wvs/syntax'), [1, 4]);
  assert.deepEqual(lines('wvs/unknown-scale'), [2, 8]);
  assert.deepEqual(lines('wvs/undeclared-language'), [5]);
  // It is not an item: nothing can be scored or referred to by it.
  assert.deepEqual(
    survey.items.map((i) => i.id),
    ['Q2'],
  );
});

test('a placeholder template text is a warning in .wvt files', () => {
  const file = parseTemplates(TEMPLATES.replace('da: {question} {options} Svar med et tal.', 'da[mt]: TODO translate'));
  const found = file.diagnostics.filter((d) => d.code === 'wvt/placeholder-text');
  assert.deepEqual(
    found.map((d) => [d.severity, d.range.start.line, d.data?.language]),
    [['warning', 2, 'da']],
  );
  assert.ok(!parseTemplates(TEMPLATES).diagnostics.some((d) => d.code === 'wvt/placeholder-text'));
});
