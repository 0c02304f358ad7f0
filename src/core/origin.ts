// The one origin parser, the one reading of Ollama's bare hosts, and the default endpoints. Three copies of
// the origin parser used to differ (the providers read Ollama's bare "host:port", the trust and key checks
// took only http(s) and answered undefined, the cache key fell back to the raw text); each of those
// behaviours is now an option or a caller's one-line fallback over this function.

/** Where a local Ollama listens by default (the settings', the CLI's and a study's default). */
export const DEFAULT_OLLAMA_HOST = 'http://127.0.0.1:11434';
/** OpenAI's API base (including /v1). */
export const DEFAULT_OPENAI_BASE_URL = 'https://api.openai.com/v1';

export interface OriginOptions {
  /** Read Ollama-style hosts (readOllamaHost): "host:port" gets http://, an empty host (":11434") is 127.0.0.1. */
  bareHost?: boolean;
}

const HAS_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
/** The port as written after the host (URL drops a scheme's default port, e.g. http://host:80). */
const WRITTEN_PORT = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(?:\[[^\]]*\]|[^/?#:@]*):(\d+)/i;

export interface OllamaHost {
  /** scheme://host:port/path, the port always written except https's 443, no trailing slash. */
  url: string;
  /** The text carried user:password@ (dropped from url: Ollama has no authentication). */
  credentials: boolean;
  /** The text carried a query string or fragment (dropped from url). */
  extras: boolean;
}

/**
 * The one reading of an Ollama host (the CLI's OLLAMA_HOST, --endpoint and config, the editor's
 * valueLens.ollama.host, a study's endpoint, the providers' host): "host", "host:port", ":port" or a URL;
 * the scheme defaults to http, a missing port is 11434 (443 for https: ollama itself would take 80 for an
 * explicit http:// without a port, but such a host is nearly always an Ollama on its own port), the
 * listen-all address 0.0.0.0 means this machine. Empty text is the default host; undefined: not a URL.
 * Idempotent, so a host read once and read again by a provider stays the same endpoint and cache key.
 */
export function readOllamaHost(value: string): OllamaHost | undefined {
  let text = value.trim();
  if (!text) return { url: DEFAULT_OLLAMA_HOST, credentials: false, extras: false };
  if (text.startsWith(':')) text = `127.0.0.1${text}`;
  if (!HAS_SCHEME.test(text)) text = `http://${text}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  const https = url.protocol === 'https:';
  const port = url.port || WRITTEN_PORT.exec(text)?.[1] || (https ? '443' : '11434');
  const hostname = url.hostname === '0.0.0.0' ? '127.0.0.1' : url.hostname;
  const host = https && port === '443' ? hostname : `${hostname}:${port}`;
  return {
    url: `${url.protocol}//${host}${url.pathname.replace(/\/+$/, '')}`,
    credentials: !!(url.username || url.password),
    extras: !!(url.search || url.hash),
  };
}

/** An Ollama host as a URL (readOllamaHost); text that is no URL at all is kept, to fail as a request. */
export function ollamaHostUrl(host: string): string {
  return readOllamaHost(host)?.url ?? host.trim();
}

/**
 * scheme://host:port of an http(s) URL — credentials, path and query dropped — or undefined when the text
 * is not one. Without `bareHost`, "localhost:11434" is not a URL (so a trust check never guesses).
 */
export function originOf(url: string, options: OriginOptions = {}): string | undefined {
  try {
    const parsed = new URL(options.bareHost ? ollamaHostUrl(url) : url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.origin : undefined;
  } catch {
    return undefined;
  }
}
