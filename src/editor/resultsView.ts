// Results where the eye is: end-of-line decorations on item headers and the item hover (scale, labels,
// languages, then the distribution per language, failures since the result shown, the option-order check,
// and the first-token-vs-text flag).
import * as vscode from 'vscode';
import { cachedItemHash as itemHash } from './hashes';
import { itemAtHoverPosition, itemHoverMarkdown } from '../core/language/services';
import { decorationText, resultsHoverMarkdown } from '../core/resultText';
import type { ParsedDocuments } from './documents';
import type { ResultsState } from './resultsState';
import { SURVEY_SELECTOR } from './convert';
import type { FirstTokenTextRow } from '../core/study/analysisTypes';
import { failuresMarkdown, firstTokenMarkdown, orderCheckMarkdown } from './hoverSections';

/** Optional: the first-token-vs-text check's rows that concern an items file (from its studies' analyses). */
export type FirstTokenRows = (itemsPath: string) => readonly FirstTokenTextRow[] | undefined;

const t = (message: string, ...args: (string | number)[]): string => vscode.l10n.t(message, ...args);

export function registerResultsView(documents: ParsedDocuments, results: ResultsState, firstToken?: FirstTokenRows): vscode.Disposable {
  const decoration = vscode.window.createTextEditorDecorationType({
    after: { color: new vscode.ThemeColor('editorCodeLens.foreground'), margin: '0 0 0 1.5em', fontStyle: 'italic' },
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });

  const decorate = (editor: vscode.TextEditor): void => {
    const parsed = documents.survey(editor.document);
    if (!parsed) return;
    const uri = parsed.uri;
    const order = parsed.file.header.languages.map((l) => l.value);
    const options: vscode.DecorationOptions[] = [];
    for (const item of parsed.file.items) {
      const text = decorationText(results.view(uri, item.id, itemHash(item)), order, t);
      if (!text) continue;
      const line = item.idRange.start.line;
      const end = editor.document.lineAt(Math.min(line, editor.document.lineCount - 1)).range.end;
      options.push({ range: new vscode.Range(end, end), renderOptions: { after: { contentText: text } } });
    }
    editor.setDecorations(decoration, options);
  };
  const decorateAll = (uri?: string): void => {
    for (const editor of vscode.window.visibleTextEditors) if (!uri || editor.document.uri.toString() === uri) decorate(editor);
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  // Results arrive one record at a time during a run: redraw each file at most every 150 ms.
  const dirty = new Set<string>();
  let redraw: ReturnType<typeof setTimeout> | undefined;
  const onResults = (uri: string): void => {
    dirty.add(uri);
    redraw ??= setTimeout(() => {
      redraw = undefined;
      for (const u of dirty) decorateAll(u);
      dirty.clear();
    }, 150);
  };

  decorateAll();
  return vscode.Disposable.from(
    decoration,
    results.onDidChange(onResults),
    { dispose: () => clearTimeout(redraw) },
    vscode.window.onDidChangeVisibleTextEditors(() => decorateAll()),
    vscode.workspace.onDidChangeTextDocument((e) => {
      clearTimeout(timer);
      timer = setTimeout(() => decorateAll(e.document.uri.toString()), 200);
    }),
    { dispose: () => clearTimeout(timer) },
    vscode.languages.registerHoverProvider(SURVEY_SELECTOR, {
      provideHover: (doc, position) => {
        const parsed = documents.survey(doc);
        if (!parsed) return undefined;
        const item = itemAtHoverPosition(parsed.file, { line: position.line, character: position.character });
        if (!item) return undefined;
        const order = parsed.file.header.languages.map((l) => l.value);
        const view = results.view(parsed.uri, item.id, itemHash(item));
        const sections = [
          resultsHoverMarkdown(view, order, item.scale, t),
          failuresMarkdown(view.latest, view.failures, order, t),
          orderCheckMarkdown(view.latest, view.orders, view.currentHash, order, t),
          firstTokenMarkdown(firstToken?.(doc.uri.fsPath), item.id, t),
        ].filter(Boolean);
        const markdown = new vscode.MarkdownString(itemHoverMarkdown(item, parsed.file, sections.join('\n\n'), t));
        markdown.supportThemeIcons = true;
        return new vscode.Hover(markdown);
      },
    }),
  );
}
