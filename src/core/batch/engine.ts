// The provider batch engine: a run plan as batch jobs on an OpenAI-compatible Files + Batches API instead
// of live requests. Cached answers and planned failures need no line; every other distinct request becomes
// one input line (custom_id = cache key), one batch per (endpoint, chat or completions), uploaded, created
// and polled with backoff. The state of each batch lives in the study's folder (state.ts): a restarted run
// resumes polling what it finds there and never submits those lines again. On completion the output and
// error files are downloaded and imported (importLines.ts); records reach the corpus only then, all at once,
// so a killed process leaves no half run behind. A cancel (the run's signal) cancels the batch on the server.

import { join } from 'node:path';
import { promises as fs } from 'node:fs';
import { nullLogger, redactingLogger, type Logger } from '../log';
import { ProviderError, type ProviderId } from '../model';
import type { RunRecord } from '../results';
import type { ResultCache } from '../run/cache';
import type { PlannedRequest } from '../run/plan';
import type { RunProgress, RunSummary } from '../run/runner';
import type { ResultsStore } from '../run/store';
import { importBatchLines, type ImportCounts } from './importLines';
import { writeInputFile } from './lines';
import { checkBatchable, failureOf, partitionPlan } from './partition';
import { batchProgress, batchesDir, readStates, saveState, statePath, unfinished, type BatchState } from './state';
import { TERMINAL_STATUSES, type BatchClient, type BatchCodec, type BatchInfo, type BatchProgress } from './types';

/** What runStudy hands a batch engine (the same things runPlan gets). */
export interface BatchRunContext {
  runId: string;
  /** The study's results folder: batches/ goes there. */
  resultsDir: string;
  cache?: ResultCache;
  store?: ResultsStore;
  fresh?: boolean;
  signal: AbortSignal;
  onProgress?(progress: RunProgress): void;
  logger?: Logger;
}

/** A run summary plus which batches it was (RunManifest.batch). */
export interface BatchRunSummary extends RunSummary {
  batch?: { id: string; provider: string; ids?: string[] };
  /** The counts of the lines read (offline import). */
  imported?: ImportCounts;
}

/** An export of the input file for an offline batch (`vllm run-batch`): nothing is run. */
export interface BatchExport {
  file: string;
  lines: number;
  bytes: number;
  cached: number;
  skipped: number;
}

/** What StudyRunEnvironment.batch takes: the OpenAI engine below, or the offline one (offline.ts). */
export interface BatchEngine {
  readonly provider: string;
  /** The run id of an unfinished batch of this plan (the restarted run continues that run); undefined: none. */
  resumeRunId?(plan: readonly PlannedRequest[], resultsDir: string): Promise<string | undefined>;
  /** Set on an export-only engine: runStudy writes the input file and runs nothing. */
  exportInput?(plan: readonly PlannedRequest[], ctx: Pick<BatchRunContext, 'cache' | 'fresh' | 'signal'>): Promise<BatchExport>;
  run(plan: readonly PlannedRequest[], ctx: BatchRunContext): Promise<BatchRunSummary>;
}

export interface PollPolicy {
  /** First wait between two retrieves (default 5 s). */
  firstMs: number;
  /** Longest wait (default 60 s). */
  maxMs: number;
  /** Growth per poll (default 1.5). */
  factor: number;
}

export const DEFAULT_POLL: PollPolicy = { firstMs: 5_000, maxMs: 60_000, factor: 1.5 };
/** OpenAI's limit of requests per batch. */
export const MAX_LINES_PER_BATCH = 50_000;
const CANCEL_TIMEOUT_MS = 30_000;
/** Consecutive failed retrieves (network, 5xx, 429) before a run gives up polling (the batch stays resumable). */
const MAX_POLL_STRIKES = 10;

export interface OpenAIBatchEngineOptions {
  /** The Files + Batches client of a model endpoint (the caller applies the key policy). */
  clientFor(provider: ProviderId, endpointUrl: string): BatchClient;
  codec: BatchCodec;
  poll?: Partial<PollPolicy>;
  /** Injectable waits (tests); rejects when the signal aborts. */
  sleep?(ms: number, signal: AbortSignal): Promise<void>;
  /** 'cancel' (default): a cancelled run cancels its batches on the server. 'detach': they keep running, and a later run resumes them. */
  onAbort?: 'cancel' | 'detach';
  /** Every change of a batch (status, counts, phase): for the editor's long-running task and the CLI's status line. */
  onBatch?(progress: BatchProgress): void;
  maxLinesPerBatch?: number;
}

