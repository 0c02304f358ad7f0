// OpenAI-compatible chat completions over the providers' own JSON client (src/providers/json-client.ts on
// node:http; the `openai` SDK cost 105 kB of the extension bundle and about 1 ms of CPU per request, see
// docs/performance.md "Transport"). The client never retries: the scheduler does, honouring Retry-After.
// A request with a plain `prompt` (base models) goes to the legacy /v1/completions endpoint with the
// integer `logprobs` field; its answer is read in the legacy shape (OpenAI, vLLM: `tokens` plus
// `top_logprobs` as one {token: logprob} map per position) or in the chat shape (`logprobs.content[]`,
// which llama.cpp server and Ollama's /v1 send on this endpoint too).

import {
  ProviderError,
  type CompletionChoice,
  type CompletionRequest,
  type CompletionResponse,
  type ModelInfo,
  type ModelProvider,
  type TokenAlternative,
} from '../core/model';
import { excerpt, endpointOriginOrThrow, redact } from './errors';
import { createJsonClient } from './json-client';
import { checkedAlternatives } from './logprobs';
import { scoreContinuations } from './loglik';
import { collectSamples } from './samples';

export interface OpenAIProviderOptions {
  baseURL: string;
  /** Omit for keyless local servers (a placeholder is sent, never the OPENAI_API_KEY environment variable). */
  apiKey?: string;
  /** For tests and proxies; default: the node:http client. */
  fetch?: typeof fetch;
}

/** Sent to keyless servers, which some proxies want to see; never OPENAI_API_KEY, which would leak to them. */
const PLACEHOLDER_KEY = 'value-lens-no-key';
const LIST_TIMEOUT_MS = 30_000;

type TokenParam = 'max_tokens' | 'max_completion_tokens';

/** OpenAI's own /v1/completions caps `logprobs` at 5; vLLM and llama.cpp allow 20. Learned from a 400. */
const OPENAI_COMPLETIONS_MAX_LOGPROBS = 5;

/** The legacy logprobs of a /v1/completions choice (OpenAI API reference, vLLM). */
interface LegacyLogprobs {
  tokens?: string[];
  token_logprobs?: (number | null)[];
  top_logprobs?: (Record<string, number> | null)[] | null;
}

/** The chat-shaped logprobs some servers return on /v1/completions (llama.cpp server, Ollama /v1). */
interface ContentLogprobs {
  content?: { token: string; logprob: number; top_logprobs?: { token: string; logprob: number }[] }[];
}

/** What is read of a chat completion (the rest of the answer is ignored). */
interface ChatCompletion {
  model?: string;
  choices: { message?: { content?: string | null } | null; logprobs?: { content?: unknown[] | null } | null }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
}

/** What is read of a text completion. */
interface TextCompletion {
  model?: string;
  choices: { text?: unknown; logprobs?: unknown }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
}

/** First-position alternatives of a /v1/completions choice, in either shape; undefined when there are none. */
export function completionFirstToken(logprobs: unknown, origin = 'the server'): TokenAlternative[] | undefined {
  if (!logprobs || typeof logprobs !== 'object') return undefined;
  const legacy = logprobs as LegacyLogprobs & ContentLogprobs;
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
  if (valid(sampled, sampledLogprob) && !out.some((t) => t.token === sampled))
    out.push({ token: sampled as string, logprob: sampledLogprob });
  out.sort((a, b) => b.logprob - a.logprob);
  return out.length ? out : undefined;
}

