// planStudy: the product of a small study's factors with every record's factor values asserted, filters,
// country cues named in the prompt language, base models' plain prompts, the count without rendering and the
// estimate before a run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseSurvey, parseTemplates } from '../../../src/core/language/index';
import { toPlainPrompt } from '../../../src/core/prompt/plain';
import { countStudyPlan, estimatePlan, iterateStudyPlan, planStudy, requestTokens } from '../../../src/core/study/plan';
import type { LoadedStudy, Study, StudyModel } from '../../../src/core/study/types';

const SURVEY_PATH = '/study/wvs7-sample.wvs';
const TEMPLATES_PATH = '/study/prompts.wvt';
const survey = parseSurvey(readFileSync('examples/wvs7-sample.wvs', 'utf8'));
// The example templates plus a Danish paraphrase of `direct` (the example's paraphrases are English only).
const templates = parseTemplates(`${readFileSync('examples/prompts.wvt', 'utf8')}
paraphrases direct
  da:
    - Spørgsmål: {question} Svarmuligheder: {options} Svar kun med tallet.
`);

const MODELS: StudyModel[] = [
  {
    id: 'chat',
    provider: 'ollama',
    model: 'fake-llm:latest',
    endpoint: 'http://127.0.0.1:11434',
    kind: 'chat',
    attributes: { family: 'fake', chat: true },
  },
  {
    id: 'base',
    provider: 'ollama',
    model: 'fake-llm:latest',
    endpoint: 'http://127.0.0.1:11434',
    kind: 'base',
    attributes: { family: 'fake', chat: false },
  },
];

function study(extra: Partial<Study> = {}): LoadedStudy {
  const s: Study = {
    path: '/study/small.study.json',
    name: 'small',
    hash: '0'.repeat(64),
    items: [{ file: SURVEY_PATH, ids: ['Q1', 'Q2'] }],
    templates: [
      { file: TEMPLATES_PATH, names: ['country'], paraphrases: 'none' },
      { file: TEMPLATES_PATH, names: ['direct'], paraphrases: [0] },
    ],
    languages: ['en', 'da'],
    countries: ['DK', 'US'],
    languageCountries: { en: ['US', 'GB'], da: ['DK'] },
    models: MODELS,
    method: 'logprobs',
    samples: 10,
    seed: 3,
    rounds: 2,
    optionOrders: ['original', 'reversed'],
    human: [],
    imports: [],
    results: '/study/small.results',
    analysis: {
      levels: ['item'],
      measures: ['mean'],
      references: ['cue'],
      bootstrap: { iterations: 0, seed: 0 },
      rerun: 'latest',
      adjust: [],
      fits: [],
      contrasts: [],
    },
    confirmAbove: 5000,
    ...extra,
  };
  return {
    study: s,
    diagnostics: [],
    surveys: [{ path: SURVEY_PATH, file: survey }],
    templates: [{ path: TEMPLATES_PATH, file: templates }],
    human: { rows: [] } as unknown as LoadedStudy['human'],
  };
}

test('the product has the expected size, loop order and factor values on every record', () => {
  const digests = { chat: 'sha256:' + 'c'.repeat(64) };
  const plan = planStudy(study(), { digests });
  // 2 items × 2 languages × 2 countries × (country template + direct paraphrase 0) × 2 orders × 2 models × 2 rounds
  assert.equal(plan.length, 128);
  const expected: string[] = [];
  for (const item of ['Q1', 'Q2'])
    for (const language of ['en', 'da'])
      for (const country of ['DK', 'US'])
        for (const [template, paraphrase] of [
          ['country', null],
          ['direct', 0],
        ] as const)
          for (const order of ['original', 'reversed'])
            for (const model of ['chat', 'base'])
              for (const round of [0, 1]) expected.push([item, language, country, template, paraphrase, order, model, round].join('|'));
  assert.deepEqual(
    plan.map((r) =>
      [
        r.identity.itemId,
        r.identity.language,
        r.identity.country,
        r.identity.template,
        r.identity.paraphrase,
        r.identity.order,
        r.identity.modelId,
        r.identity.round,
      ].join('|'),
    ),
    expected,
  );
  plan.forEach((r, i) => {
    const id = r.identity;
    assert.equal(r.index, i);
    assert.equal(r.skip, undefined, r.skip?.message);
    assert.equal(id.study, 'small');
    assert.equal(id.source, 'run');
    assert.equal(id.method, 'logprobs');
    assert.equal(id.provider, 'ollama');
    assert.equal(id.model, 'fake-llm:latest');
    assert.equal(id.endpoint, 'http://127.0.0.1:11434');
    assert.equal(id.modelKind, id.modelId === 'base' ? 'base' : 'chat');
    assert.equal(id.digest, id.modelId === 'chat' ? digests.chat : undefined);
    assert.deepEqual(id.optionOrder, id.order === 'original' ? [1, 2, 3, 4] : [4, 3, 2, 1]);
    assert.equal(id.cacheKey, r.cacheKey);
    assert.match(r.cacheKey, /^[0-9a-f]{64}$/);
    assert.equal(id.category, survey.items.find((item) => item.id === id.itemId)!.category?.value);
    assert.deepEqual(r.params, { temperature: 0, seed: 3 + id.round!, maxTokens: 1, topLogprobs: 20, n: 1 });
    assert.equal(r.sampleIndex, id.round);
    // Base entries get the plain text of the same messages; chat entries send messages only.
    if (id.modelKind === 'base') assert.equal(r.prompt, toPlainPrompt(r.messages, { language: id.language }));
    else assert.equal(r.prompt, undefined);
  });
  // Same server model as chat and as base: different requests, different keys.
  const pairs = plan
    .filter((r) => r.identity.modelId === 'chat')
    .map((r, i) => [r.cacheKey, plan.filter((q) => q.identity.modelId === 'base')[i].cacheKey]);
  assert.ok(pairs.every(([a, b]) => a !== b));
});

