import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSurvey } from '../../../src/core/language/index';
import { codes, textAt, withCode } from './helpers';

const VALID = `# a comment
survey "WVS-7 sample"
source "World Values Survey, wave 7"
languages en da

scale importance 1..4
  en: Very important | Rather important | Not very important | Not at all important
  da[mt]: Meget vigtigt | Ret vigtigt | Ikke særlig vigtigt | Slet ikke vigtigt
  missing: -1 "Don't know" | -2 "No answer"
  missing da: -1 "Ved ikke" | -2 "Intet svar"

scale incomes 1..10 numeric reversed
  en: More equal .. Larger differences
  da: Mere lige .. Større forskelle

item Q1 "Family"
  category: socio-cultural norms
  scale: importance
  key: A001                      # column in the reference data
  topic en: family
  en: How important is family in your life? Say #1 or "# not a comment"
  da[mt]: Hvor vigtig er familien i dit liv?
  note: |
    First line of the note.

    Third line, # verbatim.

item Q106 "Incomes"
  category: progress
  scale: incomes
  en: Incomes should be made more equal, or not?
  da: Skal indkomsterne gøres mere lige?
`;

test('a valid .wvs file gives header, scales, items and no diagnostics', () => {
  const file = parseSurvey(VALID);
  assert.deepEqual(file.diagnostics, []);
  assert.equal(file.kind, 'survey');
  assert.equal(file.header.title?.value, 'WVS-7 sample');
  assert.equal(file.header.source?.value, 'World Values Survey, wave 7');
  assert.deepEqual(
    file.header.languages.map((l) => l.value),
    ['en', 'da'],
  );
  assert.deepEqual(
    file.scales.map((s) => s.name),
    ['importance', 'incomes'],
  );
  assert.deepEqual(
    file.items.map((i) => i.id),
    ['Q1', 'Q106'],
  );

  const importance = file.scales[0];
  assert.equal(importance.kind, 'labelled');
  assert.deepEqual(
    importance.options.map((o) => [o.code, o.score]),
    [
      [1, 1],
      [2, 2],
      [3, 3],
      [4, 4],
    ],
  );
  assert.equal(importance.options[2].labels.da, 'Ikke særlig vigtigt');
  assert.equal(importance.labelLines.da.machineTranslated, true);
  assert.equal(importance.labelLines.en.machineTranslated, undefined);
  assert.deepEqual(
    importance.missing.map((m) => [m.code, m.labels]),
    [
      [-1, { en: "Don't know", da: 'Ved ikke' }],
      [-2, { en: 'No answer', da: 'Intet svar' }],
    ],
  );

  const item = file.items[0];
  assert.equal(item.title?.value, 'Family');
  assert.equal(item.category?.value, 'socio-cultural norms');
  assert.equal(item.dataKey?.value, 'A001', 'the trailing comment is cut');
  assert.equal(item.scale, importance, 'item resolves to the declared scale object');
  assert.equal(item.topics.en.value, 'family');
  assert.equal(item.texts.en.value, 'How important is family in your life? Say #1 or "# not a comment"');
  assert.equal(item.texts.da.machineTranslated, true);
  assert.equal(item.notes?.value, 'First line of the note.\n\nThird line, # verbatim.');
});

test('reversed numeric scale: end labels on the end options, score = min + max − code', () => {
  const incomes = parseSurvey(VALID).scales[1];
  assert.equal(incomes.kind, 'numeric');
  assert.equal(incomes.reversed, true);
  assert.equal(incomes.options.length, 10);
  assert.deepEqual(
    incomes.options.map((o) => o.score),
    [10, 9, 8, 7, 6, 5, 4, 3, 2, 1],
  );
  assert.deepEqual(incomes.options[0].labels, { en: 'More equal', da: 'Mere lige' });
  assert.deepEqual(incomes.options[9].labels, { en: 'Larger differences', da: 'Større forskelle' });
  assert.deepEqual(incomes.options[4].labels, {});
  const reversed = parseSurvey('scale r 0..4 reversed\n  en: a | b | c | d | e\n');
  assert.deepEqual(
    reversed.scales[0].options.map((o) => o.score),
    [4, 3, 2, 1, 0],
  );
});

