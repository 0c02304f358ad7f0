// Limits live updates to one per interval while guaranteeing the last call is always delivered: the first
// call runs at once, calls inside the window collapse into one trailing run at the window's end.

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface Throttled {
  (): void;
  /** Runs a pending trailing call now (if any). */
  flush(): void;
  /** Drops a pending trailing call; later calls are ignored. */
  dispose(): void;
}

export function throttle(fn: () => void, intervalMs: number, clock: Clock = systemClock): Throttled {
  let last = -Infinity;
  let timer: unknown = undefined;
  let disposed = false;

  const run = () => {
    timer = undefined;
    last = clock.now();
    fn();
  };

  const call = (() => {
    if (disposed) return;
    const wait = last + intervalMs - clock.now();
    if (wait <= 0 && timer === undefined) {
      run();
    } else if (timer === undefined) {
      timer = clock.setTimeout(run, Math.max(0, wait));
    }
    // Otherwise a trailing run is already scheduled and will see the newest data.
  }) as Throttled;

  call.flush = () => {
    if (timer === undefined || disposed) return;
    clock.clearTimeout(timer);
    run();
  };
  call.dispose = () => {
    disposed = true;
    if (timer !== undefined) clock.clearTimeout(timer);
    timer = undefined;
  };
  return call;
}
