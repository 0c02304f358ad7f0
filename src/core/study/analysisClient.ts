// The caller's side of the analysis worker (analysisWorker.ts): open a study's corpus once, append the
// records a run writes, and ask for the analysis. Requests made while one is running are coalesced: at
// most one analysis runs and one waits, and every waiting caller gets the newest (a run's progress may ask
// for a refresh per record; the worker analyses as often as it can keep up, never per record).
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { RunRecord } from '../results';
import type { WorkerAnalysis, WorkerOpenOptions, WorkerReply, WorkerRequest } from './analysisProtocol';
import type { ReadyStudy } from './types';

export interface AnalysisWorkerOptions {
  /** The worker script: default dist/cli.js beside the running bundle (src/cli.ts serves as the worker). */
  file?: string;
  /** Extra Node flags for the worker (tests run the TypeScript entry with ['--import', 'tsx']). */
  execArgv?: string[];
}

export class AnalysisWorker {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(reply: WorkerReply): void; reject(error: Error): void }>();
  private running: Promise<WorkerAnalysis> | undefined;
  private queued: Promise<WorkerAnalysis> | undefined;
  private failed: Error | undefined;
  /** Records appended since the last analysis started (0: the last analysis is current). */
  private appended = 0;

  constructor(options: AnalysisWorkerOptions = {}) {
    this.worker = new Worker(options.file ?? join(__dirname, 'cli.js'), options.execArgv ? { execArgv: options.execArgv } : {});
    this.worker.on('message', (reply: WorkerReply) => {
      const waiter = this.pending.get(reply.id);
      if (!waiter) return;
      this.pending.delete(reply.id);
      if (reply.type === 'error') waiter.reject(new Error(reply.message));
      else waiter.resolve(reply);
    });
    const fail = (error: Error): void => {
      this.failed = error;
      for (const w of this.pending.values()) w.reject(error);
      this.pending.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`analysis worker exited (${code})`)));
  }

  private request(message: WorkerRequest & { id: number }): Promise<WorkerReply> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      this.pending.set(message.id, { resolve, reject });
      this.worker.postMessage(message);
    });
  }

  /** Reads the study's corpus into the worker (replacing anything opened before). */
  async open(studyPath: string, options: WorkerOpenOptions = {}, loaded?: ReadyStudy): Promise<void> {
    await this.request({ type: 'open', id: this.nextId++, studyPath, options, ...(loaded ? { loaded } : {}) });
    this.appended = 0;
  }

  /** Records a run just wrote: added to the worker's selection (no re-read). */
  append(records: readonly RunRecord[]): void {
    if (!records.length || this.failed) return;
    this.appended += records.length;
    this.worker.postMessage({ type: 'append', records: [...records] } satisfies WorkerRequest);
  }

  /** The analysis of everything opened and appended so far (coalesced: see the file's comment). */
  analyze(generatedAt?: string): Promise<WorkerAnalysis> {
    if (this.running && this.appended === 0 && !this.queued) return this.running;
    if (this.running) {
      this.queued ??= this.running
        .catch(() => undefined)
        .then(() => {
          this.queued = undefined;
          return this.start(generatedAt);
        });
      return this.queued;
    }
    return this.start(generatedAt);
  }

  private start(generatedAt?: string): Promise<WorkerAnalysis> {
    this.appended = 0;
    const run = this.request({ type: 'analyze', id: this.nextId++, ...(generatedAt ? { generatedAt } : {}) }).then((reply) => {
      if (reply.type !== 'analysis') throw new Error(`analysis worker: unexpected ${reply.type}`);
      const { type: _type, id: _id, ...result } = reply;
      return result;
    });
    this.running = run;
    const clear = (): void => {
      if (this.running === run) this.running = undefined;
    };
    run.then(clear, clear);
    return run;
  }

  async dispose(): Promise<void> {
    await this.worker.terminate();
  }
}
