// Issue 18 through the built CLI: hostile servers and damaged inputs end in a clear message and an
// honest exit code — escapes never reach the terminal, two runs never share an --out, SIGTERM keeps every
// record, an unusable or input-clobbering --out fails before any request, over-limit answers are not
// retried, credentials in OLLAMA_HOST are refused, stale cache temp files are swept.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { startFakeOllama, type FakeServer } from '../../support/fake-ollama';
import { ESCAPE_PAYLOAD, json, paddedOllamaBody, send, startHostileServer } from '../../support/hostile-server';
import { buildOnce, EXAMPLE_ITEMS, EXAMPLE_TEMPLATES, jsonLines, removeDir, runCli, spawnCli, tempDir } from './helpers';

let fake: FakeServer;
let dir: string;
before(async () => {
  buildOnce();
  fake = await startFakeOllama();
});
after(async () => {
  await fake.close();
  await removeDir(dir);
});
beforeEach(async () => {
  if (dir) await removeDir(dir);
  dir = tempDir('vl-hostile-');
  fake.requests.length = 0;
  fake.setBehaviour({ fault: null, faults: [] });
});

const SMALL_ITEMS = 'languages en\nscale s 1..4\n  en: a | b | c | d\nitem Q1\n  scale: s\n  en: One?\nitem Q2\n  scale: s\n  en: Two?\n';
const SMALL_TEMPLATE = 'languages en\ntemplate t\n  en: |\n    {question}\n    {options}\n';

async function smallFiles(template = SMALL_TEMPLATE, items = SMALL_ITEMS): Promise<{ items: string; template: string }> {
  await fs.writeFile(join(dir, 'items.wvs'), items);
  await fs.writeFile(join(dir, 'prompts.wvt'), template);
  return { items: join(dir, 'items.wvs'), template: join(dir, 'prompts.wvt') };
}

const scoreArgs = (files: { items: string; template: string }, endpoint: string, extra: string[] = []): string[] => [
  'score',
  files.items,
  '--template',
  files.template,
  '--endpoint',
  endpoint,
  '--model',
  'fake-llm',
  '--method',
  'logprobs',
  '--cache-dir',
  join(dir, 'cache'),
  ...extra,
];

const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

test('terminal escapes in server error text and in .wvs names are printed visibly, never raw', async () => {
  const server = await startHostileServer((_req, res) => json(res, 400, { error: `model broke ${ESCAPE_PAYLOAD}` }));
  try {
    const files = await smallFiles();
    const r = await runCli(scoreArgs(files, server.url, ['--out', join(dir, 'out.jsonl')]));
    assert.equal(r.code, 1, r.stderr);
    assert.ok(!RAW_CONTROL.test(r.stderr), `raw control characters in: ${JSON.stringify(r.stderr)}`);
    assert.match(r.stderr, /\\u001b\]52;c;/, 'the OSC 52 sequence is shown, not executed');
    assert.match(r.stderr, /2 planned, 0 scored \(0 from cache\), 2 failed/);
    // Records on stdout (no --out): C1 and bidi controls escaped too, the JSON still means the same.
    const toStdout = await runCli(scoreArgs(files, server.url));
    assert.ok(!/[\u0080-\u009f\u202a-\u202e]/.test(toStdout.stdout), JSON.stringify(toStdout.stdout));
    const [first] = jsonLines(toStdout.stdout) as { error: { message: string } }[];
    assert.ok(first.error.message.includes('\u009b31m'), first.error.message);
  } finally {
    await server.close();
  }
  const named = await smallFiles(SMALL_TEMPLATE, SMALL_ITEMS.replace('item Q2', 'item Q2\u001b[2J\u001b]52;c;eA==\u0007'));
  const check = await runCli(['check', named.items]);
  assert.equal(check.code, 1, check.stdout + check.stderr);
  assert.ok(!RAW_CONTROL.test(check.stdout + check.stderr), JSON.stringify(check.stdout + check.stderr));
  assert.match(check.stdout + check.stderr, /Q2\\(x1b|u001b)\[2J/);
});

