// The fakes' latency, measured on the wall clock: slow tier (a busy machine stretches the upper bound).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeOpenAI } from '../../support/fake-openai';

test('fixed latency: each answer takes at least latencyMs, and parallel requests overlap', async () => {
  const fake = await startFakeOpenAI({ latencyMs: 50 });
  try {
    const ask = () =>
      fetch(`${fake.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'Q\n1. a\n2. b' }], max_tokens: 1 }),
      }).then((r) => r.json());
    const t0 = Date.now();
    await ask();
    assert.ok(Date.now() - t0 >= 48);
    const t1 = Date.now();
    await Promise.all([ask(), ask(), ask(), ask()]);
    const took = Date.now() - t1;
    assert.ok(took >= 48 && took < 190, `4 parallel requests took ${took} ms`);
  } finally {
    await fake.close();
  }
});
