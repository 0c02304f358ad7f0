// Problems panel: parser diagnostics for open .wvs/.wvt documents, debounced while typing.
import * as vscode from 'vscode';
import type { ParsedDocuments } from './documents';
import { toRange, toSeverity } from './convert';
import { renderMessage } from '../core/message';
import { t } from './translate';

export function registerDiagnostics(documents: ParsedDocuments, delayMs = 250): vscode.Disposable {
  const collection = vscode.languages.createDiagnosticCollection('valueLens');
  const timers = new Map<string, ReturnType<typeof setTimeout>>();

  const update = (doc: vscode.TextDocument): void => {
    const parsed = documents.get(doc);
    if (!parsed) return;
    collection.set(
      doc.uri,
      parsed.file.diagnostics.map((d) => {
        // Core keeps the message as an English template (src/core/message.ts); it is translated here, when shown.
        const diagnostic = new vscode.Diagnostic(toRange(d.range), d.text ? renderMessage(d.text, t) : d.message, toSeverity(d.severity));
        diagnostic.code = d.code;
        diagnostic.source = 'value-lens';
        return diagnostic;
      }),
    );
  };
  const schedule = (doc: vscode.TextDocument): void => {
    const key = doc.uri.toString();
    clearTimeout(timers.get(key));
    timers.set(
      key,
      setTimeout(() => (timers.delete(key), update(doc)), delayMs),
    );
  };

  vscode.workspace.textDocuments.forEach(update);
  return vscode.Disposable.from(
    collection,
    vscode.workspace.onDidOpenTextDocument(update),
    vscode.workspace.onDidChangeTextDocument((e) => schedule(e.document)),
    vscode.workspace.onDidCloseTextDocument((doc) => {
      clearTimeout(timers.get(doc.uri.toString()));
      collection.delete(doc.uri);
      documents.forget(doc.uri.toString());
    }),
    { dispose: () => timers.forEach((t) => clearTimeout(t)) },
  );
}