test('two score runs on one --out: the second is refused with the holder named, the first keeps every record', async () => {
  fake.setBehaviour({ fault: { kind: 'hang' } });
  const out = join(dir, 'shared.jsonl');
  const args = [
    'score',
    EXAMPLE_ITEMS,
    '--template',
    EXAMPLE_TEMPLATES,
    '--endpoint',
    fake.url,
    '--model',
    'fake-llm',
    '--method',
    'logprobs',
    '--item',
    'Q1,Q2',
    '--lang',
    'en',
    '--cache-dir',
    join(dir, 'cache'),
    '--out',
    out,
  ];
  let second: Awaited<ReturnType<typeof runCli>> | undefined;
  const first = await spawnCli([...args, '--concurrency', '1'], {
    onSpawn: (child) => {
      const poll = setInterval(() => {
        if (fake.modelRequests().length === 0) return;
        clearInterval(poll);
        void runCli(args).then((r) => {
          second = r;
          child.kill('SIGINT');
        });
      }, 10);
    },
  });
  fake.setBehaviour({ fault: null });
  assert.ok(second);
  assert.equal(second.code, 1, second.stderr);
  assert.match(second.stderr, /shared\.jsonl is being written by another value-lens run \(process \d+ on .*\)/);
  assert.equal(first.code, 130, first.stderr);
  const records = jsonLines(await fs.readFile(out, 'utf8'));
  assert.equal(records.length, 2, "the first run's records are all there");
  await assert.rejects(fs.stat(`${out}.lock`), 'the lock is released');
});

test('SIGTERM cancels like Ctrl-C: exit 143, every planned request recorded', async () => {
  fake.setBehaviour({ fault: { kind: 'hang' } });
  const out = join(dir, 'term.jsonl');
  const r = await spawnCli(
    [
      'score',
      EXAMPLE_ITEMS,
      '--template',
      EXAMPLE_TEMPLATES,
      '--endpoint',
      fake.url,
      '--model',
      'fake-llm',
      '--method',
      'logprobs',
      '--item',
      'Q1,Q2,Q3',
      '--lang',
      'en',
      '--cache-dir',
      join(dir, 'cache'),
      '--out',
      out,
      '--concurrency',
      '1',
    ],
    {
      onSpawn: (child) => {
        const poll = setInterval(() => {
          if (fake.modelRequests().length > 0) {
            clearInterval(poll);
            child.kill('SIGTERM');
          }
        }, 10);
      },
    },
  );
  fake.setBehaviour({ fault: null });
  assert.equal(r.code, 143, r.stderr);
  assert.match(r.stderr, /Cancelling on SIGTERM/);
  const records = jsonLines(await fs.readFile(out, 'utf8')) as { kind: string }[];
  assert.equal(records.length, 3);
});

test('an unusable --out fails before any request; --out naming an input file is refused and the input kept', async () => {
  const files = await smallFiles();
  await fs.writeFile(join(dir, 'plain-file'), 'x');
  const unusable = await runCli(scoreArgs(files, fake.url, ['--out', join(dir, 'plain-file', 'results.jsonl')]));
  assert.equal(unusable.code, 1, unusable.stderr);
  assert.match(unusable.stderr, /Cannot write --out .*Nothing was sent/);
  assert.equal(fake.modelRequests().length, 0);
  for (const input of [files.items, files.template]) {
    const before = await fs.readFile(input, 'utf8');
    const r = await runCli(scoreArgs(files, fake.url, ['--out', input]));
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /is one of the input files/);
    assert.equal(await fs.readFile(input, 'utf8'), before);
  }
  assert.equal(fake.modelRequests().length, 0);
});

test('an over-limit answer is one non-retried failure per request with a clear message', async () => {
  const server = await startHostileServer((_req, res) => send(res, 200, paddedOllamaBody(4096), {}));
  try {
    const files = await smallFiles();
    const r = await runCli(scoreArgs(files, server.url, ['--out', join(dir, 'big.jsonl')]), {
      env: { VALUE_LENS_MAX_RESPONSE_BYTES: '2048' },
    });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /too large: its body of 4 KiB is over the 2 KiB limit \(VALUE_LENS_MAX_RESPONSE_BYTES\)/);
    assert.equal(server.modelRequests().length, 2, 'one attempt per planned request, no retries');
    const records = jsonLines(await fs.readFile(join(dir, 'big.jsonl'), 'utf8')) as { kind: string; error: { kind: string } }[];
    assert.deepEqual(
      records.map((x) => `${x.kind}/${x.error.kind}`),
      ['failure/parse', 'failure/parse'],
    );
    // At the limit the same answer is scored.
    const ok = await runCli(scoreArgs(files, server.url, ['--out', join(dir, 'ok.jsonl'), '--fresh']), {
      env: { VALUE_LENS_MAX_RESPONSE_BYTES: '4096' },
    });
    assert.equal(ok.code, 0, ok.stderr);
  } finally {
    await server.close();
  }
});

