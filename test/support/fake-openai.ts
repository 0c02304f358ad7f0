// A loopback server speaking the OpenAI chat completions API (/v1/chat/completions, /v1/models) with
// `choices[i].logprobs.content[]` of {token, logprob, bytes, top_logprobs[]}, and OpenAI's error bodies;
// plus the legacy /v1/completions (base models) with the integer `logprobs` field, answered in the
// legacy shape (OpenAI API reference, vLLM) or, with `completionLogprobs: 'content'`, in the chat shape
// that llama.cpp server and Ollama's /v1 send on that endpoint.

import type http from 'node:http';
import {
  fakeText,
  promptTokens,
  retryAfterHeaders,
  sendCut,
  sendStall,
  sendJson,
  sleep,
  startServer,
  type FakeBehaviour,
  type FakeServer,
  type RecordedRequest,
  type RouteContext,
} from './fake-common';

export type { FakeServer, FakeBehaviour, Fault, RecordedRequest } from './fake-common';

const MODEL_PATHS = new Set(['/v1/chat/completions', '/v1/completions']);

interface ChatBody {
  model?: string;
  messages?: { role: string; content: string }[];
  /** /v1/completions only. */
  prompt?: unknown;
  /** boolean on chat, integer (or null) on /v1/completions. */
  logprobs?: boolean | number | null;
  top_logprobs?: number;
  n?: number;
  seed?: number;
  temperature?: number;
  max_tokens?: number;
  max_completion_tokens?: number;
  stream?: boolean;
}

function openAiError(res: http.ServerResponse, status: number, message: string, type: string, code: string | null, headers: Record<string, string> = {}, param: string | null = null): void {
  sendJson(res, status, { error: { message, type, param, code } }, headers);
}

function bytesOf(token: string): number[] {
  return [...Buffer.from(token, 'utf8')];
}

function errorFor(req: RecordedRequest, res: http.ServerResponse, ctx: RouteContext, model: string): boolean {
  const f = ctx.fault;
  if (!f) return false;
  switch (f.kind) {
    case 'status':
      if (typeof f.body === 'string') {
        res.writeHead(f.status, { 'content-type': 'text/plain', ...f.headers });
        res.end(f.body);
      } else if (f.body) sendJson(res, f.status, f.body, f.headers);
      else openAiError(res, f.status, `status ${f.status}`, 'server_error', null, f.headers);
      return true;
    case 'rateLimit':
      openAiError(res, 429, 'Rate limit reached for requests. Please try again later.', 'requests', 'rate_limit_exceeded', retryAfterHeaders(f));
      return true;
    case 'busy':
      openAiError(res, 503, 'The server is overloaded or not ready yet.', 'server_error', null);
      return true;
    case 'unauthorized':
      unauthorized(req, res);
      return true;
    case 'hang':
      return true;
    case 'stall':
      sendStall(res);
      return true;
    case 'modelNotFound':
      openAiError(res, 404, `The model \`${model}\` does not exist or you do not have access to it.`, 'invalid_request_error', 'model_not_found');
      return true;
    case 'nonJson':
      res.writeHead(200, { 'content-type': f.contentType ?? 'application/json' });
      res.end(f.body ?? '<html><body>502 Bad Gateway</body></html>');
      return true;
    default:
      return false;
  }
}

/** Like some real servers, the 401 message echoes the key it received: clients must not pass it on. */
function unauthorized(req: RecordedRequest, res: http.ServerResponse): void {
  const auth = String(req.headers.authorization ?? '');
  const key = auth.replace(/^Bearer\s+/i, '');
  openAiError(res, 401, `Incorrect API key provided: ${key}. You can find your API key at https://platform.openai.com/account/api-keys.`, 'invalid_request_error', 'invalid_api_key');
}

