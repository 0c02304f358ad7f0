// PlanInput.optionOrders: option orders as a factor of one survey's plan (the editor's option-order check),
// expanded per item's scale size as a study's optionOrders are; countPlan agrees with the plan.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseSurvey, parseTemplates } from '../../../src/core/language/index';
import { buildPlan, countPlan, type PlanInput } from '../../../src/core/run/plan';

const survey = parseSurvey(readFileSync('examples/wvs7-sample.wvs', 'utf8'));
const templates = parseTemplates(readFileSync('examples/prompts.wvt', 'utf8'));

test('reversed and cyclic orders of a 4-option item in two languages: 5 orders × 2 languages, each condition once per order', () => {
  const input: PlanInput = {
    survey,
    templates,
    template: 'direct',
    itemIds: ['Q1'],
    languages: ['en', 'da'],
    paraphrases: 'none',
    models: [{ provider: 'ollama', endpoint: 'http://127.0.0.1:11434', model: 'm' }],
    method: 'logprobs',
    samples: 1,
    temperature: 0,
    seed: 0,
    optionOrders: ['original', 'reversed', 'cyclic'],
  };
  const plan = buildPlan(input);
  assert.equal(plan.length, 10);
  assert.equal(countPlan(input), 10);
  assert.deepEqual(
    plan.filter((r) => r.identity.language === 'en').map((r) => r.identity.order),
    ['original', 'reversed', 'shift-1', 'shift-2', 'shift-3'],
  );
  assert.deepEqual(plan.find((r) => r.identity.order === 'shift-1')!.identity.optionOrder, [2, 3, 4, 1]);
  assert.deepEqual(
    plan.map((r) => r.index),
    [...plan.keys()],
  );
  // Without optionOrders: the single optionOrder, as before.
  assert.deepEqual(
    buildPlan({ ...input, optionOrders: undefined, optionOrder: 'reversed' }).map((r) => r.identity.order),
    ['reversed', 'reversed'],
  );
});
