// One open panel's behaviour, without `vscode`: validate what the webview sends, keep the filter, compute
// reports in the host (so the webview only receives compact series), throttle live updates, export.
// src/panel/index.ts wires it to a real WebviewPanel; tests drive it with fakes.
import type { AnalysisFilter, AnalysisReport } from '../core/analysis';
import type { Logger } from '../core/log';
import type { StudyAnalysis } from '../core/study/analysisTypes';
import {
  describeRejected,
  isStudyViewId,
  parseWebviewMessage,
  type ExportId,
  type HostMessage,
  type PanelState,
  type RunProgress,
  type WebviewMessage,
} from '../shared/protocol';
import { chartTable, tableToStrings } from '../shared/tables';
import { studyTable } from '../shared/study-tables';
import { toCsv } from '../core/data/export';
import { throttle, systemClock, type Clock, type Throttled } from './throttle';

export interface PanelDeps {
  computeReport(filter: AnalysisFilter): AnalysisReport;
  logger: Logger;
  /** Optional: progress of the run in flight, shown above the charts. */
  getProgress?(): RunProgress | null;
  /** Optional: reveal an item (by opaque id) in its .wvs file. */
  openItem?(itemId: string): void | Promise<void>;
  /** Optional: a CSV writer to use instead of src/core/data's formula-neutralising `toCsv`. */
  toCsv?(rows: string[][]): string;
  /**
   * Optional: the workspace study's latest analysis, asked for when a webview (re)loads and no analysis
   * was handed to showStudy yet; undefined when there is none. May be slow: never called per live update.
   */
  loadStudy?(): StudyAnalysis | undefined | Promise<StudyAnalysis | undefined>;
}

export interface PanelIO {
  post(message: HostMessage): PromiseLike<boolean> | boolean | void;
  /** Asks the user where to save; resolves to a display path, or undefined when cancelled. */
  saveFile(suggestedName: string, data: Uint8Array, kind: 'csv' | 'png'): Promise<string | undefined>;
}

export interface SessionOptions {
  /** Minimum gap between report posts; 250 ms = at most 4 updates per second. */
  intervalMs?: number;
  clock?: Clock;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export class PanelSession {
  private state: PanelState;
  private ready = false;
  private disposed = false;
  private lastReport: AnalysisReport | undefined;
  private study: StudyAnalysis | null | undefined;
  private readonly update: Throttled;

  constructor(
    private readonly deps: PanelDeps,
    private readonly io: PanelIO,
    initial: PanelState = { filter: {} },
    options: SessionOptions = {},
  ) {
    this.state = { ...initial, filter: { ...initial.filter } };
    this.update = throttle(() => this.postReport(), options.intervalMs ?? 250, options.clock ?? systemClock);
  }

  get filter(): AnalysisFilter {
    return { ...this.state.filter };
  }

  get isReady(): boolean {
    return this.ready;
  }

  /** New results or progress: re-post the report, at most once per interval, the last call always lands. */
  refresh(): void {
    if (this.ready && !this.disposed) this.update();
  }

  /** Entry point for `webview.onDidReceiveMessage`; never throws. */
  async handleMessage(raw: unknown): Promise<void> {
    if (this.disposed) return;
    const message = parseWebviewMessage(raw);
    if (!message) {
      this.deps.logger.warn(`Alignment panel: ignored ${describeRejected(raw)}`);
      return;
    }
    try {
      await this.dispatch(message);
    } catch (error) {
      this.deps.logger.error(`Alignment panel: ${message.type} failed: ${errorText(error)}`);
      this.post({ type: 'error', message: `${message.type} failed: ${errorText(error)}` });
    }
  }

  dispose(): void {
    this.disposed = true;
    this.update.dispose();
  }

  /** Shows a study's analysis in the study views (null removes them); kept for webview reloads. */
  showStudy(analysis: StudyAnalysis | null): void {
    this.study = analysis;
    if (this.ready && !this.disposed) this.post({ type: 'study', analysis });
  }

  private async postStudy(): Promise<void> {
    if (this.study === undefined && this.deps.loadStudy) {
      try {
        const loaded = await this.deps.loadStudy();
        // A showStudy call while loading wins: it is newer.
        if (this.study === undefined && loaded) this.study = loaded;
      } catch (error) {
        this.deps.logger.error(`Alignment panel: loading the study analysis failed: ${errorText(error)}`);
        this.post({ type: 'error', message: `Could not load the study analysis: ${errorText(error)}` });
        return;
      }
    }
    if (this.study && !this.disposed) this.post({ type: 'study', analysis: this.study });
  }

  private async dispatch(message: WebviewMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        // A reloaded webview sends ready again: answer every time, immediately, and start the throttle
        // window from this post so live updates right after it are spaced too.
        this.ready = true;
        this.update();
        this.update.flush();
        await this.postStudy();
        return;
      case 'setFilter':
        this.state = { ...this.state, filter: message.filter };
        this.refresh();
        return;
      case 'exportCsv':
        return this.exportCsv(message.chart);
      case 'exportPng':
        return this.exportPng(message.chart, message.dataUrl);
      case 'openItem':
        if (this.deps.openItem) await this.deps.openItem(message.itemId);
        else this.deps.logger.debug('Alignment panel: openItem not available');
        return;
      default: {
        const never: never = message;
        return never;
      }
    }
  }

