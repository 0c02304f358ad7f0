// The providers' HTTP layer on node:http/https with keep-alive agents. Scoring requests are tiny and
// latency-bound, so the client's own CPU per request lies on the critical path (at concurrency equal to the
// server's capacity it leaves a server slot idle): `httpExchange` is one request, no Headers/Response objects,
// one timer and one abort listener; `httpTransport` is the same as a `fetch` for code that injects one.
// Responses are buffered (scoring never streams); an abort or the timeout destroys the socket.
// Redirects are not followed (a 3xx is returned as it is, so a prompt is never re-sent to another origin).
// Size limits (src/core/limits.ts): the request body, the body as received and the body after
// gzip/deflate/br decoding; going over one rejects with a non-retryable ProviderError('parse').
import http from 'node:http';
import https from 'node:https';
import zlib from 'node:zlib';
import type { Readable } from 'node:stream';
import { formatBytes, limits } from '../core/limits';
import { ProviderError } from '../core/model';

const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 64 });

export interface ExchangeRequest {
  method: string;
  url: URL;
  /** Lower-case names. content-length is set here from the body. */
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Cancels: rejects with an AbortError (or the signal's own TimeoutError reason). */
  signal?: AbortSignal;
  /** Bounds the whole exchange, body included: rejects with a TimeoutError. */
  timeoutMs?: number;
}

export interface ExchangeResponse {
  status: number;
  statusText: string;
  /** As node:http gives them (lower-case names); content-encoding and -length dropped when the body was decoded. */
  headers: http.IncomingHttpHeaders;
  /** Decoded. */
  body: Buffer;
}

/** `headers.get(name)` over node:http's header object, for parseRetryAfter and friends. */
export function headerReader(headers: http.IncomingHttpHeaders): { get(name: string): string | null } {
  return {
    get(name) {
      const value = headers[name.toLowerCase()];
      return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
    },
  };
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === 'TimeoutError') return reason;
  return new DOMException('This operation was aborted', 'AbortError');
}

function decoderFor(encoding: string): zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress | null | undefined {
  if (encoding === '' || encoding === 'identity') return null;
  if (encoding === 'gzip' || encoding === 'x-gzip') return zlib.createGunzip();
  if (encoding === 'deflate') return zlib.createInflate();
  if (encoding === 'br') return zlib.createBrotliDecompress();
  return undefined; // unknown: refused
}

