// A minimal logging interface for core code. The extension adapts it to a LogOutputChannel, the CLI to
// stderr, tests to memory. Core code must never pass secrets (API keys, Authorization headers) to a logger;
// `redactSecrets` is a last line of defence for messages that quote server text or URLs.

export interface Logger {
  trace(message: string, ...args: unknown[]): void;
  debug(message: string, ...args: unknown[]): void;
  info(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(message: string, ...args: unknown[]): void;
}

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

const noop = (): void => undefined;

/** Swallows everything; the default when a caller passes no logger. */
export const nullLogger: Logger = { trace: noop, debug: noop, info: noop, warn: noop, error: noop };

export interface MemoryLogEntry {
  level: LogLevel;
  message: string;
  args: unknown[];
}

/** Collects entries in memory (tests, canary-key scans). */
export function createMemoryLogger(): Logger & { entries: MemoryLogEntry[] } {
  const entries: MemoryLogEntry[] = [];
  const at =
    (level: LogLevel) =>
    (message: string, ...args: unknown[]): void => {
      entries.push({ level, message, args });
    };
  return { entries, trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

// Bearer tokens, sk-… style keys and key-ish query parameters. Deliberately broad: a false positive only
// hides a few characters of a log line, a false negative leaks a key.
const SECRET_PATTERNS: RegExp[] = [
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{6,}/gi,
  /\bsk-[A-Za-z0-9_-]{6,}/g,
  /([?&](?:api[_-]?key|key|token|access_token)=)[^&\s]+/gi,
  /("?(?:api[_-]?key|authorization|x-api-key)"?\s*[:=]\s*"?)[^"\s,}&]+/gi,
];

/** Replaces anything that looks like a credential with `[redacted]`. */
export function redactSecrets(text: string): string {
  let out = text;
  for (const pattern of SECRET_PATTERNS) {
    out = out.replace(pattern, (match: string, prefix?: string) =>
      typeof prefix === 'string' && /[=:]\s*"?$/.test(prefix) ? `${prefix}[redacted]` : '[redacted]',
    );
  }
  return out;
}

/** Wraps a logger so that every message and string argument passes through `redactSecrets`. */
export function redactingLogger(inner: Logger): Logger {
  const wrap =
    (fn: (message: string, ...args: unknown[]) => void) =>
    (message: string, ...args: unknown[]): void =>
      fn(redactSecrets(message), ...args.map((a) => (typeof a === 'string' ? redactSecrets(a) : a)));
  return {
    trace: wrap(inner.trace.bind(inner)),
    debug: wrap(inner.debug.bind(inner)),
    info: wrap(inner.info.bind(inner)),
    warn: wrap(inner.warn.bind(inner)),
    error: wrap(inner.error.bind(inner)),
  };
}