test('an amplified template: check warns, score skips every request with the reason and stays small', async () => {
  const template = `languages en\ntemplate t\n  en: ${Array.from({ length: 20_000 }, () => '{question}').join(' ')}\n`;
  const files = await smallFiles(template, SMALL_ITEMS.replace('One?', 'q'.repeat(300)));
  const check = await runCli(['check', files.template]);
  assert.match(check.stdout + check.stderr, /repeated-slot: Slot \{question\} appears 20000 times/);
  const out = join(dir, 'amp.jsonl');
  const r = await runCli(scoreArgs(files, fake.url, ['--out', out]));
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /prompt limit \(VALUE_LENS_MAX_PROMPT_CHARS\)/);
  const records = jsonLines(await fs.readFile(out, 'utf8')) as { kind: string; error: { kind: string } }[];
  assert.equal(records.length, 2);
  assert.ok(records.every((x) => x.kind === 'failure' && x.error.kind === 'skipped'));
  assert.equal(fake.modelRequests().length, 0);
});

test('OLLAMA_HOST with credentials is refused (exit 2) without echoing the password', async () => {
  const files = await smallFiles();
  for (const host of ['admin:hunter2-secret@127.0.0.1:11434', 'http://admin:hunter2-secret@[bad']) {
    const args = scoreArgs(files, fake.url).filter((a, i, all) => a !== '--endpoint' && all[i - 1] !== '--endpoint');
    const r = await runCli(args, { env: { OLLAMA_HOST: host } });
    assert.equal(r.code, 2, r.stderr);
    assert.ok(!r.stderr.includes('hunter2'), r.stderr);
  }
});

test('cache temp files left by killed runs are swept at the next run (fresh ones are kept)', async () => {
  const files = await smallFiles();
  const sub = join(dir, 'cache', 'ab');
  await fs.mkdir(sub, { recursive: true });
  const stale = join(sub, '.abc.999.dead.tmp');
  const fresh = join(sub, '.abd.998.live.tmp');
  await fs.writeFile(stale, 'torn');
  await fs.writeFile(fresh, 'in progress');
  const old = new Date(Date.now() - 3600_000);
  await fs.utimes(stale, old, old);
  const r = await runCli(scoreArgs(files, fake.url, ['--out', join(dir, 'r.jsonl')]));
  assert.equal(r.code, 0, r.stderr);
  await assert.rejects(fs.stat(stale));
  await fs.stat(fresh);
});

test('analyze warns about contradictory duplicates instead of pooling them silently', async () => {
  const { EXAMPLE_HUMAN } = await import('./helpers');
  const base = {
    kind: 'result',
    runId: 'r',
    itemId: 'Q1',
    itemHash: 'h',
    language: 'en',
    template: 'direct',
    paraphrase: null,
    provider: 'ollama',
    model: 'm',
    endpoint: 'http://x',
    method: 'logprobs',
    optionOrder: [1, 2, 3, 4],
    probabilities: { 1: 1 },
    mean: 1,
    at: '2026-01-01T00:00:00Z',
  };
  const results = join(dir, 'dups.jsonl');
  await fs.writeFile(
    results,
    [base, { ...base, probabilities: { 4: 1 }, mean: 4, at: '2026-01-02T00:00:00Z' }].map((r) => JSON.stringify(r)).join('\n'),
  );
  const r = await runCli(['analyze', results, '--items', EXAMPLE_ITEMS, '--human', EXAMPLE_HUMAN]);
  assert.match(r.stderr, /1 request\(s\) have several results that disagree \(e\.g\. Q1 \[en\] model m\); the latest of each is used/);
});

test('report STUDY --html naming the study file or one of its items files is refused, the file kept', async () => {
  const { EXAMPLES } = await import('./helpers');
  await fs.cp(EXAMPLES, join(dir, 'examples'), { recursive: true });
  await fs.mkdir(join(dir, 'examples', 'kim-baek-2024.results'), { recursive: true });
  for (const target of ['examples/kim-baek-2024.study.json', 'examples/wvs7-sample.wvs']) {
    const before = await fs.readFile(join(dir, target), 'utf8');
    const r = await runCli(['report', 'examples/kim-baek-2024.study.json', '--html', target], { cwd: dir });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /is one of the input files/);
    assert.equal(await fs.readFile(join(dir, target), 'utf8'), before);
  }
});
