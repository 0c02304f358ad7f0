// A fetch-compatible transport on node:http/https with keep-alive agents. Scoring requests are tiny and
// latency-bound: undici's fetch spends about 1 ms more client time per request than node:http here, and at
// concurrency equal to the server's capacity that time leaves a server slot idle (see docs/performance.md).
// Responses are buffered (scoring never streams); an abort destroys the socket and rejects with AbortError.
import http from 'node:http';
import https from 'node:https';

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

/** `fetch` over node:http(s); falls back to the global fetch for anything but http: and https: URLs. */
export const httpTransport: typeof fetch = (input, init = {}) => {
  const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return fetch(input, init);
  const signal = init.signal ?? undefined;
  return new Promise<Response>((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError(signal));
      return;
    }
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, key) => (headers[key] = value));
    const transport = url.protocol === 'https:' ? https : http;
    const request = transport.request(url, { method: init.method ?? 'GET', headers, agent: url.protocol === 'https:' ? httpsAgent : httpAgent }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', (error) => reject(signal?.aborted ? abortError(signal) : error));
      response.on('aborted', () => reject(new Error('connection closed before the response was complete')));
      response.on('end', () => {
        if (!response.complete) return; // 'aborted' rejected already
        const out = new Headers();
        for (const [key, value] of Object.entries(response.headers)) {
          if (value !== undefined) out.set(key, Array.isArray(value) ? value.join(', ') : value);
        }
        const status = response.statusCode ?? 500;
        const noBody = status === 204 || status === 304 || (init.method ?? 'GET').toUpperCase() === 'HEAD';
        resolve(new Response(noBody ? null : Buffer.concat(chunks), { status, statusText: response.statusMessage ?? '', headers: out }));
      });
    });
    const onAbort = () => request.destroy(abortError(signal!));
    signal?.addEventListener('abort', onAbort, { once: true });
    request.on('close', () => signal?.removeEventListener('abort', onAbort));
    request.on('error', (error) => reject(signal?.aborted ? abortError(signal) : error));
    request.end(bodyOf(init.body));
  });
};
