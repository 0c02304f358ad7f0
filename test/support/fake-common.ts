// Shared machinery of the loopback model servers: HTTP plumbing, request log, scripted faults, and a
// deterministic "model" whose answer depends only on the prompt (plus seed and sample index), so that
// different languages or paraphrases get different but reproducible distributions.

import http from 'node:http';
import { mulberry32 } from '../../src/core/random';
import { listenLoopback } from './loopback';
import { createHash } from 'node:crypto';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  /** Parsed JSON body, or undefined when empty / not JSON. */
  body: unknown;
  rawBody: string;
  /** ms since the server started. */
  at: number;
}

/** A scripted fault. Applies to model calls (chat/generate/completions) unless `paths` says otherwise. */
export type Fault = (
  | { kind: 'status'; status: number; body?: string | object; headers?: Record<string, string> }
  /** 429 with Retry-After (seconds, or an HTTP date when `asDate`), or retry-after-ms. */
  | { kind: 'rateLimit'; retryAfterSeconds?: number; retryAfterMs?: number; asDate?: boolean }
  /** 503 like a busy Ollama (or an overloaded OpenAI-compatible server). */
  | { kind: 'busy' }
  | { kind: 'unauthorized' }
  /** Accept the request, never answer (until the server closes). */
  | { kind: 'hang' }
  /** Send headers and half the body, then cut the connection. */
  | { kind: 'cut' }
  /** Send headers and a few bytes of the body, then go silent (connection stays open). */
  | { kind: 'stall' }
  /** 200 with a body that is not JSON. */
  | { kind: 'nonJson'; contentType?: string; body?: string }
  /** Answer normally but without any logprobs. */
  | { kind: 'noLogprobs' }
  | { kind: 'modelNotFound' }
  /** Answer normally after this extra delay. */
  | { kind: 'slow'; delayMs: number }
) & { paths?: string[] };

export interface FakeModel {
  name: string;
  digest?: string;
  size?: number;
}

export interface FakeBehaviour {
  /** Added before every model answer (fixed-latency mode for benchmarks). */
  latencyMs: number;
  /** One fault per matching request, consumed in order, then normal answers. */
  faults: Fault[];
  /** A fault applied to every matching request until changed. */
  fault: Fault | null;
  models: FakeModel[];
  /** Answer 404 for models not in `models`. */
  rejectUnknownModels: boolean;
  /** When set, requests without `Authorization: Bearer <key>` get 401 (OpenAI fake). */
  requireKey: string | null;
  /** Server ignores logprobs entirely (old Ollama, LM Studio, reasoning models). */
  logprobs: 'ok' | 'missing' | 'reject';
  /** OpenAI fake: which token-limit parameter the "model" accepts. */
  tokenParam: 'max_tokens' | 'max_completion_tokens' | 'both';
  /** OpenAI fake: like reasoning models, reject any temperature other than 1 with a 400. */
  fixedTemperature: boolean;
  /** Ollama fake: answer 400 "does not support thinking" to any request carrying `think` (some versions do). */
  rejectThink: boolean;
  /** Share of sampled answers that are refusals (0 by default). */
  refusalRate: number;
  /**
   * OpenAI fake, /v1/completions: the logprobs shape. 'legacy' is OpenAI's and vLLM's ({tokens,
   * token_logprobs, top_logprobs: [{token: logprob}], text_offset}); 'content' is what llama.cpp server and
   * Ollama's /v1 send on that endpoint (the chat shape, `logprobs.content[]`).
   */
  completionLogprobs: 'legacy' | 'content';
  /** OpenAI fake, /v1/completions: the largest integer `logprobs` accepted (OpenAI 5, vLLM's default 20). */
  completionsMaxLogprobs: number;
  /** OpenAI fake: whether /v1/completions exists (chat-only servers answer 404). */
  completionsEndpoint: boolean;
  /**
   * OpenAI fake: which server's wire format to answer in (test/fixtures/wire/README.md). 'openai' (the API
   * reference), 'vllm' (its protocol.py: stop_reason, prompt_logprobs, kv_transfer_params…, `echo` with
   * prompt logprobs and `max_tokens: 0`, a BOS token first) or 'llamacpp' (tools/server: `timings`, the
   * chat-shaped logprobs on /v1/completions, `meta` in /v1/models, `echo` refused).
   */
  server: 'openai' | 'vllm' | 'llamacpp';
  /** Script the first-token distribution (sorted best first); undefined: the deterministic default. */
  firstToken: ((input: { model: string; prompt: string }) => FakeToken[] | undefined) | null;
  /** Script a free-text reply; return undefined to use the deterministic default. */
  reply: ((input: { model: string; prompt: string; index: number }) => string | undefined) | null;
}

export const DEFAULT_MODELS: FakeModel[] = [
  { name: 'fake-llm:latest', digest: 'sha256:' + '1'.repeat(64), size: 1_234_567 },
  { name: 'fake-reasoner:latest', digest: 'sha256:' + '2'.repeat(64), size: 2_345_678 },
];

