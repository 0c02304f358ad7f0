// Issue 18, providers: size limits on what is sent and received (raw and decoded), redirects to other
// origins, impossible logprobs and echoed keys, each against a hostile loopback server (test/support).
// Limits are lowered here so the bodies stay small; hostile.slow.test.ts runs the defaults.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { configureLimits, DEFAULT_LIMITS, limitsFromEnv } from '../../../src/core/limits';
import type { CompletionRequest } from '../../../src/core/model';
import { redact } from '../../../src/providers/errors';
import { httpTransport } from '../../../src/providers/http-transport';
import { createOllamaProvider } from '../../../src/providers/ollama';
import { createOpenAIProvider } from '../../../src/providers/openai';
import { compress, json, ollamaChat, openaiChat, paddedOllamaBody, send, startHostileServer } from '../../support/hostile-server';
import { rejection as failure } from './protocol-suite';

afterEach(() => configureLimits({}, true));

const request = (over: Partial<CompletionRequest> = {}): CompletionRequest => ({
  model: 'fake-llm',
  messages: [{ role: 'user', content: 'Answer 1-4.' }],
  maxTokens: 1,
  temperature: 0,
  topLogprobs: 5,
  signal: AbortSignal.timeout(10_000),
  timeoutMs: 5000,
  ...over,
});

const LIMIT = 64 * 1024;

test('response body: exactly at the limit is read, one byte over is a non-retryable parse failure (with and without content-length)', async () => {
  configureLimits({ maxResponseBytes: LIMIT });
  for (const withLength of [true, false]) {
    let size = LIMIT;
    const server = await startHostileServer((_req, res) => send(res, 200, paddedOllamaBody(size), {}, withLength));
    try {
      const provider = createOllamaProvider({ host: server.url });
      const ok = await provider.complete(request());
      assert.equal(ok.choices[0].text, '3');
      size = LIMIT + 1;
      const error = await failure(provider.complete(request()));
      assert.equal(error.kind, 'parse');
      assert.equal(error.retryable, false);
      assert.match(error.message, /too large.*64 KiB limit \(VALUE_LENS_MAX_RESPONSE_BYTES\)/);
    } finally {
      await server.close();
    }
  }
});

test('the OpenAI provider reports an over-limit body as that, not as a retried "network error"', async () => {
  configureLimits({ maxResponseBytes: LIMIT });
  const big = Buffer.concat([Buffer.from(JSON.stringify(openaiChat([{ token: '3', logprob: -0.1 }]))), Buffer.alloc(LIMIT, 0x20)]);
  const server = await startHostileServer((_req, res) => send(res, 200, big, {}, false));
  try {
    const provider = createOpenAIProvider({ baseURL: `${server.url}/v1` });
    const error = await failure(provider.complete(request()));
    assert.equal(error.kind, 'parse');
    assert.equal(error.retryable, false);
    assert.match(error.message, /too large/);
  } finally {
    await server.close();
  }
});

for (const encoding of ['gzip', 'deflate', 'br'] as const) {
  test(`${encoding} bomb: a body decoding to the limit is read, one decoding past it is refused while inflating`, async () => {
    configureLimits({ maxDecodedResponseBytes: LIMIT });
    let body = compress(paddedOllamaBody(LIMIT), encoding);
    const server = await startHostileServer((_req, res) => send(res, 200, body, { 'content-encoding': encoding }));
    try {
      const provider = createOllamaProvider({ host: server.url });
      const ok = await provider.complete(request());
      assert.equal(ok.choices[0].text, '3');
      // 8 MiB of spaces (128 × the limit) compress to a few KiB: the old transport (fetch) inflated all of it.
      body = compress(paddedOllamaBody(8 * 1024 * 1024), encoding);
      assert.ok(body.length < 64 * 1024);
      const before = process.memoryUsage().rss;
      const error = await failure(provider.complete(request()));
      assert.equal(error.kind, 'parse');
      assert.equal(error.retryable, false);
      assert.match(error.message, /VALUE_LENS_MAX_DECODED_BYTES/);
      assert.ok(process.memoryUsage().rss - before < 8 * 1024 * 1024, 'inflating stopped near the limit');
    } finally {
      await server.close();
    }
  });
}

