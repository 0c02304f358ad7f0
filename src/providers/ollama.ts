// Ollama through the `ollama` package, native /api/chat (logprobs need Ollama ≥ 0.12.11); a request with a
// plain `prompt` (base models) goes to /api/generate with `raw: true`, so no chat template is applied.
// Non-streaming calls of that client take no AbortSignal, so each request gets its own client whose
// injected fetch carries the merged cancel + timeout signal; HTTP errors are turned into ProviderErrors
// inside that fetch, where the response headers (Retry-After) are still at hand.

import { Ollama, type ChatResponse, type Fetch, type GenerateResponse, type Logprob } from 'ollama/browser';
import {
  ProviderError,
  type CompletionChoice,
  type CompletionRequest,
  type CompletionResponse,
  type ModelInfo,
  type ModelProvider,
} from '../core/model';
import { bareHostUrl } from '../core/origin';
import { classifyError, httpError, messageFromBody, originOf, parseRetryAfter } from './errors';
import { httpTransport } from './http-transport';
import { checkedAlternatives } from './logprobs';
import { collectSamples } from './samples';

export interface OllamaProviderOptions {
  host: string;
  /** Per-request keep_alive (e.g. "30m"); the server's default (5 min) when absent. */
  keepAlive?: string;
  /** For tests and proxies; defaults to the node:http transport (size limits, no redirects followed). */
  fetch?: Fetch;
}

export interface PullProgress {
  status: string;
  digest?: string;
  total?: number;
  completed?: number;
}

const LIST_TIMEOUT_MS = 30_000;

/** A fetch bound to `signal` that throws ProviderError('http') on non-2xx answers. */
function boundFetch(base: Fetch, signal: AbortSignal, origin: string): Fetch {
  return async (input, init) => {
    const merged = init?.signal ? AbortSignal.any([init.signal, signal]) : signal;
    const response = await base(input, { ...init, signal: merged });
    if (response.status >= 300 && response.status < 400) {
      // Following it would re-send the prompt to wherever the server points (the OpenAI provider refuses too).
      const location = response.headers.get('location');
      let target = '';
      try {
        if (location) target = ` to ${new URL(location, String(input)).origin}`;
      } catch {
        // unparseable Location: say only that it redirected
      }
      throw new ProviderError(`HTTP ${response.status} from ${origin}: redirect${target} not followed (set the endpoint to the final URL)`, 'http', response.status);
    }
    if (!response.ok) {
      const text = await response.text().catch(() => '');
      throw httpError(response.status, origin, messageFromBody(text), parseRetryAfter(response.headers), []);
    }
    return response;
  };
}

async function withSignal<T>(
  origin: string,
  userSignal: AbortSignal,
  timeoutMs: number,
  base: Fetch,
  host: string,
  run: (client: Ollama) => Promise<T>,
): Promise<T> {
  if (userSignal.aborted) throw new ProviderError(`Request to ${origin} was cancelled`, 'aborted');
  const timeoutSignal = AbortSignal.timeout(timeoutMs);
  const signal = AbortSignal.any([userSignal, timeoutSignal]);
  const client = new Ollama({ host, fetch: boundFetch(base, signal, origin) });
  try {
    return await run(client);
  } catch (error) {
    throw classifyError(error, { origin, userSignal, timeoutSignal, timeoutMs, secrets: [] });
  }
}

