// Human reference import over awkward real-world CSV files (fixtures written byte for byte by
// test/fixtures/csv/make-fixtures.mjs) and a 100,000-row microdata file generated here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadHumanReference, DEFAULT_LANGUAGE_COUNTRIES, type HumanRow } from '../../../src/core/data/index';
import { decodeText } from '../../../src/core/data/decode';
import { parseLocaleNumber } from '../../../src/core/data/numbers';
import { detectDelimiter } from '../../../src/core/data/csv';

const fixture = (name: string): Buffer => readFileSync(join('test/fixtures/csv', name));
const find = (rows: HumanRow[], country: string, key: string, language?: string): HumanRow | undefined =>
  rows.find((r) => r.country === country && r.key === key && r.language === language);

test('UTF-8 with BOM: BOM stripped, non-ASCII keys intact, negative mean kept as a number', () => {
  const { reference, problems, info } = loadHumanReference({ text: fixture('aggregated-utf8-bom.csv') });
  assert.deepEqual(problems, []);
  assert.equal(info.encoding, 'utf-8');
  assert.equal(info.format, 'aggregated');
  assert.deepEqual(reference.rows, [
    { country: 'DK', key: 'homoseksualitet_æøå', mean: 8.25, n: 1000 },
    { country: 'PT', key: 'aborto_ção', mean: 3.5, n: 1200 },
    { country: 'BR', key: 'divórcio_ã', mean: -1.5, n: 900 },
  ]);
});

test('Windows-1252 with ; and decimal commas: æøå/ç/ã decoded, percentages normalised, 1.234 = 1234', () => {
  const bytes = fixture('aggregated-cp1252-semicolon.csv');
  assert.ok(bytes.includes(0xe6), 'fixture really is single-byte æ'); // æ in cp1252
  const { reference, problems, info } = loadHumanReference({ text: bytes });
  assert.deepEqual(problems, []);
  assert.equal(info.encoding, 'windows-1252');
  assert.equal(info.delimiter, ';');
  assert.equal(info.decimalMark, ',');
  assert.equal(reference.rows.length, 3);
  const dk = find(reference.rows, 'DK', 'æøå_Q29', 'da');
  assert.ok(dk);
  assert.deepEqual(dk.distribution, { '1': 0.125, '2': 0.375, '3': 0.25, '4': 0.25 });
  assert.equal(dk.mean, 0.125 * 1 + 0.375 * 2 + 0.25 * 3 + 0.25 * 4);
  assert.equal(dk.n, 1234);
  const br = find(reference.rows, 'BR', 'coração_Q29', 'pt');
  assert.deepEqual(br?.distribution, { '1': 0.5, '2': 0.5, '3': 0, '4': 0 });
  assert.equal(br?.mean, 1.5);
  assert.equal(br?.n, 1001);
  assert.ok(find(reference.rows, 'PT', 'ação_Q29', 'pt'));
});

test('quoted newlines, ragged and bad rows: problems carry 1-based source lines, good rows kept', () => {
  const { reference, problems } = loadHumanReference({ text: fixture('aggregated-quoted-ragged.csv') });
  assert.deepEqual(
    problems.map((p) => p.line),
    [5, 8],
  );
  assert.match(problems[0].message, /abc/);
  assert.match(problems[1].message, /7 cells/);
  assert.deepEqual(reference.rows, [
    { country: 'DK', key: 'F118', mean: 7.9, share: 0.879, n: 1500 },
    { country: 'NL', key: 'F118', mean: 7.5, share: 0.892 },
    { country: 'GB', key: 'F118', mean: 6.1, share: 0.711, n: 1800 },
    { country: 'BR', key: 'F118', mean: 4.2, share: 0.388 },
  ]);
});

