// Distances between two option distributions over the same ordered codes (model vs human).

function aligned(p: Record<string, number>, q: Record<string, number>): { codes: number[]; a: number[]; b: number[] } {
  const codes = [...new Set([...Object.keys(p), ...Object.keys(q)].map(Number))].filter(Number.isFinite).sort((x, y) => x - y);
  const norm = (d: Record<string, number>): number[] => {
    const v = codes.map((c) => Math.max(0, d[String(c)] ?? 0));
    const s = v.reduce((t, x) => t + x, 0);
    return s > 0 ? v.map((x) => x / s) : v;
  };
  return { codes, a: norm(p), b: norm(q) };
}

/**
 * Jensen–Shannon divergence in bits: ½ KL(P‖M) + ½ KL(Q‖M), M = ½(P+Q); 0 for equal, 1 for disjoint
 * distributions. Inputs are renormalised; NaN when either is empty.
 */
export function jensenShannon(p: Record<string, number>, q: Record<string, number>): number {
  const { a, b } = aligned(p, q);
  if (!a.some((x) => x > 0) || !b.some((x) => x > 0)) return NaN;
  let js = 0;
  for (let i = 0; i < a.length; i++) {
    const m = (a[i] + b[i]) / 2;
    if (a[i] > 0) js += 0.5 * a[i] * Math.log2(a[i] / m);
    if (b[i] > 0) js += 0.5 * b[i] * Math.log2(b[i] / m);
  }
  return Math.min(1, Math.max(0, js));
}

/**
 * Ordinal earth mover's distance divided by its maximum: Σ_k |F_P(k) − F_Q(k)| over the K ordered
 * positions, / (K − 1) — OpinionQA's normalisation, so 1 means all mass at opposite ends. Positions are
 * the scale's codes `scaleMin..scaleMax` when given (options with zero mass count), else the codes seen.
 */
export function ordinalWasserstein(p: Record<string, number>, q: Record<string, number>, scale?: { min: number; max: number }): number {
  let { codes, a, b } = aligned(p, q);
  if (scale) {
    const all: number[] = [];
    for (let c = scale.min; c <= scale.max; c++) all.push(c);
    const ia = new Map(codes.map((c, i) => [c, i]));
    a = all.map((c) => (ia.has(c) ? a[ia.get(c) as number] : 0));
    b = all.map((c) => (ia.has(c) ? b[ia.get(c) as number] : 0));
    codes = all;
  }
  const K = codes.length;
  if (K < 2 || !a.some((x) => x > 0) || !b.some((x) => x > 0)) return K === 1 ? 0 : NaN;
  let fa = 0;
  let fb = 0;
  let d = 0;
  for (let i = 0; i < K - 1; i++) {
    fa += a[i];
    fb += b[i];
    d += Math.abs(fa - fb);
  }
  return d / (K - 1);
}
