// The providers' HTTP layer on node:http/https with keep-alive agents. Scoring requests are tiny and
// latency-bound, so the client's own CPU per request lies on the critical path (at concurrency equal to the
// server's capacity it leaves a server slot idle): `httpExchange` is one request, no Headers/Response objects,
// one timer and one abort listener; `httpTransport` is the same as a `fetch` for code that injects one.
// Responses are buffered (scoring never streams); an abort or the timeout destroys the socket.
// Redirects are not followed (a 3xx is returned as it is, so a prompt is never re-sent to another origin).
// Size limits (src/core/limits.ts): the request body, the body as received and the body after
// gzip/deflate/br decoding; going over one rejects with a non-retryable ProviderError('parse').
import http from 'node:http';
import type https from 'node:https';
import type zlib from 'node:zlib';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { formatBytes, limits } from '../core/limits';
import { ProviderError } from '../core/model';

const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });

// node:https (TLS) and node:zlib take ~7 ms to load, and a run against a local http: server that does not
// compress its answers never uses them: loaded on first use (synchronously: a request starts in one turn).
let secure: { module: typeof https; agent: https.Agent } | undefined;
let zlibModule: typeof zlib | undefined;

function httpsTransport(): { module: typeof https; agent: https.Agent } {
  if (!secure) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a built-in loaded on first use
    const loaded = require('node:https') as typeof https;
    secure = { module: loaded, agent: new loaded.Agent({ keepAlive: true, maxSockets: 64 }) };
  }
  return secure;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports -- a built-in loaded on first use
const lazyZlib = (): typeof zlib => (zlibModule ??= require('node:zlib') as typeof zlib);

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
  if (encoding === 'gzip' || encoding === 'x-gzip') return lazyZlib().createGunzip();
  if (encoding === 'deflate') return lazyZlib().createInflate();
  if (encoding === 'br') return lazyZlib().createBrotliDecompress();
  return undefined; // unknown: refused
}

/** What a body reader gets: the decoded body stream, and the ways to end the exchange. */
interface Sink<T> {
  response: http.IncomingMessage;
  /** The body, decoded; already checked against the size limit as received. */
  body: Readable;
  /** Set when the body was decoded (gzip, deflate, br). */
  encoding: string | undefined;
  fail(error: Error): void;
  done(value: T): void;
  settled(): boolean;
  tooLarge(what: string, max: number, env: string): void;
}

/**
 * The part every exchange shares: the request-size limit, the request itself on a keep-alive agent, the
 * abort listener and the timer, the received-size limit and decoding. `read` consumes the decoded body.
 */
