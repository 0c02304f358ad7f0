// Runs scoring from the editor: resolves endpoint, model, template and method, builds the plan, runs it with a
// cancellable progress notification, feeds results to the lenses, and turns failures into advice with buttons.
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { CorpusWriter, outcomeOf } from '../core/corpus/writer';
import type { TemplateFile } from '../core/language/ast';
import type { Logger } from '../core/log';
import type { RunRecord } from '../core/results';
import { ResultCache } from '../core/run/cache';
import { findInstalledModel, implicitStudyName, prepareRun, type PreparedRun } from '../core/run/prepare';
import { newRunId, runPlan } from '../core/run/runner';
import { probeLogprobs } from '../providers/probe';
import type { AnalysisSources } from './analysisSources';
import type { ApiKeys } from './apiKeys';
import { readEndpointConfig, readRunChoices, readRunSettings, reportIgnoredSettings, writeSetting } from './config';
import type { ParsedDocuments } from './documents';
import { ACTION_LABELS, adviseError, adviseRun, type Advice } from './errorAdvice';
import type { ModelPicker } from './models';
import { EndpointBlockedError, activeProvider, providerLookup, type ResolvedProvider } from './providerFactory';
import type { ResultsState } from './resultsState';
import { ProgressBoard } from './progressBoard';
import { implicitCorpusDir } from './workspaceCorpora';

export interface ScoreRequest {
  uri: vscode.Uri;
  itemIds?: string[];
  languages?: string[];
  paraphrases?: 'none' | 'all';
  /** Template name; the `valueLens.template` setting when absent. */
  template?: string;
  /** Look for the template in this .wvt file first. */
  templateUri?: vscode.Uri;
  method?: 'logprobs' | 'sample';
  /** Option order shown to the model (the option-order check runs both). */
  optionOrder?: 'original' | 'reversed';
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

export class Scoring implements vscode.Disposable {
  private readonly active = new Set<AbortController>();
  readonly board: ProgressBoard;

  constructor(private readonly deps: ScoringDeps) {
    this.board = deps.progress ?? new ProgressBoard();
  }

  get cacheDir(): string {
    return join(this.deps.storageDir, 'cache');
  }

  cancelAll(): number {
    const n = this.active.size;
    for (const controller of this.active) controller.abort();
    return n;
  }

