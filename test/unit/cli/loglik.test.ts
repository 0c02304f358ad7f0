// Method loglik from the command line on the loopback OpenAI fake speaking vLLM: `score --method loglik`
// sends one /v1/completions echo request per distribution and recovers a planted distribution exactly
// (option 4 ranked 22nd, outside any top 20); Ollama and chat models are usage errors before any request;
// `run --check-text` pairs loglik records with greedy text answers as it does logprobs records.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { FakeToken } from '../../support/fake-common';
import { startFakeOpenAI } from '../../support/fake-openai';
import { startFakeOllama } from '../../support/fake-ollama';
import { EXAMPLE_ITEMS, EXAMPLE_TEMPLATES, EXAMPLES, jsonLines, removeDir, runCli, tempDir } from './helpers';

/** After the answer cue: labels " 1" … " 4" with these probabilities; " 4" below 20 fillers. */
const Q = { 1: 0.2, 2: 0.1, 3: 0.05, 4: 0.0009 } as const;
const PLANTED: FakeToken[] = [
  ...Object.entries(Q).map(([k, p]) => ({ token: ` ${k}`, logprob: Math.log(p) })),
  ...Array.from({ length: 20 }, (_, i) => ({ token: ` w${i}`, logprob: Math.log(0.03) - i * 0.01 })),
].sort((a, b) => b.logprob - a.logprob);
const planted = ({ prompt }: { prompt: string }): FakeToken[] | undefined => (prompt.endsWith('Answer:') ? PLANTED : undefined);

