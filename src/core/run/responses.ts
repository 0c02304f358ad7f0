// One response for a request: from the cache, from an identical request of this run, or from the server
// (through the sender). A response the caller's check rejects is neither used from nor written to the cache.

import type { Logger } from '../log';
import type { CompletionResponse } from '../model';
import type { ScoreFailure } from '../results';
import type { ResultCache } from './cache';
import { cancelledError, describe, type Obtained, type Outcome } from './outcome';
import type { PlannedRequest } from './plan';
import { Limiter } from './scheduler';
import type { RequestSender } from './sender';

/** Parallel cache reads: enough to hide disk latency, few enough to stay clear of EMFILE. */
const CACHE_IO_CONCURRENCY = 32;

/** Why a response cannot be used (undefined: it can). */
export type ResponseCheck = (r: CompletionResponse) => ScoreFailure['error'] | undefined;

export interface ResponseSourceOptions {
  sender: RequestSender;
  cache?: ResultCache;
  /** Ignore cached answers (fresh answers are still written to the cache). */
  fresh?: boolean;
  signal: AbortSignal;
  logger: Logger;
}

export class ResponseSource {
  private readonly cacheIo = new Limiter(CACHE_IO_CONCURRENCY);
  private readonly inflight = new Map<string, Promise<Outcome>>();
  /**
   * Identical requests are answered once per run. Requests are started a window at a time, so a duplicate
   * may come after the first has settled: without cache reads (no cache, or fresh) its outcome is kept.
   */
  private readonly settled: Map<string, Promise<Outcome>> | undefined;
  /** Obtains in progress, and how many of them wait on their cache write (see flushWhenOnlyWrites). */
  private active = 0;
  private writing = 0;

  constructor(private readonly options: ResponseSourceOptions) {
    this.settled = !options.cache || options.fresh ? new Map<string, Promise<Outcome>>() : undefined;
  }

  async obtain(req: PlannedRequest, check: ResponseCheck): Promise<Obtained> {
    this.active++;
    try {
      return await this.obtainOnce(req, check);
    } finally {
      this.active--;
      this.flushWhenOnlyWrites();
    }
  }

  private async obtainOnce(req: PlannedRequest, check: ResponseCheck): Promise<Obtained> {
    const { cache, signal } = this.options;
    if (cache && !this.options.fresh) {
      const hit = await this.cacheIo.run(() => cache.get(req.cacheKey), signal).catch(() => undefined);
      if (hit && !check(hit.response))
        return { ok: true, response: hit.response, latencyMs: hit.latencyMs, at: hit.at, attempts: 0, cached: true };
      if (signal.aborted) return { ok: false, error: cancelledError(), attempts: 0 };
    }
    const outcome = await this.shared(req);
    if (!outcome.ok) return outcome;
    const problem = check(outcome.response);
    if (problem) return { ok: false, error: problem, attempts: outcome.attempts };
    if (cache) {
      this.writing++;
      try {
        const written = cache.set(req.cacheKey, { response: outcome.response, latencyMs: outcome.latencyMs, at: outcome.at });
        this.flushWhenOnlyWrites();
        await written;
      } catch (error) {
        this.options.logger.warn(`cache write failed: ${describe(error)}`);
      } finally {
        this.writing--;
      }
    }
    return { ...outcome, cached: false };
  }

  /**
   * When every request still open waits on its cache write, no answer is coming to join the cache's batch:
   * it is written now instead of at the end of the cache's coalescing window (up to 20 ms at a run's end).
   */
  private flushWhenOnlyWrites(): void {
    if (this.writing > 0 && this.writing === this.active) void this.options.cache?.flushAll().catch(() => undefined);
  }

  /** The outcome of the identical request in flight (or kept), else of a new send. */
  private shared(req: PlannedRequest): Promise<Outcome> {
    const key = req.cacheKey;
    const pending = this.inflight.get(key) ?? this.settled?.get(key);
    if (pending) return pending;
    const started = this.options.sender.send(req);
    this.inflight.set(key, started);
    void started.then((outcome) => {
      this.inflight.delete(key);
      if (outcome.ok) this.settled?.set(key, started);
    });
    return started;
  }
}
