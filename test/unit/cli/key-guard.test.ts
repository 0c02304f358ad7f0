// issue 18, High 1: a project's value-lens.json must not send OPENAI_API_KEY to its own server. A trap
// loopback server stands in for the attacker; it records every request and its Authorization header.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { startFakeOpenAI, type FakeServer } from '../../support/fake-openai';
import { buildOnce, EXAMPLE_ITEMS, EXAMPLE_TEMPLATES, removeDir, runCli, tempDir } from './helpers';

const KEY = 'sk-canary-keyguard-0123456789abcdef';
let trap: FakeServer;
let dir: string;
let userHome: string;

before(async () => {
  buildOnce();
  trap = await startFakeOpenAI();
});
after(async () => {
  await trap.close();
  await removeDir(dir);
  await removeDir(userHome);
});
beforeEach(async () => {
  if (dir) await removeDir(dir);
  if (userHome) await removeDir(userHome);
  dir = tempDir('vl-keyguard-');
  userHome = tempDir('vl-keyguard-user-');
  trap.requests.length = 0;
});

const withKey = () => trap.requests.filter((r) => String(r.headers.authorization ?? '').includes(KEY)).length;
const score = (extra: string[] = []) => [
  'score',
  EXAMPLE_ITEMS,
  '--template',
  EXAMPLE_TEMPLATES,
  '--item',
  'Q1',
  '--lang',
  'en',
  '--method',
  'logprobs',
  '--cache-dir',
  join(dir, 'cache'),
  ...extra,
];
async function projectConfig(name = 'value-lens.json'): Promise<string> {
  const path = join(dir, name);
  await fs.writeFile(path, JSON.stringify({ provider: 'openai', model: 'fake-llm', endpoint: `${trap.url}/v1` }));
  return path;
}
const env = (extra: Record<string, string> = {}) => ({ OPENAI_API_KEY: KEY, XDG_CONFIG_HOME: userHome, ...extra });

test('an endpoint only a project file names gets no key: exit 2 before any request, saying where and how to confirm', async () => {
  for (const name of ['value-lens.json', '.valuelensrc.json']) {
    await fs.rm(join(dir, 'value-lens.json'), { force: true });
    const path = await projectConfig(name);
    const r = await runCli(score(), { cwd: dir, env: env() });
    assert.equal(r.code, 2, r.stderr);
    assert.ok(r.stderr.includes(`Not sending OPENAI_API_KEY to ${trap.url}`), r.stderr);
    assert.ok(r.stderr.includes(path), 'names the file');
    assert.match(r.stderr, /--trust-endpoint/);
    assert.ok(r.stderr.includes(`VALUE_LENS_TRUST_ENDPOINT=${trap.url}`));
    assert.ok(r.stderr.includes(join(userHome, 'value-lens', 'config.json')));
    assert.ok(!r.stderr.includes(KEY) && !r.stdout.includes(KEY));
    await fs.rm(path);
  }
  // --config FILE is a project file too, and `demo` resolves its settings the same way.
  await fs.writeFile(join(dir, 'other.json'), JSON.stringify({ provider: 'openai', model: 'fake-llm', endpoint: `${trap.url}/v1` }));
  assert.equal((await runCli(score(['--config', 'other.json']), { cwd: dir, env: env() })).code, 2);
  assert.equal((await runCli(['demo', '--config', 'other.json', '--out-dir', join(dir, 'demo')], { cwd: dir, env: env() })).code, 2);
  assert.equal(withKey(), 0);
  assert.equal(trap.requests.length, 0, 'nothing reached the trap at all');
});

test('a confirmation for another origin, or a malformed one, does not count', async () => {
  await projectConfig();
  const other = await runCli(score(), { cwd: dir, env: env({ VALUE_LENS_TRUST_ENDPOINT: 'http://127.0.0.1:1' }) });
  assert.equal(other.code, 2, other.stderr);
  const bad = await runCli(score(), { cwd: dir, env: env({ VALUE_LENS_TRUST_ENDPOINT: 'not a url' }) });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /VALUE_LENS_TRUST_ENDPOINT must list http\(s\) origins/);
  await fs.mkdir(join(userHome, 'value-lens'), { recursive: true });
  await fs.writeFile(join(userHome, 'value-lens', 'config.json'), '{"trustedEndpoints": "everything"');
  const damaged = await runCli(score(), { cwd: dir, env: env() });
  assert.equal(damaged.code, 1);
  assert.match(damaged.stderr, /User config .* is not valid JSON/);
  assert.equal(trap.requests.length, 0);
});

test('each kind of confirmation lets the key through: --trust-endpoint, VALUE_LENS_TRUST_ENDPOINT, the user config', async () => {
  await projectConfig();
  const byFlag = await runCli(score(['--trust-endpoint']), { cwd: dir, env: env() });
  assert.equal(byFlag.code, 0, byFlag.stderr);
  const afterFlag = trap.modelRequests().length;
  assert.ok(afterFlag > 0 && withKey() === trap.requests.length, 'every request carried the key');

  // An origin written as a URL with a path and an explicit default-less port still matches.
  const byEnv = await runCli(score(['--fresh']), {
    cwd: dir,
    env: env({ VALUE_LENS_TRUST_ENDPOINT: `https://elsewhere.example, ${trap.url}/v1` }),
  });
  assert.equal(byEnv.code, 0, byEnv.stderr);
  assert.ok(trap.modelRequests().length > afterFlag);

  await fs.mkdir(join(userHome, 'value-lens'), { recursive: true });
  await fs.writeFile(join(userHome, 'value-lens', 'config.json'), JSON.stringify({ trustedEndpoints: [trap.url] }));
  const before = trap.modelRequests().length;
  const byUser = await runCli(score(['--fresh']), { cwd: dir, env: env() });
  assert.equal(byUser.code, 0, byUser.stderr);
  assert.ok(trap.modelRequests().length > before);
  assert.equal(withKey(), trap.requests.length, 'the key arrived with every request');
  assert.equal(trap.modelRequests()[0].headers.authorization, `Bearer ${KEY}`);
});

test('endpoints the user chose need no confirmation (flag, OPENAI_BASE_URL); without a key nothing is asked', async () => {
  const byFlag = await runCli(score(['--provider', 'openai', '--model', 'fake-llm', '--endpoint', `${trap.url}/v1`]), {
    cwd: dir,
    env: env(),
  });
  assert.equal(byFlag.code, 0, byFlag.stderr);
  const byEnv = await runCli(score(['--provider', 'openai', '--model', 'fake-llm', '--fresh']), {
    cwd: dir,
    env: env({ OPENAI_BASE_URL: `${trap.url}/v1` }),
  });
  assert.equal(byEnv.code, 0, byEnv.stderr);
  assert.equal(withKey(), trap.requests.length);
  trap.requests.length = 0;
  await projectConfig();
  const keyless = await runCli(score(['--fresh']), { cwd: dir, env: { XDG_CONFIG_HOME: userHome } });
  assert.equal(keyless.code, 0, keyless.stderr);
  assert.ok(trap.modelRequests().length > 0);
  assert.ok(trap.requests.every((r) => r.headers.authorization === 'Bearer value-lens-no-key'));
});
