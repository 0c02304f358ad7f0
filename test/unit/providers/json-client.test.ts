// The providers' own HTTP client (src/providers/http-transport.ts, json-client.ts) against real loopback
// servers: retries (by the scheduler, through the real provider), Retry-After, an abort in the middle of a
// body, oversized bodies, a gzip bomb, keep-alive, and the typed error of every failure.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import zlib from 'node:zlib';
import { configureLimits } from '../../../src/core/limits';
import type { ProviderError } from '../../../src/core/model';
import { runPlan } from '../../../src/core/run/runner';
import { httpExchange, httpLines } from '../../../src/providers/http-transport';
import { createJsonClient } from '../../../src/providers/json-client';
import { createOllamaProvider, pullModel } from '../../../src/providers/ollama';
import { createOpenAIProvider } from '../../../src/providers/openai';
import { json as sendJson } from '../../support/hostile-server';
import { listenLoopback } from '../../support/loopback';
import { answer, makePlan } from '../run/support';
import { rejection as failure } from './protocol-suite';

afterEach(() => configureLimits({}, true));

interface Seen {
  at: number;
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Resolves when the server sees the client close the connection. */
  closed: Promise<void>;
}

/** A server whose n-th request (0-based) gets `handle(n, req, res)`; counts requests and connections. */
async function serve(handle: (n: number, seen: Seen, res: http.ServerResponse) => void) {
  const seen: Seen[] = [];
  let connections = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const closed = new Promise<void>((resolve) => res.on('close', () => resolve()));
      const entry: Seen = {
        at: performance.now(),
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        closed,
      };
      seen.push(entry);
      handle(seen.length - 1, entry, res);
    });
  });
  server.on('connection', () => connections++);
  const { url, close } = await listenLoopback(server);
  return { url, seen, connections: () => connections, close };
}

function chatAnswer(seen: Seen): unknown {
  return answer(JSON.parse(seen.body) as Record<string, unknown>);
}

const call = (over: Partial<{ signal: AbortSignal; timeoutMs: number }> = {}) => ({
  signal: new AbortController().signal,
  timeoutMs: 5000,
  ...over,
});

test('retries: a 429 with Retry-After is retried by the scheduler after at least the wait asked for; the provider itself sends once', async () => {
  const server = await serve((n, seen, res) =>
    n < 2 ? sendJson(res, 429, { error: { message: 'slow down' } }, { 'retry-after-ms': '150' }) : sendJson(res, 200, chatAnswer(seen)),
  );
  try {
    const provider = createOpenAIProvider({ baseURL: `${server.url}/v1` });
    const direct = await failure(
      provider.complete({ model: 'm', messages: [{ role: 'user', content: 'q' }], maxTokens: 1, temperature: 0, ...call() }),
    );
    assert.equal(direct.status, 429);
    assert.equal(direct.retryAfterMs, 150);
    assert.equal(server.seen.length, 1, 'no retry inside the provider');
    // Through the scheduler: the second 429 is retried after ≥ 150 ms, then the answer is recorded.
    const run = await runPlan(makePlan({ count: 1, endpoint: `${server.url}/v1`, model: 'm' }), { providers: () => provider });
    assert.equal(run.records[0].kind, 'result');
    assert.equal(server.seen.length, 3);
    const gap = server.seen[2].at - server.seen[1].at;
    assert.ok(gap >= 149, `the retry came ${gap.toFixed(0)} ms after the 429; Retry-After asked 150`);
  } finally {
    await server.close();
  }
});

test('retries: 503 and a cut connection are retried with backoff; 400 and 401 are not', async () => {
  const server = await serve((n, seen, res) => {
    const body = JSON.parse(seen.body) as { model: string };
    if (body.model === 'flaky' && n === 0) return sendJson(res, 503, { error: { message: 'overloaded' } });
    if (body.model === 'flaky' && n === 1) {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '400' });
      res.write('{"choices":[');
      setTimeout(() => res.socket?.destroy(), 5);
      return;
    }
    if (body.model === 'bad') return sendJson(res, 400, { error: { message: 'bad request' } });
    if (body.model === 'nokey') return sendJson(res, 401, { error: { message: 'no key' } });
    sendJson(res, 200, chatAnswer(seen));
  });
  try {
    const providers = () => createOpenAIProvider({ baseURL: `${server.url}/v1` });
    const options = { providers, retry: { random: () => 0, baseDelayMs: 10 } };
    const flaky = await runPlan(makePlan({ count: 1, endpoint: `${server.url}/v1`, model: 'flaky' }), options);
    assert.equal(flaky.records[0].kind, 'result');
    assert.equal(server.seen.length, 3, '503, cut, answer');
    for (const model of ['bad', 'nokey']) {
      const before: number = server.seen.length;
      const run = await runPlan(makePlan({ count: 1, endpoint: `${server.url}/v1`, model }), options);
      const record = run.records[0];
      assert.equal(record.kind, 'failure');
      assert.equal(record.kind === 'failure' ? record.attempts : 0, 1);
      assert.equal(server.seen.length - before, 1, `${model}: sent once`);
    }
  } finally {
    await server.close();
  }
});

