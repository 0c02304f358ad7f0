// itemHash memoises the scale's part of its canonical JSON per parsed scale. These tests hold it to the
// unmemoised definition (the canonical JSON written out in full, hashed per item) on varied surveys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { itemHash, parseSurvey, type Item, type TextEntry } from '../../../src/core/language/index';

function pairs(record: Record<string, TextEntry | string>): [string, string][] {
  return Object.keys(record)
    .sort()
    .map((k) => {
      const v = record[k];
      return [k, typeof v === 'string' ? v : v.value];
    });
}

/** The definition, unmemoised: sha256 of the whole canonical document, 16 hex digits. */
function referenceHash(item: Item): string {
  const s = item.scale;
  const canonical = {
    texts: pairs(item.texts),
    topics: pairs(item.topics),
    scale: s
      ? {
          min: s.min,
          max: s.max,
          kind: s.kind,
          reversed: s.reversed,
          options: s.options.map((o) => [o.code, o.score, pairs(o.labels)]),
          missing: s.missing.map((m) => [m.code, pairs(m.labels)]),
        }
      : item.scaleName
        ? { unresolved: item.scaleName.value }
        : null,
  };
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex').slice(0, 16);
}

const VARIED = `languages en da
scale agree 1..4
  en: Agree strongly | Agree | Disagree | Disagree "strongly"
  da: Helt enig | Enig | Uenig | Helt uenig
  missing: -1 "Don't know" | -2 "No answer"
scale ten 1..10 numeric reversed
  en: Never justifiable .. Always justifiable
scale yn 1..2
  en: Yes | No
item Q1 "One"
  scale: agree
  topic en: family
  en: Is family important? \\ "quoted" \u00e6\u00f8\u00e5 \ud83d\ude00
  da[mt]: Er familien vigtig?
item Q2
  scale: agree
  en: Is work important?
item Q3
  scale: ten
  en: Is cheating on taxes justifiable?
  da: Er skattesnyd forsvarligt?
item Q4
  scale: missing-scale
  en: Unresolved scale?
item Q5
  en: No scale at all?
item Q6
  scale: yn
  topic en: religion
  topic da: religion
  en: Do you believe in God?
`;

test('itemHash equals the unmemoised definition on varied items, hashed in any order and repeatedly', () => {
  const items = parseSurvey(VARIED).items;
  assert.equal(items.length, 6);
  const expected = items.map(referenceHash);
  assert.deepEqual(items.map(itemHash), expected);
  // Second pass (memoised scale parts) and reversed order give the same fingerprints.
  assert.deepEqual(items.map(itemHash), expected);
  assert.deepEqual([...items].reverse().map(itemHash), [...expected].reverse());
  // Items sharing a scale still differ by their wording; the unresolved and scale-less items are hashed too.
  assert.notEqual(expected[0], expected[1]);
  assert.equal(new Set(expected).size, expected.length);
});

test('itemHash: a re-parse with an edited scale gives the new fingerprint, not the memoised one', () => {
  const before = parseSurvey(VARIED).items[0];
  const after = parseSurvey(VARIED.replace('Agree strongly', 'Strongly agree')).items[0];
  assert.equal(itemHash(before), referenceHash(before));
  assert.equal(itemHash(after), referenceHash(after));
  assert.notEqual(itemHash(before), itemHash(after));
});

test('itemHash equals the unmemoised definition on every item of the example survey', () => {
  const text = readFileSync(join(__dirname, '..', '..', '..', 'examples', 'wvs7-sample.wvs'), 'utf8');
  const items = parseSurvey(text).items;
  assert.ok(items.length > 10);
  for (const item of items) assert.equal(itemHash(item), referenceHash(item), item.id);
});
