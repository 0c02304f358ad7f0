// When to retry a failed request and how long to wait first. Policy (security-reliability notes §8):
// retry 408/409/429/5xx, timeouts and connection resets; never 400/401/403/404/422 or a user abort;
// honour Retry-After (never wait less than asked, give up when asked for more than the cap); otherwise
// exponential backoff with full jitter.

import { ProviderError } from '../model';

export interface RetryPolicy {
  /** Total attempts including the first (default 4). */
  maxAttempts: number;
  /** Backoff base: attempt k (1-based retry) waits up to base·2^(k-1) (default 500 ms). */
  baseDelayMs: number;
  /** Backoff ceiling without Retry-After (default 8 s). */
  maxDelayMs: number;
  /** The longest Retry-After honoured; a server asking for more ends the request (default 60 s). */
  maxRetryAfterMs: number;
  /** Source of jitter in [0, 1); injectable for tests. */
  random: () => number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 60_000,
  random: Math.random,
};

export type RetryDecision = { retry: true; delayMs: number } | { retry: false; reason: string };

const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'UND_ERR_SOCKET', 'EAI_AGAIN']);

/** Whether `error` is worth another attempt, independent of attempt counts. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof ProviderError) return error.retryable;
  const code =
    (error as { code?: unknown; cause?: { code?: unknown } } | undefined)?.code ??
    (error as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  return typeof code === 'string' && NETWORK_CODES.has(code);
}

/** `attempt` is the number of attempts made so far (1 after the first failure). */
export function decideRetry(error: unknown, attempt: number, policy: RetryPolicy): RetryDecision {
  if (!isRetryable(error)) return { retry: false, reason: 'not retryable' };
  if (attempt >= policy.maxAttempts) return { retry: false, reason: `gave up after ${attempt} attempts` };
  const retryAfter = error instanceof ProviderError ? error.retryAfterMs : undefined;
  if (retryAfter !== undefined && Number.isFinite(retryAfter) && retryAfter >= 0) {
    if (retryAfter > policy.maxRetryAfterMs) {
      return {
        retry: false,
        reason: `server asked to wait ${Math.round(retryAfter / 1000)} s, more than the ${Math.round(policy.maxRetryAfterMs / 1000)} s cap`,
      };
    }
    // A little jitter on top so that many clients told the same time do not return in lockstep.
    return { retry: true, delayMs: Math.ceil(retryAfter + policy.random() * Math.min(250, retryAfter * 0.1)) };
  }
  return { retry: true, delayMs: backoffDelay(attempt, policy) };
}

/** Full jitter: uniform in [0, min(cap, base·2^(attempt-1))]. */
export function backoffDelay(attempt: number, policy: RetryPolicy): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(policy.random() * ceiling);
}

/**
 * Milliseconds to wait from `retry-after-ms` (float ms) or `Retry-After` (seconds or an HTTP date).
 * Undefined when absent or unusable (a negative number is unusable, not a date); never negative.
 */
export function parseRetryAfter(headers: { get(name: string): string | null } | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms !== null && ms.trim() !== '' && Number.isFinite(Number(ms)) && Number(ms) >= 0) return Math.round(Number(ms));
  const value = headers.get('retry-after');
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds >= 0 ? Math.round(seconds * 1000) : undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Resolves after `ms`, or rejects at once when `signal` aborts. No timers survive an abort. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortReason(signal!));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new ProviderError('The run was cancelled', 'aborted');
}
