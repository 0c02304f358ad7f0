// The editor's run settings (model, method, samples, timeouts, language → countries, …), validated and
// clamped. Any settings scope may set them: they do not decide where anything is sent (that is
// src/core/security/endpointSettings.ts).

export type Method = 'logprobs' | 'loglik' | 'sample' | 'auto';

export interface RunSettings {
  model: string;
  method: Method;
  samples: number;
  temperature: number;
  /** Requests in flight per endpoint; 0 leaves it to the scheduler's per-provider default. */
  concurrency: number;
  timeoutMs: number;
  firstRequestTimeoutMs: number;
  languageCountries: Record<string, string[]>;
  template: string;
  codeLensEnabled: boolean;
  cacheEnabled: boolean;
  humanData: string;
}

export const DEFAULT_LANGUAGE_COUNTRIES: Record<string, string[]> = { da: ['DK'], nl: ['NL'], en: ['US', 'GB'], pt: ['PT', 'BR'] };

function num(value: unknown, fallback: number, min: number, max: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? Math.min(max, Math.max(min, value)) : fallback;
}

function countries(value: unknown): Record<string, string[]> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return DEFAULT_LANGUAGE_COUNTRIES;
  const out: Record<string, string[]> = {};
  for (const [language, list] of Object.entries(value as Record<string, unknown>)) {
    const codes = (Array.isArray(list) ? list : [list]).filter((c): c is string => typeof c === 'string' && c.length > 0);
    if (codes.length) out[language] = codes.map((c) => c.toUpperCase());
  }
  return Object.keys(out).length ? out : DEFAULT_LANGUAGE_COUNTRIES;
}

/** Non-endpoint settings (any scope may set them), validated and clamped. */
export function runSettings(get: (key: string) => unknown): RunSettings {
  const method = get('method');
  return {
    model: typeof get('model') === 'string' ? (get('model') as string) : '',
    method: method === 'logprobs' || method === 'loglik' || method === 'sample' ? method : 'auto',
    samples: Math.round(num(get('samples'), 10, 1, 1000)),
    temperature: num(get('temperature'), 1, 0, 2),
    // 0 = the provider's default (2 for Ollama, 4 for OpenAI-compatible), decided by the scheduler.
    concurrency: Math.round(num(get('concurrency'), 0, 0, 64)),
    timeoutMs: num(get('timeoutSeconds'), 60, 1, 3600) * 1000,
    firstRequestTimeoutMs: num(get('firstRequestTimeoutSeconds'), 180, 1, 3600) * 1000,
    languageCountries: countries(get('languageCountries')),
    template: typeof get('template') === 'string' && get('template') ? (get('template') as string) : 'direct',
    codeLensEnabled: get('codeLens.enabled') !== false,
    cacheEnabled: get('cache.enabled') !== false,
    humanData: typeof get('humanData') === 'string' ? (get('humanData') as string) : '',
  };
}
