// `--orders` on `value-lens run|score STUDY`: replaces the study's optionOrders for the run, always with the
// original order, and the plan grows by the orders it names; a bad value is a usage error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { parseFlags } from '../../../src/cli/args';
import { STUDY_RUN_OPTIONS, ordersFlag, studyFilterFrom } from '../../../src/cli/study';
import { UsageError } from '../../../src/cli/errors';
import { loadStudy } from '../../../src/core/study/load';
import { countStudyPlan } from '../../../src/core/study/plan';
import { expandOrders } from '../../../src/core/prompt/order';
import type { LoadedStudy, Study } from '../../../src/core/study/types';
import { EXAMPLES } from './helpers';

test('ordersFlag: the four forms, original always first, bad values refused', () => {
  assert.deepEqual(ordersFlag('reversed', 5, 'run'), ['original', 'reversed']);
  assert.deepEqual(ordersFlag('cyclic,random:3', 5, 'run'), ['original', 'cyclic', { permutations: 3, seed: 5 }]);
  assert.deepEqual(ordersFlag('original', 0, 'run'), ['original']);
  assert.throws(() => ordersFlag('shuffled', 0, 'score'), UsageError);
  assert.throws(() => ordersFlag('random:0', 0, 'score'), UsageError);
  // Named as the study planner names them: K = 4 → original, shift-1..3, perm-1..2.
  assert.deepEqual(
    expandOrders(ordersFlag('cyclic,random:2', 0, 'run'), 4).map((o) => o.id),
    ['original', 'shift-1', 'shift-2', 'shift-3', 'perm-1', 'perm-2'],
  );
});

test("--orders overrides the study file's orders for the plan", async () => {
  const loaded = (await loadStudy(join(EXAMPLES, 'kim-baek-2024.study.json'))) as LoadedStudy & { study: Study };
  assert.ok(loaded.study);
  const before = countStudyPlan(loaded, { methods: Object.fromEntries(loaded.study.models.map((m) => [m.id, 'logprobs'])) });
  const parsed = parseFlags('run', [join(EXAMPLES, 'kim-baek-2024.study.json'), '--orders', 'reversed', '--item', 'Q1'], STUDY_RUN_OPTIONS);
  const filter = studyFilterFrom(parsed, loaded, 'run');
  assert.deepEqual(loaded.study.optionOrders, ['original', 'reversed']);
  const methods = Object.fromEntries(loaded.study.models.map((m) => [m.id, 'logprobs' as const]));
  const q1 = countStudyPlan(loaded, { filter, methods });
  const q1Original = countStudyPlan(loaded, { filter: { ...filter, orders: ['original'] }, methods });
  assert.equal(q1, 2 * q1Original);
  assert.ok(before > 0);
});