export function defaultBehaviour(): FakeBehaviour {
  return {
    latencyMs: 0,
    faults: [],
    fault: null,
    models: DEFAULT_MODELS.map((m) => ({ ...m })),
    rejectUnknownModels: false,
    requireKey: null,
    logprobs: 'ok',
    tokenParam: 'both',
    rejectThink: false,
    fixedTemperature: false,
    refusalRate: 0,
    completionLogprobs: 'legacy',
    completionsMaxLogprobs: 20,
    completionsEndpoint: true,
    server: 'openai',
    firstToken: null,
    reply: null,
  };
}

export interface FakeServer {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
  setBehaviour(patch: Partial<FakeBehaviour>): void;
  readonly behaviour: FakeBehaviour;
  /** Requests to model endpoints only (chat/generate/completions). */
  modelRequests(): RecordedRequest[];
}

export interface Route {
  (req: RecordedRequest, res: http.ServerResponse, ctx: RouteContext): Promise<void> | void;
}

export interface RouteContext {
  behaviour: FakeBehaviour;
  /** The fault to apply to this request (already consumed from the queue), if any. */
  fault: Fault | null;
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Sends the first half of a JSON body with a content-length for the whole, then destroys the socket. */
export function sendCut(res: http.ServerResponse, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.write(text.slice(0, Math.floor(text.length / 2)), () => {
    setTimeout(() => res.socket?.destroy(), 20);
  });
}

/** Headers and the first bytes of a JSON body, then silence until the client gives up or the server closes. */
export function sendStall(res: http.ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': 4096 });
  res.write('{"id":');
}

/**
 * The faults that any server shows alike (no answer, a stalled body, a body that is not JSON, a plain-text
 * status): answered here, true. The rest are each API's own error shapes (fake-ollama, fake-openai).
 */
export function sendTransportFault(res: http.ServerResponse, f: Fault): boolean {
  switch (f.kind) {
    case 'hang':
      return true;
    case 'stall':
      sendStall(res);
      return true;
    case 'nonJson':
      res.writeHead(200, { 'content-type': f.contentType ?? 'application/json' });
      res.end(f.body ?? '<html><body>502 Bad Gateway</body></html>');
      return true;
    case 'status':
      if (typeof f.body !== 'string') return false;
      res.writeHead(f.status, { 'content-type': 'text/plain', ...f.headers });
      res.end(f.body);
      return true;
    default:
      return false;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Starts an HTTP server on 127.0.0.1 that records every request and dispatches to `route`.
 * `isModelPath` decides which paths count as model calls (faults apply to those by default).
 */
export async function startServer(
  route: Route,
  isModelPath: (path: string) => boolean,
  initial: Partial<FakeBehaviour> = {},
  port = 0,
): Promise<FakeServer> {
  const behaviour: FakeBehaviour = { ...defaultBehaviour(), ...initial };
  const requests: RecordedRequest[] = [];
  const started = Date.now();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = rawBody ? JSON.parse(rawBody) : undefined;
      } catch {
        body = undefined;
      }
      const path = (req.url ?? '/').split('?')[0];
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        path,
        headers: req.headers,
        body,
        rawBody,
        at: Date.now() - started,
      };
      requests.push(recorded);
      const applies = (f: Fault | null | undefined) => !!f && (f.paths ? f.paths.includes(path) : isModelPath(path));
      let fault: Fault | null = null;
      if (behaviour.faults.length && applies(behaviour.faults[0])) fault = behaviour.faults.shift() ?? null;
      else if (applies(behaviour.fault)) fault = behaviour.fault;
      Promise.resolve(route(recorded, res, { behaviour, fault })).catch((error: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { error: String(error) });
        else res.destroy();
      });
    });
  });
  server.keepAliveTimeout = 30_000;
  const { url, close } = await listenLoopback(server, port);
  return {
    url,
    requests,
    behaviour,
    modelRequests: () => requests.filter((r) => isModelPath(r.path)),
    setBehaviour(patch) {
      Object.assign(behaviour, patch);
    },
    close,
  };
}

// ------------------------------------------------------------------ the deterministic model

export function hashText(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32LE(0);
}

export { mulberry32 };

/** Option labels found in the prompt: lines like "3. …", "B) …". Defaults to 1–5 when there are none. */
export function labelsInPrompt(prompt: string): string[] {
  const found: string[] = [];
  for (const m of prompt.matchAll(/^\s*([1-9]|[A-Z])[.)](?:\s|$)/gm)) if (!found.includes(m[1])) found.push(m[1]);
  return found.length >= 2 ? found : ['1', '2', '3', '4', '5'];
}

export interface FakeToken {
  token: string;
  logprob: number;
}

