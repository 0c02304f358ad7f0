import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTemplates } from '../../../src/core/language/index';
import { codes, textAt, withCode } from './helpers';

const VALID = `# templates
template direct
  system en: You are answering a public opinion survey.
  system da[mt]: Du besvarer en offentlig meningsmåling.
  en: |
    {question}
    {options}
    Answer with the number of one option only.
  da[mt]: |
    {question}
    {options}
    Svar kun med nummeret på én mulighed.

template interviews
  en: Person A asks 10 citizens about {topic}.
  da: Person A spørger 10 borgere om {topic}.

paraphrases direct
  en:
    - {question} {options} Reply with the number only.
    - |
      Here is a question.
      {question}
      {options}
    - Literal {{braces}} stay: {question} {options}

paraphrases interview-variants of interviews
  en:
    - Ten citizens talk about {topic}.
  da[mt]:
    - Ti borgere taler om {topic}.
`;

test('a valid .wvt file gives templates and paraphrase sets and no diagnostics', () => {
  const file = parseTemplates(VALID);
  assert.deepEqual(file.diagnostics, []);
  assert.equal(file.kind, 'templates');
  assert.deepEqual(
    file.templates.map((t) => t.name),
    ['direct', 'interviews'],
  );
  const direct = file.templates[0];
  assert.equal(direct.system.en.value, 'You are answering a public opinion survey.');
  assert.equal(direct.system.da.machineTranslated, true);
  assert.equal(direct.user.en.value, '{question}\n{options}\nAnswer with the number of one option only.');
  assert.equal(direct.user.da.value, '{question}\n{options}\nSvar kun med nummeret på én mulighed.');
  assert.deepEqual(
    file.paraphraseSets.map((s) => [s.name, s.templateName]),
    [
      ['direct', 'direct'],
      ['interview-variants', 'interviews'],
    ],
  );
  const variants = file.paraphraseSets[0].variants.en.map((v) => v.value);
  assert.deepEqual(variants, [
    '{question} {options} Reply with the number only.',
    'Here is a question.\n{question}\n{options}',
    'Literal {{braces}} stay: {question} {options}',
  ]);
  assert.equal(file.paraphraseSets[1].variants.da[0].machineTranslated, true);
  assert.equal(file.languages, undefined);
});

test('template ranges are exact', () => {
  const file = parseTemplates(VALID);
  const direct = file.templates[0];
  assert.equal(textAt(VALID, direct.nameRange), 'direct');
  assert.deepEqual(direct.range, { start: { line: 1, character: 0 }, end: { line: 11, character: 41 } });
  assert.deepEqual(direct.user.en.range, { start: { line: 4, character: 6 }, end: { line: 7, character: 46 } });
  assert.equal(textAt(VALID, direct.system.en.range), 'You are answering a public opinion survey.');
  const block = file.paraphraseSets[0].variants.en[1];
  assert.deepEqual(block.range, { start: { line: 20, character: 6 }, end: { line: 23, character: 15 } });
  const set = file.paraphraseSets[1];
  assert.equal(textAt(VALID, set.nameRange), 'interview-variants');
  assert.equal(set.range.end.line, 30);
});

test('unknown-slot: exact range, also inside | blocks; {{ }} and known slots are fine', () => {
  const text = 'template t\n  en: |\n    {question}\n    Pick from {opitons} now.\n';
  const file = parseTemplates(text);
  const [d] = withCode(file.diagnostics, 'wvt/unknown-slot');
  assert.equal(d.severity, 'error');
  assert.deepEqual(d.range, { start: { line: 3, character: 14 }, end: { line: 3, character: 23 } });
  assert.equal(textAt(text, d.range), '{opitons}');
  assert.equal(d.data?.slot, 'opitons');
  const paraphrase = parseTemplates('template t\n  en: {question}\nparaphrases t\n  en:\n    - Say {what} {question}\n');
  assert.equal(withCode(paraphrase.diagnostics, 'wvt/unknown-slot').length, 1);
  assert.deepEqual(parseTemplates('template t\n  en: {{literal}} {question} {options} {country} {topic} {language}\n').diagnostics, []);
});

test('slot-lost: across languages of a template and between a template and its paraphrases', () => {
  const languages = parseTemplates('template t\n  en: {question} {options} in {country}\n  da: {question} {options}\n');
  const [d] = withCode(languages.diagnostics, 'wvt/slot-lost');
  assert.equal(d.severity, 'warning');
  assert.equal(d.range.start.line, 2);
  assert.deepEqual(d.data, { slot: 'country', language: 'da' });
  const system = parseTemplates(
    'template t\n  system en: Live in {country}.\n  system da: Bo i et land.\n  en: {question}\n  da: {question}\n',
  );
  assert.deepEqual(
    withCode(system.diagnostics, 'wvt/slot-lost').map((x) => x.data?.slot),
    ['country'],
  );
  const paraphrases = parseTemplates(
    'template t\n  en: {question} {topic}\nparaphrases t\n  en:\n    - {question} keeps both {topic}\n    - {question} only\n',
  );
  const lost = withCode(paraphrases.diagnostics, 'wvt/slot-lost');
  assert.equal(lost.length, 1);
  assert.deepEqual(lost[0].data, { slot: 'topic', language: 'en', index: 1 });
  assert.equal(lost[0].range.start.line, 5);
  assert.deepEqual(parseTemplates('template t\n  en: {question} {topic}\n  da: {topic} {question}\n').diagnostics, []);
});