async function completions(req: RecordedRequest, res: http.ServerResponse, ctx: RouteContext): Promise<void> {
  const b = ctx.behaviour;
  const body = (req.body ?? {}) as ChatBody;
  const model = body.model ?? '';
  if (ctx.fault?.kind === 'slow') await sleep(ctx.fault.delayMs);
  if (b.latencyMs > 0) await sleep(b.latencyMs);
  if (b.requireKey !== null && req.headers.authorization !== `Bearer ${b.requireKey}`) return unauthorized(req, res);
  if (errorFor(req, res, ctx, model)) return;
  if (req.body === undefined) return openAiError(res, 400, 'We could not parse the JSON body of your request.', 'invalid_request_error', null);
  if (!model) return openAiError(res, 400, 'you must provide a model parameter', 'invalid_request_error', null, {}, 'model');
  if (b.rejectUnknownModels && !b.models.some((m) => m.name === model)) {
    return openAiError(res, 404, `The model \`${model}\` does not exist or you do not have access to it.`, 'invalid_request_error', 'model_not_found');
  }
  if (req.path !== '/v1/chat/completions') return openAiError(res, 404, 'Use /v1/chat/completions', 'invalid_request_error', null);
  if (body.stream) return openAiError(res, 400, 'This fake server does not stream', 'invalid_request_error', null, {}, 'stream');
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    return openAiError(res, 400, "Invalid value for 'messages': expected a non-empty array.", 'invalid_request_error', null, {}, 'messages');
  }
  if (body.max_tokens !== undefined && b.tokenParam === 'max_completion_tokens') {
    return openAiError(res, 400, "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.", 'invalid_request_error', 'unsupported_parameter', {}, 'max_tokens');
  }
  if (b.fixedTemperature && body.temperature !== undefined && body.temperature !== 1) {
    return openAiError(res, 400, `Unsupported value: 'temperature' does not support ${body.temperature} with this model. Only the default (1) value is supported.`, 'invalid_request_error', 'unsupported_value', {}, 'temperature');
  }
  const top = body.top_logprobs;
  if (top !== undefined && (top < 0 || top > 20)) {
    return openAiError(res, 400, `Invalid 'top_logprobs': integer above maximum value. Expected a value <= 20, but got ${top} instead.`, 'invalid_request_error', 'integer_above_max_value', {}, 'top_logprobs');
  }
  if (top !== undefined && !body.logprobs) {
    return openAiError(res, 400, "Invalid value for 'top_logprobs': 'logprobs' must be true.", 'invalid_request_error', null, {}, 'top_logprobs');
  }
  if (body.logprobs && b.logprobs === 'reject') {
    return openAiError(res, 400, 'This model does not support logprobs.', 'invalid_request_error', 'unsupported_parameter', {}, 'logprobs');
  }
  const prompt = body.messages.map((m) => `${m.role}: ${m.content}`).join('\n');
  const maxTokens = body.max_tokens ?? body.max_completion_tokens ?? 256;
  const n = Math.max(1, body.n ?? 1);
  const wantLogprobs = body.logprobs === true && b.logprobs === 'ok' && ctx.fault?.kind !== 'noLogprobs';
  let completionTokens = 0;
  const choices = Array.from({ length: n }, (_, index) => {
    const { text, first, dist } = fakeText(b, { model, prompt, temperature: body.temperature ?? 1, seed: body.seed, index, maxTokens });
    const pieces = text.split(/(?=\s)/).filter(Boolean);
    completionTokens += pieces.length;
    const content = pieces.map((token, i) => {
      const logprob = i === 0 ? (dist.find((t) => t.token === first.token)?.logprob ?? first.logprob) : -0.01;
      const alternatives = i === 0 ? dist.slice(0, top ?? 0) : [{ token, logprob }].slice(0, top ?? 0);
      return {
        token,
        logprob,
        bytes: bytesOf(token),
        top_logprobs: alternatives.map((t) => ({ token: t.token, logprob: t.logprob, bytes: bytesOf(t.token) })),
      };
    });
    return {
      index,
      message: { role: 'assistant', content: text, refusal: null, annotations: [] },
      logprobs: wantLogprobs ? { content, refusal: null } : null,
      finish_reason: pieces.length >= maxTokens ? 'length' : 'stop',
    };
  });
  const pt = promptTokens(prompt);
  const response = {
    id: `chatcmpl-fake${req.at}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices,
    usage: { prompt_tokens: pt, completion_tokens: completionTokens, total_tokens: pt + completionTokens },
    system_fingerprint: 'fp_fake',
  };
  if (ctx.fault?.kind === 'cut') return sendCut(res, response);
  sendJson(res, 200, response);
}

/** The legacy text completions endpoint, as base models are served by OpenAI, vLLM and llama.cpp server. */
async function textCompletions(req: RecordedRequest, res: http.ServerResponse, ctx: RouteContext): Promise<void> {
  const b = ctx.behaviour;
  const body = (req.body ?? {}) as ChatBody;
  const model = body.model ?? '';
  if (ctx.fault?.kind === 'slow') await sleep(ctx.fault.delayMs);
  if (b.latencyMs > 0) await sleep(b.latencyMs);
  if (b.requireKey !== null && req.headers.authorization !== `Bearer ${b.requireKey}`) return unauthorized(req, res);
  if (!b.completionsEndpoint) return openAiError(res, 404, `Invalid URL (${req.method} ${req.path})`, 'invalid_request_error', null);
  if (errorFor(req, res, ctx, model)) return;
  if (req.body === undefined) return openAiError(res, 400, 'We could not parse the JSON body of your request.', 'invalid_request_error', null);
  if (!model) return openAiError(res, 400, 'you must provide a model parameter', 'invalid_request_error', null, {}, 'model');
  if (b.rejectUnknownModels && !b.models.some((m) => m.name === model)) {
    return openAiError(res, 404, `The model \`${model}\` does not exist or you do not have access to it.`, 'invalid_request_error', 'model_not_found');
  }
  if (body.stream) return openAiError(res, 400, 'This fake server does not stream', 'invalid_request_error', null, {}, 'stream');
  if (body.messages !== undefined) return openAiError(res, 400, "Unrecognized request argument supplied: messages", 'invalid_request_error', null, {}, 'messages');
  if (typeof body.prompt !== 'string') return openAiError(res, 400, "'prompt' is a required property and must be a string", 'invalid_request_error', null, {}, 'prompt');
  if (body.max_completion_tokens !== undefined) {
    return openAiError(res, 400, "Unrecognized request argument supplied: max_completion_tokens", 'invalid_request_error', null, {}, 'max_completion_tokens');
  }
  if (b.fixedTemperature && body.temperature !== undefined && body.temperature !== 1) {
    return openAiError(res, 400, `Unsupported value: 'temperature' does not support ${body.temperature} with this model. Only the default (1) value is supported.`, 'invalid_request_error', 'unsupported_value', {}, 'temperature');
  }
  const k = body.logprobs;
  if (k !== undefined && k !== null && (typeof k !== 'number' || !Number.isInteger(k) || k < 0)) {
    return openAiError(res, 400, `Invalid type for 'logprobs': expected an integer, but got ${JSON.stringify(k)} instead.`, 'invalid_request_error', 'invalid_type', {}, 'logprobs');
  }
  if (typeof k === 'number' && k > b.completionsMaxLogprobs) {
    return openAiError(res, 400, `Invalid value for 'logprobs': must be less than or equal to ${b.completionsMaxLogprobs}.`, 'invalid_request_error', 'invalid_value', {}, 'logprobs');
  }
  if (typeof k === 'number' && b.logprobs === 'reject') {
    return openAiError(res, 400, 'This model does not support logprobs.', 'invalid_request_error', 'unsupported_parameter', {}, 'logprobs');
  }
  const prompt = body.prompt;
  const maxTokens = body.max_tokens ?? 16; // the API's documented default
  const n = Math.max(1, body.n ?? 1);
  const wantLogprobs = typeof k === 'number' && b.logprobs === 'ok' && ctx.fault?.kind !== 'noLogprobs';
  let completionTokens = 0;
  const choices = Array.from({ length: n }, (_, index) => {
    const { text, first, dist } = fakeText(b, { model, prompt, temperature: body.temperature ?? 1, seed: body.seed, index, maxTokens });
    const pieces = text.split(/(?=\s)/).filter(Boolean);
    completionTokens += pieces.length;
    const chosen = pieces.map((token, i) => ({ token, logprob: i === 0 ? (dist.find((t) => t.token === first.token)?.logprob ?? first.logprob) : -0.01 }));
    const topAt = (i: number) => (i === 0 ? dist.slice(0, k as number) : chosen.slice(i, i + 1).slice(0, k as number));
    let logprobs: unknown = null;
    if (wantLogprobs && b.completionLogprobs === 'legacy') {
      let offset = prompt.length;
      const text_offset = chosen.map((t) => ((offset += t.token.length), offset - t.token.length));
      logprobs = {
        tokens: chosen.map((t) => t.token),
        token_logprobs: chosen.map((t) => t.logprob),
        // "up to logprobs+1 elements": the sampled token is always there, with the top k.
        top_logprobs: chosen.map((t, i) => Object.fromEntries([...topAt(i), t].map((a) => [a.token, a.logprob]))),
        text_offset,
      };
    } else if (wantLogprobs) {
      logprobs = {
        content: chosen.map((t, i) => ({
          id: 1000 + i,
          token: t.token,
          logprob: t.logprob,
          bytes: bytesOf(t.token),
          top_logprobs: topAt(i).map((a, j) => ({ id: 2000 + j, token: a.token, logprob: a.logprob, bytes: bytesOf(a.token) })),
        })),
      };
    }
    return { text, index, logprobs, finish_reason: pieces.length >= maxTokens ? 'length' : 'stop' };
  });
  const pt = promptTokens(prompt);
  const response = {
    id: `cmpl-fake${req.at}`,
    object: 'text_completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices,
    usage: { prompt_tokens: pt, completion_tokens: completionTokens, total_tokens: pt + completionTokens },
    system_fingerprint: 'fp_fake',
  };
  if (ctx.fault?.kind === 'cut') return sendCut(res, response);
  sendJson(res, 200, response);
}

