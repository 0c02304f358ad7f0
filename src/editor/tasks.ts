// The `value-lens` task type: `value-lens check` over a workspace folder (or the files a tasks.json entry
// names), its output read by the `$value-lens` problem matcher into Problems, so Tasks and CI show the same
// diagnostics the editor does. The CLI bundled with the extension runs under the extension host's own
// runtime (ELECTRON_RUN_AS_NODE), so no Node on PATH is needed; the integrated terminal gets a
// `value-lens` command the same way (a small shim in the extension's storage, put on the terminal's PATH).
import { promises as fs } from 'node:fs';
import { delimiter, join } from 'node:path';
import * as vscode from 'vscode';

export const TASK_TYPE = 'value-lens';
export const PROBLEM_MATCHER = '$value-lens';

export interface ValueLensTaskDefinition extends vscode.TaskDefinition {
  type: typeof TASK_TYPE;
  command: 'check';
  /** Files or folders, relative to the task's workspace folder; default: the whole folder. */
  files?: string[];
}

export interface CliRuntime {
  /** The runtime that runs the CLI (the extension host's executable). */
  execPath: string;
  /** Arguments before the CLI's own (tests: `--import tsx`). */
  execArgs: string[];
  /** dist/cli.js of the installed extension. */
  cliPath: string;
  /** Environment the runtime needs (ELECTRON_RUN_AS_NODE=1 under Electron). */
  env: Record<string, string>;
}

/** The extension host's runtime: Electron (desktop) runs scripts as Node with ELECTRON_RUN_AS_NODE; the remote server is Node already. */
export function hostRuntime(extensionPath: string): CliRuntime {
  return {
    execPath: process.execPath,
    execArgs: [],
    cliPath: join(extensionPath, 'dist', 'cli.js'),
    env: process.versions.electron ? { ELECTRON_RUN_AS_NODE: '1' } : {},
  };
}

function isDefinition(value: vscode.TaskDefinition): value is ValueLensTaskDefinition {
  return (
    value.type === TASK_TYPE &&
    value.command === 'check' &&
    (value.files === undefined || (Array.isArray(value.files) && value.files.every((f) => typeof f === 'string')))
  );
}

export function checkTask(definition: ValueLensTaskDefinition, folder: vscode.WorkspaceFolder, runtime: CliRuntime): vscode.Task {
  const files = definition.files?.length ? definition.files : ['.'];
  const execution = new vscode.ProcessExecution(runtime.execPath, [...runtime.execArgs, runtime.cliPath, 'check', ...files], {
    cwd: folder.uri.fsPath,
    env: runtime.env,
  });
  const task = new vscode.Task(definition, folder, `check ${files.join(' ')}`, TASK_TYPE, execution, PROBLEM_MATCHER);
  task.group = vscode.TaskGroup.Test;
  return task;
}

export function registerTasks(runtime: CliRuntime): vscode.Disposable {
  return vscode.tasks.registerTaskProvider(TASK_TYPE, {
    // One "check" per workspace folder on disk (the CLI reads local files).
    provideTasks: () =>
      (vscode.workspace.workspaceFolders ?? [])
        .filter((f) => f.uri.scheme === 'file')
        .map((folder) => checkTask({ type: TASK_TYPE, command: 'check' }, folder, runtime)),
    resolveTask: (task) => {
      const folder = typeof task.scope === 'object' ? task.scope : undefined;
      return isDefinition(task.definition) && folder ? checkTask(task.definition, folder, runtime) : undefined;
    },
  });
}

/**
 * `value-lens` in the integrated terminal: shims (sh and cmd) in `binDir` that run the bundled CLI with the
 * extension host's runtime, and the folder prepended to the terminals' PATH. Terminals opened before see
 * it after a restart (VS Code offers the relaunch itself).
 */
export async function installCliShims(
  binDir: string,
  runtime: CliRuntime,
  collection: vscode.EnvironmentVariableCollection,
): Promise<string[]> {
  await fs.mkdir(binDir, { recursive: true });
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const envSh = Object.entries(runtime.env)
    .map(([k, v]) => `${k}=${quote(v)} `)
    .join('');
  const sh = `#!/bin/sh\n# Value Lens CLI (written by the extension; removed with it)\n${envSh}exec ${[runtime.execPath, ...runtime.execArgs, runtime.cliPath].map(quote).join(' ')} "$@"\n`;
  const envCmd = Object.entries(runtime.env)
    .map(([k, v]) => `set "${k}=${v}"\r\n`)
    .join('');
  const cmd = `@echo off\r\nsetlocal\r\n${envCmd}"${runtime.execPath}" ${runtime.execArgs.map((a) => `"${a}"`).join(' ')} "${runtime.cliPath}" %*\r\n`;
  const shPath = join(binDir, 'value-lens');
  const cmdPath = join(binDir, 'value-lens.cmd');
  await fs.writeFile(shPath, sh, { mode: 0o755 });
  await fs.chmod(shPath, 0o755);
  await fs.writeFile(cmdPath, cmd);
  collection.description = vscode.l10n.t('Adds the Value Lens CLI (value-lens) to the terminal');
  collection.prepend('PATH', `${binDir}${delimiter}`);
  return [shPath, cmdPath];
}
