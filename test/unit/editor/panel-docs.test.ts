// Issue 19: docs/panel.md said the panel opens "from the status bar or from a code lens"; the status bar item
// picks the model and no lens opened the panel. Each way to open it that the page names is checked against
// the extension: the command, the editor title button, the lens (the real provider, resolved), and the status
// bar item (the real model picker's) is named only to say it does not open the panel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { FakeDocument, Uri, installFakeVscode, state, type CodeLens } from './fake-vscode';
import { nullLogger } from '../../../src/core/log';

installFakeVscode();
const { ParsedDocuments } = require('../../../src/editor/documents') as typeof import('../../../src/editor/documents');
const { ResultsState } = require('../../../src/editor/resultsState') as typeof import('../../../src/editor/resultsState');
const { registerCodeLenses } = require('../../../src/editor/codeLens') as typeof import('../../../src/editor/codeLens');
const { ModelPicker } = require('../../../src/editor/models') as typeof import('../../../src/editor/models');
const { ApiKeys } = require('../../../src/editor/apiKeys') as typeof import('../../../src/editor/apiKeys');

/** The paragraph of docs/panel.md that says how the panel is opened. */
const paragraph =
  readFileSync('docs/panel.md', 'utf8')
    .split(/\n\s*\n/)
    .find((p) => /Open it (with|from)/.test(p)) ?? '';
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
  contributes: { commands: { command: string }[]; menus: Record<string, { command: string }[]> };
};

/** Commands of the lenses the real provider gives an items file that has an analysis with r. */
function lensCommands(): string[] {
  state.reset();
  state.codeLensProviders.length = 0;
  const text = readFileSync('examples/wvs7-sample.wvs', 'utf8');
  state.documents = [new FakeDocument(Uri.file('/ws/wvs7-sample.wvs'), 'wvs', text)];
  const results = new ResultsState();
  results.setSummary({ alignment: { en: 0.41, da: 0.12, nl: 0.3, pt: 0.2 }, consistency: {} });
  const lenses = registerCodeLenses(new ParsedDocuments(), results);
  try {
    return state.codeLensProviders.flatMap((provider) =>
      provider
        .provideCodeLenses(state.documents[0], { isCancellationRequested: false })
        .map((lens) => ((provider.resolveCodeLens ? provider.resolveCodeLens(lens) : lens) as CodeLens).command?.command ?? ''),
    );
  } finally {
    lenses.disposable.dispose();
  }
}

test('docs/panel.md: every way it names to open the panel exists; the status bar is not one of them', () => {
  assert.match(paragraph, /`valueLens\.openPanel`/, 'the paragraph was found and names the command');
  assert.ok(pkg.contributes.commands.some((c) => c.command === 'valueLens.openPanel'));
  if (/title bar/.test(paragraph))
    assert.ok(
      (pkg.contributes.menus['editor/title'] ?? []).some((m) => m.command === 'valueLens.openPanel'),
      'editor title button',
    );
  if (/\blens\b/.test(paragraph)) assert.ok(lensCommands().includes('valueLens.openPanel'), 'a lens that opens the panel');
  // The status bar: what its item really runs, from the real model picker.
  state.statusBarItems.length = 0;
  const picker = new ModelPicker(
    new ApiKeys({ get: async () => undefined, store: async () => undefined, delete: async () => undefined }),
    nullLogger,
  );
  const commands = state.statusBarItems.map((item) => (item as unknown as { command: string }).command);
  picker.dispose();
  assert.ok(commands.length > 0, 'the model picker has a status bar item');
  if (!commands.includes('valueLens.openPanel')) {
    for (const clause of paragraph.replace(/\n/g, ' ').split(/[,()]|\bor\b/)) {
      if (/status bar/.test(clause))
        assert.match(clause, /not open/, `docs/panel.md names the status bar as a way to open the panel: "${clause.trim()}"`);
    }
  }
});
