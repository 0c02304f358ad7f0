// Language status items (the `{}` next to the language mode) on .wvs, .wvt and study files only: the model
// and endpoint that scoring uses (a study file: its own models), and while anything runs a busy item with a
// Stop command that cancels every run in flight (valueLens.cancelRuns).
import * as vscode from 'vscode';
import { activeEndpoint } from '../core/security/endpointSettings';
import { readEndpointConfig, readRunSettings } from './config';
import { editorModelStatus, studyModelStatus } from './languageStatusText';
import { t } from './translate';
import type { RunningBoard } from './running';

export const STATUS_SELECTOR: vscode.DocumentSelector = [{ language: 'wvs' }, { language: 'wvt' }, { pattern: '**/*.study.json' }];
const STUDY_FILE = /\.study\.json$/i;

export function registerLanguageStatus(board: RunningBoard): vscode.Disposable {
  const model = vscode.languages.createLanguageStatusItem('valueLens.model', STATUS_SELECTOR);
  model.name = vscode.l10n.t('Value Lens model');
  let running: vscode.LanguageStatusItem | undefined;

  const render = (): void => {
    const doc = vscode.window.activeTextEditor?.document;
    const study = doc && STUDY_FILE.test(doc.uri.fsPath) ? studyModelStatus(doc.getText(), t) : undefined;
    if (doc && STUDY_FILE.test(doc.uri.fsPath)) {
      model.text = study?.text ?? vscode.l10n.t('$(hubot) study models');
      model.detail = study?.detail ?? vscode.l10n.t('the study file does not parse yet');
      model.command = undefined;
      return;
    }
    const config = readEndpointConfig();
    const status = editorModelStatus(config.provider, readRunSettings().model, activeEndpoint(config), t);
    model.text = status.text;
    model.detail = status.detail;
    model.command = { title: vscode.l10n.t('Select Model'), command: 'valueLens.selectModel' };
  };

  const renderRunning = (): void => {
    const total = board.total();
    if (!total) {
      running?.dispose();
      running = undefined;
      return;
    }
    running ??= vscode.languages.createLanguageStatusItem('valueLens.running', STATUS_SELECTOR);
    running.name = vscode.l10n.t('Value Lens runs');
    running.busy = true;
    running.text = vscode.l10n.t('Scoring {0}/{1}', total.done, total.total);
    running.detail = total.failed ? vscode.l10n.t('{0} failed', total.failed) : vscode.l10n.t('{0} run(s) in progress', board.size);
    running.command = {
      title: vscode.l10n.t('Stop'),
      command: 'valueLens.cancelRuns',
      tooltip: vscode.l10n.t('Cancel every run in progress'),
    };
  };

  render();
  renderRunning();
  return vscode.Disposable.from(
    model,
    board.onDidChange(renderRunning),
    { dispose: () => running?.dispose() },
    vscode.window.onDidChangeActiveTextEditor(render),
    vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('valueLens') && render()),
    vscode.workspace.onDidSaveTextDocument((doc) => STUDY_FILE.test(doc.uri.fsPath) && render()),
  );
}
