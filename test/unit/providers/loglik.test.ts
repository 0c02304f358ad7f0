// Method loglik: the log-likelihood of each option label as a continuation of the prompt, read from an
// OpenAI-compatible /v1/completions that echoes prompt logprobs (vLLM's documented format); an option
// outside the top 20 is recovered exactly, where first-token logprobs can only report it as missing mass.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSurvey, parseTemplates } from '../../../src/core/language/index';
import { buildPlan } from '../../../src/core/run/plan';
import { runPlan } from '../../../src/core/run/runner';
import { ResultCache } from '../../../src/core/run/cache';
import type { ScoreFailure, ScoreResult } from '../../../src/core/results';
import { continuationsFor, distributionFromLoglik } from '../../../src/core/scoring/loglik';
import { continuationLogprobs, echoRequestBody } from '../../../src/providers/loglik';
import { createOpenAIProvider } from '../../../src/providers/openai';
import { ProviderError, type CompletionRequest } from '../../../src/core/model';
import { fakeTokens, pieceLogprob, defaultBehaviour, type FakeToken } from '../../support/fake-common';
import { startFakeOpenAI } from '../../support/fake-openai';
import { startReplay } from '../../support/fake-replay';

const echoFixture = JSON.parse(readFileSync(join(__dirname, '../../fixtures/wire/vllm/completion-echo.json'), 'utf8')) as unknown;
const llamaEchoError = JSON.parse(readFileSync(join(__dirname, '../../fixtures/wire/llamacpp/error-echo.json'), 'utf8')) as unknown;
const signal = new AbortController().signal;
const MODEL = 'fake-llm:latest';

test("loglik: the documented vLLM echo answer gives each option's continuation logprob (BOS and the null first entry included)", () => {
  assert.deepEqual(continuationLogprobs(echoFixture, 'Answer:', [' 1', ' 2']), [-1.204, -0.5108]);
});

test('loglik: the request is one /v1/completions body with every option, echo, max_tokens 0 and logprobs', () => {
  assert.deepEqual(echoRequestBody('m', 'Answer:', [' 1', ' 2']), {
    model: 'm',
    prompt: ['Answer: 1', 'Answer: 2'],
    echo: true,
    max_tokens: 0,
    logprobs: 1,
    temperature: 0,
  });
  assert.deepEqual(
    continuationsFor('Answer:', [
      { label: '1', code: 1, score: 1 },
      { label: 'B', code: 2, score: 2 },
    ]),
    [' 1', ' B'],
  );
  assert.deepEqual(continuationsFor('Answer: ', [{ label: '1', code: 1, score: 1 }]), ['1']);
});

function echo(tokens: string[][], logprobs: (number | null)[][], texts?: string[]) {
  return {
    choices: tokens.map((t, i) => ({
      index: i,
      text: texts?.[i] ?? t.join(''),
      logprobs: { tokens: t, token_logprobs: logprobs[i], top_logprobs: [], text_offset: [] },
    })),
  };
}

test('loglik: answers that cannot be read are errors, never a distribution', () => {
  const failsWith = (body: unknown, pattern: RegExp) =>
    assert.throws(
      () => continuationLogprobs(body, 'Answer:', [' 1', ' 2']),
      (e: unknown) => e instanceof ProviderError && pattern.test(e.message),
    );
  // A server that ignores echo: no prompt logprobs.
  failsWith(
    {
      choices: [
        { index: 0, text: ' 3', logprobs: null },
        { index: 1, text: ' 3', logprobs: null },
      ],
    },
    /no echoed prompt logprobs/,
  );
  // One choice for two prompts.
  failsWith(echo([['Answer', ':', ' 1']], [[null, -1, -2]]), /1 choices for 2 prompts/);
  // The label merged with the prompt's last token (": 1"): its likelihood cannot be separated.
  failsWith(
    echo(
      [
        ['Answer', ': 1'],
        ['Answer', ': 2'],
      ],
      [
        [null, -1],
        [null, -2],
      ],
    ),
    /token boundary/,
  );
  // Different contexts before the options.
  failsWith(
    echo(
      [
        ['Answer', ':', ' 1'],
        ['Ans', 'wer', ':', ' 2'],
      ],
      [
        [null, -1, -2],
        [null, -1, -1, -3],
      ],
    ),
    /tokenised differently/,
  );
  // Text that is not the echo of the prompt.
  failsWith(echo([['x'], ['y']], [[null], [null]], ['x', 'y']), /does not echo the prompt/);
  // A positive log-probability.
  failsWith(
    echo(
      [
        ['Answer', ':', ' 1'],
        ['Answer', ':', ' 2'],
      ],
      [
        [null, -1, 0.5],
        [null, -1, -2],
      ],
    ),
    /unusable log-probability/,
  );
});

