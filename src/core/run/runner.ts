// Executes a run plan: cache lookups, bounded concurrency per endpoint, retries, timeouts, cancellation,
// scoring, and one record per planned request whatever happens (records.length === plan.length). The plan
// may be a stream (iteratePlan, iterateStudyPlan): requests are pulled as the window has room, so the first
// ones are sent while the rest are still being planned.
// runPlan wires the parts, each with one job: pump.ts pulls the plan, execute.ts turns a request into its
// record (records.ts scores a response), responses.ts answers from the cache or one shared call,
// sender.ts sends with retries and timeouts, sink.ts keeps records, progress, the store and listeners.

import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { nullLogger, redactingLogger, type Logger } from '../log';
import type { ModelProvider, ProviderId } from '../model';
import type { RunRecord } from '../results';
import type { ResultCache } from './cache';
import { executeRequest } from './execute';
import type { PlannedRequest } from './plan';
import type { RunProgress } from './progress';
import { pumpPlan } from './pump';
import { ResponseSource } from './responses';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry';
import { DEFAULT_CONCURRENCY, Scheduler } from './scheduler';
import { RequestSender } from './sender';
import { RecordSink } from './sink';
import type { ResultsStore } from './store';

export type { RunProgress };
// The batch engines score their lines with the very conversion the live run uses.
export { recordFromResponse } from './records';

export interface RunOptions {
  providers: (provider: ProviderId, endpoint: string) => ModelProvider;
  cache?: ResultCache;
  store?: ResultsStore;
  /** Parallel requests per endpoint origin; default 2 for Ollama, 4 for OpenAI-compatible servers. */
  concurrencyPerEndpoint?: number;
  /** Attempts per request including the first (default 4). */
  maxAttempts?: number;
  /** Per-attempt timeout (default 60 s); when set without firstRequestTimeoutMs it bounds every attempt. */
  timeoutMs?: number;
  /**
   * The model-loading allowance: the timeout of a request's first attempt until the (endpoint, model) has
   * answered once (default 180 s when neither timeout is set; never below timeoutMs). An attempt that
   * times out with it is retried with timeoutMs. See resolveTimeouts.
   */
  firstRequestTimeoutMs?: number;
  /** Ignore cached answers (fresh answers are still written to the cache). */
  fresh?: boolean;
  signal?: AbortSignal;
  onProgress?(p: RunProgress): void;
  onRecord?(r: RunRecord): void;
  logger?: Logger;
  /** Overrides for backoff timing (tests). */
  retry?: Partial<Omit<RetryPolicy, 'maxAttempts'>>;
  /** Defaults to a fresh time-ordered id. */
  runId?: string;
  /**
   * Planned requests, when `plan` is a stream (countPlan, countStudyPlan): the progress total from the
   * start. Without it the total grows as requests are pulled. Ignored for an array.
   */
  total?: number;
}

export interface RunSummary {
  runId: string;
  records: RunRecord[];
  /** Provider calls made (attempts, including retries); 0 on a fully cached re-run. */
  requestsSent: number;
  cancelled: boolean;
  /** Records the store could not write (disk full…): a run with any is a failed run (CLI exit 1). */
  writeFailures: number;
}

export const DEFAULT_TIMEOUT_MS = 60_000;
export const DEFAULT_FIRST_REQUEST_TIMEOUT_MS = 180_000;

/**
 * The two per-attempt timeouts from what the user set. A timeout the user sets applies to every attempt:
 * `--timeout 2` alone means 2 s for the first attempt too (it used to wait 180 s × 4 attempts). The
 * loading allowance is only longer when the user asks for it or sets neither (the defaults).
 */
export function resolveTimeouts(set: { timeoutMs?: number; firstRequestTimeoutMs?: number }): {
  timeoutMs: number;
  firstRequestTimeoutMs: number;
} {
  const timeoutMs = set.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const first = set.firstRequestTimeoutMs ?? (set.timeoutMs !== undefined ? timeoutMs : DEFAULT_FIRST_REQUEST_TIMEOUT_MS);
  return { timeoutMs, firstRequestTimeoutMs: Math.max(timeoutMs, first) };
}

export function newRunId(now = new Date()): string {
  return `${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;
}

export async function runPlan(plan: Iterable<PlannedRequest>, options: RunOptions): Promise<RunSummary> {
  const runId = options.runId ?? newRunId();
  const logger = redactingLogger(options.logger ?? nullLogger);
  const signal = options.signal ?? new AbortController().signal;
  // Every queued request listens for the cancel (and removes its listener when it proceeds).
  setMaxListeners(0, signal);
  const policy: RetryPolicy = {
    ...DEFAULT_RETRY_POLICY,
    ...options.retry,
    maxAttempts: Math.max(1, options.maxAttempts ?? DEFAULT_RETRY_POLICY.maxAttempts),
  };
  const { timeoutMs, firstRequestTimeoutMs: firstTimeoutMs } = resolveTimeouts(options);
  const scheduler = new Scheduler((_origin, provider) => options.concurrencyPerEndpoint ?? DEFAULT_CONCURRENCY[provider]);
  const sender = new RequestSender({ providers: options.providers, scheduler, policy, timeoutMs, firstTimeoutMs, signal, logger });
  const source = new ResponseSource({ sender, cache: options.cache, fresh: options.fresh, signal, logger });
  const total = Array.isArray(plan) ? plan.length : Math.max(0, Math.floor(options.total ?? 0));
  const sink = new RecordSink(total, {
    store: options.store,
    onRecord: (r) => options.onRecord?.(r),
    onProgress: (p) => options.onProgress?.(p),
    logger,
  });

  logger.info(`run ${runId}: ${total} planned requests`);
  const start = async (req: PlannedRequest, index: number): Promise<void> =>
    sink.add(index, await executeRequest(req, runId, source, signal));
  sink.close(await pumpPlan(plan, start, (count) => sink.pulled(count)));

  const { progress, records, writeFailures } = sink;
  const requestsSent = sender.sent;
  const cancelled = signal.aborted;
  logger.info(
    `run ${runId}: ${progress.done - progress.failed} results (${progress.cached} cached), ${progress.failed} failures, ${requestsSent} requests${writeFailures ? `, ${writeFailures} records not written` : ''}${cancelled ? ', cancelled' : ''}`,
  );
  return { runId, records, requestsSent, cancelled, writeFailures };
}