  private report(): AnalysisReport {
    return this.deps.computeReport(this.state.filter);
  }

  private postReport(): void {
    if (this.disposed || !this.ready) return;
    let report: AnalysisReport;
    try {
      report = this.report();
    } catch (error) {
      this.deps.logger.error(`Alignment panel: computing the report failed: ${errorText(error)}`);
      this.post({ type: 'error', message: `Could not compute the analysis: ${errorText(error)}` });
      return;
    }
    this.lastReport = report;
    this.post({ type: 'report', report, filter: this.filter, progress: this.deps.getProgress?.() ?? null });
  }

  private async exportCsv(chart: ExportId): Promise<void> {
    let rows: string[][];
    if (isStudyViewId(chart)) {
      if (!this.study) {
        this.post({ type: 'error', message: 'There is no study analysis to export.' });
        return;
      }
      rows = tableToStrings(studyTable(this.study, chart));
    } else {
      rows = tableToStrings(chartTable(this.lastReport ?? this.report(), chart));
    }
    const csv = (this.deps.toCsv ?? toCsv)(rows);
    const where = await this.io.saveFile(`value-lens-${chart}.csv`, new TextEncoder().encode(csv), 'csv');
    if (where !== undefined && !this.disposed) this.post({ type: 'notice', message: `Saved ${chart} table to ${where}` });
  }

  private async exportPng(chart: ExportId, dataUrl: string): Promise<void> {
    const bytes = Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64');
    if (bytes.length < PNG_SIGNATURE.length || PNG_SIGNATURE.some((b, i) => bytes[i] !== b)) {
      this.deps.logger.warn('Alignment panel: ignored exportPng without a PNG signature');
      return;
    }
    const where = await this.io.saveFile(`value-lens-${chart}.png`, new Uint8Array(bytes), 'png');
    if (where !== undefined && !this.disposed) this.post({ type: 'notice', message: `Saved ${chart} chart to ${where}` });
  }

  private post(message: HostMessage): void {
    if (this.disposed) return;
    try {
      const result = this.io.post(message);
      // postMessage rejects when the panel closed in between: nothing to do then.
      if (result && typeof (result as PromiseLike<boolean>).then === 'function') {
        (result as PromiseLike<boolean>).then(undefined, (error: unknown) =>
          this.deps.logger.debug(`Alignment panel: post failed: ${errorText(error)}`),
        );
      }
    } catch (error) {
      this.deps.logger.debug(`Alignment panel: post failed: ${errorText(error)}`);
    }
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
