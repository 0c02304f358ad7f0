// The `slots` header of .wvt files, and the authoring prompts file that uses it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseTemplates } from '../../../src/core/language';
import { DEFAULT_AUTHORING_PROMPTS, loadAuthoringPrompts } from '../../../src/core/authoring/prompts';

const codes = (text: string): string[] => parseTemplates(text).diagnostics.map((d) => d.code);

test('slots header: declared names are allowed slots, undeclared ones still unknown', () => {
  const body = 'template t\n  en: Translate {text} into {language}, not {other}.\n';
  assert.deepEqual(codes(body).filter((c) => c === 'wvt/unknown-slot').length, 2);
  const file = parseTemplates(`slots text count\n${body}`);
  const unknown = file.diagnostics.filter((d) => d.code === 'wvt/unknown-slot');
  assert.deepEqual(
    unknown.map((d) => d.data?.slot),
    ['other'],
  );
  assert.deepEqual(
    file.slots?.map((s) => s.value),
    ['text', 'count'],
  );
  assert.deepEqual(file.slots?.[1].range, { start: { line: 0, character: 11 }, end: { line: 0, character: 16 } });
});

test('slots header: bad names, duplicates and an empty line are diagnosed', () => {
  const file = parseTemplates('slots\nslots a a {b}\ntemplate t\n  en: {a}\n');
  assert.deepEqual(
    file.diagnostics.map((d) => [d.code, d.range.start.line]),
    [
      ['wvt/syntax', 0],
      ['wvt/duplicate-property', 1],
      ['wvt/syntax', 1],
    ],
  );
});

test('slots header: declared slots take part in the slot-lost checks', () => {
  const file = parseTemplates(
    'slots text\ntemplate t\n  en: Say {text}\n  da: Sig noget\nparaphrases t\n  en:\n    - Please say {text}\n    - Say it\n',
  );
  const lost = file.diagnostics.filter((d) => d.code === 'wvt/slot-lost');
  assert.deepEqual(
    lost.map((d) => [d.data?.slot, d.data?.language]),
    [
      ['text', 'da'],
      ['text', 'en'],
    ],
  );
});

test('the shipped templates/authoring.wvt parses with no diagnostics and loads as the built-in prompts', () => {
  const file = parseTemplates(readFileSync('templates/authoring.wvt', 'utf8'));
  assert.deepEqual(file.diagnostics, []);
  const loaded = loadAuthoringPrompts(file);
  assert.deepEqual(loaded.problems, []);
  assert.deepEqual(loaded.prompts, DEFAULT_AUTHORING_PROMPTS);
});

test('loader: a missing template falls back to the built-in one and says so; a user edit is used', () => {
  const loaded = loadAuthoringPrompts(parseTemplates('slots text language\ntemplate translate\n  en: Into {language}: {text}\n'));
  assert.deepEqual(loaded.prompts.translate, { user: 'Into {language}: {text}' });
  assert.deepEqual(loaded.prompts.paraphrase, DEFAULT_AUTHORING_PROMPTS.paraphrase);
  assert.deepEqual(loaded.problems, ['no template paraphrase: using the built-in prompt']);
  const noText = loadAuthoringPrompts(parseTemplates('slots language\ntemplate paraphrase\n  en: Paraphrase in {language}\n'));
  assert.match(noText.problems.join('\n'), /template paraphrase has no \{text\} slot/);
});
