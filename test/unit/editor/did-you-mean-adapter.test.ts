// Issue 19: the "did you mean" quick fixes reach the editor. The code-action adapter matches each Problems
// entry back to the parser's diagnostic (which carries the suggestion) and offers the replacement as the
// preferred fix; applying its edit removes the diagnostic. Through the fake `vscode` module.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  FakeDocument,
  Uri,
  diagnosticCollections,
  installFakeVscode,
  providers,
  state,
  type CodeAction,
  type Diagnostic,
} from './fake-vscode';

installFakeVscode();
const { ParsedDocuments } = require('../../../src/editor/documents') as typeof import('../../../src/editor/documents');
const { registerDiagnostics } = require('../../../src/editor/diagnostics') as typeof import('../../../src/editor/diagnostics');
const { registerLanguageFeatures } =
  require('../../../src/editor/languageFeatures') as typeof import('../../../src/editor/languageFeatures');

const SURVEY = `languages en da
scale agree 1..2
  en: Agree | Disagree
  da: Enig | Uenig

item Q1
  scale: agre
  en: Is family important?
  dk: Er familien vigtig?
`;

const TEMPLATES = `languages en
template direct
  en: {question} {optoins}
`;

type Provider = { provideCodeActions(d: unknown, r: unknown, c: { diagnostics: Diagnostic[] }): CodeAction[] };

/** Applies single-line edits to the text (the fixes here are all on one line). */
function apply(text: string, action: CodeAction): string {
  const lines = text.split('\n');
  for (const e of action.edit!.edits) {
    const line = lines[e.range.start.line]!;
    lines[e.range.start.line] = line.slice(0, e.range.start.character) + e.newText + line.slice(e.range.end.character);
  }
  return lines.join('\n');
}

function fixesFor(doc: FakeDocument, code: string): { diagnostic: Diagnostic; actions: CodeAction[] } {
  const documents = new ParsedDocuments();
  state.documents = [doc];
  const disposables = [registerDiagnostics(documents), registerLanguageFeatures(documents)];
  try {
    const diagnostics = diagnosticCollections.get('valueLens')!.get(doc.uri.toString()) as Diagnostic[];
    const diagnostic = diagnostics.find((d) => d.code === code);
    assert.ok(diagnostic, `no ${code} among ${diagnostics.map((d) => d.code).join(', ')}`);
    return {
      diagnostic,
      actions: (providers.get('codeActions') as Provider).provideCodeActions(doc, diagnostic.range, { diagnostics: [diagnostic] }),
    };
  } finally {
    disposables.forEach((d) => d.dispose());
  }
}

test('unknown scale: the preferred fix names the declared scale, and the fixed file has no such problem', () => {
  const doc = new FakeDocument(Uri.file('/ws/a.wvs'), 'wvs', SURVEY);
  const { diagnostic, actions } = fixesFor(doc, 'wvs/unknown-scale');
  assert.equal(actions[0]!.title, "Change to scale 'agree'");
  assert.equal(actions[0]!.isPreferred, true);
  assert.deepEqual(actions[0]!.diagnostics, [diagnostic]);
  const fixed = apply(SURVEY, actions[0]!);
  assert.match(fixed, /^ {2}scale: agree$/m);
  const again = new FakeDocument(Uri.file('/ws/b.wvs'), 'wvs', fixed);
  state.documents = [again];
  const documents = new ParsedDocuments();
  assert.ok(!documents.get(again)!.file.diagnostics.some((d) => d.code === 'wvs/unknown-scale'));
});

test('undeclared language tag: change dk to da (preferred) or declare it', () => {
  const doc = new FakeDocument(Uri.file('/ws/c.wvs'), 'wvs', SURVEY);
  const { actions } = fixesFor(doc, 'wvs/undeclared-language');
  assert.deepEqual(
    actions.map((a) => a.title),
    ["Change 'dk' to 'da'", "Declare 'dk' in the languages header"],
  );
  assert.match(apply(SURVEY, actions[0]!), /^ {2}da: Er familien vigtig\?$/m);
  assert.match(apply(SURVEY, actions[1]!), /^languages en da dk$/m);
});

test('unknown slot in a template: change to the known slot', () => {
  const doc = new FakeDocument(Uri.file('/ws/t.wvt'), 'wvt', TEMPLATES);
  const { actions } = fixesFor(doc, 'wvt/unknown-slot');
  assert.equal(actions[0]!.title, 'Change to {options}');
  assert.match(apply(TEMPLATES, actions[0]!), /\{question\} \{options\}/);
});

test('a diagnostic the parser did not produce (moved range) gets no fix: nothing is guessed', () => {
  const doc = new FakeDocument(Uri.file('/ws/d.wvs'), 'wvs', SURVEY);
  const { diagnostic } = fixesFor(doc, 'wvs/unknown-scale');
  const documents = new ParsedDocuments();
  const disposables = [registerLanguageFeatures(documents)];
  try {
    const { Range, Diagnostic: D } = require('./fake-vscode') as typeof import('./fake-vscode');
    const moved = new D(new Range(0, 0, 0, 3), diagnostic.message, diagnostic.severity);
    moved.code = diagnostic.code;
    moved.source = 'value-lens';
    assert.deepEqual((providers.get('codeActions') as Provider).provideCodeActions(doc, moved.range, { diagnostics: [moved] }), []);
  } finally {
    disposables.forEach((d) => d.dispose());
  }
});