/** One HTTP exchange, the answer buffered whole (any status: the caller decides what a status means). */
export function httpExchange(req: ExchangeRequest): Promise<ExchangeResponse> {
  const { url, signal, body } = req;
  const limit = limits();
  const origin = url.origin;
  return new Promise<ExchangeResponse>((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError(signal));
      return;
    }
    const bodyBytes = body === undefined ? 0 : typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
    if (bodyBytes > limit.maxRequestBytes) {
      reject(new ProviderError(`Request to ${origin} not sent: its body is ${formatBytes(bodyBytes)}, over the ${formatBytes(limit.maxRequestBytes)} limit (VALUE_LENS_MAX_REQUEST_BYTES)`, 'unsupported'));
      return;
    }
    const secure = url.protocol === 'https:';
    const headers: Record<string, string | number> = { ...req.headers };
    if (body !== undefined) headers['content-length'] = bodyBytes;
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const cleanUp = (): void => {
      if (timer) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const fail = (error: Error): void => {
      if (settled) return;
      settled = true;
      cleanUp();
      reject(error);
      request.destroy();
    };
    const request = (secure ? https : http).request(
      {
        protocol: url.protocol,
        // URL keeps IPv6 literals in brackets; node:http wants them bare.
        hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method: req.method,
        headers,
        agent: secure ? httpsAgent : httpAgent,
      },
      (response) => {
        const tooLarge = (what: string, max: number, env: string): void =>
          fail(new ProviderError(`Answer from ${origin} is too large: ${what} over the ${formatBytes(max)} limit (${env}); not retried`, 'parse'));
        const declared = Number(response.headers['content-length']);
        if (Number.isFinite(declared) && declared > limit.maxResponseBytes) {
          tooLarge(`its body of ${formatBytes(declared)} is`, limit.maxResponseBytes, 'VALUE_LENS_MAX_RESPONSE_BYTES');
          return;
        }
        const encoding = String(response.headers['content-encoding'] ?? '').trim().toLowerCase();
        const decoder = decoderFor(encoding);
        if (decoder === undefined) {
          fail(new ProviderError(`Answer from ${origin} uses an unsupported content-encoding "${encoding.slice(0, 40)}"`, 'parse'));
          return;
        }
        let received = 0;
        let decoded = 0;
        const chunks: Buffer[] = [];
        response.on('aborted', () => fail(new Error('connection closed before the response was complete')));
        response.on('error', (error) => fail(signal?.aborted ? abortError(signal) : error));
        if (decoder) {
          response.on('data', (chunk: Buffer) => {
            received += chunk.length;
            if (received > limit.maxResponseBytes) tooLarge('its body is', limit.maxResponseBytes, 'VALUE_LENS_MAX_RESPONSE_BYTES');
          });
          decoder.on('error', (error) => fail(new ProviderError(`Answer from ${origin} has a damaged ${encoding} body: ${error.message}`, 'parse')));
        }
        const stream: Readable = decoder ? response.pipe(decoder) : response;
        stream.on('data', (chunk: Buffer) => {
          if (settled) return;
          decoded += chunk.length;
          if (decoded > (decoder ? limit.maxDecodedResponseBytes : limit.maxResponseBytes)) {
            decoder?.destroy();
            if (decoder) tooLarge(`its ${encoding} body decodes to more than that, which is`, limit.maxDecodedResponseBytes, 'VALUE_LENS_MAX_DECODED_BYTES');
            else tooLarge('its body is', limit.maxResponseBytes, 'VALUE_LENS_MAX_RESPONSE_BYTES');
          } else chunks.push(chunk);
        });
        stream.on('end', () => {
          if (settled || !response.complete) return; // 'aborted' rejected already
          settled = true;
          cleanUp();
          const out = response.headers;
          // The body handed on is decoded: its original encoding and length no longer describe it.
          if (decoder) {
            delete out['content-encoding'];
            delete out['content-length'];
          }
          resolve({ status: response.statusCode ?? 500, statusText: response.statusMessage ?? '', headers: out, body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks) });
        });
      },
    );
    const onAbort = (): void => fail(abortError(signal!));
    signal?.addEventListener('abort', onAbort, { once: true });
    if (req.timeoutMs !== undefined) {
      timer = setTimeout(() => fail(new DOMException(`No answer within ${req.timeoutMs} ms`, 'TimeoutError')), req.timeoutMs);
    }
    request.on('error', (error) => fail(signal?.aborted ? abortError(signal) : error));
    request.end(body);
  });
}

function bodyOf(body: RequestInit['body']): string | Uint8Array | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (body instanceof URLSearchParams) return body.toString();
  throw new TypeError('http transport: unsupported request body type');
}

/** `fetch` over httpExchange; falls back to the global fetch for anything but http: and https: URLs. */
export const httpTransport: typeof fetch = async (input, init = {}) => {
  const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return fetch(input, init);
  const headers: Record<string, string> = {};
  new Headers(init.headers).forEach((value, key) => (headers[key] = value));
  const method = init.method ?? 'GET';
  const answer = await httpExchange({ method, url, headers, body: bodyOf(init.body), ...(init.signal ? { signal: init.signal } : {}) });
  const out = new Headers();
  for (const [key, value] of Object.entries(answer.headers)) {
    if (value !== undefined) out.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  const noBody = answer.status === 204 || answer.status === 304 || method.toUpperCase() === 'HEAD';
  return new Response(noBody ? null : new Uint8Array(answer.body), { status: answer.status, statusText: answer.statusText, headers: out });
};
