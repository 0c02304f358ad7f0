// Helpers shared by the providers: Retry-After parsing, secret redaction, and turning whatever the
// transport (or an injected fetch) throws into a ProviderError the scheduler understands.

import { ProviderError } from '../core/model';
import { originOf } from '../core/origin';

// One Retry-After reading for the providers and the scheduler's own tests.
export { parseRetryAfter } from '../core/run/retry';

/**
 * Removes every occurrence of the secrets from a message (servers sometimes echo the key back), also in
 * the forms an echo takes: any letter case, URL-encoded, and base64/base64url at any alignment (as in an
 * echoed Basic header or a JWT-like blob). A string that merely resembles the key (one character short)
 * is not the key and stays.
 */
export function redact(message: string, secrets: (string | undefined)[]): string {
  let out = message;
  for (const secret of secrets) {
    if (!secret || secret.length < 4) continue;
    for (const form of secretForms(secret)) out = out.replace(new RegExp(escapeRegExp(form), 'gi'), '[redacted]');
  }
  // Bearer tokens that reached the text some other way (e.g. an echoed Authorization header).
  return out.replace(/(Bearer\s+)[^\s"',;]+/gi, '$1[redacted]');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The key, its URL encoding, and the stable middle of its base64/base64url encoding at each of the 3 alignments. */
function secretForms(secret: string): string[] {
  const forms = new Set<string>([secret, encodeURIComponent(secret)]);
  if (secret.length >= 8) {
    for (let shift = 0; shift < 3; shift++) {
      // Prefix `shift` bytes so the key starts at each alignment; drop the characters the prefix and the
      // padding touch, keeping only those that depend on the key's bytes alone.
      const encoded = Buffer.from('\0'.repeat(shift) + secret).toString('base64');
      const start = Math.ceil((shift * 4) / 3);
      const end = Math.floor(((shift + Buffer.byteLength(secret)) * 4) / 3) - 1;
      const core = encoded.slice(start, Math.max(start, end));
      if (core.length >= 8) {
        forms.add(core);
        forms.add(core.replace(/\+/g, '-').replace(/\//g, '_'));
      }
    }
  }
  // Longest first, so a form that contains another is replaced whole.
  return [...forms].sort((a, b) => b.length - a.length);
}

/** A short, single-line excerpt of an error body for messages. */
export function excerpt(text: string, max = 300): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

/** The error message an API body carries: `{error: "…"}` (Ollama) or `{error: {message}}` (OpenAI). */
export function messageFromBody(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: unknown; message?: unknown };
    if (typeof body.error === 'string') return body.error;
    if (body.error && typeof body.error === 'object' && typeof (body.error as { message?: unknown }).message === 'string') {
      return (body.error as { message: string }).message;
    }
    if (typeof body.message === 'string') return body.message;
  } catch {
    // not JSON: use the text itself
  }
  return text;
}

export function httpError(
  status: number,
  origin: string,
  bodyMessage: string,
  retryAfterMs: number | undefined,
  secrets: (string | undefined)[],
): ProviderError {
  const detail = excerpt(redact(bodyMessage, secrets));
  return new ProviderError(`HTTP ${status} from ${origin}${detail ? `: ${detail}` : ''}`, 'http', status, retryAfterMs);
}

/** A 3xx answer: never followed, since that would re-send the prompt (and the key) where the server points. */
export function redirectError(status: number, origin: string, location: string | null, requestUrl: string): ProviderError {
  let target = '';
  try {
    if (location) target = ` to ${new URL(location, requestUrl).origin}`;
  } catch {
    // unparseable Location: say only that it redirected
  }
  return new ProviderError(
    `HTTP ${status} from ${origin}: redirect${target} not followed (set the endpoint to the final URL)`,
    'http',
    status,
  );
}

/**
 * Classifies an error thrown while talking to `origin`. `userSignal` aborted → aborted; `timeoutSignal`
 * fired → timeout; JSON syntax errors → parse; anything else from the transport → network.
 */
export function classifyError(
  error: unknown,
  ctx: { origin: string; userSignal?: AbortSignal; timeoutSignal?: AbortSignal; timeoutMs?: number; secrets: (string | undefined)[] },
): ProviderError {
  if (error instanceof ProviderError) return error;
  // An SDK wraps what its fetch threw (a size limit, say): the transport's own verdict stands.
  if (error instanceof Error && error.cause instanceof ProviderError) return error.cause;
  if (ctx.userSignal?.aborted) return new ProviderError(`Request to ${ctx.origin} was cancelled`, 'aborted');
  if (ctx.timeoutSignal?.aborted) return new ProviderError(`No answer from ${ctx.origin} within ${ctx.timeoutMs} ms`, 'timeout');
  const name = error instanceof Error ? error.name : '';
  const raw = error instanceof Error ? error.message : String(error);
  const message = excerpt(redact(raw, ctx.secrets));
  if (name === 'TimeoutError') return new ProviderError(`No answer from ${ctx.origin} within ${ctx.timeoutMs} ms`, 'timeout');
  if (name === 'AbortError') return new ProviderError(`Request to ${ctx.origin} was cancelled`, 'aborted');
  if (error instanceof SyntaxError) return new ProviderError(`Answer from ${ctx.origin} is not valid JSON: ${message}`, 'parse');
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${excerpt(redact(error.cause.message, ctx.secrets))}` : '';
  return new ProviderError(`Network error talking to ${ctx.origin}: ${message}${cause}`, 'network');
}

/** scheme://host:port of an endpoint, without credentials or path; accepts Ollama-style "host:port". */
export function endpointOriginOrThrow(url: string): string {
  const origin = originOf(url, { bareHost: true });
  if (origin === undefined) throw new TypeError(`Not an http(s) endpoint: ${url}`);
  return origin;
}
