// A small in-memory stand-in for the `vscode` module: enough of the API for the editor adapters (lenses,
// hover, decorations, scoring with progress) to run in plain Node against the loopback model servers.
// Installed by `installFakeVscode()` before the adapters are required.
import Module from 'node:module';

export class Position {
  constructor(
    readonly line: number,
    readonly character: number,
  ) {}
}

export class Range {
  readonly start: Position;
  readonly end: Position;
  constructor(a: number | Position, b: number | Position, c?: number, d?: number) {
    this.start = typeof a === 'number' ? new Position(a, b as number) : a;
    this.end = typeof a === 'number' ? new Position(c!, d!) : (b as Position);
  }
  isEqual(other: Range): boolean {
    return JSON.stringify(this) === JSON.stringify(other);
  }
}

export class Uri {
  readonly scheme = 'file';
  private constructor(readonly fsPath: string) {}
  static file(path: string): Uri {
    return new Uri(path);
  }
  toString(): string {
    return `file://${this.fsPath}`;
  }
}

export class Disposable {
  constructor(private readonly fn: () => void = () => undefined) {}
  static from(...items: { dispose(): unknown }[]): Disposable {
    return new Disposable(() => items.forEach((i) => i.dispose()));
  }
  dispose(): void {
    this.fn();
  }
}

export class EventEmitter<T> {
  private readonly listeners = new Set<(e: T) => void>();
  readonly event = (listener: (e: T) => void) => {
    this.listeners.add(listener);
    return new Disposable(() => this.listeners.delete(listener));
  };
  fire(e: T): void {
    this.listeners.forEach((l) => l(e));
  }
  dispose(): void {
    this.listeners.clear();
  }
}

export class CodeLens {
  command?: { title: string; command: string; arguments?: unknown[] };
  constructor(readonly range: Range) {}
}

export class MarkdownString {
  supportThemeIcons = false;
  constructor(readonly value: string) {}
}

export class Hover {
  readonly contents: MarkdownString[];
  constructor(contents: MarkdownString) {
    this.contents = [contents];
  }
}

export class ThemeColor {
  constructor(readonly id: string) {}
}

export const SymbolKind = { File: 0, Class: 4, Enum: 9, String: 14, Array: 17, Object: 18 };
export const CompletionItemKind = { Variable: 5, Class: 6, Property: 9, Value: 11, Enum: 12, Keyword: 13, Constant: 20 };
export const DiagnosticSeverity = { Error: 0, Warning: 1, Information: 2, Hint: 3 };
export const FoldingRangeKind = { Comment: 1, Imports: 2, Region: 3 };
export const CodeActionKind = { QuickFix: 'quickfix' };

export class DocumentSymbol {
  children: DocumentSymbol[] = [];
  constructor(
    readonly name: string,
    readonly detail: string,
    readonly kind: number,
    readonly range: Range,
    readonly selectionRange: Range,
  ) {}
}

export class FoldingRange {
  constructor(
    readonly start: number,
    readonly end: number,
    readonly kind?: number,
  ) {}
}

export class CompletionItem {
  insertText?: string;
  detail?: string;
  constructor(
    readonly label: string,
    readonly kind?: number,
  ) {}
}

export class Diagnostic {
  code?: string;
  source?: string;
  constructor(
    readonly range: Range,
    readonly message: string,
    readonly severity: number,
  ) {}
}

export class WorkspaceEdit {
  readonly edits: { uri: Uri; range: Range; newText: string }[] = [];
  replace(uri: Uri, range: Range, newText: string): void {
    this.edits.push({ uri, range, newText });
  }
}

export class CodeAction {
  diagnostics?: Diagnostic[];
  isPreferred?: boolean;
  edit?: WorkspaceEdit;
  constructor(
    readonly title: string,
    readonly kind: string,
  ) {}
}

export const ProgressLocation = { Notification: 15 };
export const StatusBarAlignment = { Left: 1, Right: 2 };
export const QuickPickItemKind = { Separator: -1, Default: 0 };
export const ConfigurationTarget = { Global: 1, Workspace: 2, WorkspaceFolder: 3 };
export const DecorationRangeBehavior = { ClosedClosed: 1 };

