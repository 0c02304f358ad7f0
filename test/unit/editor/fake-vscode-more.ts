// More of the `vscode` stand-in, for the views, tasks, language status and walkthrough adapters: added to
// the fake module (fake-vscode.ts) at install time, so `require('vscode')` sees one module with both.
// Kept apart so the base fake stays small; what a test scripts is in `more`.
import * as fake from './fake-vscode';
import { EventEmitter, Disposable, Uri, installFakeVscode } from './fake-vscode';
import { mkdir, readFile, readdir, rm, stat, writeFile, copyFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export class ThemeIcon {
  constructor(
    readonly id: string,
    readonly color?: unknown,
  ) {}
  static readonly File = new ThemeIcon('file');
  static readonly Folder = new ThemeIcon('folder');
}

export const TreeItemCollapsibleState = { None: 0, Collapsed: 1, Expanded: 2 };

export class TreeItem {
  id?: string;
  description?: string | boolean;
  tooltip?: unknown;
  iconPath?: unknown;
  contextValue?: string;
  resourceUri?: Uri;
  command?: { title: string; command: string; arguments?: unknown[] };
  constructor(
    public label: string,
    public collapsibleState: number = TreeItemCollapsibleState.None,
  ) {}
}

export class RelativePattern {
  constructor(
    readonly base: unknown,
    readonly pattern: string,
  ) {}
}

export const TaskScope = { Global: 1, Workspace: 2 };
export const TaskRevealKind = { Always: 1, Silent: 2, Never: 3 };
export const TaskGroup = { Build: { id: 'build' }, Test: { id: 'test' } };

export class ShellExecution {
  constructor(
    readonly command: string,
    readonly args: string[],
    readonly options?: { cwd?: string },
  ) {}
}

export class ProcessExecution {
  constructor(
    readonly process: string,
    readonly args: string[],
    readonly options?: { cwd?: string },
  ) {}
}

export class Task {
  group?: unknown;
  presentationOptions?: unknown;
  constructor(
    readonly definition: { type: string; [k: string]: unknown },
    readonly scope: unknown,
    readonly name: string,
    readonly source: string,
    readonly execution?: unknown,
    readonly problemMatchers?: string | string[],
  ) {}
}

export interface FakeWatcher {
  glob: unknown;
  create(uri: Uri): void;
  change(uri: Uri): void;
  delete(uri: Uri): void;
  disposed: boolean;
}

export interface FakeLanguageStatusItem {
  id: string;
  selector: unknown;
  name?: string;
  text: string;
  detail?: string;
  busy: boolean;
  command?: { title: string; command: string };
  disposed: boolean;
  dispose(): void;
}

/** What these fakes record and let a test script. */
export const more = {
  statusItems: [] as FakeLanguageStatusItem[],
  watchers: [] as FakeWatcher[],
  treeProviders: new Map<string, { getChildren(e?: unknown): unknown; getTreeItem(e: unknown): unknown; onDidChangeTreeData?: unknown }>(),
  taskProviders: new Map<string, { provideTasks(): unknown; resolveTask(t: unknown): unknown }>(),
  activeEditor: undefined as { document: unknown } | undefined,
  activeEditorChanged: new EventEmitter<unknown>(),
  saved: new EventEmitter<unknown>(),
  configurationChanged: new EventEmitter<{ affectsConfiguration(s: string): boolean }>(),
  /** Contexts set through setContext, by key. */
  contexts: new Map<string, unknown>(),
  shown: [] as string[],
  reset(): void {
    this.statusItems = [];
    this.watchers = [];
    this.contexts.clear();
    this.shown = [];
    this.activeEditor = undefined;
  },
};

let installed = false;

export function installMoreFakes(): void {
  installFakeVscode();
  if (installed) return;
  installed = true;
  // The module object `require('vscode')` returns (an `import * as` namespace is a copy of its getters).
  const target = require('./fake-vscode') as Record<string, unknown>;
  const add = (name: string, value: unknown): void => {
    if (!(name in target)) Object.defineProperty(target, name, { value, enumerable: true });
  };
  add('ThemeIcon', ThemeIcon);
  add('TreeItem', TreeItem);
  add('TreeItemCollapsibleState', TreeItemCollapsibleState);
  add('RelativePattern', RelativePattern);
  add('TaskScope', TaskScope);
  add('TaskRevealKind', TaskRevealKind);
  add('TaskGroup', TaskGroup);
  add('ShellExecution', ShellExecution);
  add('ProcessExecution', ProcessExecution);
  add('Task', Task);
  add('FileType', { File: 1, Directory: 2 });
  add('l10n', {
    t: (message: string, ...args: unknown[]) =>
      message.replace(/\{(\d+)\}/g, (m, i: string) => (args[Number(i)] === undefined ? m : String(args[Number(i)]))),
  });
  add('tasks', {
    registerTaskProvider(type: string, provider: { provideTasks(): unknown; resolveTask(t: unknown): unknown }) {
      more.taskProviders.set(type, provider);
      return new Disposable(() => more.taskProviders.delete(type));
    },
  });

  const U = Uri as unknown as Record<string, unknown>;
  const proto = (Uri as unknown as { prototype: object }).prototype;
  if (!('scheme' in proto)) Object.defineProperty(proto, 'scheme', { get: () => 'file' });
  if (!U.joinPath) U.joinPath = (base: Uri, ...parts: string[]) => Uri.file(join(base.fsPath, ...parts));

  const languages = fake.languages as unknown as Record<string, unknown>;
  languages.createLanguageStatusItem = (id: string, selector: unknown) => {
    const item: FakeLanguageStatusItem = {
      id,
      selector,
      text: '',
      busy: false,
      disposed: false,
      dispose() {
        item.disposed = true;
      },
    };
    more.statusItems.push(item);
    return item;
  };

  const window = fake.window as unknown as Record<string, unknown>;
  Object.defineProperty(window, 'activeTextEditor', { get: () => more.activeEditor, configurable: true });
  window.onDidChangeActiveTextEditor = more.activeEditorChanged.event;
  window.registerTreeDataProvider = (id: string, provider: { getChildren(e?: unknown): unknown; getTreeItem(e: unknown): unknown }) => {
    more.treeProviders.set(id, provider);
    return new Disposable(() => more.treeProviders.delete(id));
  };
  window.createTreeView = (
    id: string,
    options: { treeDataProvider: { getChildren(e?: unknown): unknown; getTreeItem(e: unknown): unknown } },
  ) => {
    more.treeProviders.set(id, options.treeDataProvider);
    return {
      dispose: () => more.treeProviders.delete(id),
      reveal: async () => undefined,
      badge: undefined,
      message: undefined,
      description: undefined,
    };
  };
  window.showTextDocument = async (target: unknown) => {
    more.shown.push(String((target as { uri?: Uri }).uri ?? target));
    return { selection: undefined, revealRange() {} };
  };

  const workspace = fake.workspace as unknown as Record<string, unknown>;
  workspace.onDidSaveTextDocument = more.saved.event;
  workspace.onDidChangeConfiguration = more.configurationChanged.event;
  workspace.onDidChangeWorkspaceFolders = new EventEmitter<unknown>().event;
  workspace.getWorkspaceFolder = (uri: Uri) => {
    const folders = (workspace.workspaceFolders as { uri: Uri; name?: string; index?: number }[] | undefined) ?? [];
    return folders
      .filter((f) => uri.fsPath === f.uri.fsPath || uri.fsPath.startsWith(`${f.uri.fsPath}/`))
      .sort((a, b) => b.uri.fsPath.length - a.uri.fsPath.length)[0];
  };
  workspace.createFileSystemWatcher = (glob: unknown) => {
    const created = new EventEmitter<Uri>();
    const changed = new EventEmitter<Uri>();
    const deleted = new EventEmitter<Uri>();
    const watcher = {
      glob,
      disposed: false,
      create: (u: Uri) => created.fire(u),
      change: (u: Uri) => changed.fire(u),
      delete: (u: Uri) => deleted.fire(u),
    };
    more.watchers.push(watcher);
    return {
      onDidCreate: created.event,
      onDidChange: changed.event,
      onDidDelete: deleted.event,
      dispose: () => (watcher.disposed = true),
    };
  };
  // findFiles with a RelativePattern walks the real folder (the base fake matches open documents only).
  const findFiles = workspace.findFiles as (glob: unknown) => Promise<Uri[]>;
  workspace.findFiles = async (glob: unknown) => {
    if (!glob || typeof glob !== 'object' || !('pattern' in glob)) return findFiles(glob);
    // vscode.RelativePattern(base: WorkspaceFolder | Uri | string, pattern): the base fake keeps it as baseUri.
    const g = glob as { base?: unknown; baseUri?: unknown };
    const b = (g.base ?? g.baseUri) as { uri?: Uri; fsPath?: string } | string;
    const base = typeof b === 'string' ? b : (b.uri?.fsPath ?? b.fsPath ?? '');
    const pattern = String((glob as { pattern: unknown }).pattern);
    const suffix = pattern.slice(pattern.lastIndexOf('*') + 1);
    const out: Uri[] = [];
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
        if (entry.name === 'node_modules') continue;
        const path = join(dir, entry.name);
        if (entry.isDirectory()) await walk(path);
        else if (entry.name.endsWith(suffix)) out.push(Uri.file(path));
      }
    };
    await walk(base);
    return out.sort((a, b) => a.fsPath.localeCompare(b.fsPath));
  };
  const fs = workspace.fs as Record<string, unknown>;
  fs.readFile = async (uri: Uri) => new Uint8Array(await readFile(uri.fsPath));
  fs.writeFile = async (uri: Uri, data: Uint8Array) => {
    await mkdir(dirname(uri.fsPath), { recursive: true });
    await writeFile(uri.fsPath, data);
  };
  fs.stat = async (uri: Uri) => {
    const s = await stat(uri.fsPath);
    return { type: s.isDirectory() ? 2 : 1, size: s.size, mtime: s.mtimeMs, ctime: s.ctimeMs };
  };
  fs.createDirectory = async (uri: Uri) => void (await mkdir(uri.fsPath, { recursive: true }));
  fs.copy = async (from: Uri, to: Uri, options?: { overwrite?: boolean }) => {
    if (
      !options?.overwrite &&
      (await stat(to.fsPath).then(
        () => true,
        () => false,
      ))
    )
      throw new Error(`exists: ${to.fsPath}`);
    await mkdir(dirname(to.fsPath), { recursive: true });
    await copyFile(from.fsPath, to.fsPath);
  };
  fs.delete = async (uri: Uri, options?: { recursive?: boolean }) => rm(uri.fsPath, { recursive: options?.recursive ?? false });

  const commands = fake.commands as unknown as { executeCommand(c: string, ...a: unknown[]): Promise<unknown> };
  const execute = commands.executeCommand.bind(commands);
  commands.executeCommand = async (command: string, ...args: unknown[]) => {
    if (command === 'setContext') more.contexts.set(String(args[0]), args[1]);
    return execute(command, ...args);
  };
}
