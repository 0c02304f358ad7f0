// Settings → provider configuration. Where prompts and the API key go is decided ONLY by user (global)
// settings or the defaults: a workspace can be cloned from anyone, so workspace values for endpoint settings
// are ignored and reported, never used (security notes §3).
import type { ProviderId } from '../../model';
import { DEFAULT_OLLAMA_HOST, DEFAULT_OPENAI_BASE_URL, originOf } from '../../origin';

/** The shape of `WorkspaceConfiguration.inspect()` that matters here. */
export interface InspectResult<T = unknown> {
  defaultValue?: T;
  globalValue?: T;
  workspaceValue?: T;
  workspaceFolderValue?: T;
}

export type Inspect = (key: string) => InspectResult | undefined;

export const ENDPOINT_SETTINGS = ['provider', 'ollama.host', 'openai.baseUrl'] as const;
export { DEFAULT_OLLAMA_HOST, DEFAULT_OPENAI_BASE_URL };

export interface IgnoredSetting {
  key: string;
  scope: 'workspace' | 'workspaceFolder' | 'global';
  reason: string;
}

export interface EndpointConfig {
  provider: ProviderId;
  ollamaHost: string;
  openaiBaseUrl: string;
  ignored: IgnoredSetting[];
}

// originOf (http(s) only, undefined otherwise, no bare "host:port") lives in core/origin.ts.
export { originOf };

export function isLoopback(url: string): boolean {
  try {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
  } catch {
    return false;
  }
}

function userValue(inspect: Inspect, key: string, ignored: IgnoredSetting[]): unknown {
  const info = inspect(key);
  if (info?.workspaceValue !== undefined) ignored.push({ key, scope: 'workspace', reason: 'endpoint settings are read from user settings only' });
  if (info?.workspaceFolderValue !== undefined) ignored.push({ key, scope: 'workspaceFolder', reason: 'endpoint settings are read from user settings only' });
  return info?.globalValue ?? info?.defaultValue;
}

function urlSetting(inspect: Inspect, key: string, fallback: string, ignored: IgnoredSetting[]): string {
  const value = userValue(inspect, key, ignored);
  if (typeof value !== 'string' || value.trim() === '') return fallback;
  const trimmed = value.trim().replace(/\/+$/, '');
  let parsed: URL;
  try {
    parsed = new URL(trimmed);
  } catch {
    ignored.push({ key, scope: 'global', reason: `not a URL: using ${fallback}` });
    return fallback;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    ignored.push({ key, scope: 'global', reason: `only http and https are supported: using ${fallback}` });
    return fallback;
  }
  if (parsed.username || parsed.password) {
    // Credentials in a URL would end up in logs and cache keys; keys belong in SecretStorage.
    ignored.push({ key, scope: 'global', reason: 'credentials in the URL were removed; use "Value Lens: Set API Key"' });
    parsed.username = '';
    parsed.password = '';
    return parsed.toString().replace(/\/+$/, '');
  }
  return trimmed;
}

/** Keys are `valueLens.<key>` without the prefix, as `getConfiguration('valueLens').inspect(key)` takes them. */
export function endpointConfig(inspect: Inspect): EndpointConfig {
  const ignored: IgnoredSetting[] = [];
  const provider = userValue(inspect, 'provider', ignored);
  return {
    provider: provider === 'openai' ? 'openai' : 'ollama',
    ollamaHost: urlSetting(inspect, 'ollama.host', DEFAULT_OLLAMA_HOST, ignored),
    openaiBaseUrl: urlSetting(inspect, 'openai.baseUrl', DEFAULT_OPENAI_BASE_URL, ignored),
    ignored,
  };
}

export function activeEndpoint(config: EndpointConfig): string {
  return config.provider === 'openai' ? config.openaiBaseUrl : config.ollamaHost;
}

/** Untrusted workspace: nothing leaves the machine. Trusted: any user-configured endpoint. */
export function mayContact(endpoint: string, trusted: boolean): { allowed: true } | { allowed: false; reason: string } {
  if (trusted || isLoopback(endpoint)) return { allowed: true };
  return {
    allowed: false,
    reason: `This workspace is not trusted, so Value Lens sends nothing to ${originOf(endpoint) ?? endpoint}. Trust the workspace, or use a model on this machine (127.0.0.1).`,
  };
}

/** The SecretStorage key under which the API key for an endpoint origin is kept. */
export function apiKeySecretName(endpoint: string): string | undefined {
  const origin = originOf(endpoint);
  return origin ? `valueLens.apiKey:${origin}` : undefined;
}

export type Method = 'logprobs' | 'sample' | 'auto';

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
    method: method === 'logprobs' || method === 'sample' ? method : 'auto',
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
