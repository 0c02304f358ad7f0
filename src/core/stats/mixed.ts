// Linear mixed models by REML with any number of random-effects terms, each a set of correlated effects
// (intercept and/or slopes) per level of a grouping factor — the model class of lme4's lmer, fitted the
// way lme4 fits it (Bates, Mächler, Bolker & Walker 2015, "Fitting Linear Mixed-Effects Models Using
// lme4", J. Stat. Softw. 67(1), §3):
//
//   y = Xβ + Zb + ε,  b = Λ_θ u,  u ~ N(0, σ² I_q),  ε ~ N(0, σ² I_n)
//   Λ_θ: block diagonal, one lower-triangular q_t × q_t template T_t per term, repeated per level.
//   L_θ L_θ' = Λ'Z'ZΛ + I;  R_X'R_X = X'X − R_ZX'R_ZX with L_θ R_ZX = Λ'Z'X;  (u, β) solve the penalised
//   least squares problem;  r² = ‖y − Xβ − ZΛu‖² + ‖u‖².
//   Profiled REML deviance  d_R(θ) = log|L_θ|² + log|R_X|² + (n − p)(1 + log(2π r² / (n − p))).
//
// θ (the template entries, column-wise lower triangle, diagonals ≥ 0) is optimised by Nelder–Mead and
// then polished by projected Newton steps on finite-difference derivatives, so the optimum is as precise
// as lme4's with a tight bobyqa tolerance; a diagonal that belongs at 0 (a singular fit) lands exactly on
// the boundary. σ̂² = r²/(n − p), vcov(β) = σ̂² (R_X'R_X)⁻¹, conditional modes b̂ = Λ_θ û.

export class ConvergenceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConvergenceError';
  }
}

/** Input that is well-formed but cannot be fitted (rank-deficient X, too few observations). */
export class ModelDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelDataError';
  }
}

export interface RandomBlock {
  /** Name shown for the term (the grouping column; `g.1` for a second term on the same column, as lme4). */
  group: string;
  /** The grouping column. */
  factor: string;
  /** Level names of the grouping factor and the level index per observation. */
  levels: string[];
  codes: number[];
  /** Effect names, e.g. ['(Intercept)', 'x'], and their values per observation (n × q_t). */
  columns: string[];
  Z: number[][];
}

export interface MixedInput {
  y: readonly number[];
  X: readonly (readonly number[])[];
  columns: readonly string[];
  blocks: readonly RandomBlock[];
}

export interface VarianceComponent {
  group: string;
  /** Effects of the term and their covariance matrix σ² T T'. */
  terms: string[];
  covariance: number[][];
}

export interface MixedResult {
  beta: number[];
  se: number[];
  t: number[];
  vcov: number[][];
  theta: number[];
  residualVariance: number;
  components: VarianceComponent[];
  /** REML log-likelihood (−d_R/2) and the REML criterion d_R, as lme4's logLik() and "REML criterion". */
  logLik: number;
  deviance: number;
  /** Conditional modes per block: blups[block][level][effect]. */
  blups: number[][][];
  singular: boolean;
  /** Smallest / largest eigenvalue of the criterion's Hessian in the free θ (≈ 0: a flat ridge). */
  hessianRatio: number | null;
  evaluations: number;
  n: number;
}

// ---------------------------------------------------------------- dense linear algebra, small p and q

/** Cholesky of a symmetric matrix (lower triangle read); null when not positive definite. `start[i]` is the
 * first column with a non-zero in row i (an envelope): entries left of it are zero in A and in L. */
function cholesky(a: number[][], start?: number[]): number[][] | null {
  const m = a.length;
  const l = a.map(() => new Array<number>(m).fill(0));
  for (let i = 0; i < m; i++) {
    const si = start ? start[i] : 0;
    const li = l[i];
    for (let j = si; j <= i; j++) {
      const lj = l[j];
      let s = a[i][j];
      const from = start ? Math.max(si, start[j]) : 0;
      for (let k = from; k < j; k++) s -= li[k] * lj[k];
      if (i === j) {
        if (!(s > 0)) return null;
        li[i] = Math.sqrt(s);
      } else li[j] = s / lj[j];
    }
  }
  return l;
}

