// Executes a run plan: cache lookups, bounded concurrency per endpoint, retries, timeouts, cancellation,
// scoring, and one record per planned request whatever happens (records.length === plan.length). The plan
// may be a stream (iteratePlan, iterateStudyPlan): requests are pulled as the window has room, so the first
// ones are sent while the rest are still being planned.

import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { nullLogger, redactingLogger, redactSecrets, type Logger } from '../log';
import { ProviderError, type CompletionResponse, type ModelProvider, type ProviderId } from '../model';
import type { RequestIdentity, RunRecord, ScoreFailure, ScoreResult, StanceResult } from '../results';
import { JUDGE_SCHEMA, JUDGE_SCHEMA_NAME, judgeMessages, readJudgeReply, stanceShare } from '../scoring/judge';
import { toPlainPrompt } from '../prompt/plain';
import { cacheKey, endpointOrigin } from './key';
import { distributionFromLogprobs } from '../scoring/logprobs';
import { continuationsFor, distributionFromLoglik } from '../scoring/loglik';
import { distributionFromSamples } from '../scoring/sample';
import { summarize } from '../scoring/summary';
import type { ResultCache } from './cache';
import type { PlannedRequest } from './plan';
import { DEFAULT_RETRY_POLICY, decideRetry, sleep, type RetryPolicy } from './retry';
import { DEFAULT_CONCURRENCY, Limiter, Scheduler } from './scheduler';
import type { ResultsStore } from './store';
import type { RunProgress } from './progress';

export type { RunProgress };

export interface RunOptions {
  providers: (provider: ProviderId, endpoint: string) => ModelProvider;
  cache?: ResultCache;
  store?: ResultsStore;
  /** Parallel requests per endpoint origin; default 2 for Ollama, 4 for OpenAI-compatible servers. */
  concurrencyPerEndpoint?: number;
  /** Attempts per request including the first (default 4). */
  maxAttempts?: number;
  /** Per-attempt timeout (default 60 s); when set without firstRequestTimeoutMs it bounds every attempt. */
  timeoutMs?: number;
  /**
   * The model-loading allowance: the timeout of a request's first attempt until the (endpoint, model) has
   * answered once (default 180 s when neither timeout is set; never below timeoutMs). An attempt that
   * times out with it is retried with timeoutMs. See resolveTimeouts.
   */
  firstRequestTimeoutMs?: number;
  /** Ignore cached answers (fresh answers are still written to the cache). */
  fresh?: boolean;
  signal?: AbortSignal;
  onProgress?(p: RunProgress): void;
  onRecord?(r: RunRecord): void;
  logger?: Logger;
  /** Overrides for backoff timing (tests). */
  retry?: Partial<Omit<RetryPolicy, 'maxAttempts'>>;
  /** Defaults to a fresh time-ordered id. */
  runId?: string;
  /**
   * Planned requests, when `plan` is a stream (countPlan, countStudyPlan): the progress total from the
   * start. Without it the total grows as requests are pulled. Ignored for an array.
   */
  total?: number;
}

export interface RunSummary {
  runId: string;
  records: RunRecord[];
  /** Provider calls made (attempts, including retries); 0 on a fully cached re-run. */
  requestsSent: number;
  cancelled: boolean;
  /** Records the store could not write (disk full…): a run with any is a failed run (CLI exit 1). */
  writeFailures: number;
}

export const DEFAULT_TIMEOUT_MS = 60_000;
export const DEFAULT_FIRST_REQUEST_TIMEOUT_MS = 180_000;

/**
 * The two per-attempt timeouts from what the user set. A timeout the user sets applies to every attempt:
 * `--timeout 2` alone means 2 s for the first attempt too (it used to wait 180 s × 4 attempts). The
 * loading allowance is only longer when the user asks for it or sets neither (the defaults).
 */
