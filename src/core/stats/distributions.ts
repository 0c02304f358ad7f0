// Student's t CDF and the standard normal quantile, in house (they replaced two @stdlib packages that
// were 150 KB minified, a quarter of extension.js). Both are checked against R's pt and qnorm to 1e-12
// relative on a grid with far tails (test/fixtures/r/distributions.R). The t CDF is the regularized
// incomplete beta I_x(df/2, 1/2) by its continued fraction (DLMF 8.17.22), evaluated with the modified
// Lentz method in double-double (see below why); the quantile is Acklam's rational start refined by
// Halley steps on an erf/erfc accurate to a few ulp.

const LN_SQRT_2PI = 0.9189385332046728; // ln √(2π)
const SQRT1_2 = Math.SQRT1_2;
const TWO_OVER_SQRT_PI = 1.1283791670955126; // 2/√π
const TINY = 1e-300; // Lentz: stands in for a zero denominator
const EPS = 1e-16;
// Below this, erfc = 1 − erf; above, the continued fraction (1 − erf would cost digits: 1e-13 at z = 3).
const ERFC_CF_FROM = 1;

/** Stirling's correction lgamma(z) − [(z−½)ln z − z + ln√(2π)] for z ≥ 10 (error < 1e-17 there). */
function stirlingCorrection(z: number): number {
  const w = 1 / (z * z);
  // Bernoulli-number series B2k / (2k(2k−1) z^(2k−1)), k = 1…7.
  return (1 / 12 + w * (-1 / 360 + w * (1 / 1260 + w * (-1 / 1680 + w * (1 / 1188 + w * (-691 / 360360 + w * (1 / 156))))))) / z;
}

/** ln Γ(z) for z > 0: Stirling above 10, below it shifted up by Γ(z) = Γ(z+n) / (z(z+1)…(z+n−1)). */
function logGamma(z: number): number {
  let shift = 0;
  let product = 1;
  while (z + shift < 10) {
    product *= z + shift;
    shift += 1;
  }
  const y = z + shift;
  return (y - 0.5) * Math.log(y) - y + LN_SQRT_2PI + stirlingCorrection(y) - Math.log(product);
}

/**
 * ln B(a, b). With a large argument the two ln Γ are combined before they are subtracted, so that
 * B(5e4, ½) keeps its digits instead of losing them in the difference of two numbers near 5e5.
 */
function logBeta(a: number, b: number): number {
  const p = Math.min(a, b);
  const q = Math.max(a, b);
  if (q < 10) return logGamma(p) + logGamma(q) - logGamma(p + q);
  const tail = stirlingCorrection(q) - stirlingCorrection(p + q);
  if (p < 10) {
    // ln Γ(q) − ln Γ(p+q) = −(q−½)·ln(1+p/q) − p·ln(p+q) + p + corrections
    return logGamma(p) - (q - 0.5) * Math.log1p(p / q) - p * Math.log(p + q) + p + tail;
  }
  return LN_SQRT_2PI - 0.5 * Math.log(q) + (p - 0.5) * Math.log(p / (p + q)) + q * Math.log1p(-p / (p + q)) + stirlingCorrection(p) + tail;
}

// Double-double arithmetic (a value as hi + lo, ~32 digits) for the continued fraction below: with a
// large `a` it is ill-conditioned in x near the branch point, so that the 1e-16 rounding of x alone
// moved the result by 1e-11 at df = 1e5. Dekker's exact products and Knuth's exact sums.
type DD = readonly [number, number];
const SPLITTER = 134217729; // 2^27 + 1

function quickTwoSum(a: number, b: number): DD {
  const s = a + b;
  return [s, b - (s - a)];
}
function twoSum(a: number, b: number): DD {
  const s = a + b;
  const v = s - a;
  return [s, a - (s - v) + (b - v)];
}
function twoProd(a: number, b: number): DD {
  const p = a * b;
  let t = SPLITTER * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return [p, ah * bh - p + ah * bl + al * bh + al * bl];
}
function ddAdd(x: DD, y: DD): DD {
  const [s, e] = twoSum(x[0], y[0]);
  return quickTwoSum(s, e + x[1] + y[1]);
}
function ddMul(x: DD, y: DD): DD {
  const [p, e] = twoProd(x[0], y[0]);
  return quickTwoSum(p, e + x[0] * y[1] + x[1] * y[0]);
}
function ddDiv(x: DD, y: DD): DD {
  const q1 = x[0] / y[0];
  const r = ddAdd(x, ddMul(y, [-q1, 0]));
  const q2 = r[0] / y[0];
  const r2 = ddAdd(r, ddMul(y, [-q2, 0]));
  return ddAdd(quickTwoSum(q1, q2), [r2[0] / y[0], 0]);
}
const ONE: DD = [1, 0];
/** Lentz guards a denominator that is exactly zero. */
function nonZero(v: DD): DD {
  return Math.abs(v[0]) < TINY ? [TINY, 0] : v;
}

