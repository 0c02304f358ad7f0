// Capability probe: does (endpoint, model) return first-token logprobs? Reasoning models and some
// servers (LM Studio) do not. The answer is cached per origin + model; callers may persist the cache.

import { ProviderError, type ModelProvider } from '../core/model';

const cache = new Map<string, boolean>();
const inflight = new Map<string, Promise<boolean>>();

/** The default bound of the probe; callers pass the run's first-request allowance (`--first-timeout`) instead. */
export const PROBE_TIMEOUT_MS = 120_000; // the first request may have to load a local model

export interface ProbeOptions {
  /** The probe is a first request: the model-loading allowance bounds it. Default PROBE_TIMEOUT_MS. */
  timeoutMs?: number;
  /** Base models: probe the completion endpoint (plain prompt) instead of chat; a separate verdict. */
  completion?: boolean;
}

const PROBE_QUESTION = 'Which letter comes first in the alphabet?\nA. A\nB. B\nAnswer with the letter only.';

export function probeKey(provider: Pick<ModelProvider, 'id' | 'origin'>, model: string, completion = false): string {
  return `${provider.id} ${provider.origin} ${model}${completion ? ' completion' : ''}`;
}

/** True when a 1-token request with logprobs comes back with alternatives. Errors other than "unsupported" propagate (not cached). */
export async function probeLogprobs(
  provider: ModelProvider,
  model: string,
  signal: AbortSignal,
  options: ProbeOptions = {},
): Promise<boolean> {
  const key = probeKey(provider, model, options.completion);
  const known = cache.get(key);
  if (known !== undefined) return known;
  const running = inflight.get(key);
  if (running) return running;
  const probe = (async () => {
    try {
      const response = await provider.complete({
        model,
        messages: [{ role: 'user', content: PROBE_QUESTION }],
        ...(options.completion ? { prompt: `${PROBE_QUESTION}\n\nAnswer:` } : {}),
        maxTokens: 1,
        temperature: 0,
        seed: 1,
        topLogprobs: 5,
        signal,
        timeoutMs: options.timeoutMs ?? PROBE_TIMEOUT_MS,
      });
      const supported = (response.choices[0]?.firstTokenLogprobs?.length ?? 0) > 0;
      cache.set(key, supported);
      return supported;
    } catch (error) {
      // The caller's own deadline (the first-request allowance) is a timeout, not a user's cancel.
      const reason: unknown = signal.reason;
      if (signal.aborted && reason instanceof Error && reason.name === 'TimeoutError') {
        throw new ProviderError(`No answer from ${provider.origin} within the first-request allowance`, 'timeout');
      }
      // 400/422: the server rejected the logprobs fields; "unsupported" is the same verdict.
      if (
        error instanceof ProviderError &&
        (error.kind === 'unsupported' || (error.kind === 'http' && (error.status === 400 || error.status === 422)))
      ) {
        cache.set(key, false);
        return false;
      }
      throw error;
    } finally {
      inflight.delete(key);
    }
  })();
  inflight.set(key, probe);
  return probe;
}

export function clearProbeCache(): void {
  cache.clear();
}
