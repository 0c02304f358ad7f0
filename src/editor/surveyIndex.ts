// Keeps the analysis sources' item list current: every .wvs file of the workspace (read, not opened), then
// each .wvs document as it is opened or saved. The panel and the `r` in lenses need the items' scales.
import * as vscode from 'vscode';
import { parseSurvey } from '../core/language';
import type { AnalysisSources } from './analysisSources';
import type { ParsedDocuments } from './documents';

export function registerSurveyIndex(documents: ParsedDocuments, sources: AnalysisSources, onChange: () => void): vscode.Disposable {
  const fromDocument = (doc: vscode.TextDocument): void => {
    const parsed = documents.survey(doc);
    if (!parsed) return;
    sources.setSurvey(parsed.uri, parsed.file);
    onChange();
  };
  void (async () => {
    const decoder = new TextDecoder();
    for (const uri of await vscode.workspace.findFiles('**/*.wvs', '**/node_modules/**', 200)) {
      const text = decoder.decode(await vscode.workspace.fs.readFile(uri));
      sources.setSurvey(uri.toString(), parseSurvey(text));
    }
    vscode.workspace.textDocuments.forEach(fromDocument);
  })().catch(() => undefined);
  return vscode.Disposable.from(vscode.workspace.onDidOpenTextDocument(fromDocument), vscode.workspace.onDidSaveTextDocument(fromDocument));
}
