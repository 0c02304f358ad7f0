// Plan memos (src/core/run/planMemo.ts): a remembered plan gives exactly the requests the plan gives (key
// order included, so records are byte-identical), a damaged or foreign memo is never used, and prepareRun
// uses one only when its parameters match, the run is not fresh and the caller accepts it — without reading
// the parsed files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSurvey, parseTemplates } from '../../../src/core/language/index';
import type { SurveyFile, TemplateFile } from '../../../src/core/language/ast';
import { buildPlan, type PlanInput } from '../../../src/core/run/plan';
import { memoPath, memoPlan, planParamsKey, readPlanMemo, skeletonOf, writePlanMemo } from '../../../src/core/run/planMemo';
import { prepareRun, type PrepareInput } from '../../../src/core/run/prepare';

const itemsText = readFileSync('examples/wvs7-sample.wvs', 'utf8');
const templatesText = readFileSync('examples/prompts.wvt', 'utf8');
const survey = parseSurvey(itemsText);
const templates = parseTemplates(templatesText);
const ENDPOINT = 'http://127.0.0.1:11434';

const input: PlanInput = {
  survey,
  templates,
  // A language no item has wording in: planned skips, remembered as such.
  languages: [...survey.header.languages.map((l) => l.value), 'zz'],
  template: 'direct',
  paraphrases: 'all',
  models: [{ provider: 'openai', endpoint: `${ENDPOINT}/v1`, model: 'm' }],
  method: 'logprobs',
  samples: 1,
  temperature: 0,
  seed: 0,
  rounds: 2,
  languageCountries: { da: ['DK'], en: ['GB'] },
  study: 'wvs7-sample',
};