test('country cues are named in the prompt language; a template without {country} gives the same prompt (one cache entry)', () => {
  const plan = planStudy(study({ rounds: 1, models: [MODELS[0]], optionOrders: ['original'] }));
  const system = (language: string, country: string, template: string) =>
    plan.find(
      (r) =>
        r.identity.itemId === 'Q1' &&
        r.identity.language === language &&
        r.identity.country === country &&
        r.identity.template === template,
    )!;
  assert.match(system('da', 'DK', 'country').messages[0].content, /bor i Danmark,/);
  assert.match(system('en', 'DK', 'country').messages[0].content, /living in Denmark,/);
  assert.match(system('en', 'US', 'country').messages[0].content, /living in United States,/);
  assert.match(system('da', 'US', 'country').messages[0].content, /bor i USA,/);
  assert.equal(system('da', 'DK', 'direct').cacheKey, system('da', 'US', 'direct').cacheKey);
  assert.notEqual(system('da', 'DK', 'country').cacheKey, system('da', 'US', 'country').cacheKey);
});

test('no countries: one condition with cue null; a {country} template then is a planned failure naming the slot', () => {
  const plan = planStudy(study({ countries: [], rounds: 1, models: [MODELS[0]], optionOrders: ['original'] }));
  assert.equal(plan.length, 2 * 2 * 2);
  assert.ok(plan.every((r) => r.identity.country === null));
  const country = plan.filter((r) => r.identity.template === 'country');
  assert.ok(country.every((r) => r.skip && /\{country\} has no value/.test(r.skip.message) && r.identity.cacheKey === undefined));
  assert.ok(plan.filter((r) => r.identity.template === 'direct').every((r) => !r.skip));
});

test('filters narrow each factor', () => {
  const loaded = study();
  const one = planStudy(loaded, {
    filter: { items: ['Q2'], languages: ['da'], countries: ['dk'], templates: ['country'], models: ['base'], orders: ['reversed'] },
  });
  assert.equal(one.length, 2); // two rounds
  assert.ok(
    one.every(
      (r) =>
        r.identity.itemId === 'Q2' &&
        r.identity.language === 'da' &&
        r.identity.country === 'DK' &&
        r.identity.template === 'country' &&
        r.identity.modelId === 'base' &&
        r.identity.order === 'reversed',
    ),
  );
  assert.deepEqual(
    one.map((r) => r.identity.round),
    [0, 1],
  );
  assert.equal(planStudy(loaded, { filter: { models: ['chat'] } }).length, 64);
  assert.equal(planStudy(loaded, { filter: { countries: ['SE'] } }).length, 0);
  const q1 = survey.items.find((i) => i.id === 'Q1')!;
  assert.equal(
    planStudy(loaded, { filter: { categories: [q1.category!.value] } }).every((r) => r.identity.category === q1.category!.value),
    true,
  );
  // An item source narrowed by id: Q3 is not in the study, so filtering for it gives nothing.
  assert.equal(planStudy(loaded, { filter: { items: ['Q3'] } }).length, 0);
});

