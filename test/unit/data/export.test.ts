import { test } from 'node:test';
import assert from 'node:assert/strict';
import Papa from 'papaparse';
import { toCsv, neutraliseCell } from '../../../src/core/data/index';

test('cells starting with = + - @ tab or CR are prefixed with an apostrophe', () => {
  for (const cell of ['=1+2', '+cmd|calc', '-2+3', '@SUM(A1)', '=HYPERLINK("http://x")', '\t=1', '\r=1', '-', '+', '- item']) {
    assert.equal(neutraliseCell(cell), `'${cell}`, JSON.stringify(cell));
  }
});

test('plain numbers (also negative) and ordinary text stay as they are', () => {
  for (const cell of ['-1.5', '-2', '+3', '0.25', '1e-5', '-.5', 'Danmark', 'a=b', 'x-y', '']) {
    assert.equal(neutraliseCell(cell), cell);
  }
});

test('toCsv quotes per RFC 4180 and round-trips through a CSV parser with neutralised cells', () => {
  const rows = [
    ['item', 'title', 'value'],
    ['Q182', 'Homoseksualitet, "æøå"\nline 2', '-1.5'],
    ['Q29', '=cmd|" /C calc"!A0', '@x'],
  ];
  const csv = toCsv(rows);
  assert.ok(csv.endsWith('\r\n'));
  const parsed = Papa.parse<string[]>(csv.trimEnd(), { newline: '\r\n' }).data;
  assert.deepEqual(parsed, [
    ['item', 'title', 'value'],
    ['Q182', 'Homoseksualitet, "æøå"\nline 2', '-1.5'],
    ['Q29', `'=cmd|" /C calc"!A0`, `'@x`],
  ]);
  assert.equal(toCsv([]), '');
  assert.equal(toCsv([['a', '1,5']], { delimiter: ';' }), 'a;1,5\r\n');
});
