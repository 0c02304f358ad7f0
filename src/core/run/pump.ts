// Pulls requests from a (possibly streamed) plan while fewer than WINDOW are open, SLICE per turn: planning
// a request is synchronous work, and the event loop must get to send the first ones before the rest are
// planned.

import type { PlannedRequest } from './plan';

/** Requests started and not yet recorded: far more than any endpoint's concurrency, a bounded memory. */
const WINDOW = 1024;
/**
 * Requests planned in one turn before the event loop gets to send what is planned. The first turns plan
 * 1, 2, 4, … so that the first request goes out after one request's planning (cold code is slow), not 32.
 */
const SLICE = 32;

/**
 * Starts `start(request, index)` for every planned request and settles when all have settled: with the
 * number pulled, or with the plan's own error (thrown while planning) once the started ones are done.
 * `start` must not reject. `pulled` is told each new count as requests are pulled.
 */
export function pumpPlan(
  plan: Iterable<PlannedRequest>,
  start: (req: PlannedRequest, index: number) => Promise<void>,
  pulled: (count: number) => void,
): Promise<number> {
  const iterator = plan[Symbol.iterator]();
  let count = 0;
  let open = 0;
  let exhausted = false;
  let planningError: unknown;
  let scheduled = false;
  let slice = 1;
  return new Promise<number>((resolve, reject) => {
    const done = (): void => (planningError !== undefined ? reject(planningError) : resolve(count));
    const pump = (): void => {
      scheduled = false;
      let planned = 0;
      while (!exhausted && open < WINDOW) {
        if (planned === slice) {
          slice = Math.min(SLICE, slice * 2);
          scheduled = true;
          setImmediate(pump);
          return;
        }
        let step: IteratorResult<PlannedRequest>;
        try {
          step = iterator.next();
        } catch (error) {
          planningError = error;
          exhausted = true;
          break;
        }
        if (step.done) {
          exhausted = true;
          break;
        }
        planned++;
        const index = count++;
        pulled(count);
        open++;
        void start(step.value, index).then(settle);
      }
      if (exhausted && open === 0) done();
    };
    const settle = (): void => {
      open--;
      if (exhausted) {
        if (open === 0) done();
      } else if (!scheduled) pump();
    };
    pump();
  });
}
