// generateParaphrases / translateText / translateLabels over real HTTP against the loopback fakes: what is
// sent (filled prompts), how odd answers are parsed and checked, and how failures read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeOllama } from '../../support/fake-ollama';
import { startFakeOpenAI } from '../../support/fake-openai';
import type { FakeServer } from '../../support/fake-common';
import { createOllamaProvider } from '../../../src/providers/ollama';
import { createOpenAIProvider } from '../../../src/providers/openai';
import { generateParaphrases, translateLabels, translateText, type AuthoringModel } from '../../../src/core/authoring/generate';
import { DEFAULT_AUTHORING_PROMPTS } from '../../../src/core/authoring/prompts';
import { AuthoringError } from '../../../src/core/authoring/errors';

const ORIGINAL = 'Here is a question about {topic}. {question} {options} Reply with one option number.';

interface Setup {
  server: FakeServer;
  model: AuthoringModel;
}

async function withBoth(fn: (s: Setup, kind: string) => Promise<void>): Promise<void> {
  for (const kind of ['ollama', 'openai'] as const) {
    const server = kind === 'ollama' ? await startFakeOllama() : await startFakeOpenAI();
    const provider =
      kind === 'ollama'
        ? createOllamaProvider({ host: server.url })
        : createOpenAIProvider({ baseURL: `${server.url}/v1`, apiKey: 'sk-test-key' });
    try {
      await fn({ server, model: { provider, model: 'fake-llm', timeoutMs: 5_000 } }, kind);
    } finally {
      await server.close();
    }
  }
}

function lastPrompt(server: FakeServer): { messages: { role: string; content: string }[] } {
  const requests = server.modelRequests();
  return requests[requests.length - 1].body as { messages: { role: string; content: string }[] };
}

const signal = () => new AbortController().signal;

test('paraphrases: the filled prompt is sent; chatter, fences and numbering are stripped; each candidate is checked', async () => {
  await withBoth(async ({ server, model }, kind) => {
    server.setBehaviour({
      reply: () =>
        [
          'Sure! Here are 4 paraphrases:',
          '```',
          '1. Here is a question about {topic}. {question} {options} Reply with one option number.', // the original
          '2. A question on {topic}: {question} {options} Answer with one number.',
          '3) {question} {options} Give a number.', // lost {topic}
          '4. "About {topic}: {question} {options} Which number?"',
          '5. A question on {topic} - {question} {options} answer with ONE number!', // duplicate of 2 once normalised
          '6. {topic} {question} {options} {country} Number?', // new slot
          '```',
          'I hope this helps!',
        ].join('\n'),
    });
    const outcome = await generateParaphrases(
      model,
      DEFAULT_AUTHORING_PROMPTS.paraphrase,
      { original: ORIGINAL, language: 'en', count: 4 },
      signal(),
    );
    const body = lastPrompt(server);
    assert.equal(body.messages[0].role, 'system', kind);
    const user = body.messages[body.messages.length - 1].content;
    assert.match(user, /Write 4 different paraphrases of the following English prompt template/);
    assert.ok(user.includes(ORIGINAL), 'the original template is in the prompt');
    assert.ok(user.includes('such as {topic} or {question}'), 'escaped braces reach the model as literal braces');
    assert.deepEqual(
      outcome.accepted.map((v) => v.text),
      ['A question on {topic}: {question} {options} Answer with one number.', 'About {topic}: {question} {options} Which number?'],
    );
    assert.deepEqual(
      outcome.rejected.map((v) => v.reason),
      ['identical to the original', 'lost slot {topic}', 'duplicate of another paraphrase', 'new slot {country}'],
    );
    assert.equal(outcome.shortfall, 2);
  });
});

test('paraphrases: a model that drops a slot everywhere gives no accepted candidate and a full shortfall', async () => {
  await withBoth(async ({ server, model }) => {
    server.setBehaviour({
      reply: () => '1. Tell me about it. {question} {options}\n2. {question} {options} Number only.\n3. What now? {question} {options}',
    });
    const outcome = await generateParaphrases(
      model,
      DEFAULT_AUTHORING_PROMPTS.paraphrase,
      { original: ORIGINAL, language: 'en', count: 3 },
      signal(),
    );
    assert.equal(outcome.accepted.length, 0);
    assert.equal(outcome.shortfall, 3);
    assert.ok(outcome.rejected.every((v) => v.reason === 'lost slot {topic}'));
  });
});

