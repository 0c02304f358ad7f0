// Runs scoring from the editor, in four steps each in a module of its own: resolve what to run against
// (runTarget.ts), prepare the plan (runPrepare.ts), open the workspace corpus (runCorpus.ts), execute under
// a progress notification (runExecute.ts). This file only sequences them, marks the items running, hands
// records to the lenses and the panel, and turns failures into advice with buttons.
import { join } from 'node:path';
import * as vscode from 'vscode';
import { outcomeOf, type CorpusWriter } from '../core/corpus/writer';
import type { TemplateFile } from '../core/language/ast';
import type { Logger } from '../core/log';
import type { RunRecord } from '../core/results';
import type { PreparedRun } from '../core/run/prepare';
import type { OptionOrderSpec } from '../core/study/types';
import { newRunId } from '../core/run/runner';
import type { AnalysisSources } from './analysisSources';
import type { ApiKeys } from './apiKeys';
import type { ParsedDocuments } from './documents';
import { actionLabel, adviseError, adviseRun, type Advice } from './errorAdvice';
import { t } from './translate';
import type { ModelPicker } from './models';
import { ProgressBoard } from './progressBoard';
import type { ResultsState } from './resultsState';
import { CorpusOpenError, openRunCorpus } from './runCorpus';
import { executeRun } from './runExecute';
import { prepareEditorRun } from './runPrepare';
import { findTemplates, resolveRunTarget, type RunTarget } from './runTarget';

export interface ScoreRequest {
  uri: vscode.Uri;
  itemIds?: string[];
  languages?: string[];
  paraphrases?: 'none' | 'all';
  /** Template name; the `valueLens.template` setting when absent. */
  template?: string;
  /** Look for the template in this .wvt file first. */
  templateUri?: vscode.Uri;
  method?: 'logprobs' | 'loglik' | 'sample';
  /**
   * Option orders as a factor of the run (the option-order check): the original order and each of these,
   * in one run. Only original-order results are shown inline; the others are read by the check.
   */
  orders?: OptionOrderSpec[];
}

export interface ScoringDeps {
  storageDir: string;
  documents: ParsedDocuments;
  results: ResultsState;
  sources: AnalysisSources;
  apiKeys: ApiKeys;
  models: ModelPicker;
  logger: Logger;
  onRecords(): void;
  /** Progress of every run in flight (shared with Run Study); a board of its own when absent. */
  progress?: ProgressBoard;
  /** The tool version written in each run's manifest. */
  toolVersion?: string;
}

type Context = { provider: string; endpoint: string; model: string };

export class Scoring implements vscode.Disposable {
  private readonly active = new Set<AbortController>();
  readonly board: ProgressBoard;

  constructor(private readonly deps: ScoringDeps) {
    this.board = deps.progress ?? new ProgressBoard();
  }

  get cacheDir(): string {
    return join(this.deps.storageDir, 'cache');
  }

  /** How many runs are in flight. */
  get running(): number {
    return this.active.size;
  }

  cancelAll(): number {
    const n = this.active.size;
    for (const controller of this.active) controller.abort();
    return n;
  }

  async score(request: ScoreRequest): Promise<RunRecord[] | undefined> {
    const target = await resolveRunTarget(this.deps, request);
    if (!target) return undefined;
    const ctx: Context = { provider: target.resolved.providerId, endpoint: target.resolved.endpoint, model: target.model };
    let prepared: PreparedRun;
    try {
      prepared = await prepareEditorRun(target, request, target.settings.cacheEnabled ? this.cacheDir : undefined);
    } catch (error) {
      const e = error as { kind?: string; message?: string; status?: number };
      await this.advise(
        adviseError({ kind: e.kind ?? 'other', message: e.message ?? String(error), status: e.status }, ctx, t),
        request,
        target.model,
      );
      return undefined;
    }
    this.sayMethod(target, prepared);
    if (prepared.plan.length === 0) return void vscode.window.showInformationMessage(vscode.l10n.t('Value Lens: nothing to score.'));
    return this.run(target, prepared, request, ctx);
  }

  private sayMethod(target: RunTarget, prepared: PreparedRun): void {
    if (prepared.method !== 'sample' || prepared.methodFrom === 'choice') return;
    const message = vscode.l10n.t(
      '{0} does not return logprobs for "{1}": scoring by sampling ({2} samples per prompt).',
      new URL(target.resolved.endpoint).origin,
      target.model,
      prepared.choices.samples,
    );
    this.deps.logger.info(message);
    void vscode.window.showInformationMessage(`Value Lens: ${message}`);
  }

