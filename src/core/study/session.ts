// Running a study, the one code path behind `value-lens run|score <study>` and the editor's Run Study:
// resolve each model's digest and method (run/prepare.ts), plan the factor product, estimate it against the
// cache, ask before a large run, then run it into the study's corpus with a manifest. Providers, probes and
// the confirmation come from the caller (the providers layer and the UI live outside core).

import type { Logger } from '../log';
import type { ModelProvider } from '../model';
import type { RunRecord, ScoringMethod } from '../results';
import type { ResultCache } from '../run/cache';
import type { PlannedRequest } from '../run/plan';
import { canonicalJson, sha256Hex } from '../run/key';
import { allCached, memoPlan, rememberable, writePlanMemo, type PlanMemo } from '../run/planMemo';
import { resolveMethod, type LogprobsProbe, type RunChoices } from '../run/prepare';
import { newRunId, resolveTimeouts, runPlan, type RunProgress, type RunSummary } from '../run/runner';
import { CorpusWriter, outcomeOf, writeManifest } from '../corpus/writer';
import type { BatchEngine, BatchExport, BatchRunSummary } from '../batch/engine';
import type { RunManifest } from '../corpus/types';
import { estimatePlan, planStudy, type PlanEstimate } from './plan';
import type { LoadedStudy, Study, StudyFilter, StudyModel } from './types';

export interface StudyRunEnvironment {
  /** A client for one model entry (the caller applies its key policy). */
  providerFor(model: StudyModel): ModelProvider;
  /** The logprobs probe for a model entry (src/providers/probe.ts), for method 'auto'. */
  probeFor(model: StudyModel, provider: ModelProvider): LogprobsProbe;
  /** The model's content digest (Ollama); undefined when the server reports none. */
  digestFor?(model: StudyModel, provider: ModelProvider, signal: AbortSignal): Promise<string | undefined>;
  cache: ResultCache;
  /** Folder of the cache (probes.json lives there). */
  cacheDir: string;
  via: RunManifest['via'];
  toolVersion: string;
  /** Asked when the plan has more requests to send than the study's confirmAbove; false: nothing is run. */
  confirm(estimate: PlanEstimate, study: Study): Promise<boolean>;
  /** Timeouts, concurrency and sampling choices the user made (flags or settings); the study's win. */
  choices?: RunChoices;
  concurrencyPerEndpoint?: number;
  fresh?: boolean;
  signal: AbortSignal;
  onPlanned?(estimate: PlanEstimate, methods: Record<string, ScoringMethod>): void;
  onProgress?(progress: RunProgress): void;
  /** Every record the run writes, as it is written (the panel's analysis worker appends them). */
  onRecord?(record: RunRecord): void;
  logger?: Logger;
  /**
   * Run the requests that are not cached as a provider batch job instead of live requests (core/batch,
   * docs/batch.md); an export-only engine writes the batch input file and runs nothing.
   */
  batch?: BatchEngine;
  /**
   * The plan memo of these inputs (core/run/planMemo.ts; the CLI's, named by its build, the study file's
   * and its items' and templates' bytes and the filter): a cached re-run takes its requests from it
   * instead of rendering and keying the whole factor product.
   */
  memo?: StudyMemo;
}

export interface StudyMemo {
  /** Where the memo of these inputs lives (planMemo.memoPath). */
  file: string;
  /** The memo read from `file`, if it was there and intact. */
  known?: PlanMemo;
  /** Why a memo file that was there was not used (torn, damaged, another format): never trusted. */
  ignored?: string;
}

/** What the run did with its plan memo (for the caller's log and the tests). */
export interface StudyMemoOutcome {
  /** The requests came from the memo (nothing rendered or keyed). */
  used: boolean;
  /** A memo file was there but not intact, and was not used. */
  ignored?: string;
  /** A memo of this plan was written after the run. */
  written: boolean;
}

export type StudyRunResult =
  | { status: 'declined'; estimate: PlanEstimate; methods: Record<string, ScoringMethod>; exported?: BatchExport }
  | {
      status: 'ran';
      estimate: PlanEstimate;
      methods: Record<string, ScoringMethod>;
      summary: RunSummary;
      manifest: RunManifest;
      plan: PlannedRequest[];
      memo?: StudyMemoOutcome;
    };

