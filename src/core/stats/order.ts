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
  const groupOf = new Map<number, number>();
  const group = new Int32Array(n);
  const values: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = v[i];
    if (!Number.isFinite(x)) return null;
    let g = groupOf.get(x);
    if (g === undefined) {
      if (values.length >= limit) return null;
      g = values.length;
      groupOf.set(x, g);
      values.push(x);
      counts.push(0);
    }
    group[i] = g;
    counts[g]++;
  }
  // −0 and 0 are one group (Map keys are SameValueZero), as the comparator's 0 − (−0) = 0 ties them.
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
