// issue 18, High 3, end to end: `value-lens score --timeout` against a server that accepts and never
// answers. Asserted: the attempts and the timeout each one had (from --verbose), not elapsed time.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startFakeOllama, type FakeServer } from '../../support/fake-ollama';
import { buildOnce, EXAMPLE_ITEMS, EXAMPLE_TEMPLATES, jsonLines, removeDir, runCli, tempDir } from '../cli/helpers';

let hang: FakeServer;
let dir: string;
before(async () => {
  buildOnce();
  hang = await startFakeOllama({ fault: { kind: 'hang' } });
  dir = tempDir('vl-timeout-');
});
after(async () => {
  await hang.close();
  await removeDir(dir);
});

const score = (extra: string[]) => [
  'score',
  EXAMPLE_ITEMS,
  '--template',
  EXAMPLE_TEMPLATES,
  '--item',
  'Q1',
  '--lang',
  'en',
  '--endpoint',
  hang.url,
  '--model',
  'fake-llm',
  '--cache-dir',
  join(dir, 'cache'),
  '--verbose',
  ...extra,
];
const budgets = (stderr: string) =>
  [...stderr.matchAll(/attempt \d+ failed \(timeout: .*?within (\d+) ms\)|request \d+ failed: .*?within (\d+) ms/g)].map((m) =>
    Number(m[1] ?? m[2]),
  );

test('--timeout alone bounds every attempt of a cold model (4 attempts, each 200 ms)', async () => {
  hang.requests.length = 0;
  const r = await runCli(score(['--method', 'logprobs', '--timeout', '0.2']), { timeoutMs: 30_000 });
  assert.equal(r.code, 1, r.stderr);
  const [record] = jsonLines(r.stdout) as { kind: string; attempts: number; error: { kind: string } }[];
  assert.equal(record.kind, 'failure');
  assert.equal(record.error.kind, 'timeout');
  assert.equal(record.attempts, 4);
  assert.deepEqual(budgets(r.stderr), [200, 200, 200, 200], r.stderr);
});

test('--first-timeout is the loading allowance of the first attempt only', async () => {
  const r = await runCli(score(['--method', 'logprobs', '--timeout', '0.2', '--first-timeout', '0.6', '--fresh']), { timeoutMs: 30_000 });
  assert.equal(r.code, 1, r.stderr);
  assert.deepEqual(budgets(r.stderr), [600, 200, 200, 200], r.stderr);
});

test('the logprobs check (--method auto) is bounded by the allowance too, and says the server did not answer', async () => {
  hang.requests.length = 0;
  const r = await runCli(score(['--timeout', '0.3', '--fresh']), { timeoutMs: 30_000 });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /No model server answered/);
  assert.equal(hang.modelRequests().length, 1, 'one probe, no run');
});