async function route(req: RecordedRequest, res: http.ServerResponse, ctx: RouteContext): Promise<void> {
  const b = ctx.behaviour;
  if (req.method === 'POST' && req.path === '/v1/completions') return textCompletions(req, res, ctx);
  if (req.method === 'POST' && MODEL_PATHS.has(req.path)) return completions(req, res, ctx);
  if (b.requireKey !== null && req.headers.authorization !== `Bearer ${b.requireKey}`) return unauthorized(req, res);
  if (errorFor(req, res, ctx, '')) return;
  if (req.method === 'GET' && req.path === '/v1/models') {
    return sendJson(res, 200, {
      object: 'list',
      data: b.models.map((m) => ({ id: m.name, object: 'model', created: 1_761_984_000, owned_by: 'fake' })),
    });
  }
  const model = /^\/v1\/models\/(.+)$/.exec(req.path)?.[1];
  if (req.method === 'GET' && model) {
    const found = b.models.find((m) => m.name === decodeURIComponent(model));
    if (!found) return openAiError(res, 404, `The model '${model}' does not exist`, 'invalid_request_error', 'model_not_found');
    return sendJson(res, 200, { id: found.name, object: 'model', created: 1_761_984_000, owned_by: 'fake' });
  }
  openAiError(res, 404, `Invalid URL (${req.method} ${req.path})`, 'invalid_request_error', null);
}

export function startFakeOpenAI(options: Partial<FakeBehaviour> & { port?: number } = {}): Promise<FakeServer> {
  const { port, ...behaviour } = options;
  return startServer(route, (p) => MODEL_PATHS.has(p), behaviour, port);
}
