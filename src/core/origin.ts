// The one origin parser, the one reading of Ollama's bare hosts, and the default endpoints. Three copies of
// the origin parser used to differ (the providers read Ollama's bare "host:port", the trust and key checks
// took only http(s) and answered undefined, the cache key fell back to the raw text); each of those
// behaviours is now an option or a caller's one-line fallback over this function.

/** Where a local Ollama listens by default (the settings', the CLI's and a study's default). */
export const DEFAULT_OLLAMA_HOST = 'http://127.0.0.1:11434';
/** OpenAI's API base (including /v1). */
export const DEFAULT_OPENAI_BASE_URL = 'https://api.openai.com/v1';

export interface OriginOptions {
  /** Read Ollama-style hosts: "host:port" gets http://, an empty host (":11434") is 127.0.0.1. */
  bareHost?: boolean;
}

const HAS_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * An Ollama host as a URL: "host:port" gets http://, an empty host (":11434") is 127.0.0.1; a URL keeps
 * its scheme and path; trailing slashes go.
 */
export function bareHostUrl(host: string): string {
  return HAS_SCHEME.test(host) ? host.replace(/\/+$/, '') : `http://${host.replace(/^:/, '127.0.0.1:')}`;
}

/**
 * scheme://host:port of an http(s) URL — credentials, path and query dropped — or undefined when the text
 * is not one. Without `bareHost`, "localhost:11434" is not a URL (so a trust check never guesses).
 */
export function originOf(url: string, options: OriginOptions = {}): string | undefined {
  try {
    const parsed = new URL(options.bareHost ? bareHostUrl(url) : url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.origin : undefined;
  } catch {
    return undefined;
  }
}
