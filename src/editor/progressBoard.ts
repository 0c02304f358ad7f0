// Progress of every run in flight (item scoring and studies), one entry per run: concurrent runs each
// report their own numbers, and the panel shows their sum. Pure.
import type { RunProgress } from '../core/run/runner';

export class ProgressBoard {
  private readonly runs = new Map<string, RunProgress>();

  set(runId: string, progress: RunProgress): void {
    this.runs.set(runId, { ...progress });
  }

  delete(runId: string): void {
    this.runs.delete(runId);
  }

  get(runId: string): RunProgress | undefined {
    return this.runs.get(runId);
  }

  get size(): number {
    return this.runs.size;
  }

  /** The sum over the runs in flight, or null when none is. */
  total(): RunProgress | null {
    if (this.runs.size === 0) return null;
    const sum: RunProgress = { done: 0, total: 0, failed: 0, cached: 0 };
    for (const p of this.runs.values()) {
      sum.done += p.done;
      sum.total += p.total;
      sum.failed += p.failed;
      sum.cached += p.cached;
    }
    return sum;
  }
}
