// Key hygiene end to end: a canary OPENAI_API_KEY goes to the server in the Authorization header and
// nowhere else — not in stdout, stderr (verbose logs included), results, cache files or the HTML report —
// also when the server fails and echoes the key back (401, 500).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { startFakeOpenAI, type FakeServer } from '../../support/fake-openai';
import {
  buildOnce,
  EXAMPLE_HUMAN,
  EXAMPLE_ITEMS,
  EXAMPLE_TEMPLATES,
  jsonLines,
  listFiles,
  removeDir,
  runCli,
  tempDir,
  type CliResult,
} from './helpers';

const CANARY = 'sk-canary-7f3a9c1e5b2d4f6a8c0e1b3d5f7a9c1e';
const FORMS = [CANARY, Buffer.from(CANARY).toString('base64'), encodeURIComponent(CANARY), CANARY.slice(3, 30)];

let fake: FakeServer;
let dir: string;
before(async () => {
  buildOnce();
  fake = await startFakeOpenAI({ requireKey: CANARY });
  dir = tempDir();
});
after(async () => {
  await fake.close();
  await removeDir(dir);
});

function occurrences(text: string): number {
  return FORMS.reduce((n, form) => n + text.split(form).length - 1, 0);
}

test('the canary key reaches the server only, across success, 401 and 500, logs, results, cache and report', async () => {
  const env = { OPENAI_API_KEY: CANARY, OPENAI_BASE_URL: `${fake.url}/v1` };
  const common = [
    'score',
    EXAMPLE_ITEMS,
    '--template',
    EXAMPLE_TEMPLATES,
    '--provider',
    'openai',
    '--model',
    'fake-llm',
    '--cache-dir',
    join(dir, 'cache'),
    '--verbose',
  ];
  const outputs: CliResult[] = [];

  const ok = await runCli([...common, '--item', 'Q1,Q2', '--lang', 'en,da', '--out', join(dir, 'ok.jsonl')], { cwd: dir, env });
  outputs.push(ok);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(jsonLines(await fs.readFile(join(dir, 'ok.jsonl'), 'utf8')).length, 4);

  fake.setBehaviour({ fault: { kind: 'unauthorized' } });
  const denied = await runCli([...common, '--item', 'Q3', '--lang', 'en', '--method', 'logprobs', '--out', join(dir, 'denied.jsonl')], {
    cwd: dir,
    env,
  });
  outputs.push(denied);
  assert.equal(denied.code, 1);
  const deniedRecords = jsonLines(await fs.readFile(join(dir, 'denied.jsonl'), 'utf8')) as { kind: string; error: { status?: number } }[];
  assert.equal(deniedRecords.length, 1);
  assert.equal(deniedRecords[0].kind, 'failure');
  assert.equal(deniedRecords[0].error.status, 401);

  // A hostile or buggy server that quotes the key in a 500 body.
  fake.setBehaviour({ fault: { kind: 'status', status: 500, body: { error: { message: `internal error while using key ${CANARY}` } } } });
  const broken = await runCli(
    [...common, '--item', 'Q4', '--lang', 'en', '--method', 'logprobs', '--out', join(dir, 'broken.jsonl'), '--timeout', '5'],
    {
      cwd: dir,
      env,
      timeoutMs: 120_000,
    },
  );
  outputs.push(broken);
  assert.equal(broken.code, 1);
  fake.setBehaviour({ fault: null });

  const analysis = await runCli(['analyze', join(dir, 'ok.jsonl'), '--items', EXAMPLE_ITEMS, '--human', EXAMPLE_HUMAN, '--json'], {
    cwd: dir,
    env,
  });
  outputs.push(analysis);
  const report = await runCli(
    ['report', join(dir, 'denied.jsonl'), '--items', EXAMPLE_ITEMS, '--human', EXAMPLE_HUMAN, '--html', join(dir, 'report.html')],
    { cwd: dir, env },
  );
  outputs.push(report);
  assert.equal(report.code, 0, report.stderr);

  // The server saw the key where it belongs.
  const keyed = fake.requests.filter((r) => r.headers.authorization === `Bearer ${CANARY}`);
  assert.ok(keyed.length >= 6, `keyed requests: ${keyed.length}`);

  let scanned = 0;
  for (const o of outputs) {
    assert.equal(occurrences(o.stdout), 0, `stdout: ${o.stdout.slice(0, 400)}`);
    assert.equal(occurrences(o.stderr), 0, `stderr: ${o.stderr.slice(0, 400)}`);
    scanned += 2;
  }
  const files = await listFiles(dir);
  assert.ok(
    files.some((f) => f.includes(join(dir, 'cache'))),
    'the cache was written',
  );
  for (const file of files) {
    const bytes = await fs.readFile(file);
    assert.equal(occurrences(bytes.toString('utf8')), 0, file);
    scanned++;
  }
  assert.ok(scanned >= 14, `scanned ${scanned} outputs and files`);
});
