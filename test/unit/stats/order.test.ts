// orderByValue against the stable comparison sort it stands in for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { orderByValue } from '../../../src/core/stats/order';
import { mulberry32 } from '../../../src/core/random';

const sorted = (v: readonly number[]): number[] => v.map((_, i) => i).sort((a, b) => v[a] - v[b] || a - b);

test("rows by value, ties by row index: the stable sort's order, for few distinct values, negative values and −0", () => {
  const rand = mulberry32(4);
  for (const [n, distinct] of [
    [1, 1],
    [50, 3],
    [1000, 17],
    [5000, 40],
  ] as const) {
    const levels = Array.from({ length: distinct }, () => Math.round((rand() - 0.5) * 1e6) / 1e3);
    const v = Array.from({ length: n }, () => levels[Math.floor(rand() * distinct)]);
    assert.deepEqual(Array.from(orderByValue(v) ?? []), sorted(v), `n ${n}`);
  }
  const zeros = [0, -0, 1, -0, 0, -1];
  assert.deepEqual(Array.from(orderByValue(zeros) ?? []), sorted(zeros));
});

test('null (the caller sorts) for mostly distinct values and for non-finite ones', () => {
  const rand = mulberry32(5);
  assert.equal(orderByValue(Array.from({ length: 1000 }, () => rand())), null);
  assert.equal(orderByValue([1, NaN, 1, 2]), null);
  assert.equal(orderByValue([1, Infinity, 1, 2]), null);
});
