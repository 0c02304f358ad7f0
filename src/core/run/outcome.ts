// What one attempt at a request came to, and the failure records and messages made from it: shared by the
// sender (retries), the response source (cache, sharing) and the execution of a planned request.

import { redactSecrets } from '../log';
import { ProviderError, type CompletionResponse } from '../model';
import type { RequestIdentity, ScoreFailure } from '../results';

export type Outcome =
  | { ok: true; response: CompletionResponse; latencyMs: number; at: string; attempts: number }
  | { ok: false; error: ScoreFailure['error']; attempts: number };

/** An outcome as a caller receives it: a response also says whether it came from the cache. */
export type Obtained = (Extract<Outcome, { ok: true }> & { cached: boolean }) | Extract<Outcome, { ok: false }>;

export function failureRecord(identity: RequestIdentity, error: ScoreFailure['error'], attempts: number): ScoreFailure {
  return { kind: 'failure', ...identity, error, attempts, at: new Date().toISOString() };
}

export function cancelledError(): ScoreFailure['error'] {
  return { kind: 'cancelled', message: 'The run was cancelled before this request completed' };
}

export function cancelledOutcome(attempts: number): Outcome {
  return { ok: false, error: cancelledError(), attempts };
}

/** A thrown error as a record's error: the provider's kind, else 'network' for socket codes, else the fallback. */
export function errorOf(error: unknown, fallbackKind: string): ScoreFailure['error'] {
  if (error instanceof ProviderError) {
    return { kind: error.kind, message: redactSecrets(error.message), ...(error.status !== undefined ? { status: error.status } : {}) };
  }
  const code = (error as { code?: unknown } | undefined)?.code;
  const kind = typeof code === 'string' && /^E[A-Z]+$|^UND_ERR/.test(code) ? 'network' : fallbackKind;
  return { kind, message: redactSecrets(error instanceof Error ? error.message : String(error)) };
}

/** A short description for a log line (the logger redacts it). */
export function describe(error: unknown): string {
  if (error instanceof ProviderError) return `${error.kind}${error.status ? ` ${error.status}` : ''}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
