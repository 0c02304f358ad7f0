// The language-feature adapters over the pure services, through the fake `vscode` module: diagnostics with
// codes, outline, folding, completion, and quick fixes matched back to the parser's diagnostics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  FakeDocument,
  Position,
  Uri,
  diagnosticCollections,
  installFakeVscode,
  providers,
  state,
  type CodeAction,
  type CompletionItem,
  type Diagnostic,
  type DocumentSymbol,
  type FoldingRange,
} from './fake-vscode';

installFakeVscode();
const { ParsedDocuments } = require('../../../src/editor/documents') as typeof import('../../../src/editor/documents');
const { registerDiagnostics } = require('../../../src/editor/diagnostics') as typeof import('../../../src/editor/diagnostics');
const { registerLanguageFeatures } =
  require('../../../src/editor/languageFeatures') as typeof import('../../../src/editor/languageFeatures');

const TEXT = `survey "T"
languages en da

scale importance 1..4
  en: Very important | Rather important | Not very important | Not at all important
  da: Meget vigtigt | Ret vigtigt | Ikke særlig vigtigt | Slet ikke vigtigt

item Q1 "Family"
  scale: importance
  en: How important is family?
`;

test('diagnostics, outline, folding, completion and quick fixes through the adapters', () => {
  const doc = new FakeDocument(Uri.file('/ws/a.wvs'), 'wvs', TEXT);
  state.documents = [doc];
  const documents = new ParsedDocuments();
  const disposables = [registerDiagnostics(documents), registerLanguageFeatures(documents)];
  try {
    const diagnostics = diagnosticCollections.get('valueLens')!.get(doc.uri.toString()) as Diagnostic[];
    const missing = diagnostics.find((d) => String(d.code).endsWith('missing-translation'))!;
    assert.equal(missing.source, 'value-lens');
    assert.equal(missing.severity, 1);

    const symbols = (providers.get('symbols') as { provideDocumentSymbols(d: unknown): DocumentSymbol[] }).provideDocumentSymbols(doc);
    assert.deepEqual(
      symbols.map((s) => s.name),
      ['importance', 'Q1'],
    );
    assert.deepEqual(
      symbols[1]!.children.map((c) => c.name),
      ['en'],
    );

    const folds = (providers.get('folding') as { provideFoldingRanges(d: unknown): FoldingRange[] }).provideFoldingRanges(doc);
    assert.deepEqual(
      folds.map((f) => [f.start, f.end]),
      [
        [3, 5],
        [7, 9],
      ],
    );

    const completion = providers.get('completion') as { provideCompletionItems(d: unknown, p: Position): CompletionItem[] };
    doc.setText(TEXT.replace('  scale: importance', '  scale: '));
    assert.deepEqual(
      completion.provideCompletionItems(doc, new Position(8, 9)).map((c) => c.label),
      ['importance'],
    );
    doc.setText(TEXT);

    const actions = (
      providers.get('codeActions') as { provideCodeActions(d: unknown, r: unknown, c: { diagnostics: Diagnostic[] }): CodeAction[] }
    ).provideCodeActions(doc, missing.range, { diagnostics: [missing] });
    assert.equal(actions.length, 1);
    assert.equal(actions[0]!.title, "Add a 'da' translation stub");
    assert.deepEqual(
      actions[0]!.edit!.edits.map((e) => [e.range.start.line, e.newText]),
      [[9, '\n  da[mt]: TODO translate']],
    );
  } finally {
    disposables.forEach((d) => d.dispose());
  }
});

test('lens provision through the adapter for 2,000 items × 4 languages: ranges first, resolved on demand, parse cached', async () => {
  const { performance } = await import('node:perf_hooks');
  const { ResultsState } = require('../../../src/editor/resultsState') as typeof import('../../../src/editor/resultsState');
  const { registerCodeLenses } = require('../../../src/editor/codeLens') as typeof import('../../../src/editor/codeLens');
  const lines = [
    'survey "Big"',
    'languages en da nl pt',
    '',
    'scale s 1..4',
    ...['en', 'da', 'nl', 'pt'].map((l) => `  ${l}: A | B | C | D`),
    '',
  ];
  for (let i = 0; i < 2000; i++)
    lines.push(`item Q${i} "Item ${i}"`, '  scale: s', ...['en', 'da', 'nl', 'pt'].map((l) => `  ${l}: Question ${i} in ${l}?`), '');
  const doc = new FakeDocument(Uri.file('/ws/big.wvs'), 'wvs', lines.join('\n'));
  state.documents = [doc];
  const documents = new ParsedDocuments();
  const { disposable } = registerCodeLenses(documents, new ResultsState());
  try {
    const provider = state.codeLensProviders[0]!;
    const token = { isCancellationRequested: false };
    let t0 = performance.now();
    const first = provider.provideCodeLenses(doc, token);
    const withParse = performance.now() - t0;
    const times: number[] = [];
    for (let i = 0; i < 15; i++) {
      t0 = performance.now();
      provider.provideCodeLenses(doc, token);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const median = times[7]!;
    // The machine is shared: the fastest of 15 runs is the cost without preemption; the median is reported.
    const fastest = times[0]!;
    assert.ok(
      first.every((l) => l.command === undefined),
      'provide returns ranges only',
    );
    t0 = performance.now();
    const resolved = first
      .slice(0, 600)
      .map((lens) => provider.resolveCodeLens!(lens) as unknown as { spec: { kind: string }; command?: { title: string } });
    const resolve100 = ((performance.now() - t0) / 600) * 100;
    // The file's alignment lens stays empty without results; every item lens gets its titled command.
    const itemLenses = resolved.filter((lens) => lens.spec.kind !== 'alignment');
    assert.equal(itemLenses.length, 600 - 1);
    assert.ok(
      itemLenses.every((lens) => (lens.command?.title.length ?? 0) > 0),
      'every resolved item lens has a titled command',
    );
    // Score, Paraphrases and ⋯ per item, and the file lens (alignment r) once.
    assert.equal(first.length, 2000 * 3 + 1);
    // Printed for a reader, not asserted: speed targets are benchmark rows (bench/activation.ts: code lenses via the registered provider, ≤ 10 ms).
    console.log(
      `# lens provision (adapter): ${first.length} lenses; first call incl. parse ${withParse.toFixed(1)} ms; cached parse median ${median.toFixed(2)} ms, fastest ${fastest.toFixed(2)} ms; resolve ${resolve100.toFixed(2)} ms per 100 lenses`,
    );
  } finally {
    disposable.dispose();
  }
});