test('microdata: weighted means and distributions by hand, negative codes dropped, per language too', () => {
  const { reference, problems, info } = loadHumanReference({ text: fixture('microdata-small.csv') });
  assert.equal(info.format, 'microdata');
  assert.deepEqual(
    problems.map((p) => p.line),
    [7, 8],
  );
  // DK F118: weights 1.5·10 + 0.5·2 + 2·6 over 4 (the −2 answer of the en respondent is dropped).
  assert.deepEqual(find(reference.rows, 'DK', 'F118'), {
    country: 'DK',
    key: 'F118',
    mean: (1.5 * 10 + 0.5 * 2 + 2 * 6) / 4,
    distribution: { '2': 0.5 / 4, '6': 2 / 4, '10': 1.5 / 4 },
    n: 3,
  });
  // DK F120: 1.5·8 + 1·4 over 2.5 (−1 dropped, empty skipped); per language da only the 8, en only the 4.
  assert.equal(find(reference.rows, 'DK', 'F120')?.mean, (1.5 * 8 + 1 * 4) / 2.5);
  assert.equal(find(reference.rows, 'DK', 'F120', 'da')?.mean, 8);
  assert.equal(find(reference.rows, 'DK', 'F120', 'en')?.mean, 4);
  // NL: the row with weight −1 is rejected whole; "x" drops only that cell.
  assert.equal(find(reference.rows, 'NL', 'F118')?.mean, (1 * 1 + 3 * 5) / 4);
  assert.equal(find(reference.rows, 'NL', 'F120')?.n, 1);
});

test('long-format distributions: one row per option, missing codes ignored', () => {
  const { reference, problems } = loadHumanReference({ text: fixture('aggregated-long.csv') });
  assert.deepEqual(problems, []);
  assert.equal(reference.rows.length, 1);
  assert.deepEqual(reference.rows[0].distribution, { '1': 0.1, '2': 0.3, '3': 0.4, '4': 0.2 });
  assert.ok(Math.abs((reference.rows[0].mean ?? 0) - 2.7) < 1e-15);
});

test('item map renames data keys to project item ids and selects microdata columns', () => {
  const text = 'cntry_an,gwght,F118,F120,X001\nDK,1,10,3,1\nDK,1,8,5,2\n';
  const { reference } = loadHumanReference({ text, itemMap: { Q182: 'f118' } });
  assert.deepEqual(
    reference.rows.map((r) => [r.country, r.key, r.mean]),
    [['DK', 'Q182', 9]],
  );
  const agg = loadHumanReference({ text: 'country,item,mean\nUS,F118,5\nUS,F120,4\n', itemMap: { Q182: 'F118' } });
  assert.deepEqual(
    agg.reference.rows.map((r) => r.key),
    ['Q182', 'F120'],
  );
});

test('explicit format wins over detection; a table without a country column is one problem, no throw', () => {
  const r = loadHumanReference({ text: 'item,mean\nF118,5\n', format: 'aggregated' });
  assert.equal(r.reference.rows.length, 0);
  assert.equal(r.problems.length, 1);
  const empty = loadHumanReference({ text: '' });
  assert.deepEqual(empty.reference.rows, []);
  assert.ok(empty.problems.length >= 1);
  const garbage = loadHumanReference({ text: new Uint8Array([0xff, 0x00, 0x81, 0x22, 0x0a, 0x22]) });
  assert.deepEqual(garbage.reference.rows, []);
});

test('the shared WVS/EVS pro-share file loads as shares (skipped when the file is absent)', (t) => {
  const path = '/work/shared/data/wvs-evs-pro-shares.csv';
  if (!existsSync(path)) return t.skip('shared data not present');
  const { reference, problems } = loadHumanReference({ text: readFileSync(path) });
  assert.deepEqual(problems, []);
  assert.equal(reference.rows.length, 492);
  assert.ok(reference.rows.every((r) => r.share !== undefined && r.share >= 0 && r.share <= 1 && r.mean === undefined));
  const dk = find(reference.rows, 'DK', 'F118', 'da');
  assert.equal(Math.round((dk?.share ?? 0) * 1000) / 1000, 0.879); // method.md §4 table
  assert.equal(Math.round((find(reference.rows, 'US', 'F120', 'en')?.share ?? 0) * 1000) / 1000, 0.375);
});

