// Preview documents of the authoring flows (what the model proposed, before it is inserted): read-only
// virtual documents of their own scheme, so the tab has a readable title ("Paraphrases of direct (da).wvt"),
// closing never asks to save, and no Score lens, hover or Problems entry is made for them (ParsedDocuments
// skips previews). "Edit a copy first" opens the same text as an untitled document for hand edits; that
// copy is a preview too (its first line says so) and gets the same treatment.
import * as vscode from 'vscode';

import { PREVIEW_SCHEME } from '../documents';

export { PREVIEW_SCHEME };

/** File-name-safe title: no path separators or characters a tab title should not carry. */
export function previewFileName(title: string, language: 'wvt' | 'wvs'): string {
  return `${
    title
      .replace(/[\\/:*?"<>|\r\n]+/g, ' ')
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, 80) || 'Preview'
  }.${language}`;
}

export class PreviewDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly contents = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private counter = 0;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? '';
  }

  /** Opens `content` read-only beside the editor, titled `title`; returns its URI. */
  async open(content: string, language: 'wvt' | 'wvs', title: string): Promise<vscode.Uri> {
    // The query keeps two previews with one title apart; the tab shows the path's base name only.
    const uri = vscode.Uri.from({ scheme: PREVIEW_SCHEME, path: `/${previewFileName(title, language)}`, query: `n=${++this.counter}` });
    this.contents.set(uri.toString(), content);
    let doc = await vscode.workspace.openTextDocument(uri);
    if (doc.languageId !== language) doc = await vscode.languages.setTextDocumentLanguage(doc, language);
    await vscode.window.showTextDocument(doc, { preview: false, viewColumn: vscode.ViewColumn.Beside });
    return uri;
  }

  /** Drops a closed preview's text. */
  forget(uri: vscode.Uri): void {
    this.contents.delete(uri.toString());
  }

  dispose(): void {
    this.contents.clear();
    this.changed.dispose();
  }
}

/** The content provider, the forgetting on close, and the store the flows open previews in. */
export function registerPreviews(): { previews: PreviewDocuments; disposable: vscode.Disposable } {
  const previews = new PreviewDocuments();
  return {
    previews,
    disposable: vscode.Disposable.from(
      previews,
      vscode.workspace.registerTextDocumentContentProvider(PREVIEW_SCHEME, previews),
      vscode.workspace.onDidCloseTextDocument((doc) => doc.uri.scheme === PREVIEW_SCHEME && previews.forget(doc.uri)),
    ),
  };
}
