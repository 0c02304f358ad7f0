import { test } from 'node:test';
import assert from 'node:assert/strict';
import { distributionFromSamples, parseAnswer } from '../../../src/core/scoring/sample';
import { renderPrompt } from '../../../src/core/prompt/render';
import { IMPORTANCE, JUSTIFIABLE, item, template } from '../../support/ast-fixtures';

const t = template('t', { en: '{options}', da: '{options}', nl: '{options}', pt: '{options}' });
const imp = (optionOrder: 'original' | 'reversed' = 'original', language = 'en') =>
  renderPrompt({ item: item('Q1', IMPORTANCE, { en: 'Q', da: 'Q', nl: 'Q', pt: 'Q' }), template: t, language, optionOrder }).labels;
const just = renderPrompt({ item: item('F118', JUSTIFIABLE, { en: 'Q' }), template: t, language: 'en' }).labels;
const code = (text: string, labels = imp(), langs = ['en', 'da', 'nl', 'pt']) => {
  const r = parseAnswer(text, labels, langs);
  return r.kind === 'option' ? r.code : r.kind;
};

test('label at the start, with punctuation and markdown', () => {
  assert.equal(code('3'), 3);
  assert.equal(code('2.'), 2);
  assert.equal(code('**4** - Not at all important'), 4);
  assert.equal(code('(1) Very important'), 1);
  assert.equal(code('10'), 'unparseable', '10 is not a label of a 4-option scale');
});

test('answer keywords in four languages', () => {
  assert.equal(code('Answer: 3'), 3);
  assert.equal(code('My answer is 2 because family matters.'), 2);
  assert.equal(code('Svar: 4'), 4);
  assert.equal(code('Mijn antwoord is 1.'), 1);
  assert.equal(code('Antwoord: (2)'), 2);
  assert.equal(code('Resposta: 3'), 3);
  assert.equal(code('A minha resposta é 1'), 1);
  assert.equal(code("I'd say 2, since it matters."), 2);
  assert.equal(code('Jeg vil sige 3.'), 3);
  assert.equal(code('Ik zou zeggen: 4'), 4);
  assert.equal(code('Eu diria 1'), 1);
});

test('bracketed label anywhere; conflicting marks are unparseable', () => {
  assert.equal(code('I think (3) fits best'), 3);
  assert.equal(code('Either (1) or (2)'), 'unparseable');
});

test('the option wording itself, per language, longest match wins', () => {
  assert.equal(code('Not very important, I would say'), 3);
  assert.equal(code('Family is very important to me'), 1);
  assert.equal(code('Meget vigtigt'), 1);
  assert.equal(code('Ik vind het helemaal niet belangrijk'), 4);
  assert.equal(code('Diria que é bastante importante.'), 2);
  assert.equal(code('Very important or rather important'), 'unparseable');
});

test('reversed order: labels are positions, mapped back to codes', () => {
  const labels = imp('reversed');
  assert.equal(code('1', labels), 4);
  assert.equal(code('Answer: 4', labels), 1);
  assert.equal(code('Very important', labels), 1);
});

test('refusals in four languages', () => {
  assert.equal(code("I can't answer that as I don't have opinions."), 'refusal');
  assert.equal(code('As an AI, I have no personal views.'), 'refusal');
  assert.equal(code('Jeg kan ikke svare på det.'), 'refusal');
  assert.equal(code('Ik kan niet kiezen.'), 'refusal');
  assert.equal(code('Não posso responder a isso.'), 'refusal');
  assert.equal(code('Nao posso responder.'), 'refusal');
});

test('letter labels on a 10-point scale; "I"/"A" as words are not labels', () => {
  assert.equal(code('B', just), 2);
  assert.equal(code('j)', just), 10);
  assert.equal(code('Answer: C', just), 3);
  assert.equal(code('I cannot choose.', just), 'refusal');
  assert.equal(code('A difficult question.', just), 'unparseable');
  assert.equal(code('Answer: I think it depends', just), 'unparseable');
  assert.equal(code('7', just), 7, 'the scale value itself');
  assert.equal(code('Never justifiable', just), 1);
});

test('distributionFromSamples: shares over parsed answers, unparseable and refusal shares over all', () => {
  const d = distributionFromSamples(
    ['1', 'Answer: 1', '2', 'Svar: 3', 'Jeg kan ikke svare', 'hmm', '(1)', 'Meget vigtigt'],
    imp('original', 'da'),
    ['da'],
  );
  // parsed: 1,1,2,3,1,1 → 4/6, 1/6, 1/6, 0
  assert.deepEqual(d.probabilities, { '1': 4 / 6, '2': 1 / 6, '3': 1 / 6, '4': 0 });
  assert.equal(d.refusalShare, 1 / 8);
  assert.equal(d.unparseableShare, 1 / 8);
  const none = distributionFromSamples([], imp(), ['en']);
  assert.deepEqual(none, { probabilities: { '1': 0, '2': 0, '3': 0, '4': 0 }, unparseableShare: 0, refusalShare: 0 });
});