/** Solves L z = b in place (forward substitution). */
function forward(l: number[][], b: number[], start?: number[]): number[] {
  for (let i = 0; i < b.length; i++) {
    let s = b[i];
    const li = l[i];
    for (let k = start ? start[i] : 0; k < i; k++) s -= li[k] * b[k];
    b[i] = s / li[i];
  }
  return b;
}

/** Solves L' x = b in place (back substitution). */
function backward(l: number[][], b: number[], start?: number[]): number[] {
  for (let i = b.length - 1; i >= 0; i--) {
    b[i] /= l[i][i];
    const v = b[i];
    const li = l[i];
    for (let k = start ? start[i] : 0; k < i; k++) b[k] -= li[k] * v;
  }
  return b;
}

function invertFromCholesky(l: number[][]): number[][] {
  const p = l.length;
  const inv: number[][] = [];
  for (let j = 0; j < p; j++) {
    const e = new Array<number>(p).fill(0);
    e[j] = 1;
    inv.push(backward(l, forward(l, e)));
  }
  return inv;
}

/** Names the columns of X that are linear combinations of earlier ones (lme4 would drop them). */
export function dependentColumns(X: readonly (readonly number[])[], columns: readonly string[]): string[] {
  const p = columns.length;
  const n = X.length;
  const basis: Float64Array[] = [];
  const out: string[] = [];
  for (let j = 0; j < p; j++) {
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) v[i] = X[i][j];
    const norm0 = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
    // Modified Gram–Schmidt, twice for stability.
    for (let pass = 0; pass < 2; pass++) {
      for (const qv of basis) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += qv[i] * v[i];
        for (let i = 0; i < n; i++) v[i] -= dot * qv[i];
      }
    }
    const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
    // lme4 decides rank with a pivoted QR at tolerance 1e-7; the same relative tolerance here.
    if (norm0 === 0 || norm <= 1e-7 * norm0) out.push(columns[j]);
    else basis.push(v.map((x) => x / norm));
  }
  return out;
}

// ---------------------------------------------------------------- optimisation

/** Nelder–Mead on a box with lower bounds (points are clamped into it). */
function nelderMead(f: (x: number[]) => number, x0: number[], lower: number[], maxEval: number): { x: number[]; fx: number } {
  const d = x0.length;
  const clamp = (x: number[]): number[] => x.map((v, i) => Math.max(lower[i], v));
  let simplex = [clamp(x0)];
  for (let k = 0; k < d; k++) {
    const x = x0.slice();
    x[k] += x[k] === 0 ? 0.25 : 0.25 * Math.max(1, Math.abs(x[k]));
    simplex.push(clamp(x));
  }
  let values = simplex.map(f);
  let evals = values.length;
  while (evals < maxEval) {
    const order = values.map((v, i) => i).sort((a, b) => values[a] - values[b]);
    simplex = order.map((i) => simplex[i]);
    values = order.map((i) => values[i]);
    const spread = Math.abs(values[d] - values[0]);
    let size = 0;
    for (let k = 1; k <= d; k++) for (let c = 0; c < d; c++) size = Math.max(size, Math.abs(simplex[k][c] - simplex[0][c]));
    if (spread <= 1e-11 * (1 + Math.abs(values[0])) && size <= 1e-7) break;
    const centroid = new Array<number>(d).fill(0);
    for (let k = 0; k < d; k++) for (let c = 0; c < d; c++) centroid[c] += simplex[k][c] / d;
    const along = (t: number): number[] => clamp(centroid.map((c, i) => c + t * (simplex[d][i] - c)));
    const xr = along(-1);
    const fr = f(xr);
    evals++;
    if (fr < values[0]) {
      const xe = along(-2);
      const fe = f(xe);
      evals++;
      if (fe < fr) {
        simplex[d] = xe;
        values[d] = fe;
      } else {
        simplex[d] = xr;
        values[d] = fr;
      }
    } else if (fr < values[d - 1]) {
      simplex[d] = xr;
      values[d] = fr;
    } else {
      const xc = fr < values[d] ? along(-0.5) : along(0.5);
      const fc = f(xc);
      evals++;
      if (fc < Math.min(fr, values[d])) {
        simplex[d] = xc;
        values[d] = fc;
      } else {
        for (let k = 1; k <= d; k++) {
          simplex[k] = clamp(simplex[k].map((v, i) => simplex[0][i] + 0.5 * (v - simplex[0][i])));
          values[k] = f(simplex[k]);
          evals++;
        }
      }
    }
  }
  let best = 0;
  for (let k = 1; k < values.length; k++) if (values[k] < values[best]) best = k;
  return { x: simplex[best], fx: values[best] };
}