function withDir(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vl-memo-'));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

test(
  'a memo read back gives every request of the plan but its messages, in the same key order',
  withDir(async (dir) => {
    const plan = buildPlan(input);
    assert.ok(plan.length > 50 && plan.some((r) => r.skip), 'the example plan has skipped requests too');
    const file = join(dir, 'plans', 'a.vlp');
    await writePlanMemo(file, { params: 'p', template: 'direct', requests: plan.map(skeletonOf) });
    const memo = await readPlanMemo(file);
    assert.ok(memo);
    assert.equal(memo.params, 'p');
    assert.equal(memo.requests.length, plan.length);
    const requests = [...memoPlan(memo.requests, () => plan)];
    for (let i = 0; i < plan.length; i++) {
      const { messages, prompt, ...rest } = plan[i];
      const got = requests[i];
      // JSON text, not deepEqual: key order decides a record's bytes.
      assert.equal(JSON.stringify(skeletonOf(got)), JSON.stringify(rest), `request ${i}`);
      assert.deepEqual(got.messages, messages, 'messages come from the real plan');
      assert.equal(got.prompt, prompt);
    }
  }),
);

test(
  'the messages of a remembered request are read from the plan only when asked for, and must match',
  withDir(async () => {
    const plan = buildPlan(input);
    let built = 0;
    const requests = [...memoPlan(plan.map(skeletonOf), () => (built++, plan))];
    assert.equal(built, 0, 'pulling requests builds nothing');
    assert.deepEqual(requests[3].messages, plan[3].messages);
    assert.ok(built >= 1);
    const other = buildPlan({ ...input, seed: 1 });
    const wrong = [...memoPlan(plan.map(skeletonOf), () => other)];
    assert.throws(() => wrong[0].messages, /does not match/);
  }),
);

test(
  'a damaged, truncated or foreign memo reads as none',
  withDir(async (dir) => {
    const plan = buildPlan(input);
    const file = join(dir, 'm.vlp');
    await writePlanMemo(file, { params: 'p', template: 'direct', requests: plan.map(skeletonOf) });
    const good = readFileSync(file);
    const flipped = Buffer.from(good);
    const at = flipped.indexOf('"itemId"') + 3;
    flipped[at] ^= 0x01;
    writeFileSync(file, flipped);
    assert.equal(await readPlanMemo(file), undefined, 'one flipped bit');
    writeFileSync(file, good.subarray(0, good.length - 10));
    assert.equal(await readPlanMemo(file), undefined, 'truncated');
    writeFileSync(file, Buffer.concat([Buffer.from('VLP0'), good.subarray(4)]));
    assert.equal(await readPlanMemo(file), undefined, 'another format');
    assert.equal(await readPlanMemo(join(dir, 'missing.vlp')), undefined, 'no file');
    writeFileSync(file, good);
    assert.ok(await readPlanMemo(file), 'the intact bytes read again');
  }),
);

test('the memo file is named by the code, every input byte and the selection', () => {
  const base = { code: 'c1', texts: [itemsText, templatesText], selection: { templateName: 'direct' } };
  const path = memoPath('/cache', base);
  assert.equal(memoPath('/cache', { ...base }), path);
  assert.notEqual(memoPath('/cache', { ...base, code: 'c2' }), path);
  assert.notEqual(memoPath('/cache', { ...base, texts: [`${itemsText} `, templatesText] }), path);
  assert.notEqual(memoPath('/cache', { ...base, texts: [itemsText + templatesText, ''] }), path, 'where one file ends counts');
  assert.notEqual(memoPath('/cache', { ...base, selection: { templateName: 'direct', itemIds: ['Q1'] } }), path);
  const { survey: _s, templates: _t, ...params } = input;
  assert.notEqual(planParamsKey({ ...params, seed: 1 }), planParamsKey(params));
  assert.notEqual(planParamsKey({ ...params, models: [{ ...params.models[0], digest: 'sha256:1' }] }), planParamsKey(params));
});

/** prepareRun's input with parsed files that count their reads. */
function prepareInput(dir: string, memo: PrepareInput['memo'], fresh = false): { input: PrepareInput; reads: () => number } {
  let reads = 0;
  return {
    input: {
      get survey(): SurveyFile {
        reads++;
        return survey;
      },
      get templates(): TemplateFile {
        reads++;
        return templates;
      },
      template: 'direct',
      paraphrases: 'none',
      study: 'wvs7-sample',
      model: { provider: 'openai', endpoint: `${ENDPOINT}/v1`, model: 'm' },
      choices: { method: 'logprobs' },
      probe: () => Promise.reject(new Error('not probed')),
      cacheDir: dir,
      fresh,
      ...(memo ? { memo } : {}),
    },
    reads: () => reads,
  };
}

test(
  'prepareRun remembers a plan pulled whole, and uses it only when it matches and is accepted',
  withDir(async (dir) => {
    const file = join(dir, 'plans', 'x.vlp');
    const first = await prepareRun(prepareInput(dir, { file, accept: async () => true }).input);
    assert.equal(first.fromMemo, false);
    const half = [...first.requests].slice(0, 3);
    assert.equal(half.length, 3);
    const planned = [...first.requests];
    assert.equal(planned.length, first.planned);
    await first.remember();
    const memo = await readPlanMemo(file);
    assert.ok(memo, 'written after the whole plan was pulled');

    const used = prepareInput(dir, { file, known: memo, accept: async () => true });
    const second = await prepareRun(used.input);
    assert.equal(second.fromMemo, true);
    assert.equal(second.planned, planned.length);
    const remembered = [...second.requests];
    assert.equal(used.reads(), 0, 'nothing parsed or planned');
    assert.deepEqual(
      remembered.map((r) => r.cacheKey),
      planned.map((r) => r.cacheKey),
    );
    assert.deepEqual(remembered.map(skeletonOf), planned.map(skeletonOf));

    const declined = await prepareRun(prepareInput(dir, { file, known: memo, accept: async () => false }).input);
    assert.equal(declined.fromMemo, false, 'not accepted (say, an answer is not cached)');
    const fresh = await prepareRun(prepareInput(dir, { file, known: memo, accept: async () => true }, true).input);
    assert.equal(fresh.fromMemo, false, '--fresh sends everything: the memo is not used');
    const other = prepareInput(dir, { file, known: memo, accept: async () => true });
    other.input.choices = { method: 'logprobs', seed: 7 };
    const reseeded = await prepareRun(other.input);
    assert.equal(reseeded.fromMemo, false, 'other parameters');
    assert.notDeepEqual(
      [...reseeded.requests].map((r) => r.cacheKey),
      planned.map((r) => r.cacheKey),
    );
  }),
);

test(
  'a plan not pulled to its end is not remembered',
  withDir(async (dir) => {
    const file = join(dir, 'plans', 'y.vlp');
    const run = await prepareRun(prepareInput(dir, { file, accept: async () => true }).input);
    let n = 0;
    for (const _ of run.requests) if (++n === 5) break;
    await run.remember();
    assert.equal(await readPlanMemo(file), undefined);
  }),
);
