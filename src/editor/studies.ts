// Wires the studies into the editor: the four commands, the study lenses, diagnostics on study files as
// they are opened and saved, reading the workspace's results at activation (implicit corpora into the item
// lenses and the panel, study corpora into the study lenses), and the one-time migration offer.
import * as vscode from 'vscode';
import type { Logger } from '../core/log';
import { corpusRecords } from '../core/corpus/reader';
import { deletedRunIds } from '../core/corpus/deleted';
import { parseSurvey } from '../core/language';
import type { AlignmentPanel } from '../panel';
import type { AnalysisSources } from './analysisSources';
import type { ApiKeys } from './apiKeys';
import type { ParsedDocuments } from './documents';
import { applyMigration, MIGRATION_STATE_KEY, planMigration } from './migration';
import type { ProgressBoard } from './progressBoard';
import type { ResultsState } from './resultsState';
import type { Scoring } from './scoring';
import { StudyCommands, STUDY_FILE } from './studyCommands';
import { analysisWorkerScript, AnalysisWorkers } from './analysisWorkers';
import { registerStudyLenses } from './studyLens';
import { editorBatchEngine, offerBatchResume } from './batchTask';
import type { BatchProgress } from '../core/batch/types';
import type { Study } from '../core/study/types';
import type { StudyResultsIndex } from './studyResults';
import { implicitCorpusDir, workspaceCorpora } from './workspaceCorpora';

export interface StudiesDeps {
  context: Pick<vscode.ExtensionContext, 'workspaceState'>;
  documents: ParsedDocuments;
  results: ResultsState;
  sources: AnalysisSources;
  scoring: Pick<Scoring, 'cacheDir'>;
  apiKeys: ApiKeys;
  logger: Logger;
  board: ProgressBoard;
  index: StudyResultsIndex;
  toolVersion: string;
  panel: Pick<AlignmentPanel, 'show' | 'showStudy' | 'refresh'>;
}

export interface Studies {
  commands: StudyCommands;
  disposable: vscode.Disposable;
  /** Reads every results folder of the workspace; resolves with the records read into the item lenses. */
  loadWorkspaceResults(): Promise<number>;
  /** Once per workspace: offers to copy earlier versions' global runs of this workspace's items here. */
  offerMigration(): Promise<number>;
  /** After a reload: offers to resume polling the batch jobs still in flight; resolves with how many studies have some. */
  offerBatchResume(): Promise<number>;
}

const folders = (): string[] => (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);

