// A loopback server speaking the OpenAI chat completions API (/v1/chat/completions, /v1/models) with
// `choices[i].logprobs.content[]` of {token, logprob, bytes, top_logprobs[]}, and OpenAI's error bodies;
// plus the legacy /v1/completions (base models) with the integer `logprobs` field, answered in the
// legacy shape (OpenAI API reference, vLLM) or, with `completionLogprobs: 'content'`, in the chat shape
// that llama.cpp server and Ollama's /v1 send on that endpoint.

import type http from 'node:http';
import {
  fakeFirstToken,
  fakeText,
  fakeTokens,
  hashText,
  pieceLogprob,
  promptTokens,
  retryAfterHeaders,
  sendCut,
  sendTransportFault,
  sendJson,
  sleep,
  startServer,
  type FakeBehaviour,
  type FakeServer,
  type RecordedRequest,
  type RouteContext,
} from './fake-common';

export type { FakeServer, FakeBehaviour } from './fake-common';

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

function openAiError(
  res: http.ServerResponse,
  status: number,
  message: string,
  type: string,
  code: string | null,
  headers: Record<string, string> = {},
  param: string | null = null,
): void {
  sendJson(res, status, { error: { message, type, param, code } }, headers);
}

function bytesOf(token: string): number[] {
  return [...Buffer.from(token, 'utf8')];
}

function errorFor(req: RecordedRequest, res: http.ServerResponse, ctx: RouteContext, model: string): boolean {
  const f = ctx.fault;
  if (!f) return false;
  if (sendTransportFault(res, f)) return true;
  switch (f.kind) {
    case 'status':
      if (f.body) sendJson(res, f.status, f.body, f.headers);
      else openAiError(res, f.status, `status ${f.status}`, 'server_error', null, f.headers);
      return true;
    case 'rateLimit':
      openAiError(
        res,
        429,
        'Rate limit reached for requests. Please try again later.',
        'requests',
        'rate_limit_exceeded',
        retryAfterHeaders(f),
      );
      return true;
    case 'busy':
      openAiError(res, 503, 'The server is overloaded or not ready yet.', 'server_error', null);
      return true;
    case 'unauthorized':
      unauthorized(req, res);
      return true;
    case 'modelNotFound':
      openAiError(
        res,
        404,
        `The model \`${model}\` does not exist or you do not have access to it.`,
        'invalid_request_error',
        'model_not_found',
      );
      return true;
    default:
      return false;
  }
}

/** Like some real servers, the 401 message echoes the key it received: clients must not pass it on. */
function unauthorized(req: RecordedRequest, res: http.ServerResponse): void {
  const auth = String(req.headers.authorization ?? '');
  const key = auth.replace(/^Bearer\s+/i, '');
  openAiError(
    res,
    401,
    `Incorrect API key provided: ${key}. You can find your API key at https://platform.openai.com/account/api-keys.`,
    'invalid_request_error',
    'invalid_api_key',
  );
}

