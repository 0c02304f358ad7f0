// Token alternatives as a server reports them are outside input: a token that is not a string, or a
// log-probability that is not finite or above 0 (a probability over 1), makes the answer unusable. Such an
// answer is a parse failure of that request (counted, never retried), not a crash and not a distribution.

import { ProviderError, type TokenAlternative } from '../core/model';

/** log p may exceed 0 by rounding only (servers print float32 values). */
const LOGPROB_TOLERANCE = 1e-4;

export function checkedAlternatives(list: readonly unknown[], origin: string): TokenAlternative[] {
  return list.map((entry, index) => {
    const token = entry && typeof entry === 'object' ? (entry as { token?: unknown }).token : undefined;
    const logprob = entry && typeof entry === 'object' ? (entry as { logprob?: unknown }).logprob : undefined;
    if (typeof token !== 'string') {
      throw new ProviderError(
        `Answer from ${origin} has an unusable logprobs entry ${index}: the token is ${token === null ? 'null' : typeof token}`,
        'parse',
      );
    }
    if (typeof logprob !== 'number' || !Number.isFinite(logprob) || logprob > LOGPROB_TOLERANCE) {
      throw new ProviderError(
        `Answer from ${origin} has an impossible log-probability ${String(logprob)} (entry ${index}); a log-probability is finite and at most 0`,
        'parse',
      );
    }
    return { token, logprob: Math.min(0, logprob) };
  });
}
