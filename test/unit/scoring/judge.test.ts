// The judge method end to end: the second seed's `interviews` template with its 10 paraphrases, scored
// against both loopback fakes (Ollama and OpenAI-compatible), judged from the summaries the fake planted;
// pro share per record = planted pro / (pro + con), no label guessed, a second run sends 0 requests. Plus
// the strict reader of the judge's reply.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readJudgeReply, stanceShare, JUDGE_MARKER } from '../../../src/core/scoring/judge';
import { loadStudy } from '../../../src/core/study/load';
import { runStudy } from '../../../src/core/study/session';
import { countStudyPlan, planStudy } from '../../../src/core/study/plan';
import { ResultCache } from '../../../src/core/run/cache';
import { createOllamaProvider } from '../../../src/providers/ollama';
import { createOpenAIProvider } from '../../../src/providers/openai';
import type { StanceResult } from '../../../src/core/results';
import type { LoadedStudy, Study } from '../../../src/core/study/types';
import { startFakeOllama } from '../../support/fake-ollama';
import { startFakeOpenAI } from '../../support/fake-openai';
import { judgeReply, plantedStances } from '../../support/fake-judge';

const examples = resolve(__dirname, '../../../examples');

test('readJudgeReply: object or bare list, fences tolerated, unknown labels counted, non-JSON refused', () => {
  assert.deepEqual(readJudgeReply('{"labels":["pro","con","neither","PRO "]}'), {
    ok: true,
    labels: ['pro', 'con', 'neither', 'pro'],
    pro: 2,
    con: 1,
    neither: 1,
    unparseable: 0,
  });
  const fenced = readJudgeReply('```json\n["con", null, "null", "maybe", 3]\n```');
  assert.ok(fenced.ok);
  assert.equal(fenced.con, 1);
  assert.equal(fenced.neither, 2); // JSON null and "null": the paper's NULL
  assert.equal(fenced.unparseable, 2); // "maybe" and 3: counted, never guessed
  assert.equal(readJudgeReply('The labels are pro, con.').ok, false);
  assert.equal(readJudgeReply('{"stances":["pro"]}').ok, false);
  assert.equal(readJudgeReply('Sure! ```json\n["pro"]\n```').ok, false); // prose around the fence is not the asked-for reply
  assert.equal(stanceShare({ pro: 4, con: 6 }), 0.4); // method.md §3.2's example
  assert.equal(stanceShare({ pro: 0, con: 0 }), undefined);
});

function studyFile(dir: string, ollama: string, openai: string, extra: Record<string, unknown> = {}): string {
  const path = join(dir, 'judge.study.json');
  writeFileSync(
    path,
    JSON.stringify({
      name: 'judge-e2e',
      items: [{ file: join(examples, 'wvs7-sample.wvs'), ids: ['Q182', 'Q184', 'Q1'] }],
      templates: [{ file: join(examples, 'prompts.wvt'), names: ['interviews'], paraphrases: 'all' }],
      languages: ['en'],
      models: [
        { id: 'llama', provider: 'ollama', model: 'fake-llm:latest', endpoint: ollama },
        { id: 'gpt', provider: 'openai', model: 'gpt-fake', endpoint: `${openai}/v1` },
      ],
      method: 'judge',
      samples: 1,
      seed: 3,
      results: join(dir, 'results'),
      ...extra,
    }),
  );
  return path;
}

async function run(loaded: LoadedStudy & { study: Study }, cacheDir: string) {
  return runStudy(loaded, undefined, {
    providerFor: (m) =>
      m.provider === 'ollama' ? createOllamaProvider({ host: m.endpoint }) : createOpenAIProvider({ baseURL: m.endpoint, apiKey: '' }),
    probeFor: () => async () => true,
    cache: new ResultCache(cacheDir),
    cacheDir,
    via: 'cli',
    toolVersion: 'test',
    confirm: async () => true,
    signal: new AbortController().signal,
  });
}