export function createOllamaProvider(options: OllamaProviderOptions): ModelProvider {
  const host = bareHostUrl(options.host);
  const origin = originOf(host);
  const base: Fetch = options.fetch ?? ((input, init) => httpTransport(input, init));
  // `think: false` keeps thinking models from spending the one scoring token on reasoning, but some
  // Ollama versions answer 400 "does not support thinking" to any `think` field: then we drop it per model.
  const noThinkField = new Set<string>();

  /** Top alternatives at the first output position, as both endpoints return them. */
  function firstAlternatives(logprobs: Logprob[] | undefined) {
    const first: unknown = logprobs?.[0];
    if (!first || typeof first !== 'object') return undefined;
    const top = (first as { top_logprobs?: unknown }).top_logprobs;
    return checkedAlternatives(Array.isArray(top) && top.length ? top : [first], origin);
  }

  /** Base models: /api/generate with `raw: true` sends the text verbatim (no template, no system prompt). */
  async function generateOnce(request: CompletionRequest, prompt: string, seed: number | undefined): Promise<{ choice: CompletionChoice; response: GenerateResponse }> {
    const wantLogprobs = request.topLogprobs !== undefined;
    const response = await withSignal(origin, request.signal, request.timeoutMs, base, host, (client) =>
      client.generate({
        model: request.model,
        prompt,
        raw: true,
        stream: false,
        ...(options.keepAlive ? { keep_alive: options.keepAlive } : {}),
        ...(wantLogprobs ? { logprobs: true, top_logprobs: Math.max(0, Math.min(20, request.topLogprobs ?? 0)) } : {}),
        options: {
          temperature: request.temperature,
          num_predict: request.maxTokens,
          ...(seed !== undefined ? { seed } : {}),
          ...(request.stop ? { stop: request.stop } : {}),
        },
      }),
    );
    if (!response || typeof response !== 'object' || typeof response.response !== 'string') {
      throw new ProviderError(`Answer from ${origin} has no response text`, 'parse');
    }
    const firstTokenLogprobs = firstAlternatives(response.logprobs);
    return { choice: { text: response.response, ...(wantLogprobs && firstTokenLogprobs ? { firstTokenLogprobs } : {}) }, response };
  }

  async function chatOnce(request: CompletionRequest, seed: number | undefined): Promise<{ choice: CompletionChoice; response: ChatResponse | GenerateResponse }> {
    if (request.prompt !== undefined) return generateOnce(request, request.prompt, seed);
    const wantLogprobs = request.topLogprobs !== undefined;
    const sendThink = !noThinkField.has(request.model);
    const call = () => withSignal(origin, request.signal, request.timeoutMs, base, host, (client) =>
      client.chat({
        model: request.model,
        messages: request.messages,
        stream: false,
        ...(sendThink ? { think: false } : {}),
        // Structured output: Ollama's `format` takes a JSON schema (docs: ollama.com/blog/structured-outputs).
        ...(request.jsonSchema ? { format: request.jsonSchema.schema } : {}),
        ...(options.keepAlive ? { keep_alive: options.keepAlive } : {}),
        ...(wantLogprobs ? { logprobs: true, top_logprobs: Math.max(0, Math.min(20, request.topLogprobs ?? 0)) } : {}),
        options: {
          temperature: request.temperature,
          num_predict: request.maxTokens,
          ...(seed !== undefined ? { seed } : {}),
          ...(request.stop ? { stop: request.stop } : {}),
        },
      }),
    );
    let response: ChatResponse;
    try {
      response = await call();
    } catch (error) {
      if (sendThink && error instanceof ProviderError && error.status === 400 && /does not support thinking/i.test(error.message)) {
        noThinkField.add(request.model);
        return chatOnce(request, seed);
      }
      throw error;
    }
    if (!response || typeof response !== 'object' || typeof response.message?.content !== 'string') {
      throw new ProviderError(`Answer from ${origin} has no message`, 'parse');
    }
    const firstTokenLogprobs = firstAlternatives(response.logprobs);
    return { choice: { text: response.message.content, ...(wantLogprobs && firstTokenLogprobs ? { firstTokenLogprobs } : {}) }, response };
  }

  return {
    id: 'ollama',
    origin,
    complete(request: CompletionRequest): Promise<CompletionResponse> {
      // Ollama has no `n`: one call per sample, with distinct seeds (seed + i) so samples differ reproducibly.
      return collectSamples(request, origin, 1, async (_room, seed) => {
        const { choice, response } = await chatOnce(request, seed);
        return { choices: [choice], promptTokens: response.prompt_eval_count ?? 0, completionTokens: response.eval_count ?? 0, model: response.model };
      });
    },
    async listModels(signal: AbortSignal): Promise<ModelInfo[]> {
      const list = await withSignal(origin, signal, LIST_TIMEOUT_MS, base, host, (client) => client.list());
      if (!list || !Array.isArray(list.models)) throw new ProviderError(`Model list from ${origin} is malformed`, 'parse');
      return list.models.map((m) => ({
        name: m.name,
        ...(m.digest ? { digest: m.digest } : {}),
        ...(typeof m.size === 'number' ? { sizeBytes: m.size } : {}),
      }));
    },
  };
}

/** Downloads a model, reporting progress; cancelling `signal` stops the download. */
export async function pullModel(
  host: string,
  name: string,
  onProgress: (progress: PullProgress) => void,
  signal: AbortSignal,
  options: { fetch?: Fetch } = {},
): Promise<void> {
  const normalised = bareHostUrl(host);
  const origin = originOf(normalised);
  // redirect 'manual': a 3xx comes back to boundFetch, which refuses it, instead of being followed to another origin.
  const base: Fetch = options.fetch ?? ((input, init) => fetch(input, { ...init, redirect: 'manual' }));
  if (signal.aborted) throw new ProviderError(`Pull from ${origin} was cancelled`, 'aborted');
  const client = new Ollama({ host: normalised, fetch: boundFetch(base, signal, origin) });
  try {
    const stream = await client.pull({ model: name, stream: true });
    const stop = () => stream.abort();
    signal.addEventListener('abort', stop, { once: true });
    try {
      for await (const p of stream) {
        onProgress({
          status: p.status,
          ...(p.digest ? { digest: p.digest } : {}),
          ...(typeof p.total === 'number' ? { total: p.total } : {}),
          ...(typeof p.completed === 'number' ? { completed: p.completed } : {}),
        });
      }
    } finally {
      signal.removeEventListener('abort', stop);
    }
  } catch (error) {
    if (signal.aborted) throw new ProviderError(`Pull from ${origin} was cancelled`, 'aborted');
    if (error instanceof ProviderError) throw error;
    // The client turns an `{error}` line in the stream into a plain Error.
    if (error instanceof Error && !(error instanceof TypeError) && error.name === 'Error') {
      throw new ProviderError(`Pulling ${name} from ${origin} failed: ${error.message}`, 'http');
    }
    throw classifyError(error, { origin, userSignal: signal, secrets: [] });
  }
}
