// The editor's study analyses in worker threads (src/core/study/analysisClient.ts): one worker per study,
// so that reading a large corpus and the bootstraps never run on the extension host's main thread. An
// explicit open (Open Results, the end of a run) re-reads the corpus — records may come from a CLI run in a
// terminal — and keeps the state; during a run the records it writes are appended and the panel refreshed
// from that state at most once per REFRESH_MS, without re-reading.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AnalysisWorker } from '../core/study/analysisClient';
import type { WorkerAnalysis, WorkerOpenOptions } from '../core/study/analysisProtocol';
import type { RunRecord } from '../core/results';
import type { ReadyStudy } from '../core/study/types';

const REFRESH_MS = 1000;

/**
 * The worker's script: dist/cli.js, beside dist/extension.js, which runs as the analysis worker when started
 * as a worker thread (src/cli.ts) — one copy of the core in the VSIX instead of a separate worker bundle.
 * Undefined when run from source (tests), where there is no bundle and analyses stay on the caller's thread.
 */
export function analysisWorkerScript(distDir: string): string | undefined {
  const file = join(distDir, 'cli.js');
  return existsSync(file) ? file : undefined;
}

export class AnalysisWorkers {
  private readonly workers = new Map<string, { worker: AnalysisWorker; opened: Promise<void>; live: boolean }>();
  private readonly lastRefresh = new Map<string, number>();

  constructor(private readonly file: string) {}

  /**
   * Reads the study's corpus in its worker and analyses it (a fresh state: what analyzeCorpus gives). The
   * worker loads the study file at `studyPath`, or takes `loaded` as it is (an items file's implicit study).
   */
  async analyse(studyPath: string, options: WorkerOpenOptions = {}, loaded?: ReadyStudy): Promise<WorkerAnalysis> {
    let entry = this.workers.get(studyPath);
    if (!entry) {
      entry = { worker: new AnalysisWorker({ file: this.file }), opened: Promise.resolve(), live: false };
      this.workers.set(studyPath, entry);
    }
    // Only the study's own whole corpus takes a run's appends; one run's or another folder's view does not.
    entry.live = !options.corpus && !options.runIds;
    const opened = entry.worker.open(studyPath, options, loaded);
    entry.opened = opened.catch(() => undefined);
    try {
      await opened;
      return await entry.worker.analyze();
    } catch (error) {
      // A dead worker is replaced on the next open.
      await entry.worker.dispose().catch(() => undefined);
      this.workers.delete(studyPath);
      throw error;
    }
  }

  /** Whether the study's whole corpus is open here (so that a run's records can be appended). */
  isOpen(studyPath: string): boolean {
    return this.workers.get(studyPath)?.live === true;
  }

  /** Records a run of the study just wrote; ignored unless its corpus is open. */
  append(studyPath: string, records: readonly RunRecord[]): void {
    const entry = this.workers.get(studyPath);
    if (entry?.live) void entry.opened.then(() => entry.worker.append(records));
  }

  /**
   * The analysis after the appends, at most once per REFRESH_MS per study (undefined when skipped or not
   * open); the worker coalesces requests that arrive while one runs.
   */
  async refresh(studyPath: string, now = Date.now()): Promise<WorkerAnalysis | undefined> {
    const entry = this.workers.get(studyPath);
    if (!entry?.live) return undefined;
    if (now - (this.lastRefresh.get(studyPath) ?? 0) < REFRESH_MS) return undefined;
    this.lastRefresh.set(studyPath, now);
    await entry.opened;
    return entry.worker.analyze();
  }

  dispose(): void {
    for (const { worker } of this.workers.values()) void worker.dispose();
    this.workers.clear();
  }
}
