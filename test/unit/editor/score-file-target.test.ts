// Issue 19 (found by the walkthrough scenario): "Score File" from the walkthrough, where the active editor
// is a webview and not a text editor, scores the visible .wvs file instead of doing nothing; with no .wvs
// file visible it says what to open.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeDocument, Uri, installFakeVscode, registeredCommands, state, window } from './fake-vscode';

installFakeVscode();
const { registerCommands } = require('../../../src/editor/commands') as typeof import('../../../src/editor/commands');

test('Score File without an active text editor scores the visible .wvs editor, or warns', async () => {
  state.reset();
  const calls: { uri: unknown }[] = [];
  const disposable = registerCommands({ scoring: { score: async (r: { uri: unknown }) => void calls.push(r) } } as never);
  try {
    const wvs = Uri.file('/ws/items.wvs');
    window.visibleTextEditors = [
      { document: new FakeDocument(Uri.file('/ws/prompts.wvt'), 'wvt', '') },
      { document: new FakeDocument(wvs, 'wvs', '') },
    ];
    await registeredCommands.get('valueLens.scoreFile')!();
    assert.equal(calls.length, 1);
    assert.equal(String(calls[0]!.uri), String(wvs));
    window.visibleTextEditors = [];
    // Not visible (the walkthrough covers it) but open: the .wvs document opened last.
    const hidden = Uri.file('/ws/example.wvs');
    state.documents = [new FakeDocument(hidden, 'wvs', '')];
    await registeredCommands.get('valueLens.scoreFile')!();
    assert.equal(calls.length, 2);
    assert.equal(String(calls[1]!.uri), String(hidden));
    state.documents = [];
    await registeredCommands.get('valueLens.scoreFile')!();
    assert.equal(calls.length, 2);
    assert.ok(
      state.messages.some((m) => /open a \.wvs item file first/.test(m.text)),
      JSON.stringify(state.messages),
    );
  } finally {
    window.visibleTextEditors = [];
    disposable.dispose();
  }
});