/** Projected Newton steps with finite-difference gradient and Hessian; returns the gradient norm reached. */
function newtonPolish(
  f: (x: number[]) => number,
  x0: number[],
  lower: number[],
): { x: number[]; fx: number; gradient: number; hessian: number[][] } {
  let x = x0.slice();
  let fx = f(x);
  let gradNorm = Infinity;
  let hessian: number[][] = [];
  for (let iter = 0; iter < 100; iter++) {
    const h = x.map((v) => 1e-5 * Math.max(1, Math.abs(v)));
    const g = x.map((_, k) => {
      const up = x.slice();
      const down = x.slice();
      up[k] += h[k];
      down[k] -= h[k];
      return (f(up) - f(down)) / (2 * h[k]);
    });
    // At a bound with the slope pointing outwards the parameter stays there.
    const free = x.map((_, k) => k).filter((k) => !(x[k] <= lower[k] && g[k] > 0));
    gradNorm = free.reduce((m, k) => Math.max(m, Math.abs(g[k])), 0);
    if (!free.length) break;
    const hh = free.map((k) => 1e-4 * Math.max(1, Math.abs(x[k])));
    const H = free.map(() => new Array<number>(free.length).fill(0));
    const at = (shifts: [number, number][]): number => {
      const y = x.slice();
      for (const [k, s] of shifts) y[k] += s;
      return f(y);
    };
    for (let a = 0; a < free.length; a++) {
      const ka = free[a];
      H[a][a] = (at([[ka, hh[a]]]) - 2 * fx + at([[ka, -hh[a]]])) / (hh[a] * hh[a]);
      for (let b = 0; b < a; b++) {
        const kb = free[b];
        const v =
          (at([
            [ka, hh[a]],
            [kb, hh[b]],
          ]) -
            at([
              [ka, hh[a]],
              [kb, -hh[b]],
            ]) -
            at([
              [ka, -hh[a]],
              [kb, hh[b]],
            ]) +
            at([
              [ka, -hh[a]],
              [kb, -hh[b]],
            ])) /
          (4 * hh[a] * hh[b]);
        H[a][b] = v;
        H[b][a] = v;
      }
    }
    hessian = H;
    const gf = free.map((k) => g[k]);
    let step: number[] | null = null;
    const scale = Math.max(1e-12, ...H.map((r, i) => Math.abs(r[i])));
    for (let mu = 0; mu < 1e12 * scale && !step; mu = mu === 0 ? 1e-10 * scale : mu * 10) {
      const chol = cholesky(H.map((r, i) => r.map((v, j) => (i === j ? v + mu : v))));
      if (chol)
        step = backward(
          chol,
          forward(
            chol,
            gf.map((v) => -v),
          ),
        );
    }
    if (!step) break;
    let accepted = false;
    for (let alpha = 1, tries = 0; tries < 40; tries++, alpha /= 2) {
      const y = x.slice();
      free.forEach((k, i) => {
        y[k] = Math.max(lower[k], x[k] + alpha * (step as number[])[i]);
      });
      const fy = f(y);
      if (fy <= fx) {
        const moved = y.reduce((m, v, k) => Math.max(m, Math.abs(v - x[k]) / Math.max(1, Math.abs(x[k]))), 0);
        x = y;
        const gain = fx - fy;
        fx = fy;
        accepted = true;
        if (moved < 1e-11 || gain < 1e-14 * Math.max(1, Math.abs(fx))) return { x, fx, gradient: gradNorm, hessian };
        break;
      }
    }
    if (!accepted) break;
  }
  return { x, fx, gradient: gradNorm, hessian };
}