async function completions(req: RecordedRequest, res: http.ServerResponse, ctx: RouteContext): Promise<void> {
  const b = ctx.behaviour;
  const body = (req.body ?? {}) as ChatBody;
  const model = body.model ?? '';
  if (ctx.fault?.kind === 'slow') await sleep(ctx.fault.delayMs);
  if (b.latencyMs > 0) await sleep(b.latencyMs);
  if (b.requireKey !== null && req.headers.authorization !== `Bearer ${b.requireKey}`) return unauthorized(req, res);
  if (errorFor(req, res, ctx, model)) return;
  if (req.body === undefined)
    return openAiError(res, 400, 'We could not parse the JSON body of your request.', 'invalid_request_error', null);
  if (!model) return openAiError(res, 400, 'you must provide a model parameter', 'invalid_request_error', null, {}, 'model');
  if (b.rejectUnknownModels && !b.models.some((m) => m.name === model)) {
    return openAiError(
      res,
      404,
      `The model \`${model}\` does not exist or you do not have access to it.`,
      'invalid_request_error',
      'model_not_found',
    );
  }
  if (req.path !== '/v1/chat/completions') return openAiError(res, 404, 'Use /v1/chat/completions', 'invalid_request_error', null);
  if (body.stream) return openAiError(res, 400, 'This fake server does not stream', 'invalid_request_error', null, {}, 'stream');
  if (b.server === 'llamacpp' && (body.n ?? 1) !== 1) return llamaOneChoice(res);
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    return openAiError(
      res,
      400,
      "Invalid value for 'messages': expected a non-empty array.",
      'invalid_request_error',
      null,
      {},
      'messages',
    );
  }
  if (body.max_tokens !== undefined && b.tokenParam === 'max_completion_tokens') {
    return openAiError(
      res,
      400,
      "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
      'invalid_request_error',
      'unsupported_parameter',
      {},
      'max_tokens',
    );
  }
  if (b.fixedTemperature && body.temperature !== undefined && body.temperature !== 1) {
    return openAiError(
      res,
      400,
      `Unsupported value: 'temperature' does not support ${body.temperature} with this model. Only the default (1) value is supported.`,
      'invalid_request_error',
      'unsupported_value',
      {},
      'temperature',
    );
  }
  const top = body.top_logprobs;
  if (top !== undefined && (top < 0 || top > 20)) {
    return openAiError(
      res,
      400,
      `Invalid 'top_logprobs': integer above maximum value. Expected a value <= 20, but got ${top} instead.`,
      'invalid_request_error',
      'integer_above_max_value',
      {},
      'top_logprobs',
    );
  }
  if (top !== undefined && !body.logprobs) {
    return openAiError(
      res,
      400,
      "Invalid value for 'top_logprobs': 'logprobs' must be true.",
      'invalid_request_error',
      null,
      {},
      'top_logprobs',
    );
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
  const usage = { prompt_tokens: pt, completion_tokens: completionTokens, total_tokens: pt + completionTokens };
  const response = {
    id: `chatcmpl-fake${req.at}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices,
    // The API reference's example carries the token details and the service tier; llama.cpp its timings.
    ...(b.server === 'openai'
      ? {
          usage: {
            ...usage,
            prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
            completion_tokens_details: {
              reasoning_tokens: 0,
              audio_tokens: 0,
              accepted_prediction_tokens: 0,
              rejected_prediction_tokens: 0,
            },
          },
          service_tier: 'default',
        }
      : { usage }),
    ...(b.server === 'llamacpp' ? { timings: llamaTimings(pt, completionTokens) } : {}),
    system_fingerprint: 'fp_fake',
  };
  if (ctx.fault?.kind === 'cut') return sendCut(res, response);
  sendJson(res, 200, response);
}

/** The legacy text completions endpoint, as base models are served by OpenAI, vLLM and llama.cpp server. */
async function textCompletions(req: RecordedRequest, res: http.ServerResponse, ctx: RouteContext): Promise<void> {
  const b = ctx.behaviour;
  const body = (req.body ?? {}) as ChatBody & { echo?: unknown };
  const model = body.model ?? '';
  if (ctx.fault?.kind === 'slow') await sleep(ctx.fault.delayMs);
  if (b.latencyMs > 0) await sleep(b.latencyMs);
  if (b.requireKey !== null && req.headers.authorization !== `Bearer ${b.requireKey}`) return unauthorized(req, res);
  if (!b.completionsEndpoint) return openAiError(res, 404, `Invalid URL (${req.method} ${req.path})`, 'invalid_request_error', null);
  if (errorFor(req, res, ctx, model)) return;
  if (req.body === undefined)
    return openAiError(res, 400, 'We could not parse the JSON body of your request.', 'invalid_request_error', null);
  if (!model) return openAiError(res, 400, 'you must provide a model parameter', 'invalid_request_error', null, {}, 'model');
  if (b.rejectUnknownModels && !b.models.some((m) => m.name === model)) {
    return openAiError(
      res,
      404,
      `The model \`${model}\` does not exist or you do not have access to it.`,
      'invalid_request_error',
      'model_not_found',
    );
  }
  if (body.stream) return openAiError(res, 400, 'This fake server does not stream', 'invalid_request_error', null, {}, 'stream');
  if (body.messages !== undefined)
    return openAiError(res, 400, 'Unrecognized request argument supplied: messages', 'invalid_request_error', null, {}, 'messages');
  // "a string, array of strings, array of tokens, or array of token arrays" (API reference); token ids are not faked.
  const prompts =
    typeof body.prompt === 'string'
      ? [body.prompt]
      : Array.isArray(body.prompt) && body.prompt.length > 0 && body.prompt.every((p) => typeof p === 'string')
        ? (body.prompt as string[])
        : undefined;
  if (!prompts)
    return openAiError(
      res,
      400,
      "'prompt' is a required property and must be a string or an array of strings",
      'invalid_request_error',
      null,
      {},
      'prompt',
    );
  if (body.max_completion_tokens !== undefined) {
    return openAiError(
      res,
      400,
      'Unrecognized request argument supplied: max_completion_tokens',
      'invalid_request_error',
      null,
      {},
      'max_completion_tokens',
    );
  }
  if (b.server === 'llamacpp' && (body.n ?? 1) !== 1) return llamaOneChoice(res);
  const echo = body.echo === true;
  // llama.cpp server, tools/server/server-common.cpp: `throw std::runtime_error("Only no echo is supported")`.
  if (echo && b.server === 'llamacpp')
    return sendJson(res, 400, { error: { code: 400, message: 'Only no echo is supported', type: 'invalid_request_error' } });
  if (b.fixedTemperature && body.temperature !== undefined && body.temperature !== 1) {
    return openAiError(
      res,
      400,
      `Unsupported value: 'temperature' does not support ${body.temperature} with this model. Only the default (1) value is supported.`,
      'invalid_request_error',
      'unsupported_value',
      {},
      'temperature',
    );
  }
  const k = body.logprobs;
  if (k !== undefined && k !== null && (typeof k !== 'number' || !Number.isInteger(k) || k < 0)) {
    return openAiError(
      res,
      400,
      `Invalid type for 'logprobs': expected an integer, but got ${JSON.stringify(k)} instead.`,
      'invalid_request_error',
      'invalid_type',
      {},
      'logprobs',
    );
  }
  if (typeof k === 'number' && k > b.completionsMaxLogprobs) {
    return openAiError(
      res,
      400,
      `Invalid value for 'logprobs': must be less than or equal to ${b.completionsMaxLogprobs}.`,
      'invalid_request_error',
      'invalid_value',
      {},
      'logprobs',
    );
  }
  if (typeof k === 'number' && b.logprobs === 'reject') {
    return openAiError(res, 400, 'This model does not support logprobs.', 'invalid_request_error', 'unsupported_parameter', {}, 'logprobs');
  }
  const maxTokens = body.max_tokens ?? 16; // the API's documented default
  if (!Number.isInteger(maxTokens) || maxTokens < 0)
    return openAiError(
      res,
      400,
      `Invalid 'max_tokens': expected a non-negative integer, got ${JSON.stringify(maxTokens)}`,
      'invalid_request_error',
      'invalid_value',
      {},
      'max_tokens',
    );
  const n = Math.max(1, body.n ?? 1);
  const wantLogprobs = typeof k === 'number' && b.logprobs === 'ok' && ctx.fault?.kind !== 'noLogprobs';
  const shape = b.server === 'llamacpp' ? 'content' : b.server === 'vllm' ? 'legacy' : b.completionLogprobs;
  let completionTokens = 0;
  let promptTokenCount = 0;
  const choices: unknown[] = [];
  for (const prompt of prompts) {
    // Echo (vLLM's serving.py): the prompt's tokens with their logprobs come first, the first one without any
    // (nothing precedes it); `max_tokens: 0` returns the prompt alone.
    const promptPieces = echo ? [...(b.server === 'vllm' ? [BOS] : []), ...fakeTokens(prompt)] : [];
    promptTokenCount += echo ? promptPieces.length : promptTokens(prompt);
    const echoed = promptPieces.map((token, i) => {
      if (i === 0) return { token, logprob: null, top: null };
      const prefix = promptPieces
        .slice(0, i)
        .filter((t) => t !== BOS)
        .join('');
      const logprob = pieceLogprob(b, model, prefix, token);
      const dist = b.firstToken?.({ model, prompt: prefix }) ?? fakeFirstToken(prefix, model);
      return { token, logprob, top: [{ token, logprob }, ...dist.filter((t) => t.token !== token).slice(0, k as number)] };
    });
    for (let sample = 0; sample < n; sample++) {
      const index = choices.length;
      const generate = maxTokens > 0;
      const {
        text: generatedText,
        first,
        dist,
      } = fakeText(b, {
        model,
        prompt,
        temperature: body.temperature ?? 1,
        seed: body.seed,
        index: sample,
        maxTokens: Math.max(1, maxTokens),
      });
      const generated = generate ? generatedText : '';
      const pieces = fakeTokens(generated);
      completionTokens += pieces.length;
      const chosen = pieces.map((token, i) => ({
        token,
        logprob: i === 0 ? (dist.find((t) => t.token === first.token)?.logprob ?? first.logprob) : -0.01,
      }));
      const topAt = (i: number) => (i === 0 ? dist.slice(0, k as number) : chosen.slice(i, i + 1).slice(0, k as number));
      let logprobs: unknown = null;
      if (wantLogprobs && shape === 'legacy') {
        const all = [
          ...echoed.map((e) => ({
            token: e.token,
            logprob: e.logprob,
            top: e.top === null ? null : Object.fromEntries(e.top.map((a) => [a.token, a.logprob])),
          })),
          // "up to logprobs+1 elements": the sampled token is always there, with the top k.
          ...chosen.map((t, i) => ({
            token: t.token,
            logprob: t.logprob as number | null,
            top: Object.fromEntries([...topAt(i), t].map((a) => [a.token, a.logprob])) as Record<string, number> | null,
          })),
        ];
        let offset = echo ? 0 : prompt.length;
        const text_offset = all.map((t) => ((offset += t.token.length), offset - t.token.length));
        logprobs = {
          text_offset,
          token_logprobs: all.map((t) => t.logprob),
          tokens: all.map((t) => t.token),
          top_logprobs: all.map((t) => t.top),
        };
      } else if (wantLogprobs) {
        logprobs = {
          content: chosen.map((t, i) => ({
            id: 1000 + i,
            token: t.token,
            bytes: bytesOf(t.token),
            logprob: t.logprob,
            top_logprobs: topAt(i).map((a, j) => ({ id: 2000 + j, token: a.token, bytes: bytesOf(a.token), logprob: a.logprob })),
          })),
        };
      }
      const finish_reason = !generate || pieces.length >= maxTokens ? 'length' : 'stop';
      const text = (echo ? prompt : '') + generated;
      choices.push(
        b.server === 'vllm'
          ? {
              index,
              text,
              logprobs,
              finish_reason,
              stop_reason: null,
              token_ids: null,
              prompt_logprobs: echo && wantLogprobs ? vllmPromptLogprobs(echoed) : null,
              prompt_token_ids: null,
            }
          : { text, index, logprobs, finish_reason },
      );
    }
  }
  const usage = { prompt_tokens: promptTokenCount, completion_tokens: completionTokens, total_tokens: promptTokenCount + completionTokens };
  const base = { id: `cmpl-fake${req.at}`, object: 'text_completion', created: Math.floor(Date.now() / 1000), model, choices };
  const response =
    b.server === 'vllm'
      ? {
          ...base,
          service_tier: null,
          system_fingerprint: null,
          usage: { ...usage, prompt_tokens_details: null },
          kv_transfer_params: null,
        }
      : b.server === 'llamacpp'
        ? { ...base, system_fingerprint: 'b6200-fake', usage, timings: llamaTimings(promptTokenCount, completionTokens) }
        : { ...base, usage, system_fingerprint: 'fp_fake' };
  if (ctx.fault?.kind === 'cut') return sendCut(res, response);
  sendJson(res, 200, response);
}