test('every failure is a typed ProviderError: status, Retry-After, redirect, not JSON, timeouts, refused, cancelled', async () => {
  const KEY = 'sk-test-CANARY-0123456789abcdef';
  const behaviours: Record<string, (seen: Seen, res: http.ServerResponse) => void> = {
    '/401': (seen, res) =>
      sendJson(res, 401, { error: { message: `Incorrect API key provided: ${String(seen.headers.authorization).slice(7)}` } }),
    '/404': (_s, res) => sendJson(res, 404, { error: { message: 'model not found' } }),
    '/429-date': (_s, res) =>
      sendJson(res, 429, { error: { message: 'rate limited' } }, { 'retry-after': new Date(Date.now() + 10_000).toUTCString() }),
    '/500-text': (_s, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('upstream exploded');
    },
    '/307': (_s, res) => {
      res.writeHead(307, { location: 'http://elsewhere.example:8080/v1/chat/completions' });
      res.end();
    },
    '/html': (_s, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>502 Bad Gateway</html>');
    },
    '/hang': () => undefined,
    '/stall': (_s, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"choices":');
    },
  };
  const server = await serve((_n, seen, res) => behaviours[seen.path]?.(seen, res));
  try {
    const client = createJsonClient({
      baseURL: server.url,
      origin: server.url,
      headers: { authorization: `Bearer ${KEY}` },
      secrets: [KEY],
    });
    const expect = async (path: string, want: Partial<ProviderError>, over = {}) => {
      const e = await failure(client.request('POST', path, { q: 1 }, call(over)));
      for (const [k, v] of Object.entries(want))
        assert.equal((e as unknown as Record<string, unknown>)[k], v, `${path}: ${k} (${e.message})`);
      assert.ok(!e.message.includes(KEY), `${path}: the key is not in "${e.message}"`);
      return e;
    };
    assert.match((await expect('/401', { kind: 'http', status: 401, retryable: false })).message, /\[redacted\]/);
    await expect('/404', { kind: 'http', status: 404, retryable: false });
    const limited = await expect('/429-date', { kind: 'http', status: 429, retryable: true });
    assert.ok(
      limited.retryAfterMs !== undefined && limited.retryAfterMs > 8000 && limited.retryAfterMs <= 10_000,
      String(limited.retryAfterMs),
    );
    assert.match((await expect('/500-text', { kind: 'http', status: 500, retryable: true })).message, /upstream exploded/);
    assert.match(
      (await expect('/307', { kind: 'http', status: 307, retryable: false })).message,
      /redirect to http:\/\/elsewhere\.example:8080 not followed/,
    );
    assert.match((await expect('/html', { kind: 'parse', retryable: false })).message, /not valid JSON/);
    await expect('/hang', { kind: 'timeout', retryable: true }, { timeoutMs: 100 });
    await expect('/stall', { kind: 'timeout', retryable: true }, { timeoutMs: 100 });
    const aborted = new AbortController();
    aborted.abort();
    const before = server.seen.length;
    await expect('/404', { kind: 'aborted', retryable: false }, { signal: aborted.signal });
    assert.equal(server.seen.length, before, 'an aborted call sends nothing');
  } finally {
    await server.close();
  }
  const gone = createJsonClient({ baseURL: server.url, origin: server.url });
  const refused = await failure(gone.request('GET', '/x', undefined, call()));
  assert.equal(refused.kind, 'network');
  assert.equal(refused.retryable, true);
});

test('an injected fetch gets the same typed errors (status with Retry-After, timeout, cancel)', async () => {
  const server = await serve((_n, seen, res) => {
    if (seen.path === '/429') return sendJson(res, 429, { error: { message: 'rate limited' } }, { 'retry-after': '3' });
    // else: hang
  });
  try {
    const client = createJsonClient({ baseURL: server.url, origin: server.url, fetch: globalThis.fetch });
    const limited = await failure(client.request('POST', '/429', {}, call()));
    assert.equal(limited.status, 429);
    assert.equal(limited.retryAfterMs, 3000);
    assert.equal((await failure(client.request('POST', '/hang', {}, call({ timeoutMs: 100 })))).kind, 'timeout');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    assert.equal((await failure(client.request('POST', '/hang', {}, call({ signal: controller.signal })))).kind, 'aborted');
  } finally {
    await server.close();
  }
});