function exchange<T>(req: ExchangeRequest, read: (sink: Sink<T>) => void): Promise<T> {
  const { url, signal, body } = req;
  const limit = limits();
  const origin = url.origin;
  return new Promise<T>((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError(signal));
      return;
    }
    const bodyBytes = body === undefined ? 0 : typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
    if (bodyBytes > limit.maxRequestBytes) {
      reject(
        new ProviderError(
          `Request to ${origin} not sent: its body is ${formatBytes(bodyBytes)}, over the ${formatBytes(limit.maxRequestBytes)} limit (VALUE_LENS_MAX_REQUEST_BYTES)`,
          'unsupported',
        ),
      );
      return;
    }
    const tls = url.protocol === 'https:' ? httpsTransport() : undefined;
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
    const done = (value: T): void => {
      if (settled) return;
      settled = true;
      cleanUp();
      resolve(value);
    };
    const tooLarge = (what: string, max: number, env: string): void =>
      fail(
        new ProviderError(`Answer from ${origin} is too large: ${what} over the ${formatBytes(max)} limit (${env}); not retried`, 'parse'),
      );
    const request = (tls ? tls.module : http).request(
      {
        protocol: url.protocol,
        // URL keeps IPv6 literals in brackets; node:http wants them bare.
        hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method: req.method,
        headers,
        agent: tls ? tls.agent : httpAgent,
      },
      (response) => {
        const declared = Number(response.headers['content-length']);
        if (Number.isFinite(declared) && declared > limit.maxResponseBytes) {
          tooLarge(`its body of ${formatBytes(declared)} is`, limit.maxResponseBytes, 'VALUE_LENS_MAX_RESPONSE_BYTES');
          return;
        }
        const encoding = String(response.headers['content-encoding'] ?? '')
          .trim()
          .toLowerCase();
        const decoder = decoderFor(encoding);
        if (decoder === undefined) {
          fail(new ProviderError(`Answer from ${origin} uses an unsupported content-encoding "${encoding.slice(0, 40)}"`, 'parse'));
          return;
        }
        response.on('aborted', () => fail(new Error('connection closed before the response was complete')));
        response.on('error', (error) => fail(signal?.aborted ? abortError(signal) : error));
        if (decoder) {
          let received = 0;
          response.on('data', (chunk: Buffer) => {
            received += chunk.length;
            if (received > limit.maxResponseBytes) tooLarge('its body is', limit.maxResponseBytes, 'VALUE_LENS_MAX_RESPONSE_BYTES');
          });
          decoder.on('error', (error) =>
            fail(new ProviderError(`Answer from ${origin} has a damaged ${encoding} body: ${error.message}`, 'parse')),
          );
          // The body handed on is decoded: its original encoding and length no longer describe it.
          delete response.headers['content-encoding'];
          delete response.headers['content-length'];
        }
        read({
          response,
          body: decoder ? response.pipe(decoder) : response,
          encoding: decoder ? encoding : undefined,
          fail,
          done,
          settled: () => settled,
          tooLarge,
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

/** Collects a decoded body whole, within the limits (the decoded limit when it was decoded). */
function collect(sink: Sink<unknown>, max: { bytes: number; env: string }, onEnd: (body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  sink.body.on('data', (chunk: Buffer) => {
    if (sink.settled()) return;
    size += chunk.length;
    if (size > max.bytes) {
      // Settle first: destroying the response would otherwise report a broken connection.
      if (sink.encoding) {
        sink.tooLarge(`its ${sink.encoding} body decodes to more than that, which is`, max.bytes, max.env);
        sink.body.destroy(); // stop inflating what is already buffered
      } else sink.tooLarge('its body is', max.bytes, max.env);
    } else chunks.push(chunk);
  });
  sink.body.on('end', () => {
    if (sink.settled() || !sink.response.complete) return; // 'aborted' rejected already
    onEnd(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
  });
}

function bodyLimit(decoded: boolean): { bytes: number; env: string } {
  const limit = limits();
  return decoded
    ? { bytes: limit.maxDecodedResponseBytes, env: 'VALUE_LENS_MAX_DECODED_BYTES' }
    : { bytes: limit.maxResponseBytes, env: 'VALUE_LENS_MAX_RESPONSE_BYTES' };
}

function answerOf(response: http.IncomingMessage, body: Buffer): ExchangeResponse {
  return { status: response.statusCode ?? 500, statusText: response.statusMessage ?? '', headers: response.headers, body };
}

/** One HTTP exchange, the answer buffered whole (any status: the caller decides what a status means). */
export function httpExchange(req: ExchangeRequest): Promise<ExchangeResponse> {
  return exchange<ExchangeResponse>(req, (sink) =>
    collect(sink as Sink<unknown>, bodyLimit(!!sink.encoding), (body) => sink.done(answerOf(sink.response, body))),
  );
}

/**
 * A streamed exchange of newline-delimited lines (Ollama's pull progress, which may run for an hour): on a
 * 2xx each non-empty line goes to `onLine` as it arrives (one line at most the response limit; the whole
 * stream unbounded) and the answer's body is empty; any other status is buffered for the error message.
 * An `onLine` that throws ends the exchange with that error.
 */
export function httpLines(req: ExchangeRequest, onLine: (line: string) => void): Promise<ExchangeResponse> {
  return exchange<ExchangeResponse>(req, (sink) => {
    const status = sink.response.statusCode ?? 500;
    if (status < 200 || status >= 300) {
      collect(sink as Sink<unknown>, bodyLimit(!!sink.encoding), (body) => sink.done(answerOf(sink.response, body)));
      return;
    }
    const max = limits().maxResponseBytes;
    const decoder = new StringDecoder('utf8');
    let pending = '';
    const emit = (text: string): void => {
      for (const line of text.split('\n')) if (line.trim()) onLine(line);
    };
    sink.body.on('data', (chunk: Buffer) => {
      if (sink.settled()) return;
      pending += decoder.write(chunk);
      const cut = pending.lastIndexOf('\n');
      try {
        if (cut >= 0) {
          emit(pending.slice(0, cut));
          pending = pending.slice(cut + 1);
        }
      } catch (error) {
        sink.fail(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      if (pending.length > max) sink.tooLarge('one line of its stream is', max, 'VALUE_LENS_MAX_RESPONSE_BYTES');
    });
    sink.body.on('end', () => {
      if (sink.settled() || !sink.response.complete) return;
      try {
        emit(pending + decoder.end());
      } catch (error) {
        sink.fail(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      sink.done(answerOf(sink.response, Buffer.alloc(0)));
    });
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
