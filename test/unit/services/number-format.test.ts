// Issue 19: the report mixed "0.000" and "0" (a dispersion of exactly 0 printed as an integer beside
// 0.123). Display text has one number format per column; counts stay integers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatCell, formatMeasure, formatRows, type Table } from '../../../src/shared/tables';

test('formatRows: a measure column gets the same decimals on every number, 0 included; count columns stay integer', () => {
  const table: Table = {
    headers: ['Item', 'Dispersion', 'Most deviant paraphrase', 'n'],
    rows: [
      ['Q1', 0.1234, 3, 20],
      ['Q45', 0, null, 20],
      ['Q7', 1, 2, 19],
    ],
  };
  assert.equal(formatCell(0), '0', 'the cell formatter alone cannot tell a count from a measure');
  assert.deepEqual(formatRows(table), [
    ['Q1', '0.123', '3', '20'],
    ['Q45', '0.000', '', '20'],
    ['Q7', '1.000', '2', '19'],
  ]);
  assert.deepEqual(formatRows(table, 2)[1], ['Q45', '0.00', '', '20']);
});

test('formatMeasure: always the decimals, blanks for missing', () => {
  assert.equal(formatMeasure(0), '0.000');
  assert.equal(formatMeasure(0.5), '0.500');
  assert.equal(formatMeasure(null), '');
  assert.equal(formatMeasure(Number.NaN), '');
});