test('paraphrases: fewer candidates than asked, and surplus ones beyond the count', async () => {
  await withBoth(async ({ server, model }) => {
    server.setBehaviour({
      reply: () => '- On {topic}: {question} {options} One number.\n- Regarding {topic}, {question} {options} Number?',
    });
    const few = await generateParaphrases(
      model,
      DEFAULT_AUTHORING_PROMPTS.paraphrase,
      { original: ORIGINAL, language: 'en', count: 10 },
      signal(),
    );
    assert.equal(few.accepted.length, 2);
    assert.equal(few.shortfall, 8);
    const one = await generateParaphrases(
      model,
      DEFAULT_AUTHORING_PROMPTS.paraphrase,
      { original: ORIGINAL, language: 'en', count: 1 },
      signal(),
    );
    assert.equal(one.accepted.length, 1);
    assert.deepEqual(
      one.rejected.map((v) => v.reason),
      ['more than asked for'],
    );
  });
});

test('paraphrases: garbage and an empty answer give zero candidates, never an exception', async () => {
  await withBoth(async ({ server, model }) => {
    for (const answer of ['\u0000\u0007 }}}{{{ ``` 42 ```', '', '   \n\n']) {
      server.setBehaviour({ reply: () => answer });
      const outcome = await generateParaphrases(
        model,
        DEFAULT_AUTHORING_PROMPTS.paraphrase,
        { original: ORIGINAL, language: 'en', count: 5 },
        signal(),
      );
      assert.equal(outcome.accepted.length, 0, JSON.stringify(answer));
      assert.equal(outcome.shortfall, 5);
    }
  });
});

test('paraphrases: existing entries of the set count as duplicates', async () => {
  await withBoth(async ({ server, model }) => {
    server.setBehaviour({ reply: () => '1. On {topic}: {question} {options} One number.\n2. New one on {topic}. {question} {options}' });
    const outcome = await generateParaphrases(
      model,
      DEFAULT_AUTHORING_PROMPTS.paraphrase,
      { original: ORIGINAL, language: 'en', count: 2, existing: ['on {topic} {question} {options} one number'] },
      signal(),
    );
    assert.deepEqual(
      outcome.accepted.map((v) => v.text),
      ['New one on {topic}. {question} {options}'],
    );
    assert.equal(outcome.rejected[0].reason, 'duplicate of another paraphrase');
  });
});

test('translate: prompt names the language, fences and chatter are removed, slots checked', async () => {
  await withBoth(async ({ server, model }) => {
    const text = '{question}\n{options}\nAnswer with the number of one option only.';
    server.setBehaviour({
      reply: () => 'Her er oversættelsen:\n```translate\n{question}\n{options}\nSvar kun med nummeret på én mulighed.\n```',
    });
    const ok = await translateText(model, DEFAULT_AUTHORING_PROMPTS.translate, { text, from: 'en', to: 'da' }, signal());
    assert.equal(ok.ok, true, ok.reason);
    assert.equal(ok.text, '{question}\n{options}\nSvar kun med nummeret på én mulighed.');
    const body = lastPrompt(server);
    assert.match(body.messages[0].content, /directly to Danish\./);
    assert.equal(body.messages[1].content, '```translate\n' + text + '\n```');

    // Chatter without a fence.
    server.setBehaviour({ reply: () => "Here's the translation:\n{question}\n{options}\nSvar med ét nummer." });
    const chatty = await translateText(model, DEFAULT_AUTHORING_PROMPTS.translate, { text, from: 'en', to: 'da' }, signal());
    assert.equal(chatty.text, '{question}\n{options}\nSvar med ét nummer.');

    // A translated slot name is a lost slot plus a new one.
    server.setBehaviour({ reply: () => '{spørgsmål}\n{options}\nSvar med ét nummer.' });
    const lost = await translateText(model, DEFAULT_AUTHORING_PROMPTS.translate, { text, from: 'en', to: 'da' }, signal());
    assert.equal(lost.ok, false);
    assert.equal(lost.reason, 'lost slot {question}');

    server.setBehaviour({ reply: () => '' });
    const empty = await translateText(model, DEFAULT_AUTHORING_PROMPTS.translate, { text, from: 'en', to: 'da' }, signal());
    assert.equal(empty.ok, false);
    assert.equal(empty.reason, 'the model returned no text');

    // Issue 19: a bare number is not Danish wording, however its slots look.
    server.setBehaviour({ reply: () => '{question}\n{options}\n3' });
    const number = await translateText(model, DEFAULT_AUTHORING_PROMPTS.translate, { text, from: 'en', to: 'da' }, signal());
    assert.equal(number.ok, false);
    assert.match(number.reason ?? '', /has no words: not a translation/);
    server.setBehaviour({ reply: () => text });
    const same = await translateText(model, DEFAULT_AUTHORING_PROMPTS.translate, { text, from: 'en', to: 'da' }, signal());
    assert.equal(same.reason, 'identical to the source text: not translated');
  });
});

