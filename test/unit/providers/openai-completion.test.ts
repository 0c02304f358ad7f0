// OpenAI-compatible servers in completion mode (base models): the legacy /v1/completions endpoint.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { completionFirstToken } from '../../../src/providers/openai';
import { distributionFromLogprobs } from '../../../src/core/scoring/logprobs';
import { completionRequest, completionSuite } from './completion-suite';
import { rejection } from './protocol-suite';
import { openaiTarget } from './targets';

const KEY = 'sk-test-CANARY-completions-0123456789';
const { target, skip } = openaiTarget(
  process.env.VALUE_LENS_OPENAI_BASE_MODEL ?? process.env.VALUE_LENS_OPENAI_MODEL ?? 'gpt-3.5-turbo-instruct',
  KEY,
);
const { ctx } = completionSuite(target);

test('openai completion: the chat-shaped logprobs of llama.cpp server and Ollama /v1 give the same distribution as the legacy shape', {
  skip,
}, async () => {
  const { fake, provider } = ctx();
  fake!.setBehaviour({ completionLogprobs: 'legacy' });
  const legacy = completionRequest(provider, 'fake-llm:latest', 'da');
  const a = (await legacy.run()).choices[0].firstTokenLogprobs ?? [];
  fake!.setBehaviour({ completionLogprobs: 'content' });
  const content = completionRequest(provider, 'fake-llm:latest', 'da');
  const b = (await content.run()).choices[0].firstTokenLogprobs ?? [];
  fake!.setBehaviour({ completionLogprobs: 'legacy' });
  assert.ok(a.length > 1);
  assert.deepEqual(b, a);
  assert.deepEqual(distributionFromLogprobs(b, content.rendered.labels), distributionFromLogprobs(a, legacy.rendered.labels));
});

test("openai completion: OpenAI's cap of 5 on logprobs is learned from the 400 and remembered", { skip }, async () => {
  const { fake, provider } = ctx();
  fake!.requests.length = 0;
  fake!.setBehaviour({ completionsMaxLogprobs: 5 });
  try {
    const first = await completionRequest(provider, 'fake-reasoner:latest', 'en').run();
    assert.ok((first.choices[0].firstTokenLogprobs?.length ?? 0) >= 5);
    await completionRequest(provider, 'fake-reasoner:latest', 'en').run();
    const sent = fake!.modelRequests().map((r) => (r.body as { logprobs: number }).logprobs);
    assert.deepEqual(sent, [20, 5, 5]);
  } finally {
    fake!.setBehaviour({ completionsMaxLogprobs: 20 });
  }
});

test('openai completion: a chat-only server answers 404, reported as not retryable', { skip }, async () => {
  const { fake, provider } = ctx();
  fake!.setBehaviour({ completionsEndpoint: false });
  try {
    const e = await rejection(completionRequest(provider, 'fake-llm:latest', 'en').run());
    assert.equal(e.status, 404);
    assert.equal(e.retryable, false);
  } finally {
    fake!.setBehaviour({ completionsEndpoint: true });
  }
});

test('completionFirstToken: legacy map plus the sampled token, best first; chat shape; junk gives undefined', () => {
  // The example in the OpenAI API reference's shape: one {token: logprob} map per position.
  const legacy = {
    tokens: ['\n', '1'],
    token_logprobs: [-0.0285, -0.0014],
    top_logprobs: [{ '\n': -0.0285, '\n\n': -5.34, ' (': -6.81 }, { '1': -0.0014 }],
    text_offset: [11, 12],
  };
  assert.deepEqual(completionFirstToken(legacy), [
    { token: '\n', logprob: -0.0285 },
    { token: '\n\n', logprob: -5.34 },
    { token: ' (', logprob: -6.81 },
  ]);
  // logprobs: 0 → the map may lack the sampled token; it is still reported.
  assert.deepEqual(completionFirstToken({ tokens: [' 3'], token_logprobs: [-0.2], top_logprobs: [{}] }), [{ token: ' 3', logprob: -0.2 }]);
  const chat = {
    content: [
      {
        token: ' 2',
        logprob: -0.1,
        top_logprobs: [
          { token: ' 2', logprob: -0.1 },
          { token: ' 4', logprob: -2.5 },
        ],
      },
    ],
  };
  assert.deepEqual(completionFirstToken(chat), [
    { token: ' 2', logprob: -0.1 },
    { token: ' 4', logprob: -2.5 },
  ]);
  // llama.cpp server's /v1/completions (server-task.cpp probs_vector_to_json): ids and bytes beside each entry;
  // a probability of 0 is written as the lowest float, which scoring treats as absent.
  const llamaCpp = {
    content: [
      {
        id: 220,
        token: ' 3',
        bytes: [32, 51],
        logprob: -0.3,
        top_logprobs: [
          { id: 220, token: ' 3', bytes: [32, 51], logprob: -0.3 },
          { id: 17, token: ' 2', bytes: [32, 50], logprob: -1.4 },
          { id: 9, token: 'x', bytes: [120], logprob: -3.4028234663852886e38 },
        ],
      },
      { id: 13, token: '.', bytes: [46], logprob: -0.01, top_logprobs: [] },
    ],
  };
  assert.deepEqual(
    completionFirstToken(llamaCpp)?.map((t) => t.token),
    [' 3', ' 2', 'x'],
  );
  assert.equal(completionFirstToken(null), undefined);
  assert.equal(completionFirstToken({ content: [] }), undefined);
  assert.equal(completionFirstToken({ tokens: [], top_logprobs: [] }), undefined);
  assert.deepEqual(completionFirstToken({ tokens: ['x'], token_logprobs: [null], top_logprobs: [{ a: 'b', c: -1 }] }), [
    { token: 'c', logprob: -1 },
  ]);
});

test('openai completion: the key is sent on /v1/completions as on chat', { skip }, async () => {
  const { fake, provider } = ctx();
  fake!.requests.length = 0;
  await completionRequest(provider, 'fake-llm:latest', 'en').run();
  assert.equal(fake!.modelRequests()[0].headers.authorization, `Bearer ${KEY}`);
});