test('100,000-row microdata (; and decimal-comma weights): exact weighted means', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vl-micro-'));
  try {
    const countries = ['DK', 'NL', 'PT', 'BR'];
    const langs: Record<string, string[]> = { DK: ['da'], NL: ['nl'], PT: ['pt'], BR: ['pt', 'en'] };
    const expected = new Map<string, { w: number; s: number; n: number }>();
    const add = (k: string, w: number, code: number): void => {
      const e = expected.get(k) ?? { w: 0, s: 0, n: 0 };
      e.w += w;
      e.s += w * code;
      e.n++;
      expected.set(k, e);
    };
    const lines = ['S003;cntry_AN;lnge_iso;gwght;pwght;F118;D059'];
    for (let i = 0; i < 100_000; i++) {
      const c = countries[i % 4];
      const l = langs[c][i % langs[c].length === 0 ? 0 : (i >> 2) % langs[c].length];
      const g = 0.5 + (i % 7) * 0.25; // 0,5 … 2
      const p = c === 'BR' ? 2 : 1; // population weight: constant within a country, cancels
      const f118 = i % 13 === 0 ? -1 : 1 + ((i * 7) % 10);
      const d059 = i % 11 === 0 ? -2 : 1 + ((i * 3) % 4);
      lines.push(`${i};${c};${l};${String(g).replace('.', ',')};${p};${f118};${d059}`);
      if (f118 > 0) {
        add(`${c}|F118`, g * p, f118);
        add(`${c}|F118|${l}`, g * p, f118);
      }
      if (d059 > 0) add(`${c}|D059`, g * p, d059);
    }
    const path = join(dir, 'micro.csv');
    writeFileSync(path, lines.join('\r\n') + '\r\n', 'latin1');
    const { reference, problems, info } = loadHumanReference({ text: readFileSync(path) });
    assert.deepEqual(problems, []);
    assert.equal(info.rows, 100_000);
    assert.equal(info.decimalMark, ',');
    for (const c of countries) {
      for (const key of ['F118', 'D059']) {
        const e = expected.get(`${c}|${key}`);
        const row = find(reference.rows, c, key);
        assert.ok(e && row);
        assert.equal(row.n, e.n);
        assert.ok(Math.abs((row.mean ?? NaN) - e.s / e.w) < 1e-12, `${c} ${key}`);
        const total = Object.values(row.distribution ?? {}).reduce((a, b) => a + b, 0);
        assert.ok(Math.abs(total - 1) < 1e-12);
      }
      for (const l of langs[c]) {
        const e = expected.get(`${c}|F118|${l}`);
        assert.ok(e);
        assert.ok(Math.abs((find(reference.rows, c, 'F118', l)?.mean ?? NaN) - e.s / e.w) < 1e-12);
      }
    }
    // S003 (numeric country code) is bookkeeping, not an item.
    assert.ok(!reference.rows.some((r) => r.key === 'S003'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('locale numbers, delimiter detection and decoding helpers', () => {
  assert.equal(parseLocaleNumber('1.234,5', ','), 1234.5);
  assert.equal(parseLocaleNumber('0,75', ','), 0.75);
  assert.equal(parseLocaleNumber('1,234.5', '.'), 1234.5);
  assert.equal(parseLocaleNumber('-1.5', '.'), -1.5);
  assert.equal(parseLocaleNumber('\u22122,5', ','), -2.5);
  assert.equal(parseLocaleNumber('1e-5', '.'), 1e-5);
  assert.equal(parseLocaleNumber('1.2.3', '.'), undefined);
  assert.equal(parseLocaleNumber('abc', ','), undefined);
  assert.equal(parseLocaleNumber('', '.'), undefined);
  assert.equal(detectDelimiter('"a;b",c,d\n1;2'), ',');
  assert.equal(detectDelimiter('\n\na;b;c\n1,5;2;3'), ';');
  assert.equal(detectDelimiter('a\tb\tc'), '\t');
  assert.equal(decodeText(new Uint8Array([0xf8])).text, 'ø');
  assert.equal(decodeText(new Uint8Array([0xc3, 0xb8])).text, 'ø');
  assert.equal(decodeText(new Uint8Array([0xff, 0xfe, 0xf8, 0x00])).text, 'ø');
  assert.equal(decodeText('\ufeffx').text, 'x');
});

test('default language → country map', () => {
  assert.deepEqual(DEFAULT_LANGUAGE_COUNTRIES, { da: ['DK'], nl: ['NL'], en: ['US', 'GB'], pt: ['PT', 'BR'] });
});
