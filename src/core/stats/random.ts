// A small seeded PRNG so bootstrap intervals are reproducible across runs, machines and Node versions.

import { mulberry32 } from '../random';

export { mulberry32 };

/** Linear-interpolated quantile of sorted values (R's type 7, its default). */
export function quantileSorted(sorted: readonly number[], p: number): number {
  if (!sorted.length) return NaN;
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * Percentile bootstrap: resamples indices 0..n−1 with replacement `iterations` times, evaluates
 * `statistic` on each resample (non-finite values are skipped) and returns the 2.5% and 97.5% quantiles.
 */
export function bootstrapPercentileCI(
  n: number,
  statistic: (indices: number[]) => number,
  options: { iterations: number; seed: number; level?: number },
): { low: number; high: number; replicates: number } | null {
  if (n < 2 || options.iterations < 1) return null;
  const rand = mulberry32(options.seed);
  const values: number[] = [];
  const idx = new Array<number>(n);
  for (let it = 0; it < options.iterations; it++) {
    for (let i = 0; i < n; i++) idx[i] = Math.floor(rand() * n);
    const v = statistic(idx);
    if (Number.isFinite(v)) values.push(v);
  }
  if (values.length < 2) return null;
  values.sort((a, b) => a - b);
  const alpha = (1 - (options.level ?? 0.95)) / 2;
  return { low: quantileSorted(values, alpha), high: quantileSorted(values, 1 - alpha), replicates: values.length };
}
