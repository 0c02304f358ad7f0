// Hostile loopback model servers for the reliability tests (issue 18): each answers every request with
// one scripted misbehaviour — huge or compression-bomb bodies, cross-origin redirects, error text full of
// terminal escapes, impossible logprobs, an echoed API key — and records what it was sent.

import http from 'node:http';
import zlib from 'node:zlib';
import { listenLoopback } from './loopback';

export interface HostileRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface HostileServer {
  url: string;
  requests: HostileRequest[];
  /** Requests whose path is a model call (chat, generate, completions). */
  modelRequests(): HostileRequest[];
  close(): Promise<void>;
}

export type Misbehaviour = (req: HostileRequest, res: http.ServerResponse) => void;

/** Starts a server whose model calls get `misbehave`; /api/tags and /api/version answer like Ollama. */
export async function startHostileServer(misbehave: Misbehaviour, models = ['fake-llm']): Promise<HostileServer> {
  const requests: HostileRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const entry = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(entry);
      if (entry.path.startsWith('/api/tags'))
        return json(res, 200, { models: models.map((name) => ({ name, model: name, digest: 'sha256:hostile', size: 1 })) });
      if (entry.path.startsWith('/api/version')) return json(res, 200, { version: '0.13.0' });
      if (entry.path.startsWith('/v1/models'))
        return json(res, 200, { object: 'list', data: models.map((id) => ({ id, object: 'model' })) });
      misbehave(entry, res);
    });
  });
  const { url, close } = await listenLoopback(server);
  return {
    url,
    requests,
    modelRequests: () => requests.filter((r) => /\/api\/(chat|generate)|\/chat\/completions|\/completions/.test(r.path)),
    close,
  };
}

export function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

/** An Ollama /api/chat answer "3" whose first-token logprobs are `top` (entries as given, valid or not). */
export function ollamaChat(top: unknown[], content = '3'): unknown {
  return {
    model: 'fake-llm',
    created_at: new Date(0).toISOString(),
    message: { role: 'assistant', content },
    done: true,
    done_reason: 'stop',
    prompt_eval_count: 10,
    eval_count: 1,
    logprobs: [{ token: content, logprob: -0.1, top_logprobs: top }],
  };
}

/** An OpenAI chat completion with `content` and first-token alternatives `top`. */
export function openaiChat(top: unknown[], content = '3'): unknown {
  return {
    id: 'x',
    object: 'chat.completion',
    created: 0,
    model: 'fake-llm',
    choices: [
      {
        index: 0,
        finish_reason: 'stop',
        message: { role: 'assistant', content },
        logprobs: { content: [{ token: content, logprob: -0.1, top_logprobs: top }] },
      },
    ],
    usage: { prompt_tokens: 10, completion_tokens: 1, total_tokens: 11 },
  };
}

/** A valid Ollama chat body padded with whitespace to `bytes` (a JSON body exactly that big). */
export function paddedOllamaBody(bytes: number): Buffer {
  const core = JSON.stringify(ollamaChat([{ token: '3', logprob: -0.1 }]));
  if (bytes < core.length) throw new Error(`padded body: ${bytes} < ${core.length}`);
  return Buffer.concat([Buffer.from(core), Buffer.alloc(bytes - core.length, 0x20)]);
}

/** `body` gzip-, deflate- or br-compressed (a bomb when `body` is long runs of one byte). */
export function compress(body: Buffer, encoding: 'gzip' | 'deflate' | 'br'): Buffer {
  if (encoding === 'gzip') return zlib.gzipSync(body, { level: 9 });
  if (encoding === 'deflate') return zlib.deflateSync(body, { level: 9 });
  // Quality 5: the default (11) takes seconds on megabytes of padding; the ratio stays above 1000:1.
  return zlib.brotliCompressSync(body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5 } });
}

/** Sends `body` with `headers`, chunked (no content-length) unless `withLength`. */
export function send(res: http.ServerResponse, status: number, body: Buffer, headers: Record<string, string>, withLength = true): void {
  res.writeHead(status, {
    'content-type': 'application/json',
    ...(withLength ? { 'content-length': String(body.length) } : {}),
    ...headers,
  });
  res.end(body);
}

/** Text a hostile server puts in an error: clear screen, OSC 52 clipboard write, a fake green summary line. */
export const ESCAPE_PAYLOAD = '\u001b[2J\u001b[H\u001b]52;c;ZWNobyBwd25lZA==\u0007\r\u001b[32m0 failed\u001b[0m\u009b31m';
