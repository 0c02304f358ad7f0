// One place keeps the editor summary (alignment r per language for the file lens, self-consistency for the
// hover) current: it is recomputed whenever records, surveys or human data change, or the model, template
// or countries settings do — debounced, since a run adds one record per request. Before, it was set in three
// places at moments when the surveys or the human data might not be read yet, so after a window reload the
// r was computed from nothing and disappeared (issue 19).
import * as vscode from 'vscode';
import type { AnalysisSources } from './analysisSources';
import { readRunSettings } from './config';
import type { ResultsState } from './resultsState';

const SETTINGS = ['valueLens.model', 'valueLens.template', 'valueLens.languageCountries'];

export function registerSummaryRefresh(
  sources: AnalysisSources,
  results: ResultsState,
  delayMs = 300,
): vscode.Disposable & { flush(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const compute = (): void => {
    clearTimeout(timer);
    timer = undefined;
    // During a run every record changes the sources: analyse once the runs are done, not per record.
    if (results.isRunning()) {
      timer = setTimeout(compute, delayMs);
      return;
    }
    const settings = readRunSettings();
    results.setSummary(
      settings.model
        ? sources.editorSummary(settings.model, settings.template, settings.languageCountries)
        : { alignment: {}, consistency: {} },
    );
  };
  const schedule = (): void => {
    timer ??= setTimeout(compute, delayMs);
  };
  const subscriptions = [
    sources.onDidChange(schedule),
    vscode.workspace.onDidChangeConfiguration((e) => SETTINGS.some((key) => e.affectsConfiguration(key)) && schedule()),
  ];
  schedule();
  return {
    flush: compute,
    dispose: () => {
      clearTimeout(timer);
      for (const s of subscriptions) s.dispose();
    },
  };
}
