// Continuation log-likelihoods → distribution over the options (method 'loglik'). The server scores the
// prompt followed by each option's label ("Answer:" + " 3") and reports log p(label | prompt), summed over
// the label's tokens, for every option, whether or not it is among the 20 most likely next tokens. This is
// the multiple-choice scoring of lm-evaluation-harness and of Dominguez-Olmedo et al. 2023 (arXiv
// 2306.07951): p_k = exp(ℓ_k) / Σ_j exp(ℓ_j). What the model puts on continuations that are no option
// is exact here too: 1 − Σ_j exp(ℓ_j).

import type { OptionLabel } from '../prompt/labels';
import { logSumExp, type LogprobDistribution } from './logprobs';

/**
 * The continuation scored for each label, in label order: the label after a space, as a base model
 * continues "Answer:" (core/prompt/plain.ts ends the prompt there with no trailing space); without the
 * space when the prompt already ends in whitespace.
 */
export function continuationsFor(prompt: string, labels: OptionLabel[]): string[] {
  const space = /\s$/u.test(prompt) ? '' : ' ';
  return labels.map((l) => space + l.label);
}

/**
 * The distribution from one log-likelihood per label (same order as `labels`). Undefined when a value is
 * missing or not a finite log-probability: such an answer is not scored, never read as 0.
 */
export function distributionFromLoglik(logliks: readonly number[], labels: OptionLabel[]): LogprobDistribution | undefined {
  if (logliks.length !== labels.length || labels.length === 0) return undefined;
  if (!logliks.every((l) => Number.isFinite(l) && l <= 1e-9)) return undefined;
  const logZ = logSumExp([...logliks]);
  const probabilities: Record<string, number> = {};
  labels.forEach((label, k) => (probabilities[String(label.code)] = Math.exp(logliks[k] - logZ)));
  const onOptions = Math.exp(logZ);
  return { probabilities, missMass: Math.min(1, Math.max(0, 1 - onOptions)) };
}