test('loglik: a label the tokenizer splits from its space (" ", "1": digit-splitting tokenizers) is summed over both tokens', () => {
  const body = echo(
    [
      ['Answer', ':', ' ', '1'],
      ['Answer', ':', ' ', '2'],
    ],
    [
      [null, -1, -0.25, -0.5],
      [null, -1, -0.25, -2],
    ],
  );
  assert.deepEqual(continuationLogprobs(body, 'Answer:', [' 1', ' 2']), [-0.75, -2.25]);
});

test('loglik: generated text after the echo (a server that ignored max_tokens 0) is skipped, not read as the option', () => {
  const body = echo(
    [
      ['Answer', ':', ' 1', ' yes'],
      ['Answer', ':', ' 2', ' no'],
    ],
    [
      [null, -1, -2, -0.1],
      [null, -1, -3, -0.2],
    ],
    ['Answer: 1 yes', 'Answer: 2 no'],
  );
  assert.deepEqual(continuationLogprobs(body, 'Answer:', [' 1', ' 2']), [-2, -3]);
});

test('loglik: distributionFromLoglik normalises over the options and reports the rest as exact missing mass', () => {
  const labels = [1, 2, 3].map((code) => ({ label: String(code), code, score: code }));
  const d = distributionFromLoglik([Math.log(0.5), Math.log(0.2), Math.log(0.1)], labels)!;
  assert.ok(Math.abs(d.probabilities['1'] - 0.625) < 1e-12);
  assert.ok(Math.abs(d.probabilities['2'] - 0.25) < 1e-12);
  assert.ok(Math.abs(d.probabilities['3'] - 0.125) < 1e-12);
  assert.ok(Math.abs(d.missMass - 0.2) < 1e-12);
  assert.equal(distributionFromLoglik([-1, Number.NaN, -2], labels), undefined);
  assert.equal(distributionFromLoglik([-1, -2], labels), undefined);
});

const request = (extra: Partial<CompletionRequest>): CompletionRequest => ({
  model: MODEL,
  messages: [],
  maxTokens: 0,
  temperature: 0,
  signal,
  timeoutMs: 10_000,
  ...extra,
});

test('loglik: the OpenAI provider scores continuations against the vLLM fake, exactly as the fake model defines them', async () => {
  const fake = await startFakeOpenAI({ server: 'vllm' });
  try {
    const prompt = 'Q: How important is family?\n1. Very\n2. Rather\n3. Not very\n\nAnswer:';
    const response = await createOpenAIProvider({ baseURL: `${fake.url}/v1` }).complete(
      request({ prompt, continuations: [' 1', ' 2', ' 3'] }),
    );
    const expected = [' 1', ' 2', ' 3'].map((c) => pieceLogprob(defaultBehaviour(), MODEL, prompt, fakeTokens(prompt + c).at(-1)!));
    assert.deepEqual(response.continuationLogprobs, expected);
    assert.equal(fake.modelRequests().length, 1);
    const sent = fake.modelRequests()[0].body as Record<string, unknown>;
    assert.deepEqual(sent.prompt, [prompt + ' 1', prompt + ' 2', prompt + ' 3']);
    assert.equal(sent.echo, true);
    assert.equal(sent.max_tokens, 0);
  } finally {
    await fake.close();
  }
});

