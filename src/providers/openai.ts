// OpenAI-compatible chat completions through the `openai` package (v6: it still supports Node 20, which
// the CLI runs on). The SDK's own retries are off: the scheduler retries, honouring Retry-After.

import OpenAI, { APIConnectionTimeoutError, APIError, APIUserAbortError, type ClientOptions } from 'openai';
import type { ChatCompletion, ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import {
  ProviderError,
  type CompletionChoice,
  type CompletionRequest,
  type CompletionResponse,
  type ModelInfo,
  type ModelProvider,
} from '../core/model';
import { classifyError, excerpt, httpError, originOf, parseRetryAfter, redact } from './errors';
import { httpTransport } from './http-transport';

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

  function toChoice(c: ChatCompletion.Choice, wantLogprobs: boolean): CompletionChoice {
    const first = c.logprobs?.content?.[0];
    const alternatives = first ? (first.top_logprobs?.length ? first.top_logprobs : [first]) : undefined;
    return {
      text: c.message?.content ?? '',
      ...(wantLogprobs && alternatives
        ? { firstTokenLogprobs: alternatives.map(({ token, logprob }) => ({ token, logprob })) }
        : {}),
    };
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
        const completion = await createOnce(request, wanted - choices.length, seed);
        if (completion.choices.length === 0) throw new ProviderError(`Answer from ${origin} has no choices`, 'parse');
        for (const c of completion.choices.slice(0, wanted - choices.length)) choices.push(toChoice(c, request.topLogprobs !== undefined));
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