test('ranges are exact (0-based lines and characters)', () => {
  const file = parseSurvey(VALID);
  const item = file.items[0];
  assert.deepEqual(item.idRange, { start: { line: 15, character: 5 }, end: { line: 15, character: 7 } });
  assert.equal(textAt(VALID, item.idRange), 'Q1');
  assert.equal(textAt(VALID, item.title!.range), 'Family');
  assert.equal(textAt(VALID, item.dataKey!.range), 'A001');
  assert.deepEqual(item.texts.da.range, { start: { line: 21, character: 10 }, end: { line: 21, character: 44 } });
  assert.equal(textAt(VALID, item.texts.da.range), 'Hvor vigtig er familien i dit liv?');
  // The item runs from its header to the last line of its note block.
  assert.deepEqual(item.range, { start: { line: 15, character: 0 }, end: { line: 25, character: 27 } });
  assert.equal(textAt(VALID, item.notes!.range).startsWith('|'), true);
  const scale = file.scales[0];
  assert.equal(textAt(VALID, scale.nameRange), 'importance');
  assert.deepEqual(scale.range, { start: { line: 5, character: 0 }, end: { line: 9, character: 45 } });
  assert.equal(textAt(VALID, scale.missing[0].range), `-1 "Don't know"`);
  assert.equal(textAt(VALID, file.header.languages[1].range), 'da');
});

test('CRLF and lone CR line breaks give the same lines and ranges as LF', () => {
  const lf = parseSurvey(VALID);
  for (const eol of ['\r\n', '\r']) {
    const other = parseSurvey(VALID.replace(/\n/g, eol));
    assert.deepEqual(other.diagnostics, []);
    assert.deepEqual(
      other.items.map((i) => [i.id, i.range, i.texts.en.range]),
      lf.items.map((i) => [i.id, i.range, i.texts.en.range]),
    );
    assert.equal(other.items[0].notes?.value, lf.items[0].notes?.value);
  }
});

const HEADER = 'languages en da\nscale s 1..2\n  en: Yes | No\n  da: Ja | Nej\n';

test('unknown-scale: error on the scale name; a declared scale is fine', () => {
  const bad = parseSurvey(`${HEADER}item Q1\n  scale: nope\n  en: a\n  da: b\n`);
  const [d] = withCode(bad.diagnostics, 'wvs/unknown-scale');
  assert.equal(d.severity, 'error');
  assert.deepEqual(d.range, { start: { line: 5, character: 9 }, end: { line: 5, character: 13 } });
  assert.equal(bad.items[0].scale, undefined);
  const good = parseSurvey(`${HEADER}item Q1\n  scale: s\n  en: a\n  da: b\n`);
  assert.deepEqual(good.diagnostics, []);
  // Declaration order does not matter.
  const later = parseSurvey(`languages en\nitem Q1\n  scale: s\n  en: a\nscale s 1..2\n  en: Yes | No\n`);
  assert.deepEqual(later.diagnostics, []);
  assert.equal(later.items[0].scale?.name, 's');
});

test('duplicate-id: items and scales', () => {
  const file = parseSurvey(
    `${HEADER}scale s 1..3\n  en: a | b | c\nitem Q1\n  scale: s\n  en: a\n  da: b\nitem Q1\n  scale: s\n  en: a\n  da: b\n`,
  );
  const dups = withCode(file.diagnostics, 'wvs/duplicate-id');
  assert.equal(dups.length, 2);
  assert.deepEqual(dups.map((d) => d.data?.id).sort(), ['Q1', 's']);
  const itemDup = dups.find((d) => d.data?.id === 'Q1')!;
  assert.equal(itemDup.range.start.line, 10, 'the second declaration is flagged');
  assert.equal(file.items[0].scale?.options.length, 2, 'items resolve to the first declaration');
  assert.equal(
    withCode(
      parseSurvey(`${HEADER}item Q1\n  scale: s\n  en: a\n  da: b\nitem Q2\n  scale: s\n  en: a\n  da: b\n`).diagnostics,
      'wvs/duplicate-id',
    ).length,
    0,
  );
});

test('missing-translation: warning per declared language, with data.language for the quick fix', () => {
  const file = parseSurvey(
    `languages en da nl\nscale s 1..2\n  en: Yes | No\n  da: Ja | Nej\n  nl: Ja | Nee\nitem Q1\n  scale: s\n  en: a\n`,
  );
  const missing = withCode(file.diagnostics, 'wvs/missing-translation');
  assert.deepEqual(
    missing.map((d) => d.data?.language),
    ['da', 'nl'],
  );
  assert.ok(missing.every((d) => d.severity === 'warning'));
  assert.deepEqual(missing[0].range, file.items[0].idRange);
  // Scale labels missing a declared language are reported too (on the scale).
  const scale = parseSurvey(`languages en da\nscale s 1..2\n  en: Yes | No\nitem Q1\n  scale: s\n  en: a\n  da: b\n`);
  assert.deepEqual(
    withCode(scale.diagnostics, 'wvs/missing-translation').map((d) => d.data?.scale),
    ['s'],
  );
  assert.deepEqual(parseSurvey(`${HEADER}item Q1\n  scale: s\n  en: a\n  da: b\n`).diagnostics, []);
  // Without a languages header nothing is "declared".
  assert.deepEqual(codes(parseSurvey(`scale s 1..2\n  en: Yes | No\nitem Q1\n  scale: s\n  en: a\n`).diagnostics), []);
});