test('score --method loglik: one echo request per item, the planted distribution to 1e-12, then the cache', async () => {
  const fake = await startFakeOpenAI({ server: 'vllm', firstToken: planted });
  const dir = tempDir('vl-cli-loglik-');
  try {
    const args = [
      'score',
      EXAMPLE_ITEMS,
      '--template',
      EXAMPLE_TEMPLATES,
      '--provider',
      'openai',
      '--endpoint',
      `${fake.url}/v1`,
      '--model',
      'fake-base',
      '--method',
      'loglik',
      '--item',
      'Q1,Q2',
      '--lang',
      'en',
      '--cache-dir',
      join(dir, 'c'),
    ];
    const r = await runCli(args, { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const records = jsonLines(r.stdout) as {
      kind: string;
      method: string;
      itemId: string;
      probabilities: Record<string, number>;
      missMass: number;
    }[];
    assert.equal(records.length, 2);
    const total = Q[1] + Q[2] + Q[3] + Q[4];
    for (const record of records) {
      assert.equal(record.kind, 'result', JSON.stringify(record));
      assert.equal(record.method, 'loglik');
      for (const code of [1, 2, 3, 4] as const)
        assert.ok(Math.abs(record.probabilities[String(code)] - Q[code] / total) < 1e-12, `${record.itemId} option ${code}`);
      assert.ok(Math.abs(record.missMass - (1 - total)) < 1e-12);
    }
    const sent = fake.modelRequests();
    assert.equal(sent.length, 2, 'no probe, one request per distribution');
    for (const req of sent) {
      assert.equal(req.path, '/v1/completions');
      const body = req.body as { prompt: string[]; echo: boolean; max_tokens: number };
      assert.equal(body.echo, true);
      assert.equal(body.max_tokens, 0);
      assert.deepEqual(
        body.prompt.map((p) => p.slice(-3)),
        [': 1', ': 2', ': 3', ': 4'],
      );
    }
    assert.match(r.stderr, /method loglik/);
    const again = await runCli(args, { cwd: dir });
    assert.equal(again.code, 0, again.stderr);
    assert.equal(fake.modelRequests().length, 2, 'the second run is answered from the cache');
  } finally {
    await fake.close();
    await removeDir(dir);
  }
});

test('score --method loglik: Ollama, --kind chat and OpenAI chat models are usage errors (exit 2), nothing sent', async () => {
  const ollama = await startFakeOllama();
  const openai = await startFakeOpenAI({ server: 'vllm' });
  const dir = tempDir('vl-cli-loglik-');
  try {
    const base = [
      'score',
      EXAMPLE_ITEMS,
      '--template',
      EXAMPLE_TEMPLATES,
      '--method',
      'loglik',
      '--item',
      'Q1',
      '--lang',
      'en',
      '--cache-dir',
      join(dir, 'c'),
    ];
    const onOllama = await runCli([...base, '--endpoint', ollama.url, '--model', 'fake-llm'], { cwd: dir });
    assert.equal(onOllama.code, 2);
    assert.match(onOllama.stderr, /--method loglik needs an OpenAI-compatible \/v1\/completions.*Ollama/);
    const openaiArgs = [...base, '--provider', 'openai', '--endpoint', `${openai.url}/v1`];
    const chat = await runCli([...openaiArgs, '--model', 'fake-chat', '--kind', 'chat'], { cwd: dir });
    assert.equal(chat.code, 2);
    assert.match(chat.stderr, /chat model \(--kind chat\)/);
    const gpt = await runCli([...openaiArgs, '--model', 'gpt-4o-mini'], { cwd: dir });
    assert.equal(gpt.code, 2);
    assert.match(gpt.stderr, /"gpt-4o-mini" is an OpenAI chat model/);
    const badKind = await runCli([...openaiArgs, '--model', 'fake-base', '--kind', 'instruct'], { cwd: dir });
    assert.equal(badKind.code, 2);
    assert.match(badKind.stderr, /--kind must be one of chat, base/);
    // A config file's method is checked the same way.
    await fs.writeFile(join(dir, 'value-lens.json'), JSON.stringify({ method: 'loglik' }));
    const fromConfig = await runCli(
      ['score', EXAMPLE_ITEMS, '--template', EXAMPLE_TEMPLATES, '--endpoint', ollama.url, '--model', 'fake-llm', '--item', 'Q1'],
      { cwd: dir },
    );
    assert.equal(fromConfig.code, 2);
    assert.match(fromConfig.stderr, /Ollama/);
    assert.equal(ollama.modelRequests().length, 0);
    assert.equal(openai.modelRequests().length, 0);
  } finally {
    await ollama.close();
    await openai.close();
    await removeDir(dir);
  }
});

test('score --help names loglik and --kind; analyze --method accepts loglik among its choices', async () => {
  const help = await runCli(['score', '--help']);
  assert.match(help.stdout, /--method M +logprobs, loglik, sample or auto/);
  assert.match(help.stdout, /--kind K/);
  const bad = await runCli([
    'analyze',
    'r.jsonl',
    '--items',
    EXAMPLE_ITEMS,
    '--human',
    join(EXAMPLES, 'human-reference.csv'),
    '--method',
    'judge',
  ]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--method must be one of logprobs, loglik, sample/);
});

test('run --check-text: loglik records are paired with greedy text answers (agreement per model × language)', async () => {
  // The continuation distribution's argmax is option 1; the text answer says "2": no pair agrees.
  const fake = await startFakeOpenAI({ server: 'vllm', firstToken: planted, reply: () => '2' });
  const dir = tempDir('vl-cli-loglik-');
  try {
    const study = join(dir, 'll.study.json');
    await fs.writeFile(
      study,
      JSON.stringify({
        name: 'll',
        items: [{ file: EXAMPLE_ITEMS, ids: ['Q1', 'Q2', 'Q3'] }],
        templates: [{ file: EXAMPLE_TEMPLATES, names: ['direct'] }],
        languages: ['en'],
        models: [
          { id: 'base', provider: 'openai', model: 'fake-base', endpoint: `${fake.url}/v1`, kind: 'base' },
          { id: 'chat', provider: 'openai', model: 'fake-chat', endpoint: `${fake.url}/v1`, kind: 'chat' },
        ],
        method: 'loglik',
        results: join(dir, 'results'),
      }),
    );
    const r = await runCli(['run', study, '--yes', '--check-text', '--cache-dir', join(dir, 'c')], { cwd: dir, timeoutMs: 120_000 });
    assert.match(r.stderr, /check-text: 3 greedy text answer\(s\)/, r.stderr);
    const analysis = JSON.parse(await fs.readFile(join(dir, 'results', 'analysis.json'), 'utf8')) as {
      firstTokenText?: {
        model: string;
        language: string;
        pairs: number;
        agreement: number | null;
        disagreements: { firstToken: number; text: number }[];
      }[];
    };
    const rows = analysis.firstTokenText ?? [];
    assert.deepEqual(
      rows.map((x) => [x.model, x.language, x.pairs, x.agreement]),
      [['base', 'en', 3, 0]],
      'the chat model (a planned skip under loglik) is not checked',
    );
    assert.ok(rows[0].disagreements.every((d) => d.firstToken === 1 && d.text === 2));
    const checkRequests = fake.modelRequests().filter((q) => (q.body as { echo?: boolean }).echo !== true);
    assert.equal(checkRequests.length, 3, 'three greedy text requests, for the base model only');
    assert.ok(checkRequests.every((q) => (q.body as { model: string }).model === 'fake-base'));
  } finally {
    await fake.close();
    await removeDir(dir);
  }
});
