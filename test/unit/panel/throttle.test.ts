import { test } from 'node:test';
import assert from 'node:assert/strict';
import { throttle, type Clock } from '../../../src/panel/throttle';

/** A manual clock: timers fire only when the test advances time. */
function fakeClock() {
  let now = 0;
  let timers: { at: number; fn: () => void; id: number }[] = [];
  let nextId = 1;
  const clock: Clock = {
    now: () => now,
    setTimeout: (fn, ms) => {
      const id = nextId++;
      timers.push({ at: now + ms, fn, id });
      return id;
    },
    clearTimeout: (id) => {
      timers = timers.filter((t) => t.id !== id);
    },
  };
  const advance = (ms: number) => {
    const end = now + ms;
    for (;;) {
      timers.sort((a, b) => a.at - b.at);
      const next = timers[0];
      if (!next || next.at > end) break;
      timers.shift();
      now = next.at;
      next.fn();
    }
    now = end;
  };
  return { clock, advance, pending: () => timers.length };
}

test('first call runs at once; a burst collapses into one trailing call', () => {
  const { clock, advance } = fakeClock();
  const runs: number[] = [];
  const fn = throttle(() => runs.push(clock.now()), 250, clock);
  fn();
  assert.deepEqual(runs, [0]);
  for (let i = 0; i < 50; i++) {
    advance(4);
    fn();
  }
  advance(1000);
  assert.deepEqual(runs, [0, 250]);
});

test('at most 4 runs per second under a steady stream, and the last call always lands', () => {
  const { clock, advance } = fakeClock();
  let runs = 0;
  let lastSeen = -1;
  let value = 0;
  const fn = throttle(
    () => {
      runs++;
      lastSeen = value;
    },
    250,
    clock,
  );
  for (let t = 0; t < 10_000; t += 10) {
    value = t;
    fn();
    advance(10);
  }
  const callsDone = runs;
  assert.ok(callsDone <= 41, `${callsDone} runs in 10 s`);
  assert.ok(callsDone >= 39);
  advance(300);
  assert.equal(lastSeen, 9990, 'trailing run saw the newest value');
});

test('flush runs the pending call now; dispose drops it', () => {
  const { clock, advance, pending } = fakeClock();
  let runs = 0;
  const fn = throttle(() => runs++, 250, clock);
  fn();
  fn();
  assert.equal(runs, 1);
  fn.flush();
  assert.equal(runs, 2);
  fn();
  assert.equal(pending(), 1);
  fn.dispose();
  assert.equal(pending(), 0);
  advance(1000);
  fn();
  assert.equal(runs, 2);
});
