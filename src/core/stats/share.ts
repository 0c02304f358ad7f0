// The second seed's "pro" share (Rystrøm, Kirk & Hale; process_wvs.py): which codes count as agreeing
// with the value statement. 10-point scales: codes above 5; 3-point: code 1; otherwise the lower half
// (codes ≤ max/2, so a 5-point midpoint counts as not-pro but stays in the denominator). Reversed items
// (the seed flips only E035) swap sides.

/** Whether `code` is on the pro side of a scale ending at `scaleMax`. */
export function isProCode(code: number, scaleMax: number, reversed: boolean): boolean {
  let pro: boolean;
  if (scaleMax === 10) pro = code > 5;
  else if (scaleMax === 3) pro = code === 1;
  else pro = code <= Math.floor(scaleMax / 2);
  return reversed ? !pro : pro;
}

/** Probability mass on the pro side of a distribution over codes (renormalised over non-negative codes). */
export function proShare(distribution: Record<string, number>, scaleMax: number, reversed: boolean): number {
  let pro = 0;
  let total = 0;
  for (const [key, p] of Object.entries(distribution)) {
    const code = Number(key);
    if (!Number.isFinite(code) || code < 0 || !(p > 0)) continue;
    total += p;
    if (isProCode(code, scaleMax, reversed)) pro += p;
  }
  return total > 0 ? pro / total : NaN;
}
