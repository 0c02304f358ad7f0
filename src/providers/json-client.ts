// The providers' JSON-over-HTTP client (OpenAI-compatible and Ollama APIs): one request, its answer parsed,
// every failure a typed ProviderError — cancelled, timed out (the timeout bounds the body too), HTTP status
// with Retry-After, redirect refused, body not JSON, network — with the key redacted from every message.
// It never retries: the scheduler does (src/core/run/retry.ts), so one policy decides and counts attempts.
// The default path is httpExchange (node:http, keep-alive); an injected `fetch` (tests, proxies) gets the
// same mapping.

import { ProviderError } from '../core/model';
import { classifyError, excerpt, httpError, messageFromBody, parseRetryAfter, redact, redirectError } from './errors';
import { headerReader, httpExchange } from './http-transport';

export interface JsonClientOptions {
  /** Base URL every path is appended to (trailing slashes dropped), e.g. https://api.openai.com/v1. */
  baseURL: string;
  /** scheme://host:port, for messages. */
  origin: string;
  /** Sent with every request (lower-case names), e.g. authorization. */
  headers?: Record<string, string>;
  /** Redacted from every message. */
  secrets?: (string | undefined)[];
  /** Replaces the node:http path (tests, proxies). */
  fetch?: typeof fetch;
}

export interface JsonCall {
  signal: AbortSignal;
  timeoutMs: number;
}

export interface JsonClient {
  /** The parsed answer of a 2xx; anything else rejects with a ProviderError. */
  request(method: 'GET' | 'POST', path: string, body: unknown, call: JsonCall): Promise<unknown>;
}

interface Answer {
  status: number;
  headers: { get(name: string): string | null };
  text: string;
}

export function createJsonClient(options: JsonClientOptions): JsonClient {
  const base = options.baseURL.replace(/\/+$/, '');
  const { origin } = options;
  const secrets = options.secrets ?? [];
  const postHeaders: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json',
    'user-agent': 'value-lens',
    ...options.headers,
  };
  const getHeaders: Record<string, string> = { accept: 'application/json', 'user-agent': 'value-lens', ...options.headers };
  const cancelled = (): ProviderError => new ProviderError(`Request to ${origin} was cancelled`, 'aborted');
  const timedOut = (ms: number): ProviderError => new ProviderError(`No answer from ${origin} within ${ms} ms`, 'timeout');

  async function viaFetch(fetchImpl: typeof fetch, method: string, url: string, body: string | undefined, call: JsonCall): Promise<Answer> {
    const timeout = AbortSignal.timeout(call.timeoutMs);
    try {
      const response = await fetchImpl(url, {
        method,
        headers: body === undefined ? getHeaders : postHeaders,
        ...(body !== undefined ? { body } : {}),
        signal: AbortSignal.any([call.signal, timeout]),
        redirect: 'manual',
      });
      return { status: response.status, headers: response.headers, text: await response.text() };
    } catch (error) {
      if (call.signal.aborted) throw cancelled();
      if (timeout.aborted) throw timedOut(call.timeoutMs);
      throw error;
    }
  }

  // A provider calls a handful of paths: each URL is parsed once (a few dozen at most are kept).
  const urls = new Map<string, URL>();
  async function viaHttp(method: string, url: string, body: string | undefined, call: JsonCall): Promise<Answer> {
    let parsed = urls.get(url);
    if (!parsed) {
      parsed = new URL(url);
      if (urls.size < 32) urls.set(url, parsed);
    }
    const answer = await httpExchange({
      method,
      url: parsed,
      headers: body === undefined ? getHeaders : postHeaders,
      ...(body !== undefined ? { body } : {}),
      signal: call.signal,
      timeoutMs: call.timeoutMs,
    });
    return { status: answer.status, headers: headerReader(answer.headers), text: answer.body.toString('utf8') };
  }

  return {
    async request(method, path, payload, call) {
      if (call.signal.aborted) throw cancelled();
      const url = `${base}${path}`;
      const body = payload === undefined ? undefined : JSON.stringify(payload);
      let answer: Answer;
      try {
        answer = options.fetch ? await viaFetch(options.fetch, method, url, body, call) : await viaHttp(method, url, body, call);
      } catch (error) {
        if (error instanceof ProviderError) throw error;
        if (call.signal.aborted) throw cancelled();
        if (error instanceof Error && error.name === 'TimeoutError') throw timedOut(call.timeoutMs);
        throw classifyError(error, { origin, userSignal: call.signal, timeoutMs: call.timeoutMs, secrets });
      }
      const { status } = answer;
      if (status >= 300 && status < 400) throw redirectError(status, origin, answer.headers.get('location'), url);
      if (status < 200 || status >= 300)
        throw httpError(status, origin, messageFromBody(answer.text), parseRetryAfter(answer.headers), secrets);
      try {
        return JSON.parse(answer.text) as unknown;
      } catch {
        throw new ProviderError(`Answer from ${origin} is not valid JSON: ${excerpt(redact(answer.text, secrets), 120)}`, 'parse');
      }
    },
  };
}
