// Outline, folding, completion and quick fixes: thin adapters over the pure language services.
import * as vscode from 'vscode';
import {
  documentSymbols,
  foldingRanges,
  quickFixes,
  surveyCompletions,
  templateCompletions,
  type CompletionKind,
  type SymbolKind,
  type SymbolNode,
} from '../core/language/services';
import type { ParsedDocuments } from './documents';
import { SELECTOR, toRange } from './convert';
import { t } from './translate';

const SYMBOL_KINDS: Record<SymbolKind, vscode.SymbolKind> = {
  survey: vscode.SymbolKind.File,
  scale: vscode.SymbolKind.Enum,
  item: vscode.SymbolKind.Object,
  template: vscode.SymbolKind.Class,
  paraphrases: vscode.SymbolKind.Array,
  text: vscode.SymbolKind.String,
  variant: vscode.SymbolKind.String,
};

const COMPLETION_KINDS: Record<CompletionKind, vscode.CompletionItemKind> = {
  keyword: vscode.CompletionItemKind.Keyword,
  property: vscode.CompletionItemKind.Property,
  language: vscode.CompletionItemKind.Value,
  scale: vscode.CompletionItemKind.Enum,
  slot: vscode.CompletionItemKind.Variable,
  category: vscode.CompletionItemKind.Constant,
  template: vscode.CompletionItemKind.Class,
};

function toSymbol(node: SymbolNode): vscode.DocumentSymbol {
  const symbol = new vscode.DocumentSymbol(
    node.name || '(unnamed)',
    node.detail,
    SYMBOL_KINDS[node.kind],
    toRange(node.range),
    toRange(node.selectionRange),
  );
  symbol.children = node.children.map(toSymbol);
  return symbol;
}

export function registerLanguageFeatures(documents: ParsedDocuments): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.languages.registerDocumentSymbolProvider(SELECTOR, {
      provideDocumentSymbols: (doc) => {
        const parsed = documents.get(doc);
        return parsed ? documentSymbols(parsed.file).map(toSymbol) : [];
      },
    }),
    vscode.languages.registerFoldingRangeProvider(SELECTOR, {
      provideFoldingRanges: (doc) => {
        const parsed = documents.get(doc);
        return parsed ? foldingRanges(parsed.file).map((r) => new vscode.FoldingRange(r.start, r.end, vscode.FoldingRangeKind.Region)) : [];
      },
    }),
    vscode.languages.registerCompletionItemProvider(
      SELECTOR,
      {
        provideCompletionItems: (doc, position) => {
          const parsed = documents.get(doc);
          if (!parsed) return [];
          const pos = { line: position.line, character: position.character };
          const entries =
            parsed.file.kind === 'survey'
              ? surveyCompletions(parsed.text, pos, parsed.file)
              : templateCompletions(parsed.text, pos, parsed.file);
          return entries.map((e) => {
            const item = new vscode.CompletionItem(e.label, COMPLETION_KINDS[e.kind]);
            if (e.insertText !== undefined) item.insertText = e.insertText;
            if (e.detail) item.detail = e.detail;
            return item;
          });
        },
      },
      // `{` opens a slot; a space after `scale:`, `category:` or `languages` opens their values.
      '{',
      ' ',
    ),
    vscode.languages.registerCodeActionsProvider(
      SELECTOR,
      {
        provideCodeActions: (doc, _range, context) => {
          const parsed = documents.get(doc);
          if (!parsed) return [];
          const actions: vscode.CodeAction[] = [];
          for (const diagnostic of context.diagnostics) {
            if (diagnostic.source !== 'value-lens') continue;
            // The AST diagnostic carries `data` (e.g. the missing language) that vscode.Diagnostic drops.
            const source = parsed.file.diagnostics.find((d) => d.code === diagnostic.code && toRange(d.range).isEqual(diagnostic.range));
            if (!source) continue;
            for (const fix of quickFixes(parsed.text, parsed.file, source, t)) {
              const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
              action.diagnostics = [diagnostic];
              action.isPreferred = fix.preferred;
              action.edit = new vscode.WorkspaceEdit();
              for (const edit of fix.edits) action.edit.replace(doc.uri, toRange(edit.range), edit.newText);
              actions.push(action);
            }
          }
          return actions;
        },
      },
      { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] },
    ),
  );
}
