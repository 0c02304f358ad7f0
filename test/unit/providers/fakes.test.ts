// The fakes themselves: standalone CLI, fixed latency, determinism of the scripted model.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { startFakeOllama } from '../../support/fake-ollama';
import { fakeFirstToken, labelsInPrompt } from '../../support/fake-common';

test('fake-server-cli prints its URL, serves, and stops on SIGTERM', async () => {
  for (const kind of ['ollama', 'openai'] as const) {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/fake-server-cli.ts', '--kind', kind, '--latency', '5'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
    assert.match(line, kind === 'openai' ? /^http:\/\/127\.0\.0\.1:\d+\/v1$/ : /^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(kind === 'openai' ? `${line}/models` : `${line}/api/tags`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { data?: unknown[]; models?: unknown[] };
    assert.ok((body.data ?? body.models ?? []).length > 0);
    const t0 = Date.now();
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 0);
    assert.ok(Date.now() - t0 < 3000);
  }
});

test('scripted model: labels from the prompt, deterministic, normalised, language-sensitive', async () => {
  assert.deepEqual(labelsInPrompt('Q\nA. x\nB. y\nC) z'), ['A', 'B', 'C']);
  assert.deepEqual(labelsInPrompt('no options'), ['1', '2', '3', '4', '5']);
  const en = fakeFirstToken('user: Q\n1. Yes\n2. No', 'm');
  assert.deepEqual(fakeFirstToken('user: Q\n1. Yes\n2. No', 'm'), en);
  const total = en.reduce((s, t) => s + Math.exp(t.logprob), 0);
  assert.ok(Math.abs(total - 1) < 1e-9);
  assert.notDeepEqual(fakeFirstToken('user: Spørgsmål\n1. Ja\n2. Nej', 'm'), en);
  // the Ollama fake returns exactly this distribution as top_logprobs
  const fake = await startFakeOllama();
  try {
    const res = await fetch(`${fake.url}/api/chat`, {
      method: 'POST',
      body: JSON.stringify({
        model: 'm',
        stream: false,
        messages: [{ role: 'user', content: 'Q\n1. Yes\n2. No' }],
        logprobs: true,
        top_logprobs: 20,
        options: { num_predict: 1, temperature: 0 },
      }),
    });
    const body = (await res.json()) as { logprobs: { top_logprobs: { token: string; logprob: number }[] }[] };
    assert.deepEqual(
      body.logprobs[0].top_logprobs.map(({ token, logprob }) => ({ token, logprob })),
      en,
    );
    const bad = await fetch(`${fake.url}/api/chat`, {
      method: 'POST',
      body: JSON.stringify({ model: 'm', messages: [], top_logprobs: 21 }),
    });
    assert.equal(bad.status, 400);
  } finally {
    await fake.close();
  }
});
