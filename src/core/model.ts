// The contract between the scoring core and model providers (src/providers/). Core code depends on this
// interface only, so the CLI, the extension and the tests can plug in any backend.

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface CompletionRequest {
  model: string;
  messages: ChatMessage[];
  /**
   * Plain text for a base (non-chat) model. When set, the provider calls its completion endpoint (Ollama
   * `/api/generate` with `raw: true`, OpenAI-compatible `/v1/completions`) with this text verbatim, no chat
   * template, and `messages` is not sent. See core/prompt/plain.ts for the rendering.
   */
  prompt?: string;
  maxTokens: number;
  temperature: number;
  seed?: number;
  /** 0..20; when set, the provider asks for logprobs of the first output token. */
  topLogprobs?: number;
  /** Number of samples in one request, where the backend supports it (providers loop otherwise). */
  n?: number;
  /** Stop sequences (Ollama `options.stop`, OpenAI `stop`). */
  stop?: string[];
  /**
   * Structured output: the answer must be JSON of this schema (Ollama `format`, OpenAI `response_format`
   * json_schema). Chat requests only; a base model's completion gets the instruction in its text.
   */
  jsonSchema?: { name: string; schema: Record<string, unknown> };
  /**
   * Method 'loglik' (base models): score these continuations of `prompt` instead of generating, one
   * log-likelihood each in `CompletionResponse.continuationLogprobs` (src/providers/loglik.ts). Providers
   * that cannot score given text leave that field out, and the request is not scored.
   */
  continuations?: string[];
  signal: AbortSignal;
  timeoutMs: number;
}

export interface TokenAlternative {
  token: string;
  logprob: number;
}

export interface CompletionChoice {
  text: string;
  /** Top alternatives at the first output position, when logprobs were asked for and returned. */
  firstTokenLogprobs?: TokenAlternative[];
}

export interface CompletionResponse {
  model: string;
  choices: CompletionChoice[];
  usage?: { promptTokens: number; completionTokens: number };
  /** log p(continuation | prompt) for each of `CompletionRequest.continuations`, in order (method 'loglik'). */
  continuationLogprobs?: number[];
}

export interface ModelInfo {
  name: string;
  /** Content digest when the server reports one (Ollama); part of the cache key. */
  digest?: string;
  sizeBytes?: number;
}

export type ProviderId = 'ollama' | 'openai';

export interface ModelProvider {
  readonly id: ProviderId;
  /** scheme://host:port of the endpoint; never contains credentials. */
  readonly origin: string;
  complete(request: CompletionRequest): Promise<CompletionResponse>;
  listModels(signal: AbortSignal): Promise<ModelInfo[]>;
}

export type ProviderErrorKind = 'http' | 'network' | 'timeout' | 'aborted' | 'parse' | 'unsupported';

/** Every provider failure is one of these, so the scheduler can decide on retries without knowing the SDK. */
export class ProviderError extends Error {
  constructor(
    message: string,
    readonly kind: ProviderErrorKind,
    readonly status?: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'ProviderError';
  }

  get retryable(): boolean {
    if (this.kind === 'network' || this.kind === 'timeout') return true;
    if (this.kind === 'http' && this.status !== undefined) {
      return this.status === 408 || this.status === 409 || this.status === 429 || this.status >= 500;
    }
    return false;
  }
}
