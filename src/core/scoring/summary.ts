// Summary statistics of an option distribution: expected score, mode and Shannon entropy (nats).

import type { OptionLabel } from '../prompt/labels';

export interface DistributionSummary {
  /** Σ p_k · s_k; NaN when the distribution is empty (all zero). */
  mean: number;
  /** Code of the most probable option (lowest code on ties); NaN when empty. */
  mode: number;
  /** −Σ p ln p in nats; NaN when empty. */
  entropy: number;
}

// The requests of one scale share one labels array: it is sorted once (again when its length changes).
const sortedLabels = new WeakMap<OptionLabel[], OptionLabel[]>();

function byCode(labels: OptionLabel[]): OptionLabel[] {
  let sorted = sortedLabels.get(labels);
  if (!sorted || sorted.length !== labels.length) {
    sorted = [...labels].sort((a, b) => a.code - b.code);
    sortedLabels.set(labels, sorted);
  }
  return sorted;
}

export function summarize(probabilities: Record<string, number>, labels: OptionLabel[]): DistributionSummary {
  let total = 0;
  for (const { code } of labels) total += probabilities[String(code)] ?? 0;
  if (!(total > 0)) return { mean: NaN, mode: NaN, entropy: NaN };
  let mean = 0;
  let entropy = 0;
  let mode = NaN;
  let best = -Infinity;
  // Sort by code so ties resolve the same way whatever the display order was.
  for (const { code, score } of byCode(labels)) {
    // Renormalise defensively: callers may pass a distribution that sums to slightly off 1.
    const p = (probabilities[String(code)] ?? 0) / total;
    mean += p * score;
    if (p > 0) entropy -= p * Math.log(p);
    if (p > best) {
      best = p;
      mode = code;
    }
  }
  return { mean, mode, entropy };
}