export function resolveTimeouts(set: { timeoutMs?: number; firstRequestTimeoutMs?: number }): { timeoutMs: number; firstRequestTimeoutMs: number } {
  const timeoutMs = set.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const first = set.firstRequestTimeoutMs ?? (set.timeoutMs !== undefined ? timeoutMs : DEFAULT_FIRST_REQUEST_TIMEOUT_MS);
  return { timeoutMs, firstRequestTimeoutMs: Math.max(timeoutMs, first) };
}
/** Parallel cache reads: enough to hide disk latency, few enough to stay clear of EMFILE. */
const CACHE_IO_CONCURRENCY = 32;
/** Requests started and not yet recorded: far more than any endpoint's concurrency, a bounded memory. */
const WINDOW = 1024;
/** Requests planned in one turn before the event loop gets to send what is planned. */
const SLICE = 32;

type Outcome =
  | { ok: true; response: CompletionResponse; latencyMs: number; at: string; attempts: number }
  | { ok: false; error: ScoreFailure['error']; attempts: number };

type Obtained = (Extract<Outcome, { ok: true }> & { cached: boolean }) | Extract<Outcome, { ok: false }>;

type Scored =
  | { ok: true; fields: Pick<ScoreResult, 'probabilities' | 'mean' | 'mode' | 'entropy' | 'missMass' | 'samples' | 'unparseableShare' | 'refusalShare'> }
  | { ok: false; error: ScoreFailure['error'] };