test('judge method: interviews × 10 paraphrases on both fakes; pro share = planted count; cached re-run sends 0 requests', async () => {
  const ollama = await startFakeOllama({ reply: judgeReply() });
  const openai = await startFakeOpenAI({ reply: judgeReply({ fenced: true }) });
  try {
    const dir = mkdtempSync(join(tmpdir(), 'vl-judge-'));
    const loaded = await loadStudy(studyFile(dir, ollama.url, openai.url));
    assert.ok(loaded.study, JSON.stringify(loaded.diagnostics));
    const stance = loaded.diagnostics.filter((d) => d.code === 'study/missing-stance');
    assert.equal(stance.length, 1, 'Q1 has no stance statements: one warning for "en"');
    assert.match(stance[0].message, /1 selected items.*Q1/);

    const first = await run(loaded as LoadedStudy & { study: Study }, join(dir, 'cache'));
    assert.equal(first.status, 'ran');
    if (first.status !== 'ran') return;
    const { records } = first.summary;
    assert.equal(records.length, 3 * 11 * 2);
    const skipped = records.filter((r) => r.kind === 'failure' && r.error.kind === 'skipped');
    assert.equal(skipped.length, 11 * 2);
    for (const r of skipped) {
      assert.equal(r.itemId, 'Q1');
      assert.ok(r.kind === 'failure' && /no "pro" and "con" stance statement in "en"/.test(r.error.message));
    }
    const judged = records.filter((r): r is StanceResult => r.kind === 'stance');
    let noStance = 0;
    let checked = 0;
    for (const [i, r] of records.entries()) {
      if (r.itemId === 'Q1') continue;
      const req = first.plan[i];
      const planted = plantedStances(req.messages.map((m) => `${m.role}: ${m.content}`).join('\n'));
      if (planted.pro + planted.con === 0) {
        // All ten summaries neutral: no value is made up, the record is a counted 'no-stance' failure.
        assert.ok(r.kind === 'failure' && r.error.kind === 'no-stance', JSON.stringify(r));
        noStance++;
        continue;
      }
      assert.equal(r.kind, 'stance', JSON.stringify(r));
      if (r.kind !== 'stance') continue;
      assert.equal(r.pro, planted.pro);
      assert.equal(r.con, planted.con);
      assert.equal(r.neither, planted.neither);
      assert.equal(r.unparseable, 0, 'no label guessed or dropped');
      assert.equal(r.proShare, planted.pro / (planted.pro + planted.con));
      assert.equal(r.cacheKeys?.length, 2);
      assert.equal(r.cacheKeys?.[0], r.cacheKey);
      assert.notEqual(r.cacheKeys?.[0], r.cacheKeys?.[1]);
      assert.equal(r.cached, false);
      checked++;
    }
    assert.equal(checked + noStance, 44);
    assert.equal(judged.length, checked);
    // Two requests per distribution, as in the paper: one generation and one judge request; identical
    // requests (the template and its paraphrase 0 are the same text) are sent once.
    const isJudge = (q: { body: unknown }) =>
      (q.body as { messages: { content: string }[] }).messages.some((m) => m.content.includes(JUDGE_MARKER));
    const sent = [...ollama.modelRequests(), ...openai.modelRequests()];
    assert.equal(first.summary.requestsSent, sent.length);
    const generationKeys = new Set(first.plan.filter((q) => !q.skip).map((q) => q.cacheKey));
    assert.equal(sent.filter((q) => !isJudge(q)).length, generationKeys.size);
    const judgeKeys = new Set(judged.map((r) => r.cacheKeys?.[1]));
    assert.ok(sent.filter(isJudge).length >= judgeKeys.size && sent.filter(isJudge).length <= generationKeys.size);
    // Paraphrases differ, so the planted counts differ: the test is not one number 44 times.
    assert.ok(new Set(judged.map((r) => r.proShare)).size > 3);

    // Wire: generations stop at "11." with room for ten summaries; judge requests ask for structured output.
    const ollamaJudge = ollama.modelRequests().map(
      (q) =>
        q.body as {
          messages: { content: string }[];
          format?: unknown;
          options: { stop?: string[]; num_predict: number; temperature: number };
        },
    );
    const gen = ollamaJudge.filter((b) => !b.messages.some((m) => m.content.includes(JUDGE_MARKER)));
    const jud = ollamaJudge.filter((b) => b.messages.some((m) => m.content.includes(JUDGE_MARKER)));
    assert.ok(gen.length >= 20 && jud.length >= 1);
    for (const b of gen) assert.deepEqual([b.options.stop, b.options.num_predict, b.format], [['11.'], 600, undefined]);
    for (const b of jud) {
      assert.equal(b.options.temperature, 0);
      assert.deepEqual((b.format as { required: string[] }).required, ['labels']);
    }
    const openaiJudge = openai.modelRequests().map(
      (q) =>
        q.body as {
          messages: { content: string }[];
          response_format?: { type: string; json_schema: { name: string; strict: boolean } };
          stop?: string[];
        },
    );
    const oj = openaiJudge.filter((b) => b.messages.some((m) => m.content.includes(JUDGE_MARKER)));
    assert.ok(oj.length >= 1);
    for (const b of oj)
      assert.deepEqual(
        [b.response_format?.type, b.response_format?.json_schema.name, b.response_format?.json_schema.strict],
        ['json_schema', 'stance_labels', true],
      );
    for (const b of openaiJudge.filter((x) => !oj.includes(x))) assert.deepEqual(b.stop, ['11.']);

    // Second run: both requests of every condition come from the cache.
    const before = ollama.modelRequests().length + openai.modelRequests().length;
    const second = await run(loaded as LoadedStudy & { study: Study }, join(dir, 'cache'));
    assert.equal(second.status, 'ran');
    if (second.status !== 'ran') return;
    assert.equal(second.summary.requestsSent, 0);
    assert.equal(ollama.modelRequests().length + openai.modelRequests().length, before);
    const again = second.summary.records.filter((r): r is StanceResult => r.kind === 'stance');
    assert.equal(again.length, checked);
    assert.ok(again.every((r) => r.cached));
    assert.deepEqual(
      again.map((r) => r.proShare),
      judged.map((r) => r.proShare),
    );
  } finally {
    await ollama.close();
    await openai.close();
  }
});

