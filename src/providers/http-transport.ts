// A fetch-compatible transport on node:http/https with keep-alive agents. Scoring requests are tiny and
// latency-bound: undici's fetch spends about 1 ms more client time per request than node:http here, and at
// concurrency equal to the server's capacity that time leaves a server slot idle (see docs/performance.md).
// Responses are buffered (scoring never streams); an abort destroys the socket and rejects with AbortError.
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

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === 'TimeoutError') return reason;
  return new DOMException('This operation was aborted', 'AbortError');
}

function bodyOf(body: RequestInit['body']): string | Uint8Array | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (body instanceof URLSearchParams) return body.toString();
  throw new TypeError('http transport: unsupported request body type');
}

function decoderFor(encoding: string): zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress | null | undefined {
  if (encoding === '' || encoding === 'identity') return null;
  if (encoding === 'gzip' || encoding === 'x-gzip') return zlib.createGunzip();
  if (encoding === 'deflate') return zlib.createInflate();
  if (encoding === 'br') return zlib.createBrotliDecompress();
  return undefined; // unknown: refused
}

/** `fetch` over node:http(s); falls back to the global fetch for anything but http: and https: URLs. */
export const httpTransport: typeof fetch = (input, init = {}) => {
  const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return fetch(input, init);
  const signal = init.signal ?? undefined;
  const limit = limits();
  const origin = url.origin;
  return new Promise<Response>((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError(signal));
      return;
    }
    const body = bodyOf(init.body);
    const bodyBytes = body === undefined ? 0 : typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
    if (bodyBytes > limit.maxRequestBytes) {
      reject(new ProviderError(`Request to ${origin} not sent: its body is ${formatBytes(bodyBytes)}, over the ${formatBytes(limit.maxRequestBytes)} limit (VALUE_LENS_MAX_REQUEST_BYTES)`, 'unsupported'));
      return;
    }
    let settled = false;
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, key) => (headers[key] = value));
    const transport = url.protocol === 'https:' ? https : http;
    const request = transport.request(url, { method: init.method ?? 'GET', headers, agent: url.protocol === 'https:' ? httpsAgent : httpAgent }, (response) => {
      const fail = (error: Error): void => {
        if (settled) return;
        settled = true;
        reject(error);
        request.destroy();
      };
      const tooLarge = (what: string, max: number, env: string) =>
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
      response.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > limit.maxResponseBytes) tooLarge('its body is', limit.maxResponseBytes, 'VALUE_LENS_MAX_RESPONSE_BYTES');
      });
      const body: Readable = decoder ? response.pipe(decoder) : response;
      body.on('data', (chunk: Buffer) => {
        if (settled) return;
        decoded += chunk.length;
        if (decoded > limit.maxDecodedResponseBytes) {
          decoder?.destroy();
          tooLarge(`its ${encoding || 'decoded'} body decodes to more than that, which is`, limit.maxDecodedResponseBytes, 'VALUE_LENS_MAX_DECODED_BYTES');
        } else chunks.push(chunk);
      });
      decoder?.on('error', (error) => fail(new ProviderError(`Answer from ${origin} has a damaged ${encoding} body: ${error.message}`, 'parse')));
      response.on('error', (error) => fail(signal?.aborted ? abortError(signal) : error));
      response.on('aborted', () => fail(new Error('connection closed before the response was complete')));
      body.on('end', () => {
        if (settled || !response.complete) return; // 'aborted' rejected already
        settled = true;
        const out = new Headers();
        for (const [key, value] of Object.entries(response.headers)) {
          if (value === undefined) continue;
          // The body handed on is decoded: its original encoding and length no longer describe it.
          if (decoder && (key === 'content-encoding' || key === 'content-length')) continue;
          out.set(key, Array.isArray(value) ? value.join(', ') : value);
        }
        const status = response.statusCode ?? 500;
        const noBody = status === 204 || status === 304 || (init.method ?? 'GET').toUpperCase() === 'HEAD';
        resolve(new Response(noBody ? null : Buffer.concat(chunks), { status, statusText: response.statusMessage ?? '', headers: out }));
      });
    });
    const onAbort = () => request.destroy(abortError(signal!));
    signal?.addEventListener('abort', onAbort, { once: true });
    request.on('close', () => signal?.removeEventListener('abort', onAbort));
    request.on('error', (error) => {
      if (settled) return;
      settled = true;
      reject(signal?.aborted ? abortError(signal) : error);
    });
    request.end(body);
  });
};