test('english-scaffolding: English instruction words in a non-English text, not in slots or English', () => {
  const text =
    'template t\n  en: {question} Answer with the number only.\n  da: {question} Svar med nummeret. Answer only!\n  nl: {question} {options} Antwoord alleen met het nummer.\n';
  const file = parseTemplates(text);
  const hits = withCode(file.diagnostics, 'wvt/english-scaffolding');
  assert.deepEqual(
    hits.map((d) => d.data?.word),
    ['answer', 'only'],
  );
  assert.ok(hits.every((d) => d.severity === 'warning' && d.data?.language === 'da'));
  assert.equal(textAt(text, hits[0].range), 'Answer');
  // Slot names are English by design; Danish "option" is a Danish word; Portuguese/Dutch text is clean.
  const clean = parseTemplates(
    'template t\n  da: {question} {options} Vælg en option.\n  pt: {question} {options} Responda apenas com o número da opção.\n  nl: {question} {options} Geef het nummer van de optie.\n',
  );
  assert.deepEqual(withCode(clean.diagnostics, 'wvt/english-scaffolding'), []);
  const declared = parseTemplates('slots which_one\ntemplate t\n  da: {which_one} {question}\n');
  assert.deepEqual(declared.diagnostics, [], 'words inside slots, also declared ones with _, are not flagged');
  const paraphrase = parseTemplates('template t\n  pt: {question}\nparaphrases t\n  pt:\n    - {question} Please responda.\n');
  assert.deepEqual(
    withCode(paraphrase.diagnostics, 'wvt/english-scaffolding').map((d) => d.data?.word),
    ['please'],
  );
});

test('missing-translation: against the languages header, or the languages other templates use', () => {
  const header = parseTemplates('languages en da nl\ntemplate t\n  en: {question}\n  da: {question}\n');
  const [d] = withCode(header.diagnostics, 'wvt/missing-translation');
  assert.equal(d.severity, 'warning');
  assert.deepEqual(d.data, { language: 'nl', template: 't' });
  assert.deepEqual(header.templates[0].nameRange, d.range);
  assert.deepEqual(
    header.languages?.map((l) => l.value),
    ['en', 'da', 'nl'],
  );
  const union = parseTemplates('template a\n  en: {question}\n  pt: {question}\ntemplate b\n  en: {question}\n');
  assert.deepEqual(
    withCode(union.diagnostics, 'wvt/missing-translation').map((x) => [x.data?.template, x.data?.language]),
    [['b', 'pt']],
  );
  assert.deepEqual(parseTemplates('template a\n  en: {question}\n').diagnostics, []);
});

test('duplicate-id for templates and for paraphrase sets; a set may share its template name', () => {
  const file = parseTemplates('template t\n  en: x\ntemplate t\n  en: y\nparaphrases t\n  en:\n    - x\nparaphrases t\n  en:\n    - y\n');
  const dups = withCode(file.diagnostics, 'wvt/duplicate-id');
  assert.deepEqual(
    dups.map((d) => d.range.start.line),
    [2, 7],
  );
  assert.deepEqual(withCode(parseTemplates('template t\n  en: x\nparaphrases t\n  en:\n    - x\n').diagnostics, 'wvt/duplicate-id'), []);
});

test('unknown-template for a set whose template is not declared', () => {
  const file = parseTemplates('template t\n  en: x\nparaphrases p of nope\n  en:\n    - x\nparaphrases q\n  en:\n    - x\n');
  const unknown = withCode(file.diagnostics, 'wvt/unknown-template');
  assert.deepEqual(
    unknown.map((d) => d.data?.name),
    ['nope', 'q'],
  );
  assert.deepEqual(unknown[0].range, { start: { line: 2, character: 17 }, end: { line: 2, character: 21 } });
});

test('a duplicate part written as a | block is reported on its own line (found by the fuzz test)', () => {
  const text = 'template t\n  da: x\n  da: |\n    y\n    z\n';
  const [d] = withCode(parseTemplates(text).diagnostics, 'wvt/duplicate-property');
  assert.deepEqual(d.range, { start: { line: 2, character: 2 }, end: { line: 2, character: 4 } });
});

test('templates without a user part (missing-text) and duplicate parts', () => {
  const file = parseTemplates('template t\n  system en: only a system part\ntemplate u\n  en: a\n  en: b\n');
  assert.deepEqual(codes(file.diagnostics).sort(), ['wvt/duplicate-property', 'wvt/missing-text']);
  assert.equal(file.templates[1].user.en.value, 'a');
});

test('syntax errors with recovery: garbage between valid blocks keeps the blocks', () => {
  const text = [
    'template a',
    '  en: {question}',
    '  ??? no colon here',
    'random garbage line',
    '  indented: under garbage',
    'template b',
    '  xx yy zz qq: too many words',
    '  en: |',
    'paraphrases a of',
    '  - entry before a language',
    '  en: inline text is not a list',
    '  en:',
    '    -no space after dash',
    '    - good {question}',
    'template',
    'template c',
    '  en: {question}',
  ].join('\n');
  const file = parseTemplates(text);
  assert.deepEqual(
    file.templates.map((t) => t.name),
    ['a', 'b', 'c'],
  );
  assert.equal(file.templates[2].user.en.value, '{question}');
  assert.deepEqual(
    file.paraphraseSets[0].variants.en.map((v) => v.value),
    ['good {question}'],
  );
  const syntax = withCode(file.diagnostics, 'wvt/syntax');
  assert.deepEqual(
    syntax.map((d) => d.range.start.line),
    [2, 3, 6, 7, 8, 9, 10, 12, 14],
  );
});

test('a block ends at the first line indented no deeper than its property; trailing blank lines are dropped', () => {
  const file = parseTemplates('template t\n  en: |\n      deep\n    less deep\n\n\n  system en: after\n');
  assert.equal(file.templates[0].user.en.value, '  deep\nless deep');
  assert.equal(file.templates[0].system.en.value, 'after');
  assert.deepEqual(file.diagnostics, []);
});