test('loglik: llama.cpp server refuses echo ("Only no echo is supported"), as its fake and its documented error say', async () => {
  for (const start of [
    () => startFakeOpenAI({ server: 'llamacpp' }),
    () => startReplay({ 'POST /v1/completions': { status: 400, body: llamaEchoError } }),
  ]) {
    const server = await start();
    try {
      await assert.rejects(
        createOpenAIProvider({ baseURL: `${server.url}/v1` }).complete(request({ prompt: 'Answer:', continuations: [' 1', ' 2'] })),
        (e: unknown) => e instanceof ProviderError && e.status === 400 && /Only no echo is supported/.test(e.message) && !e.retryable,
      );
    } finally {
      await server.close();
    }
  }
});

// ------------------------------------------------------------------ a planted distribution, end to end

const SURVEY = `survey "Planted"
languages en

scale importance 1..4
  en: Very important | Rather important | Not very important | Not at all important

item Q1 "Family"
  scale: importance
  en: How important is family in your life?
`;
const TEMPLATES = `template direct
  en: |
    {question}
    {options}
    Answer with the number of one option only.
`;

/** 24 tokens after the prompt: option 4's label is 22nd, outside any top-20 list. */
const PLANTED: FakeToken[] = (() => {
  const fillers = Array.from({ length: 20 }, (_, i) => ({ token: ` w${i}`, logprob: Math.log(0.03) - i * 0.01 }));
  const labels = [
    { token: ' 1', logprob: Math.log(0.2) },
    { token: ' 2', logprob: Math.log(0.1) },
    { token: ' 3', logprob: Math.log(0.05) },
    { token: ' 4', logprob: Math.log(0.0009) },
  ];
  return [...labels, ...fillers].sort((a, b) => b.logprob - a.logprob);
})();

function plan(method: 'loglik' | 'logprobs', endpoint: string) {
  return buildPlan({
    survey: parseSurvey(SURVEY),
    templates: parseTemplates(TEMPLATES),
    template: 'direct',
    paraphrases: 'none',
    models: [{ provider: 'openai', endpoint, model: MODEL, kind: 'base' }],
    method,
    samples: 1,
    temperature: 0,
    seed: 1,
  });
}

test('loglik: a planted option outside the top 20 is recovered exactly (1e-12); first-token logprobs read it as 0', async () => {
  assert.ok(PLANTED.findIndex((t) => t.token === ' 4') >= 20);
  const fake = await startFakeOpenAI({ server: 'vllm', firstToken: ({ prompt }) => (prompt.endsWith('Answer:') ? PLANTED : undefined) });
  try {
    const endpoint = `${fake.url}/v1`;
    const providers = () => createOpenAIProvider({ baseURL: endpoint });
    const cache = new ResultCache(await mkdtemp(join(tmpdir(), 'vl-loglik-')));
    const loglik = await runPlan(plan('loglik', endpoint), { providers, cache });
    const record = loglik.records[0] as ScoreResult;
    assert.equal(record.kind, 'result', JSON.stringify(record));
    assert.equal(record.method, 'loglik');
    // By hand: p_k = q_k / Σ q over the four planted label probabilities.
    const q = { 1: 0.2, 2: 0.1, 3: 0.05, 4: 0.0009 };
    const total = q[1] + q[2] + q[3] + q[4];
    for (const code of [1, 2, 3, 4] as const)
      assert.ok(
        Math.abs(record.probabilities[String(code)] - q[code] / total) < 1e-12,
        `option ${code}: ${record.probabilities[String(code)]}`,
      );
    assert.ok(Math.abs(record.missMass - (1 - total)) < 1e-12);
    assert.ok(Math.abs(record.mean - (1 * q[1] + 2 * q[2] + 3 * q[3] + 4 * q[4]) / total) < 1e-12);
    const sent = fake.modelRequests()[0].body as { prompt: string[]; echo: boolean };
    assert.equal(sent.prompt.length, 4);
    assert.ok(sent.prompt.every((p, k) => p.endsWith(`Answer: ${k + 1}`)));

    // The same model read from first-token logprobs: option 4 is not among the 20 alternatives.
    const first = (await runPlan(plan('logprobs', endpoint), { providers })).records[0] as ScoreResult;
    assert.equal(first.kind, 'result');
    assert.equal(first.probabilities['4'], 0);
    assert.ok(first.missMass > 0.5);

    // The two methods are different requests (keys), and a second loglik run is answered by the cache alone.
    assert.notEqual(plan('loglik', endpoint)[0].cacheKey, plan('logprobs', endpoint)[0].cacheKey);
    const again = await runPlan(plan('loglik', endpoint), { providers, cache });
    assert.equal(again.requestsSent, 0);
    assert.deepEqual((again.records[0] as ScoreResult).probabilities, record.probabilities);
  } finally {
    await fake.close();
  }
});