export function registerStudies(deps: StudiesDeps): Studies {
  const workerScript = analysisWorkerScript(__dirname);
  const commands = new StudyCommands({
    apiKeys: deps.apiKeys,
    logger: deps.logger,
    board: deps.board,
    cacheDir: deps.scoring.cacheDir,
    toolVersion: deps.toolVersion,
    index: deps.index,
    human: () => deps.sources.humanReference(),
    showAnalysis: (analysis) => {
      deps.panel.showStudy(analysis);
      deps.panel.show();
    },
    onRecords: () => deps.panel.refresh(),
    // The worker is dist/cli.js beside dist/extension.js; run from source (tests) there is none, and
    // analyses run on this thread as before.
    ...(workerScript ? { analysis: new AnalysisWorkers(workerScript) } : {}),
    updateAnalysis: (analysis) => deps.panel.showStudy(analysis),
  });
  const register = (id: string, fn: (uri?: vscode.Uri) => unknown) =>
    vscode.commands.registerCommand(`valueLens.${id}`, fn as (...args: unknown[]) => unknown);
  const studyUri = async (uri?: vscode.Uri): Promise<vscode.Uri | undefined> => {
    if (uri instanceof vscode.Uri) return uri;
    const active = vscode.window.activeTextEditor?.document.uri;
    if (active && STUDY_FILE.test(active.fsPath)) return active;
    const found = await vscode.workspace.findFiles('**/*.study.json', '**/node_modules/**', 100);
    if (found.length === 1) return found[0];
    if (found.length === 0)
      return void vscode.window.showWarningMessage(
        vscode.l10n.t('Value Lens: no *.study.json file in this workspace (docs/studies.md describes one).'),
      );
    const pick = await vscode.window.showQuickPick(
      found.map((u) => ({ label: vscode.workspace.asRelativePath(u), uri: u })),
      { title: vscode.l10n.t('Which study?') },
    );
    return pick?.uri;
  };
  const batchEngineFor = (study: Study, onStatus: (p: BatchProgress) => void) => editorBatchEngine(study, deps.apiKeys, onStatus);
  const onStudyDocument = (doc: vscode.TextDocument): void => {
    if (STUDY_FILE.test(doc.uri.fsPath)) void commands.load(doc.uri, true).catch(() => undefined);
  };

  const disposable = vscode.Disposable.from(
    commands,
    registerStudyLenses(deps.documents, deps.index),
    register('runStudy', async (uri) => {
      const target = await studyUri(uri);
      return target ? commands.run(target) : undefined;
    }),
    register('runStudyAsBatch', async (uri) => {
      const target = await studyUri(uri);
      return target ? commands.run(target, batchEngineFor) : undefined;
    }),
    register('planStudy', async (uri) => {
      const target = await studyUri(uri);
      return target ? commands.plan(target) : undefined;
    }),
    register('openStudyResults', async (uri) => {
      const target = await studyUri(uri);
      return target ? commands.openResults(target) : undefined;
    }),
    register('openResultsFile', (uri) => commands.openResultsFile(uri)),
    vscode.workspace.onDidOpenTextDocument(onStudyDocument),
    vscode.workspace.onDidSaveTextDocument(onStudyDocument),
  );

  return {
    commands,
    disposable,
    async loadWorkspaceResults() {
      const wvs = await vscode.workspace.findFiles('**/*.wvs', '**/node_modules/**', 500);
      const corpora = await workspaceCorpora(
        wvs.map((u) => implicitCorpusDir(u.fsPath)),
        folders(),
      );
      const byDir = new Map(wvs.map((u) => [implicitCorpusDir(u.fsPath), u]));
      // A second read (after a migration or a deleted run) replaces the state: replaying into it would count
      // failures twice and keep deleted runs' results.
      for (const u of wvs) deps.results.clear(u.toString());
      let n = 0;
      for (const dir of corpora) {
        const uri = byDir.get(dir);
        if (!uri) continue;
        const deleted = await deletedRunIds(dir);
        for await (const batch of corpusRecords(dir).batches()) {
          for (const record of batch) {
            if (deleted.has(record.runId)) continue;
            deps.results.record(uri.toString(), record);
            n++;
          }
        }
      }
      await deps.sources.loadCorpora(corpora);
      await commands.indexWorkspaceStudies();
      deps.panel.refresh();
      return n;
    },
    offerBatchResume: () => offerBatchResume((uri) => commands.run(uri, batchEngineFor)),
    async offerMigration() {
      const state = deps.context.workspaceState;
      if (state.get<boolean>(MIGRATION_STATE_KEY)) return 0;
      const decoder = new TextDecoder();
      const surveys: { path: string; file: ReturnType<typeof parseSurvey> }[] = [];
      for (const uri of await vscode.workspace.findFiles('**/*.wvs', '**/node_modules/**', 500)) {
        surveys.push({ path: uri.fsPath, file: parseSurvey(decoder.decode(await vscode.workspace.fs.readFile(uri))) });
      }
      const plan = await planMigration(deps.sources.legacyRunsDir, surveys).catch(() => undefined);
      const matched = plan ? [...plan.byFile.values()].reduce((a, l) => a + l.length, 0) : 0;
      if (!plan || matched === 0) return 0;
      const choice = await vscode.window.showInformationMessage(
        vscode.l10n.t(
          "Value Lens now keeps results in the workspace (beside each items file, in <name>.results/). {0} result(s) of earlier versions, kept in the editor's own storage, belong to items of this workspace and are no longer shown. Copy them into this workspace?",
          matched,
        ),
        vscode.l10n.t('Copy to Workspace'),
        vscode.l10n.t('Not Now'),
        vscode.l10n.t("Don't Ask Again"),
      );
      if (!choice) return 0;
      await state.update(MIGRATION_STATE_KEY, true);
      if (choice !== vscode.l10n.t('Copy to Workspace')) return 0;
      const written = await applyMigration(plan, deps.toolVersion);
      deps.logger.info(
        `migration: copied ${written} of ${plan.read} earlier record(s) into the workspace (${plan.unmatched} belong to no item here and stay where they were)`,
      );
      void vscode.window.showInformationMessage(vscode.l10n.t('Value Lens: copied {0} earlier result(s) into this workspace.', written));
      await this.loadWorkspaceResults();
      return written;
    },
  };
}
