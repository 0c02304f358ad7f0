// Ollama's native API over the providers' own JSON client (src/providers/json-client.ts on node:http): chat
// on /api/chat (logprobs need Ollama ≥ 0.12.11); a request with a plain `prompt` (base models) goes to
// /api/generate with `raw: true`, so no chat template is applied; /api/tags lists, /api/pull downloads
// (streamed progress lines). The `ollama` package is no longer used: it built a client per request (its
// non-streaming calls take no AbortSignal) and pulled a fetch polyfill into the bundles.

import { ProviderError, type CompletionChoice, type CompletionRequest, type ModelProvider } from '../core/model';
import { ollamaHostUrl } from '../core/origin';
import { classifyError, httpError, messageFromBody, endpointOriginOrThrow, parseRetryAfter, redirectError } from './errors';
import { createJsonClient, type JsonClient } from './json-client';
import { headerReader, httpLines } from './http-transport';
import { checkedAlternatives } from './logprobs';
import { collectSamples } from './samples';

export interface OllamaProviderOptions {
  host: string;
  /** Per-request keep_alive (e.g. "30m"); the server's default (5 min) when absent. */
  keepAlive?: string;
  /** For tests and proxies; default: the node:http client (size limits, no redirects followed). */
  fetch?: typeof fetch;
}

export interface PullProgress {
  status: string;
  digest?: string;
  total?: number;
  completed?: number;
}

const LIST_TIMEOUT_MS = 30_000;

/** What is read of /api/chat and /api/generate answers (docs/api.md). */
interface OllamaAnswer {
  model?: string;
  message?: { content?: unknown };
  response?: unknown;
  logprobs?: unknown[];
  prompt_eval_count?: number;
  eval_count?: number;
}

export function createOllamaProvider(options: OllamaProviderOptions): ModelProvider {
  const host = ollamaHostUrl(options.host);
  const origin = endpointOriginOrThrow(host);
  const client: JsonClient = createJsonClient({ baseURL: host, origin, ...(options.fetch ? { fetch: options.fetch } : {}) });
  // `think: false` keeps thinking models from spending the one scoring token on reasoning, but some
  // Ollama versions answer 400 "does not support thinking" to any `think` field: then we drop it per model.
  const noThinkField = new Set<string>();

  /** Top alternatives at the first output position, as both endpoints return them. */
  function firstAlternatives(logprobs: unknown[] | undefined) {
    const first: unknown = Array.isArray(logprobs) ? logprobs[0] : undefined;
    if (!first || typeof first !== 'object') return undefined;
    const top = (first as { top_logprobs?: unknown }).top_logprobs;
    return checkedAlternatives(Array.isArray(top) && top.length ? top : [first], origin);
  }

  /** The fields /api/chat and /api/generate share: keep_alive, logprobs, sampling options. */
  function common(request: CompletionRequest, seed: number | undefined) {
    return {
      stream: false,
      ...(options.keepAlive ? { keep_alive: options.keepAlive } : {}),
      ...(request.topLogprobs !== undefined ? { logprobs: true, top_logprobs: Math.max(0, Math.min(20, request.topLogprobs)) } : {}),
      options: {
        temperature: request.temperature,
        num_predict: request.maxTokens,
        ...(seed !== undefined ? { seed } : {}),
        ...(request.stop ? { stop: request.stop } : {}),
      },
    };
  }

  /** One answer: the text of /api/chat's message or /api/generate's response, and its first-token alternatives. */
  function choiceOf(answer: OllamaAnswer, text: unknown, request: CompletionRequest): CompletionChoice {
    if (typeof text !== 'string')
      throw new ProviderError(`Answer from ${origin} has no ${request.prompt !== undefined ? 'response text' : 'message'}`, 'parse');
    const firstTokenLogprobs = request.topLogprobs !== undefined ? firstAlternatives(answer.logprobs) : undefined;
    return { text, ...(firstTokenLogprobs ? { firstTokenLogprobs } : {}) };
  }

  async function once(request: CompletionRequest, seed: number | undefined): Promise<{ choice: CompletionChoice; answer: OllamaAnswer }> {
    if (request.prompt !== undefined) {
      // Base models: `raw: true` sends the text verbatim (no template, no system prompt).
      const answer = (await client.request(
        'POST',
        '/api/generate',
        { model: request.model, prompt: request.prompt, raw: true, ...common(request, seed) },
        request,
      )) as OllamaAnswer | null;
      if (!answer || typeof answer !== 'object') throw new ProviderError(`Answer from ${origin} has no response text`, 'parse');
      return { choice: choiceOf(answer, answer.response, request), answer };
    }
    const sendThink = !noThinkField.has(request.model);
    const body = {
      model: request.model,
      messages: request.messages,
      ...(sendThink ? { think: false } : {}),
      // Structured output: Ollama's `format` takes a JSON schema (docs: ollama.com/blog/structured-outputs).
      ...(request.jsonSchema ? { format: request.jsonSchema.schema } : {}),
      ...common(request, seed),
    };
    let answer: OllamaAnswer | null;
    try {
      answer = (await client.request('POST', '/api/chat', body, request)) as OllamaAnswer | null;
    } catch (error) {
      if (sendThink && error instanceof ProviderError && error.status === 400 && /does not support thinking/i.test(error.message)) {
        noThinkField.add(request.model);
        return once(request, seed);
      }
      throw error;
    }
    if (!answer || typeof answer !== 'object') throw new ProviderError(`Answer from ${origin} has no message`, 'parse');
    return { choice: choiceOf(answer, answer.message?.content, request), answer };
  }

  return {
    id: 'ollama',
    origin,
    complete(request) {
      // Ollama has no `n`: one call per sample, with distinct seeds (seed + i) so samples differ reproducibly.
      return collectSamples(request, origin, 1, async (_room, seed) => {
        const { choice, answer } = await once(request, seed);
        return {
          choices: [choice],
          promptTokens: answer.prompt_eval_count ?? 0,
          completionTokens: answer.eval_count ?? 0,
          ...(typeof answer.model === 'string' ? { model: answer.model } : {}),
        };
      });
    },
    async listModels(signal) {
      const list = (await client.request('GET', '/api/tags', undefined, { signal, timeoutMs: LIST_TIMEOUT_MS })) as {
        models?: unknown;
      } | null;
      if (!list || !Array.isArray(list.models)) throw new ProviderError(`Model list from ${origin} is malformed`, 'parse');
      return (list.models as { name?: unknown; digest?: unknown; size?: unknown }[])
        .filter((m) => !!m && typeof m.name === 'string')
        .map((m) => ({
          name: m.name as string,
          ...(typeof m.digest === 'string' && m.digest ? { digest: m.digest } : {}),
          ...(typeof m.size === 'number' ? { sizeBytes: m.size } : {}),
        }));
    },
  };
}