  /** Marks the requested items running (per tag) until `off` is called. */
  private markRunning(target: RunTarget, request: ScoreRequest): () => void {
    const itemIds = request.itemIds ?? target.survey.items.map((i) => i.id);
    const tags = request.paraphrases === 'all' ? ['paraphrases'] : (request.languages ?? ['*']);
    const mark = (on: boolean): void =>
      itemIds.forEach((id) => tags.forEach((tag) => this.deps.results.setRunning(target.uriString, id, tag, on)));
    mark(true);
    return () => mark(false);
  }

  private async run(target: RunTarget, prepared: PreparedRun, request: ScoreRequest, ctx: Context): Promise<RunRecord[] | undefined> {
    const { results, sources, logger } = this.deps;
    const { plan, method } = prepared;
    const runId = newRunId();
    logger.info(
      `run ${runId}: ${plan.length} requests, ${target.model} at ${new URL(target.resolved.endpoint).origin}, template ${target.templates.name}, ${method}`,
    );
    const off = this.markRunning(target, request);
    let corpus: { writer: CorpusWriter; corpusDir: string };
    try {
      corpus = await openRunCorpus(request.uri.fsPath, target.doc.getText(), {
        runId,
        planned: plan.length,
        toolVersion: this.deps.toolVersion ?? 'editor',
      });
    } catch (error) {
      off();
      const message = error instanceof CorpusOpenError ? error.message : String(error);
      logger.error(message);
      void vscode.window
        .showErrorMessage(`Value Lens: ${message}`, actionLabel('showLog', t))
        .then((c) => c && vscode.commands.executeCommand('valueLens.showLog'));
      return undefined;
    }
    const controller = new AbortController();
    this.active.add(controller);
    let outcome: Parameters<CorpusWriter['finish']>[0] = { scored: 0, failed: plan.length, cached: 0, status: 'failed' };
    try {
      const summary = await executeRun({
        runId,
        plan,
        resolved: target.resolved,
        model: target.model,
        cacheDir: target.settings.cacheEnabled ? this.cacheDir : undefined,
        store: corpus.writer.store,
        concurrency: target.settings.concurrency,
        runOptions: prepared.runOptions,
        controller,
        board: this.board,
        logger,
        onRecord: (record) => {
          results.record(target.uriString, record);
          sources.addRecord(record);
          this.deps.onRecords();
        },
      });
      outcome = outcomeOf(summary);
      logger.info(
        `run ${runId}: ${summary.records.length} records, ${summary.requestsSent} requests sent${summary.cancelled ? ', cancelled' : ''}; corpus ${corpus.corpusDir}`,
      );
      if (summary.cancelled)
        void vscode.window.showInformationMessage(vscode.l10n.t('Value Lens: run cancelled; finished results are kept.'));
      else {
        const advice = adviseRun(summary.records, ctx, t);
        if (advice) void this.advise(advice, request, target.model);
      }
      return summary.records;
    } finally {
      await corpus.writer.finish(outcome).catch((error: unknown) => logger.error(`run ${runId}: manifest not written: ${String(error)}`));
      this.active.delete(controller);
      off();
    }
  }

  private async advise(advice: Advice, request: ScoreRequest, model: string): Promise<void> {
    this.deps.logger.error(advice.message);
    const choice = await vscode.window.showErrorMessage(`Value Lens: ${advice.message}`, ...advice.actions.map((a) => actionLabel(a, t)));
    const action = advice.actions.find((a) => actionLabel(a, t) === choice);
    switch (action) {
      case 'openSettings':
        return void vscode.commands.executeCommand('workbench.action.openSettings', 'valueLens');
      case 'showLog':
        return void vscode.commands.executeCommand('valueLens.showLog');
      case 'setApiKey':
        return void vscode.commands.executeCommand('valueLens.setApiKey');
      case 'selectModel':
        return void vscode.commands.executeCommand('valueLens.selectModel');
      case 'pullModel':
        if (await this.deps.models.pull(model)) await this.score(request);
        return;
      case 'useSampling':
        await this.score({ ...request, method: 'sample' });
        return;
      default:
        return;
    }
  }

  /** The named template: in `preferred` first, then open .wvt documents, then the workspace. Asks if not found. */
  findTemplates(name: string, preferred?: vscode.Uri): Promise<{ file: TemplateFile; name: string; uri: vscode.Uri } | undefined> {
    return findTemplates(this.deps.documents, name, preferred);
  }

  dispose(): void {
    this.cancelAll();
  }
}
