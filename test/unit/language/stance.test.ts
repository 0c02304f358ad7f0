// Stance statements in .wvs (`pro en:` / `con en:`), what the judge method classifies against: parsed per
// language, duplicates reported, the grammar colours the keyword, and the example file's statements are the
// second seed's stance_labels.json entries for the items' keys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseSurvey } from '../../../src/core/language/survey';
import { scopesOf, tokenize } from '../grammar/tokenize';

const src = [
  'survey "s"',
  'languages en da',
  'scale agree 1..4 numeric',
  '  en: Agree .. Disagree',
  'item Q1 "Abortion"',
  '  scale: agree',
  '  pro en: Abortion is justifiable.',
  '  con en: Abortion is not justifiable.',
  '  pro da[mt]: Abort kan retfærdiggøres.',
  '  en: Is abortion justifiable?',
  'item Q2 "Divorce"',
  '  scale: agree',
  '  pro en: Divorce is justifiable.',
  '  pro en: Twice.',
  '  en: Is divorce justifiable?',
].join('\n');

test('pro/con statements are read per language; a second one in a language is a duplicate', () => {
  const file = parseSurvey(src);
  const [q1, q2] = file.items;
  assert.equal(q1.pro?.en.value, 'Abortion is justifiable.');
  assert.equal(q1.con?.en.value, 'Abortion is not justifiable.');
  assert.equal(q1.pro?.da.value, 'Abort kan retfærdiggøres.');
  assert.equal(q1.pro?.da.machineTranslated, true);
  assert.equal(q1.con?.da, undefined);
  assert.equal(q1.texts.en.value, 'Is abortion justifiable?');
  assert.equal(q2.pro?.en.value, 'Divorce is justifiable.');
  assert.equal(q2.con, undefined);
  const dup = file.diagnostics.filter((d) => d.code.endsWith('duplicate-property'));
  assert.equal(dup.length, 1);
  assert.match(dup[0].message, /Q2 already has a pro statement in 'en'/);
  assert.equal(dup[0].range.start.line, 13);
});

test('grammar: pro/con are property keywords, the statement is text', async () => {
  const tokens = await tokenize('source.wvs', src);
  assert.ok(scopesOf(tokens, 'pro', 6)?.some((s) => s.startsWith('keyword.other.property.wvs')));
  assert.ok(scopesOf(tokens, 'con', 7)?.some((s) => s.startsWith('keyword.other.property.wvs')));
  assert.ok(scopesOf(tokens, 'Abortion is not justifiable.', 7)?.some((s) => s.startsWith('string.unquoted.text.wvs')));
});

test('examples/wvs7-sample.wvs: stance statements equal stance_labels.json by item key', () => {
  const root = resolve(__dirname, '../../..');
  const file = parseSurvey(readFileSync(join(root, 'examples', 'wvs7-sample.wvs'), 'utf8'));
  // The committed copy of the paper's pairs for the example's keys (provenance in the .wvs header).
  const expected: Record<string, [string, string]> = {
    F118: ['Homosexuality is justifiable.', 'Homosexuality is not justifiable.'],
    F120: ['Abortion is justifiable.', 'Abortion is not justifiable.'],
    D059: ['Men make better political leaders than women do.', 'Men do not make better political leaders than women do.'],
    E035: ['Income equality is important.', 'Income equality is not important.'],
  };
  const withStance = file.items.filter((i) => i.pro?.en && i.con?.en);
  assert.equal(withStance.length, 13);
  for (const [key, [pro, con]] of Object.entries(expected)) {
    const item = file.items.find((i) => i.dataKey?.value === key);
    assert.deepEqual([item?.pro?.en.value, item?.con?.en.value], [pro, con], key);
  }
  assert.equal(file.diagnostics.filter((d) => d.severity === 'error').length, 0);
});
