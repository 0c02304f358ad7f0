// Where a run's records go as they are made: the run's list (in plan order), the progress counts, the
// results store (a failed write is counted, never thrown) and the caller's listeners (one that throws is
// logged and does not stop the run).

import type { Logger } from '../log';
import type { RunRecord } from '../results';
import { describe } from './outcome';
import type { RunProgress } from './progress';
import type { ResultsStore } from './store';

export interface SinkOptions {
  store?: ResultsStore;
  onRecord?(r: RunRecord): void;
  onProgress?(p: RunProgress): void;
  logger: Logger;
}

export class RecordSink {
  readonly records: RunRecord[];
  readonly progress: RunProgress;
  /** Records the store could not write. */
  writeFailures = 0;

  constructor(
    total: number,
    private readonly options: SinkOptions,
  ) {
    this.records = new Array<RunRecord>(total);
    this.progress = { done: 0, total, failed: 0, cached: 0 };
  }

  /** The plan was longer than announced: the total grows with what is pulled. */
  pulled(count: number): void {
    if (count > this.progress.total) this.progress.total = count;
  }

  async add(index: number, record: RunRecord): Promise<void> {
    const { store, logger } = this.options;
    this.records[index] = record;
    this.progress.done++;
    if (record.kind === 'failure') this.progress.failed++;
    else if (record.cached) this.progress.cached++;
    if (store) {
      const written = store.append(record);
      // The last record (or the last one a cancel produced) need not wait out the store's coalescing.
      if (this.progress.done >= this.progress.total) void store.flush();
      try {
        await written;
      } catch (error) {
        this.writeFailures++;
        logger.error(`could not append to ${store.path}: ${describe(error)}`);
      }
    }
    this.safely(() => this.options.onRecord?.(record));
    this.safely(() => this.options.onProgress?.({ ...this.progress }));
  }

  /** The list holds exactly the requests pulled (an announced total may have been too large). */
  close(pulled: number): void {
    this.records.length = pulled;
  }

  private safely(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.options.logger.error(`a run listener threw: ${describe(error)}`);
    }
  }
}
