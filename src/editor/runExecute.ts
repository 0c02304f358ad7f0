// Runs a prepared plan under a cancellable progress notification: one entry of the progress board per run
// (concurrent runs each keep their own numbers), records handed on as they arrive, cancellation through the
// caller's AbortController.
import * as vscode from 'vscode';
import type { Logger } from '../core/log';
import type { RunRecord } from '../core/results';
import type { ResultsStore } from '../core/run/store';
import { ResultCache } from '../core/run/cache';
import type { PlannedRequest } from '../core/run/plan';
import { runPlan, type RunSummary } from '../core/run/runner';
import type { ProgressBoard } from './progressBoard';
import { providerLookup, type ResolvedProvider } from './providerFactory';

export interface ExecuteInput {
  runId: string;
  plan: PlannedRequest[];
  resolved: ResolvedProvider;
  model: string;
  cacheDir?: string;
  store: ResultsStore;
  concurrency: number;
  runOptions: { timeoutMs: number; firstRequestTimeoutMs: number };
  controller: AbortController;
  board: ProgressBoard;
  logger: Logger;
  onRecord(record: RunRecord): void;
}

/** `12/40 · 2 failed · 5 cached`. */
export function progressMessage(p: { done: number; total: number; failed: number; cached: number }): string {
  return `${p.done}/${p.total}${p.failed ? ` · ${vscode.l10n.t('{0} failed', p.failed)}` : ''}${p.cached ? ` · ${vscode.l10n.t('{0} cached', p.cached)}` : ''}`;
}

export function executeRun(input: ExecuteInput): Thenable<RunSummary> {
  return vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: vscode.l10n.t('Value Lens: scoring with {0}', input.model),
      cancellable: true,
    },
    async (progress, token) => {
      const sub = token.onCancellationRequested(() => input.controller.abort());
      let reported = 0;
      try {
        return await runPlan(input.plan, {
          providers: providerLookup(input.resolved),
          cache: input.cacheDir ? new ResultCache(input.cacheDir) : undefined,
          store: input.store,
          runId: input.runId,
          concurrencyPerEndpoint: input.concurrency > 0 ? input.concurrency : undefined,
          ...input.runOptions,
          signal: input.controller.signal,
          logger: input.logger,
          onProgress: (p) => {
            input.board.set(input.runId, p);
            const pct = Math.floor((p.done / p.total) * 100);
            progress.report({ message: progressMessage(p), increment: pct - reported });
            reported = pct;
          },
          onRecord: input.onRecord,
        });
      } finally {
        sub.dispose();
        input.board.delete(input.runId);
      }
    },
  );
}