test('judge method: a separate judge model, a judge that never takes a side (no-stance), an unreadable judge reply', async () => {
  const ollama = await startFakeOllama({
    reply: ({ prompt }) =>
      prompt.includes(JUDGE_MARKER) ? '{"labels":["neither","neither"]}' : /summar/i.test(prompt) ? '1. Unsure. 2. Unsure.' : undefined,
  });
  const openai = await startFakeOpenAI({ reply: ({ prompt }) => (prompt.includes(JUDGE_MARKER) ? 'pro, con, pro' : undefined) });
  try {
    const dir = mkdtempSync(join(tmpdir(), 'vl-judge2-'));
    // Every model judged by 'llama': the Ollama fake's judge never sees a side.
    const loaded = await loadStudy(
      studyFile(dir, ollama.url, openai.url, {
        judge: 'llama',
        items: [{ file: join(examples, 'wvs7-sample.wvs'), ids: ['Q182'] }],
        templates: [{ file: join(examples, 'prompts.wvt'), names: ['interviews'] }],
      }),
    );
    assert.ok(loaded.study, JSON.stringify(loaded.diagnostics));
    const r1 = await run(loaded as LoadedStudy & { study: Study }, join(dir, 'cache'));
    assert.ok(r1.status === 'ran');
    if (r1.status !== 'ran') return;
    assert.equal(r1.summary.records.length, 2);
    for (const r of r1.summary.records) {
      assert.equal(r.kind, 'failure');
      if (r.kind === 'failure') assert.equal(r.error.kind, 'no-stance');
    }
    // The gpt model's generation went to the OpenAI fake, both judge requests to the Ollama fake.
    assert.equal(openai.modelRequests().length, 1);
    assert.equal(ollama.modelRequests().length, 3);

    // Judge = gpt, whose replies are not JSON: judge-unparseable, and the bad reply is not cached.
    const loaded2 = await loadStudy(
      studyFile(dir, ollama.url, openai.url, {
        judge: 'gpt',
        items: [{ file: join(examples, 'wvs7-sample.wvs'), ids: ['Q182'] }],
        templates: [{ file: join(examples, 'prompts.wvt'), names: ['interviews'] }],
      }),
    );
    const r2 = await run(loaded2 as LoadedStudy & { study: Study }, join(dir, 'cache'));
    assert.ok(r2.status === 'ran');
    if (r2.status !== 'ran') return;
    for (const r of r2.summary.records) assert.ok(r.kind === 'failure' && r.error.kind === 'judge-unparseable', JSON.stringify(r));
    const r3 = await run(loaded2 as LoadedStudy & { study: Study }, join(dir, 'cache'));
    assert.ok(r3.status === 'ran' && r3.summary.requestsSent === 2, 'generations cached, the two judge requests asked again');
  } finally {
    await ollama.close();
    await openai.close();
  }
});