test('abort mid-body: the exchange rejects as cancelled at once and the connection is closed', async () => {
  let wrote!: () => void;
  const halfway = new Promise<void>((resolve) => (wrote = resolve));
  const server = await serve((_n, _seen, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
    res.write('{"model":"m","choices":[{"message":{"content":"');
    wrote();
  });
  try {
    const provider = createOpenAIProvider({ baseURL: `${server.url}/v1` });
    const controller = new AbortController();
    const pending = provider.complete({
      model: 'm',
      messages: [{ role: 'user', content: 'q' }],
      maxTokens: 1,
      temperature: 0,
      signal: controller.signal,
      timeoutMs: 30_000,
    });
    await halfway;
    await new Promise((r) => setTimeout(r, 20)); // the first bytes have reached the client
    controller.abort();
    const e = await failure(pending);
    assert.equal(e.kind, 'aborted');
    assert.equal(e.retryable, false);
    await server.seen[0].closed; // the client closed the connection (else this test would time out)
  } finally {
    await server.close();
  }
});

test('keep-alive: sequential requests to one server share one connection', async () => {
  const server = await serve((_n, seen, res) => sendJson(res, 200, chatAnswer(seen)));
  try {
    const provider = createOpenAIProvider({ baseURL: `${server.url}/v1` });
    for (let i = 0; i < 5; i++)
      await provider.complete({ model: 'm', messages: [{ role: 'user', content: `q${i}` }], maxTokens: 1, temperature: 0, ...call() });
    assert.equal(server.seen.length, 5);
    assert.equal(server.connections(), 1);
    assert.equal(server.seen[0].headers.connection, 'keep-alive');
  } finally {
    await server.close();
  }
});

const LIMIT = 64 * 1024;

test('oversized bodies: a declared length over the limit is refused before reading; a chunked one when it passes the limit', async () => {
  configureLimits({ maxResponseBytes: LIMIT });
  const server = await serve((_n, seen, res) => {
    if (seen.path === '/declared') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(LIMIT + 1) });
      res.write('{'); // the rest never comes: a client that waited for it would time out instead
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    const write = (left: number): void => {
      if (left <= 0 || res.destroyed) return void res.end();
      res.write(Buffer.alloc(8192, 0x20), () => write(left - 8192));
    };
    write(LIMIT * 4);
  });
  try {
    for (const path of ['/declared', '/chunked']) {
      const e = await failure(httpExchange({ method: 'GET', url: new URL(`${server.url}${path}`), timeoutMs: 5000 }));
      assert.equal(e.kind, 'parse', `${path}: ${e.message}`);
      assert.equal(e.retryable, false);
      assert.match(e.message, /too large.*64 KiB limit \(VALUE_LENS_MAX_RESPONSE_BYTES\)/);
    }
    // At the limit exactly it is read.
    configureLimits({ maxResponseBytes: LIMIT * 4 });
    const ok = await httpExchange({ method: 'GET', url: new URL(`${server.url}/chunked`), timeoutMs: 5000 });
    assert.equal(ok.body.length, LIMIT * 4);
  } finally {
    await server.close();
  }
});

test('gzip bomb: inflating stops at the decoded limit, for a buffered answer and for a streamed one', async () => {
  configureLimits({ maxDecodedResponseBytes: LIMIT });
  const bomb = zlib.gzipSync(Buffer.alloc(16 * 1024 * 1024, 0x20));
  assert.ok(bomb.length < LIMIT, 'the compressed body is under the limit');
  const fine = zlib.gzipSync(Buffer.from('{"ok":true}'));
  const server = await serve((_n, seen, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    res.end(seen.path === '/fine' ? fine : bomb);
  });
  try {
    const ok = await httpExchange({ method: 'GET', url: new URL(`${server.url}/fine`) });
    assert.equal(ok.body.toString(), '{"ok":true}');
    assert.equal(ok.headers['content-encoding'], undefined, 'the body handed on is decoded');
    const before = process.memoryUsage().rss;
    const e = await failure(httpExchange({ method: 'GET', url: new URL(`${server.url}/bomb`) }));
    assert.equal(e.kind, 'parse');
    assert.match(e.message, /gzip body decodes to more than that.*VALUE_LENS_MAX_DECODED_BYTES/);
    assert.ok(process.memoryUsage().rss - before < 12 * 1024 * 1024, 'not inflated whole');
    // A stream of lines (pull progress) is held to the same decoded limit.
    configureLimits({ maxResponseBytes: LIMIT });
    const lines: string[] = [];
    const streamed = await failure(httpLines({ method: 'GET', url: new URL(`${server.url}/bomb`) }, (line) => lines.push(line)));
    assert.equal(streamed.kind, 'parse');
    assert.equal(lines.length, 0);
  } finally {
    await server.close();
  }
});