/** llama.cpp server, tools/server/server-common.cpp (both OAI endpoints): `n` other than 1 is refused. */
function llamaOneChoice(res: http.ServerResponse): void {
  sendJson(res, 400, { error: { code: 400, message: 'Only one completion choice is allowed', type: 'invalid_request_error' } });
}

/** vLLM tokenizers add a BOS token; echoed, it is decoded as text and shifts every text_offset. */
const BOS = '<s>';

/** vLLM's choice.prompt_logprobs: per prompt position {token_id: {logprob, rank, decoded_token}}, null first. */
function vllmPromptLogprobs(echoed: { token: string; logprob: number | null; top: { token: string; logprob: number }[] | null }[]) {
  return echoed.map((e) => {
    if (e.top === null) return null;
    const ranked = [...e.top].sort((a, b) => b.logprob - a.logprob);
    return Object.fromEntries(
      e.top.map((a) => [
        String(tokenId(a.token)),
        { logprob: a.logprob, rank: ranked.findIndex((r) => r.token === a.token) + 1, decoded_token: a.token },
      ]),
    );
  });
}

function tokenId(token: string): number {
  return 100 + (hashText(token) % 100_000);
}

/** llama.cpp server's `timings` object (tools/server/README.md, "Timings and context usage"). */
function llamaTimings(promptN: number, predictedN: number) {
  return {
    cache_n: 0,
    prompt_n: promptN,
    prompt_ms: 1.5,
    prompt_per_token_ms: 1.5 / Math.max(1, promptN),
    prompt_per_second: (1000 / 1.5) * promptN,
    predicted_n: predictedN,
    predicted_ms: 2,
    predicted_per_token_ms: 2 / Math.max(1, predictedN),
    predicted_per_second: 500 * predictedN,
  };
}