/**
 * Continued fraction of I_x(a,b) / [x^a (1−x)^b / (a B(a,b))] (DLMF 8.17.22) by the modified Lentz
 * method, in double-double; converges fast for x < (a+1)/(a+b+2). `x` and `y` = 1−x are double-doubles.
 */
function betaContinuedFraction(a: number, b: number, x: DD, y: DD): number {
  const A: DD = [a, 0];
  let c = ONE;
  // 1 − (a+b)x/(a+1), written with y: near the branch point it is ~1/a and the subtraction would cancel.
  let d = nonZero(ddDiv(ddAdd([1 - b, 0], ddMul(twoSum(a, b), y)), twoSum(a, 1)));
  d = ddDiv(ONE, d);
  let h = d;
  const step = (numerator: DD, denominator: DD): number => {
    const term = ddDiv(ddMul(numerator, x), denominator);
    d = nonZero(ddAdd(ONE, ddMul(term, d)));
    c = nonZero(ddAdd(ONE, ddDiv(term, c)));
    d = ddDiv(ONE, d);
    const delta = ddMul(d, c);
    h = ddMul(h, delta);
    return Math.abs(delta[0] - 1) + Math.abs(delta[1]);
  };
  for (let m = 1; m <= 100_000; m++) {
    const a2m = ddAdd(A, [2 * m, 0]);
    // even step: d_{2m} = m(b−m)x / ((a+2m−1)(a+2m))
    step(twoProd(m, b - m), ddMul(ddAdd(a2m, [-1, 0]), a2m));
    // odd step: d_{2m+1} = −(a+m)(a+b+m)x / ((a+2m)(a+2m+1))
    const change = step(ddMul(twoSum(-a, -m), ddAdd(twoSum(a, b), [m, 0])), ddMul(a2m, ddAdd(a2m, ONE)));
    if (change < 1e-17) break;
  }
  return h[0] + h[1];
}

/** A point of the beta argument: x, 1−x and their logarithms, each formed without cancellation. */
interface BetaPoint {
  x: DD;
  y: DD;
  logX: number;
  logY: number;
}

/**
 * Regularized incomplete beta I_x(a, b). The logarithms come from the caller because a·ln x is where
 * large `a` loses digits: ln of an x already rounded near 1 is off by 1e-16 absolute, times a = 5e4.
 */
function regularizedBeta(a: number, b: number, point: BetaPoint): number {
  if (point.x[0] <= 0) return 0;
  if (point.y[0] <= 0) return 1;
  if (point.x[0] > (a + 1) / (a + b + 2)) {
    return 1 - regularizedBeta(b, a, { x: point.y, y: point.x, logX: point.logY, logY: point.logX });
  }
  const logFront = a * point.logX + b * point.logY - logBeta(a, b) - Math.log(a);
  return Math.exp(logFront) * betaContinuedFraction(a, b, point.x, point.y);
}

/** P(T ≤ −|t|): the lower tail, where the result is small and must keep its relative precision. */
function lowerTail(t: number, df: number): number {
  if (!Number.isFinite(df)) return 0.5 * erfc(Math.abs(t) * SQRT1_2);
  const t2 = t * t;
  // x = df/(df+t²) and 1−x = t²/(df+t²), from whichever ratio is below 1 so that nothing cancels.
  let point: BetaPoint;
  if (t2 > df) {
    const r = df / t2;
    const onePlusR = twoSum(1, r);
    point = { x: ddDiv([r, 0], onePlusR), y: ddDiv(ONE, onePlusR), logX: Math.log(r) - Math.log1p(r), logY: -Math.log1p(r) };
  } else {
    const r = t2 / df;
    const onePlusR = twoSum(1, r);
    point = { x: ddDiv(ONE, onePlusR), y: ddDiv([r, 0], onePlusR), logX: -Math.log1p(r), logY: Math.log(r) - Math.log1p(r) };
  }
  return 0.5 * regularizedBeta(df / 2, 0.5, point);
}

