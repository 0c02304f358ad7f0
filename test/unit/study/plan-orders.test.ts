// Named option orders: original, reversed, cyclic shifts and seeded permutations, checked by hand and against
// an independent Fisher–Yates over the same PRNG.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countOrders, expandOrders, mulberry32, namedOrder, orderCodes } from '../../../src/core/prompt/order';

const CODES = [1, 2, 3, 4];

test('original, reversed and every cyclic shift, by hand', () => {
  assert.deepEqual(namedOrder(CODES, 'original'), [1, 2, 3, 4]);
  assert.deepEqual(namedOrder(CODES, 'reversed'), [4, 3, 2, 1]);
  assert.deepEqual(namedOrder(CODES, 'shift-1'), [2, 3, 4, 1]);
  assert.deepEqual(namedOrder(CODES, 'shift-2'), [3, 4, 1, 2]);
  assert.deepEqual(namedOrder(CODES, 'shift-3'), [4, 1, 2, 3]);
  assert.throws(() => namedOrder(CODES, 'shift-4'), /shifts 1\.\.3/);
  assert.throws(() => namedOrder(CODES, 'sideways'), /Unknown option order "sideways"/);
  assert.deepEqual(orderCodes(CODES, { order: 'shift-2' }), [3, 4, 1, 2]);
  assert.deepEqual(
    expandOrders(['cyclic'], 4).map((o) => o.id),
    ['shift-1', 'shift-2', 'shift-3'],
  );
  assert.deepEqual(
    expandOrders(['original', 'cyclic', 'reversed', 'original'], 3).map((o) => o.id),
    ['original', 'shift-1', 'shift-2', 'reversed'],
  );
  assert.deepEqual(
    expandOrders([], 4).map((o) => o.id),
    ['original'],
  );
  assert.equal(countOrders(['cyclic'], 10), 9);
  // A scale of 1 option has no shift.
  assert.deepEqual(expandOrders(['cyclic'], 1), []);
  // The codes are not changed in place.
  const codes = [1, 2, 3];
  namedOrder(codes, 'reversed');
  assert.deepEqual(codes, [1, 2, 3]);
});

/** The first `k` distinct non-identity shuffles of 0..n-1 from mulberry32(seed), written independently. */
function reference(n: number, seed: number, k: number): number[][] {
  const random = mulberry32(seed);
  const seen = new Set([Array.from({ length: n }, (_, i) => i).join()]);
  const out: number[][] = [];
  while (out.length < k) {
    const a = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    if (!seen.has(a.join())) {
      seen.add(a.join());
      out.push(a);
    }
  }
  return out;
}

test('perm-1..k: deterministic from the seed, distinct from each other and from the original', () => {
  const codes = [10, 20, 30, 40, 50];
  const orders = expandOrders([{ permutations: 6, seed: 42 }], codes.length);
  assert.deepEqual(
    orders.map((o) => o.id),
    ['perm-1', 'perm-2', 'perm-3', 'perm-4', 'perm-5', 'perm-6'],
  );
  const shown = orders.map((o) => orderCodes(codes, o.spec));
  assert.deepEqual(
    shown,
    reference(5, 42, 6).map((p) => p.map((i) => codes[i])),
  );
  assert.equal(new Set([codes.join(), ...shown.map((s) => s.join())]).size, 7);
  for (const s of shown)
    assert.deepEqual(
      [...s].sort((a, b) => a - b),
      codes,
    );
  // The same again (fresh call), and perm-3 does not depend on how many are asked for.
  assert.deepEqual(
    expandOrders([{ permutations: 6, seed: 42 }], 5).map((o) => orderCodes(codes, o.spec)),
    shown,
  );
  assert.deepEqual(namedOrder(codes, 'perm-3', 42), shown[2]);
  // Another seed, other orders.
  assert.notDeepEqual(
    expandOrders([{ permutations: 6, seed: 43 }], 5).map((o) => orderCodes(codes, o.spec)),
    shown,
  );
});

test('when K! − 1 < k the permutations cover every non-original order, then repeat', () => {
  const orders = expandOrders([{ permutations: 7, seed: 1 }], 3).map((o) => orderCodes([1, 2, 3], o.spec).join(''));
  assert.deepEqual(new Set(orders.slice(0, 5)), new Set(['132', '213', '231', '312', '321']));
  assert.equal(orders[5], orders[0]);
  assert.equal(orders[6], orders[1]);
  // Two options: the only other order is the reversal; one option: only the original.
  assert.deepEqual(namedOrder([1, 2], 'perm-1', 5), [2, 1]);
  assert.deepEqual(namedOrder([7], 'perm-2', 5), [7]);
});

test('a second permutations entry with another seed gets its own names', () => {
  const ids = expandOrders(
    [
      { permutations: 2, seed: 1 },
      { permutations: 2, seed: 2 },
    ],
    4,
  ).map((o) => o.id);
  assert.deepEqual(ids, ['perm-1', 'perm-2', 'perm-1@2', 'perm-2@2']);
  assert.deepEqual(
    namedOrder(CODES, 'perm-1@2'),
    reference(4, 2, 1)[0].map((i) => CODES[i]),
  );
});

test('the single seeded shuffle keeps its meaning (one Fisher–Yates pass, may equal the original)', () => {
  const random = mulberry32(7);
  const a = [1, 2, 3, 4];
  for (let i = 3; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  assert.deepEqual(orderCodes(CODES, { seed: 7 }), a);
});