export class FakeDocument {
  version = 1;
  constructor(
    readonly uri: Uri,
    readonly languageId: string,
    private text: string,
  ) {}
  getText(): string {
    return this.text;
  }
  setText(text: string): void {
    this.text = text;
    this.version++;
  }
  get lineCount(): number {
    return this.text.split('\n').length;
  }
  lineAt(line: number) {
    const text = this.text.split('\n')[line] ?? '';
    return { text, range: new Range(line, 0, line, text.length) };
  }
}

/** What the fake records and lets a test script. */
export const state = {
  settings: {} as Record<string, { globalValue?: unknown; workspaceValue?: unknown; defaultValue?: unknown }>,
  trusted: true,
  documents: [] as FakeDocument[],
  messages: [] as { level: 'info' | 'warning' | 'error'; text: string; buttons: string[] }[],
  /** Answer for the next message with buttons (by label), else undefined. */
  answer: undefined as string | undefined,
  codeLensProviders: [] as { provideCodeLenses(doc: unknown, token: unknown): CodeLens[]; resolveCodeLens?(l: CodeLens): CodeLens }[],
  hoverProviders: [] as { provideHover(doc: unknown, pos: Position): Hover | undefined }[],
  progressReports: [] as { message?: string }[],
  cancelProgress: undefined as (() => void) | undefined,
  executed: [] as { command: string; args: unknown[] }[],
  statusBarItems: [] as { texts: string[] }[],
  quickPicks: [] as {
    items: { label: string; provider?: string; model?: string }[];
    selectedItems: unknown[];
    busy: boolean;
    accept(): void;
    hide(): void;
  }[],
  /** Chooses the item the next showQuickPick returns. */
  quickPickChoice: undefined as ((item: unknown) => boolean) | undefined,
  /** Value the next input box returns. */
  inputValue: undefined as string | undefined,
  openDialog: undefined as Uri[] | undefined,
  reset(): void {
    this.settings = {};
    this.trusted = true;
    this.messages = [];
    this.answer = undefined;
    this.progressReports = [];
    this.executed = [];
  },
};

const noopEvent = () => new Disposable();

export const contentProviders = new Map<string, unknown>();

/** Fired by `fireConfiguration(keys)`: what `workspace.onDidChangeConfiguration` listeners get. */
const configurationChanged = new EventEmitter<{ affectsConfiguration(section: string): boolean }>();

/** Tells the `onDidChangeConfiguration` listeners that these settings (e.g. 'valueLens.humanData') changed. */
export function fireConfiguration(...keys: string[]): void {
  configurationChanged.fire({ affectsConfiguration: (section) => keys.some((k) => k === section || k.startsWith(`${section}.`)) });
}

export class RelativePattern {
  constructor(
    readonly baseUri: Uri,
    readonly pattern: string,
  ) {}
}

/** File system watchers created so far, with their emitters, for a test to fire. */
export const fileWatchers: {
  pattern: RelativePattern;
  change: EventEmitter<Uri>;
  create: EventEmitter<Uri>;
  delete: EventEmitter<Uri>;
  disposed: boolean;
}[] = [];

function message(level: 'info' | 'warning' | 'error') {
  return async (text: string, ...rest: unknown[]) => {
    const buttons = rest.filter((r): r is string => typeof r === 'string');
    state.messages.push({ level, text, buttons });
    const answer = state.answer && buttons.includes(state.answer) ? state.answer : undefined;
    state.answer = undefined;
    return answer;
  };
}