test('loglik: a chat model or an Ollama model is a planned skip with the reason, nothing is sent', () => {
  const chat = buildPlan({
    survey: parseSurvey(SURVEY),
    templates: parseTemplates(TEMPLATES),
    template: 'direct',
    paraphrases: 'none',
    models: [{ provider: 'openai', endpoint: 'http://127.0.0.1:1/v1', model: MODEL }],
    method: 'loglik',
    samples: 1,
    temperature: 0,
    seed: 1,
  });
  assert.match(chat[0].skip?.message ?? '', /chat model/);
  const ollama = buildPlan({
    survey: parseSurvey(SURVEY),
    templates: parseTemplates(TEMPLATES),
    template: 'direct',
    paraphrases: 'none',
    models: [{ provider: 'ollama', endpoint: 'http://127.0.0.1:1', model: MODEL, kind: 'base' }],
    method: 'loglik',
    samples: 1,
    temperature: 0,
    seed: 1,
  });
  assert.match(ollama[0].skip?.message ?? '', /ollama cannot score given text/);
});

test('loglik: a server without echo support gives a counted failure, not a distribution', async () => {
  // The fake as a plain OpenAI server that answers without logprobs.
  const fake = await startFakeOpenAI({ server: 'vllm', logprobs: 'missing' });
  try {
    const endpoint = `${fake.url}/v1`;
    const summary = await runPlan(plan('loglik', endpoint), {
      providers: () => createOpenAIProvider({ baseURL: endpoint }),
      maxAttempts: 1,
    });
    const record = summary.records[0] as ScoreFailure;
    assert.equal(record.kind, 'failure');
    assert.match(record.error.message, /no echoed prompt logprobs/);
    assert.equal(summary.requestsSent, 1);
  } finally {
    await fake.close();
  }
});

