// Entry of the alignment panel's webview (bundled to dist/webview.js as an IIFE). Inside VS Code it talks to
// the host through the typed protocol; outside (the CLI's HTML report) it reads the report from
// #vl-root[data-report] and renders read-only.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import type { AnalysisReport } from '../src/core/analysis';
import { parsePanelState } from '../src/shared/protocol';
import { parseStudyAnalysis, type ParsedStudy } from '../src/shared/study-parse';
import { PanelView } from './view';
import { connect } from './vscode-api';
import { normaliseReport } from './report';
import { loadUiStrings, t } from './l10n';

function start(): void {
  const root =
    document.getElementById('vl-root') ?? document.body.appendChild(Object.assign(document.createElement('main'), { id: 'vl-root' }));
  loadUiStrings(root);
  const api = connect();
  if (!api) {
    // Read both before the view clears the root.
    const report = readEmbeddedReport(root);
    const study = readEmbeddedStudy(root);
    const view = new PanelView(root, { readOnly: true, state: { filter: {} } });
    if (report) view.showReport(report, report.filter, null);
    if (study) view.showStudy(study);
    if (!report && !study) view.showError(t('This report contains no data (missing or unreadable data-report and data-study attributes).'));
    return;
  }
  const view = new PanelView(root, { readOnly: false, state: parsePanelState(api.getState()), api });
  window.addEventListener('message', (event: MessageEvent<unknown>) => view.onHostMessage(event.data));
  api.postMessage({ type: 'ready' });
  view.announceRestoredFilter();
}

function readEmbeddedReport(root: Element): AnalysisReport | undefined {
  const text = root.getAttribute('data-report');
  if (!text) return undefined;
  try {
    return normaliseReport(JSON.parse(text));
  } catch {
    return undefined;
  }
}

function readEmbeddedStudy(root: Element): ParsedStudy | undefined {
  const text = root.getAttribute('data-study');
  if (!text) return undefined;
  try {
    return parseStudyAnalysis(JSON.parse(text));
  } catch {
    return undefined;
  }
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start, { once: true });
else start();
