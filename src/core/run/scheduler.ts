// Bounded concurrency per endpoint origin. Waiters queue FIFO and are woken by the releasing request, so
// nothing polls. An aborted signal removes a waiter from the queue at once. The bound adapts (AIMD): a 429
// or 503 halves it, a run of successes raises it by one again, never above the configured limit.

import type { ProviderId } from '../model';
import { abortReason } from './retry';

/** Ollama serves NUM_PARALLEL=1 by default and answers 503 past its queue; hosted APIs take more. */
export const DEFAULT_CONCURRENCY: Record<ProviderId, number> = { ollama: 2, openai: 4 };

const SUCCESSES_PER_STEP = 5;

interface Waiter {
  grant: () => void;
  reject: (error: Error) => void;
  signal?: AbortSignal;
}

/** A FIFO counting semaphore. `acquire` resolves with a release function that must be called once. */
export class Limiter {
  private active = 0;
  private readonly queue: Waiter[] = [];
  /** Highest number of holders seen at once (tests and benches read it). */
  peak = 0;
  /** The bound in force now: the configured limit, or less after overload signals. */
  private current: number;
  private successes = 0;

  constructor(readonly limit: number) {
    if (!(limit >= 1)) throw new RangeError(`Concurrency must be at least 1, got ${limit}`);
    this.current = limit;
  }

  get effectiveLimit(): number {
    return this.current;
  }

  /** The server said it is overloaded (429/503): halve the bound (multiplicative decrease). */
  overloaded(): void {
    this.current = Math.max(1, Math.floor(this.current / 2));
    this.successes = 0;
  }

  /** A request succeeded: after SUCCESSES_PER_STEP in a row, raise the bound by one (additive increase). */
  succeeded(): void {
    if (this.current >= this.limit) return;
    if (++this.successes >= SUCCESSES_PER_STEP) {
      this.successes = 0;
      this.current++;
      this.pump();
    }
  }

  get inFlight(): number {
    return this.active;
  }

  get waiting(): number {
    return this.queue.length;
  }

  /** `front` puts the waiter ahead of the queue (a retry should not go behind a thousand fresh requests). */
  acquire(signal?: AbortSignal, front = false): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (this.active < this.current && this.queue.length === 0) return Promise.resolve(this.take());
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { grant: () => resolve(this.take()), reject, signal };
      if (front) this.queue.unshift(waiter);
      else this.queue.push(waiter);
      if (signal) this.watch(signal);
    });
  }

  // One listener per signal rather than one per waiter: thousands of queued requests share the run's
  // signal, and EventTarget listener removal is linear in the listener count.
  private readonly watched = new WeakSet<AbortSignal>();
  private watch(signal: AbortSignal): void {
    if (this.watched.has(signal)) return;
    this.watched.add(signal);
    signal.addEventListener(
      'abort',
      () => {
        const dropped = this.queue.filter((w) => w.signal === signal);
        if (dropped.length === 0) return;
        this.queue.splice(0, this.queue.length, ...this.queue.filter((w) => w.signal !== signal));
        for (const w of dropped) w.reject(abortReason(signal));
      },
      { once: true },
    );
  }

  /** Runs `task` while holding a slot; the slot is released however the task ends. */
  async run<T>(task: () => Promise<T>, signal?: AbortSignal, front = false): Promise<T> {
    const release = await this.acquire(signal, front);
    try {
      return await task();
    } finally {
      release();
    }
  }

  private take(): () => void {
    this.active++;
    if (this.active > this.peak) this.peak = this.active;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      this.pump();
    };
  }

  private pump(): void {
    while (this.active < this.current && this.queue.length > 0) this.queue.shift()!.grant();
  }
}

/** One limiter per endpoint origin, created on first use. */
export class Scheduler {
  private readonly limiters = new Map<string, Limiter>();

  constructor(private readonly limitFor: (origin: string, provider: ProviderId) => number) {}

  limiter(origin: string, provider: ProviderId): Limiter {
    let limiter = this.limiters.get(origin);
    if (!limiter) {
      limiter = new Limiter(Math.max(1, Math.floor(this.limitFor(origin, provider))));
      this.limiters.set(origin, limiter);
    }
    return limiter;
  }

  /** Runs `task` while holding a slot of `origin`; the slot is released however the task ends. */
  run<T>(origin: string, provider: ProviderId, task: () => Promise<T>, signal?: AbortSignal, front = false): Promise<T> {
    return this.limiter(origin, provider).run(task, signal, front);
  }

  peaks(): Record<string, number> {
    return Object.fromEntries([...this.limiters].map(([origin, l]) => [origin, l.peak]));
  }
}