/** P(T ≤ t) for Student's t with `df` degrees of freedom (df > 0; Infinity gives the normal). */
export function studentTCdf(t: number, df: number): number {
  if (Number.isNaN(t) || Number.isNaN(df) || df <= 0) return NaN;
  if (t === Infinity) return 1;
  if (t === -Infinity) return 0;
  const lower = lowerTail(t, df);
  return t <= 0 ? lower : 1 - lower;
}

/** Two-sided p-value of a t statistic: 2·P(T ≥ |t|), computed in the lower tail to avoid cancellation. */
export function twoSidedTP(t: number, df: number): number {
  if (Number.isNaN(t) || Number.isNaN(df) || df <= 0) return NaN;
  if (!Number.isFinite(t)) return 0;
  return Math.min(1, 2 * lowerTail(t, df));
}

/** erf(z) for 0 ≤ z ≤ 1 by its series of positive terms, e^(−z²)·Σ 2ⁿ z^(2n+1) / (2n+1)!! (no cancellation). */
function erfSeries(z: number): number {
  const z2 = z * z;
  let term = z;
  let sum = z;
  for (let n = 1; n < 200; n++) {
    term *= (2 * z2) / (2 * n + 1);
    sum += term;
    if (term < sum * EPS * 0.1) break;
  }
  return TWO_OVER_SQRT_PI * Math.exp(-z2) * sum;
}

/** erfc(z) for z > 0: 1 − erf below 1; above, the continued fraction e^(−z²)/√π · 1/(z + ½/(z + 1/(z + 3/2/(z + …)))). */
function erfc(z: number): number {
  if (z < ERFC_CF_FROM) return 1 - erfSeries(z);
  // Lentz on b0 = z, a_k = k/2, b_k = z.
  let f = z;
  let c = z;
  let d = 0;
  for (let k = 1; k < 5000; k++) {
    const a = k / 2;
    d = z + a * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = z + a / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < EPS) break;
  }
  return Math.exp(-z * z) / Math.sqrt(Math.PI) / f;
}

/** Acklam's rational approximation to the normal quantile for p ≤ ½ (relative error < 1.2e-9): a start. */
function acklamLower(p: number): number {
  if (p < 0.02425) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((-7.784894002430293e-3 * q - 3.223964580411365e-1) * q - 2.400758277161838) * q - 2.549732539343734) * q + 4.374664141464968) *
        q +
        2.938163982698783) /
      ((((7.784695709041462e-3 * q + 3.224671290700398e-1) * q + 2.445134137142996) * q + 3.754408661907416) * q + 1)
    );
  }
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((-3.969683028665376e1 * r + 2.209460984245205e2) * r - 2.759285104469687e2) * r + 1.38357751867269e2) * r - 3.066479806614716e1) *
      r +
      2.506628277459239) *
      q) /
    (((((-5.447609879822406e1 * r + 1.615858368580409e2) * r - 1.556989798598866e2) * r + 6.680131188771972e1) * r - 1.328068155288572e1) *
      r +
      1)
  );
}

/**
 * Φ(x) − p for x ≤ 0, in the form that keeps its digits: near the centre ½·erf(x/√2) − (p − ½) (p − ½ is
 * exact there), in the tail ½·erfc(|x|/√2) − p.
 */
function residual(x: number, p: number): number {
  const z = -x * SQRT1_2;
  return p >= 0.25 ? -0.5 * erfSeries(z) - (p - 0.5) : 0.5 * erfc(z) - p;
}

/** Quantile of the standard normal distribution: Φ⁻¹(p), ±Infinity at 0 and 1, NaN outside [0, 1]. */
export function normalQuantile(p: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p === 0.5) return 0;
  // Φ⁻¹(p) = −Φ⁻¹(1−p), and 1−p is exact for p ≥ ½: only the lower half is computed.
  if (p > 0.5) return -normalQuantile(1 - p);
  let x = acklamLower(p);
  for (let i = 0; i < 8; i++) {
    // Halley's step for f(x) = Φ(x) − p: f' = φ(x), f'' = −x·φ(x).
    const density = Math.exp(-0.5 * x * x - LN_SQRT_2PI);
    const u = residual(x, p) / density;
    const step = u / (1 + 0.5 * x * u);
    x -= step;
    if (Math.abs(step) <= 1e-15 * Math.abs(x)) break;
  }
  return x;
}
