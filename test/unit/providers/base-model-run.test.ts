// Base models end to end: a plan whose requests carry a plain prompt (toPlainPrompt), run by the runner
// against both loopback fakes in completion mode, scored with logprobs and with sampling as chat is.

import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { parseSurvey, parseTemplates } from '../../../src/core/language/index';
import { toPlainPrompt } from '../../../src/core/prompt/plain';
import { distributionFromLogprobs } from '../../../src/core/scoring/logprobs';
import { buildPlan, type PlannedRequest } from '../../../src/core/run/plan';
import { runPlan } from '../../../src/core/run/runner';
import type { ScoreResult } from '../../../src/core/results';
import { createOllamaProvider } from '../../../src/providers/ollama';
import { createOpenAIProvider } from '../../../src/providers/openai';
import { fakeFirstToken, type FakeServer } from '../../support/fake-common';
import { startFakeOllama } from '../../support/fake-ollama';
import { startFakeOpenAI } from '../../support/fake-openai';

const SURVEY = `survey "Base models"
languages en da

scale importance 1..4
  en: Very important | Rather important | Not very important | Not at all important
  da: Meget vigtigt | Ret vigtigt | Ikke særlig vigtigt | Slet ikke vigtigt

item Q1 "Family"
  scale: importance
  en: How important is family in your life?
  da: Hvor vigtig er familien i dit liv?

item Q2 "Friends"
  scale: importance
  en: How important are friends in your life?
  da: Hvor vigtige er venner i dit liv?
`;
const TEMPLATES = `template direct
  system en: You answer survey questions.
  en: |
    {question}
    {options}
    Answer with the number of one option only.
  da: |
    {question}
    {options}
    Svar kun med nummeret på én mulighed.
`;

let ollama: FakeServer;
let openai: FakeServer;
before(async () => {
  ollama = await startFakeOllama();
  openai = await startFakeOpenAI();
});
after(async () => {
  await ollama.close();
  await openai.close();
});

function basePlan(provider: 'ollama' | 'openai', endpoint: string, method: 'logprobs' | 'sample'): PlannedRequest[] {
  const plan = buildPlan({
    survey: parseSurvey(SURVEY),
    templates: parseTemplates(TEMPLATES),
    template: 'direct',
    paraphrases: 'none',
    models: [{ provider, endpoint, model: 'fake-llm:latest' }],
    method,
    samples: method === 'sample' ? 6 : 1,
    temperature: method === 'sample' ? 1 : 0,
    seed: 3,
  });
  // What the planner does for a model of kind 'base'.
  return plan.map((r) => ({ ...r, prompt: toPlainPrompt(r.messages, { language: r.identity.language }) }));
}

const providers = (kind: string, endpoint: string) =>
  kind === 'ollama' ? createOllamaProvider({ host: endpoint }) : createOpenAIProvider({ baseURL: endpoint });

for (const kind of ['ollama', 'openai'] as const) {
  test(`${kind}: a base-model plan is scored from first-token logprobs of the raw prompt`, async () => {
    const fake = kind === 'ollama' ? ollama : openai;
    fake.requests.length = 0;
    const endpoint = kind === 'ollama' ? fake.url : `${fake.url}/v1`;
    const plan = basePlan(kind, endpoint, 'logprobs');
    assert.equal(plan.length, 4);
    const summary = await runPlan(plan, { providers, maxAttempts: 1 });
    assert.deepEqual(
      summary.records.map((r) => r.kind),
      ['result', 'result', 'result', 'result'],
    );
    const sent = fake.modelRequests();
    assert.equal(sent.length, 4);
    assert.ok(sent.every((r) => r.path === (kind === 'ollama' ? '/api/generate' : '/v1/completions')));
    for (const [i, req] of plan.entries()) {
      const body = sent.find((r) => (r.body as { prompt: string }).prompt === req.prompt);
      assert.ok(body, `request ${i} sent its plain prompt`);
      assert.ok(req.prompt!.endsWith(req.identity.language === 'da' ? 'mulighed.\n\nSvar:' : 'only.\n\nAnswer:'), req.prompt);
      assert.match(req.prompt!, /^1\. .*\n2\. .*\n3\. .*\n4\. /m, 'the options are in the text');
      // Independent computation: the fake's distribution for exactly that text, through the scorer.
      const expected = distributionFromLogprobs(fakeFirstToken(req.prompt!, 'fake-llm:latest').slice(0, 20), req.labels);
      const record = summary.records[i] as ScoreResult;
      for (const [code, p] of Object.entries(expected.probabilities))
        assert.ok(Math.abs(record.probabilities[code] - p) < 1e-12, `${i} code ${code}`);
      assert.ok(Math.abs(record.missMass - expected.missMass) < 1e-12);
    }
  });

  test(`${kind}: a base-model plan is scored by sampling`, async () => {
    const fake = kind === 'ollama' ? ollama : openai;
    fake.requests.length = 0;
    const endpoint = kind === 'ollama' ? fake.url : `${fake.url}/v1`;
    const plan = basePlan(kind, endpoint, 'sample');
    const summary = await runPlan(plan, { providers, maxAttempts: 1 });
    assert.ok(
      summary.records.every((r) => r.kind === 'result'),
      JSON.stringify(summary.records.find((r) => r.kind !== 'result')),
    );
    for (const r of summary.records as ScoreResult[]) {
      assert.equal(r.samples, 6);
      assert.equal(r.unparseableShare, 0);
    }
    const bodies = fake.modelRequests().map((r) => r.body as Record<string, unknown>);
    assert.ok(bodies.every((b) => typeof b.prompt === 'string' && b.messages === undefined));
    assert.equal(bodies.length, kind === 'ollama' ? 4 * 6 : 4, 'Ollama has no n: one request per sample');
  });
}
