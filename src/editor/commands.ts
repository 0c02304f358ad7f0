// The command palette: every `valueLens.*` command, thin wrappers over the services.
import * as vscode from 'vscode';
import { itemAt } from '../core/language/services';
import { originOf } from '../core/origin';
import type { SurveyFile } from '../core/language/ast';
import { ResultCache } from '../core/run/cache';
import type { AnalysisSources } from './analysisSources';
import type { ApiKeys } from './apiKeys';
import { readEndpointConfig } from './config';
import type { ParsedDocuments } from './documents';
import type { ModelPicker } from './models';
import type { ResultsState } from './resultsState';
import type { Scoring } from './scoring';

export interface CommandDeps {
  context: vscode.ExtensionContext;
  documents: ParsedDocuments;
  results: ResultsState;
  scoring: Scoring;
  models: ModelPicker;
  apiKeys: ApiKeys;
  sources: AnalysisSources;
  log: vscode.LogOutputChannel;
  openPanel(): void;
  refreshPanel(): void;
  /** The human reference data (humanData.ts): "Load Human Reference Data…" is its choose(). */
  humanData?: { choose(): Promise<void> };
  /** Cancels the study runs in flight; returns how many. */
  cancelStudies?(): number;
}

function activeSurvey(documents: ParsedDocuments): { editor: vscode.TextEditor; file: SurveyFile } | undefined {
  const editor = vscode.window.activeTextEditor;
  const parsed = editor ? documents.survey(editor.document) : undefined;
  if (!editor || !parsed) {
    void vscode.window.showWarningMessage(vscode.l10n.t('Value Lens: open a .wvs item file first.'));
    return undefined;
  }
  return { editor, file: parsed.file };
}

/** Opens the .wvs file declaring the item and puts the cursor on its header (the panel's "open item"). */
export async function revealItem(sources: AnalysisSources, itemId: string): Promise<void> {
  const at = sources.locate(itemId);
  if (!at) return;
  const editor = await vscode.window.showTextDocument(vscode.Uri.parse(at.uri));
  const position = new vscode.Position(at.line, 0);
  editor.selection = new vscode.Selection(position, position);
  editor.revealRange(new vscode.Range(position, position), vscode.TextEditorRevealType.InCenter);
}

