// The editor side of studies: Run Study, Plan only, Open Results on a `*.study.json` file, and Open Results
// File for any corpus or results file. Runs go through runStudy (src/core/study/session.ts), the very code
// path of `value-lens run`; the editor supplies its providers (trust and key policy), the modal above the
// study's confirmAbove, a cancellable progress notification per run, and the panel.
import { readFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import type { Logger } from '../core/log';
import type { ModelProvider } from '../core/model';
import type { RunRecord } from '../core/results';
import { originOf } from '../core/origin';
import { mayContact } from '../core/security/trust';
import { parseSurvey } from '../core/language';
import { ResultCache } from '../core/run/cache';
import { findInstalledModel, implicitStudyName } from '../core/run/prepare';
import type { StudyAnalysis } from '../core/study/analysisTypes';
import { loadStudy } from '../core/study/load';
import { STUDY_DEFAULTS } from '../core/study/parse';
import type { PlanEstimate } from '../core/study/plan';
import { runStudy, studyModels, type StudyRunEnvironment, type StudyRunResult } from '../core/study/session';
import type { HumanReference } from '../core/data';
import type { ReadyStudy, Study, StudyDiagnostic, StudyModel } from '../core/study/types';
import { createOllamaProvider } from '../providers/ollama';
import { createOpenAIProvider } from '../providers/openai';
import { probeLogprobs } from '../providers/probe';
import type { ApiKeys } from './apiKeys';
import { readEndpointConfig, readRunChoices, readRunSettings } from './config';
import { actionLabel, adviseError, type AdviceAction } from './errorAdvice';
import { t } from './translate';
import { renderMessage } from '../core/message';
import type { BatchProgress } from '../core/batch/types';
import { batchStatusText, type EditorBatch } from './batchTask';
import type { ProgressBoard } from './progressBoard';
import type { StudyResultsIndex } from './studyResults';
import type { AnalysisWorkers } from './analysisWorkers';
import { implicitCorpusDir } from './workspaceCorpora';
import { inProcessAnalyzeCorpus } from './inProcessAnalysis';

export const STUDY_SELECTOR: vscode.DocumentSelector = { pattern: '**/*.study.json' };
export const STUDY_FILE = /\.study\.json$/i;

export interface StudyCommandDeps {
  apiKeys: ApiKeys;
  logger: Logger;
  board: ProgressBoard;
  /** The response cache folder (global storage: a cache, never results). */
  cacheDir: string;
  toolVersion: string;
  index: StudyResultsIndex;
  /** Shows the analysis in the panel's study views and reveals the panel. */
  showAnalysis(analysis: StudyAnalysis): void;
  /** The human reference the editor loaded (for an items file's implicit study). */
  human(): HumanReference;
  /** Called after a run wrote records (lenses, panel). */
  onRecords?(): void;
  /** Study analyses in worker threads (analysisWorkers.ts); without it they run on this thread. */
  analysis?: AnalysisWorkers;
  /** Shows a newer analysis in the panel without revealing it (refreshes during a run). */
  updateAnalysis?(analysis: StudyAnalysis): void;
}

/** Offsets in a text → VS Code ranges. */
function rangeOf(text: string, start: number, end: number): vscode.Range {
  const pos = (offset: number): vscode.Position => {
    const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
    const line = before.split('\n').length - 1;
    return new vscode.Position(line, before.length - (before.lastIndexOf('\n') + 1));
  };
  return new vscode.Range(pos(start), pos(Math.max(start, end)));
}

const SEVERITY = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

export function toDiagnostics(text: string, diagnostics: readonly StudyDiagnostic[]): vscode.Diagnostic[] {
  return diagnostics.map((d) => {
    // The core keeps an English template (src/core/message.ts); it is translated here, when shown.
    const diagnostic = new vscode.Diagnostic(
      rangeOf(text, d.range.start, d.range.end),
      d.text ? renderMessage(d.text, t) : d.message,
      SEVERITY[d.severity],
    );
    diagnostic.source = 'value-lens';
    diagnostic.code = d.code;
    return diagnostic;
  });
}

export class StudyCommands implements vscode.Disposable {
  readonly diagnostics = vscode.languages.createDiagnosticCollection('valueLens.study');
  private readonly active = new Set<AbortController>();
  /** Batch runs: closing the editor detaches their jobs instead of cancelling them on the server. */
  private readonly detachers = new Map<AbortController, () => void>();
  private latest: StudyAnalysis | undefined;
  private runCounter = 0;

  constructor(private readonly deps: StudyCommandDeps) {}

  /** The last analysis shown (the panel asks for it when its webview reloads). */
  latestAnalysis(): StudyAnalysis | undefined {
    return this.latest;
  }

  /** Loads a study and publishes its diagnostics on the study file; undefined (after saying why) when unusable. */
  async load(uri: vscode.Uri, quiet = false): Promise<ReadyStudy | undefined> {
    const loaded = await loadStudy(uri.fsPath);
    const text = await readFile(uri.fsPath, 'utf8').catch(() => '');
    this.diagnostics.set(uri, toDiagnostics(text, loaded.diagnostics));
    const errors = loaded.diagnostics.filter((d) => d.severity === 'error').length;
    if (errors || !loaded.study) {
      if (!quiet) {
        const choice = await vscode.window.showErrorMessage(
          errors
            ? vscode.l10n.t(
                'Value Lens: {0} has {1} error(s); nothing was run. They are marked in the file.',
                vscode.workspace.asRelativePath(uri),
                errors,
              )
            : vscode.l10n.t(
                'Value Lens: {0} has unrecoverable errors; nothing was run. They are marked in the file.',
                vscode.workspace.asRelativePath(uri),
              ),
          vscode.l10n.t('Show Problems'),
        );
        if (choice) void vscode.commands.executeCommand('workbench.actions.view.problems');
      }
      return undefined;
    }
    return loaded as ReadyStudy;
  }

  /**
   * One client per model entry. Trust: an untrusted workspace contacts loopback only. Key: the key saved
   * for an endpoint's origin goes with a study's requests only when that origin is the user's own
   * `valueLens.openai.baseUrl` (user settings) or the user says so in a modal; otherwise none is sent.
   */
  async clients(study: Study): Promise<Map<string, ModelProvider> | undefined> {
    const out = new Map<string, ModelProvider>();
    const ownOrigin = originOf(readEndpointConfig().openaiBaseUrl);
    const keyAnswer = new Map<string, boolean>();
    for (const model of studyModels(study)) {
      const permission = mayContact(model.endpoint, vscode.workspace.isTrusted);
      if (!permission.allowed) {
        this.deps.logger.warn(permission.reason);
        const choice = await vscode.window.showWarningMessage(
          vscode.l10n.t('Value Lens: study {0}, model {1}: {2}', study.name, model.id, permission.reason),
          vscode.l10n.t('Manage Workspace Trust'),
        );
        if (choice) void vscode.commands.executeCommand('workbench.trust.manage');
        return undefined;
      }
      if (model.provider === 'ollama') {
        out.set(model.id, createOllamaProvider({ host: model.endpoint }));
        continue;
      }
      const origin = originOf(model.endpoint);
      let apiKey = await this.deps.apiKeys.get(model.endpoint).catch(() => undefined);
      if (apiKey && origin !== ownOrigin) {
        let yes = keyAnswer.get(origin ?? model.endpoint);
        if (yes === undefined) {
          const choice = await vscode.window.showWarningMessage(
            vscode.l10n.t(
              'The study {0} sends requests to {1}, an endpoint named in a file of this workspace (anyone could have written it). Send the API key you saved for {1} with them?',
              study.name,
              String(origin),
            ),
            { modal: true },
            vscode.l10n.t('Send Key'),
            vscode.l10n.t('Run Without Key'),
          );
          if (!choice) return undefined;
          yes = choice === vscode.l10n.t('Send Key');
          keyAnswer.set(origin ?? model.endpoint, yes);
        }
        if (!yes) apiKey = undefined;
      }
      const provider = createOpenAIProvider({ baseURL: model.endpoint, apiKey });
      if (originOf(provider.origin) !== origin) throw new Error(`Provider origin ${provider.origin} differs from ${origin}.`);
      out.set(model.id, provider);
    }
    return out;
  }

  private environment(
    study: Study,
    clients: Map<string, ModelProvider>,
    signal: AbortSignal,
    confirm: StudyRunEnvironment['confirm'],
  ): StudyRunEnvironment {
    const settings = readRunSettings();
    const choices = readRunChoices();
    return {
      providerFor: (model) => {
        const client = clients.get(model.id);
        if (!client) throw new Error(`no client for model ${model.id}`);
        return client;
      },
      probeFor: (model, provider) => (s, timeoutMs) =>
        probeLogprobs(provider, model.model, s, { timeoutMs, completion: model.kind === 'base' }),
      digestFor: async (model: StudyModel, provider: ModelProvider, s: AbortSignal) =>
        model.provider === 'ollama' ? findInstalledModel(await provider.listModels(s), model.model)?.digest : undefined,
      cache: new ResultCache(this.deps.cacheDir),
      cacheDir: this.deps.cacheDir,
      via: 'editor',
      toolVersion: this.deps.toolVersion,
      confirm,
      choices: {
        ...(choices.timeoutMs !== undefined ? { timeoutMs: choices.timeoutMs } : {}),
        ...(choices.firstRequestTimeoutMs !== undefined ? { firstRequestTimeoutMs: choices.firstRequestTimeoutMs } : {}),
      },
      ...(settings.concurrency > 0 ? { concurrencyPerEndpoint: settings.concurrency } : {}),
      signal,
      logger: this.deps.logger,
    };
  }

  /** Plan only: the size of the plan (requests, tokens, cached), nothing sent but the method probes. */
  async plan(uri: vscode.Uri): Promise<PlanEstimate | undefined> {
    const loaded = await this.load(uri);
    if (!loaded) return undefined;
    const clients = await this.clients(loaded.study);
    if (!clients) return undefined;
    let estimate: PlanEstimate | undefined;
    let methods: Record<string, string> = {};
    try {
      // confirmAbove −1: runStudy always asks, and the answer is no — the plan without the run.
      const result = await runStudy({ ...loaded, study: { ...loaded.study, confirmAbove: -1 } }, undefined, {
        ...this.environment(loaded.study, clients, new AbortController().signal, async (e) => ((estimate = e), false)),
        onPlanned: (e, m) => ((estimate = e), (methods = m)),
      });
      estimate = result.estimate;
    } catch (error) {
      await this.fail(error, loaded.study);
      return undefined;
    }
    const method = Object.entries(methods)
      .map(([m, how]) => `${m} ${how}`)
      .join(', ');
    const message = vscode.l10n.t(
      'Value Lens: plan of {0}: {1} request(s), {2} cached, {3} not renderable, about {4} tokens to send; methods: {5}.',
      loaded.study.name,
      estimate!.requests,
      estimate!.cached,
      estimate!.skipped,
      estimate!.estimatedTokens,
      method,
    );
    this.deps.logger.info(message);
    const choice = await vscode.window.showInformationMessage(message, vscode.l10n.t('Run Study'));
    if (choice) void vscode.commands.executeCommand('valueLens.runStudy', uri);
    return estimate;
  }

  /**
   * Run Study: load, ask above confirmAbove, run with a progress notification of its own, analyse, show.
   * With `batch`, the requests go as a provider batch job (batchTask.ts): the notification shows its status.
   */
  async run(
    uri: vscode.Uri,
    batch?: (study: Study, onStatus: (p: BatchProgress) => void) => Promise<EditorBatch | string>,
  ): Promise<StudyRunResult | undefined> {
    const loaded = await this.load(uri);
    if (!loaded) return undefined;
    const { study } = loaded;
    if (!study.models.length || !loaded.surveys.length || !loaded.templates.length) {
      void vscode.window
        .showWarningMessage(
          vscode.l10n.t(
            'Value Lens: {0} has nothing to score (it needs models, items and templates); Open Results analyses its corpus.',
            study.name,
          ),
          vscode.l10n.t('Open Results'),
        )
        .then((c) => c && vscode.commands.executeCommand('valueLens.openStudyResults', uri));
      return undefined;
    }
    const clients = await this.clients(study);
    if (!clients) return undefined;
    let reportBatch: ((text: string) => void) | undefined;
    const batchRun = batch ? await batch(study, (p) => reportBatch?.(batchStatusText(p))) : undefined;
    if (typeof batchRun === 'string') {
      void vscode.window.showWarningMessage(vscode.l10n.t('Value Lens: {0} cannot run as a batch: {1}', study.name, batchRun));
      return undefined;
    }
    const controller = new AbortController();
    this.active.add(controller);
    if (batchRun) this.detachers.set(controller, batchRun.detach);
    const key = `study:${study.name}:${++this.runCounter}`;
    let result: StudyRunResult;
    try {
      result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Value Lens: study {0}', study.name), cancellable: true },
        async (progress, token) => {
          const sub = token.onCancellationRequested(() => controller.abort());
          let reported = 0;
          try {
            const env = this.environment(study, clients, controller.signal, (estimate, s) => this.confirm(estimate, s));
            if (batchRun) {
              env.batch = batchRun.engine;
              reportBatch = (text) => progress.report({ message: text });
            }
            env.onPlanned = (e) => {
              const text = vscode.l10n.t('{0} request(s), {1} cached, about {2} tokens to send', e.requests, e.cached, e.estimatedTokens);
              this.deps.logger.info(`study ${study.name}: plan ${text}`);
              progress.report({ message: text });
            };
            // The panel's analysis follows the run: records appended to the study's worker, refreshed at most once a second.
            const written: RunRecord[] = [];
            const workers = this.deps.analysis?.isOpen(study.path) ? this.deps.analysis : undefined;
            if (workers) env.onRecord = (r) => written.push(r);
            env.onProgress = (p) => {
              if (workers) {
                workers.append(study.path, written.splice(0));
                void workers.refresh(study.path).then(
                  (a) => a && this.deps.updateAnalysis?.(a.analysis),
                  () => undefined,
                );
              }
              this.deps.board.set(key, p);
              const pct = p.total ? Math.floor((p.done / p.total) * 100) : 0;
              progress.report({
                message: `${p.done}/${p.total}${p.failed ? ` · ${vscode.l10n.t('{0} failed', p.failed)}` : ''}${p.cached ? ` · ${vscode.l10n.t('{0} cached', p.cached)}` : ''}`,
                increment: pct - reported,
              });
              reported = pct;
              this.deps.onRecords?.();
            };
            return await runStudy(loaded, undefined, env);
          } finally {
            sub.dispose();
          }
        },
      );
    } catch (error) {
      await this.fail(error, study);
      return undefined;
    } finally {
      this.active.delete(controller);
      this.detachers.delete(controller);
      this.deps.board.delete(key);
    }
    if (result.status === 'declined') {
      void vscode.window.showInformationMessage(vscode.l10n.t('Value Lens: {0} was not run; nothing was sent.', study.name));
      return result;
    }
    const { manifest, summary } = result;
    const line = vscode.l10n.t(
      '{0} planned, {1} scored ({2} from cache), {3} failed, {4} request(s) sent; corpus {5} (run {6}).',
      manifest.planned,
      manifest.scored,
      manifest.cached,
      manifest.failed,
      summary.requestsSent,
      vscode.workspace.asRelativePath(study.results),
      manifest.runId,
    );
    this.deps.logger.info(`study ${study.name}: ${manifest.status}: ${line}`);
    this.deps.onRecords?.();
    if (summary.cancelled) void vscode.window.showInformationMessage(vscode.l10n.t('Value Lens: {0} cancelled: {1}', study.name, line));
    else if (manifest.failed > 0 || manifest.writeFailures > 0) {
      const first = summary.records.find((r) => r.kind === 'failure');
      const model = study.models.find((m) => first && (m.id === first.modelId || m.model === first.model)) ?? study.models[0];
      const advice =
        first?.kind === 'failure'
          ? adviseError(first.error, { provider: model.provider, endpoint: model.endpoint, model: model.model }, t)
          : undefined;
      void this.offer(
        `${study.name}: ${line}${advice ? ` ${vscode.l10n.t('First failure: {0}', advice.message)}` : ''}`,
        advice?.actions ?? ['showLog'],
      );
    }
    await this.openResults(uri, loaded);
    return result;
  }

  private async confirm(estimate: PlanEstimate, study: Study): Promise<boolean> {
    const toSend = estimate.requests - estimate.cached - estimate.skipped;
    const choice = await vscode.window.showWarningMessage(
      vscode.l10n.t(
        "Run {0}? {1} request(s) to send (about {2} tokens; {3} cached), above the study's confirmAbove of {4}.",
        study.name,
        toSend,
        estimate.estimatedTokens,
        estimate.cached,
        String(study.confirmAbove),
      ),
      { modal: true },
      vscode.l10n.t('Run'),
    );
    return choice === vscode.l10n.t('Run');
  }

  /** Analyses the study's corpus, updates the item lenses and shows the analysis in the panel. */
  async openResults(uri: vscode.Uri, already?: ReadyStudy): Promise<StudyAnalysis | undefined> {
    const loaded = already ?? (await this.load(uri));
    if (!loaded) return undefined;
    const analysis = await this.analyse(loaded);
    if (!analysis) return undefined;
    if (analysis.counts.read === 0) {
      const choice = await vscode.window.showInformationMessage(
        vscode.l10n.t(
          'Value Lens: {0} has no results yet ({1}).',
          loaded.study.name,
          vscode.workspace.asRelativePath(loaded.study.results),
        ),
        vscode.l10n.t('Run Study'),
      );
      if (choice) void vscode.commands.executeCommand('valueLens.runStudy', uri);
      return analysis;
    }
    this.latest = analysis;
    this.deps.showAnalysis(analysis);
    return analysis;
  }

  /**
   * One run of a study (or of an items file's implicit study) in the panel: the analysis of that run's
   * records only (the results view's "Open Run in Panel"). The item lenses keep the whole study's results.
   */
  async openRun(target: { studyUri?: vscode.Uri; itemsUri?: vscode.Uri; dir: string }, runId: string): Promise<StudyAnalysis | undefined> {
    const loaded = target.studyUri
      ? await this.load(target.studyUri)
      : target.itemsUri
        ? await this.implicitStudy(target.itemsUri.fsPath)
        : undefined;
    if (!loaded) return undefined;
    const analysis = await this.analyse(loaded, target.dir, false, [runId]);
    if (!analysis) return undefined;
    this.latest = analysis;
    this.deps.showAnalysis(analysis);
    return analysis;
  }

  /** The analysis of a study's corpus (or of `corpus`), its units into the item lenses; errors are shown. */
  async analyse(loaded: ReadyStudy, corpus?: string, quiet = false, runIds?: readonly string[]): Promise<StudyAnalysis | undefined> {
    try {
      const options = { ...(corpus ? { corpus } : {}), ...(runIds ? { runIds } : {}) };
      // In a worker thread: it loads a study file itself and takes an items file's implicit study as built here.
      const workers = this.deps.analysis;
      const given = STUDY_FILE.test(loaded.study.path) ? undefined : loaded;
      const { analysis, badLines, badManifests, units } = workers
        ? await workers.analyse(loaded.study.path, options, given).then((r) => ({ ...r, units: { groups: r.items } }))
        : await inProcessAnalyzeCorpus()(loaded, options).then((r) => ({ ...r, units: r.selection.units }));
      if (!corpus) this.deps.index.setStudy(loaded, units, analysis.firstTokenText);
      if (badLines.length || badManifests.length) {
        this.deps.logger.warn(
          `${loaded.study.name}: ${analysis.counts.skipped['bad-line'] ?? badLines.length} unreadable line(s)${badLines[0] ? `, first ${badLines[0].file}:${badLines[0].line}` : ''}; ${badManifests.length} unreadable manifest(s)`,
        );
      }
      return analysis;
    } catch (error) {
      if (!quiet) await this.fail(error, loaded.study);
      else this.deps.logger.warn(`${loaded.study.name}: cannot analyse: ${String(error)}`);
      return undefined;
    }
  }

  /** Open Results File: any corpus folder or results file, analysed with an items file's implicit study or a study file. */
  async openResultsFile(target?: vscode.Uri): Promise<StudyAnalysis | undefined> {
    const picked =
      target instanceof vscode.Uri
        ? [target]
        : await vscode.window.showOpenDialog({
            canSelectFiles: true,
            canSelectFolders: true,
            canSelectMany: false,
            title: vscode.l10n.t('Results to open: a corpus folder, records.jsonl or a results .jsonl file'),
            openLabel: vscode.l10n.t('Open Results'),
          });
    const corpus = picked?.[0]?.fsPath;
    if (!corpus) return undefined;
    const choices: (vscode.QuickPickItem & { uri?: vscode.Uri })[] = [];
    for (const uri of await vscode.workspace.findFiles('**/*.{wvs,study.json}', '**/node_modules/**', 200)) {
      const isStudy = STUDY_FILE.test(uri.fsPath);
      choices.push({
        label: vscode.workspace.asRelativePath(uri),
        description: isStudy ? vscode.l10n.t('study') : vscode.l10n.t('items file (implicit study)'),
        uri,
      });
    }
    choices.push({ label: vscode.l10n.t('Choose a file…'), description: vscode.l10n.t('a .wvs items file or a .study.json study') });
    const pick = await vscode.window.showQuickPick(choices, { title: vscode.l10n.t('Analyse the results with which items or study?') });
    if (!pick) return undefined;
    let design = pick.uri;
    if (!design)
      design = (
        await vscode.window.showOpenDialog({ canSelectMany: false, filters: { [vscode.l10n.t('Items or study')]: ['wvs', 'json'] } })
      )?.[0];
    if (!design) return undefined;
    const loaded = STUDY_FILE.test(design.fsPath) ? await this.load(design) : await this.implicitStudy(design.fsPath);
    if (!loaded) return undefined;
    const analysis = await this.analyse(loaded, corpus);
    if (!analysis) return undefined;
    this.latest = analysis;
    this.deps.showAnalysis(analysis);
    if (analysis.counts.used === 0) {
      void vscode.window.showWarningMessage(
        vscode.l10n.t(
          'Value Lens: none of the {0} record(s) matched the items of {1} ({2} stale, {3}).',
          analysis.counts.read,
          vscode.workspace.asRelativePath(design),
          analysis.counts.stale,
          Object.entries(analysis.counts.skipped)
            .map(([k, v]) => `${v} ${k}`)
            .join(', ') || vscode.l10n.t('none skipped'),
        ),
      );
    }
    return analysis;
  }

  /** The implicit study of an items file: its items, its languages, the settings' language→country map. */
  async implicitStudy(itemsPath: string): Promise<ReadyStudy | undefined> {
    let text: string;
    try {
      text = await readFile(itemsPath, 'utf8');
    } catch (error) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Value Lens: cannot read {0}: {1}', itemsPath, (error as Error).message));
      return undefined;
    }
    const file = parseSurvey(text);
    const study: Study = {
      path: itemsPath,
      name: implicitStudyName(itemsPath),
      hash: '',
      items: [{ file: itemsPath }],
      templates: [],
      languages: file.header.languages.map((l) => l.value),
      countries: [],
      languageCountries: readRunSettings().languageCountries,
      models: [],
      method: 'auto',
      samples: STUDY_DEFAULTS.samples,
      seed: STUDY_DEFAULTS.seed,
      rounds: STUDY_DEFAULTS.rounds,
      optionOrders: [...STUDY_DEFAULTS.optionOrders],
      human: [],
      imports: [],
      results: implicitCorpusDir(itemsPath),
      analysis: structuredClone(STUDY_DEFAULTS.analysis),
      confirmAbove: STUDY_DEFAULTS.confirmAbove,
    };
    return { study, diagnostics: [], surveys: [{ path: itemsPath, file }], templates: [], human: this.deps.human() };
  }

  /** On activation: the lenses of items get the results of every study of the workspace that has some. */
  async indexWorkspaceStudies(): Promise<number> {
    let n = 0;
    for (const uri of await vscode.workspace.findFiles('**/*.study.json', '**/node_modules/**', 100)) {
      const loaded = await this.load(uri, true).catch(() => undefined);
      if (!loaded) continue;
      const analysis = await this.analyse(loaded, undefined, true);
      if (analysis && analysis.counts.read > 0) {
        n++;
        this.latest ??= analysis;
      }
    }
    return n;
  }

  cancelAll(): number {
    const n = this.active.size;
    for (const c of this.active) c.abort();
    return n;
  }

  private async fail(error: unknown, study: Study): Promise<void> {
    const e = error as { kind?: string; message?: string; status?: number };
    const model = study.models[0];
    const advice = adviseError(
      { kind: e.kind ?? 'other', message: e.message ?? String(error), status: e.status },
      { provider: model?.provider ?? 'ollama', endpoint: model?.endpoint ?? '', model: model?.model ?? '' },
      t,
    );
    await this.offer(
      `${study.name}: ${advice.message}`,
      advice.actions.filter((a) => a !== 'pullModel' && a !== 'useSampling'),
    );
  }

  private async offer(message: string, actions: readonly AdviceAction[]): Promise<void> {
    this.deps.logger.error(message);
    const list = actions.includes('showLog') ? actions : [...actions, 'showLog' as const];
    const choice = await vscode.window.showErrorMessage(`Value Lens: ${message}`, ...list.map((a) => actionLabel(a, t)));
    const action = list.find((a) => actionLabel(a, t) === choice);
    if (action === 'openSettings') void vscode.commands.executeCommand('workbench.action.openSettings', 'valueLens');
    else if (action === 'showLog') void vscode.commands.executeCommand('valueLens.showLog');
    else if (action === 'setApiKey') void vscode.commands.executeCommand('valueLens.setApiKey');
    else if (action === 'selectModel') void vscode.commands.executeCommand('valueLens.selectModel');
  }

  dispose(): void {
    for (const detach of this.detachers.values()) detach();
    this.cancelAll();
    this.diagnostics.dispose();
    this.deps.analysis?.dispose();
  }
}