test('option-count: labels must match MIN..MAX, in every language', () => {
  const file = parseSurvey(`languages en da\nscale s 1..4\n  en: a | b | c | d\n  da: a | b | c\nitem Q1\n  scale: s\n  en: x\n  da: y\n`);
  const [d] = withCode(file.diagnostics, 'wvs/option-count');
  assert.equal(d.severity, 'error');
  assert.equal(d.range.start.line, 3);
  assert.equal(d.data?.language, 'da');
  assert.match(d.message, /en: 4, da: 3/);
  // A labelled scale cannot use end labels; a numeric scale may use end labels or a full list.
  assert.equal(withCode(parseSurvey(`scale s 1..4\n  en: low .. high\n`).diagnostics, 'wvs/option-count').length, 1);
  assert.equal(
    withCode(parseSurvey(`scale s 1..3 numeric\n  en: low .. high\n  da: a | b | c\n`).diagnostics, 'wvs/option-count').length,
    0,
  );
  assert.equal(withCode(parseSurvey(`scale s 1..3 numeric\n  en: a | b\n`).diagnostics, 'wvs/option-count').length, 1);
});

test('reversed-without-labels: a reversed scale needs labels at both ends', () => {
  const bare = parseSurvey(`scale r 1..10 numeric reversed\n`);
  const [d] = withCode(bare.diagnostics, 'wvs/reversed-without-labels');
  assert.equal(d.severity, 'error');
  assert.deepEqual(d.range, { start: { line: 0, character: 22 }, end: { line: 0, character: 30 } }, 'points at the word reversed');
  assert.equal(
    withCode(parseSurvey(`scale r 1..10 numeric reversed\n  en: low .. high\n`).diagnostics, 'wvs/reversed-without-labels').length,
    0,
  );
  assert.equal(withCode(parseSurvey(`scale r 1..10 numeric\n`).diagnostics, 'wvs/reversed-without-labels').length, 0);
});

test('items without a scale (warning) or without any wording (error)', () => {
  const file = parseSurvey(`item Q1 "Only a title"\n  category: progress\n`);
  assert.deepEqual(codes(file.diagnostics).sort(), ['wvs/missing-scale', 'wvs/missing-text']);
  assert.equal(withCode(file.diagnostics, 'wvs/missing-scale')[0].severity, 'warning');
  assert.equal(withCode(file.diagnostics, 'wvs/missing-text')[0].severity, 'error');
});

test('duplicate properties are reported and the first one is kept', () => {
  const file = parseSurvey(`${HEADER}item Q1\n  scale: s\n  en: first\n  en: second\n  da: b\n`);
  const [d] = withCode(file.diagnostics, 'wvs/duplicate-property');
  assert.equal(d.range.start.line, 7);
  assert.equal(file.items[0].texts.en.value, 'first');
});

test('syntax errors: each bad line is reported once and the rest of the file is still read', () => {
  const text = [
    'languages en',
    'scale s 1..2',
    '  en: Yes | No',
    'garbage at the top level',
    '  orphan: property under garbage',
    'item Q1 "One"',
    '  scale: s',
    '  this line has no colon',
    '  en: first item',
    'scale broken 5',
    '  en: x | y',
    '@@@ !!! "unterminated',
    'item Q2 "Two"',
    '  scale: broken',
    '  en: second item',
    '  Wrongkey: value',
    'item',
    'item Q3',
    '  scale: s',
    '  en: third item',
  ].join('\n');
  const file = parseSurvey(text);
  assert.deepEqual(
    file.items.map((i) => i.id),
    ['Q1', 'Q2', 'Q3'],
  );
  assert.deepEqual(
    file.items.map((i) => i.texts.en?.value),
    ['first item', 'second item', 'third item'],
  );
  const syntax = withCode(file.diagnostics, 'wvs/syntax');
  assert.deepEqual(
    syntax.map((d) => d.range.start.line),
    [3, 7, 9, 11, 15, 16],
  );
  assert.ok(syntax.every((d) => d.severity === 'error'));
  assert.equal(textAt(text, syntax[0].range), 'garbage at the top level');
  // A scale with a broken header does not cascade into unknown-scale errors.
  assert.equal(withCode(file.diagnostics, 'wvs/unknown-scale').length, 0);
  assert.equal(file.items[0].scale?.name, 's');
});

test('a property that lost its indentation stays in its block', () => {
  const file = parseSurvey(`${HEADER}item Q1\n  scale: s\nen: unindented\n  da: b\n`);
  assert.equal(file.items[0].texts.en.value, 'unindented');
  assert.deepEqual(codes(file.diagnostics), ['wvs/syntax']);
});