test('streamed lines: each line as it comes, split across chunks; an endless line is refused; a non-2xx is buffered', async () => {
  configureLimits({ maxResponseBytes: LIMIT });
  const server = await serve((_n, seen, res) => {
    if (seen.path === '/endless') {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      for (let i = 0; i < 10; i++) res.write('x'.repeat(LIMIT / 4));
      return;
    }
    if (seen.path === '/error') return sendJson(res, 500, { error: 'pull failed' });
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    res.write('{"status":"a"}\n{"sta');
    setTimeout(() => res.end('tus":"b"}\n\n{"status":"c"}'), 10);
  });
  try {
    const lines: string[] = [];
    const ok = await httpLines({ method: 'POST', url: new URL(`${server.url}/lines`), body: '{}' }, (line) => lines.push(line));
    assert.equal(ok.status, 200);
    assert.deepEqual(lines, ['{"status":"a"}', '{"status":"b"}', '{"status":"c"}']);
    const endless = await failure(httpLines({ method: 'POST', url: new URL(`${server.url}/endless`), body: '{}' }, () => undefined));
    assert.match(endless.message, /one line of its stream is over the 64 KiB limit/);
    const error = await httpLines({ method: 'POST', url: new URL(`${server.url}/error`), body: '{}' }, () =>
      assert.fail('no lines from an error'),
    );
    assert.equal(error.status, 500);
    assert.equal(JSON.parse(error.body.toString()).error, 'pull failed');
  } finally {
    await server.close();
  }
});

test('pullModel: an error line in the stream ends the pull with that message; a 500 is an HTTP error', async () => {
  const server = await serve((_n, seen, res) => {
    const model = (JSON.parse(seen.body) as { model: string }).model;
    if (model === 'gone') return sendJson(res, 500, { error: 'pull model manifest: file does not exist' });
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    res.end('{"status":"pulling manifest"}\nnot json\n{"error":"max retries exceeded: disk full"}\n{"status":"success"}\n');
  });
  try {
    const seen: string[] = [];
    const e = await failure(pullModel(server.url, 'tiny', (p) => seen.push(p.status), new AbortController().signal));
    assert.equal(e.kind, 'http');
    assert.match(e.message, /Pulling tiny from .* failed: max retries exceeded: disk full/);
    assert.deepEqual(seen, ['pulling manifest'], 'the damaged line is skipped, nothing after the error is reported');
    const missing = await failure(pullModel(server.url, 'gone', () => undefined, new AbortController().signal));
    assert.equal(missing.status, 500);
    assert.match(missing.message, /file does not exist/);
    assert.equal(server.seen[0].path, '/api/pull');
    assert.deepEqual(JSON.parse(server.seen[0].body), { model: 'tiny', stream: true });
  } finally {
    await server.close();
  }
});

test('wire: the OpenAI and Ollama requests carry JSON content type, accept, the key only as asked, and a content-length', async () => {
  const server = await serve((_n, seen, res) => {
    if (seen.path.startsWith('/api/'))
      return sendJson(res, 200, {
        model: 'm',
        message: { role: 'assistant', content: '3' },
        done: true,
        prompt_eval_count: 3,
        eval_count: 1,
      });
    sendJson(res, 200, chatAnswer(seen));
  });
  try {
    await createOpenAIProvider({ baseURL: `${server.url}/v1/`, apiKey: 'sk-abc' }).complete({
      model: 'm',
      messages: [{ role: 'user', content: 'q' }],
      maxTokens: 1,
      temperature: 0,
      ...call(),
    });
    const r = await createOllamaProvider({ host: server.url.replace('http://', '') }).complete({
      model: 'm',
      messages: [{ role: 'user', content: 'q' }],
      maxTokens: 1,
      temperature: 0,
      ...call(),
    });
    assert.equal(r.choices[0].text, '3');
    const [openai, ollama] = server.seen;
    assert.equal(openai.path, '/v1/chat/completions', 'a trailing slash of the base URL is not doubled');
    assert.equal(openai.headers.authorization, 'Bearer sk-abc');
    assert.equal(ollama.path, '/api/chat');
    assert.equal(ollama.headers.authorization, undefined, 'Ollama gets no key');
    for (const s of [openai, ollama]) {
      assert.equal(s.headers['content-type'], 'application/json');
      assert.equal(s.headers.accept, 'application/json');
      assert.equal(Number(s.headers['content-length']), Buffer.byteLength(s.body));
      assert.equal(s.headers['transfer-encoding'], undefined);
    }
  } finally {
    await server.close();
  }
});
