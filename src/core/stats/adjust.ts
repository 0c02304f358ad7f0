// Multiplicity corrections across a grid of tests (docs/analyses.md §7), as R's p.adjust computes them:
// nulls (and non-finite values) are passed through and not counted among the m tests.

type P = number | null;

function present(p: readonly P[]): number[] {
  const idx: number[] = [];
  p.forEach((v, i) => {
    if (v !== null && Number.isFinite(v)) idx.push(i);
  });
  return idx;
}

/** Holm (1979) step-down: p̃₍ᵢ₎ = max_{j ≤ i} min(1, (m − j + 1)·p₍ⱼ₎), p sorted ascending. */
export function adjustHolm(p: readonly P[]): P[] {
  const idx = present(p);
  const m = idx.length;
  const out: P[] = p.map(() => null);
  // Stable ascending order, as R's order(): ties keep their input order (the cummax makes them equal anyway).
  const order = [...idx].sort((a, b) => (p[a] as number) - (p[b] as number) || a - b);
  let running = 0;
  order.forEach((i, j) => {
    running = Math.max(running, (m - j) * (p[i] as number));
    out[i] = Math.min(1, running);
  });
  return out;
}

/** Benjamini & Hochberg (1995) step-up: p̃₍ᵢ₎ = min_{j ≥ i} min(1, m/j·p₍ⱼ₎), p sorted ascending. */
export function adjustBH(p: readonly P[]): P[] {
  const idx = present(p);
  const m = idx.length;
  const out: P[] = p.map(() => null);
  const order = [...idx].sort((a, b) => (p[b] as number) - (p[a] as number) || a - b);
  let running = Infinity;
  order.forEach((i, j) => {
    const rank = m - j; // 1-based rank in ascending order
    running = Math.min(running, (m / rank) * (p[i] as number));
    out[i] = Math.min(1, running);
  });
  return out;
}
