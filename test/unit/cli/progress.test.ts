// The CLI's progress line (src/cli/progress.ts): at most one update per 100 ms on an injected clock, the
// first and the last state at once, a held-back state shown when its interval ends or at the end.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { progressLine, PROGRESS_INTERVAL_MS, type ProgressClock } from '../../../src/cli/progress';

function fakeClock(): ProgressClock & { t: number; advance(ms: number): void; pending(): number } {
  let timers: { at: number; run(): void }[] = [];
  const clock = {
    t: 0,
    now: () => clock.t,
    later(run: () => void, ms: number) {
      const timer = { at: clock.t + ms, run };
      timers.push(timer);
      return () => void (timers = timers.filter((x) => x !== timer));
    },
    advance(ms: number) {
      clock.t += ms;
      const due = timers.filter((x) => x.at <= clock.t);
      timers = timers.filter((x) => x.at > clock.t);
      for (const x of due) x.run();
    },
    pending: () => timers.length,
  };
  return clock;
}

const state = (done: number, total = 100): { done: number; total: number; cached: number; failed: number } => ({
  done,
  total,
  cached: 0,
  failed: 0,
});

test('1,000 records within a second: at most 11 writes, the last one the final state', () => {
  const clock = fakeClock();
  const writes: string[] = [];
  const line = progressLine((text) => writes.push(text), clock);
  for (let done = 1; done <= 1000; done++) {
    line.update(state(done, 1000));
    clock.advance(1);
  }
  line.end();
  const updates = writes.filter((w) => w.startsWith('\r'));
  assert.ok(updates.length <= 1000 / PROGRESS_INTERVAL_MS + 1, `${updates.length} updates`);
  assert.ok(updates.length >= 10, `${updates.length} updates: still shows progress`);
  assert.equal(updates[0], '\rscoring 1/1000 (0 cached, 0 failed)');
  assert.equal(updates.at(-1), '\rscoring 1000/1000 (0 cached, 0 failed)');
  assert.equal(writes.at(-1), '\n');
});

test('a held-back state shows when its interval ends, even with no record after it', () => {
  const clock = fakeClock();
  const writes: string[] = [];
  const line = progressLine((text) => writes.push(text), clock);
  line.update(state(1));
  clock.advance(10);
  line.update(state(2));
  line.update(state(3));
  assert.deepEqual(writes, ['\rscoring 1/100 (0 cached, 0 failed)'], 'held back inside the interval');
  clock.advance(PROGRESS_INTERVAL_MS - 11);
  assert.equal(writes.length, 1);
  clock.advance(1);
  assert.deepEqual(writes.at(-1), '\rscoring 3/100 (0 cached, 0 failed)', 'the latest state, one timer for both');
  assert.equal(writes.length, 2);
  assert.equal(clock.pending(), 0);
});

test('end shows a held-back state at once and cancels its timer; nothing shown, nothing written', () => {
  const clock = fakeClock();
  const writes: string[] = [];
  const line = progressLine((text) => writes.push(text), clock);
  line.update(state(1));
  line.update(state(2));
  line.end();
  assert.deepEqual(writes, ['\rscoring 1/100 (0 cached, 0 failed)', '\rscoring 2/100 (0 cached, 0 failed)', '\n']);
  assert.equal(clock.pending(), 0);
  clock.advance(1000);
  assert.equal(writes.length, 3, 'no redraw after the end');

  const silent: string[] = [];
  progressLine((text) => silent.push(text), fakeClock()).end();
  assert.deepEqual(silent, []);
});
