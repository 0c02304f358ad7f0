// `value-lens score` against the loopback fake Ollama: JSONL per planned request, cache, failures, bad input.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSurvey, parseTemplates } from '../../../src/core/language/index';
import { buildPlan } from '../../../src/core/run/plan';
import { startFakeOllama, type FakeServer } from '../../support/fake-ollama';
import {
  buildOnce,
  CLI as CLI_PATH,
  deadPort,
  EXAMPLE_ITEMS,
  EXAMPLE_TEMPLATES,
  jsonLines,
  removeDir,
  runCli,
  spawnCli,
  tempDir,
} from './helpers';

let fake: FakeServer;
let dir: string;
before(async () => {
  buildOnce();
  fake = await startFakeOllama();
});
after(async () => {
  await fake.close();
});
beforeEach(async () => {
  if (dir) await removeDir(dir);
  dir = tempDir();
  fake.requests.length = 0;
  fake.setBehaviour({ fault: null, faults: [] });
});
after(() => removeDir(dir));

const base = (): string[] => [
  'score',
  EXAMPLE_ITEMS,
  '--template',
  EXAMPLE_TEMPLATES,
  '--endpoint',
  fake.url,
  '--model',
  'fake-llm',
  '--cache-dir',
  join(dir, 'cache'),
];

function plannedCount(items: string[] | undefined, languages: string[] | undefined): number {
  return buildPlan({
    survey: parseSurvey(readFileSync(EXAMPLE_ITEMS, 'utf8')),
    templates: parseTemplates(readFileSync(EXAMPLE_TEMPLATES, 'utf8')),
    itemIds: items,
    languages,
    template: 'direct',
    paraphrases: 'none',
    models: [{ provider: 'ollama', endpoint: fake.url, model: 'fake-llm' }],
    method: 'logprobs',
    samples: 1,
    temperature: 0,
    seed: 0,
  }).length;
}

test('score writes one JSONL record per planned request; a second run is served from the cache', async () => {
  const out = join(dir, 'results.jsonl');
  const first = await runCli([...base(), '--item', 'Q1,Q2,Q3', '--lang', 'da,en', '--method', 'logprobs', '--out', out]);
  assert.equal(first.code, 0, first.stderr);
  const planned = plannedCount(['Q1', 'Q2', 'Q3'], ['da', 'en']);
  assert.equal(planned, 6);
  const records = jsonLines(await fs.readFile(out, 'utf8')) as {
    kind: string;
    itemId: string;
    language: string;
    cached: boolean;
    mean: number;
    probabilities: Record<string, number>;
  }[];
  assert.equal(records.length, planned);
  assert.ok(records.every((r) => r.kind === 'result' && !r.cached));
  assert.deepEqual(new Set(records.map((r) => r.language)), new Set(['da', 'en']));
  for (const r of records) {
    const sum = Object.values(r.probabilities).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum - 1) < 1e-9);
    assert.ok(r.mean >= 1 && r.mean <= 4);
  }
  assert.equal(fake.modelRequests().length, planned);
  assert.equal(first.stdout, '', 'with --out nothing goes to stdout');

  fake.requests.length = 0;
  const second = await runCli([...base(), '--item', 'Q1,Q2,Q3', '--lang', 'da,en', '--method', 'logprobs', '--out', out]);
  assert.equal(second.code, 0, second.stderr);
  assert.equal(fake.modelRequests().length, 0, 'a rerun sends no model request');
  const again = jsonLines(await fs.readFile(out, 'utf8')) as { cached: boolean; mean: number }[];
  assert.equal(again.length, planned, 'the out file is replaced, not appended to');
  assert.ok(again.every((r) => r.cached));
  assert.match(second.stderr, /6 from cache/);

  const fresh = await runCli([...base(), '--item', 'Q1', '--lang', 'da', '--method', 'logprobs', '--fresh', '--out', out, '--append']);
  assert.equal(fresh.code, 0, fresh.stderr);
  assert.equal(fake.modelRequests().length, 1, '--fresh asks the model again');
  assert.equal(jsonLines(await fs.readFile(out, 'utf8')).length, planned + 1, '--append keeps earlier records');
});

