// Capability probe: does (endpoint, model) return first-token logprobs? Reasoning models and some
// servers (LM Studio) do not. The answer is cached per origin + model; callers may persist the cache.

import { ProviderError, type ModelProvider } from '../core/model';

const cache = new Map<string, boolean>();
const inflight = new Map<string, Promise<boolean>>();

export const PROBE_TIMEOUT_MS = 120_000; // the first request may have to load a local model

export function probeKey(provider: Pick<ModelProvider, 'id' | 'origin'>, model: string): string {
  return `${provider.id} ${provider.origin} ${model}`;
}

/** True when a 1-token request with logprobs comes back with alternatives. Errors other than "unsupported" propagate (not cached). */
export async function probeLogprobs(provider: ModelProvider, model: string, signal: AbortSignal): Promise<boolean> {
  const key = probeKey(provider, model);
  const known = cache.get(key);
  if (known !== undefined) return known;
  const running = inflight.get(key);
  if (running) return running;
  const probe = (async () => {
    try {
      const response = await provider.complete({
        model,
        messages: [{ role: 'user', content: 'Which letter comes first in the alphabet?\nA. A\nB. B\nAnswer with the letter only.' }],
        maxTokens: 1,
        temperature: 0,
        seed: 1,
        topLogprobs: 5,
        signal,
        timeoutMs: PROBE_TIMEOUT_MS,
      });
      const supported = (response.choices[0]?.firstTokenLogprobs?.length ?? 0) > 0;
      cache.set(key, supported);
      return supported;
    } catch (error) {
      // 400/422: the server rejected the logprobs fields; "unsupported" is the same verdict.
      if (error instanceof ProviderError && (error.kind === 'unsupported' || (error.kind === 'http' && (error.status === 400 || error.status === 422)))) {
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

/** The cached verdicts, for persistence (e.g. in globalState). */
export function exportProbeCache(): Record<string, boolean> {
  return Object.fromEntries(cache);
}

/** Restores verdicts saved with exportProbeCache. */
export function importProbeCache(entries: Record<string, boolean>): void {
  for (const [key, value] of Object.entries(entries)) if (typeof value === 'boolean') cache.set(key, value);
}

export function clearProbeCache(): void {
  cache.clear();
}
