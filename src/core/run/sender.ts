// Sends a planned request to its provider until it is answered, fails for good or the run is cancelled:
// one slot of the endpoint's limiter per attempt, the model-loading allowance on a cold model's first
// attempt, backoff between attempts, and the limiter told of successes and overload.

import type { Logger } from '../log';
import { ProviderError, type CompletionResponse, type ModelProvider, type ProviderId } from '../model';
import { JUDGE_SCHEMA, JUDGE_SCHEMA_NAME } from '../scoring/judge';
import { continuationsFor } from '../scoring/loglik';
import { cancelledOutcome, describe, errorOf, type Outcome } from './outcome';
import type { PlannedRequest } from './plan';
import { decideRetry, sleep, type RetryPolicy } from './retry';
import type { Scheduler } from './scheduler';

export interface SenderOptions {
  providers: (provider: ProviderId, endpoint: string) => ModelProvider;
  scheduler: Scheduler;
  policy: RetryPolicy;
  /** Per-attempt timeout once the (endpoint, model) has answered. */
  timeoutMs: number;
  /** The first attempt's timeout while the model may still be loading. */
  firstTimeoutMs: number;
  signal: AbortSignal;
  logger: Logger;
}

export class RequestSender {
  /** Provider calls made (attempts, including retries). */
  sent = 0;
  private readonly providers = new Map<string, ModelProvider>();
  /** (endpoint, model) pairs that have answered once: their model is loaded. */
  private readonly warm = new Set<string>();

  constructor(private readonly options: SenderOptions) {}

  async send(req: PlannedRequest): Promise<Outcome> {
    const { signal, policy, logger, timeoutMs, firstTimeoutMs } = this.options;
    let provider: ModelProvider;
    try {
      provider = this.providerFor(req);
    } catch (error) {
      return { ok: false, error: errorOf(error, 'config'), attempts: 0 };
    }
    const origin = req.identity.endpoint;
    const limiter = this.options.scheduler.limiter(origin, req.identity.provider as ProviderId);
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
      this.sent++;
      const budget = this.warm.has(warmKey) || allowanceSpent ? timeoutMs : firstTimeoutMs;
      const started = performance.now();
      try {
        const response = await attemptOnce(provider, req, budget, signal);
        release();
        limiter.succeeded();
        this.warm.add(warmKey);
        return { ok: true, response, latencyMs: Math.round(performance.now() - started), at: new Date().toISOString(), attempts };
      } catch (error) {
        release();
        if (signal.aborted) return cancelledOutcome(attempts);
        if (error instanceof ProviderError && error.kind === 'timeout' && budget === firstTimeoutMs) allowanceSpent = true;
        if (error instanceof ProviderError && error.kind === 'http' && (error.status === 429 || error.status === 503)) limiter.overloaded();
        const decision = decideRetry(error, attempts, policy);
        if (!decision.retry) {
          const failure = errorOf(error, 'error');
          if (attempts > 1 || (error instanceof ProviderError && error.retryable)) failure.message = `${failure.message} (${decision.reason})`;
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
  }

  /** One provider per (provider kind, endpoint URL) for the whole run. */
  private providerFor(req: PlannedRequest): ModelProvider {
    const key = `${req.identity.provider} ${req.endpointUrl}`;
    let provider = this.providers.get(key);
    if (!provider) {
      provider = this.options.providers(req.identity.provider as ProviderId, req.endpointUrl);
      this.providers.set(key, provider);
    }
    return provider;
  }
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
