// The Files + Batches client on the loopback fake: the key only when given (and never in an error), files
// larger than one scoring request or answer may be (streamed both ways), the batch object read strictly,
// and polls that fail now and then waited out by the engine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProviderError } from '../../../src/core/model';
import { limits } from '../../../src/core/limits';
import { batchInfo, createOpenAIBatchClient } from '../../../src/providers/openai-batch';
import { startFakeOpenAIBatch } from '../../support/fake-openai-batch';
import { runStudy } from '../../../src/core/study/session';
import { environment, load, planOf, writeStudy } from './support';

const KEY = 'sk-test-0123456789abcdef';

test('the key goes only where it is given, and an error never carries it', async () => {
  const fake = await startFakeOpenAIBatch({ requireKey: KEY });
  const dir = mkdtempSync(join(tmpdir(), 'vl-batch-client-'));
  try {
    const file = join(dir, 'in.jsonl');
    writeFileSync(file, '{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"m","messages":[]}}\n');
    const keyless = createOpenAIBatchClient({ baseURL: `${fake.url}/v1` });
    await assert.rejects(
      keyless.uploadFile(file, new AbortController().signal),
      (e: unknown) => e instanceof ProviderError && e.kind === 'http' && e.status === 401,
    );
    assert.equal(fake.requests.at(-1)!.headers.authorization, undefined);
    const keyed = createOpenAIBatchClient({ baseURL: `${fake.url}/v1`, apiKey: KEY });
    const id = await keyed.uploadFile(file, new AbortController().signal);
    assert.equal(fake.files.get(id)!.purpose, 'batch');
    assert.equal(fake.files.get(id)!.filename, 'in.jsonl');
    const batch = await keyed.createBatch(id, '/v1/chat/completions', new AbortController().signal);
    assert.equal(batch.status, 'validating');
    const body = fake.requests.at(-1)!.body as Record<string, unknown>;
    assert.deepEqual(body, { input_file_id: id, endpoint: '/v1/chat/completions', completion_window: '24h' });
    // A server that echoes the key in an error (the 404 names the id asked for): redacted.
    fake.control.requireKey = null;
    const missing = await keyed.retrieveBatch(`x${KEY}`, new AbortController().signal).catch((e: unknown) => e);
    assert.ok(missing instanceof ProviderError && missing.status === 404);
    assert.ok(!missing.message.includes(KEY), missing.message);
  } finally {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('files over the single-request and single-answer limits are streamed up and down intact', async () => {
  const fake = await startFakeOpenAIBatch();
  const dir = mkdtempSync(join(tmpdir(), 'vl-batch-client-'));
  try {
    const client = createOpenAIBatchClient({ baseURL: `${fake.url}/v1` });
    const line = `${JSON.stringify({ custom_id: 'k', method: 'POST', url: '/v1/chat/completions', body: { model: 'm', messages: [{ role: 'user', content: 'é'.repeat(500) }] } })}\n`;
    const big = line.repeat(Math.ceil((limits().maxRequestBytes * 2) / line.length));
    const file = join(dir, 'in.jsonl');
    writeFileSync(file, big);
    const id = await client.uploadFile(file, new AbortController().signal);
    assert.equal(fake.files.get(id)!.content, big);
    const huge = 'x'.repeat(limits().maxResponseBytes + 1024);
    fake.files.set('file-huge', { id: 'file-huge', filename: 'o.jsonl', purpose: 'batch_output', content: huge, created_at: 0 });
    const out = join(dir, 'out.jsonl');
    await client.downloadFile('file-huge', out, new AbortController().signal);
    assert.equal(readFileSync(out, 'utf8').length, huge.length);
    await assert.rejects(
      client.downloadFile('file-none', join(dir, 'none.jsonl'), new AbortController().signal),
      (e: unknown) => e instanceof ProviderError && e.status === 404,
    );
  } finally {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the batch object is read strictly: an unknown status is a parse error; errors and counts are kept', () => {
  assert.throws(
    () => batchInfo({ id: 'b', status: 'queued' }, 'http://x'),
    (e: unknown) => e instanceof ProviderError && e.kind === 'parse' && /unknown status "queued"/.test(e.message),
  );
  assert.throws(() => batchInfo({ status: 'completed' }, 'http://x'), /not a batch object/);
  const info = batchInfo(
    {
      id: 'b',
      status: 'failed',
      input_file_id: 'f',
      output_file_id: null,
      errors: { object: 'list', data: [{ code: 'invalid_json_line', message: 'bad', line: 2 }] },
      request_counts: { total: 3, completed: 0, failed: 0 },
    },
    'http://x',
  );
  assert.deepEqual(info, {
    id: 'b',
    status: 'failed',
    inputFileId: 'f',
    requestCounts: { total: 3, completed: 0, failed: 0 },
    errors: ['invalid_json_line: bad'],
  });
});

test('polls that fail with 503 now and then are waited out; the batch completes', async () => {
  const fake = await startFakeOpenAIBatch();
  const dir = mkdtempSync(join(tmpdir(), 'vl-batch-client-'));
  try {
    const baseURL = `${fake.url}/v1`;
    const loaded = await load(writeStudy(dir, baseURL, 1));
    const plan = planOf(loaded);
    let planted = false;
    const env = environment(join(dir, 'cache'), baseURL, new AbortController().signal, {
      onBatch: (p) => {
        if (p.phase === 'submitted' && !planted) {
          planted = true;
          fake.setBehaviour({
            faults: [
              { kind: 'status', status: 503 },
              { kind: 'status', status: 502 },
            ],
          });
        }
      },
    });
    const result = await runStudy(loaded, undefined, env);
    assert.ok(result.status === 'ran');
    assert.equal(result.manifest.scored, plan.length);
    assert.equal(fake.behaviour.faults.length, 0, 'both faults were met');
  } finally {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
