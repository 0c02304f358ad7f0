// The alignment panel's `vscode` adapter: one panel per workspace, restored after reloads by a serializer,
// locked down (CSP by nonce, local resources from dist/ and media/ only, no forms). Behaviour lives in
// ./session (testable without VS Code); this file only creates, wires and disposes.
import * as vscode from 'vscode';
import type { StudyAnalysis } from '../core/study/analysisTypes';
import { parsePanelState, type PanelState } from '../shared/protocol';
import { createNonce, renderPanelHtml } from './html';
import { PanelSession, type PanelDeps } from './session';

export const PANEL_VIEW_TYPE = 'valueLens.alignment';
const TITLE = (): string => vscode.l10n.t('Value Lens: Alignment');

export type { PanelDeps } from './session';

export interface AlignmentPanel {
  show(): void;
  /** New results or progress; throttled to at most 4 updates per second, the last one always arrives. */
  refresh(): void;
  /**
   * Shows a study's analysis in the study views (null removes them). Kept for a panel opened or restored
   * later; the webview gets it again after every reload.
   */
  showStudy(analysis: StudyAnalysis | null): void;
  dispose(): void;
}

function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return {
    enableScripts: true,
    enableForms: false,
    enableCommandUris: false,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

export function registerAlignmentPanel(context: vscode.ExtensionContext, deps: PanelDeps): AlignmentPanel {
  let current: { panel: vscode.WebviewPanel; session: PanelSession } | undefined;
  let latestStudy: StudyAnalysis | null | undefined;

  const saveFile = async (suggestedName: string, data: Uint8Array, kind: 'csv' | 'png'): Promise<string | undefined> => {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const uri = await vscode.window.showSaveDialog({
      defaultUri: folder ? vscode.Uri.joinPath(folder, suggestedName) : undefined,
      filters: kind === 'csv' ? { CSV: ['csv'] } : { PNG: ['png'] },
      saveLabel: kind === 'csv' ? 'Export CSV' : 'Export PNG',
    });
    if (!uri) return undefined;
    await vscode.workspace.fs.writeFile(uri, data);
    return uri.scheme === 'file' ? uri.fsPath : uri.toString();
  };

  const attach = (panel: vscode.WebviewPanel, state: PanelState): void => {
    // Reset options on restore too, so localResourceRoots point at this install's folders.
    panel.webview.options = webviewOptions(context.extensionUri);
    panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'panel-icon.svg');
    const session = new PanelSession(deps, { post: (message) => panel.webview.postMessage(message), saveFile }, state);
    if (latestStudy !== undefined) session.showStudy(latestStudy);
    const asset = (...path: string[]) => panel.webview.asWebviewUri(vscode.Uri.joinPath(context.extensionUri, ...path)).toString();
    panel.webview.html = renderPanelHtml({
      cspSource: panel.webview.cspSource,
      nonce: createNonce(),
      scriptUri: asset('dist', 'webview.js'),
      styleUri: asset('media', 'panel.css'),
      title: TITLE(),
      // The webview cannot call vscode.l10n: it gets the loaded bundle (undefined in English) and looks its texts up.
      ...(vscode.l10n.bundle ? { uiStringsJson: JSON.stringify(vscode.l10n.bundle) } : {}),
      lang: vscode.env.language,
    });
    const subscriptions = [
      panel.webview.onDidReceiveMessage((message: unknown) => void session.handleMessage(message)),
      panel.onDidDispose(() => {
        session.dispose();
        for (const d of subscriptions) d.dispose();
        if (current?.panel === panel) current = undefined;
      }),
    ];
    current = { panel, session };
  };

  const serializer = vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
    async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
      if (current) {
        // One panel per workspace: a second restored copy is closed.
        panel.dispose();
        return;
      }
      attach(panel, parsePanelState(state));
    },
  });

  const api: AlignmentPanel = {
    show() {
      if (current) {
        current.panel.reveal(undefined, false);
        return;
      }
      const panel = vscode.window.createWebviewPanel(
        PANEL_VIEW_TYPE,
        TITLE(),
        vscode.ViewColumn.Beside,
        webviewOptions(context.extensionUri),
      );
      attach(panel, { filter: {} });
    },
    refresh() {
      // A hidden webview is torn down (no retainContextWhenHidden) and asks again with `ready` when shown,
      // so computing reports for it meanwhile would be wasted work.
      if (current?.panel.visible) current.session.refresh();
    },
    showStudy(analysis) {
      latestStudy = analysis;
      current?.session.showStudy(analysis);
    },
    dispose() {
      serializer.dispose();
      current?.panel.dispose();
      current = undefined;
    },
  };
  context.subscriptions.push({ dispose: () => api.dispose() });
  return api;
}