test('a damaged gzip body or an unknown content-encoding is a parse failure', async () => {
  let headers: Record<string, string> = { 'content-encoding': 'gzip' };
  const server = await startHostileServer((_req, res) => send(res, 200, Buffer.from('not gzip at all'), headers));
  try {
    const provider = createOllamaProvider({ host: server.url });
    assert.match((await failure(provider.complete(request()))).message, /damaged gzip body/);
    headers = { 'content-encoding': 'zstd-bomb' };
    const error = await failure(provider.complete(request()));
    assert.equal(error.kind, 'parse');
    assert.match(error.message, /unsupported content-encoding "zstd-bomb"/);
  } finally {
    await server.close();
  }
});

test('request body: at the limit it is sent, over it nothing is sent and the failure says why', async () => {
  const server = await startHostileServer((_req, res) => json(res, 200, ollamaChat([{ token: '3', logprob: -0.1 }])));
  try {
    configureLimits({ maxRequestBytes: 1000 });
    const at = 'x'.repeat(1000);
    const response = await httpTransport(`${server.url}/api/chat`, { method: 'POST', body: at });
    assert.equal(response.status, 200);
    assert.equal(server.modelRequests().length, 1);
    const error = await failure(httpTransport(`${server.url}/api/chat`, { method: 'POST', body: `${at}y` }));
    assert.equal(error.kind, 'unsupported');
    assert.equal(error.retryable, false);
    assert.match(error.message, /not sent.*1001 bytes, over the 1000 bytes limit \(VALUE_LENS_MAX_REQUEST_BYTES\)/);
    assert.equal(server.modelRequests().length, 1, 'nothing was sent');
  } finally {
    await server.close();
  }
});

test('Ollama: a redirect to another origin is refused, the prompt never reaches it', async () => {
  const other = await startHostileServer((_req, res) => json(res, 200, ollamaChat([{ token: '3', logprob: -0.1 }])));
  const server = await startHostileServer((_req, res) => {
    res.writeHead(307, { location: `${other.url}/api/chat` });
    res.end();
  });
  try {
    const provider = createOllamaProvider({ host: server.url });
    const error = await failure(provider.complete(request()));
    assert.equal(error.status, 307);
    assert.equal(error.retryable, false);
    assert.match(error.message, new RegExp(`redirect to ${other.url.replace(/\./g, '\\.')} not followed`));
    assert.equal(other.requests.length, 0);
  } finally {
    await server.close();
    await other.close();
  }
});

const IMPOSSIBLE: [string, string][] = [
  ['a log-probability above 0', '{"token":"3","logprob":0.7}'],
  ['an infinite log-probability (1e999)', '{"token":"3","logprob":1e999}'],
  ['a null token', '{"token":null,"logprob":-0.1}'],
  ['a missing log-probability', '{"token":"3"}'],
];

for (const [what, entry] of IMPOSSIBLE) {
  test(`impossible logprobs, ${what}: a parse failure from both providers, never a crash or a distribution`, async () => {
    const ollamaBody = JSON.stringify(ollamaChat([{ token: '3', logprob: -0.1 }])).replace(
      '"top_logprobs":[{"token":"3","logprob":-0.1}]',
      `"top_logprobs":[{"token":"2","logprob":-2},${entry}]`,
    );
    const openaiBody = JSON.stringify(openaiChat([{ token: '3', logprob: -0.1 }])).replace(
      '"top_logprobs":[{"token":"3","logprob":-0.1}]',
      `"top_logprobs":[{"token":"2","logprob":-2},${entry}]`,
    );
    assert.notEqual(ollamaBody, JSON.stringify(ollamaChat([])));
    const server = await startHostileServer((req, res) =>
      send(res, 200, Buffer.from(req.path.startsWith('/v1') ? openaiBody : ollamaBody), {}),
    );
    try {
      for (const provider of [createOllamaProvider({ host: server.url }), createOpenAIProvider({ baseURL: `${server.url}/v1` })]) {
        const error = await failure(provider.complete(request()));
        assert.equal(error.kind, 'parse', `${provider.id}: ${error.message}`);
        assert.equal(error.retryable, false);
        assert.match(error.message, /impossible log-probability|unusable logprobs entry/);
      }
    } finally {
      await server.close();
    }
  });
}