test('without --out the records go to stdout as JSON lines; --method auto probes and picks logprobs', async () => {
  const r = await runCli([...base(), '--item', 'Q1', '--lang', 'en', '--lang', 'pt']);
  assert.equal(r.code, 0, r.stderr);
  const records = jsonLines(r.stdout) as { kind: string; method: string }[];
  assert.equal(records.length, plannedCount(['Q1'], ['en', 'pt']));
  assert.ok(records.every((x) => x.kind === 'result' && x.method === 'logprobs'));
  assert.match(r.stderr, /method logprobs/);
});

test('a server without logprobs is scored by sampling under --method auto', async () => {
  fake.setBehaviour({ logprobs: 'missing' });
  try {
    const r = await runCli([...base(), '--item', 'Q1', '--lang', 'en', '--samples', '4']);
    assert.equal(r.code, 0, r.stderr);
    const [record] = jsonLines(r.stdout) as { method: string; samples?: number }[];
    assert.equal(record.method, 'sample');
  } finally {
    fake.setBehaviour({ logprobs: 'ok' });
  }
});

test('failed requests become failure records and exit 1', async () => {
  fake.setBehaviour({ fault: { kind: 'status', status: 400, body: { error: 'bad request' } } });
  const out = join(dir, 'r.jsonl');
  const r = await runCli([...base(), '--item', 'Q1,Q2', '--lang', 'en', '--method', 'logprobs', '--out', out]);
  assert.equal(r.code, 1);
  const records = jsonLines(await fs.readFile(out, 'utf8')) as { kind: string; error?: { status?: number } }[];
  assert.equal(records.length, 2);
  assert.ok(records.every((x) => x.kind === 'failure' && x.error?.status === 400));
  assert.match(r.stderr, /2 failed/);
  assert.match(r.stderr, /failed: Q1 \[en\]/);
});

