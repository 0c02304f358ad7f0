// orderByValue's value table as it grows (order.ts finds groups by hashing the values' bits): many
// distinct values, values whose bits differ only in high or low words, and ±0, against the stable sort.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { orderByValue } from '../../../src/core/stats/order';
import { mulberry32 } from '../../../src/core/random';

const sorted = (v: readonly number[]): number[] => v.map((_, i) => i).sort((a, b) => v[a] - v[b] || a - b);

test("tens of thousands of distinct values (the table grown many times): the stable sort's order", () => {
  const rand = mulberry32(11);
  for (const distinct of [33, 65, 1000, 30_000]) {
    const n = distinct * 4 + 3;
    const levels = Array.from({ length: distinct }, (_, i) => (i % 2 ? -1 : 1) * (i + Math.round(rand() * 1e6) / 1e6));
    const v = Array.from({ length: n }, (_, i) => levels[i < distinct ? i : Math.floor(rand() * distinct)]);
    const order = orderByValue(v);
    assert.ok(order, `distinct ${distinct}`);
    assert.deepEqual(Array.from(order), sorted(v), `distinct ${distinct}`);
  }
});

test('values alike in one 32-bit word, integers and ±0 fall in their own groups', () => {
  // 2^k and 2^k + 1 share the low word's zero for large k; small integers differ only in the high word.
  const levels = [
    ...Array.from({ length: 40 }, (_, k) => 2 ** (k + 10)),
    ...Array.from({ length: 40 }, (_, k) => 2 ** (k + 10) + 1),
    ...Array.from({ length: 60 }, (_, k) => k - 30),
    -0,
  ];
  const v = Array.from({ length: 2000 }, (_, i) => levels[(i * 7919) % levels.length]);
  assert.deepEqual(Array.from(orderByValue(v) ?? []), sorted(v));
  assert.equal(orderByValue(v.map((x, i) => (i < 1000 ? x : i))), null);
});
