// src/panel/index.ts against a small fake `vscode` (only what the panel host touches): one panel per
// workspace, locked-down options, serializer restore with the saved filter, export through the save dialog.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Module from 'node:module';
import type { AnalysisFilter } from '../../../src/core/analysis';
import { createMemoryLogger } from '../../../src/core/log';
import { makeReport } from '../../webview/fixture-report';

class Uri {
  private constructor(
    readonly scheme: string,
    readonly fsPath: string,
  ) {}
  static file(path: string): Uri {
    return new Uri('file', path);
  }
  static joinPath(base: Uri, ...parts: string[]): Uri {
    return new Uri(base.scheme, [base.fsPath, ...parts].join('/'));
  }
  toString(): string {
    return `${this.scheme}://${this.fsPath}`;
  }
}

type Listener = (value: unknown) => void;

class FakePanel {
  visible = true;
  disposed = false;
  revealed = 0;
  iconPath: unknown;
  private readonly messageListeners: Listener[] = [];
  private readonly disposeListeners: Listener[] = [];
  readonly posted: unknown[] = [];
  readonly webview = {
    options: {} as Record<string, unknown>,
    html: '',
    cspSource: 'https://fake.vscode-cdn.net',
    asWebviewUri: (uri: Uri) => `https://fake.vscode-cdn.net${uri.fsPath}`,
    postMessage: async (message: unknown) => {
      this.posted.push(message);
      return true;
    },
    onDidReceiveMessage: (listener: Listener) => (this.messageListeners.push(listener), { dispose() {} }),
  };
  constructor(
    readonly viewType: string,
    readonly title: string,
    options: Record<string, unknown>,
  ) {
    this.webview.options = options;
  }
  onDidDispose(listener: Listener) {
    this.disposeListeners.push(listener);
    return { dispose() {} };
  }
  reveal() {
    this.revealed++;
  }
  dispose() {
    if (this.disposed) return;
    this.disposed = true;
    for (const l of this.disposeListeners) l(undefined);
  }
  async receive(message: unknown) {
    for (const l of this.messageListeners) l(message);
    await new Promise((r) => setImmediate(r));
  }
}

const fake = {
  panels: [] as FakePanel[],
  serializers: new Map<string, { deserializeWebviewPanel(panel: FakePanel, state: unknown): Promise<void> }>(),
  saveUri: undefined as Uri | undefined,
  written: [] as { uri: Uri; data: Uint8Array }[],
};

const vscodeFake = {
  Uri,
  ViewColumn: { Beside: -2 },
  window: {
    createWebviewPanel(viewType: string, title: string, _column: unknown, options: Record<string, unknown>) {
      const panel = new FakePanel(viewType, title, options);
      fake.panels.push(panel);
      return panel;
    },
    registerWebviewPanelSerializer(
      viewType: string,
      serializer: { deserializeWebviewPanel(panel: FakePanel, state: unknown): Promise<void> },
    ) {
      fake.serializers.set(viewType, serializer);
      return { dispose: () => fake.serializers.delete(viewType) };
    },
    showSaveDialog: async () => fake.saveUri,
  },
  workspace: {
    workspaceFolders: [{ uri: Uri.file('/ws') }],
    fs: { writeFile: async (uri: Uri, data: Uint8Array) => void fake.written.push({ uri, data }) },
  },
  // The panel title goes through vscode.l10n.t: English without a bundle, `{0}` filled in. `bundle` is what
  // VS Code loaded for the display language (undefined in English); the webview gets it.
  l10n: {
    t: (message: string, ...args: unknown[]) =>
      message.replace(/\{(\d+)\}/g, (m, i: string) => (args[Number(i)] === undefined ? m : String(args[Number(i)]))),
    bundle: undefined as Record<string, string> | undefined,
  },
  env: { language: 'en' },
};

const M = Module as unknown as { _load(request: string, ...rest: unknown[]): unknown };
const originalLoad = M._load;
M._load = function (this: unknown, request: string, ...rest: unknown[]) {
  return request === 'vscode' ? vscodeFake : originalLoad.call(this, request, ...rest);
};
const { registerAlignmentPanel, PANEL_VIEW_TYPE } = require('../../../src/panel/index') as typeof import('../../../src/panel/index');

function setup() {
  fake.panels.length = 0;
  fake.written.length = 0;
  const filters: AnalysisFilter[] = [];
  const logger = createMemoryLogger();
  const context = { extensionUri: Uri.file('/ext'), subscriptions: [] as { dispose(): void }[] };
  const panel = registerAlignmentPanel(context as never, {
    computeReport: (filter) => (filters.push(filter), { ...makeReport({ items: 4 }), filter }),
    logger,
  });
  return { panel, filters, logger, context };
}

