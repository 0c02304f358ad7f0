// Issue 19: the `value-lens` task type and the `$value-lens` problem matcher. The task's process is really
// run (the CLI from source under tsx, as the shipped one runs under the host's runtime) over a folder with
// broken files, and its output read with the matcher's own regexp from package.json: every diagnostic the
// parser reports becomes one problem with its file, line, column, severity and code. The terminal shim runs
// the same CLI.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Uri } from './fake-vscode';
import { installMoreFakes, more, type ProcessExecution, type Task } from './fake-vscode-more';
import { parseSurvey } from '../../../src/core/language/index';

installMoreFakes();
const { registerTasks, installCliShims, TASK_TYPE } = require('../../../src/editor/tasks') as typeof import('../../../src/editor/tasks');
const { workspace } = require('./fake-vscode') as typeof import('./fake-vscode');

interface Matcher {
  name: string;
  owner: string;
  fileLocation: string[];
  pattern: { regexp: string; file: number; line: number; column: number; severity: number; code: number; message: number };
}
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
  contributes: { problemMatchers: Matcher[]; taskDefinitions: { type: string; required: string[] }[] };
};
const matcher = pkg.contributes.problemMatchers.find((m) => m.name === 'value-lens')!;

const runtime = {
  execPath: process.execPath,
  execArgs: ['--import', require.resolve('tsx')],
  cliPath: resolve('src/cli.ts'),
  env: {},
};

const BROKEN = `languages en da
scale agree 1..2
  en: Agree | Disagree

item Q1
  scale: agre
  en: Is family important?
  dk: Er familien vigtig?
`;

let root: string;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'vl-tasks-'));
  mkdirSync(join(root, 'items'));
  writeFileSync(join(root, 'items', 'a.wvs'), BROKEN);
  writeFileSync(join(root, 'ok.wvt'), 'template direct\n  en: {question} {options}\n');
});
after(() => rmSync(root, { recursive: true, force: true }));

/** VS Code's reading of a matched severity: error, warning, info (hint → info). */
function severityOf(captured: string): string {
  return captured === 'hint' ? 'info' : captured;
}

function problems(output: string) {
  const re = new RegExp(matcher.pattern.regexp);
  return output
    .split('\n')
    .map((line) => re.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({
      file: m[matcher.pattern.file]!,
      line: Number(m[matcher.pattern.line]),
      column: Number(m[matcher.pattern.column]),
      severity: severityOf(m[matcher.pattern.severity]!),
      code: m[matcher.pattern.code]!,
      message: m[matcher.pattern.message]!,
    }));
}

test('the task type and matcher are declared: check over a folder, owner value-lens, paths from the folder', () => {
  const definition = pkg.contributes.taskDefinitions.find((d) => d.type === TASK_TYPE);
  assert.deepEqual(definition?.required, ['command']);
  assert.equal(matcher.owner, 'value-lens');
  assert.deepEqual(matcher.fileLocation, ['autoDetect', '${workspaceFolder}']);
});

test('a check task per workspace folder; its process output becomes one problem per diagnostic', () => {
  (workspace as { workspaceFolders: unknown }).workspaceFolders = [
    { uri: Uri.file(root), name: 'ws', index: 0 },
    { uri: { scheme: 'vscode-vfs', fsPath: '/remote' }, name: 'virtual', index: 1 },
  ];
  const disposable = registerTasks(runtime);
  try {
    const provider = more.taskProviders.get(TASK_TYPE)!;
    const tasks = provider.provideTasks() as Task[];
    assert.equal(tasks.length, 1, 'the virtual folder has no local files for the CLI');
    const [task] = tasks;
    assert.deepEqual(task!.problemMatchers, '$value-lens');
    const exec = task!.execution as ProcessExecution;
    assert.equal(exec.options?.cwd, root);
    const run = spawnSync(exec.process, exec.args, { cwd: exec.options!.cwd, encoding: 'utf8' });
    assert.equal(run.status, 1, `errors found: exit 1 (the task fails, as CI should)\n${run.stderr}`);
    const found = problems(run.stdout);
    const expected = parseSurvey(BROKEN).diagnostics;
    assert.ok(expected.length >= 2);
    assert.equal(found.length, expected.length, run.stdout);
    for (const d of expected) {
      const p = found.find((f) => f.code === d.code && f.line === d.range.start.line + 1);
      assert.ok(p, d.code);
      assert.equal(p.column, d.range.start.character + 1);
      assert.equal(p.severity, d.severity === 'information' ? 'info' : d.severity);
      assert.ok(existsSync(join(root, p.file)), p.file);
      assert.equal(p.message, d.message);
    }

    // A tasks.json entry naming files is resolved with those files only.
    const resolved = provider.resolveTask({
      definition: { type: TASK_TYPE, command: 'check', files: ['ok.wvt'] },
      scope: { uri: Uri.file(root), name: 'ws', index: 0 },
    }) as Task;
    const only = spawnSync((resolved.execution as ProcessExecution).process, (resolved.execution as ProcessExecution).args, {
      cwd: root,
      encoding: 'utf8',
    });
    assert.equal(only.status, 0, only.stderr);
    assert.deepEqual(problems(only.stdout), []);
    assert.equal(
      provider.resolveTask({ definition: { type: TASK_TYPE, command: 'rm' }, scope: { uri: Uri.file(root) } }),
      undefined,
      'an unknown command is not run',
    );
  } finally {
    disposable.dispose();
  }
});

test('the terminal shim runs the same CLI and is put on the terminals PATH', { skip: process.platform === 'win32' }, async () => {
  const collection = {
    description: '',
    prepends: [] as [string, string][],
    prepend(name: string, value: string) {
      this.prepends.push([name, value]);
    },
  };
  const bin = join(root, 'bin');
  const [sh] = await installCliShims(bin, runtime, collection as never);
  assert.deepEqual(collection.prepends, [['PATH', `${bin}:`]]);
  const run = spawnSync(sh!, ['check', 'items'], { cwd: root, encoding: 'utf8' });
  assert.equal(run.status, 1, run.stderr);
  assert.ok(problems(run.stdout).some((p) => p.code === 'wvs/unknown-scale'));
});
