// `value-lens check`, --help/--version and usage errors, against the built dist/cli.js.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { buildOnce, EXAMPLES, removeDir, runCli, tempDir } from './helpers';

let dir: string;
before(async () => {
  buildOnce();
  dir = tempDir();
  // An unknown scale (error) on line 6 and a survey that is otherwise fine.
  await fs.writeFile(
    join(dir, 'bad.wvs'),
    [
      'survey "Bad"',
      'languages en',
      '',
      'scale agree 1..2',
      '  en: Yes | No',
      '',
      'item Q1 "Title"',
      '  scale: nosuch',
      '  en: Do you agree?',
      '',
    ].join('\n'),
  );
  await fs.writeFile(join(dir, 'notes.txt'), 'hello');
});
after(() => removeDir(dir));

test('check on the examples folder finds no errors and exits 0', async () => {
  const r = await runCli(['check', EXAMPLES]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /file\(s\) checked: 0 error\(s\)/);
});

test('check prints file:line:col: severity: code: message with 1-based positions and exits 1 on errors', async () => {
  const r = await runCli(['check', 'bad.wvs'], { cwd: dir });
  assert.equal(r.code, 1);
  const lines = r.stdout.trim().split('\n');
  const error = lines.find((l) => / error: /.test(l));
  assert.ok(error, r.stdout);
  const m = /^bad\.wvs:(\d+):(\d+): error: ([\w/-]+): .+$/.exec(error);
  assert.ok(m, error);
  // The unknown scale name sits on line 8, column 10 (1-based: after "  scale: ").
  assert.equal(m[3], 'wvs/unknown-scale');
  assert.deepEqual([Number(m[1]), Number(m[2])], [8, '  scale: '.length + 1]);
});

test('check --json gives files, diagnostics with 1-based ranges, and totals', async () => {
  const r = await runCli(['check', '--json', 'bad.wvs', join(EXAMPLES, 'prompts.wvt')], { cwd: dir });
  assert.equal(r.code, 1);
  const json = JSON.parse(r.stdout) as {
    files: {
      file: string;
      kind: string;
      diagnostics: { line: number; column: number; endLine: number; endColumn: number; severity: string; code: string; message: string }[];
    }[];
    errors: number;
    warnings: number;
  };
  assert.equal(json.files.length, 2);
  assert.deepEqual(
    json.files.map((f) => f.kind),
    ['survey', 'templates'],
  );
  assert.ok(json.errors >= 1);
  assert.equal(json.errors, json.files.flatMap((f) => f.diagnostics).filter((d) => d.severity === 'error').length);
  for (const d of json.files[0].diagnostics) {
    assert.ok(d.line >= 1 && d.column >= 1 && d.endLine >= d.line);
    assert.equal(typeof d.code, 'string');
    assert.equal(typeof d.message, 'string');
  }
});

test('check: missing file, wrong file type and no arguments are usage errors (exit 2)', async () => {
  const missing = await runCli(['check', 'nope.wvs'], { cwd: dir });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /nope\.wvs does not exist/);
  const wrong = await runCli(['check', 'notes.txt'], { cwd: dir });
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, /\.wvs and \.wvt files only/);
  const none = await runCli(['check'], { cwd: dir });
  assert.equal(none.code, 2);
  assert.match(none.stderr, /at least one/);
});

test('unknown flags and commands exit 2 with a pointer to --help', async () => {
  const flag = await runCli(['check', '--bogus', 'bad.wvs'], { cwd: dir });
  assert.equal(flag.code, 2);
  assert.match(flag.stderr, /Unknown option '--bogus'/);
  assert.match(flag.stderr, /value-lens check --help/);
  const cmd = await runCli(['frobnicate']);
  assert.equal(cmd.code, 2);
  assert.match(cmd.stderr, /Unknown command "frobnicate"/);
  const nothing = await runCli([]);
  assert.equal(nothing.code, 2);
  assert.match(nothing.stderr, /Usage: value-lens COMMAND/);
});

test('--help for every command and --version exit 0', async () => {
  for (const command of ['check', 'score', 'analyze', 'report', 'demo']) {
    const r = await runCli([command, '--help']);
    assert.equal(r.code, 0, command);
    assert.match(r.stdout, new RegExp(`Usage: value-lens ${command}`));
    assert.match(r.stdout, /Exit codes/);
  }
  const v = await runCli(['--version']);
  assert.equal(v.code, 0);
  const pkg = JSON.parse(await fs.readFile(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { version: string };
  assert.equal(v.stdout.trim(), pkg.version);
});
