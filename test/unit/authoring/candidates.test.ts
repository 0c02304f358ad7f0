import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCandidates } from '../../../src/core/authoring/candidates';
import { checkParaphrases, normaliseForComparison, slotProblem, slotSequence } from '../../../src/core/authoring/checks';
import { fillAuthoringSlots } from '../../../src/core/authoring/prompts';
import { formatParaphraseSet, formatTaggedText } from '../../../src/core/authoring/format';

test('numbered list with chatter and a code fence', () => {
  const output = [
    'Sure! Here are three paraphrases:',
    '```',
    '1. What do you think about {topic}?',
    '2) Tell me your view on {topic}.',
    '3. "How do you feel about {topic}?"',
    '```',
    'I hope these help.',
  ].join('\n');
  assert.deepEqual(parseCandidates(output), [
    'What do you think about {topic}?',
    'Tell me your view on {topic}.',
    'How do you feel about {topic}?',
  ]);
});

test('bullets, bold wrappers and continuation lines', () => {
  const output = '- **First {topic} idea**\n* Second idea about {topic}\n  that goes on\n• Third {topic}';
  assert.deepEqual(parseCandidates(output), ['First {topic} idea', 'Second idea about {topic} that goes on', 'Third {topic}']);
});

test('plain lines when there is no list marker', () => {
  assert.deepEqual(parseCandidates('One {topic}\n\nTwo {topic}\r\nThree {topic}'), ['One {topic}', 'Two {topic}', 'Three {topic}']);
});

test('garbage gives entries that the checks reject, never an exception', () => {
  const candidates = parseCandidates('\u0000\u0001 ]]]} {{{ 42');
  const verdicts = checkParaphrases('Opinion on {topic}', candidates);
  assert.ok(verdicts.every((v) => !v.ok));
});

test('slot names ignore escaped braces', () => {
  assert.deepEqual(slotSequence('{{literal}} {question} and {options}'), ['question', 'options']);
});

test('one slot grammar: a candidate that invents {foo-bar} fails the check, as it fails the parser', async () => {
  const { parseTemplates } = await import('../../../src/core/language/index');
  const invented = 'Q: {question} for {foo-bar}';
  assert.equal(slotProblem('Q: {question}', invented), 'new slot {foo-bar}');
  const parsed = parseTemplates(`template t\n  en: ${invented}\n`);
  assert.ok(
    parsed.diagnostics.some((d) => d.severity === 'error' && d.message.includes('foo-bar')),
    JSON.stringify(parsed.diagnostics),
  );
  assert.equal(slotProblem('{foo-bar} and {question}', '{question} with {foo-bar}'), undefined);
  assert.equal(normaliseForComparison('Ask {foo-bar}!'), 'ask {foo-bar}');
});

test('slot problems: lost, new, repeated', () => {
  assert.equal(slotProblem('{question} {options}', '{question}'), 'lost slot {options}');
  assert.equal(slotProblem('{topic}', '{topic} in {country}'), 'new slot {country}');
  assert.equal(slotProblem('{topic}', '{topic} and again {topic}'), 'slot count changed for {topic}');
  assert.equal(slotProblem('{topic} {question}', 'Q: {question} about {topic}'), undefined);
});

test('paraphrase checks: identical, duplicates (normalised), existing, accepted', () => {
  const verdicts = checkParaphrases(
    'What is your opinion on {topic}?',
    ['what is your opinion on {topic}', 'Your view on {topic}?', 'your VIEW on {topic}!', 'Known one {topic}', 'Say something'],
    ['Known one {topic}.'],
  );
  assert.deepEqual(
    verdicts.map((v) => [v.ok, v.reason]),
    [
      [false, 'identical to the original'],
      [true, undefined],
      [false, 'duplicate of another paraphrase'],
      [false, 'duplicate of another paraphrase'],
      [false, 'lost slot {topic}'],
    ],
  );
});

test('normalisation folds case, punctuation and whitespace but keeps slots', () => {
  assert.equal(normaliseForComparison('  Hello,   {topic}!! '), 'hello {topic}');
});

test('authoring slots are filled, unknown slots and escapes preserved', () => {
  assert.equal(fillAuthoringSlots('{count} x {text} {{topic}} {other}', { count: '3', text: 'T' }), '3 x T {topic} {other}');
});

test('formatting: paraphrase set and machine-translated block', () => {
  assert.equal(
    formatParaphraseSet('direct', 'direct', 'en', ['A {topic}', 'B {topic}']),
    'paraphrases direct\n  en:\n    - A {topic}\n    - B {topic}\n',
  );
  assert.equal(formatTaggedText('da', 'Linje et\nLinje to', '  ', true), '  da[mt]: |\n    Linje et\n    Linje to\n');
  assert.equal(formatTaggedText('nl', 'Een regel', '  ', false), '  nl: Een regel\n');
});

test('a paraphrase that starts like chatter but has a slot is kept; lead-in lines without slots are dropped', async () => {
  const output =
    'Here are the paraphrases:\n1. Here is a question about {topic}. {question}\n2. Sure, {question} works.\nLet me know if you need more.';
  assert.deepEqual(parseCandidates(output), ['Here is a question about {topic}. {question}', 'Sure, {question} works.']);
});

test('stripChatter keeps the text between a lead-in and a sign-off, unless the original starts that way', async () => {
  const { stripChatter } = await import('../../../src/core/authoring/candidates');
  assert.equal(
    stripChatter('Her er oversættelsen:\n\n{question}\nSvar.\n\nI hope this helps!', '{question}\nAnswer.'),
    '{question}\nSvar.',
  );
  assert.equal(stripChatter('Note: answer honestly.\n{question}', 'Note: be honest.\n{question}'), 'Note: answer honestly.\n{question}');
});

test('stripFence takes the first fenced block, tagged or not, closed or not', async () => {
  const { stripFence } = await import('../../../src/core/authoring/generate');
  assert.equal(stripFence('Sure:\n```translate\nHej {topic}\n```\nDone.'), 'Hej {topic}');
  assert.equal(stripFence('```\r\nHej\r\n```'), 'Hej');
  assert.equal(stripFence('```\nunclosed {topic}\n'), 'unclosed {topic}\n');
  assert.equal(stripFence('no fence'), 'no fence');
});

test("a '#' in a candidate is rejected: it would start a comment in the file", () => {
  const [verdict] = checkParaphrases('{topic}', ['Question #1 about {topic}']);
  assert.equal(verdict.ok, false);
  assert.match(verdict.reason ?? '', /contains '#'/);
});

test('multi-line entries keep their line breaks when asked (paraphrasing a multi-line template)', () => {
  const output = '1. {question}\n   {options}\n   Reply with one number.\n2. Please answer:  {question}\n{options}';
  assert.deepEqual(parseCandidates(output, { keepLineBreaks: true }), [
    '{question}\n{options}\nReply with one number.',
    'Please answer: {question}\n{options}',
  ]);
  assert.deepEqual(parseCandidates(output), ['{question} {options} Reply with one number.', 'Please answer: {question} {options}']);
});
