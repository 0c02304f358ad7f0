// Distribution functions from @stdlib (ports of Boost's incomplete beta / Cephes-quality quantiles):
// hand-rolled special functions are where correlation p-values usually go wrong.
import tCdf from '@stdlib/stats-base-dists-t-cdf';
import normalQuantileFn from '@stdlib/stats-base-dists-normal-quantile';

/** P(T ≤ t) for Student's t with `df` degrees of freedom. */
export function studentTCdf(t: number, df: number): number {
  return tCdf(t, df);
}

/** Two-sided p-value of a t statistic: 2·P(T ≥ |t|), computed in the lower tail to avoid cancellation. */
export function twoSidedTP(t: number, df: number): number {
  if (Number.isNaN(t)) return NaN;
  if (!Number.isFinite(t)) return 0;
  return Math.min(1, 2 * tCdf(-Math.abs(t), df));
}

/** Quantile of the standard normal distribution. */
export function normalQuantile(p: number): number {
  return normalQuantileFn(p, 0, 1);
}