export function registerCommands(deps: CommandDeps): vscode.Disposable {
  const { documents, scoring, results } = deps;
  const register = (id: string, fn: (...args: never[]) => unknown) =>
    vscode.commands.registerCommand(`valueLens.${id}`, fn as (...args: unknown[]) => unknown);
  const uriOrActive = (uri?: vscode.Uri): vscode.Uri | undefined =>
    uri instanceof vscode.Uri ? uri : vscode.window.activeTextEditor?.document.uri;

  return vscode.Disposable.from(
    register('scoreItem', async (uri?: vscode.Uri, itemId?: string, languages?: string[]) => {
      if (!(uri instanceof vscode.Uri) || !itemId) {
        const active = activeSurvey(documents);
        const item =
          active && itemAt(active.file, { line: active.editor.selection.active.line, character: active.editor.selection.active.character });
        if (!active || !item)
          return void (active && vscode.window.showWarningMessage(vscode.l10n.t('Value Lens: put the cursor in an item.')));
        return scoring.score({ uri: active.editor.document.uri, itemIds: [item.id] });
      }
      return scoring.score({ uri, itemIds: [itemId], languages: Array.isArray(languages) ? languages : undefined });
    }),
    register('scoreFile', (uri?: vscode.Uri) => {
      // From the walkthrough (a webview editor) or the panel there is no active text editor: the visible
      // .wvs editor is the file the user means, else the .wvs document opened last (the walkthrough's example).
      const active = vscode.window.activeTextEditor?.document;
      const openSurveys = vscode.workspace.textDocuments.filter((d) => d.languageId === 'wvs' && d.uri.scheme === 'file');
      const target =
        uri instanceof vscode.Uri
          ? uri
          : active?.languageId === 'wvs'
            ? active.uri
            : (vscode.window.visibleTextEditors.find((e) => e.document.languageId === 'wvs')?.document.uri ?? openSurveys.at(-1)?.uri);
      if (!target) return void vscode.window.showWarningMessage(vscode.l10n.t('Value Lens: open a .wvs item file first.'));
      return scoring.score({ uri: target });
    }),
    register('scoreSelection', () => {
      const active = activeSurvey(documents);
      if (!active) return undefined;
      const ids = active.file.items
        .filter((item) => active.editor.selections.some((s) => s.start.line <= item.range.end.line && s.end.line >= item.range.start.line))
        .map((i) => i.id);
      if (ids.length === 0) return void vscode.window.showWarningMessage(vscode.l10n.t('Value Lens: the selection contains no item.'));
      return scoring.score({ uri: active.editor.document.uri, itemIds: ids });
    }),
    register('scoreParaphrases', async (uri?: vscode.Uri, itemId?: string) => {
      if (uri instanceof vscode.Uri && itemId) return scoring.score({ uri, itemIds: [itemId], paraphrases: 'all' });
      const active = activeSurvey(documents);
      const item =
        active && itemAt(active.file, { line: active.editor.selection.active.line, character: active.editor.selection.active.character });
      return active && item ? scoring.score({ uri: active.editor.document.uri, itemIds: [item.id], paraphrases: 'all' }) : undefined;
    }),
    register('tryTemplateOnItem', async (templateUri?: vscode.Uri, target?: string, targetKind?: 'template' | 'paraphrases') => {
      const wvtUri = uriOrActive(templateUri);
      let name = target;
      let paraphrases: 'none' | 'all' = 'none';
      if (wvtUri && targetKind === 'paraphrases' && target) {
        const parsed = documents.get(await vscode.workspace.openTextDocument(wvtUri));
        const set = parsed?.file.kind === 'templates' ? parsed.file.paraphraseSets.find((s) => s.name === target) : undefined;
        name = set?.templateName ?? target;
        paraphrases = 'all';
      }
      const picks: (vscode.QuickPickItem & { uri: vscode.Uri; id: string })[] = [];
      for (const uri of await vscode.workspace.findFiles('**/*.wvs', '**/node_modules/**', 50)) {
        const parsed = documents.survey(await vscode.workspace.openTextDocument(uri));
        for (const item of parsed?.file.items ?? []) {
          picks.push({ label: item.id, description: item.title?.value, detail: vscode.workspace.asRelativePath(uri), uri, id: item.id });
        }
      }
      if (picks.length === 0) return void vscode.window.showWarningMessage(vscode.l10n.t('Value Lens: no .wvs items in this workspace.'));
      const pick = await vscode.window.showQuickPick(picks, {
        title: name ? vscode.l10n.t('Try {0} on item…', name) : vscode.l10n.t('Try the template on item…'),
        matchOnDescription: true,
      });
      if (!pick) return undefined;
      return scoring.score({ uri: pick.uri, itemIds: [pick.id], template: name, templateUri: wvtUri, paraphrases });
    }),
    register('cancelRuns', () => {
      const n = scoring.cancelAll() + (deps.cancelStudies?.() ?? 0);
      if (n === 0) void vscode.window.showInformationMessage(vscode.l10n.t('Value Lens: no run in progress.'));
    }),
    register('clearCache', async () => {
      const ok = await vscode.window.showWarningMessage(
        vscode.l10n.t('Clear the Value Lens response cache? Scoring will ask the model again.'),
        { modal: true },
        vscode.l10n.t('Clear Cache'),
      );
      if (ok !== vscode.l10n.t('Clear Cache')) return;
      await new ResultCache(scoring.cacheDir).clear();
      void vscode.window.showInformationMessage(vscode.l10n.t('Value Lens: response cache cleared.'));
    }),
    register('clearResults', () => results.clear()),
    register('showLog', () => deps.log.show(true)),
    register('openPanel', () => deps.openPanel()),
    register('selectModel', () => deps.models.select()),
    register('setApiKey', async () => {
      const endpoint = readEndpointConfig().openaiBaseUrl;
      const origin = originOf(endpoint)!;
      const key = await vscode.window.showInputBox({
        title: vscode.l10n.t('Value Lens: API key for {0}', origin),
        prompt: vscode.l10n.t(
          "Stored in VS Code's secret storage and sent only to {0} (change the endpoint in your user settings: valueLens.openai.baseUrl).",
          origin,
        ),
        password: true,
        ignoreFocusOut: true,
        validateInput: (v) => (v.trim() ? undefined : 'Enter a key'),
      });
      if (!key) return;
      await deps.apiKeys.set(endpoint, key);
      void vscode.window.showInformationMessage(vscode.l10n.t('Value Lens: API key saved for {0}.', origin));
    }),
    register('clearApiKey', async () => {
      const endpoint = readEndpointConfig().openaiBaseUrl;
      await deps.apiKeys.clear(endpoint);
      void vscode.window.showInformationMessage(vscode.l10n.t('Value Lens: API key for {0} removed.', String(originOf(endpoint))));
    }),
    // The setting valueLens.humanData is the one source of truth (humanData.ts): the command writes it.
    register('loadHumanData', () => deps.humanData?.choose()),
  );
}