export const workspace = {
  get isTrusted() {
    return state.trusted;
  },
  get textDocuments() {
    return state.documents;
  },
  getConfiguration(section: string) {
    const key = (k: string) => `${section}.${k}`;
    return {
      get: (k: string, fallback?: unknown) => {
        const s = state.settings[key(k)];
        return s?.workspaceValue ?? s?.globalValue ?? s?.defaultValue ?? fallback;
      },
      inspect: (k: string) => state.settings[key(k)] ?? {},
      update: async (k: string, value: unknown, target: number) => {
        const s = (state.settings[key(k)] ??= {});
        if (target === ConfigurationTarget.Global) s.globalValue = value;
        else s.workspaceValue = value;
        fireConfiguration(key(k));
      },
    };
  },
  async openTextDocument(uri: Uri) {
    const doc = state.documents.find((d) => d.uri.toString() === uri.toString());
    if (!doc) throw new Error(`no document ${uri.toString()}`);
    return doc;
  },
  async findFiles(glob: string) {
    const ext = glob.slice(glob.lastIndexOf('.'));
    return state.documents.filter((d) => d.uri.fsPath.endsWith(ext)).map((d) => d.uri);
  },
  asRelativePath: (uri: Uri) => uri.fsPath,
  onDidChangeConfiguration: configurationChanged.event,
  /** Content providers by scheme (authoring's read-only previews). */
  registerTextDocumentContentProvider(scheme: string, provider: unknown) {
    contentProviders.set(scheme, provider);
    return new Disposable(() => contentProviders.delete(scheme));
  },
  createFileSystemWatcher(pattern: RelativePattern) {
    const w = {
      pattern,
      change: new EventEmitter<Uri>(),
      create: new EventEmitter<Uri>(),
      delete: new EventEmitter<Uri>(),
      disposed: false,
    };
    fileWatchers.push(w);
    return {
      onDidChange: w.change.event,
      onDidCreate: w.create.event,
      onDidDelete: w.delete.event,
      dispose: () => void (w.disposed = true),
    };
  },
  onDidChangeTextDocument: noopEvent,
  onDidOpenTextDocument: noopEvent,
  onDidCloseTextDocument: noopEvent,
  onDidSaveTextDocument: noopEvent,
  workspaceFolders: undefined as { uri: Uri }[] | undefined,
  fs: {
    readFile: async (uri: Uri) => new Uint8Array(await (await import('node:fs/promises')).readFile(uri.fsPath)),
  },
};

export const window = {
  showInformationMessage: message('info'),
  showWarningMessage: message('warning'),
  showErrorMessage: message('error'),
  visibleTextEditors: [] as unknown[],
  onDidChangeVisibleTextEditors: noopEvent,
  createTextEditorDecorationType: () => new Disposable(),
  createStatusBarItem: () => {
    const item = { texts: [] as string[], tooltip: '', name: '', command: '', show() {}, dispose() {} };
    state.statusBarItems.push(item);
    return new Proxy(item, {
      set(target, key, value) {
        if (key === 'text') target.texts.push(value as string);
        else (target as Record<string | symbol, unknown>)[key] = value;
        return true;
      },
      get(target, key) {
        return key === 'text' ? target.texts[target.texts.length - 1] : (target as Record<string | symbol, unknown>)[key];
      },
    });
  },
  createQuickPick: () => {
    const accept = new EventEmitter<void>();
    const hide = new EventEmitter<void>();
    const pick = {
      items: [] as { label: string; provider?: string; model?: string; kind?: number }[],
      selectedItems: [] as unknown[],
      busy: false,
      title: '',
      placeholder: '',
      show() {},
      dispose() {},
      onDidAccept: accept.event,
      onDidHide: hide.event,
      accept: () => accept.fire(),
      hide: () => hide.fire(),
    };
    state.quickPicks.push(pick);
    return pick;
  },
  async showQuickPick(items: unknown[] | Promise<unknown[]>) {
    const list = await items;
    const pick = state.quickPickChoice;
    state.quickPickChoice = undefined;
    return pick ? list.find(pick) : undefined;
  },
  /** Files the next showOpenDialog returns. */
  async showOpenDialog() {
    const picked = state.openDialog;
    state.openDialog = undefined;
    return picked;
  },
  async showInputBox(options: { validateInput?(v: string): string | undefined }) {
    const value = state.inputValue;
    state.inputValue = undefined;
    return value !== undefined && !options.validateInput?.(value) ? value : undefined;
  },
  get activeTextEditor() {
    return undefined;
  },
  async withProgress<T>(
    _options: unknown,
    task: (progress: { report(p: { message?: string }): void }, token: unknown) => Promise<T>,
  ): Promise<T> {
    const cancel = new EventEmitter<void>();
    const token = { isCancellationRequested: false, onCancellationRequested: cancel.event };
    state.cancelProgress = () => {
      token.isCancellationRequested = true;
      cancel.fire();
    };
    try {
      return await task({ report: (p) => state.progressReports.push(p) }, token);
    } finally {
      state.cancelProgress = undefined;
    }
  },
};