export function newRunId(now = new Date()): string {
  return `${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;
}

export async function runPlan(plan: Iterable<PlannedRequest>, options: RunOptions): Promise<RunSummary> {
  const runId = options.runId ?? newRunId();
  const logger = redactingLogger(options.logger ?? nullLogger);
  const signal = options.signal ?? new AbortController().signal;
  // Every queued request listens for the cancel (and removes its listener when it proceeds).
  setMaxListeners(0, signal);
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry, maxAttempts: Math.max(1, options.maxAttempts ?? DEFAULT_RETRY_POLICY.maxAttempts) };
  const { timeoutMs, firstRequestTimeoutMs: firstTimeoutMs } = resolveTimeouts(options);
  const scheduler = new Scheduler((_origin, provider) => options.concurrencyPerEndpoint ?? DEFAULT_CONCURRENCY[provider]);
  const cacheIo = new Limiter(CACHE_IO_CONCURRENCY);
  const providers = new Map<string, ModelProvider>();
  const warm = new Set<string>();
  const inflight = new Map<string, Promise<Outcome>>();
  // Identical requests are answered once per run. Requests are started a window at a time, so a duplicate
  // may come after the first has settled: without cache reads (no cache, or fresh) its outcome is kept.
  const settled = !options.cache || options.fresh ? new Map<string, Promise<Outcome>>() : undefined;
  const total = Array.isArray(plan) ? plan.length : Math.max(0, Math.floor(options.total ?? 0));
  const records: RunRecord[] = new Array<RunRecord>(total);
  const progress: RunProgress = { done: 0, total, failed: 0, cached: 0 };
  let requestsSent = 0;
  let writeFailures = 0;

  logger.info(`run ${runId}: ${total} planned requests`);

  const providerFor = (req: PlannedRequest): ModelProvider => {
    const key = `${req.identity.provider} ${req.endpointUrl}`;
    let provider = providers.get(key);
    if (!provider) {
      provider = options.providers(req.identity.provider as ProviderId, req.endpointUrl);
      providers.set(key, provider);
    }
    return provider;
  };

  const fetchWithRetry = async (req: PlannedRequest): Promise<Outcome> => {
    let provider: ModelProvider;
    try {
      provider = providerFor(req);
    } catch (error) {
      return { ok: false, error: errorOf(error, 'config'), attempts: 0 };
    }
    const origin = req.identity.endpoint;
    const limiter = scheduler.limiter(origin, req.identity.provider as ProviderId);
    const warmKey = `${origin} ${req.identity.model}`;
    let attempts = 0;
    // The loading allowance is spent once per request: a retry after it timed out gets the normal timeout.
    let allowanceSpent = false;
    for (;;) {
      let release: () => void;
      try {
        release = await limiter.acquire(signal, attempts > 0);
      } catch {
        return cancelledOutcome(attempts);
      }
      attempts++;
      requestsSent++;
      const budget = warm.has(warmKey) || allowanceSpent ? timeoutMs : firstTimeoutMs;
      const started = performance.now();
      try {
        const response = await attemptOnce(provider, req, budget, signal);
        release();
        limiter.succeeded();
        warm.add(warmKey);
        return { ok: true, response, latencyMs: Math.round(performance.now() - started), at: new Date().toISOString(), attempts };
      } catch (error) {
        release();
        if (signal.aborted) return cancelledOutcome(attempts);
        if (error instanceof ProviderError && error.kind === 'timeout' && budget === firstTimeoutMs) allowanceSpent = true;
        if (error instanceof ProviderError && error.kind === 'http' && (error.status === 429 || error.status === 503)) limiter.overloaded();
        const decision = decideRetry(error, attempts, policy);
        if (!decision.retry) {
          const failure = errorOf(error, 'error');
          if (attempts > 1 || isRetryableFailure(error)) failure.message = `${failure.message} (${decision.reason})`;
          logger.warn(`${origin} ${req.identity.model}: request ${req.index} failed: ${failure.message}`);
          return { ok: false, error: failure, attempts };
        }
        logger.debug(`${origin} ${req.identity.model}: attempt ${attempts} failed (${describe(error)}); retrying in ${decision.delayMs} ms`);
        try {
          await sleep(decision.delayMs, signal);
        } catch {
          return cancelledOutcome(attempts);
        }
      }
    }
  };

  /**
   * One response for a request, from the cache or the server (identical requests in flight share one call);
   * `check` says why a response is unusable (it is then neither used from nor written to the cache).
   */
  const obtain = async (req: PlannedRequest, check: (r: CompletionResponse) => ScoreFailure['error'] | undefined): Promise<Obtained> => {
    if (options.cache && !options.fresh) {
      const cache = options.cache;
      const hit = await cacheIo.run(() => cache.get(req.cacheKey), signal).catch(() => undefined);
      if (hit && !check(hit.response)) return { ok: true, response: hit.response, latencyMs: hit.latencyMs, at: hit.at, attempts: 0, cached: true };
      if (signal.aborted) return { ok: false, error: cancelledError(), attempts: 0 };
    }
    let pending = inflight.get(req.cacheKey) ?? settled?.get(req.cacheKey);
    if (!pending) {
      const started = fetchWithRetry(req);
      pending = started;
      inflight.set(req.cacheKey, started);
      const key = req.cacheKey;
      void started.then((outcome) => {
        inflight.delete(key);
        if (outcome.ok) settled?.set(key, started);
      });
    }
    const outcome = await pending;
    if (!outcome.ok) return outcome;
    const problem = check(outcome.response);
    if (problem) return { ok: false, error: problem, attempts: outcome.attempts };
    if (options.cache) {
      try {
        await options.cache.set(req.cacheKey, { response: outcome.response, latencyMs: outcome.latencyMs, at: outcome.at });
      } catch (error) {
        logger.warn(`cache write failed: ${describe(error)}`);
      }
    }
    return { ...outcome, cached: false };
  };

  // Method 'judge': the generation, then one judge request labelling its summaries (core/scoring/judge.ts).
  const executeJudged = async (req: PlannedRequest & { judge: NonNullable<PlannedRequest['judge']> }, identity: RequestIdentity): Promise<RunRecord> => {
    const generated = await obtain(req, (r) => ((r.choices[0]?.text ?? '').trim() ? undefined : { kind: 'empty', message: 'The model generated no text to judge' }));
    if (!generated.ok) return failureRecord(identity, generated.error, generated.attempts);
    const judgeReq = judgeRequest(req, generated.response.choices[0].text);
    const judged = await obtain(judgeReq, (r) => {
      const reading = readJudgeReply(r.choices[0]?.text ?? '');
      return reading.ok ? undefined : { kind: 'judge-unparseable', message: reading.message };
    });
    const attempts = generated.attempts + judged.attempts;
    if (!judged.ok) return failureRecord(identity, judged.error, attempts);
    const reading = readJudgeReply(judged.response.choices[0]?.text ?? '');
    if (!reading.ok) return failureRecord(identity, { kind: 'judge-unparseable', message: reading.message }, attempts);
    const proShare = stanceShare(reading);
    if (proShare === undefined) {
      return failureRecord(identity, { kind: 'no-stance', message: `The judge found no summary for or against (${reading.neither} neither, ${reading.unparseable} unparseable)` }, attempts);
    }
    const record: StanceResult = {
      kind: 'stance',
      ...identity,
      proShare,
      pro: reading.pro,
      con: reading.con,
      neither: reading.neither,
      unparseable: reading.unparseable,
      cacheKeys: [req.cacheKey, judgeReq.cacheKey],
      latencyMs: generated.latencyMs + judged.latencyMs,
      cached: generated.cached && judged.cached,
      at: judged.at,
    };
    return record;
  };

  const execute = async (req: PlannedRequest): Promise<RunRecord> => {
    const identity: RequestIdentity = { runId, ...req.identity };
    if (req.skip) return failureRecord(identity, { kind: req.skip.kind, message: req.skip.message }, 0);
    if (signal.aborted) return failureRecord(identity, cancelledError(), 0);
    if (req.judge) return executeJudged({ ...req, judge: req.judge }, identity);

    // The cache, in-flight sharing and cache writes are obtain()'s; a response that does not score is
    // neither used from nor written to the cache. The check keeps the fields of the response it accepted.
    let fields: Extract<Scored, { ok: true }>['fields'] | undefined;
    const obtained = await obtain(req, (r) => {
      const scored = score(req, r);
      if (!scored.ok) return scored.error;
      fields = scored.fields;
      return undefined;
    });
    if (!obtained.ok) return failureRecord(identity, obtained.error, obtained.attempts);
    return resultRecord(identity, fields!, obtained.response, obtained.latencyMs, obtained.at, obtained.cached);
  };

  const finish = async (index: number, record: RunRecord): Promise<void> => {
    records[index] = record;
    progress.done++;
    if (record.kind === 'failure') progress.failed++;
    else if (record.cached) progress.cached++;
    if (options.store) {
      try {
        await options.store.append(record);
      } catch (error) {
        writeFailures++;
        logger.error(`could not append to ${options.store.path}: ${describe(error)}`);
      }
    }
    safely(() => options.onRecord?.(record), logger);
    safely(() => options.onProgress?.({ ...progress }), logger);
  };

  const runOne = async (req: PlannedRequest, index: number): Promise<void> => {
    let record: RunRecord;
    try {
      record = await execute(req);
    } catch (error) {
      // A bug in scoring or a provider must still leave a record behind.
      record = failureRecord({ runId, ...req.identity }, errorOf(error, 'internal'), 0);
    }
    await finish(index, record);
  };

  // Pull requests while fewer than WINDOW are open, SLICE per turn: planning a request is synchronous work,
  // and the event loop must get to send the first ones before the rest are planned.
  const iterator = plan[Symbol.iterator]();
  let pulled = 0;
  let open = 0;
  let exhausted = false;
  let planningError: unknown;
  let scheduled = false;
  await new Promise<void>((resolve) => {
    const pump = (): void => {
      scheduled = false;
      let planned = 0;
      while (!exhausted && open < WINDOW) {
        if (planned === SLICE) {
          scheduled = true;
          setImmediate(pump);
          return;
        }
        let step: IteratorResult<PlannedRequest>;
        try {
          step = iterator.next();
        } catch (error) {
          planningError = error;
          exhausted = true;
          break;
        }
        if (step.done) {
          exhausted = true;
          break;
        }
        planned++;
        const index = pulled++;
        if (pulled > progress.total) progress.total = pulled;
        open++;
        void runOne(step.value, index).then(settle);
      }
      if (exhausted && open === 0) resolve();
    };
    const settle = (): void => {
      open--;
      if (exhausted) {
        if (open === 0) resolve();
      } else if (!scheduled) pump();
    };
    pump();
  });
  if (planningError !== undefined) throw planningError;
  records.length = pulled;

  const cancelled = signal.aborted;
  logger.info(`run ${runId}: ${progress.done - progress.failed} results (${progress.cached} cached), ${progress.failed} failures, ${requestsSent} requests${writeFailures ? `, ${writeFailures} records not written` : ''}${cancelled ? ', cancelled' : ''}`);
  return { runId, records, requestsSent, cancelled, writeFailures };
}

/** One provider call, raced against the timeout and the run's signal so that a stuck provider never holds us. */
async function attemptOnce(provider: ModelProvider, req: PlannedRequest, timeoutMs: number, signal: AbortSignal): Promise<CompletionResponse> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const onAbort = (): void => controller.abort(new ProviderError('The run was cancelled', 'aborted'));
  signal.addEventListener('abort', onAbort, { once: true });
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new ProviderError(`No answer within ${timeoutMs} ms`, 'timeout');
      controller.abort(error);
      reject(error);
    }, timeoutMs);
    controller.signal.addEventListener('abort', () => reject(controller.signal.reason as Error), { once: true });
  });
  try {
    const call = provider.complete({
      model: req.identity.model,
      messages: req.messages,
      ...(req.prompt !== undefined ? { prompt: req.prompt } : {}),
      maxTokens: req.params.maxTokens,
      temperature: req.params.temperature,
      seed: req.params.seed,
      ...(req.params.topLogprobs !== undefined ? { topLogprobs: req.params.topLogprobs } : {}),
      ...(req.params.n > 1 ? { n: req.params.n } : {}),
      ...(req.params.stop ? { stop: req.params.stop } : {}),
      ...(req.params.schema === JUDGE_SCHEMA_NAME ? { jsonSchema: { name: JUDGE_SCHEMA_NAME, schema: JUDGE_SCHEMA } } : {}),
      ...(req.identity.method === 'loglik' && req.prompt !== undefined ? { continuations: continuationsFor(req.prompt, req.labels) } : {}),
      signal: controller.signal,
      timeoutMs,
    });
    // The loser of the race may still settle later; keep that from becoming an unhandled rejection.
    call.catch(() => undefined);
    guard.catch(() => undefined);
    return await Promise.race([call, guard]);
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  }
}

function score(req: PlannedRequest, response: CompletionResponse): Scored {
  if (req.identity.method === 'loglik') {
    const logliks = response.continuationLogprobs;
    if (!logliks) return { ok: false, error: { kind: 'no-loglik', message: 'The server returned no continuation log-likelihoods; method loglik needs a /v1/completions that echoes prompt logprobs (vLLM)' } };
    const dist = distributionFromLoglik(logliks, req.labels);
    if (!dist) return { ok: false, error: { kind: 'no-loglik', message: `The server returned ${logliks.length} unusable log-likelihoods for ${req.labels.length} options` } };
    return { ok: true, fields: { probabilities: dist.probabilities, ...summarize(dist.probabilities, req.labels), missMass: dist.missMass } };
  }
  if (req.identity.method === 'logprobs') {
    const alternatives = response.choices[0]?.firstTokenLogprobs;
    if (!alternatives || alternatives.length === 0) {
      return { ok: false, error: { kind: 'no-logprobs', message: 'The server returned no logprobs for this model; use the sample method' } };
    }
    const { probabilities, missMass } = distributionFromLogprobs(alternatives, req.labels);
    const summary = summarize(probabilities, req.labels);
    if (!Number.isFinite(summary.mean)) {
      return { ok: false, error: { kind: 'no-option', message: 'None of the top alternatives of the first token is an option label' } };
    }
    return { ok: true, fields: { probabilities, ...summary, missMass } };
  }
  const texts = response.choices.map((c) => c.text);
  if (texts.length === 0) return { ok: false, error: { kind: 'empty', message: 'The server returned no samples' } };
  const dist = distributionFromSamples(texts, req.labels, req.answerLanguages);
  const summary = summarize(dist.probabilities, req.labels);
  if (!Number.isFinite(summary.mean)) {
    return {
      ok: false,
      error: { kind: 'unparseable', message: `No sample named an option (${Math.round(dist.refusalShare * 100)}% refusals, ${Math.round(dist.unparseableShare * 100)}% unparseable)` },
    };
  }
  return {
    ok: true,
    fields: {
      probabilities: dist.probabilities,
      ...summary,
      missMass: dist.unparseableShare,
      samples: texts.length,
      unparseableShare: dist.unparseableShare,
      refusalShare: dist.refusalShare,
    },
  };
}

/** The judge request for a generated text: the judge model's endpoint, greedy, keyed like any request. */
function judgeRequest(req: PlannedRequest & { judge: NonNullable<PlannedRequest['judge']> }, generated: string): PlannedRequest {
  const j = req.judge;
  const messages = judgeMessages(generated, j.stance);
  const prompt = j.kind === 'base' ? toPlainPrompt(messages, { language: j.language }) : undefined;
  const key = cacheKey({ provider: j.provider, endpoint: j.endpointUrl, model: j.model, digest: j.digest, messages, prompt, params: j.params, method: 'sample', sampleIndex: 0 });
  return {
    index: req.index,
    identity: { ...req.identity, provider: j.provider, model: j.model, endpoint: endpointOrigin(j.endpointUrl), modelId: j.id, cacheKey: key },
    endpointUrl: j.endpointUrl,
    ...(j.digest ? { digest: j.digest } : {}),
    messages,
    ...(prompt !== undefined ? { prompt } : {}),
    labels: [],
    answerLanguages: [j.language],
    params: j.params,
    sampleIndex: 0,
    cacheKey: key,
  };
}

function resultRecord(identity: RequestIdentity, fields: Extract<Scored, { ok: true }>['fields'], response: CompletionResponse, latencyMs: number, at: string, cached: boolean): ScoreResult {
  return {
    kind: 'result',
    ...identity,
    ...fields,
    latencyMs,
    ...(response.usage ? { tokens: { prompt: response.usage.promptTokens, completion: response.usage.completionTokens } } : {}),
    cached,
    at,
  };
}

/**
 * The record of one answered request: scored into a result, or the failure saying why it could not be
 * scored. The one conversion from a CompletionResponse to a record, shared by the live runner and the
 * batch engines (core/batch), so a batch line and a live answer give the same record.
 */
export function recordFromResponse(req: PlannedRequest, runId: string, response: CompletionResponse, meta: { latencyMs: number; at: string; cached: boolean; attempts?: number }): ScoreResult | ScoreFailure {
  const identity: RequestIdentity = { runId, ...req.identity };
  const scored = score(req, response);
  if (!scored.ok) return failureRecord(identity, scored.error, meta.attempts ?? 1);
  return resultRecord(identity, scored.fields, response, meta.latencyMs, meta.at, meta.cached);
}

function failureRecord(identity: RequestIdentity, error: ScoreFailure['error'], attempts: number): ScoreFailure {
  return { kind: 'failure', ...identity, error, attempts, at: new Date().toISOString() };
}

function cancelledError(): ScoreFailure['error'] {
  return { kind: 'cancelled', message: 'The run was cancelled before this request completed' };
}

function cancelledOutcome(attempts: number): Outcome {
  return { ok: false, error: cancelledError(), attempts };
}

function errorOf(error: unknown, fallbackKind: string): ScoreFailure['error'] {
  if (error instanceof ProviderError) {
    return { kind: error.kind, message: redactSecrets(error.message), ...(error.status !== undefined ? { status: error.status } : {}) };
  }
  const code = (error as { code?: unknown } | undefined)?.code;
  const kind = typeof code === 'string' && /^E[A-Z]+$|^UND_ERR/.test(code) ? 'network' : fallbackKind;
  return { kind, message: redactSecrets(error instanceof Error ? error.message : String(error)) };
}

function isRetryableFailure(error: unknown): boolean {
  return error instanceof ProviderError && error.retryable;
}

function describe(error: unknown): string {
  if (error instanceof ProviderError) return `${error.kind}${error.status ? ` ${error.status}` : ''}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

function safely(fn: () => void, logger: Logger): void {
  try {
    fn();
  } catch (error) {
    logger.error(`a run listener threw: ${describe(error)}`);
  }
}