test('bad headers, ranges and missing codes are reported', () => {
  const cases: [string, RegExp][] = [
    ['scale s 4..1\n', /ascending/],
    ['scale s 1..1000\n', /at most/],
    ['scale s 1..4 upside-down\n  en: a | b | c | d\n', /Unknown scale flag/],
    ['languages en EN\n', /not a language code/],
    ['survey\n', /needs a quoted text/],
    ['survey "unterminated\n', /closing quote/],
    ['scale s 1..2\n  en: a | b\n  missing: 1 "inside"\n', /inside the scale's range/],
    ['scale s 1..2\n  en: a | b\n  missing: x "no code"\n', /missing code/],
    ['scale s 1..2\n  en: a | | b\n', /Empty label/],
  ];
  for (const [text, message] of cases) {
    const file = parseSurvey(text);
    assert.ok(
      file.diagnostics.some((d) => d.code === 'wvs/syntax' && message.test(d.message)),
      `${JSON.stringify(text)} → ${JSON.stringify(file.diagnostics)}`,
    );
  }
});

test('missing codes: quoted labels may contain | and unquoted labels are accepted', () => {
  const file = parseSurvey(`scale s 1..2\n  en: a | b\n  missing: -1 "Either | or" | -2 No answer | -3 "Say \\"no\\""\n`);
  assert.deepEqual(file.diagnostics, []);
  assert.deepEqual(
    file.scales[0].missing.map((m) => [m.code, m.labels.en]),
    [
      [-1, 'Either | or'],
      [-2, 'No answer'],
      [-3, 'Say "no"'],
    ],
  );
});

test('empty and comment-only documents parse to empty files', () => {
  for (const text of ['', '\n\n', '# only a comment\n   # indented comment', '\uFEFF']) {
    const file = parseSurvey(text);
    assert.equal(file.items.length, 0);
    assert.deepEqual(file.diagnostics, []);
  }
});

test('a byte-order mark is skipped: positions count from after it, as in VS Code', () => {
  const file = parseSurvey(`\uFEFFsurvey "T"\n${HEADER}`);
  assert.deepEqual(file.diagnostics, []);
  assert.deepEqual(file.header.title?.range, { start: { line: 0, character: 8 }, end: { line: 0, character: 9 } });
});

test('at most 64 languages are checked: more are a syntax error, not a flood of warnings', () => {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const codes = Array.from({ length: 70 }, (_, i) => letters[Math.floor(i / 26)] + letters[i % 26]);
  const file = parseSurvey(`languages ${codes.join(' ')}\nitem Q1\n  en: x\n`);
  assert.equal(file.header.languages.length, 64);
  // One error for the overflow, however long it is (issue 18: 100,000 names printed 99,936 errors).
  const [overflow, ...others] = withCode(file.diagnostics, 'wvs/syntax');
  assert.equal(others.length, 0);
  assert.match(overflow.message, /At most 64 languages are supported; 6 more name\(s\) from here on are ignored/);
  assert.equal(withCode(file.diagnostics, 'wvs/missing-translation').length, 64);
});

test('a 100,000-language header gives one error and stays linear', () => {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const codes = Array.from({ length: 100_000 }, (_, i) => letters[i % 26] + letters[Math.floor(i / 26) % 26] + (i >= 676 ? `-x${i}` : ''));
  const file = parseSurvey(`languages ${codes.join(' ')}\nitem Q1\n  en: x\n`);
  assert.equal(file.header.languages.length, 64);
  assert.equal(withCode(file.diagnostics, 'wvs/syntax').length, 1);
  assert.ok(file.diagnostics.length < 200, `${file.diagnostics.length} diagnostics`);
  // Garbage or one code repeated: ten reported one by one, the rest counted in one diagnostic.
  const garbage = parseSurvey(`languages en ${Array.from({ length: 100_000 }, (_, i) => `#${i}`).join(' ')}\nitem Q1\n  en: x\n`);
  const invalid = withCode(garbage.diagnostics, 'wvs/syntax');
  assert.equal(invalid.length, 11);
  assert.match(invalid[10].message, /99990 more invalid name\(s\) on this line/);
  const repeated = parseSurvey(`languages ${Array.from({ length: 100_000 }, () => 'en').join(' ')}\nitem Q1\n  en: x\n`);
  const dups = withCode(repeated.diagnostics, 'wvs/duplicate-property');
  assert.equal(dups.length, 11);
  assert.match(dups[10].message, /99989 more repeated name\(s\)/);
});

test('a duplicate wording written as a | block is reported on its own line', () => {
  const file = parseSurvey(`${HEADER}item Q1\n  scale: s\n  en: a\n  da: b\n  en: |\n    c\n    d\n`);
  const [d] = withCode(file.diagnostics, 'wvs/duplicate-property');
  assert.deepEqual(d.range, { start: { line: 8, character: 2 }, end: { line: 8, character: 4 } });
});
