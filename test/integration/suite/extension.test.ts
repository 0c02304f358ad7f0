// The extension in a real VS Code: lenses on the example items, a Score run against the loopback fake Ollama,
// the updated lens title and the hover.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';

const EXTENSION_ID = 'value-lens.value-lens';

async function lensTitles(uri: vscode.Uri, line: number): Promise<string[]> {
  const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 1000)) ?? [];
  return lenses.filter((l) => l.range.start.line === line).map((l) => l.command?.title ?? '');
}

async function waitFor<T>(probe: () => Promise<T | undefined>, what: string, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export function registerSuite(): void {
  describe('Value Lens in VS Code', () => {
    let uri: vscode.Uri;
    let q1Line: number;

    before(async () => {
      const [file] = await vscode.workspace.findFiles('*.wvs');
      assert.ok(file, 'the fixture workspace has a .wvs file');
      uri = file;
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(doc);
      assert.equal(doc.languageId, 'wvs');
      await vscode.extensions.getExtension(EXTENSION_ID)!.activate();
      q1Line = doc
        .getText()
        .split('\n')
        .findIndex((l) => /^item Q1\b/.test(l));
      assert.ok(q1Line > 0);
    });

    it('registers every contributed command', async () => {
      const declared: { command: string }[] = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON.contributes.commands;
      const registered = new Set(await vscode.commands.getCommands(true));
      assert.deepEqual(
        declared.map((c) => c.command).filter((c) => !registered.has(c)),
        [],
      );
    });

    it('shows Score, one lens per language and Paraphrases above an item', async () => {
      const titles = await waitFor(async () => {
        const t = await lensTitles(uri, q1Line);
        return t.length ? t : undefined;
      }, 'lenses');
      assert.deepEqual(titles, ['$(play) Score', 'en', 'da', 'nl', 'pt', '$(list-flat) Paraphrases']);
    });

    it('scores an item against the loopback model and updates lens title and hover', async () => {
      await vscode.commands.executeCommand('valueLens.scoreItem', uri, 'Q1');
      const title = await waitFor(async () => {
        const [t] = await lensTitles(uri, q1Line);
        return t && t.startsWith('$(play) Score:') ? t : undefined;
      }, 'the scored lens title');
      assert.match(title, /^\$\(play\) Score: en \d\.\d\d · da \d\.\d\d · nl \d\.\d\d · pt \d\.\d\d$/);
      const [, en] = await lensTitles(uri, q1Line);
      assert.match(en!, /^en \d\.\d\d · mode \d$/);
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
        'vscode.executeHoverProvider',
        uri,
        new vscode.Position(q1Line, 2),
      );
      const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
      assert.match(text, /\*\*en\*\* mean \d\.\d\d · mode \d · missMass \d\.\d{3} · logprobs · `fake-llm:latest`/);
      assert.match(text, /█/);
    });

    it('marks results stale after the item text changes', async () => {
      const editor = await vscode.window.showTextDocument(uri);
      const doc = editor.document;
      const enLine = doc
        .getText()
        .split('\n')
        .findIndex((l, i) => i > q1Line && /^\s+en:/.test(l));
      await editor.edit((b) => b.insert(doc.lineAt(enLine).range.end, ' (edited)'));
      const title = await waitFor(async () => {
        const [t] = await lensTitles(uri, q1Line);
        return t?.includes('stale') ? t : undefined;
      }, 'a stale marker');
      assert.match(title, /\$\(warning\) stale$/);
      await vscode.commands.executeCommand('workbench.action.files.revert');
    });

    it('removes lenses when valueLens.codeLens.enabled is off', async () => {
      const config = vscode.workspace.getConfiguration('valueLens');
      await config.update('codeLens.enabled', false, vscode.ConfigurationTarget.Global);
      try {
        await waitFor(async () => ((await lensTitles(uri, q1Line)).length === 0 ? true : undefined), 'lenses to disappear');
      } finally {
        await config.update('codeLens.enabled', true, vscode.ConfigurationTarget.Global);
      }
    });
  });
}
