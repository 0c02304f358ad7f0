// OpenAI-compatible chat completions through the `openai` package (v6: it still supports Node 20, which
// the CLI runs on). The SDK's own retries are off: the scheduler retries, honouring Retry-After.
// A request with a plain `prompt` (base models) goes to the legacy /v1/completions endpoint with the
// integer `logprobs` field; its answer is read in the legacy shape (OpenAI, vLLM: `tokens` plus
// `top_logprobs` as one {token: logprob} map per position) or in the chat shape (`logprobs.content[]`,
// which llama.cpp server and Ollama's /v1 send on this endpoint too).

import OpenAI, { APIConnectionTimeoutError, APIError, APIUserAbortError, type ClientOptions } from 'openai';
import type { ChatCompletion, ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import type { Completion, CompletionCreateParamsNonStreaming } from 'openai/resources/completions';
import {
  ProviderError,
  type CompletionChoice,
  type CompletionRequest,
  type CompletionResponse,
  type ModelInfo,
  type ModelProvider,
  type TokenAlternative,
} from '../core/model';
import { classifyError, excerpt, httpError, originOf, parseRetryAfter, redact } from './errors';
import { httpTransport } from './http-transport';
import { checkedAlternatives } from './logprobs';

export interface OpenAIProviderOptions {
  baseURL: string;
  /** Omit for keyless local servers (a placeholder is sent, never the OPENAI_API_KEY environment variable). */
  apiKey?: string;
  /** For tests and proxies. */
  fetch?: ClientOptions['fetch'];
}

/** Sent to keyless servers: the SDK insists on a key, and reading OPENAI_API_KEY would leak it to them. */
const PLACEHOLDER_KEY = 'value-lens-no-key';
const LIST_TIMEOUT_MS = 30_000;

type TokenParam = 'max_tokens' | 'max_completion_tokens';

/** OpenAI's own /v1/completions caps `logprobs` at 5; vLLM and llama.cpp allow 20. Learned from a 400. */
const OPENAI_COMPLETIONS_MAX_LOGPROBS = 5;

/** The chat-shaped logprobs some servers return on /v1/completions (llama.cpp server, Ollama /v1). */
interface ContentLogprobs {
  content?: { token: string; logprob: number; top_logprobs?: { token: string; logprob: number }[] }[];
}

/** First-position alternatives of a /v1/completions choice, in either shape; undefined when there are none. */
export function completionFirstToken(logprobs: unknown, origin = 'the server'): TokenAlternative[] | undefined {
  if (!logprobs || typeof logprobs !== 'object') return undefined;
  const legacy = logprobs as Completion['choices'][number]['logprobs'] & ContentLogprobs;
  const valid = (t: unknown, l: unknown): l is number => typeof t === 'string' && typeof l === 'number' && Number.isFinite(l);
  if (Array.isArray(legacy.content)) {
    const first: unknown = legacy.content[0];
    if (!first || typeof first !== 'object') return undefined;
    const top = (first as { top_logprobs?: unknown }).top_logprobs;
    return checkedAlternatives(Array.isArray(top) && top.length ? top : [first], origin);
  }
  // Legacy map: a value that is a number but impossible (> 0, ±Infinity from 1e999) spoils the answer.
  for (const value of [...Object.values(legacy?.top_logprobs?.[0] ?? {}), legacy?.token_logprobs?.[0]]) {
    if (typeof value === 'number') checkedAlternatives([{ token: '', logprob: value }], origin);
  }
  const out: TokenAlternative[] = [];
  const map = legacy?.top_logprobs?.[0];
  if (map && typeof map === 'object') {
    for (const [token, logprob] of Object.entries(map)) if (valid(token, logprob)) out.push({ token, logprob });
  }
  // The sampled token is always reported, and may be missing from the map ("up to logprobs+1 elements").
  const sampled = legacy?.tokens?.[0];
  const sampledLogprob = legacy?.token_logprobs?.[0];
  if (valid(sampled, sampledLogprob) && !out.some((t) => t.token === sampled)) out.push({ token: sampled as string, logprob: sampledLogprob });
  out.sort((a, b) => b.logprob - a.logprob);
  return out.length ? out : undefined;
}

export function createOpenAIProvider(options: OpenAIProviderOptions): ModelProvider {
  const origin = originOf(options.baseURL);
  const secrets = [options.apiKey];
  const client = new OpenAI({
    apiKey: options.apiKey || PLACEHOLDER_KEY,
    baseURL: options.baseURL,
    organization: null,
    project: null,
    webhookSecret: null,
    maxRetries: 0,
    logLevel: 'off',
    fetch: options.fetch ?? httpTransport,
  });
  // Which token-limit parameter each model accepts: local servers read only max_tokens, newer OpenAI
  // models only max_completion_tokens. Learned from a 400 and remembered.
  const tokenParam = new Map<string, TokenParam>();
  // Reasoning models accept only their default temperature: learned from a 400, then left out.
  const noTemperature = new Set<string>();

  function toProviderError(error: unknown, request: { signal: AbortSignal; timeoutMs: number }): ProviderError {
    if (error instanceof ProviderError) return error;
    if (error instanceof APIUserAbortError || request.signal.aborted) {
      return new ProviderError(`Request to ${origin} was cancelled`, 'aborted');
    }
    if (error instanceof APIConnectionTimeoutError) {
      return new ProviderError(`No answer from ${origin} within ${request.timeoutMs} ms`, 'timeout');
    }
    if (error instanceof APIError && typeof error.status === 'number') {
      const body = error.error as { message?: unknown } | undefined;
      const message = typeof body?.message === 'string' ? body.message : error.message;
      return httpError(error.status, origin, message, parseRetryAfter(error.headers), secrets);
    }
    // APIConnectionError and the rest: classifyError reports the cause, which says what happened on the wire.
    return classifyError(error, { origin, userSignal: request.signal, timeoutMs: request.timeoutMs, secrets });
  }

  async function createOnce(request: CompletionRequest, n: number, seed: number | undefined): Promise<ChatCompletion> {
    const param = tokenParam.get(request.model) ?? 'max_tokens';
    const body: ChatCompletionCreateParamsNonStreaming = {
      model: request.model,
      messages: request.messages,
      ...(noTemperature.has(request.model) ? {} : { temperature: request.temperature }),
      [param]: request.maxTokens,
      ...(n > 1 ? { n } : {}),
      ...(seed !== undefined ? { seed } : {}),
      ...(request.topLogprobs !== undefined
        ? { logprobs: true, top_logprobs: Math.max(0, Math.min(20, request.topLogprobs)) }
        : {}),
      ...(request.stop ? { stop: request.stop } : {}),
      ...(request.jsonSchema
        ? { response_format: { type: 'json_schema' as const, json_schema: { name: request.jsonSchema.name, schema: request.jsonSchema.schema, strict: true } } }
        : {}),
    };
    if (request.signal.aborted) throw new ProviderError(`Request to ${origin} was cancelled`, 'aborted');
    // The SDK's own timeout stops at the response headers; ours also covers a body that stalls.
    const timeoutSignal = AbortSignal.timeout(request.timeoutMs);
    let completion: unknown;
    try {
      completion = await client.chat.completions.create(body, {
        signal: AbortSignal.any([request.signal, timeoutSignal]),
        timeout: request.timeoutMs,
        maxRetries: 0,
      });
    } catch (error) {
      const mapped =
        timeoutSignal.aborted && !request.signal.aborted
          ? new ProviderError(`No answer from ${origin} within ${request.timeoutMs} ms`, 'timeout')
          : toProviderError(error, request);
      if (mapped.status === 400 && /max_tokens/.test(mapped.message) && param === 'max_tokens' && !tokenParam.has(request.model)) {
        tokenParam.set(request.model, 'max_completion_tokens');
        return createOnce(request, n, seed);
      }
      if (mapped.status === 400 && /temperature/.test(mapped.message) && /unsupported|not supported|only the default/i.test(mapped.message) && !noTemperature.has(request.model)) {
        noTemperature.add(request.model);
        return createOnce(request, n, seed);
      }
      throw mapped;
    }
    // The SDK returns a string when the server answers 200 with a non-JSON content type.
    if (!completion || typeof completion !== 'object' || !Array.isArray((completion as ChatCompletion).choices)) {
      const text = typeof completion === 'string' ? `: ${excerpt(redact(completion, secrets), 120)}` : '';
      throw new ProviderError(`Answer from ${origin} is not a chat completion${text}`, 'parse');
    }
    if (!tokenParam.has(request.model)) tokenParam.set(request.model, param);
    return completion as ChatCompletion;
  }

  // Per model: the largest `logprobs` the completions endpoint accepted (OpenAI's own caps it at 5).
  const completionLogprobsCap = new Map<string, number>();

  /** Base models: the legacy completions endpoint, with the prompt text sent verbatim. */
  async function completeTextOnce(request: CompletionRequest, prompt: string, n: number, seed: number | undefined): Promise<Completion> {
    const cap = completionLogprobsCap.get(request.model) ?? 20;
    const logprobs = request.topLogprobs !== undefined ? Math.max(0, Math.min(cap, request.topLogprobs)) : undefined;
    const body: CompletionCreateParamsNonStreaming = {
      model: request.model,
      prompt,
      ...(noTemperature.has(request.model) ? {} : { temperature: request.temperature }),
      max_tokens: request.maxTokens,
      ...(n > 1 ? { n } : {}),
      ...(seed !== undefined ? { seed } : {}),
      ...(logprobs !== undefined ? { logprobs } : {}),
      ...(request.stop ? { stop: request.stop } : {}),
    };
    if (request.signal.aborted) throw new ProviderError(`Request to ${origin} was cancelled`, 'aborted');
    const timeoutSignal = AbortSignal.timeout(request.timeoutMs);
    let completion: unknown;
    try {
      completion = await client.completions.create(body, {
        signal: AbortSignal.any([request.signal, timeoutSignal]),
        timeout: request.timeoutMs,
        maxRetries: 0,
      });
    } catch (error) {
      const mapped =
        timeoutSignal.aborted && !request.signal.aborted
          ? new ProviderError(`No answer from ${origin} within ${request.timeoutMs} ms`, 'timeout')
          : toProviderError(error, request);
      if (mapped.status === 400 && /logprobs/.test(mapped.message) && logprobs !== undefined && logprobs > OPENAI_COMPLETIONS_MAX_LOGPROBS && !completionLogprobsCap.has(request.model)) {
        completionLogprobsCap.set(request.model, OPENAI_COMPLETIONS_MAX_LOGPROBS);
        return completeTextOnce(request, prompt, n, seed);
      }
      if (mapped.status === 400 && /temperature/.test(mapped.message) && /unsupported|not supported|only the default/i.test(mapped.message) && !noTemperature.has(request.model)) {
        noTemperature.add(request.model);
        return completeTextOnce(request, prompt, n, seed);
      }
      throw mapped;
    }
    if (!completion || typeof completion !== 'object' || !Array.isArray((completion as Completion).choices)) {
      const text = typeof completion === 'string' ? `: ${excerpt(redact(completion, secrets), 120)}` : '';
      throw new ProviderError(`Answer from ${origin} is not a text completion${text}`, 'parse');
    }
    return completion as Completion;
  }

  function toTextChoice(c: Completion['choices'][number], wantLogprobs: boolean): CompletionChoice {
    const alternatives = wantLogprobs ? completionFirstToken(c.logprobs, origin) : undefined;
    return { text: typeof c.text === 'string' ? c.text : '', ...(alternatives ? { firstTokenLogprobs: alternatives } : {}) };
  }

  function toChoice(c: ChatCompletion.Choice, wantLogprobs: boolean): CompletionChoice {
    const first: unknown = c.logprobs?.content?.[0];
    const top = first && typeof first === 'object' ? (first as { top_logprobs?: unknown }).top_logprobs : undefined;
    const alternatives = wantLogprobs && first && typeof first === 'object' ? checkedAlternatives(Array.isArray(top) && top.length ? top : [first], origin) : undefined;
    return { text: c.message?.content ?? '', ...(alternatives ? { firstTokenLogprobs: alternatives } : {}) };
  }

  /** A key the server echoes in a 200 answer must not reach records or the cache. */
  function withoutKey(choice: CompletionChoice): CompletionChoice {
    if (!options.apiKey) return choice;
    const text = redact(choice.text, secrets);
    const alternatives = choice.firstTokenLogprobs?.map((t) => ({ ...t, token: redact(t.token, secrets) }));
    return { ...choice, text, ...(alternatives ? { firstTokenLogprobs: alternatives } : {}) };
  }

  return {
    id: 'openai',
    origin,
    async complete(request: CompletionRequest): Promise<CompletionResponse> {
      const wanted = Math.max(1, request.n ?? 1);
      const choices: CompletionChoice[] = [];
      let promptTokens = 0;
      let completionTokens = 0;
      let model = request.model;
      // Some servers (Ollama /v1, llama.cpp) ignore `n` and return one choice: ask again for the rest,
      // shifting the seed so the extra samples are not copies.
      for (let round = 0; choices.length < wanted; round++) {
        const seed = request.seed === undefined ? undefined : request.seed + round * 1000;
        const wantLogprobs = request.topLogprobs !== undefined;
        const room = wanted - choices.length;
        let completion: Completion | ChatCompletion;
        let got: CompletionChoice[];
        if (request.prompt !== undefined) {
          const text = await completeTextOnce(request, request.prompt, room, seed);
          completion = text;
          got = text.choices.slice(0, room).map((c) => toTextChoice(c, wantLogprobs));
        } else {
          const chat = await createOnce(request, room, seed);
          completion = chat;
          got = chat.choices.slice(0, room).map((c) => toChoice(c, wantLogprobs));
        }
        if (got.length === 0) throw new ProviderError(`Answer from ${origin} has no choices`, 'parse');
        choices.push(...got.map(withoutKey));
        promptTokens += completion.usage?.prompt_tokens ?? 0;
        completionTokens += completion.usage?.completion_tokens ?? 0;
        model = completion.model || model;
      }
      return { model, choices, usage: { promptTokens, completionTokens } };
    },
    async listModels(signal: AbortSignal): Promise<ModelInfo[]> {
      const request = { signal, timeoutMs: LIST_TIMEOUT_MS };
      try {
        const page = await client.models.list({ signal, timeout: LIST_TIMEOUT_MS, maxRetries: 0 });
        if (!page || !Array.isArray(page.data)) throw new ProviderError(`Model list from ${origin} is malformed`, 'parse');
        return page.data.map((m) => ({ name: m.id }));
      } catch (error) {
        throw toProviderError(error, request);
      }
    },
  };
}
