// The one origin parser. Three copies used to differ (the providers read Ollama's bare "host:port", the
// trust and key checks took only http(s) and answered undefined, the cache key fell back to the raw text);
// each of those behaviours is now an option or a caller's one-line fallback over this function.

export interface OriginOptions {
  /** Read Ollama-style hosts: "host:port" gets http://, an empty host (":11434") is 127.0.0.1. */
  bareHost?: boolean;
}

const HAS_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * scheme://host:port of an http(s) URL — credentials, path and query dropped — or undefined when the text
 * is not one. Without `bareHost`, "localhost:11434" is not a URL (so a trust check never guesses).
 */
export function originOf(url: string, options: OriginOptions = {}): string | undefined {
  const text = options.bareHost && !HAS_SCHEME.test(url) ? `http://${url.replace(/^:/, '127.0.0.1:')}` : url;
  try {
    const parsed = new URL(text);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.origin : undefined;
  } catch {
    return undefined;
  }
}