test('loglik: a study file may choose method "loglik" (parse and schema), and the study plan keeps it', async () => {
  const { parseStudyText } = await import('../../../src/core/study/parse');
  const file = join(__dirname, '../../../examples/demo.study.json');
  const study = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const { study: parsed, diagnostics } = parseStudyText(JSON.stringify({ ...study, method: 'loglik' }), file);
  assert.deepEqual(
    diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  assert.equal(parsed?.method, 'loglik');
  const schema = JSON.parse(readFileSync(join(__dirname, '../../../schemas/study.schema.json'), 'utf8')) as {
    properties: { method: { enum: string[] } };
  };
  assert.ok(schema.properties.method.enum.includes('loglik'));
  const bad = parseStudyText(JSON.stringify({ ...study, method: 'log-lik' }), file);
  assert.ok(bad.diagnostics.some((d) => d.severity === 'error'));
});

test('loglik: a study with method loglik plans and runs base models by echo and skips its chat model', async () => {
  const { planStudy } = await import('../../../src/core/study/plan');
  const fake = await startFakeOpenAI({ server: 'vllm' });
  try {
    const endpoint = `${fake.url}/v1`;
    const survey = parseSurvey(readFileSync(join(__dirname, '../../../examples/wvs7-sample.wvs'), 'utf8'));
    const templates = parseTemplates(readFileSync(join(__dirname, '../../../examples/prompts.wvt'), 'utf8'));
    const models = [
      { id: 'base', provider: 'openai' as const, model: MODEL, endpoint, kind: 'base' as const, attributes: {} },
      { id: 'chat', provider: 'openai' as const, model: MODEL, endpoint, kind: 'chat' as const, attributes: {} },
    ];
    const loaded = {
      study: {
        path: '/s/loglik.study.json',
        name: 'loglik',
        hash: '0'.repeat(64),
        items: [{ file: '/s/w.wvs', ids: ['Q1', 'Q2'] }],
        templates: [{ file: '/s/p.wvt', names: ['direct'], paraphrases: 'none' as const }],
        languages: ['en'],
        countries: [],
        languageCountries: { en: ['US'] },
        models,
        method: 'loglik' as const,
        samples: 1,
        seed: 0,
        rounds: 1,
        optionOrders: ['original' as const],
        human: [],
        imports: [],
        results: '/s/loglik.results',
        analysis: {
          levels: ['item' as const],
          measures: ['mean' as const],
          references: ['cue'],
          bootstrap: { iterations: 0, seed: 0 },
          rerun: 'latest' as const,
          adjust: [],
          fits: [],
          contrasts: [],
        },
        confirmAbove: 5000,
      },
      diagnostics: [],
      surveys: [{ path: '/s/w.wvs', file: survey }],
      templates: [{ path: '/s/p.wvt', file: templates }],
      human: { rows: [] },
    } as unknown as Parameters<typeof planStudy>[0];
    const planned = planStudy(loaded);
    assert.equal(planned.length, 4);
    const summary = await runPlan(planned, { providers: () => createOpenAIProvider({ baseURL: endpoint }) });
    const base = summary.records.filter((r) => r.modelId === 'base');
    const chat = summary.records.filter((r) => r.modelId === 'chat');
    assert.deepEqual(
      base.map((r) => [r.kind, r.method]),
      [
        ['result', 'loglik'],
        ['result', 'loglik'],
      ],
    );
    assert.ok(chat.every((r) => r.kind === 'failure' && r.error.kind === 'skipped' && /chat model/.test(r.error.message)));
    // One echo request per distribution: the two base-model conditions.
    assert.equal(summary.requestsSent, 2);
    for (const r of base as ScoreResult[]) assert.ok(Math.abs(Object.values(r.probabilities).reduce((a, b) => a + b, 0) - 1) < 1e-12);
  } finally {
    await fake.close();
  }
});

test('loglik: a batch line is the same echo request, and its answer (the vLLM example) is read the same way', async () => {
  const { openAIBatchCodec } = await import('../../../src/providers/openai-batch');
  const { recordFromResponse } = await import('../../../src/core/run/runner');
  const req = plan('loglik', 'http://127.0.0.1:8000/v1')[0];
  const codec = openAIBatchCodec();
  const line = codec.requestOf(req);
  assert.equal(line.url, '/v1/completions');
  assert.deepEqual(line.body, echoRequestBody(MODEL, req.prompt!, continuationsFor(req.prompt!, req.labels)));
  // The documented answer for two prompts "Answer: 1" / "Answer: 2", for a two-option request of that prompt.
  const twoOptions = { ...req, prompt: 'Answer:', labels: req.labels.slice(0, 2) };
  const response = codec.responseOf('/v1/completions', echoFixture, twoOptions);
  assert.deepEqual(response.continuationLogprobs, [-1.204, -0.5108]);
  const record = recordFromResponse(twoOptions, 'run-1', response, {
    latencyMs: 1,
    at: '2026-12-02T00:00:00Z',
    cached: false,
  }) as ScoreResult;
  const z = Math.exp(-1.204) + Math.exp(-0.5108);
  assert.ok(Math.abs(record.probabilities['1'] - Math.exp(-1.204) / z) < 1e-12);
  assert.ok(Math.abs(record.missMass - (1 - z)) < 1e-12);
});
