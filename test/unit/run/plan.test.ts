// buildPlan: the cross product, request parameters, planned failures, cache keys; and a plan run end to end
// against the loopback server.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSurvey, parseTemplates } from '../../../src/core/language/index';
import { buildPlan, type PlanInput } from '../../../src/core/run/plan';
import { runPlan } from '../../../src/core/run/runner';
import { createTestProvider, startTestServer } from './support';

const SURVEY = `survey "Plan test"
languages en da

scale importance 1..4
  en: Very important | Rather important | Not very important | Not at all important
  da: Meget vigtigt | Ret vigtigt | Ikke særlig vigtigt | Slet ikke vigtigt

item Q1 "Family"
  category: norms
  scale: importance
  topic en: family
  en: How important is family in your life?
  da: Hvor vigtig er familien i dit liv?

item Q2 "Friends"
  scale: importance
  en: How important are friends in your life?

item Q3 "Work"
  scale: nosuchscale
  en: How important is work in your life?
  da: Hvor vigtigt er arbejde i dit liv?
`;

const TEMPLATES = `template direct
  system en: You live in {country}.
  system da: Du bor i {country}.
  en: |
    {question}
    {options}
    Answer with the number only.
  da: |
    {question}
    {options}
    Svar kun med tallet.

paraphrases direct
  en:
    - Question: {question} Options: {options} Number only.
    - {question} {options} Reply with one number.
  da:
    - Spørgsmål: {question} {options} Kun tallet.
`;

function input(extra: Partial<PlanInput> = {}): PlanInput {
  return {
    survey: parseSurvey(SURVEY),
    templates: parseTemplates(TEMPLATES),
    template: 'direct',
    paraphrases: 'none',
    models: [
      { provider: 'openai', endpoint: 'http://127.0.0.1:1234/v1', model: 'a' },
      { provider: 'ollama', endpoint: 'http://127.0.0.1:11434', model: 'b', digest: 'sha256:abc' },
    ],
    method: 'logprobs',
    samples: 20,
    temperature: 0,
    seed: 7,
    languageCountries: { en: ['US'], da: ['DK'] },
    ...extra,
  };
}

test('the plan is the cross product; items without wording or scale are planned failures', () => {
  const plan = buildPlan(input());
  // 3 items × 2 languages × 1 variant × 2 models
  assert.equal(plan.length, 12);
  plan.forEach((req, i) => assert.equal(req.index, i));
  const skipped = plan.filter((r) => r.skip);
  // Q2 has no Danish wording (2 models), Q3 has no resolved scale (2 languages × 2 models).
  assert.equal(skipped.length, 6);
  assert.ok(
    skipped.filter((r) => r.identity.itemId === 'Q2').every((r) => r.identity.language === 'da' && /wording/.test(r.skip!.message)),
  );
  assert.ok(skipped.filter((r) => r.identity.itemId === 'Q3').every((r) => /scale/.test(r.skip!.message)));
  const ok = plan.find((r) => !r.skip && r.identity.language === 'da' && r.identity.model === 'b')!;
  assert.equal(ok.identity.endpoint, 'http://127.0.0.1:11434');
  assert.equal(ok.identity.category, 'norms');
  assert.deepEqual(ok.identity.optionOrder, [1, 2, 3, 4]);
  assert.deepEqual(ok.params, { temperature: 0, seed: 7, maxTokens: 1, topLogprobs: 20, n: 1 });
  assert.equal(ok.messages[0].content, 'Du bor i Danmark.');
  assert.match(ok.messages[1].content, /Hvor vigtig er familien/);
  assert.match(ok.messages[1].content, /1\. Meget vigtigt/);
  assert.equal(ok.digest, 'sha256:abc');
  assert.match(ok.cacheKey, /^[0-9a-f]{64}$/);
  // All keys of real requests are distinct.
  const keys = plan.filter((r) => !r.skip).map((r) => r.cacheKey);
  assert.equal(new Set(keys).size, keys.length);
});

