// Provider construction for the CLI: one instance per provider and endpoint, the key from the environment
// only, and a reachability probe whose failure turns into instructions instead of a stack trace.

import type { ModelInfo, ModelProvider, ProviderId } from '../core/model';
import { ProviderError } from '../core/model';
import { createOllamaProvider } from '../providers/ollama';
import { createOpenAIProvider } from '../providers/openai';
import { findInstalledModel } from '../core/run/prepare';
import { InputError } from './errors';

export type ProviderFactory = (provider: ProviderId, endpoint: string) => ModelProvider;

export interface ProviderFactoryOptions {
  /**
   * Whether OPENAI_API_KEY may go to this endpoint (core/run/keyPolicy.ts `mayReceiveKey`); when false the
   * provider is keyless (a placeholder is sent). Default: every endpoint, for callers that checked already
   * (score and demo refuse an unconfirmed project-file endpoint before building any provider).
   */
  mayUseKey?: (endpoint: string) => boolean;
}

export function providerFactory(env: NodeJS.ProcessEnv, options: ProviderFactoryOptions = {}): ProviderFactory {
  const made = new Map<string, ModelProvider>();
  return (provider, endpoint) => {
    const key = `${provider} ${endpoint}`;
    let instance = made.get(key);
    if (!instance) {
      const apiKey = env.OPENAI_API_KEY && (options.mayUseKey?.(endpoint) ?? true) ? env.OPENAI_API_KEY : undefined;
      instance = provider === 'ollama' ? createOllamaProvider({ host: endpoint }) : createOpenAIProvider({ baseURL: endpoint, apiKey });
      made.set(key, instance);
    }
    return instance;
  };
}

/** Instructions printed when no model server answers; the newcomer's most likely first problem. */
export function unreachableHelp(provider: ProviderId, endpoint: string, model: string): string {
  const lines = [`No model server answered at ${endpoint}.`, ''];
  if (provider === 'ollama') {
    lines.push(
      'To use a local Ollama (https://ollama.com, version 0.12.11 or later for logprobs):',
      '  1. start it:         ollama serve',
      `  2. fetch the model:  ollama pull ${model}`,
      '  3. run this again.',
      '',
      'Or point Value Lens at another server:',
      '  an Ollama elsewhere:           OLLAMA_HOST=http://HOST:11434 (or --endpoint URL)',
      '  an OpenAI-compatible server:   --provider openai --model NAME with OPENAI_BASE_URL=URL',
      '                                 (and set OPENAI_API_KEY in the environment if it needs a key)',
    );
  } else {
    lines.push(
      'Check that the OpenAI-compatible server is running and that the URL is right',
      '(set it with --endpoint URL or OPENAI_BASE_URL, e.g. http://127.0.0.1:8000/v1; the key comes from OPENAI_API_KEY).',
      'For a local Ollama instead: --provider ollama (OLLAMA_HOST or http://127.0.0.1:11434).',
    );
  }
  return lines.join('\n');
}

export function missingModelHelp(endpoint: string, model: string, available: ModelInfo[]): string {
  const names = available.map((m) => m.name).slice(0, 20);
  return [
    `The Ollama server at ${endpoint} does not have the model "${model}".`,
    `  fetch it:        ollama pull ${model}`,
    '  or choose one:   --model NAME' + (names.length ? ` (installed: ${names.join(', ')})` : ' (none installed yet)'),
  ].join('\n');
}

/**
 * Lists the models at an Ollama endpoint; a network failure or timeout becomes an InputError carrying
 * `unreachableHelp`. Other HTTP errors are reported with their status.
 */
export async function listOllamaModels(
  provider: ModelProvider,
  model: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<ModelInfo[]> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  try {
    return await provider.listModels(combined);
  } catch (error) {
    const kind = error instanceof ProviderError ? error.kind : 'network';
    if (kind === 'network' || kind === 'timeout' || kind === 'aborted' || timeout.aborted) {
      throw new InputError(unreachableHelp('ollama', provider.origin, model));
    }
    const status = error instanceof ProviderError && error.status ? ` (HTTP ${error.status})` : '';
    throw new InputError(`The Ollama server at ${provider.origin} could not list its models${status}: ${(error as Error).message}`);
  }
}

/** The installed Ollama model `name` (its digest goes into cache keys); missing: an InputError saying how to pull it. */
export async function requireOllamaModel(provider: ModelProvider, name: string, signal?: AbortSignal): Promise<ModelInfo> {
  const models = await listOllamaModels(provider, name, 10_000, signal);
  const found = findInstalledModel(models, name);
  if (!found) throw new InputError(missingModelHelp(provider.origin, name, models));
  return found;
}

/** Whether `name` is among the installed models: the rule the lens uses too (core/run/prepare.ts). */
export { findInstalledModel as findModel };