/** `vscode.l10n`: the English message with `{0}`/`{name}` filled in, as VS Code does without a bundle. */
export const l10n = {
  t(message: string | { message: string; args?: unknown[] | Record<string, unknown> }, ...rest: unknown[]): string {
    const text = typeof message === 'string' ? message : message.message;
    const args =
      typeof message === 'string' ? (rest.length === 1 && rest[0] && typeof rest[0] === 'object' ? rest[0] : rest) : (message.args ?? []);
    return text.replace(/\{([^}]+)\}/g, (m, key: string) => {
      const value = (args as Record<string, unknown>)[key];
      return value === undefined ? m : String(value);
    });
  },
};

export const diagnosticCollections = new Map<string, Map<string, Diagnostic[]>>();

export const languages = {
  createDiagnosticCollection(name: string) {
    const map = new Map<string, Diagnostic[]>();
    diagnosticCollections.set(name, map);
    return {
      set: (uri: Uri, diagnostics: Diagnostic[]) => void map.set(uri.toString(), diagnostics),
      delete: (uri: Uri) => void map.delete(uri.toString()),
      dispose: () => diagnosticCollections.delete(name),
    };
  },
  registerDocumentSymbolProvider: (_s: unknown, p: unknown) => register('symbols', p),
  registerFoldingRangeProvider: (_s: unknown, p: unknown) => register('folding', p),
  registerCompletionItemProvider: (_s: unknown, p: unknown) => register('completion', p),
  registerCodeActionsProvider: (_s: unknown, p: unknown) => register('codeActions', p),
  registerCodeLensProvider(_selector: unknown, provider: (typeof state.codeLensProviders)[number]) {
    state.codeLensProviders.push(provider);
    return new Disposable(() => state.codeLensProviders.splice(state.codeLensProviders.indexOf(provider), 1));
  },
  registerHoverProvider(_selector: unknown, provider: (typeof state.hoverProviders)[number]) {
    state.hoverProviders.push(provider);
    return new Disposable(() => state.hoverProviders.splice(state.hoverProviders.indexOf(provider), 1));
  },
};

export const registeredCommands = new Map<string, (...args: unknown[]) => unknown>();

export const commands = {
  async executeCommand(command: string, ...args: unknown[]) {
    state.executed.push({ command, args });
    return undefined;
  },
  registerCommand(id: string, fn: (...args: unknown[]) => unknown) {
    if (registeredCommands.has(id)) throw new Error(`command ${id} already registered`);
    registeredCommands.set(id, fn);
    return new Disposable(() => registeredCommands.delete(id));
  },
};

/** Other registered providers by kind (symbols, folding, completion, codeActions). */
export const providers = new Map<string, unknown>();

function register(kind: string, provider: unknown): Disposable {
  providers.set(kind, provider);
  return new Disposable(() => providers.delete(kind));
}

let installed = false;

/** Makes `require('vscode')` return this module (the adapters are compiled to CommonJS by tsx). */
export function installFakeVscode(): void {
  if (installed) return;
  installed = true;
  const M = Module as unknown as { _load(request: string, ...rest: unknown[]): unknown };
  const original = M._load;
  const self = module.exports as unknown;
  M._load = function (this: unknown, request: string, ...rest: unknown[]) {
    return request === 'vscode' ? self : original.call(this, request, ...rest);
  };
}