test('judge plan: each sample is a generation of its own (rounds × samples), with its own seed and key', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vl-judge4-'));
  const loaded = await loadStudy(
    studyFile(dir, 'http://127.0.0.1:1', 'http://127.0.0.1:2', {
      samples: 3,
      rounds: 2,
      items: [{ file: join(examples, 'wvs7-sample.wvs'), ids: ['Q182'] }],
      templates: [{ file: join(examples, 'prompts.wvt'), names: ['interviews'] }],
    }),
  );
  const methods = { llama: 'sample' as const, gpt: 'sample' as const };
  const plan = planStudy(loaded, { methods });
  assert.equal(plan.length, 2 * 6);
  assert.equal(countStudyPlan(loaded, { methods }), plan.length);
  const llama = plan.filter((q) => q.identity.modelId === 'llama');
  assert.deepEqual(
    llama.map((q) => q.identity.round),
    [0, 1, 2, 3, 4, 5],
  );
  assert.deepEqual(
    llama.map((q) => q.params.seed),
    [3, 4, 5, 6, 7, 8],
  );
  assert.equal(new Set(llama.map((q) => q.cacheKey)).size, 6);
  for (const q of plan) {
    assert.deepEqual([q.params.n, q.params.maxTokens, q.params.stop], [1, 600, ['11.']]);
    assert.equal(q.judge?.id, q.identity.modelId, 'default judge: the model itself');
    assert.deepEqual(q.judge?.stance, { pro: 'Homosexuality is justifiable.', con: 'Homosexuality is not justifiable.' });
    assert.deepEqual([q.judge?.params.temperature, q.judge?.params.schema], [0, 'stance_labels']);
  }
});

test("stanceLanguage: every prompt language judged against one language's statements (the paper: English)", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vl-judge5-'));
  const narrow = {
    languages: ['en', 'da'],
    items: [{ file: join(examples, 'wvs7-sample.wvs'), ids: ['Q182'] }],
    templates: [{ file: join(examples, 'prompts.wvt'), names: ['interviews'] }],
  };
  const methods = { llama: 'sample' as const, gpt: 'sample' as const };
  const strict = await loadStudy(studyFile(dir, 'http://127.0.0.1:1', 'http://127.0.0.1:2', narrow));
  assert.deepEqual(
    strict.diagnostics.filter((d) => d.code === 'study/missing-stance').map((d) => /"pro da:"/.test(d.message)),
    [true],
  );
  const strictPlan = planStudy(strict, { methods });
  assert.deepEqual(
    strictPlan.map((q) => [q.identity.language, q.skip ? 'skip' : 'judge']),
    [
      ['en', 'judge'],
      ['en', 'judge'],
      ['da', 'skip'],
      ['da', 'skip'],
    ],
  );
  assert.match(strictPlan[2].skip?.message ?? '', /stance statement in "da"/);
  const english = await loadStudy(studyFile(dir, 'http://127.0.0.1:1', 'http://127.0.0.1:2', { ...narrow, stanceLanguage: 'en' }));
  assert.deepEqual(
    english.diagnostics.filter((d) => d.code === 'study/missing-stance'),
    [],
  );
  const plan = planStudy(english, { methods });
  assert.ok(plan.every((q) => !q.skip && q.judge?.stance.pro === 'Homosexuality is justifiable.'));
  assert.ok(plan.filter((q) => q.identity.language === 'da').every((q) => q.judge?.language === 'da'));
});

test('study file: "judge" must name a study model', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vl-judge3-'));
  const loaded = await loadStudy(studyFile(dir, 'http://127.0.0.1:1', 'http://127.0.0.1:2', { judge: 'nobody' }));
  assert.ok(loaded.diagnostics.some((d) => d.code === 'study/unknown-model' && d.severity === 'error' && /"judge"/.test(d.message)));
});
