// Issue 19, the CLI's first hour: `--lang de` (a language the items do not have) is a usage error naming the
// languages, not one failure record per item; `npm run demo --model X` (npm keeps the flag) says to use
// `--`; hints name a command that exists on the user's PATH. In-process (main()), with a loopback fake.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { main } from '../../../src/cli/main';
import { cliCommand, npmSwallowedFlags } from '../../../src/cli/demo';
import type { Io } from '../../../src/cli/io';
import { startFakeOllama, type FakeServer } from '../../support/fake-ollama';
import { EXAMPLES, EXAMPLE_ITEMS, EXAMPLE_TEMPLATES, removeDir, tempDir } from './helpers';

let fake: FakeServer;
let dir: string;
before(async () => {
  fake = await startFakeOllama({ models: [{ name: 'qwen2.5:0.5b', digest: 'sha256:' + 'a'.repeat(64), size: 1 }] });
  dir = tempDir();
});
after(async () => {
  await fake.close();
  await removeDir(dir);
});

function capture(env: Record<string, string> = {}): { io: Io; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const sink = (append: (s: string) => void): Writable => new Writable({ write: (chunk, _enc, done) => (append(String(chunk)), done()) });
  return {
    io: {
      stdout: sink((s) => (out += s)),
      stderr: sink((s) => (err += s)),
      cwd: dir,
      env: { HOME: dir, XDG_CACHE_HOME: join(dir, '.cache'), OLLAMA_HOST: fake.url, ...env },
    },
    out: () => out,
    err: () => err,
  };
}

test('score --lang de: usage error (exit 2) naming the languages the items have; nothing sent, nothing written', async () => {
  const c = capture();
  const out = join(dir, 'de.jsonl');
  const code = await main(
    ['score', EXAMPLE_ITEMS, '--template', EXAMPLE_TEMPLATES, '--lang', 'de', '--out', out],
    c.io,
    new AbortController().signal,
  );
  assert.equal(code, 2, c.err());
  assert.match(c.err(), /--lang: no item in .*wvs7-sample\.wvs has wording in "de"; its languages are en, da, nl, pt\./);
  assert.equal(fake.modelRequests().length, 0);
  await assert.rejects(fs.access(out));
  // A language only some selected items lack is still scored for the others (planned failures), so the
  // check is per selection: Q1 has Danish.
  const ok = capture();
  const partial = await main(
    ['score', EXAMPLE_ITEMS, '--template', EXAMPLE_TEMPLATES, '--lang', 'da,de', '--item', 'Q1', '--out', out],
    ok.io,
    new AbortController().signal,
  );
  assert.equal(partial, 2);
  assert.match(ok.err(), /"de"; its languages are en, da, nl, pt/);
  assert.doesNotMatch(ok.err(), /"da"/);
});

test('demo --lang de: the same usage error before any server request', async () => {
  const c = capture();
  const code = await main(['demo', '--examples', EXAMPLES, '--lang', 'de', '--out-dir', 'de'], c.io, new AbortController().signal);
  assert.equal(code, 2, c.err());
  assert.match(c.err(), /--lang: no item in .* has wording in "de"; its languages are en, da, nl, pt\./);
  assert.equal(fake.modelRequests().length, 0);
});

test('npm run demo --model X (without --): exit 2 with the command that passes the flag', async () => {
  // What npm 11 does with `npm run demo --model qwen2.5:1.5b`: npm_config_model=true, the value a bare word.
  const c = capture({ npm_lifecycle_event: 'demo', npm_config_model: 'true' });
  const code = await main(['demo', 'qwen2.5:1.5b'], c.io, new AbortController().signal);
  assert.equal(code, 2);
  assert.match(c.err(), /npm took --model as its own option and passed qwen2\.5:1\.5b on as bare words/);
  assert.match(c.err(), /npm run demo -- --model qwen2\.5:1\.5b/);
  assert.equal(fake.modelRequests().length, 0);
  // With `--` the flag arrives: no complaint (npm still sets nothing for it).
  assert.equal(npmSwallowedFlags({ npm_lifecycle_event: 'demo' }, ['--model', 'x']), undefined);
  // Not run by npm: npm_config_* from elsewhere is not ours to interpret.
  assert.equal(npmSwallowedFlags({ npm_config_model: 'true' }, []), undefined);
  // A value npm kept, a boolean, and two flags with two words.
  assert.match(npmSwallowedFlags({ npm_lifecycle_event: 'demo', npm_config_model: 'llama3' }, []) ?? '', /-- --model llama3$/);
  assert.match(npmSwallowedFlags({ npm_lifecycle_event: 'demo', npm_config_fresh: 'true' }, []) ?? '', /-- --fresh$/);
  assert.match(
    npmSwallowedFlags({ npm_lifecycle_event: 'demo', npm_config_model: 'true', npm_config_out_dir: 'true' }, ['m', 'd']) ?? '',
    /-- --model m --out-dir d$/,
  );
});

test('cliCommand: node dist/cli.js from a clone (relative when inside cwd), npx value-lens when installed', () => {
  assert.equal(cliCommand({ cwd: '/repo', env: {} }, '/repo/dist/cli.js'), 'node dist/cli.js');
  assert.equal(cliCommand({ cwd: '/tmp/x', env: {} }, '/repo/dist/cli.js'), 'node /repo/dist/cli.js');
  assert.equal(cliCommand({ cwd: '/p', env: {} }, '/p/node_modules/value-lens/dist/cli.js'), 'npx value-lens');
  assert.equal(cliCommand({ cwd: '/p', env: {} }, '/p/node_modules/.bin/value-lens'), 'npx value-lens');
  assert.equal(cliCommand({ cwd: '/p', env: {} }, undefined), 'npx value-lens');
  assert.ok(
    !/(^|\s)value-lens\s/.test(
      cliCommand({ cwd: '/', env: {} }, '/usr/lib/node_modules/value-lens/dist/cli.js').replace('npx value-lens', ''),
    ),
  );
});

test('check: the quick fix stub and an undeclared tag are warnings, with file:line:col (not "0 warnings")', async () => {
  const file = join(dir, 'stub.wvs');
  await fs.writeFile(
    file,
    'languages en da\nscale agree 1..2\n  en: Agree | Disagree\n  da: Enig | Uenig\n\nitem Q1\n  scale: agree\n  en: Is family important?\n  da[mt]: TODO translate\n  dk: Er familien vigtig?\n',
  );
  const c = capture();
  const code = await main(['check', file], c.io, new AbortController().signal);
  const all = c.out() + c.err();
  assert.equal(code, 0, all); // warnings only
  assert.match(all, /stub\.wvs:9:11: warning: wvs\/placeholder-text: Placeholder in the wording of item Q1 \('da'\)/);
  assert.match(all, /stub\.wvs:10:3: warning: wvs\/undeclared-language: Language 'dk' in item Q1 is not declared .* did you mean 'da'\?/);
  assert.match(all, /0 error\(s\), 2 warning\(s\)/);
});
