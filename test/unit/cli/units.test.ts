// In-process tests of the CLI's pure helpers: escaping, host normalisation, key refusal, config checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { intFlag, numberFlag, refuseKeys } from '../../../src/cli/args';
import { normaliseOllamaHost, resolveEndpoint, validateConfig } from '../../../src/cli/config';
import { InputError, UsageError } from '../../../src/cli/errors';
import { escapeHtml, escapeRawText, renderReportHtml } from '../../../src/cli/html';
import { table } from '../../../src/cli/analyze';

test('escapeRawText keeps script and style text from closing their element', () => {
  const js = 'const a = "</script><script>alert(1)</script>"; const b = /<\\/SCRIPT>/; // <!-- x';
  const out = escapeRawText(js, 'script');
  assert.doesNotMatch(out, /<\/script/i);
  assert.doesNotMatch(out, /<!--/);
  // Still the same program: `<\/` is `</` inside a JS string.
  assert.equal(new Function(`${out.replace(/\/\/ <\\!-- x$/, '')}; return a;`)(), '</script><script>alert(1)</script>');
  assert.doesNotMatch(escapeRawText('a{} </style><script>', 'style'), /<\/style/i);
});

test('renderReportHtml escapes the data attribute and puts the nonce on script, style and CSP', () => {
  const nonce = 'AAAAAAAAAAAAAAAAAAAAAA==';
  const html = renderReportHtml({
    reportJson: JSON.stringify({ t: '"><script>x</script>&' }),
    script: 'void 0',
    css: 'body{}',
    title: '<T>',
    nonce,
  });
  assert.match(html, /data-report="\{&quot;t&quot;:&quot;\\&quot;&gt;&lt;script&gt;x&lt;\/script&gt;&amp;&quot;\}"/);
  assert.equal((html.match(/<script/g) ?? []).length, 1);
  assert.ok(html.includes(`<script nonce="${nonce}">`) && html.includes(`<style nonce="${nonce}">`));
  assert.match(html, /script-src &#39;nonce-AAAAAAAAAAAAAAAAAAAAAA==&#39;/);
  assert.match(html, /<title>&lt;T&gt;<\/title>/);
  assert.throws(() => renderReportHtml({ reportJson: '{}', script: '', css: '', title: '', nonce: "x' 'unsafe-inline" }));
  const fresh = [1, 2, 3].map(() => /nonce="([^"]+)"/.exec(renderReportHtml({ reportJson: '{}', script: '', css: '', title: '' }))![1]);
  assert.equal(new Set(fresh).size, 3);
  assert.equal(escapeHtml(`&<>"'`), '&amp;&lt;&gt;&quot;&#39;');
});

test('OLLAMA_HOST forms normalise like the ollama CLI reads them', () => {
  assert.equal(normaliseOllamaHost('127.0.0.1'), 'http://127.0.0.1:11434');
  assert.equal(normaliseOllamaHost(':9999'), 'http://127.0.0.1:9999');
  assert.equal(normaliseOllamaHost('0.0.0.0:11434'), 'http://127.0.0.1:11434');
  assert.equal(normaliseOllamaHost('http://gpu-box:8080/'), 'http://gpu-box:8080');
  assert.equal(normaliseOllamaHost('https://ollama.example.org'), 'https://ollama.example.org');
  assert.equal(normaliseOllamaHost('http://gpu-box'), 'http://gpu-box:11434');
  assert.equal(resolveEndpoint('ollama', undefined, {}, {}), 'http://127.0.0.1:11434');
  assert.equal(resolveEndpoint('ollama', undefined, { OLLAMA_HOST: 'h:1' }, { endpoint: 'http://c:2' }), 'http://h:1');
  assert.equal(resolveEndpoint('ollama', 'http://f:3', { OLLAMA_HOST: 'h:1' }, {}), 'http://f:3');
  assert.equal(resolveEndpoint('openai', undefined, { OPENAI_BASE_URL: 'http://127.0.0.1:8000/v1/' }, {}), 'http://127.0.0.1:8000/v1');
  assert.equal(resolveEndpoint('openai', undefined, {}, {}), 'https://api.openai.com/v1');
  assert.throws(() => resolveEndpoint('openai', 'http://user:pw@host/v1', {}, {}), UsageError);
});

test('keys on the command line are refused without repeating them', () => {
  for (const argv of [
    ['--api-key', 'x'],
    ['--api-key=sk-abc'],
    ['--apikey=1'],
    ['--token', 't'],
    ['sk-0123456789abcdefghij'],
    ['Bearer abc'],
  ]) {
    assert.throws(
      () => refuseKeys(argv),
      (e: Error) => e instanceof UsageError && /OPENAI_API_KEY/.test(e.message) && !e.message.includes('sk-'),
    );
  }
  // Ordinary arguments pass, including file names that merely start with sk-.
  refuseKeys(['score', 'sk-survey.wvs', '--model', 'qwen2.5:0.5b', '--item', 'Q1']);
});

test('config files: known settings only, typed, and never a key', () => {
  assert.deepEqual(validateConfig({ model: 'm', samples: 5, languages: ['da'] }, 'c.json'), { model: 'm', samples: 5, languages: ['da'] });
  for (const key of ['apiKey', 'api_key', 'openaiApiKey', 'token', 'authorization']) {
    assert.throws(
      () => validateConfig({ [key]: 'sk-secret-value' }, 'c.json'),
      (e: Error) => e instanceof UsageError && !e.message.includes('sk-secret'),
    );
  }
  assert.throws(() => validateConfig({ modle: 'x' }, 'c.json'), /unknown setting "modle"/);
  assert.throws(() => validateConfig({ samples: '5' }, 'c.json'), InputError);
  assert.throws(() => validateConfig([1], 'c.json'), /JSON object/);
});

test('number flags name the flag and the allowed range', () => {
  assert.equal(intFlag('score', 'samples', '12', 1, 100), 12);
  assert.equal(intFlag('score', 'samples', undefined, 1, 100), undefined);
  assert.throws(() => intFlag('score', 'samples', '1.5', 1, 100), /--samples must be a whole number/);
  assert.throws(() => intFlag('score', 'samples', '101', 1, 100), /between 1 and 100/);
  assert.equal(numberFlag('score', 'temperature', '0.7', 0, 2), 0.7);
  assert.throws(() => numberFlag('score', 'temperature', 'NaN', 0, 2), /must be a number/);
  assert.throws(() => numberFlag('score', 'temperature', '', 0, 2), /must be a number/);
});

test('tables align columns and keep one row per line', () => {
  const out = table(
    ['a', 'bb'],
    [
      ['xxx', 'y\nz'],
      ['1', '2'],
    ],
  ).split('\n');
  assert.equal(out.length, 4);
  assert.equal(out[0], 'a    bb');
  assert.equal(out[2], 'xxx  y z');
});
