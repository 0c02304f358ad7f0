// Issue 18, the default size limits at full size (slow tier: real 16 MiB bodies, a 1 GiB gzip bomb, a
// 657 MB microdata file). Each limit is hit exactly (accepted) and passed (a clear, non-retried failure),
// and the memory the process gained is reported and bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import zlib from 'node:zlib';
import { DEFAULT_LIMITS, configureLimits, limits } from '../../../src/core/limits';
import { ProviderError } from '../../../src/core/model';
import { createOllamaProvider } from '../../../src/providers/ollama';
import { readInputBytes } from '../../../src/cli/io';
import { paddedOllamaBody, send, startHostileServer } from '../../support/hostile-server';
import { buildOnce, runCli, EXAMPLE_ITEMS } from '../cli/helpers';

configureLimits({}, true);
const MiB = 1024 * 1024;

const request = () => ({
  model: 'fake-llm',
  messages: [{ role: 'user' as const, content: 'x' }],
  maxTokens: 1,
  temperature: 0,
  topLogprobs: 5,
  signal: AbortSignal.timeout(60_000),
  timeoutMs: 60_000,
});

const rssMiB = () => Math.round(process.memoryUsage().rss / MiB);

test('response body: 16 MiB is read, 16 MiB + 1 byte is refused, not retried, memory bounded', async () => {
  assert.equal(limits().maxResponseBytes, 16 * MiB);
  let body = paddedOllamaBody(16 * MiB);
  const server = await startHostileServer((_req, res) => send(res, 200, body, {}, false));
  try {
    const provider = createOllamaProvider({ host: server.url });
    const before = rssMiB();
    assert.equal((await provider.complete(request())).choices[0].text, '3');
    body = paddedOllamaBody(16 * MiB + 1);
    const error = await provider.complete(request()).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof ProviderError && error.kind === 'parse' && !error.retryable, String(error));
    assert.match(error.message, /16 MiB limit/);
    // A 200 MB answer used to take 1.3 GB of RSS: now the transport stops at the limit.
    body = Buffer.alloc(0);
    const huge = await startHostileServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(MiB, 0x20);
      let sent = 0;
      const pump = (): void => {
        while (sent < 200 && res.write(chunk)) sent++;
        if (sent < 200) res.once('drain', pump);
        else res.end();
      };
      res.on('error', () => undefined);
      pump();
    });
    try {
      const e = await createOllamaProvider({ host: huge.url })
        .complete(request())
        .then(
          () => undefined,
          (x: unknown) => x,
        );
      assert.ok(e instanceof ProviderError && e.kind === 'parse', String(e));
    } finally {
      await huge.close();
    }
    const gained = rssMiB() - before;
    console.log(`# response limit: RSS gained ${gained} MiB over a 16 MiB answer and a refused 200 MiB one`);
    assert.ok(gained < 160, `RSS grew ${gained} MiB`);
  } finally {
    await server.close();
  }
});

test('gzip bomb: 1 GiB of spaces (about 1 MB compressed) stops at 16 MiB decoded', async () => {
  const bomb = zlib.gzipSync(Buffer.concat([paddedOllamaBody(MiB), Buffer.alloc(1023 * MiB, 0x20)]), { level: 9 });
  const atLimit = zlib.gzipSync(paddedOllamaBody(DEFAULT_LIMITS.maxDecodedResponseBytes), { level: 9 });
  let body = atLimit;
  const server = await startHostileServer((_req, res) => send(res, 200, body, { 'content-encoding': 'gzip' }));
  try {
    const provider = createOllamaProvider({ host: server.url });
    assert.equal((await provider.complete(request())).choices[0].text, '3');
    body = bomb;
    const before = rssMiB();
    const started = performance.now();
    const error = await provider.complete(request()).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof ProviderError && error.kind === 'parse' && !error.retryable, String(error));
    assert.match(error.message, /VALUE_LENS_MAX_DECODED_BYTES/);
    const gained = rssMiB() - before;
    console.log(
      `# gzip bomb: ${(bomb.length / MiB).toFixed(1)} MiB compressed, refused after ${Math.round(performance.now() - started)} ms, RSS gained ${gained} MiB`,
    );
    assert.ok(gained < 100, `RSS grew ${gained} MiB`);
  } finally {
    await server.close();
  }
});

test('input files: exactly 256 MiB is read; a 657 MB microdata CSV is refused by analyze with a clear message, no abort', async () => {
  buildOnce();
  const dir = await fs.mkdtemp(join(tmpdir(), 'vl-big-'));
  try {
    const at = join(dir, 'at.csv');
    await fs.writeFile(at, '');
    await fs.truncate(at, DEFAULT_LIMITS.maxInputFileBytes);
    assert.equal((await readInputBytes(at, 'Human data file')).length, 256 * MiB);
    const big = join(dir, 'microdata.csv');
    await fs.writeFile(big, 'B_COUNTRY,Q1\n');
    await fs.truncate(big, 657_000_000); // sparse: the size is what matters, the limit is checked before reading
    const results = join(dir, 'r.jsonl');
    const record = {
      kind: 'result',
      itemId: 'Q1',
      language: 'en',
      model: 'm',
      template: 'direct',
      method: 'logprobs',
      paraphrase: null,
      probabilities: { 1: 1 },
      mean: 1,
      optionOrder: [1, 2, 3, 4],
    };
    await fs.writeFile(results, `${JSON.stringify(record)}\n`);
    const r = await runCli(['analyze', results, '--items', EXAMPLE_ITEMS, '--human', big]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /microdata\.csv is 626\.6 MiB, over the 256 MiB input limit; split or filter it/);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