/** Eigenvalues of a small symmetric matrix (cyclic Jacobi rotations). */
export function symmetricEigenvalues(m: readonly (readonly number[])[]): number[] {
  const a = m.map((r) => r.slice());
  const d = a.length;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < d; i++) for (let j = i + 1; j < d; j++) off += a[i][j] * a[i][j];
    if (off < 1e-30) break;
    for (let p = 0; p < d; p++) {
      for (let q = p + 1; q < d; q++) {
        if (a[p][q] === 0) continue;
        const theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < d; k++) {
          const akp = a[k][p];
          const akq = a[k][q];
          a[k][p] = c * akp - s * akq;
          a[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < d; k++) {
          const apk = a[p][k];
          const aqk = a[q][k];
          a[p][k] = c * apk - s * aqk;
          a[q][k] = s * apk + c * aqk;
        }
      }
    }
  }
  return a.map((r, i) => r[i]);
}

// ---------------------------------------------------------------- the fit

/** Fits the model by REML. Throws ModelDataError for designs that cannot be fitted, ConvergenceError when
 * the optimiser does not reach a stationary point. */
export function fitLmm(input: MixedInput): MixedResult {
  const { y, X, blocks } = input;
  const n = y.length;
  const p = input.columns.length;
  if (X.length !== n || X.some((r) => r.length !== p)) throw new ModelDataError('X must have n rows of p columns');
  if (p === 0) throw new ModelDataError('the model has no fixed effects');
  if (n <= p) throw new ModelDataError(`${n} observations are too few for ${p} fixed effects`);
  const dependent = dependentColumns(X, input.columns);
  if (dependent.length) {
    throw new ModelDataError(
      `the fixed-effects design is rank deficient: ${dependent.join(', ')} ${dependent.length === 1 ? 'is a linear combination' : 'are linear combinations'} of earlier columns (lme4 would drop ${dependent.length === 1 ? 'it' : 'them'} and fit a smaller model; change the formula or the data)`,
    );
  }
  if (!blocks.length) throw new ModelDataError('the model needs at least one random-effects term, e.g. (1 | g)');
  // lme4's checks: each grouping factor needs 2+ levels and fewer levels than observations, and each term
  // fewer random effects than observations.
  for (const b of blocks) {
    if (b.levels.length < 2) throw new ModelDataError(`the grouping factor ${b.group} has only one level; it needs two or more`);
    if (b.levels.length >= n)
      throw new ModelDataError(
        `the grouping factor ${b.group} has ${b.levels.length} levels for ${n} observations; it needs fewer levels than observations`,
      );
    if (b.levels.length * b.columns.length >= n) {
      throw new ModelDataError(
        `the term for ${b.group} has ${b.levels.length * b.columns.length} random effects for ${n} observations; it needs fewer`,
      );
    }
  }
  const offsets: number[] = [];
  let q = 0;
  for (const b of blocks) {
    offsets.push(q);
    q += b.levels.length * b.columns.length;
  }
  // θ layout: per block, the lower triangle of T column by column; diagonals bounded below by 0.
  const thetaStart: number[] = [];
  const lower: number[] = [];
  const thetaOffset: number[] = [];
  for (const b of blocks) {
    thetaOffset.push(thetaStart.length);
    for (let c = 0; c < b.columns.length; c++) {
      for (let r = c; r < b.columns.length; r++) {
        thetaStart.push(r === c ? 1 : 0);
        lower.push(r === c ? 0 : -Infinity);
      }
    }
  }
  const templates = (theta: readonly number[]): number[][][] =>
    blocks.map((b, t) => {
      const m = b.columns.length;
      const T = Array.from({ length: m }, () => new Array<number>(m).fill(0));
      let k = thetaOffset[t];
      for (let c = 0; c < m; c++) for (let r = c; r < m; r++) T[r][c] = theta[k++];
      return T;
    });
  // Z as (index, value) pairs per observation, n × nz flat; and the θ-free cross-products Z'Z, Z'X, Z'y,
  // X'X, X'y, so that an evaluation costs O(q²·q_t + n·(p + nz)) rather than a pass that rebuilds them.
  const nz = blocks.reduce((s, b) => s + b.columns.length, 0);
  const zIdx = new Int32Array(n * nz);
  const zVal = new Float64Array(n * nz);
  for (let i = 0; i < n; i++) {
    let o = i * nz;
    blocks.forEach((b, t) => {
      const base = offsets[t] + b.codes[i] * b.columns.length;
      for (let k = 0; k < b.columns.length; k++, o++) {
        zIdx[o] = base + k;
        zVal[o] = b.Z[i][k];
      }
    });
  }
  // Envelope of A = Λ'Z'ZΛ + I: the smallest random-effect index sharing an observation with each index.
  const start = Array.from({ length: q }, (_, j) => j);
  for (let i = 0; i < n; i++) {
    let lo = q;
    for (let a = 0; a < nz; a++) lo = Math.min(lo, zIdx[i * nz + a]);
    for (let a = 0; a < nz; a++) {
      const j = zIdx[i * nz + a];
      if (lo < start[j]) start[j] = lo;
    }
  }
  const Xf = new Float64Array(n * p);
  for (let i = 0; i < n; i++) for (let k = 0; k < p; k++) Xf[i * p + k] = X[i][k];
  const XtX = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  const Xty = new Array<number>(p).fill(0);
  const ZtZ = Array.from({ length: q }, () => new Array<number>(q).fill(0));
  const ZtX = Array.from({ length: q }, () => new Array<number>(p).fill(0));
  const Zty = new Array<number>(q).fill(0);
  for (let i = 0; i < n; i++) {
    const xo = i * p;
    for (let j = 0; j < p; j++) {
      Xty[j] += Xf[xo + j] * y[i];
      for (let k = 0; k <= j; k++) XtX[j][k] += Xf[xo + j] * Xf[xo + k];
    }
    for (let a = 0; a < nz; a++) {
      const ja = zIdx[i * nz + a];
      const va = zVal[i * nz + a];
      Zty[ja] += va * y[i];
      for (let k = 0; k < p; k++) ZtX[ja][k] += va * Xf[xo + k];
      for (let b2 = 0; b2 < nz; b2++) ZtZ[ja][zIdx[i * nz + b2]] += va * zVal[i * nz + b2];
    }
  }
  for (let j = 0; j < p; j++) for (let k = 0; k < j; k++) XtX[k][j] = XtX[j][k];
  // The non-zeros of Z'Z (both triangles), for building Λ'Z'ZΛ at each θ without dense q × q passes.
  const nnz: [number, number, number][] = [];
  for (let m = 0; m < q; m++) for (let k = 0; k < q; k++) if (ZtZ[m][k] !== 0) nnz.push([m, k, ZtZ[m][k]]);
  const nnzRow = Int32Array.from(nnz, (e) => e[0]);
  const nnzCol = Int32Array.from(nnz, (e) => e[1]);
  const nnzVal = Float64Array.from(nnz, (e) => e[2]);
  // Which block (term) and which effect within its level each random-effect index is.
  const blockOf = new Int32Array(q);
  const effectOf = new Int32Array(q);
  blocks.forEach((b, t) => {
    for (let j = 0; j < b.levels.length * b.columns.length; j++) {
      blockOf[offsets[t] + j] = t;
      effectOf[offsets[t] + j] = j % b.columns.length;
    }
  });
  const df = n - p;

  interface State {
    deviance: number;
    beta: number[];
    u: number[];
    rx: number[][];
    sigma2: number;
    T: number[][][];
  }
  let evaluations = 0;
  const evaluate = (theta: readonly number[]): State | null => {
    evaluations++;
    const T = templates(theta);
    // (ΛM)[j] for a matrix M with q rows: row j of Λ' M = Σ_{r ≥ e} T[r][e] M[base + r], e = effect of j.
    const lambdaT = (rowOf: (j: number) => number[], width: number): number[][] => {
      const out: number[][] = [];
      for (let j = 0; j < q; j++) {
        const t = blockOf[j];
        const e = effectOf[j];
        const base = j - e;
        const Tt = T[t];
        const row = new Array<number>(width).fill(0);
        for (let r = e; r < Tt.length; r++) {
          const w = Tt[r][e];
          if (w === 0) continue;
          const src = rowOf(base + r);
          for (let k = 0; k < width; k++) row[k] += w * src[k];
        }
        out.push(row);
      }
      return out;
    };
    // A = Λ'Z'ZΛ from the non-zeros of Z'Z only (lower triangle kept): Λ[m][a] = T[e_m][e_a] within a level.
    const A = Array.from({ length: q }, () => new Array<number>(q).fill(0));
    for (let z = 0; z < nnzVal.length; z++) {
      const m = nnzRow[z];
      const nn = nnzCol[z];
      const em = effectOf[m];
      const en = effectOf[nn];
      const Tm = T[blockOf[m]][em];
      const Tn = T[blockOf[nn]][en];
      const v = nnzVal[z];
      for (let a2 = 0; a2 <= em; a2++) {
        const wa = Tm[a2] * v;
        if (wa === 0) continue;
        const a = m - em + a2;
        for (let b2 = 0; b2 <= en; b2++) {
          const b = nn - en + b2;
          if (b <= a) A[a][b] += wa * Tn[b2];
        }
      }
    }
    for (let j = 0; j < q; j++) A[j][j] += 1;
    const B = lambdaT((j) => ZtX[j], p);
    const c = lambdaT((j) => [Zty[j]], 1).map((r) => r[0]);
    const L = cholesky(A, start);
    if (!L) return null;
    const cu = forward(L, c, start);
    const RZX: number[][] = Array.from({ length: q }, () => new Array<number>(p).fill(0));
    for (let k = 0; k < p; k++) {
      const col = forward(
        L,
        B.map((r) => r[k]),
        start,
      );
      for (let j = 0; j < q; j++) RZX[j][k] = col[j];
    }
    const M = XtX.map((r) => r.slice());
    const rhs = Xty.slice();
    for (let j = 0; j < q; j++) {
      const r = RZX[j];
      for (let a = 0; a < p; a++) {
        rhs[a] -= r[a] * cu[j];
        for (let b2 = 0; b2 <= a; b2++) M[a][b2] -= r[a] * r[b2];
      }
    }
    for (let a = 0; a < p; a++) for (let b2 = 0; b2 < a; b2++) M[b2][a] = M[a][b2];
    const rx = cholesky(M);
    if (!rx) return null;
    const beta = backward(rx, forward(rx, rhs));
    const v = cu.map((x, j) => {
      let s = x;
      for (let k = 0; k < p; k++) s -= RZX[j][k] * beta[k];
      return s;
    });
    const u = backward(L, v, start);
    // b = Λu, then r² from the residuals themselves (not by subtraction) to keep full precision.
    const b = new Array<number>(q).fill(0);
    for (let j = 0; j < q; j++) {
      const e = effectOf[j];
      const Tt = T[blockOf[j]];
      for (let k = 0; k <= e; k++) b[j] += Tt[e][k] * u[j - e + k];
    }
    let r2 = 0;
    for (let i = 0; i < n; i++) {
      let fitted = 0;
      const xo = i * p;
      for (let k = 0; k < p; k++) fitted += Xf[xo + k] * beta[k];
      for (let a = 0; a < nz; a++) fitted += zVal[i * nz + a] * b[zIdx[i * nz + a]];
      const r = y[i] - fitted;
      r2 += r * r;
    }
    for (const x of u) r2 += x * x;
    let logDet = 0;
    for (let j = 0; j < q; j++) logDet += 2 * Math.log(L[j][j]);
    for (let k = 0; k < p; k++) logDet += 2 * Math.log(rx[k][k]);
    const deviance = logDet + df * (1 + Math.log((2 * Math.PI * r2) / df));
    return { deviance, beta, u, rx, sigma2: r2 / df, T };
  };
  const objective = (theta: number[]): number => {
    const s = evaluate(theta);
    return s && Number.isFinite(s.deviance) ? s.deviance : Infinity;
  };
  if (!Number.isFinite(objective(thetaStart)))
    throw new ConvergenceError(
      'the REML criterion cannot be evaluated at the starting values (is the response constant, or fitted exactly by the fixed effects?)',
    );
  const coarse = nelderMead(objective, thetaStart, lower, 400 * (thetaStart.length + 1));
  const polished = newtonPolish(objective, coarse.x, lower);
  const theta = polished.x;
  const best = evaluate(theta);
  if (!best) throw new ConvergenceError('the REML criterion cannot be evaluated at the optimum');
  if (!(polished.gradient <= 1e-3)) {
    throw new ConvergenceError(
      `the optimiser stopped with a gradient of ${polished.gradient.toExponential(2)} in θ (not a stationary point)`,
    );
  }
  const inv = invertFromCholesky(best.rx);
  const vcov = inv.map((r) => r.map((v) => v * best.sigma2));
  const se = vcov.map((r, j) => Math.sqrt(r[j]));
  const components: VarianceComponent[] = blocks.map((b, t) => {
    const T = best.T[t];
    const m = b.columns.length;
    const cov = Array.from({ length: m }, (_, r) =>
      Array.from({ length: m }, (_, c) => {
        let s = 0;
        for (let k = 0; k < m; k++) s += T[r][k] * T[c][k];
        return s * best.sigma2;
      }),
    );
    return { group: b.group, terms: b.columns.slice(), covariance: cov };
  });
  const blups = blocks.map((b, t) =>
    b.levels.map((_, level) => {
      const base = offsets[t] + level * b.columns.length;
      const m = b.columns.length;
      return Array.from({ length: m }, (_, r) => {
        let s = 0;
        for (let k = 0; k <= r; k++) s += best.T[t][r][k] * best.u[base + k];
        return s;
      });
    }),
  );
  let singular = false;
  blocks.forEach((b, t) => {
    for (let c = 0; c < b.columns.length; c++) if (best.T[t][c][c] < 1e-4) singular = true;
  });
  const eig = polished.hessian.length ? symmetricEigenvalues(polished.hessian) : [];
  const hessianRatio = eig.length ? Math.min(...eig) / Math.max(...eig.map(Math.abs)) : null;
  return {
    beta: best.beta,
    se,
    t: best.beta.map((x, j) => x / se[j]),
    vcov,
    theta,
    residualVariance: best.sigma2,
    components,
    logLik: -best.deviance / 2,
    deviance: best.deviance,
    blups,
    singular,
    hessianRatio,
    evaluations,
    n,
  };
}
