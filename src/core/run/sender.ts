// Sends a planned request to its provider until it is answered, fails for good or the run is cancelled:
// one slot of the endpoint's limiter per attempt, the model-loading allowance on a cold model's first
// attempt, backoff between attempts, and the limiter told of successes and overload.

import type { Logger } from '../log';
import { ProviderError, type CompletionRequest, type CompletionResponse, type ModelProvider, type ProviderId } from '../model';
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
  /**
   * How to stop each attempt in flight. The run's signal gets one listener while any attempt is in flight
   * instead of one per attempt (EventTarget listeners cost more than a Set entry).
   */
  private readonly cancels = new Set<(reason: Error) => void>();
  private readonly onAbort = (): void => {
    const reason = new ProviderError('The run was cancelled', 'aborted');
    for (const stop of [...this.cancels]) stop(reason);
  };

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
      // Cancelled while the slot was being granted: the attempt would not hear the abort.
      if (signal.aborted) {
        release();
        return cancelledOutcome(attempts);
      }
      attempts++;
      this.sent++;
      const budget = this.warm.has(warmKey) || allowanceSpent ? timeoutMs : firstTimeoutMs;
      const started = performance.now();
      if (this.cancels.size === 0) signal.addEventListener('abort', this.onAbort, { once: true });
      try {
        const response = await attemptOnce(provider, req, budget, this.cancels);
        this.unlisten();
        release();
        limiter.succeeded();
        this.warm.add(warmKey);
        return { ok: true, response, latencyMs: Math.round(performance.now() - started), at: new Date().toISOString(), attempts };
      } catch (error) {
        this.unlisten();
        release();
        if (signal.aborted) return cancelledOutcome(attempts);
        if (error instanceof ProviderError && error.kind === 'timeout' && budget === firstTimeoutMs) allowanceSpent = true;
        if (error instanceof ProviderError && error.kind === 'http' && (error.status === 429 || error.status === 503)) limiter.overloaded();
        const decision = decideRetry(error, attempts, policy);
        if (!decision.retry) {
          const failure = errorOf(error, 'error');
          if (attempts > 1 || (error instanceof ProviderError && error.retryable))
            failure.message = `${failure.message} (${decision.reason})`;
          logger.warn(`${origin} ${req.identity.model}: request ${req.index} failed: ${failure.message}`);
          return { ok: false, error: failure, attempts };
        }
        logger.debug(
          `${origin} ${req.identity.model}: attempt ${attempts} failed (${describe(error)}); retrying in ${decision.delayMs} ms`,
        );
        try {
          await sleep(decision.delayMs, signal);
        } catch {
          return cancelledOutcome(attempts);
        }
      }
    }
  }

  private unlisten(): void {
    if (this.cancels.size === 0) this.options.signal.removeEventListener('abort', this.onAbort);
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

/**
 * One provider call, settled by whichever comes first: its answer, the timeout or the run's cancel, so that
 * a stuck provider never holds us. One controller, one timer and one promise per attempt; the run's signal
 * reaches it through `cancels` (one listener on it for all attempts in flight: RequestSender).
 */
function attemptOnce(
  provider: ModelProvider,
  req: PlannedRequest,
  timeoutMs: number,
  cancels: Set<(reason: Error) => void>,
): Promise<CompletionResponse> {
  const controller = new AbortController();
  const request = completionRequest(req, timeoutMs, controller.signal);
  return new Promise<CompletionResponse>((resolve, reject) => {
    const stop = (reason: Error): void => {
      controller.abort(reason);
      settle();
      reject(reason);
    };
    const timer = setTimeout(() => stop(new ProviderError(`No answer within ${timeoutMs} ms`, 'timeout')), timeoutMs);
    const settle = (): void => {
      clearTimeout(timer);
      cancels.delete(stop);
    };
    cancels.add(stop);
    // A provider that throws synchronously is a failed attempt like any other.
    let call: Promise<CompletionResponse>;
    try {
      call = provider.complete(request);
    } catch (error) {
      call = Promise.reject(error);
    }
    // After a timeout or cancel the call may still settle; the promise is settled already, so that is a no-op.
    call.then(
      (response) => {
        settle();
        resolve(response);
      },
      (error: unknown) => {
        settle();
        reject(error);
      },
    );
  });
}

/** The provider request of one attempt: fields assigned one by one (no spread objects per request). */
function completionRequest(req: PlannedRequest, timeoutMs: number, signal: AbortSignal): CompletionRequest {
  const { params } = req;
  const request: CompletionRequest = {
    model: req.identity.model,
    messages: req.messages,
    maxTokens: params.maxTokens,
    temperature: params.temperature,
    seed: params.seed,
    signal,
    timeoutMs,
  };
  if (req.prompt !== undefined) request.prompt = req.prompt;
  if (params.topLogprobs !== undefined) request.topLogprobs = params.topLogprobs;
  if (params.n > 1) request.n = params.n;
  if (params.stop) request.stop = params.stop;
  if (params.schema === JUDGE_SCHEMA_NAME) request.jsonSchema = { name: JUDGE_SCHEMA_NAME, schema: JUDGE_SCHEMA };
  if (req.identity.method === 'loglik' && req.prompt !== undefined) request.continuations = continuationsFor(req.prompt, req.labels);
  return request;
}
