// Settings → where prompts and the API key go. Decided ONLY by user (global) settings or the defaults: a
// workspace can be cloned from anyone, so workspace values for endpoint settings are ignored and reported,
// never used (docs/security.md).
import type { ProviderId } from '../model';
import { DEFAULT_OLLAMA_HOST, DEFAULT_OPENAI_BASE_URL, ollamaHostUrl } from '../origin';

/** The shape of `WorkspaceConfiguration.inspect()` that matters here. */
export interface InspectResult<T = unknown> {
  defaultValue?: T;
  globalValue?: T;
  workspaceValue?: T;
  workspaceFolderValue?: T;
}

export type Inspect = (key: string) => InspectResult | undefined;

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

function userValue(inspect: Inspect, key: string, ignored: IgnoredSetting[]): unknown {
  const info = inspect(key);
  if (info?.workspaceValue !== undefined)
    ignored.push({ key, scope: 'workspace', reason: 'endpoint settings are read from user settings only' });
  if (info?.workspaceFolderValue !== undefined)
    ignored.push({ key, scope: 'workspaceFolder', reason: 'endpoint settings are read from user settings only' });
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
    // The CLI's reading of an Ollama host (a missing port is 11434), so both score one endpoint and cache key.
    ollamaHost: ollamaHostUrl(urlSetting(inspect, 'ollama.host', DEFAULT_OLLAMA_HOST, ignored)),
    openaiBaseUrl: urlSetting(inspect, 'openai.baseUrl', DEFAULT_OPENAI_BASE_URL, ignored),
    ignored,
  };
}

export function activeEndpoint(config: EndpointConfig): string {
  return config.provider === 'openai' ? config.openaiBaseUrl : config.ollamaHost;
}
