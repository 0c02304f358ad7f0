// Linear mixed-effects model with one random intercept, fitted by REML — the second seed's RQ1 model
// (statsmodels mixedlm, random intercept per model). No maintained npm package exists, so this is a
// direct implementation of the profiled REML criterion that lme4 optimises:
//
//   y = Xβ + Zu + e,  u ~ N(0, σ²λ I_G),  e ~ N(0, σ² I_n),  H = I + λ ZZ'  (block-diagonal per group)
//   β̂(λ) = (X'H⁻¹X)⁻¹ X'H⁻¹y,   Q(λ) = (y − Xβ̂)' H⁻¹ (y − Xβ̂),   σ̂²(λ) = Q / (n − p)
//   −2 ℓ_R(λ) = log|H| + log|X'H⁻¹X| + (n − p)(1 + log(2π Q / (n − p)))
//
// With one grouping factor H⁻¹ is I − c_g 11' within group g, c_g = λ/(1 + λ n_g), and |H| = Π(1 + λ n_g),
// so each evaluation costs O(n·p + G·p² + p³). λ is found by a grid over log λ followed by Brent's method;
// λ = 0 (a singular fit, as lme4 calls it) is checked explicitly.
import { twoSidedTP } from './distributions';

export interface RandomInterceptInput {
  /** Response, length n. */
  y: readonly number[];
  /** Design matrix rows (n × p), including an intercept column if wanted. */
  X: readonly (readonly number[])[];
  /** Group id per observation (e.g. the model name). */
  groups: readonly (string | number)[];
}

export interface RandomInterceptFit {
  beta: number[];
  /** Standard errors of β: √diag(σ̂² (X'H⁻¹X)⁻¹), as lme4's vcov(). */
  se: number[];
  /** Wald t = β/SE and a two-sided p on n − p df — approximate (lme4 reports no p; see docs). */
  t: number[];
  p: number[];
  /** Variance of the random intercept (σ²λ) and of the residual (σ²). */
  groupVariance: number;
  residualVariance: number;
  /** REML log-likelihood at the optimum (lme4's logLik(fit) with REML = TRUE). */
  logLik: number;
  /** λ = σ²_u/σ² and lme4's θ = √λ. */
  lambda: number;
  theta: number;
  n: number;
  groupsCount: number;
  /** Predicted random intercepts (BLUPs) per group. */
  groupEffects: Record<string, number>;
  singular: boolean;
}

function cholesky(a: number[][]): number[][] | null {
  const p = a.length;
  const l = a.map(() => new Array<number>(p).fill(0));
  for (let i = 0; i < p; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i][j];
      for (let k = 0; k < j; k++) s -= l[i][k] * l[j][k];
      if (i === j) {
        if (!(s > 0)) return null;
        l[i][i] = Math.sqrt(s);
      } else l[i][j] = s / l[j][j];
    }
  }
  return l;
}

function cholSolve(l: number[][], b: readonly number[]): number[] {
  const p = l.length;
  const z = new Array<number>(p);
  for (let i = 0; i < p; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i][k] * z[k];
    z[i] = s / l[i][i];
  }
  const x = new Array<number>(p);
  for (let i = p - 1; i >= 0; i--) {
    let s = z[i];
    for (let k = i + 1; k < p; k++) s -= l[k][i] * x[k];
    x[i] = s / l[i][i];
  }
  return x;
}

/** Brent's method (golden section + parabolic interpolation) for a minimum of f on [a, b]. */
export function brentMinimize(f: (x: number) => number, a: number, b: number, tol = 1e-10, maxIter = 200): { x: number; fx: number } {
  const golden = 0.381966011250105;
  let x = a + golden * (b - a);
  let w = x;
  let v = x;
  let fx = f(x);
  let fw = fx;
  let fv = fx;
  let d = 0;
  let e = 0;
  for (let iter = 0; iter < maxIter; iter++) {
    const m = (a + b) / 2;
    const tol1 = tol * Math.abs(x) + 1e-12;
    const tol2 = 2 * tol1;
    if (Math.abs(x - m) <= tol2 - (b - a) / 2) break;
    let useGolden = true;
    if (Math.abs(e) > tol1) {
      let r = (x - w) * (fx - fv);
      let q = (x - v) * (fx - fw);
      let p = (x - v) * q - (x - w) * r;
      q = 2 * (q - r);
      if (q > 0) p = -p;
      else q = -q;
      r = e;
      e = d;
      if (Math.abs(p) < Math.abs(0.5 * q * r) && p > q * (a - x) && p < q * (b - x)) {
        d = p / q;
        const u = x + d;
        if (u - a < tol2 || b - u < tol2) d = x < m ? tol1 : -tol1;
        useGolden = false;
      }
    }
    if (useGolden) {
      e = (x < m ? b : a) - x;
      d = golden * e;
    }
    const u = Math.abs(d) >= tol1 ? x + d : x + (d > 0 ? tol1 : -tol1);
    const fu = f(u);
    if (fu <= fx) {
      if (u < x) b = x;
      else a = x;
      v = w;
      fv = fw;
      w = x;
      fw = fx;
      x = u;
      fx = fu;
    } else {
      if (u < x) a = u;
      else b = u;
      if (fu <= fw || w === x) {
        v = w;
        fv = fw;
        w = u;
        fw = fu;
      } else if (fu <= fv || v === x || v === w) {
        v = u;
        fv = fu;
      }
    }
  }
  return { x, fx };
}