test('translate labels: mapped back by position; a wrong count or a "|" is rejected', async () => {
  await withBoth(async ({ server, model }) => {
    const labels = ['Very important', 'Rather important', 'Not very important', 'Not at all important'];
    server.setBehaviour({ reply: () => '```\n1. Meget vigtigt\n2. Ret vigtigt\n3. Ikke særlig vigtigt\n4. Slet ikke vigtigt\n```' });
    const ok = await translateLabels(model, DEFAULT_AUTHORING_PROMPTS.translate, labels, 'en', 'da', signal());
    assert.deepEqual(ok, { labels: ['Meget vigtigt', 'Ret vigtigt', 'Ikke særlig vigtigt', 'Slet ikke vigtigt'], ok: true, raw: ok.raw });
    assert.ok(lastPrompt(server).messages[1].content.includes('1. Very important\n2. Rather important'));

    server.setBehaviour({ reply: () => '1. Meget vigtigt\n2. Ret vigtigt\n3. Ikke vigtigt' });
    const short = await translateLabels(model, DEFAULT_AUTHORING_PROMPTS.translate, labels, 'en', 'da', signal());
    assert.equal(short.ok, false);
    assert.equal(short.reason, 'expected 4 labels, got 3');

    server.setBehaviour({ reply: () => '1. Meget | vigtigt\n2. b\n3. c\n4. d' });
    const pipe = await translateLabels(model, DEFAULT_AUTHORING_PROMPTS.translate, labels, 'en', 'da', signal());
    assert.equal(pipe.ok, false);
    assert.match(pipe.reason ?? '', /contains '\|'/);
  });
});

test('errors: 500, 401, 404 and an unreachable server become AuthoringErrors that say what to do', async () => {
  await withBoth(async ({ server, model }, kind) => {
    server.setBehaviour({ fault: { kind: 'status', status: 500, body: { error: 'boom' } } });
    await assert.rejects(
      generateParaphrases(model, DEFAULT_AUTHORING_PROMPTS.paraphrase, { original: ORIGINAL, language: 'en', count: 2 }, signal()),
      (e: unknown) =>
        e instanceof AuthoringError && /server error \(HTTP 500\)/.test(e.message) && e.message.includes(server.url.replace(/\/v1$/, '')),
    );
    // 500 is retryable: one retry, then the error.
    assert.equal(server.modelRequests().length, 2, kind);

    server.setBehaviour({ fault: { kind: 'unauthorized' } });
    await assert.rejects(
      translateText(model, DEFAULT_AUTHORING_PROMPTS.translate, { text: 'Hello {topic}', from: 'en', to: 'da' }, signal()),
      (e: unknown) =>
        e instanceof AuthoringError && /HTTP 401\): set or check the API key/.test(e.message) && !e.message.includes('sk-test-key'),
    );
    server.setBehaviour({ fault: { kind: 'modelNotFound' } });
    await assert.rejects(
      translateText(model, DEFAULT_AUTHORING_PROMPTS.translate, { text: 'Hello {topic}', from: 'en', to: 'da' }, signal()),
      (e: unknown) => e instanceof AuthoringError && /does not know the model "fake-llm"/.test(e.message),
    );
    // A busy server that recovers: the retry succeeds.
    server.setBehaviour({ fault: null, faults: [{ kind: 'busy' }], reply: () => 'Hej {topic}' });
    const recovered = await translateText(
      model,
      DEFAULT_AUTHORING_PROMPTS.translate,
      { text: 'Hello {topic}', from: 'en', to: 'da' },
      signal(),
    );
    assert.equal(recovered.text, 'Hej {topic}');
  });
  const closed = await startFakeOllama();
  await closed.close();
  await assert.rejects(
    translateText(
      { provider: createOllamaProvider({ host: closed.url }), model: 'fake-llm', timeoutMs: 2_000 },
      DEFAULT_AUTHORING_PROMPTS.translate,
      { text: 'x', from: 'en', to: 'da' },
      signal(),
    ),
    (e: unknown) => e instanceof AuthoringError && /Cannot reach http:\/\/127\.0\.0\.1:\d+/.test(e.message),
  );
});

test('cancel: an aborted signal stops the request with a cancelled error', async () => {
  await withBoth(async ({ server, model }) => {
    server.setBehaviour({ fault: { kind: 'hang' } });
    const controller = new AbortController();
    const pending = generateParaphrases(
      model,
      DEFAULT_AUTHORING_PROMPTS.paraphrase,
      { original: ORIGINAL, language: 'en', count: 2 },
      controller.signal,
    );
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(pending, (e: unknown) => e instanceof AuthoringError && e.message === 'Cancelled.');
  });
});