  async score(request: ScoreRequest): Promise<RunRecord[] | undefined> {
    const { documents, results, logger } = this.deps;
    const doc = await vscode.workspace.openTextDocument(request.uri);
    const parsed = documents.survey(doc);
    if (!parsed) return void vscode.window.showErrorMessage('Value Lens: scoring works on .wvs item files.');
    const survey = parsed.file;
    this.deps.sources.setSurvey(parsed.uri, survey);
    const endpoints = readEndpointConfig();
    reportIgnoredSettings(endpoints, logger);
    const settings = readRunSettings();

    let resolved: ResolvedProvider;
    try {
      resolved = await activeProvider(endpoints, { getApiKey: (e) => this.deps.apiKeys.get(e), trusted: vscode.workspace.isTrusted });
    } catch (error) {
      if (!(error instanceof EndpointBlockedError)) throw error;
      logger.warn(error.message);
      const choice = await vscode.window.showWarningMessage(error.message, 'Manage Workspace Trust');
      if (choice) await vscode.commands.executeCommand('workbench.trust.manage');
      return undefined;
    }
    const model = settings.model || (await this.deps.models.select());
    if (!model) return undefined;
    const templates = await this.findTemplates(request.template ?? settings.template, request.templateUri);
    if (!templates) return undefined;
    const ctx = { provider: resolved.providerId, endpoint: resolved.endpoint, model };

    // The same preparation as `value-lens score` (src/core/run/prepare.ts): defaults, the probe verdict in
    // <cache>/probes.json, the model digest in the cache key.
    const choices = readRunChoices();
    let prepared: PreparedRun;
    try {
      prepared = await prepareRun({
        survey,
        templates: templates.file,
        template: templates.name,
        itemIds: request.itemIds,
        languages: request.languages,
        paraphrases: request.paraphrases ?? 'none',
        optionOrder: request.optionOrder,
        languageCountries: settings.languageCountries,
        study: implicitStudyName(request.uri.fsPath),
        model: { provider: resolved.providerId, endpoint: resolved.endpoint, model },
        choices: { ...choices, ...(request.method ? { method: request.method } : {}) },
        probe: (signal) => probeLogprobs(resolved.provider, model, signal),
        resolveDigest:
          resolved.providerId === 'ollama'
            ? async (signal) => findInstalledModel(await resolved.provider.listModels(signal), model)?.digest
            : undefined,
        cacheDir: settings.cacheEnabled ? this.cacheDir : undefined,
      });
    } catch (error) {
      const e = error as { kind?: string; message?: string; status?: number };
      await this.advise(adviseError({ kind: e.kind ?? 'other', message: e.message ?? String(error), status: e.status }, ctx), request, model);
      return undefined;
    }
    const { plan, method } = prepared;
    if (method === 'sample' && prepared.methodFrom !== 'choice') {
      const message = `${new URL(resolved.endpoint).origin} does not return logprobs for "${model}": scoring by sampling (${prepared.choices.samples} samples per prompt).`;
      logger.info(message);
      void vscode.window.showInformationMessage(`Value Lens: ${message}`);
    }
    if (plan.length === 0) return void vscode.window.showInformationMessage('Value Lens: nothing to score.');

    const itemIds = request.itemIds ?? survey.items.map((i) => i.id);
    const tags = request.paraphrases === 'all' ? ['paraphrases'] : request.languages ?? ['*'];
    const mark = (on: boolean): void => itemIds.forEach((id) => tags.forEach((tag) => results.setRunning(parsed.uri, id, tag, on)));
    const runId = newRunId();
    logger.info(`run ${runId}: ${plan.length} requests, ${model} at ${new URL(resolved.endpoint).origin}, template ${templates.name}, ${method}`);
    mark(true);
    // The implicit study's corpus beside the items file (workspaceCorpora.ts); a folder that cannot be
    // written stops the run before any request is sent.
    const corpusDir = implicitCorpusDir(request.uri.fsPath);
    const writer = new CorpusWriter(corpusDir);
    try {
      // An unsaved or virtual document has no folder of its own: never create one for it.
      if (!(await stat(dirname(request.uri.fsPath)).then((s) => s.isDirectory(), () => false))) throw new Error('the items file is not saved in a folder; save it first');
      await writer.begin({
        runId,
        study: implicitStudyName(request.uri.fsPath),
        studyHash: createHash('sha256').update(doc.getText()).digest('hex'),
        toolVersion: this.deps.toolVersion ?? 'editor',
        via: 'editor',
        planned: plan.length,
      });
    } catch (error) {
      mark(false);
      const message = `cannot write results to ${corpusDir}: ${error instanceof Error ? error.message : String(error)}. Results are kept in the workspace, beside the items file; open the file from a writable folder.`;
      logger.error(message);
      void vscode.window.showErrorMessage(`Value Lens: ${message}`, ACTION_LABELS.showLog).then((c) => c && vscode.commands.executeCommand('valueLens.showLog'));
      return undefined;
    }
    const controller = new AbortController();
    this.active.add(controller);
    let outcome: Parameters<CorpusWriter['finish']>[0] = { scored: 0, failed: plan.length, cached: 0, status: 'failed' };
    try {
      const summary = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Value Lens: scoring with ${model}`, cancellable: true },
        async (progress, token) => {
          const sub = token.onCancellationRequested(() => controller.abort());
          let reported = 0;
          try {
            return await runPlan(plan, {
              providers: providerLookup(resolved),
              cache: settings.cacheEnabled ? new ResultCache(this.cacheDir) : undefined,
              store: writer.store,
              runId,
              concurrencyPerEndpoint: settings.concurrency > 0 ? settings.concurrency : undefined,
              ...prepared.runOptions,
              signal: controller.signal,
              logger,
              onProgress: (p) => {
                this.board.set(runId, p);
                const pct = Math.floor((p.done / p.total) * 100);
                progress.report({ message: `${p.done}/${p.total}${p.failed ? ` · ${p.failed} failed` : ''}${p.cached ? ` · ${p.cached} cached` : ''}`, increment: pct - reported });
                reported = pct;
              },
              onRecord: (record) => {
                results.record(parsed.uri, record);
                this.deps.sources.addRecord(record);
                this.deps.onRecords();
              },
            });
          } finally {
            sub.dispose();
          }
        },
      );
      outcome = outcomeOf(summary);
      logger.info(`run ${runId}: ${summary.records.length} records, ${summary.requestsSent} requests sent${summary.cancelled ? ', cancelled' : ''}; corpus ${corpusDir}`);
      if (summary.cancelled) void vscode.window.showInformationMessage('Value Lens: run cancelled; finished results are kept.');
      else {
        const advice = adviseRun(summary.records, ctx);
        if (advice) void this.advise(advice, request, model);
      }
      results.setSummary(this.deps.sources.editorSummary(model, settings.template, settings.languageCountries));
      return summary.records;
    } finally {
      await writer.finish(outcome).catch((error: unknown) => logger.error(`run ${runId}: manifest not written: ${String(error)}`));
      this.active.delete(controller);
      this.board.delete(runId);
      mark(false);
    }
  }

  private async advise(advice: Advice, request: ScoreRequest, model: string): Promise<void> {
    this.deps.logger.error(advice.message);
    const choice = await vscode.window.showErrorMessage(`Value Lens: ${advice.message}`, ...advice.actions.map((a) => ACTION_LABELS[a]));
    const action = advice.actions.find((a) => ACTION_LABELS[a] === choice);
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
  async findTemplates(name: string, preferred?: vscode.Uri): Promise<{ file: TemplateFile; name: string } | undefined> {
    const uris: vscode.Uri[] = [];
    if (preferred) uris.push(preferred);
    for (const doc of vscode.workspace.textDocuments) if (doc.languageId === 'wvt') uris.push(doc.uri);
    uris.push(...(await vscode.workspace.findFiles('**/*.wvt', '**/node_modules/**', 50)));
    const files: TemplateFile[] = [];
    const seen = new Set<string>();
    for (const uri of uris) {
      if (seen.has(uri.toString())) continue;
      seen.add(uri.toString());
      const parsed = this.deps.documents.get(await vscode.workspace.openTextDocument(uri));
      if (parsed?.file.kind !== 'templates') continue;
      if (parsed.file.templates.some((t) => t.name === name)) return { file: parsed.file, name };
      files.push(parsed.file);
    }
    const names = files.flatMap((f) => f.templates.map((t) => t.name));
    if (names.length === 0) return void vscode.window.showErrorMessage('Value Lens: no template found. Add a .wvt file with a `template` block (see docs/languages.md).');
    const picked = await vscode.window.showQuickPick(names, { title: `Template "${name}" not found — pick the template to use` });
    if (!picked) return undefined;
    await writeSetting('template', picked);
    return { file: files.find((f) => f.templates.some((t) => t.name === picked))!, name: picked };
  }

  dispose(): void {
    this.cancelAll();
  }
}

