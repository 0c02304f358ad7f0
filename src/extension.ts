// Composition root: build the services, register everything, push every disposable. Nothing else lives here.
import { join } from 'node:path';
import * as vscode from 'vscode';
import { redactingLogger } from './core/log';
import { registerAlignmentPanel } from './panel';
import { toCsv } from './core/data';
import { AnalysisSources } from './editor/analysisSources';
import { ApiKeys } from './editor/apiKeys';
import { registerAuthoring } from './editor/authoring';
import { registerCodeLenses, type EditorLensContributor } from './editor/codeLens';
import { registerCommands, revealItem } from './editor/commands';
import { registerHumanData } from './editor/humanData';
import { registerSummaryRefresh } from './editor/summaryRefresh';
import { readRunSettings } from './editor/config';
import { registerDiagnostics } from './editor/diagnostics';
import { ParsedDocuments } from './editor/documents';
import { registerLanguageFeatures } from './editor/languageFeatures';
import { ModelPicker } from './editor/models';
import { ResultsState } from './editor/resultsState';
import { registerResultsView } from './editor/resultsView';
import { Scoring } from './editor/scoring';
import { registerSurveyIndex } from './editor/surveyIndex';
import { RunningBoard, registerRunningContext } from './editor/running';
import { registerLanguageStatus } from './editor/languageStatus';
import { registerResultsTree } from './editor/resultsTree';
import { registerWalkthrough } from './editor/walkthrough';
import { hostRuntime, installCliShims, registerTasks } from './editor/tasks';
import { StudyResultsIndex } from './editor/studyResults';
import { registerStudies } from './editor/studies';

/** What other parts (and tests) may use after activation. */
export interface ValueLensApi {
  /** Extension point: add lenses (e.g. "Generate paraphrases"). */
  addLensContributor(contributor: EditorLensContributor): vscode.Disposable;
  results: ResultsState;
}

export async function activate(context: vscode.ExtensionContext): Promise<ValueLensApi> {
  const log = vscode.window.createOutputChannel('Value Lens', { log: true });
  context.subscriptions.push(log);
  const logger = redactingLogger(log);
  try {
    const storageDir = context.globalStorageUri.fsPath;
    const documents = new ParsedDocuments();
    // Results come from the workspace's corpora (editor/workspaceCorpora.ts), read at activation; nothing
    // is kept in global storage or workspaceState any more.
    const results = new ResultsState();
    flushResults = () => results.flush();
    const apiKeys = new ApiKeys(context.secrets);
    const sources = new AnalysisSources(join(storageDir, 'runs'), logger);
    const models = new ModelPicker(apiKeys, logger);
    const board = new RunningBoard();
    const studyIndex = new StudyResultsIndex();
    const cli = hostRuntime(context.extensionPath);
    // `value-lens` in the integrated terminal (the bundled CLI); a failure only costs the shim.
    void installCliShims(join(storageDir, 'bin'), cli, context.environmentVariableCollection).catch((e: unknown) =>
      logger.warn(`CLI shim not installed: ${String(e)}`),
    );
    const toolVersion = String((context.extension?.packageJSON as { version?: string } | undefined)?.version ?? 'unknown');
    let latestStudy: () => ReturnType<typeof studies.commands.latestAnalysis> = () => undefined;
    const panel = registerAlignmentPanel(context, {
      loadStudy: () => latestStudy(),
      computeReport: (filter) => sources.report(filter, readRunSettings().languageCountries),
      logger,
      getProgress: () => board.total(),
      openItem: (itemId) => revealItem(sources, itemId),
      toCsv,
    });
    const scoring = new Scoring({
      storageDir,
      documents,
      results,
      sources,
      apiKeys,
      models,
      logger,
      onRecords: () => panel.refresh(),
      progress: board,
      toolVersion,
    });
    const studies = registerStudies({
      context,
      documents,
      results,
      sources,
      scoring,
      apiKeys,
      logger,
      board,
      index: studyIndex,
      toolVersion,
      panel,
    });
    latestStudy = () => studies.commands.latestAnalysis();
    const resultsTree = registerResultsTree({
      openRun: (entry, runId) => studies.commands.openRun(entry, runId),
      // A deleted run's results leave the lenses and the panel: read the workspace's results again.
      onDeleted: async () => {
        results.clear();
        await studies.loadWorkspaceResults();
      },
    });
    const lenses = registerCodeLenses(documents, results);
    const humanData = registerHumanData({ sources, logger, workspaceState: context.workspaceState, onChange: () => panel.refresh() });
    const commandDeps = {
      context,
      documents,
      results,
      scoring,
      models,
      apiKeys,
      sources,
      log,
      humanData,
      openPanel: () => panel.show(),
      refreshPanel: () => panel.refresh(),
      cancelStudies: () => studies.commands.cancelAll(),
    };

    context.subscriptions.push(
      models,
      scoring, // the panel registers its own disposal
      lenses.disposable,
      registerDiagnostics(documents),
      registerLanguageFeatures(documents),
      registerResultsView(documents, results, (itemsPath) => studyIndex.firstTokenRows(itemsPath)),
      registerCommands(commandDeps),
      registerAuthoring(context, { documents, scoring, models, apiKeys, logger, openPanel: () => panel.show(), lenses: lenses.provider }),
      registerSurveyIndex(documents, sources, () => panel.refresh()),
      humanData,
      registerSummaryRefresh(sources, results),
      studies.disposable,
      board,
      registerRunningContext(board),
      registerLanguageStatus(board),
      registerTasks(cli),
      resultsTree.disposable,
      registerWalkthrough(context.extensionUri),
      { dispose: () => void results.flush() },
      { dispose: () => (flushResults = undefined) },
    );

    // The workspace's results (implicit corpora, study corpora) and human data load in the background;
    // the editor is usable at once. Earlier versions' global runs are offered for copying (migration.ts).
    void studies.loadWorkspaceResults().then((n) => {
      logger.info(`loaded ${n} records from the workspace's results folders`);
      void studies.offerMigration();
      void studies.offerBatchResume();
    });

    return {
      results,
      addLensContributor: (contributor) => lenses.provider.add(contributor),
    };
  } catch (error) {
    // VS Code says nothing when activation fails; make it visible.
    log.error(`activation failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    void vscode.window.showErrorMessage(vscode.l10n.t('Value Lens failed to start; see the "Value Lens" log.'));
    throw error;
  }
}

let flushResults: (() => Promise<void>) | undefined;

/** VS Code awaits this: the last results reach workspaceState before the host goes away. */
export function deactivate(): Promise<void> | undefined {
  return flushResults?.();
}