export function createOpenAIProvider(options: OpenAIProviderOptions): ModelProvider {
  const origin = endpointOriginOrThrow(options.baseURL);
  const secrets = [options.apiKey];
  const client = createJsonClient({
    baseURL: options.baseURL,
    origin,
    headers: { authorization: `Bearer ${options.apiKey || PLACEHOLDER_KEY}` },
    secrets,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  // Which token-limit parameter each model accepts: local servers read only max_tokens, newer OpenAI
  // models only max_completion_tokens. Learned from a 400 and remembered.
  const tokenParam = new Map<string, TokenParam>();
  // Reasoning models accept only their default temperature: learned from a 400, then left out.
  const noTemperature = new Set<string>();

  // llama.cpp server answers n ≠ 1 with a 400 "Only one completion choice is allowed" (tools/server/
  // server-common.cpp, both endpoints): learned from it, then one choice per round (collectSamples loops).
  const singleChoice = new Set<string>();
  function learnSingleChoice(error: ProviderError, model: string, n: number): boolean {
    if (error.status !== 400 || n <= 1 || !/only one completion choice/i.test(error.message) || singleChoice.has(model)) return false;
    singleChoice.add(model);
    return true;
  }

  /** A 400 saying the model takes only its default temperature: remember it, and the caller asks again. */
  function learnTemperature(error: ProviderError, model: string): boolean {
    if (
      error.status !== 400 ||
      !/temperature/.test(error.message) ||
      !/unsupported|not supported|only the default/i.test(error.message) ||
      noTemperature.has(model)
    )
      return false;
    noTemperature.add(model);
    return true;
  }

  async function createOnce(request: CompletionRequest, n: number, seed: number | undefined): Promise<ChatCompletion> {
    const param = tokenParam.get(request.model) ?? 'max_tokens';
    const body = {
      model: request.model,
      messages: request.messages,
      ...(noTemperature.has(request.model) ? {} : { temperature: request.temperature }),
      [param]: request.maxTokens,
      ...(n > 1 && !singleChoice.has(request.model) ? { n } : {}),
      ...(seed !== undefined ? { seed } : {}),
      ...(request.topLogprobs !== undefined ? { logprobs: true, top_logprobs: Math.max(0, Math.min(20, request.topLogprobs)) } : {}),
      ...(request.stop ? { stop: request.stop } : {}),
      ...(request.jsonSchema
        ? {
            response_format: {
              type: 'json_schema' as const,
              json_schema: { name: request.jsonSchema.name, schema: request.jsonSchema.schema, strict: true },
            },
          }
        : {}),
    };
    let completion: unknown;
    try {
      completion = await client.request('POST', '/chat/completions', body, request);
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error;
      if (error.status === 400 && /max_tokens/.test(error.message) && param === 'max_tokens' && !tokenParam.has(request.model)) {
        tokenParam.set(request.model, 'max_completion_tokens');
        return createOnce(request, n, seed);
      }
      if (learnTemperature(error, request.model)) return createOnce(request, n, seed);
      if (learnSingleChoice(error, request.model, n)) return createOnce(request, 1, seed);
      throw error;
    }
    if (!completion || typeof completion !== 'object' || !Array.isArray((completion as ChatCompletion).choices)) {
      throw new ProviderError(`Answer from ${origin} is not a chat completion${describe(completion)}`, 'parse');
    }
    if (!tokenParam.has(request.model)) tokenParam.set(request.model, param);
    return completion as ChatCompletion;
  }

  /** A short view of an answer that is not what was asked for (a bare string, say), key redacted. */
  function describe(value: unknown): string {
    return typeof value === 'string' ? `: ${excerpt(redact(value, secrets), 120)}` : '';
  }

  // Per model: the largest `logprobs` the completions endpoint accepted (OpenAI's own caps it at 5).
  const completionLogprobsCap = new Map<string, number>();

  /** Base models: the legacy completions endpoint, with the prompt text sent verbatim. */
  async function completeTextOnce(
    request: CompletionRequest,
    prompt: string,
    n: number,
    seed: number | undefined,
  ): Promise<TextCompletion> {
    const cap = completionLogprobsCap.get(request.model) ?? 20;
    const logprobs = request.topLogprobs !== undefined ? Math.max(0, Math.min(cap, request.topLogprobs)) : undefined;
    const body = {
      model: request.model,
      prompt,
      ...(noTemperature.has(request.model) ? {} : { temperature: request.temperature }),
      max_tokens: request.maxTokens,
      ...(n > 1 && !singleChoice.has(request.model) ? { n } : {}),
      ...(seed !== undefined ? { seed } : {}),
      ...(logprobs !== undefined ? { logprobs } : {}),
      ...(request.stop ? { stop: request.stop } : {}),
    };
    let completion: unknown;
    try {
      completion = await client.request('POST', '/completions', body, request);
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error;
      if (
        error.status === 400 &&
        /logprobs/.test(error.message) &&
        logprobs !== undefined &&
        logprobs > OPENAI_COMPLETIONS_MAX_LOGPROBS &&
        !completionLogprobsCap.has(request.model)
      ) {
        completionLogprobsCap.set(request.model, OPENAI_COMPLETIONS_MAX_LOGPROBS);
        return completeTextOnce(request, prompt, n, seed);
      }
      if (learnTemperature(error, request.model)) return completeTextOnce(request, prompt, n, seed);
      if (learnSingleChoice(error, request.model, n)) return completeTextOnce(request, prompt, 1, seed);
      throw error;
    }
    if (!completion || typeof completion !== 'object' || !Array.isArray((completion as TextCompletion).choices)) {
      throw new ProviderError(`Answer from ${origin} is not a text completion${describe(completion)}`, 'parse');
    }
    return completion as TextCompletion;
  }

  function toTextChoice(c: TextCompletion['choices'][number], wantLogprobs: boolean): CompletionChoice {
    const alternatives = wantLogprobs ? completionFirstToken(c?.logprobs, origin) : undefined;
    return { text: typeof c?.text === 'string' ? c.text : '', ...(alternatives ? { firstTokenLogprobs: alternatives } : {}) };
  }

  function toChoice(c: ChatCompletion['choices'][number], wantLogprobs: boolean): CompletionChoice {
    const first: unknown = c?.logprobs?.content?.[0];
    const top = first && typeof first === 'object' ? (first as { top_logprobs?: unknown }).top_logprobs : undefined;
    const alternatives =
      wantLogprobs && first && typeof first === 'object'
        ? checkedAlternatives(Array.isArray(top) && top.length ? top : [first], origin)
        : undefined;
    const content = c?.message?.content;
    return { text: typeof content === 'string' ? content : '', ...(alternatives ? { firstTokenLogprobs: alternatives } : {}) };
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
    complete(request: CompletionRequest): Promise<CompletionResponse> {
      // Method loglik: the options' continuations scored by one echo request (src/providers/loglik.ts).
      if (request.continuations && request.prompt !== undefined)
        return scoreContinuations(
          { baseURL: options.baseURL, apiKey: options.apiKey, ...(options.fetch ? { fetch: options.fetch } : {}) },
          request,
        );
      const wantLogprobs = request.topLogprobs !== undefined;
      // Servers that ignore `n` (Ollama /v1, llama.cpp) return one choice: the loop asks again for the rest,
      // the seed shifted by 1000 a round.
      return collectSamples(request, origin, 1000, async (room, seed) => {
        const completion: TextCompletion | ChatCompletion =
          request.prompt !== undefined
            ? await completeTextOnce(request, request.prompt, room, seed)
            : await createOnce(request, room, seed);
        const choices =
          request.prompt !== undefined
            ? (completion as TextCompletion).choices.slice(0, room).map((c) => toTextChoice(c, wantLogprobs))
            : (completion as ChatCompletion).choices.slice(0, room).map((c) => toChoice(c, wantLogprobs));
        return {
          choices: choices.map(withoutKey),
          promptTokens: completion.usage?.prompt_tokens ?? 0,
          completionTokens: completion.usage?.completion_tokens ?? 0,
          ...(typeof completion.model === 'string' ? { model: completion.model } : {}),
        };
      });
    },
    async listModels(signal: AbortSignal): Promise<ModelInfo[]> {
      const page = (await client.request('GET', '/models', undefined, { signal, timeoutMs: LIST_TIMEOUT_MS })) as { data?: unknown } | null;
      if (!page || !Array.isArray(page.data)) throw new ProviderError(`Model list from ${origin} is malformed`, 'parse');
      return page.data
        .filter((m): m is { id: string } => !!m && typeof (m as { id?: unknown }).id === 'string')
        .map((m) => ({ name: m.id }));
    },
  };
}
