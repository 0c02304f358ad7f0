// First-token logprobs → distribution over the options. The model may emit a label as "1", " 1", "▁1"
// (SentencePiece) or "Ġ1" (byte-level BPE), in either case for letters; all of these are the same answer.
// Anything else ("1.", "10", "One") is not an option and counts toward the missing mass.

import type { TokenAlternative } from '../model';
import type { OptionLabel } from '../prompt/labels';

export interface LogprobDistribution {
  /** Probability per option code (string keys), renormalised over the options; all 0 when none was seen. */
  probabilities: Record<string, number>;
  /** 1 − the raw probability mass that fell on option labels. */
  missMass: number;
}

/** OpenAI's placeholder for "not in the top 20". */
const FLOOR_LOGPROB = -9999;

/** The label a token stands for, after dropping whitespace, tokenizer word markers and case. */
export function normaliseToken(token: string): string {
  return token
    .replace(/^[\s\u2581\u0120]+/u, '')
    .replace(/\s+$/u, '')
    .toUpperCase();
}

// A run scores thousands of answers whose ~20 alternatives are mostly the same few token strings, and the
// requests of one scale share one labels array: each token is normalised once, each array indexed once.
const MAX_NORMALISED = 10_000;
const normalised = new Map<string, string>();
const labelIndex = new WeakMap<OptionLabel[], { length: number; byLabel: Map<string, OptionLabel> }>();

function normalisedToken(token: string): string {
  let out = normalised.get(token);
  if (out === undefined) {
    out = normaliseToken(token);
    if (normalised.size < MAX_NORMALISED) normalised.set(token, out);
  }
  return out;
}

function byLabelOf(labels: OptionLabel[]): Map<string, OptionLabel> {
  let index = labelIndex.get(labels);
  // A grown or shrunk array (one being built) is indexed again.
  if (!index || index.length !== labels.length) {
    index = { length: labels.length, byLabel: new Map(labels.map((l) => [l.label.toUpperCase(), l])) };
    labelIndex.set(labels, index);
  }
  return index.byLabel;
}

export function distributionFromLogprobs(alternatives: TokenAlternative[], labels: OptionLabel[]): LogprobDistribution {
  const byLabel = byLabelOf(labels);
  // Duplicate token strings (some servers repeat entries) would count twice: keep the highest.
  const seen = new Map<string, number>();
  for (const { token, logprob } of alternatives) {
    if (!Number.isFinite(logprob) || logprob <= FLOOR_LOGPROB) continue;
    const prev = seen.get(token);
    if (prev === undefined || logprob > prev) seen.set(token, logprob);
  }
  // Group the logprobs per option, then merge each group with logsumexp for numerical stability.
  const groups = new Map<number, number[]>();
  for (const [token, logprob] of seen) {
    const label = byLabel.get(normalisedToken(token));
    if (!label) continue;
    const list = groups.get(label.code) ?? [];
    list.push(logprob);
    groups.set(label.code, list);
  }
  const raw = new Map<number, number>();
  let mass = 0;
  for (const [code, list] of groups) {
    const p = Math.exp(logSumExp(list));
    raw.set(code, p);
    mass += p;
  }
  const probabilities: Record<string, number> = {};
  for (const { code } of labels) probabilities[String(code)] = mass > 0 ? (raw.get(code) ?? 0) / mass : 0;
  return { probabilities, missMass: clamp01(1 - mass) };
}

export function logSumExp(values: number[]): number {
  if (values.length === 0) return -Infinity;
  const max = Math.max(...values);
  if (max === -Infinity) return -Infinity;
  let sum = 0;
  for (const v of values) sum += Math.exp(v - max);
  return max + Math.log(sum);
}

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}
