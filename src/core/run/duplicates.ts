// Several results for one request identity (same item, language, template, paraphrase, model, method,
// option order, country and round) are normal after a re-run, and analysis keeps the latest. When they
// disagree, that choice hides a difference the user should know about: count such identities so callers
// can say so (issue 18: contradictory duplicates were pooled silently).

import type { RunRecord } from '../results';

export interface DuplicateReport {
  /** Identities with more than one result. */
  duplicated: number;
  /** Of those, identities whose results differ in their probabilities (beyond float noise). */
  contradictory: number;
  /** Up to 5 examples: "Q1 [en] model m". */
  examples: string[];
}

const TOLERANCE = 1e-9;

function sameDistribution(a: Record<string, number>, b: Record<string, number>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) if (Math.abs((a[k] ?? 0) - (b[k] ?? 0)) > TOLERANCE) return false;
  return true;
}

export function findDuplicates(records: readonly RunRecord[]): DuplicateReport {
  const first = new Map<string, Record<string, number>>();
  const counted = new Set<string>();
  const contradictory = new Set<string>();
  const examples: string[] = [];
  for (const r of records) {
    if (r.kind !== 'result') continue;
    const key = JSON.stringify([
      r.study ?? null,
      r.itemId,
      r.language,
      r.template,
      r.paraphrase ?? null,
      r.modelId ?? r.model,
      r.method,
      r.optionOrder,
      r.country ?? null,
      r.round ?? 0,
    ]);
    const seen = first.get(key);
    if (!seen) {
      first.set(key, r.probabilities);
      continue;
    }
    counted.add(key);
    if (!contradictory.has(key) && !sameDistribution(seen, r.probabilities)) {
      contradictory.add(key);
      if (examples.length < 5) examples.push(`${r.itemId} [${r.language}] model ${r.model}`);
    }
  }
  return { duplicated: counted.size, contradictory: contradictory.size, examples };
}