/**
 * The fake model's first-token distribution for a prompt: every option label, a leading-space variant of
 * one label and a few non-option tokens (the "miss mass"), as normalised logprobs sorted best first.
 */
export function fakeFirstToken(prompt: string, model: string): FakeToken[] {
  const random = mulberry32(hashText(model + '\u0000' + prompt));
  const gauss = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const labels = labelsInPrompt(prompt);
  const logits: [string, number][] = labels.map((l) => [l, 1.5 * gauss()]);
  const [first, firstLogit] = logits[Math.floor(random() * logits.length)];
  logits.push([' ' + first, firstLogit - 2.5]);
  for (const other of ['The', 'Based', '\n']) logits.push([other, -3.5 + 0.5 * gauss()]);
  const max = Math.max(...logits.map(([, z]) => z));
  const logZ = max + Math.log(logits.reduce((s, [, z]) => s + Math.exp(z - max), 0));
  return logits.map(([token, z]) => ({ token, logprob: z - logZ })).sort((a, b) => b.logprob - a.logprob);
}

/** Picks a token: argmax at temperature 0, else a seeded draw from the tempered distribution. */
export function pickToken(dist: FakeToken[], temperature: number, seedKey: string): FakeToken {
  if (!(temperature > 0)) return dist[0];
  const random = mulberry32(hashText(seedKey));
  const weights = dist.map((t) => Math.exp(t.logprob / temperature));
  let r = random() * weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < dist.length; i++) {
    r -= weights[i];
    if (r <= 0) return dist[i];
  }
  return dist[dist.length - 1];
}

/** A free-text answer (more than one output token): a label in one of a few styles, or a refusal. */
export function fakeText(
  behaviour: FakeBehaviour,
  input: { model: string; prompt: string; temperature: number; seed: number | undefined; index: number; maxTokens: number },
): { text: string; first: FakeToken; dist: FakeToken[] } {
  const dist = behaviour.firstToken?.({ model: input.model, prompt: input.prompt }) ?? fakeFirstToken(input.prompt, input.model);
  const seedKey = `${input.prompt}\u0000${input.model}\u0000${input.seed ?? 'noseed'}\u0000${input.index}`;
  const scripted = behaviour.reply?.({ model: input.model, prompt: input.prompt, index: input.index });
  if (scripted !== undefined) return { text: scripted, first: { token: scripted.split(/(?=\s)/)[0] ?? '', logprob: -0.01 }, dist };
  // Only label tokens are sampled for multi-token answers, so samples always name an option.
  const labelTokens = dist.filter((t) => !/^\s|^(The|Based)$/.test(t.token));
  // A scripted distribution of space-led labels (" 3", as base models continue "Answer:") has no others.
  const options = labelTokens.length ? labelTokens : dist;
  const first = pickToken(options, input.temperature, seedKey);
  if (input.maxTokens <= 1) return { text: first.token, first, dist };
  const random = mulberry32(hashText(seedKey + '\u0001'));
  if (random() < behaviour.refusalRate) return { text: 'I cannot answer that.', first: { token: 'I', logprob: -1 }, dist };
  const style = Math.floor(random() * 3);
  const text = style === 0 ? first.token : style === 1 ? `${first.token}.` : `${first.token} is my answer.`;
  return { text, first, dist };
}

/** The fake tokenizer: a token starts at every whitespace character ("Answer: 3" → "Answer:", " 3"). */
export function fakeTokens(text: string): string[] {
  return text.split(/(?=\s)/).filter(Boolean);
}

/**
 * log p(token | prefix) under the fake model, for scoring given text (echo with prompt logprobs): the
 * token's entry in the first-token distribution after `prefix` (also the scripted one), else the entry
 * of the token without its leading space, else a rare-token value. Deterministic, and for the last token
 * after a prompt the same distribution first-token logprobs read, so both methods see one model.
 */
export function pieceLogprob(behaviour: FakeBehaviour, model: string, prefix: string, token: string): number {
  const dist = behaviour.firstToken?.({ model, prompt: prefix }) ?? fakeFirstToken(prefix, model);
  return dist.find((t) => t.token === token)?.logprob ?? dist.find((t) => t.token === token.trimStart())?.logprob ?? RARE_TOKEN_LOGPROB;
}

const RARE_TOKEN_LOGPROB = -12;

export function promptTokens(prompt: string): number {
  return Math.max(1, Math.ceil(prompt.length / 4));
}

export function retryAfterHeaders(f: Extract<Fault, { kind: 'rateLimit' }>): Record<string, string> {
  const headers: Record<string, string> = {};
  if (f.retryAfterMs !== undefined) headers['retry-after-ms'] = String(f.retryAfterMs);
  if (f.retryAfterSeconds !== undefined) {
    headers['retry-after'] = f.asDate ? new Date(Date.now() + f.retryAfterSeconds * 1000).toUTCString() : String(f.retryAfterSeconds);
  }
  return headers;
}