async function route(req: RecordedRequest, res: http.ServerResponse, ctx: RouteContext): Promise<void> {
  const b = ctx.behaviour;
  if (req.method === 'POST' && req.path === '/v1/completions') return textCompletions(req, res, ctx);
  if (req.method === 'POST' && MODEL_PATHS.has(req.path)) return completions(req, res, ctx);
  if (b.requireKey !== null && req.headers.authorization !== `Bearer ${b.requireKey}`) return unauthorized(req, res);
  if (errorFor(req, res, ctx, '')) return;
  if (req.method === 'GET' && req.path === '/v1/models')
    return sendJson(res, 200, { object: 'list', data: b.models.map((m) => modelCard(b, m.name)) });
  const model = /^\/v1\/models\/(.+)$/.exec(req.path)?.[1];
  if (req.method === 'GET' && model) {
    const found = b.models.find((m) => m.name === decodeURIComponent(model));
    if (!found) return openAiError(res, 404, `The model '${model}' does not exist`, 'invalid_request_error', 'model_not_found');
    return sendJson(res, 200, modelCard(b, found.name));
  }
  openAiError(res, 404, `Invalid URL (${req.method} ${req.path})`, 'invalid_request_error', null);
}

/** One model of /v1/models as each server describes it (OpenAI API reference, vLLM ModelCard, llama.cpp README). */
function modelCard(b: FakeBehaviour, id: string) {
  const created = 1_761_984_000;
  if (b.server === 'vllm') {
    const permission = {
      id: `modelperm-${hashText(id).toString(16)}`,
      object: 'model_permission',
      created,
      allow_create_engine: false,
      allow_sampling: true,
      allow_logprobs: true,
      allow_search_indices: false,
      allow_view: true,
      allow_fine_tuning: false,
      organization: '*',
      group: null,
      is_blocking: false,
    };
    return { id, object: 'model', created, owned_by: 'vllm', root: id, parent: null, max_model_len: 131_072, permission: [permission] };
  }
  if (b.server === 'llamacpp') {
    return {
      id,
      object: 'model',
      created,
      owned_by: 'llamacpp',
      meta: { vocab_type: 2, n_vocab: 128_256, n_ctx_train: 131_072, n_embd: 4096, n_params: 8_030_261_312, size: 4_912_898_304 },
    };
  }
  return { id, object: 'model', created, owned_by: 'fake', shutdown_date: null };
}

export function startFakeOpenAI(options: Partial<FakeBehaviour> & { port?: number } = {}): Promise<FakeServer> {
  const { port, ...behaviour } = options;
  return startServer(route, (p) => MODEL_PATHS.has(p), behaviour, port);
}