/** Downloads a model, reporting progress; cancelling `signal` stops the download. A redirect is refused. */
export async function pullModel(
  host: string,
  name: string,
  onProgress: (progress: PullProgress) => void,
  signal: AbortSignal,
): Promise<void> {
  const base = ollamaHostUrl(host);
  const origin = endpointOriginOrThrow(base);
  if (signal.aborted) throw new ProviderError(`Pull from ${origin} was cancelled`, 'aborted');
  let failure: string | undefined;
  const onLine = (line: string): void => {
    let p: { status?: unknown; digest?: unknown; total?: unknown; completed?: unknown; error?: unknown };
    try {
      p = JSON.parse(line) as typeof p;
    } catch {
      return; // a damaged progress line says nothing; the stream goes on
    }
    if (typeof p.error === 'string') {
      failure = p.error;
      throw new Error(p.error);
    }
    if (typeof p.status !== 'string') return;
    onProgress({
      status: p.status,
      ...(typeof p.digest === 'string' && p.digest ? { digest: p.digest } : {}),
      ...(typeof p.total === 'number' ? { total: p.total } : {}),
      ...(typeof p.completed === 'number' ? { completed: p.completed } : {}),
    });
  };
  let answer;
  try {
    answer = await httpLines(
      {
        method: 'POST',
        url: new URL(`${base}/api/pull`),
        headers: { 'content-type': 'application/json', accept: 'application/x-ndjson', 'user-agent': 'value-lens' },
        body: JSON.stringify({ model: name, stream: true }),
        signal,
      },
      onLine,
    );
  } catch (error) {
    if (signal.aborted) throw new ProviderError(`Pull from ${origin} was cancelled`, 'aborted');
    if (failure !== undefined) throw new ProviderError(`Pulling ${name} from ${origin} failed: ${failure}`, 'http');
    throw classifyError(error, { origin, userSignal: signal, secrets: [] });
  }
  const { status } = answer;
  const headers = headerReader(answer.headers);
  if (status >= 300 && status < 400) throw redirectError(status, origin, headers.get('location'), base);
  if (status < 200 || status >= 300)
    throw httpError(status, origin, messageFromBody(answer.body.toString('utf8')), parseRetryAfter(headers), []);
}