test('bad numbers, bad choices and unknown names are usage errors (exit 2) naming the flag', async () => {
  const cases: [string[], RegExp][] = [
    [['--samples', 'abc'], /--samples must be a whole number/],
    [['--samples', '0'], /--samples must be between 1 and 1000/],
    [['--temperature', 'hot'], /--temperature must be a number/],
    [['--concurrency=0'], /--concurrency must be between 1 and 64/],
    [['--timeout', '1e9'], /--timeout must be between/],
    [['--method', 'magic'], /--method must be one of logprobs, loglik, sample, auto/],
    [['--provider', 'acme'], /--provider must be one of ollama, openai/],
    [['--item', 'Q1,NOPE'], /no item "NOPE"/],
    [['--template-name', 'nosuch'], /no template "nosuch"/],
    [['--lang', 'english'], /not a language code/],
    [['--endpoint', 'ftp://x'], /must be an http or https URL/],
    [['--out', '.'], /is a directory/],
  ];
  for (const [extra, pattern] of cases) {
    const r = await runCli([...base(), ...extra]);
    assert.equal(r.code, 2, `${extra.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
  }
  assert.equal(fake.modelRequests().length, 0);
});

test('missing files and missing arguments exit 2; an items file with errors exits 1 with its diagnostics', async () => {
  const noTemplate = await runCli(['score', EXAMPLE_ITEMS, '--endpoint', fake.url]);
  assert.equal(noTemplate.code, 2);
  assert.match(noTemplate.stderr, /needs --template/);
  const noItems = await runCli([
    'score',
    join(dir, 'missing.wvs'),
    '--template',
    EXAMPLE_TEMPLATES,
    '--endpoint',
    fake.url,
    '--model',
    'fake-llm',
  ]);
  assert.equal(noItems.code, 2);
  assert.match(noItems.stderr, /missing\.wvs does not exist/);
  const bad = join(dir, 'bad.wvs');
  await fs.writeFile(bad, 'survey "x"\nlanguages en\nitem Q1 "t"\n  scale: nosuch\n  en: Why?\n');
  const broken = await runCli([
    'score',
    bad,
    '--template',
    EXAMPLE_TEMPLATES,
    '--endpoint',
    fake.url,
    '--model',
    'fake-llm',
    '--cache-dir',
    join(dir, 'c'),
  ]);
  assert.equal(broken.code, 1);
  assert.match(broken.stderr, /bad\.wvs:4:10: error: wvs\/unknown-scale: /);
  const openaiNoModel = await runCli(['score', EXAMPLE_ITEMS, '--template', EXAMPLE_TEMPLATES, '--provider', 'openai']);
  assert.equal(openaiNoModel.code, 2);
  assert.match(openaiNoModel.stderr, /--model is required/);
});

test('an API key on the command line or in a config file is refused (exit 2) without echoing it', async () => {
  const key = 'sk-canary-cmdline-0123456789abcdef';
  for (const args of [['--api-key', key], [`--api-key=${key}`], ['--key', key], [key]]) {
    const r = await runCli([...base(), ...args]);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, /OPENAI_API_KEY/);
    assert.ok(!r.stderr.includes(key) && !r.stdout.includes(key));
  }
  const config = join(dir, 'value-lens.json');
  await fs.writeFile(config, JSON.stringify({ model: 'fake-llm', apiKey: key }));
  const r = await runCli(['score', EXAMPLE_ITEMS, '--template', EXAMPLE_TEMPLATES, '--endpoint', fake.url], { cwd: dir });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /keys are not read from config files/);
  assert.ok(!r.stderr.includes(key));
  assert.equal(fake.modelRequests().length, 0);
});

test('settings come from the config file and OLLAMA_HOST, flags win over both', async () => {
  await fs.writeFile(
    join(dir, '.valuelensrc.json'),
    JSON.stringify({ model: 'fake-reasoner', method: 'logprobs', languages: ['nl'], cacheDir: 'cc' }),
  );
  const hostOnly = fake.url.replace(/^http:\/\//, '');
  const r = await runCli(['score', EXAMPLE_ITEMS, '--template', EXAMPLE_TEMPLATES, '--item', 'Q1'], {
    cwd: dir,
    env: { OLLAMA_HOST: hostOnly },
  });
  assert.equal(r.code, 0, r.stderr);
  const [record] = jsonLines(r.stdout) as { model: string; language: string; endpoint: string }[];
  assert.equal(record.model, 'fake-reasoner');
  assert.equal(record.language, 'nl');
  assert.equal(record.endpoint, fake.url);
  assert.ok((await fs.readdir(join(dir, 'cc'))).length > 0, 'cacheDir from the config file, relative to it');
  const flagWins = await runCli(
    ['score', EXAMPLE_ITEMS, '--template', EXAMPLE_TEMPLATES, '--item', 'Q1', '--model', 'fake-llm', '--lang', 'pt'],
    {
      cwd: dir,
      env: { OLLAMA_HOST: hostOnly },
    },
  );
  const [r2] = jsonLines(flagWins.stdout) as { model: string; language: string }[];
  assert.deepEqual([r2.model, r2.language], ['fake-llm', 'pt']);
  await fs.writeFile(join(dir, 'broken.json'), '{ not json');
  const broken = await runCli([...base(), '--config', join(dir, 'broken.json')]);
  assert.equal(broken.code, 1);
  assert.match(broken.stderr, /not valid JSON/);
});

test('no server: exit 1 with instructions; unknown model: exit 1 with the pull command', async () => {
  const port = await deadPort();
  const down = await runCli(['score', EXAMPLE_ITEMS, '--template', EXAMPLE_TEMPLATES, '--endpoint', `http://127.0.0.1:${port}`]);
  assert.equal(down.code, 1);
  assert.match(down.stderr, /No model server answered/);
  assert.match(down.stderr, /ollama serve/);
  const missing = await runCli([...base().filter((a) => a !== 'fake-llm' && a !== '--model'), '--model', 'llama9:70b']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /ollama pull llama9:70b/);
});

test('Ctrl-C cancels a run promptly: exit 130, every planned request recorded', async () => {
  fake.setBehaviour({ fault: { kind: 'hang' } });
  const out = join(dir, 'cancel.jsonl');
  let sentAt = 0;
  const r = await spawnCli([...base(), '--item', 'Q1,Q2,Q3', '--lang', 'en', '--method', 'logprobs', '--out', out, '--concurrency', '1'], {
    onSpawn: (child) => {
      const poll = setInterval(() => {
        if (fake.modelRequests().length > 0) {
          clearInterval(poll);
          sentAt = Date.now();
          child.kill('SIGINT');
        }
      }, 10);
    },
  });
  const elapsed = Date.now() - sentAt;
  fake.setBehaviour({ fault: null });
  assert.equal(r.code, 130, r.stderr);
  assert.ok(sentAt > 0 && elapsed < 3000, `exited ${elapsed} ms after Ctrl-C`);
  assert.match(r.stderr, /Cancelling/);
  const records = jsonLines(await fs.readFile(out, 'utf8')) as { kind: string }[];
  assert.equal(records.length, 3, 'cancelled requests are recorded as failures, not dropped');
  assert.ok(records.every((x) => x.kind === 'failure'));
});

test('openai: unreachable endpoint gives instructions, a refused key says which variable to check', async () => {
  const port = await deadPort();
  const down = await runCli(
    ['score', EXAMPLE_ITEMS, '--template', EXAMPLE_TEMPLATES, '--provider', 'openai', '--model', 'm', '--cache-dir', join(dir, 'c')],
    {
      env: { OPENAI_BASE_URL: `http://127.0.0.1:${port}/v1` },
    },
  );
  assert.equal(down.code, 1);
  assert.match(down.stderr, /No model server answered/);
  assert.match(down.stderr, /OPENAI_BASE_URL/);
  const { startFakeOpenAI } = await import('../../support/fake-openai');
  const openai = await startFakeOpenAI({ requireKey: 'sk-right-key-000000000000' });
  try {
    const denied = await runCli(
      [
        'score',
        EXAMPLE_ITEMS,
        '--template',
        EXAMPLE_TEMPLATES,
        '--provider',
        'openai',
        '--model',
        'fake-llm',
        '--cache-dir',
        join(dir, 'c'),
      ],
      {
        env: { OPENAI_BASE_URL: `${openai.url}/v1`, OPENAI_API_KEY: 'sk-wrong-key-1111111111111' },
      },
    );
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /refused the request \(HTTP 401\)\. Check the OPENAI_API_KEY/);
    assert.ok(!denied.stderr.includes('sk-wrong-key'));
    assert.equal(openai.modelRequests().length, 1, 'one probe, then stop');
  } finally {
    await openai.close();
  }
});

test('--paraphrases scores every paraphrase as well as the template', async () => {
  const templates = parseTemplates(readFileSync(EXAMPLE_TEMPLATES, 'utf8'));
  const r = await runCli([...base(), '--item', 'Q1', '--lang', 'en', '--method', 'logprobs', '--paraphrases']);
  assert.equal(r.code, 0, r.stderr);
  const records = jsonLines(r.stdout) as { paraphrase: number | null }[];
  const variants = templates.paraphraseSets
    .filter((s) => s.templateName === 'direct')
    .reduce((n, s) => n + (s.variants.en?.length ?? 0), 0);
  assert.ok(variants >= 2, 'the example templates have paraphrases of "direct"');
  assert.equal(records.length, 1 + variants);
  assert.deepEqual(records.map((x) => x.paraphrase).sort(), [null, ...Array.from({ length: variants }, (_, i) => i)].sort());
});

test('progress goes to stderr only when it is a terminal', async () => {
  const plain = await runCli([...base(), '--item', 'Q1,Q2', '--lang', 'en', '--method', 'logprobs', '--out', join(dir, 'p.jsonl')]);
  assert.equal(plain.code, 0, plain.stderr);
  assert.doesNotMatch(plain.stderr, /\rscoring/);
  // `script` gives the child a pseudo-terminal (util-linux); skip the TTY half where it is missing.
  const { spawnSync } = await import('node:child_process');
  if (spawnSync('script', ['--version']).status !== 0) return;
  const command = [
    process.execPath,
    CLI_PATH,
    ...base(),
    '--item',
    'Q1,Q2',
    '--lang',
    'en',
    '--method',
    'logprobs',
    '--out',
    join(dir, 't.jsonl'),
  ]
    .map((a) => `'${a.replace(/'/g, `'\\''`)}'`)
    .join(' ');
  // Spawned asynchronously: the fake server in this process must keep answering.
  const { spawn } = await import('node:child_process');
  const tty = await new Promise<{ status: number | null; stdout: string }>((done) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      env: { PATH: process.env.PATH, HOME: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.on('close', (status) => done({ status, stdout }));
  });
  assert.equal(tty.status, 0, tty.stdout);
  assert.match(tty.stdout, /\rscoring 2\/2 \(2 cached, 0 failed\)/);
});