test('countStudyPlan equals the streamed length, with cyclic shifts, permutations and paraphrase sets', () => {
  const variants: Partial<Study>[] = [
    {},
    { optionOrders: ['cyclic', { permutations: 3, seed: 9 }], items: [{ file: SURVEY_PATH }] },
    { templates: [{ file: TEMPLATES_PATH, paraphrases: 'all' }], countries: [], rounds: 3 },
  ];
  for (const extra of variants) {
    const loaded = study(extra);
    let n = 0;
    for (const _ of iterateStudyPlan(loaded)) n++;
    assert.equal(countStudyPlan(loaded), n, JSON.stringify(extra));
    assert.equal(
      countStudyPlan(loaded, { filter: { languages: ['da'], models: ['chat'] } }),
      planStudy(loaded, { filter: { languages: ['da'], models: ['chat'] } }).length,
    );
  }
  // Cyclic on the 4-point items: shift-1..3 only (the original is shift 0 and not listed unless asked for).
  const cyclic = planStudy(study({ optionOrders: ['cyclic'], rounds: 1, models: [MODELS[0]] }), {
    filter: { items: ['Q1'], languages: ['en'], countries: ['US'], templates: ['direct'] },
  });
  assert.deepEqual(
    cyclic.map((r) => [r.identity.order, r.identity.optionOrder.join('')]),
    [
      ['shift-1', '2341'],
      ['shift-2', '3412'],
      ['shift-3', '4123'],
    ],
  );
});

test('method auto needs a method per model; sample uses samples, the study temperature and per-round seeds', () => {
  assert.throws(() => planStudy(study({ method: 'auto' })), /"auto": resolve it per model first/);
  const plan = planStudy(study({ method: 'auto', rounds: 1 }), {
    methods: { chat: 'sample', base: 'logprobs' },
    filter: { items: ['Q1'], languages: ['en'], countries: ['US'], templates: ['direct'], orders: ['original'] },
  });
  assert.deepEqual(
    plan.map((r) => [r.identity.modelId, r.identity.method]),
    [
      ['chat', 'sample'],
      ['base', 'logprobs'],
    ],
  );
  assert.deepEqual(plan[0].params, { temperature: 1, seed: 3, maxTokens: 16, n: 10 });
  const warm = planStudy(study({ method: 'sample', temperature: 0.7, samples: 4, rounds: 2 }), {
    filter: { items: ['Q1'], languages: ['en'], countries: ['US'], templates: ['direct'], orders: ['original'], models: ['chat'] },
  });
  assert.deepEqual(
    warm.map((r) => r.params),
    [
      { temperature: 0.7, seed: 3, maxTokens: 16, n: 4 },
      { temperature: 0.7, seed: 4, maxTokens: 16, n: 4 },
    ],
  );
  assert.notEqual(warm[0].cacheKey, warm[1].cacheKey);
  assert.throws(() => planStudy({ ...study(), study: undefined }), /errors that leave nothing to plan/);
});

test('estimatePlan: requests, cached entries and the token rule (chars/4 rounded up + maxTokens × n)', async () => {
  const loaded = study({ countries: [], rounds: 1, optionOrders: ['original'] });
  const plan = planStudy(loaded);
  const sent = plan.filter((r) => !r.skip);
  const cachedKeys = new Set(sent.slice(0, 3).map((r) => r.cacheKey));
  let tokens = 0;
  for (const r of sent.slice(3)) {
    const text = r.prompt ?? r.messages.map((m) => m.content).join('');
    tokens += Math.ceil(text.length / 4) + 1;
  }
  const estimate = await estimatePlan(plan, (key) => cachedKeys.has(key));
  assert.deepEqual(estimate, { requests: plan.length, estimatedTokens: tokens, cached: 3, skipped: plan.length - sent.length });
  // The same from the stream, with an asynchronous cache.
  assert.deepEqual(await estimatePlan(iterateStudyPlan(loaded), async (key) => cachedKeys.has(key)), estimate);
  async function* slowly() {
    for (const r of iterateStudyPlan(loaded)) yield await Promise.resolve(r);
  }
  assert.deepEqual(await estimatePlan(slowly(), (key) => cachedKeys.has(key)), estimate);
  // Sampling: maxTokens 16 × n 10 per request.
  const sample = planStudy(study({ method: 'sample', rounds: 1 }), {
    filter: { items: ['Q1'], languages: ['en'], countries: ['US'], templates: ['direct'], orders: ['original'], models: ['chat'] },
  })[0];
  assert.equal(requestTokens(sample), Math.ceil(sample.messages.reduce((n, m) => n + m.content.length, 0) / 4) + 160);
});
