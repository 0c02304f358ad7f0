// Row orders by value without a comparison sort where values repeat: response-level data holds a few
// distinct values per item (a model's few answers, an item's one human value), and sorting 10⁵ rows with a
// comparator per estimate was a real share of `analyze` (docs/performance.md, "Analyze").

/** Above this many distinct values per row the grouping costs about what a sort does: callers sort. */
const MAX_DISTINCT_SHARE = 0.25;

/**
 * The rows 0…n−1 ordered by value, ties by row index — exactly what a stable sort by `v[a] − v[b]` gives —
 * by grouping rows of equal value (O(n) + a sort of the distinct values). Null when the values are not
 * all finite or mostly distinct: then the caller's own sort is as fast and defines the order.
 */
export function orderByValue(v: ArrayLike<number>): Int32Array | null {
  const n = v.length;
  const limit = Math.max(16, Math.floor(n * MAX_DISTINCT_SHARE));
  // Groups found through an open-addressing table on the values' bits (a Map of numbers boxed each
  // double it was asked for). A group is its first row's value; −0 hashes as 0 and === ties the two.
  let mask = 63;
  let table = new Int32Array(mask + 1).fill(-1);
  const group = new Int32Array(n);
  const values: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = v[i];
    if (!Number.isFinite(x)) return null;
    let h = slotOf(x, mask);
    let g = table[h];
    while (g !== -1 && values[g] !== x) {
      h = (h + 1) & mask;
      g = table[h];
    }
    if (g === -1) {
      if (values.length >= limit) return null;
      g = values.length;
      values.push(x);
      counts.push(0);
      table[h] = g;
      // At most half full: grow and put every group back.
      if (values.length * 2 > mask) {
        mask = mask * 2 + 1;
        table = new Int32Array(mask + 1).fill(-1);
        for (let k = 0; k < values.length; k++) {
          let s = slotOf(values[k], mask);
          while (table[s] !== -1) s = (s + 1) & mask;
          table[s] = k;
        }
      }
    }
    group[i] = g;
    counts[g]++;
  }
  // −0 and 0 are one group (as Map keys, SameValueZero, made them), as the comparator's 0 − (−0) = 0 ties them.
  const byValue = values.map((_, g) => g).sort((a, b) => values[a] - values[b]);
  const start = new Int32Array(values.length);
  let at = 0;
  for (const g of byValue) {
    start[g] = at;
    at += counts[g];
  }
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[start[group[i]]++] = i;
  return order;
}

const bits = new Float64Array(1);
const words = new Int32Array(bits.buffer);

/** A value's home slot: a mix of its two 32-bit words (−0 as 0, so that both land on one slot). */
function slotOf(x: number, mask: number): number {
  bits[0] = x === 0 ? 0 : x;
  let h = Math.imul(words[0] ^ Math.imul(words[1], 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 15;
  return h & mask;
}