test('show() opens one locked-down panel and reveals it on later calls', async () => {
  const { panel, context } = setup();
  panel.show();
  panel.show();
  assert.equal(fake.panels.length, 1);
  const [p] = fake.panels;
  assert.equal(p.viewType, 'valueLens.alignment');
  assert.equal(p.revealed, 1);
  const options = p.webview.options as {
    enableScripts: boolean;
    enableForms: boolean;
    enableCommandUris: boolean;
    localResourceRoots: Uri[];
  };
  assert.equal(options.enableScripts, true);
  assert.equal(options.enableForms, false);
  assert.equal(options.enableCommandUris, false);
  assert.deepEqual(
    options.localResourceRoots.map((u) => u.fsPath),
    ['/ext/dist', '/ext/media'],
  );
  assert.match(p.webview.html, /script-src 'nonce-[0-9a-f]{32}'/);
  assert.match(p.webview.html, /src="https:\/\/fake\.vscode-cdn\.net\/ext\/dist\/webview\.js"/);
  assert.ok(!('retainContextWhenHidden' in options));
  assert.equal(context.subscriptions.length, 1);
  p.dispose();
  panel.show();
  assert.equal(fake.panels.length, 2, 'a closed panel is created anew');
  panel.dispose();
});

test('posts only after ready; invalid messages are logged and ignored; refresh skips hidden panels', async () => {
  const { panel, filters, logger } = setup();
  panel.show();
  const [p] = fake.panels;
  panel.refresh();
  assert.equal(p.posted.length, 0);
  await p.receive({ type: 'ready' });
  assert.equal(p.posted.length, 1);
  await p.receive({ type: 'executeCommand', command: 'workbench.action.terminal.new' });
  await p.receive('ready');
  assert.equal(logger.entries.filter((e) => e.level === 'warn').length, 2);
  p.visible = false;
  const before = filters.length;
  panel.refresh();
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(filters.length, before);
  panel.dispose();
});

test('the serializer restores a panel with the saved filter and resets its options', async () => {
  const { panel, filters } = setup();
  const serializer = fake.serializers.get(PANEL_VIEW_TYPE);
  assert.ok(serializer);
  const restored = new FakePanel(PANEL_VIEW_TYPE, 'old', { localResourceRoots: [Uri.file('/old-install')] });
  await serializer.deserializeWebviewPanel(restored, { filter: { model: 'qwen2.5:7b', bogus: 1 }, focusModel: 'x' });
  await restored.receive({ type: 'ready' });
  assert.deepEqual(filters, [{}], 'a filter with an unknown key falls back to all');
  const roots = (restored.webview.options as { localResourceRoots: Uri[] }).localResourceRoots.map((u) => u.fsPath);
  assert.deepEqual(roots, ['/ext/dist', '/ext/media']);
  // A second restored copy (two editor groups) is closed: one panel per workspace.
  const duplicate = new FakePanel(PANEL_VIEW_TYPE, 'dup', {});
  await serializer.deserializeWebviewPanel(duplicate, { filter: {} });
  assert.equal(duplicate.disposed, true);
  panel.show();
  assert.equal(fake.panels.length, 0, 'the restored panel is the one panel');
  assert.equal(restored.revealed, 1);
  panel.dispose();
  assert.equal(restored.disposed, true);
  assert.equal(fake.serializers.has(PANEL_VIEW_TYPE), false);

  const second = setup();
  const again = new FakePanel(PANEL_VIEW_TYPE, 'old', {});
  await fake.serializers.get(PANEL_VIEW_TYPE)!.deserializeWebviewPanel(again, { filter: { model: 'qwen2.5:7b', method: 'sample' } });
  await again.receive({ type: 'ready' });
  assert.deepEqual(second.filters, [{ model: 'qwen2.5:7b', method: 'sample' }]);
  second.panel.dispose();
});

test('exportCsv goes through the save dialog and writes the CSV; cancel writes nothing', async () => {
  const { panel } = setup();
  panel.show();
  const [p] = fake.panels;
  await p.receive({ type: 'ready' });
  fake.saveUri = undefined;
  await p.receive({ type: 'exportCsv', chart: 'correlation' });
  assert.equal(fake.written.length, 0);
  fake.saveUri = Uri.file('/ws/out.csv');
  await p.receive({ type: 'exportCsv', chart: 'correlation' });
  assert.equal(fake.written.length, 1);
  const text = new TextDecoder().decode(fake.written[0].data);
  assert.match(text, /^Model,Language,Country,Measure,Pearson r/);
  assert.equal(text.trimEnd().split('\r\n').length, 1 + 8);
  assert.deepEqual(p.posted.at(-1), { type: 'notice', message: 'Saved correlation table to /ws/out.csv' });
  panel.dispose();
});

test('in a Danish VS Code the webview page carries the loaded bundle (data-l10n) and lang="da"; in English neither', () => {
  const { panel } = setup();
  panel.show();
  const english = fake.panels[0]!;
  assert.doesNotMatch(english.webview.html, /data-l10n=/);
  assert.match(english.webview.html, /<html lang="en">/);
  english.dispose();
  vscodeFake.l10n.bundle = { 'Export CSV': 'Eksportér CSV', 'Say "<b>"': '"<b>" & co' };
  vscodeFake.env.language = 'da';
  try {
    panel.show();
    const danish = fake.panels[1]!;
    assert.match(danish.webview.html, /<html lang="da">/);
    const attribute = /data-l10n="([^"]*)"/.exec(danish.webview.html)?.[1];
    assert.ok(attribute, 'data-l10n on #vl-root');
    const decoded = attribute
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
    assert.deepEqual(JSON.parse(decoded), vscodeFake.l10n.bundle, 'the bundle, HTML-escaped in the attribute');
    danish.dispose();
  } finally {
    vscodeFake.l10n.bundle = undefined;
    vscodeFake.env.language = 'en';
  }
});
