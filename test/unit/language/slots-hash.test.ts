import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findSlots, itemHash, parseSurvey } from '../../../src/core/language/index';

test('findSlots: offsets and lengths, {{ }} escapes, no slot without a closing brace', () => {
  assert.deepEqual(findSlots('Q: {question}\n{options}'), [
    { name: 'question', offset: 3, length: 10 },
    { name: 'options', offset: 14, length: 9 },
  ]);
  assert.deepEqual(findSlots('{{question}} {{{topic}}}'), [{ name: 'topic', offset: 15, length: 7 }]);
  assert.deepEqual(findSlots('{ question } {unclosed {a{country}'), [{ name: 'country', offset: 25, length: 9 }]);
  assert.deepEqual(findSlots('{Unknown_1}'), [{ name: 'Unknown_1', offset: 0, length: 11 }]);
  assert.deepEqual(findSlots(''), []);
});

test('findSlots is linear on hostile input (long runs of braces)', () => {
  const hostile = '{'.repeat(200_000) + 'a'.repeat(200_000);
  const started = performance.now();
  assert.deepEqual(findSlots(hostile), []);
  assert.deepEqual(findSlots('{a'.repeat(200_000)), []);
  assert.ok(performance.now() - started < 2000);
});

const BASE = `scale s 1..2
  en: Yes | No
item Q1 "Title"
  category: progress
  scale: s
  topic en: family
  en: Is family important?
  da[mt]: Er familien vigtig?
`;

function hashOf(text: string, id = 'Q1'): string {
  const item = parseSurvey(text).items.find((i) => i.id === id);
  assert.ok(item);
  return itemHash(item);
}

test('itemHash is short hex, stable, and ignores ids, titles, categories, notes, comments and [mt]', () => {
  const base = hashOf(BASE);
  assert.match(base, /^[0-9a-f]{16}$/);
  assert.equal(hashOf(BASE), base);
  assert.equal(hashOf(BASE.replace('item Q1 "Title"', 'item Q9 "Other"'), 'Q9'), base);
  assert.equal(hashOf(BASE.replace('progress', 'social systems')), base);
  assert.equal(hashOf(BASE.replace('da[mt]:', 'da:')), base);
  assert.equal(hashOf(`${BASE}  note: a note   # and a comment\n`), base);
  // Order of lines does not matter.
  assert.equal(
    hashOf(
      BASE.replace(
        '  en: Is family important?\n  da[mt]: Er familien vigtig?\n',
        '  da[mt]: Er familien vigtig?\n  en: Is family important?\n',
      ),
    ),
    base,
  );
});

test('itemHash changes with wording, topics and scale options', () => {
  const base = hashOf(BASE);
  const variants = [
    BASE.replace('Is family important?', 'Is family very important?'),
    BASE.replace('topic en: family', 'topic en: families'),
    BASE.replace('en: Yes | No', 'en: Yes | Nope'),
    BASE.replace('1..2', '0..1'),
    BASE.replace('scale s 1..2', 'scale s 1..2 reversed'),
    `${BASE}  nl: Is familie belangrijk?\n`,
  ];
  const hashes = variants.map((text) => hashOf(text));
  for (const hash of hashes) assert.notEqual(hash, base);
  assert.equal(new Set(hashes).size, hashes.length);
});

test('one slot grammar: a name the parser accepts is one both fillers fill, and one it rejects neither fills', async () => {
  const { isSlotName } = await import('../../../src/core/language/slots');
  const { fillSlots } = await import('../../../src/core/prompt/render');
  const { fillAuthoringSlots } = await import('../../../src/core/authoring/prompts');
  const { parseTemplates } = await import('../../../src/core/language/index');
  for (const name of ['foo-bar', 'Topic', '_x', 'a1']) {
    assert.ok(isSlotName(name), name);
    const header = parseTemplates(`slots ${name}\n`).diagnostics.filter((d) => d.severity === 'error');
    assert.deepEqual(header, [], `slots ${name}`);
    assert.equal(fillSlots(`<{${name}}>`, { [name]: 'v' }), '<v>', `render {${name}}`);
    assert.equal(fillAuthoringSlots(`<{${name}}>`, { [name]: 'v' }), '<v>', `authoring {${name}}`);
  }
  for (const name of ['1a', '-x', 'a b']) {
    assert.ok(!isSlotName(name), name);
    if (!name.includes(' '))
      assert.ok(
        parseTemplates(`slots ${name}\n`).diagnostics.some((d) => d.severity === 'error'),
        `slots ${name}`,
      );
    assert.equal(fillSlots(`<{${name}}>`, { [name]: 'v' }), `<{${name}}>`);
    assert.equal(fillAuthoringSlots(`<{${name}}>`, { [name]: 'v' }), `<{${name}}>`);
  }
});

test('neverThrow: a parser that throws gives the fallback file with one internal error at 1:1', async () => {
  const { neverThrow } = await import('../../../src/core/language/scan');
  const boom = (): never => {
    throw new Error('bug');
  };
  const file = neverThrow(boom, 'text', (d) => ({ diagnostics: [d] }), 'wvs/internal');
  assert.deepEqual(file.diagnostics, [
    {
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      severity: 'error',
      code: 'wvs/internal',
      message: 'Parser failure: Error: bug',
    },
  ]);
  assert.deepEqual(
    neverThrow(
      (t) => ({ diagnostics: [], t }),
      42 as unknown as string,
      () => ({ diagnostics: [], t: '' }),
      'x',
    ),
    { diagnostics: [], t: '42' },
    'a non-string is read as its text',
  );
});