export function createOpenAIBatchEngine(options: OpenAIBatchEngineOptions): BatchEngine {
  const poll: PollPolicy = { ...DEFAULT_POLL, ...options.poll };
  const wait = options.sleep ?? abortableSleep;
  const maxLines = Math.max(1, options.maxLinesPerBatch ?? MAX_LINES_PER_BATCH);

  const ours = (plan: readonly PlannedRequest[]): Set<string> => new Set(plan.filter((r) => !r.skip).map((r) => r.cacheKey));

  return {
    provider: 'openai',
    async resumeRunId(plan, resultsDir) {
      const keys = ours(plan);
      const { states } = await readStates(resultsDir);
      return unfinished(states).find((s) => s.customIds.some((k) => keys.has(k)))?.runId;
    },
    async run(plan, ctx) {
      checkBatchable(plan);
      const logger = redactingLogger(ctx.logger ?? nullLogger);
      const { runId, resultsDir, signal } = ctx;
      const part = await partitionPlan(plan, runId, ctx.cache, ctx.fresh ?? false);
      const { records, pending } = part;

      // Unfinished batches holding any of our keys are resumed; their keys are not submitted again.
      const { states, bad } = await readStates(resultsDir);
      for (const name of bad) logger.warn(`${join(batchesDir(resultsDir), name)}: not a readable batch state; ignored`);
      const jobs: { state: BatchState; resumed: boolean }[] = [];
      const covered = new Set<string>();
      for (const state of unfinished(states)) {
        if (!state.customIds.some((k) => pending.has(k))) continue;
        for (const k of state.customIds) covered.add(k);
        jobs.push({ state, resumed: true });
        logger.info(
          `resuming batch ${state.batchId ?? state.localId} (${state.phase}${state.status ? `, ${state.status}` : ''}, ${state.customIds.length} lines)`,
        );
      }

      // New batches for the rest, grouped by endpoint and URL, at most maxLines each.
      const groups = new Map<string, PlannedRequest[]>();
      for (const [key, indices] of pending) {
        if (covered.has(key)) continue;
        const req = plan[indices[0]];
        const { url } = options.codec.requestOf(req);
        const group = `${req.identity.provider} ${req.endpointUrl} ${url}`;
        let list = groups.get(group);
        if (!list) groups.set(group, (list = []));
        list.push(req);
      }
      let submittedLines = 0;
      let n = 0;
      await fs.mkdir(batchesDir(resultsDir), { recursive: true });
      for (const list of groups.values()) {
        for (let start = 0; start < list.length; start += maxLines) {
          const chunk = list.slice(start, start + maxLines);
          const localId = `local-${runId}-${n++}`;
          const inputFile = `${localId}.input.jsonl`;
          const written = await writeInputFile(join(batchesDir(resultsDir), inputFile), chunk, options.codec);
          const now = new Date().toISOString();
          const state: BatchState = {
            format: 1,
            localId,
            provider: chunk[0].identity.provider as ProviderId,
            endpointUrl: chunk[0].endpointUrl,
            url: written.url ?? '/v1/chat/completions',
            runId,
            createdAt: now,
            updatedAt: now,
            phase: 'written',
            inputFile,
            customIds: chunk.map((r) => r.cacheKey),
          };
          await saveState(resultsDir, state);
          submittedLines += written.lines;
          jobs.push({ state, resumed: false });
        }
      }

      const counts: ImportCounts = { results: 0, failed: 0, missing: 0, unknown: 0, badLines: 0 };
      let cancelled = false;
      await Promise.all(
        jobs.map(async (job) => {
          const outcome = await drive(job.state, job.resumed);
          if (outcome === 'aborted') {
            cancelled = true;
            return;
          }
          const imported = await importBatch(job.state);
          for (const k of Object.keys(counts) as (keyof ImportCounts)[]) counts[k] += imported[k];
        }),
      );

      // Whatever is still pending was not answered (the run was cancelled, or a batch never finished).
      for (const [, indices] of pending) {
        for (const i of indices)
          records[i] ??= failureOf(plan[i], runId, { kind: 'cancelled', message: 'The run was cancelled before its batch completed' }, 0);
      }
      const all = records as RunRecord[];
      let writeFailures = 0;
      if (ctx.store) {
        const store = ctx.store;
        const results = await Promise.allSettled(all.map((r) => store.append(r)));
        writeFailures = results.filter((r) => r.status === 'rejected').length;
      }
      const failed = all.filter((r) => r.kind === 'failure').length;
      ctx.onProgress?.({ done: all.length, total: plan.length, failed, cached: part.cached });
      const ids = jobs.map((j) => j.state.batchId ?? j.state.localId);
      logger.info(
        `run ${runId}: ${jobs.length} batch(es), ${submittedLines} line(s) submitted, ${counts.results} answered, ${counts.failed} failed line(s), ${counts.missing} missing, ${part.cached} cached${cancelled ? ', cancelled' : ''}`,
      );
      return {
        runId,
        records: all,
        requestsSent: submittedLines,
        cancelled,
        writeFailures,
        ...(ids.length ? { batch: { id: ids[0], provider: 'openai', ...(ids.length > 1 ? { ids } : {}) } } : {}),
      };

      function report(state: BatchState, resumed: boolean): void {
        try {
          options.onBatch?.(batchProgress(resultsDir, state, resumed));
        } catch (error) {
          logger.error(`a batch listener threw: ${error instanceof Error ? error.message : String(error)}`);
        }
      }

      async function update(state: BatchState, patch: Partial<BatchState>, resumed: boolean): Promise<void> {
        Object.assign(state, patch, { updatedAt: new Date().toISOString() });
        await saveState(resultsDir, state);
        report(state, resumed);
      }

      function infoPatch(info: BatchInfo): Partial<BatchState> {
        return {
          status: info.status,
          ...(info.outputFileId ? { outputFileId: info.outputFileId } : {}),
          ...(info.errorFileId ? { errorFileId: info.errorFileId } : {}),
          ...(info.requestCounts ? { requestCounts: info.requestCounts } : {}),
          ...(info.errors?.length ? { errors: info.errors } : {}),
        };
      }

      /** Uploads, creates and polls one batch until it is terminal; 'aborted' when the run was cancelled first. */
      async function drive(state: BatchState, resumed: boolean): Promise<'done' | 'aborted'> {
        const client = options.clientFor(state.provider, state.endpointUrl);
        report(state, resumed);
        try {
          if (state.phase === 'written') {
            const fileId = await client.uploadFile(join(batchesDir(resultsDir), state.inputFile), signal);
            await update(state, { phase: 'uploaded', inputFileId: fileId }, resumed);
          }
          if (state.phase === 'uploaded') {
            const info = await client.createBatch(state.inputFileId!, state.url, signal);
            await update(state, { phase: 'submitted', batchId: info.id, ...infoPatch(info) }, resumed);
            logger.info(`batch ${info.id} created at ${client.origin}: ${state.customIds.length} line(s)`);
          }
          let delay = poll.firstMs;
          let strikes = 0;
          while (!state.status || !TERMINAL_STATUSES.has(state.status)) {
            await wait(delay, signal);
            delay = Math.min(poll.maxMs, Math.round(delay * poll.factor));
            let info: BatchInfo;
            try {
              info = await client.retrieveBatch(state.batchId!, signal);
              strikes = 0;
            } catch (error) {
              // A batch runs for hours: a network blip or a 5xx while polling is waited out, a few times.
              if (signal.aborted || !(error instanceof ProviderError && error.retryable) || ++strikes > MAX_POLL_STRIKES) throw error;
              logger.warn(`batch ${state.batchId}: polling failed (${error.message}); trying again`);
              continue;
            }
            const changed = info.status !== state.status || JSON.stringify(info.requestCounts) !== JSON.stringify(state.requestCounts);
            if (changed) await update(state, infoPatch(info), resumed);
          }
          return 'done';
        } catch (error) {
          if (!signal.aborted) throw error;
          await onCancel(state, client, resumed);
          return 'aborted';
        }
      }

      async function onCancel(state: BatchState, client: BatchClient, resumed: boolean): Promise<void> {
        if ((options.onAbort ?? 'cancel') === 'detach') return;
        if (!state.batchId) {
          // Nothing was submitted: forget the batch so the next run starts afresh.
          await fs.rm(statePath(resultsDir, state), { force: true }).catch(() => undefined);
          return;
        }
        try {
          const info = await client.cancelBatch(state.batchId, AbortSignal.timeout(CANCEL_TIMEOUT_MS));
          await update(state, { phase: 'cancel-requested', ...infoPatch(info) }, resumed);
          logger.info(`batch ${state.batchId}: cancel requested (${info.status})`);
        } catch (error) {
          await update(state, { phase: 'cancel-requested' }, resumed).catch(() => undefined);
          logger.warn(`batch ${state.batchId}: the cancel request failed: ${error instanceof Error ? error.message : String(error)}`);
        }
      }

      async function importBatch(state: BatchState): Promise<ImportCounts> {
        const client = options.clientFor(state.provider, state.endpointUrl);
        const files: string[] = [];
        for (const [fileId, suffix] of [
          [state.outputFileId, 'output'],
          [state.errorFileId, 'errors'],
        ] as const) {
          if (!fileId) continue;
          const path = join(batchesDir(resultsDir), `${state.batchId}.${suffix}.jsonl`);
          await client.downloadFile(fileId, path, signal);
          files.push(path);
        }
        const why =
          state.status === 'completed'
            ? 'the batch completed without a line for this request'
            : `the batch ended ${state.status}${state.errors?.length ? ` (${state.errors.join('; ')})` : ''} before answering this request`;
        const imported = await importBatchLines({
          files,
          customIds: state.customIds,
          url: state.url,
          plan,
          pending,
          records,
          runId,
          codec: options.codec,
          ...(ctx.cache ? { cache: ctx.cache } : {}),
          missingError: {
            kind: state.status === 'completed' ? 'batch-missing' : `batch-${state.status ?? 'unknown'}`,
            message: `No answer: ${why}`,
          },
          logger,
        });
        await update(state, { phase: 'imported', imported: { at: new Date().toISOString(), ...imported } }, false);
        return imported;
      }
    },
  };
}

export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