/**
 * Fits y ~ X + (1 | group) by REML. Throws on malformed input (mismatched lengths, n ≤ p, a rank-deficient
 * X): callers build the design themselves and a silent wrong answer would be worse.
 */
export function fitRandomIntercept(input: RandomInterceptInput): RandomInterceptFit {
  const { y, X, groups } = input;
  const n = y.length;
  const p = X[0]?.length ?? 0;
  if (X.length !== n || groups.length !== n) throw new Error('y, X and groups must have the same length');
  if (p === 0 || n <= p) throw new Error(`need more observations (${n}) than fixed effects (${p})`);
  if (X.some((row) => row.length !== p)) throw new Error('every row of X needs the same number of columns');
  const groupIndex = new Map<string, number>();
  const g = groups.map((id) => {
    const key = String(id);
    if (!groupIndex.has(key)) groupIndex.set(key, groupIndex.size);
    return groupIndex.get(key) as number;
  });
  const G = groupIndex.size;
  const size = new Array<number>(G).fill(0);
  const xSum = Array.from({ length: G }, () => new Array<number>(p).fill(0));
  const ySum = new Array<number>(G).fill(0);
  const XtX = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  const Xty = new Array<number>(p).fill(0);
  for (let i = 0; i < n; i++) {
    const row = X[i];
    size[g[i]]++;
    ySum[g[i]] += y[i];
    for (let j = 0; j < p; j++) {
      xSum[g[i]][j] += row[j];
      Xty[j] += row[j] * y[i];
      for (let k = 0; k <= j; k++) XtX[j][k] += row[j] * row[k];
    }
  }
  for (let j = 0; j < p; j++) for (let k = 0; k < j; k++) XtX[k][j] = XtX[j][k];

  interface Eval {
    deviance: number;
    beta: number[];
    chol: number[][];
    sigma2: number;
    groupResid: number[];
  }
  const evaluate = (lambda: number): Eval | null => {
    const A = XtX.map((r) => r.slice());
    const b = Xty.slice();
    let logDetH = 0;
    for (let k = 0; k < G; k++) {
      const c = lambda / (1 + lambda * size[k]);
      logDetH += Math.log1p(lambda * size[k]);
      for (let j = 0; j < p; j++) {
        b[j] -= c * xSum[k][j] * ySum[k];
        for (let l = 0; l < p; l++) A[j][l] -= c * xSum[k][j] * xSum[k][l];
      }
    }
    const chol = cholesky(A);
    if (!chol) return null;
    const beta = cholSolve(chol, b);
    // Q from the residuals themselves (not y'H⁻¹y − b'β) to avoid cancellation when the fit is close.
    let rr = 0;
    const groupResid = new Array<number>(G).fill(0);
    for (let i = 0; i < n; i++) {
      let fitted = 0;
      for (let j = 0; j < p; j++) fitted += X[i][j] * beta[j];
      const r = y[i] - fitted;
      rr += r * r;
      groupResid[g[i]] += r;
    }
    let Q = rr;
    for (let k = 0; k < G; k++) Q -= (lambda / (1 + lambda * size[k])) * groupResid[k] * groupResid[k];
    const df = n - p;
    let logDetA = 0;
    for (let j = 0; j < p; j++) logDetA += 2 * Math.log(chol[j][j]);
    const deviance = logDetH + logDetA + df * (1 + Math.log((2 * Math.PI * Q) / df));
    return { deviance, beta, chol, sigma2: Q / df, groupResid };
  };

  const zero = evaluate(0);
  if (!zero) throw new Error('the design matrix X is rank-deficient');
  const dev = (t: number): number => evaluate(Math.exp(t))?.deviance ?? Infinity;
  // Coarse grid on log λ first: the profiled criterion can be flat, and Brent needs a good bracket.
  const lo = -16;
  const hi = 10;
  const step = 0.5;
  let bestT = lo;
  let bestDev = Infinity;
  for (let t = lo; t <= hi + 1e-9; t += step) {
    const d = dev(t);
    if (d < bestDev) {
      bestDev = d;
      bestT = t;
    }
  }
  const refined = brentMinimize(dev, Math.max(lo - step, bestT - step), Math.min(hi + step, bestT + step), 1e-12);
  let lambda = Math.exp(refined.x);
  let best = evaluate(lambda) as Eval;
  let singular = false;
  if (zero.deviance <= best.deviance) {
    lambda = 0;
    best = zero;
    singular = true;
  }
  const df = n - p;
  const se: number[] = [];
  for (let j = 0; j < p; j++) {
    const unit = new Array<number>(p).fill(0);
    unit[j] = 1;
    se.push(Math.sqrt(best.sigma2 * cholSolve(best.chol, unit)[j]));
  }
  const t = best.beta.map((b, j) => b / se[j]);
  const pValues = t.map((tv) => twoSidedTP(tv, df));
  const groupEffects: Record<string, number> = {};
  for (const [key, k] of groupIndex) groupEffects[key] = (lambda / (1 + lambda * size[k])) * best.groupResid[k];
  return {
    beta: best.beta,
    se,
    t,
    p: pValues,
    groupVariance: lambda * best.sigma2,
    residualVariance: best.sigma2,
    logLik: -best.deviance / 2,
    lambda,
    theta: Math.sqrt(lambda),
    n,
    groupsCount: G,
    groupEffects,
    singular,
  };
}
