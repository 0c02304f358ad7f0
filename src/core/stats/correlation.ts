// Correlations with the inference R's cor.test reports. Pearson: t test on n−2 df and a Fisher-z 95% CI.
// Spearman: Pearson on average ranks, p from the same t approximation as cor.test(method = "spearman",
// exact = FALSE) — R's exact AS 89 small-sample test is not reproduced (see docs/statistics.md).
import type { CorrelationStat } from '../analysis';
import { normalQuantile, twoSidedTP } from './distributions';
import { orderByValue } from './order';

/** Pairs where both values are finite numbers (NaN/undefined on either side drop the pair). */
export function completePairs(x: readonly number[], y: readonly number[]): { x: number[]; y: number[] } {
  const n = Math.min(x.length, y.length);
  // Usually every pair is complete: two copies in one go instead of a push per value.
  if (Array.isArray(x) && Array.isArray(y) && allFinite(x, n) && allFinite(y, n)) return { x: x.slice(0, n), y: y.slice(0, n) };
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < n; i++) {
    if (Number.isFinite(x[i]) && Number.isFinite(y[i])) {
      xs.push(x[i]);
      ys.push(y[i]);
    }
  }
  return { x: xs, y: ys };
}

/** Whether v[0…n−1] are all finite numbers. */
export function allFinite(v: ArrayLike<number>, n: number): boolean {
  for (let i = 0; i < n; i++) if (!Number.isFinite(v[i])) return false;
  return true;
}

/** Sample Pearson correlation; NaN when n < 2 or a variable is constant. Two-pass for accuracy. */
export function pearsonR(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  if (n < 2 || y.length !== n) return NaN;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx;
    const dy = y[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return NaN;
  const r = sxy / Math.sqrt(sxx * syy);
  return Math.max(-1, Math.min(1, r));
}

/** Ranks 1..n with ties given their average rank (R's rank(ties.method = "average")). */
export function averageRanks(values: readonly number[]): number[] {
  const idx: ArrayLike<number> = orderByValue(values) ?? values.map((_, i) => i).sort((a, b) => values[a] - values[b]);
  const ranks = new Array<number>(values.length);
  let i = 0;
  while (i < idx.length) {
    let j = i;
    while (j + 1 < idx.length && values[idx[j + 1]] === values[idx[i]]) j++;
    const rank = (i + j + 2) / 2; // mean of 1-based ranks i+1 … j+1
    for (let k = i; k <= j; k++) ranks[idx[k]] = rank;
    i = j + 1;
  }
  return ranks;
}

function tTest(r: number, n: number): number | null {
  if (n < 3 || !Number.isFinite(r)) return null;
  if (Math.abs(r) === 1) return 0;
  const df = n - 2;
  return twoSidedTP(r * Math.sqrt(df / (1 - r * r)), df);
}

/**
 * Pearson r with two-sided p (t = r√((n−2)/(1−r²)), n−2 df) and 95% CI tanh(atanh r ± z₀.₉₇₅/√(n−3)).
 * Null when fewer than 2 complete pairs or a variable is constant.
 */
export function pearson(xIn: readonly number[], yIn: readonly number[]): CorrelationStat | null {
  const { x, y } = completePairs(xIn, yIn);
  const n = x.length;
  const r = pearsonR(x, y);
  if (!Number.isFinite(r)) return null;
  let ciLow: number | null = null;
  let ciHigh: number | null = null;
  if (n >= 4) {
    const z = Math.atanh(r);
    const half = normalQuantile(0.975) / Math.sqrt(n - 3);
    ciLow = Math.tanh(z - half);
    ciHigh = Math.tanh(z + half);
  }
  return { estimate: r, p: tTest(r, n), n, ciLow, ciHigh };
}

/**
 * Spearman ρ = Pearson r of average ranks; p from t = ρ√((n−2)/(1−ρ²)) on n−2 df, which is what R's
 * cor.test(method = "spearman", exact = FALSE) computes. The CI (n ≥ 4) is Fisher z with the
 * Bonett–Wright standard error √((1 + ρ²/2)/(n − 3)) — an approximation; R reports no CI.
 */
export function spearman(xIn: readonly number[], yIn: readonly number[]): CorrelationStat | null {
  const { x, y } = completePairs(xIn, yIn);
  const n = x.length;
  const rho = pearsonR(averageRanks(x), averageRanks(y));
  if (!Number.isFinite(rho)) return null;
  let ciLow: number | null = null;
  let ciHigh: number | null = null;
  if (n >= 4 && Math.abs(rho) < 1) {
    const z = Math.atanh(rho);
    const half = (normalQuantile(0.975) * Math.sqrt(1 + (rho * rho) / 2)) / Math.sqrt(n - 3);
    ciLow = Math.tanh(z - half);
    ciHigh = Math.tanh(z + half);
  } else if (n >= 4) {
    ciLow = rho;
    ciHigh = rho;
  }
  return { estimate: rho, p: tTest(rho, n), n, ciLow, ciHigh };
}
