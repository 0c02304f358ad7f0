// Size limits that keep hostile or damaged input from exhausting memory: one table of documented defaults
// (docs/security.md), overridable per process from VALUE_LENS_MAX_* environment variables. Every limit is
// checked where the bytes arrive, and going over it is a clear, non-retried failure, never an abort.

export interface Limits {
  /** Characters of one rendered prompt (system + user part); over it the request is skipped. */
  maxPromptChars: number;
  /** Bytes of one request body sent to a model server. */
  maxRequestBytes: number;
  /** Bytes of one response body as received (compressed or not). */
  maxResponseBytes: number;
  /** Bytes of one response body after gzip/deflate/br decoding. */
  maxDecodedResponseBytes: number;
  /** Bytes of one input file read whole (items, templates, results, human data, import tables). */
  maxInputFileBytes: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxPromptChars: 64 * 1024,
  maxRequestBytes: 1024 * 1024,
  maxResponseBytes: 16 * 1024 * 1024,
  maxDecodedResponseBytes: 16 * 1024 * 1024,
  maxInputFileBytes: 256 * 1024 * 1024,
});

/** The environment variable of each limit (a plain integer, in the limit's unit). */
export const LIMIT_ENV: Readonly<Record<keyof Limits, string>> = Object.freeze({
  maxPromptChars: 'VALUE_LENS_MAX_PROMPT_CHARS',
  maxRequestBytes: 'VALUE_LENS_MAX_REQUEST_BYTES',
  maxResponseBytes: 'VALUE_LENS_MAX_RESPONSE_BYTES',
  maxDecodedResponseBytes: 'VALUE_LENS_MAX_DECODED_BYTES',
  maxInputFileBytes: 'VALUE_LENS_MAX_INPUT_BYTES',
});

let current: Limits = { ...DEFAULT_LIMITS };

/** The limits in force. */
export function limits(): Readonly<Limits> {
  return current;
}

/** Replaces some limits (tests, the CLI's environment); `reset` returns to the defaults first. */
export function configureLimits(partial: Partial<Limits>, reset = false): void {
  current = { ...(reset ? DEFAULT_LIMITS : current), ...partial };
}

/**
 * Reads VALUE_LENS_MAX_* from an environment: the overrides, and a message per unusable value (which is
 * then ignored, so a typo never lifts a limit).
 */
export function limitsFromEnv(env: Record<string, string | undefined>): { overrides: Partial<Limits>; problems: string[] } {
  const overrides: Partial<Limits> = {};
  const problems: string[] = [];
  for (const [key, name] of Object.entries(LIMIT_ENV) as [keyof Limits, string][]) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const value = /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
    if (!Number.isSafeInteger(value) || value < 1)
      problems.push(`${name}="${raw.slice(0, 40)}" is not a positive integer; the default ${DEFAULT_LIMITS[key]} applies.`);
    else overrides[key] = value;
  }
  return { overrides, problems };
}

/** "16 MiB", "64 KiB", "300 bytes": for messages. */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
  return `${n} bytes`;
}
