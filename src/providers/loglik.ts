// The log-likelihood of given continuations (method 'loglik') from an OpenAI-compatible /v1/completions
// endpoint that echoes the prompt with its logprobs. One request scores all K options: `prompt` is the
// array [prompt + c_1, …, prompt + c_K] (the API reference allows an array of strings), `echo: true` with
// `max_tokens: 0` returns each prompt's own tokens with the logprob of every token given the ones before it
// (vLLM's completion/serving.py: the prompt logprobs stand in for the output), `logprobs: 1` asks for them.
// The tokens at the end of each echo that spell c_k are its continuation; their logprobs summed are
// log p(c_k | prompt), exact whatever its rank. Servers that refuse echo (llama.cpp server: "Only no echo is
// supported") or ignore it are reported as such, never scored from partial data.

import { ProviderError, type CompletionRequest, type CompletionResponse } from '../core/model';
import { classifyError, excerpt, httpError, messageFromBody, endpointOriginOrThrow, parseRetryAfter } from './errors';
import { httpTransport } from './http-transport';

export interface LoglikOptions {
  baseURL: string;
  apiKey?: string;
  fetch?: typeof fetch;
}

/** The one request body that scores every continuation. */
export function echoRequestBody(model: string, prompt: string, continuations: readonly string[]): Record<string, unknown> {
  return { model, prompt: continuations.map((c) => prompt + c), echo: true, max_tokens: 0, logprobs: 1, temperature: 0 };
}

interface EchoChoice {
  index: number;
  text: string;
  tokens: string[];
  logprobs: (number | null)[];
}

/** Word markers of SentencePiece (▁) and byte-level BPE (Ġ) stand for a space, as in first-token matching. */
const spaced = (token: string): string => token.replace(/[\u2581\u0120]/gu, ' ');

function echoChoices(body: unknown, count: number, origin: string): EchoChoice[] {
  const choices = (body as { choices?: unknown } | null)?.choices;
  if (!Array.isArray(choices)) throw new ProviderError(`Answer from ${origin} is not a text completion`, 'parse');
  if (choices.length !== count) {
    throw new ProviderError(
      `Answer from ${origin} has ${choices.length} choices for ${count} prompts: it did not score every option (method loglik)`,
      'unsupported',
    );
  }
  const out = choices.map((raw, position): EchoChoice => {
    const c = (raw ?? {}) as { index?: unknown; text?: unknown; logprobs?: { tokens?: unknown; token_logprobs?: unknown } | null };
    const tokens = c.logprobs?.tokens;
    const logprobs = c.logprobs?.token_logprobs;
    if (
      !Array.isArray(tokens) ||
      !Array.isArray(logprobs) ||
      tokens.length !== logprobs.length ||
      tokens.length === 0 ||
      !tokens.every((t) => typeof t === 'string')
    ) {
      throw new ProviderError(
        `Answer from ${origin} has no echoed prompt logprobs (legacy tokens/token_logprobs): the server does not score given text, so method loglik cannot be used with it (vLLM can; use method logprobs otherwise)`,
        'unsupported',
      );
    }
    return {
      index: typeof c.index === 'number' ? c.index : position,
      text: typeof c.text === 'string' ? c.text : '',
      tokens: tokens as string[],
      logprobs: logprobs as (number | null)[],
    };
  });
  return out.sort((a, b) => a.index - b.index);
}

/**
 * log p(c_k | prompt) for every continuation, read from an echo answer (see the file comment). Throws a
 * ProviderError when the answer is not an echo of these texts, when a continuation does not begin at a
 * token boundary of its text, or when the prompt's tokens differ between options (then the options were
 * not scored after the same context, and their likelihoods are not comparable).
 */
