// The run's progress line on a terminal (stderr): at most one update every 100 ms. A write per record was a
// terminal write per answer (hundreds a second on a cached or fast run) for a line nobody reads that fast.
// An update held back is shown when the interval has passed, even if no record comes in the meantime.

import type { RunProgress } from '../core/run/progress';

/** Shortest time between two updates of the line (≤ 10 a second). */
export const PROGRESS_INTERVAL_MS = 100;

export interface ProgressClock {
  now(): number;
  /** Runs `run` after `ms`; returns a function that cancels it. */
  later(run: () => void, ms: number): () => void;
}

const realClock: ProgressClock = {
  now: () => performance.now(),
  later: (run, ms) => {
    const timer = setTimeout(run, ms);
    // A pending redraw never keeps the process alive.
    timer.unref();
    return () => clearTimeout(timer);
  },
};

export interface ProgressLine {
  update(progress: RunProgress): void;
  /** Shows the last state if it was held back, then ends the line (nothing when nothing was shown). */
  end(): void;
}

export function progressLine(write: (text: string) => void, clock: ProgressClock = realClock): ProgressLine {
  let shownAt = -Infinity;
  let shown = false;
  let held: RunProgress | undefined;
  let cancel: (() => void) | undefined;
  const show = (p: RunProgress): void => {
    cancel?.();
    cancel = undefined;
    held = undefined;
    shownAt = clock.now();
    shown = true;
    write(`\rscoring ${p.done}/${p.total} (${p.cached} cached, ${p.failed} failed)`);
  };
  return {
    update(p) {
      const wait = shownAt + PROGRESS_INTERVAL_MS - clock.now();
      // The first and the last state always show at once.
      if (wait <= 0 || p.done >= p.total) return show(p);
      held = p;
      cancel ??= clock.later(() => {
        cancel = undefined;
        if (held) show(held);
      }, wait);
    },
    end() {
      if (held) show(held);
      cancel?.();
      cancel = undefined;
      if (shown) write('\n');
    },
  };
}