/** The study's models after the filter (all of them when the filter names none). */
export function studyModels(study: Study, filter?: StudyFilter): StudyModel[] {
  return filter?.models?.length ? study.models.filter((m) => filter.models!.includes(m.id)) : study.models;
}

export async function runStudy(
  loaded: LoadedStudy & { study: Study },
  filter: StudyFilter | undefined,
  env: StudyRunEnvironment,
): Promise<StudyRunResult> {
  const { study } = loaded;
  const digests: Record<string, string> = {};
  const methods: Record<string, ScoringMethod> = {};
  // Sampling choices come from the study itself (planStudy); the caller's choices only bound the attempts.
  const timeouts = resolveTimeouts(env.choices ?? {});
  const clients = new Map<string, ModelProvider>();
  for (const model of studyModels(study, filter)) {
    const key = clientKey(model.provider, model.endpoint);
    const provider = clients.get(key) ?? env.providerFor(model);
    clients.set(key, provider);
    if (env.digestFor) {
      const digest = await env.digestFor(model, provider, env.signal).catch(() => undefined);
      if (digest) digests[model.id] = digest;
    }
    // Method 'judge' needs no logprobs: its generations are sampled text, judged by a second request
    // (study/plan.ts judgeFactor, run/runner.ts); nothing to probe.
    if (study.method === 'judge') {
      methods[model.id] = 'sample';
      continue;
    }
    const decision = await resolveMethod({
      choice: study.method,
      endpoint: model.endpoint,
      model: model.model,
      digest: digests[model.id],
      probe: env.probeFor(model, provider),
      cacheDir: env.cacheDir,
      fresh: env.fresh,
      firstRequestTimeoutMs: timeouts.firstRequestTimeoutMs,
      signal: env.signal,
    });
    methods[model.id] = decision.method;
  }

  // The judge model gets a client (and its digest) even when the filter leaves it out of the scored models.
  const judgeEntry = study.method === 'judge' && study.judge ? study.models.find((m) => m.id === study.judge) : undefined;
  if (judgeEntry && !clients.has(clientKey(judgeEntry.provider, judgeEntry.endpoint))) {
    const provider = env.providerFor(judgeEntry);
    clients.set(clientKey(judgeEntry.provider, judgeEntry.endpoint), provider);
    if (env.digestFor && digests[judgeEntry.id] === undefined) {
      const digest = await env.digestFor(judgeEntry, provider, env.signal).catch(() => undefined);
      if (digest) digests[judgeEntry.id] = digest;
    }
  }

  const build = (): PlannedRequest[] => planStudy(loaded, { filter, digests, methods });
  // A remembered plan stands in when it was made from the same study (after the command's overrides),
  // filter, digests and methods, and every answer it names is cached: the re-run then renders nothing.
  const memo = env.memo;
  const paramsKey = memo ? studyParamsKey(study, filter, digests, methods) : '';
  const known = memo?.known?.params === paramsKey ? memo.known : undefined;
  const fromMemo = !!known && !env.fresh && (await allCached(env.cache, known.requests));
  let built: PlannedRequest[] | undefined;
  const full = (): PlannedRequest[] => (built ??= build());
  const plan = fromMemo ? [...memoPlan(known.requests, full)] : full();
  if (memo?.ignored) env.logger?.info(`plan memo ${memo.file} ignored: ${memo.ignored}`);
  if (fromMemo) env.logger?.info(`plan of ${plan.length} request(s) remembered from an earlier run of this study (every answer cached)`);
  // The estimate asks the cache's index only (no entry decoded): the run reads each entry once, later. From
  // the memo every answer was just found in the index: nothing to send, nothing to count again.
  const estimate: PlanEstimate = fromMemo
    ? { requests: plan.length, estimatedTokens: 0, cached: plan.filter((r) => !r.skip).length, skipped: plan.filter((r) => r.skip).length }
    : await estimatePlan(plan, (key) => (env.fresh ? false : env.cache.has(key)));
  env.onPlanned?.(estimate, methods);
  const toSend = estimate.requests - estimate.cached - estimate.skipped;
  if (toSend > study.confirmAbove && !(await env.confirm(estimate, study))) return { status: 'declined', estimate, methods };

  if (env.batch?.exportInput) {
    const exported = await env.batch.exportInput(plan, { cache: env.cache, fresh: env.fresh ?? false, signal: env.signal });
    return { status: 'declined', estimate, methods, exported };
  }
  // A restarted batch run continues the run of the batch it resumes (its records carry that run id).
  const runId = (await env.batch?.resumeRunId?.(plan, study.results)) ?? newRunId();
  const writer = new CorpusWriter(study.results);
  await writer.begin({
    runId,
    study: study.name,
    studyHash: study.hash,
    toolVersion: env.toolVersion,
    via: env.via,
    planned: plan.length,
    ...(filter ? { filter: filterRecord(filter) } : {}),
  });
  let summary: RunSummary & Pick<BatchRunSummary, 'batch'>;
  try {
    summary = env.batch
      ? await env.batch.run(plan, {
          runId,
          resultsDir: study.results,
          cache: env.cache,
          store: writer.store,
          ...(env.fresh ? { fresh: true } : {}),
          signal: env.signal,
          ...(env.onProgress ? { onProgress: env.onProgress } : {}),
          ...(env.logger ? { logger: env.logger } : {}),
        })
      : await runPlan(plan, {
          runId,
          providers: (provider, endpoint) => {
            const client = clients.get(clientKey(provider, endpoint));
            if (!client) throw new Error(`no client for ${provider} at ${endpoint}`);
            return client;
          },
          cache: env.cache,
          store: writer.store,
          timeoutMs: timeouts.timeoutMs,
          firstRequestTimeoutMs: timeouts.firstRequestTimeoutMs,
          ...(env.concurrencyPerEndpoint !== undefined ? { concurrencyPerEndpoint: env.concurrencyPerEndpoint } : {}),
          ...(env.fresh ? { fresh: true } : {}),
          signal: env.signal,
          ...(env.onProgress ? { onProgress: env.onProgress } : {}),
          ...(env.onRecord ? { onRecord: env.onRecord } : {}),
          ...(env.logger ? { logger: env.logger } : {}),
        });
  } catch (error) {
    await writer.finish({ scored: 0, failed: plan.length, cached: 0, status: 'failed' }).catch(() => undefined);
    throw error;
  }
  let manifest = await writer.finish(outcomeOf(summary));
  if (summary.batch) {
    manifest = { ...manifest, batch: summary.batch };
    await writeManifest(study.results, manifest);
  }
  // Remembered when no memo of these parameters was there: a shortcut for the next run; failing to write
  // one costs that run its planning, nothing else.
  let written = false;
  const requests = memo && !known && built ? rememberable(built) : undefined;
  if (memo && requests) {
    written = await writePlanMemo(memo.file, { params: paramsKey, template: '', requests }).then(
      () => true,
      (error: Error) => (env.logger?.debug(`plan memo not written: ${error.message}`), false),
    );
  }
  const memoOutcome: StudyMemoOutcome | undefined = memo
    ? { used: fromMemo, written, ...(memo.ignored ? { ignored: memo.ignored } : {}) }
    : undefined;
  return { status: 'ran', estimate, methods, summary, manifest, plan, ...(memoOutcome ? { memo: memoOutcome } : {}) };
}

/**
 * Fingerprint of everything besides the files' bytes that decides a study's plan: the study as the command
 * left it (endpoint overrides applied), the filter, and each model's digest and method.
 */
function studyParamsKey(
  study: Study,
  filter: StudyFilter | undefined,
  digests: Record<string, string>,
  methods: Record<string, ScoringMethod>,
): string {
  return sha256Hex(canonicalJson({ study, filter: filter ?? null, digests, methods }));
}

const clientKey = (provider: string, endpoint: string): string => `${provider} ${endpoint}`;

function filterRecord(filter: StudyFilter): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(filter)) if (Array.isArray(v) && v.length) out[k] = v as string[];
  return out;
}