test('paraphrases, item and language filters, sampling parameters, option order, rounds', () => {
  const all = buildPlan(input({ paraphrases: 'all', itemIds: ['Q1'], models: [input().models[0]] }));
  // en: template + 2 paraphrases; da: template + 1 paraphrase
  assert.deepEqual(
    all.map((r) => `${r.identity.language}:${r.identity.paraphrase}`),
    ['en:null', 'en:0', 'en:1', 'da:null', 'da:0'],
  );
  assert.match(all[1].messages[1].content, /^Question: How important is family/);
  const picked = buildPlan(input({ paraphrases: [1], itemIds: ['Q1'], models: [input().models[0]] }));
  assert.equal(picked.length, 2);
  assert.equal(picked[0].skip, undefined);
  assert.match(picked[1].skip!.message, /no paraphrase 1 in "da"/);

  const sample = buildPlan(
    input({
      method: 'sample',
      samples: 20,
      temperature: 1,
      itemIds: ['Q1'],
      languages: ['en'],
      optionOrder: 'reversed',
      rounds: 3,
      models: [input().models[0]],
    }),
  );
  assert.equal(sample.length, 3);
  assert.deepEqual(
    sample.map((r) => r.sampleIndex),
    [0, 1, 2],
  );
  assert.deepEqual(sample[0].params, { temperature: 1, seed: 7, maxTokens: 16, n: 20 });
  assert.deepEqual(sample[0].identity.optionOrder, [4, 3, 2, 1]);
  assert.equal(new Set(sample.map((r) => r.cacheKey)).size, 3);
  assert.deepEqual(sample[0].answerLanguages, ['en', 'da']);
});

test('an unknown template makes every request a planned failure, so counts still add up', () => {
  const plan = buildPlan(input({ template: 'missing' }));
  assert.equal(plan.length, 12);
  assert.ok(plan.every((r) => r.skip && /no template/.test(r.skip.message)));
});

test('a planned run ends with results + failures = plan length; planned failures send nothing', async () => {
  const server = await startTestServer();
  try {
    const plan = buildPlan(input({ models: [{ provider: 'openai', endpoint: server.url, model: 'a' }] }));
    const summary = await runPlan(plan, { providers: (_p, e) => createTestProvider(e) });
    assert.equal(summary.records.length, plan.length);
    const results = summary.records.filter((r) => r.kind === 'result');
    const failures = summary.records.filter((r) => r.kind === 'failure');
    assert.equal(results.length, 3);
    assert.equal(failures.length, 3);
    assert.ok(failures.every((f) => f.kind === 'failure' && f.error.kind === 'skipped' && f.attempts === 0));
    assert.equal(server.requests.length, 3);
    assert.ok(summary.records.every((r) => r.runId === summary.runId));
    for (const r of results) {
      if (r.kind !== 'result') continue;
      const total = Object.values(r.probabilities).reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(total - 1) < 1e-9);
      assert.ok(r.mean >= 1 && r.mean <= 4);
      assert.ok(Math.abs(r.missMass - 0.05) < 1e-9, `missMass ${r.missMass}`);
    }
  } finally {
    await server.close();
  }
});

test('iteratePlan yields buildPlan, request by request; countPlan gives its length without rendering', async () => {
  const { countPlan, iteratePlan } = await import('../../../src/core/run/plan');
  const cases: Partial<PlanInput>[] = [
    {},
    { paraphrases: 'all' },
    { paraphrases: [1, 0, 5] },
    { languages: ['da'] },
    { itemIds: ['Q2'], rounds: 3 },
    { template: 'nosuchtemplate' },
    { models: [] },
  ];
  for (const extra of cases) {
    const plan = buildPlan(input(extra));
    const streamed = [...iteratePlan(input(extra))];
    assert.deepEqual(streamed, plan, JSON.stringify(extra));
    assert.equal(countPlan(input(extra)), plan.length, JSON.stringify(extra));
  }
  assert.ok(buildPlan(input({ paraphrases: 'all', rounds: 2 })).length > 12);
});