export function continuationLogprobs(body: unknown, prompt: string, continuations: readonly string[], origin = 'the server'): number[] {
  const choices = echoChoices(body, continuations.length, origin);
  let context: string[] | undefined;
  return choices.map((choice, k) => {
    const full = prompt + continuations[k];
    // A server that ignored max_tokens: 0 appends generated text; it is skipped, whatever it is.
    if (!choice.text.startsWith(full)) {
      throw new ProviderError(
        `Answer from ${origin} does not echo the prompt of option ${k + 1} ("${excerpt(choice.text.slice(-40), 40)}"): the server does not support echo (method loglik)`,
        'unsupported',
      );
    }
    let skip = choice.text.length - full.length;
    let j = choice.tokens.length - 1;
    while (skip > 0 && j >= 0) skip -= choice.tokens[j--].length;
    const wanted = continuations[k].length;
    let taken = '';
    let sum = 0;
    while (skip === 0 && taken.length < wanted && j >= 0) {
      const logprob = choice.logprobs[j];
      if (typeof logprob !== 'number' || !Number.isFinite(logprob) || logprob > 1e-4) {
        throw new ProviderError(
          `Answer from ${origin} has an unusable log-probability ${String(logprob)} for a token of option ${k + 1}`,
          'parse',
        );
      }
      taken = choice.tokens[j] + taken;
      sum += Math.min(0, logprob);
      j--;
    }
    if (skip !== 0 || spaced(taken) !== spaced(continuations[k])) {
      throw new ProviderError(
        `Option ${k + 1}'s continuation "${continuations[k]}" does not start at a token boundary in the answer from ${origin} (its tokens end in "${excerpt(taken, 40)}"): its likelihood cannot be separated from the prompt's`,
        'parse',
      );
    }
    const before = choice.tokens.slice(0, j + 1);
    if (context === undefined) context = before;
    else if (before.length !== context.length || before.some((t, i) => t !== context![i])) {
      throw new ProviderError(
        `The prompt was tokenised differently before option ${k + 1} than before option 1 in the answer from ${origin}: the options' likelihoods are not comparable`,
        'parse',
      );
    }
    return sum;
  });
}

/** One echo request scoring `request.continuations` after `request.prompt` (both required). */
export async function scoreContinuations(options: LoglikOptions, request: CompletionRequest): Promise<CompletionResponse> {
  const origin = endpointOriginOrThrow(options.baseURL);
  const secrets = [options.apiKey];
  const prompt = request.prompt;
  const continuations = request.continuations;
  if (prompt === undefined || !continuations?.length)
    throw new ProviderError('Method loglik needs a base-model prompt and the options to score', 'unsupported');
  if (request.signal.aborted) throw new ProviderError(`Request to ${origin} was cancelled`, 'aborted');
  const timeoutSignal = AbortSignal.timeout(request.timeoutMs);
  const signal = AbortSignal.any([request.signal, timeoutSignal]);
  const send = options.fetch ?? httpTransport;
  let text: string;
  let response: Response;
  try {
    response = await send(`${options.baseURL.replace(/\/+$/, '')}/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
      },
      body: JSON.stringify(echoRequestBody(request.model, prompt, continuations)),
      signal,
    });
    text = await response.text();
  } catch (error) {
    throw classifyError(error, { origin, userSignal: request.signal, timeoutSignal, timeoutMs: request.timeoutMs, secrets });
  }
  if (response.status < 200 || response.status >= 300)
    throw httpError(response.status, origin, messageFromBody(text), parseRetryAfter(response.headers), secrets);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ProviderError(`Answer from ${origin} is not valid JSON`, 'parse');
  }
  const logprobs = continuationLogprobs(body, prompt, continuations, origin);
  const usage = (body as { usage?: { prompt_tokens?: unknown; completion_tokens?: unknown } }).usage;
  const model = (body as { model?: unknown }).model;
  return {
    model: typeof model === 'string' && model ? model : request.model,
    // The echoed texts are the prompt K times over: nothing to keep of them.
    choices: [{ text: '' }],
    continuationLogprobs: logprobs,
    ...(usage && typeof usage.prompt_tokens === 'number'
      ? {
          usage: {
            promptTokens: usage.prompt_tokens,
            completionTokens: typeof usage.completion_tokens === 'number' ? usage.completion_tokens : 0,
          },
        }
      : {}),
  };
}