test('a log-probability of 0 (certainty) and tiny float32 rounding above 0 are accepted', async () => {
  const server = await startHostileServer((_req, res) =>
    json(
      res,
      200,
      ollamaChat([
        { token: '3', logprob: 0 },
        { token: '2', logprob: 0.00001 },
      ]),
    ),
  );
  try {
    const r = await createOllamaProvider({ host: server.url }).complete(request());
    assert.deepEqual(
      r.choices[0].firstTokenLogprobs?.map((t) => t.logprob),
      [0, 0],
    );
  } finally {
    await server.close();
  }
});

const KEY = 'sk-proj-Abc123xyz789SECRETkeyValue0042';

test('redaction: the key in any case, URL-encoded, base64 at any alignment (Basic header) and base64url is removed', () => {
  const forms = [
    KEY.toUpperCase(),
    KEY.toLowerCase(),
    encodeURIComponent(`${KEY}/=`).replace('%2F%3D', ''),
    Buffer.from(KEY).toString('base64'),
    Buffer.from(`user:${KEY}`).toString('base64'),
    Buffer.from(`ab${KEY}`).toString('base64url'),
    Buffer.from(`{"k":"${KEY}"}`).toString('base64'),
  ];
  for (const form of forms) {
    const out = redact(`server said: ${form} (echo)`, [KEY]);
    assert.ok(!out.includes(form), `${form} leaked: ${out}`);
    assert.match(out, /\[redacted\]/);
  }
  // A string one character short of the key is not the key: it stays, so messages are not over-redacted.
  assert.equal(redact(`near miss ${KEY.slice(0, -1)}!`, [KEY]), `near miss ${KEY.slice(0, -1)}!`);
});

test('OpenAI: a key echoed in an error (upper-cased, base64) or in a 200 answer never reaches the result', async () => {
  let mode: 'error' | 'answer' = 'error';
  const server = await startHostileServer((_req, res) => {
    if (mode === 'error')
      json(res, 400, { error: { message: `bad key ${KEY.toUpperCase()} / ${Buffer.from(`:${KEY}`).toString('base64')}` } });
    else json(res, 200, openaiChat([{ token: KEY, logprob: -0.1 }], `echo ${KEY}`));
  });
  try {
    const provider = createOpenAIProvider({ baseURL: `${server.url}/v1`, apiKey: KEY });
    const error = await failure(provider.complete(request()));
    assert.ok(!error.message.toLowerCase().includes(KEY.toLowerCase()), error.message);
    assert.ok(!error.message.includes(Buffer.from(`:${KEY}`).toString('base64').slice(4, 40)), error.message);
    mode = 'answer';
    const answer = await provider.complete(request());
    const text = JSON.stringify(answer);
    assert.ok(!text.includes(KEY), text);
    assert.equal(answer.choices[0].text, 'echo [redacted]');
  } finally {
    await server.close();
  }
});

test('limits from the environment: integers apply, anything else is reported and ignored', () => {
  const { overrides, problems } = limitsFromEnv({
    VALUE_LENS_MAX_RESPONSE_BYTES: '1024',
    VALUE_LENS_MAX_PROMPT_CHARS: '64k',
    VALUE_LENS_MAX_INPUT_BYTES: '0',
  });
  assert.deepEqual(overrides, { maxResponseBytes: 1024 });
  assert.equal(problems.length, 2);
  assert.match(problems[0], /VALUE_LENS_MAX_PROMPT_CHARS="64k" is not a positive integer; the default 65536 applies/);
  assert.equal(DEFAULT_LIMITS.maxResponseBytes, 16 * 1024 * 1024);
});
