// Settings for score and demo: command-line flags, then environment variables, then a config file
// (`--config FILE`, else `value-lens.json` or `.valuelensrc.json` in the working directory), then defaults.
// API keys come from OPENAI_API_KEY only: a key in a config file is refused, because config files get
// committed.

import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ProviderId } from '../core/model';
import { DEFAULT_OLLAMA_HOST, DEFAULT_OPENAI_BASE_URL, readOllamaHost } from '../core/origin';
import { mayReceiveKey, normaliseOrigin, parseTrustList, type EndpointSource } from '../core/run/keyPolicy';
import { InputError, UsageError } from './errors';
import { exists, readInputFile } from './io';

export const DEFAULT_OLLAMA_MODEL = 'qwen2.5:0.5b';
export const CONFIG_FILE_NAMES = ['value-lens.json', '.valuelensrc.json'];

/** What a config file may hold; every key is optional and has the same meaning as the flag. */
export interface FileConfig {
  provider?: ProviderId;
  model?: string;
  endpoint?: string;
  method?: 'logprobs' | 'loglik' | 'sample' | 'auto';
  samples?: number;
  temperature?: number;
  concurrency?: number;
  timeout?: number;
  /** Seconds for a model's first answer (`--first-timeout`). */
  firstTimeout?: number;
  seed?: number;
  cacheDir?: string;
  languages?: string[];
  template?: string;
  templateName?: string;
}

const ALLOWED: Record<keyof FileConfig, 'string' | 'number' | 'string[]'> = {
  provider: 'string',
  model: 'string',
  endpoint: 'string',
  method: 'string',
  samples: 'number',
  temperature: 'number',
  concurrency: 'number',
  timeout: 'number',
  firstTimeout: 'number',
  seed: 'number',
  cacheDir: 'string',
  languages: 'string[]',
  template: 'string',
  templateName: 'string',
};

const SECRET_KEY = /key|token|secret|password|authorization/i;

export interface LoadedConfig {
  config: FileConfig;
  /** Absolute path of the file read, if any; relative paths inside it resolve against its folder. */
  path?: string;
}

export async function loadConfig(explicit: string | undefined, cwd: string): Promise<LoadedConfig> {
  let path: string | undefined;
  if (explicit !== undefined) {
    path = resolve(cwd, explicit);
  } else {
    // Both looked for at once (each a thread-pool round trip); the first name that exists wins.
    const found = await Promise.all(CONFIG_FILE_NAMES.map((name) => exists(join(cwd, name))));
    const name = CONFIG_FILE_NAMES.find((_, i) => found[i]);
    if (name !== undefined) path = join(cwd, name);
  }
  if (!path) return { config: {} };
  const text = await readInputFile(path, 'Config file');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new InputError(`Config file ${path} is not valid JSON: ${(error as Error).message}`);
  }
  return { config: validateConfig(raw, path), path };
}

export function validateConfig(raw: unknown, path: string): FileConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new InputError(`Config file ${path} must hold a JSON object.`);
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (SECRET_KEY.test(key)) {
      throw new UsageError(
        `Config file ${path} contains the setting "${key}", but keys are not read from config files (they get committed). ` +
          'Set the OPENAI_API_KEY environment variable instead.',
      );
    }
    const type = ALLOWED[key as keyof FileConfig];
    if (!type) {
      throw new InputError(`Config file ${path}: unknown setting "${key}" (known: ${Object.keys(ALLOWED).join(', ')}).`);
    }
    const ok =
      type === 'string[]'
        ? Array.isArray(value) && value.every((v) => typeof v === 'string')
        : type === 'number'
          ? typeof value === 'number' && Number.isFinite(value)
          : typeof value === 'string';
    if (!ok) throw new InputError(`Config file ${path}: "${key}" must be ${type === 'string[]' ? 'a list of strings' : `a ${type}`}.`);
    out[key] = value;
  }
  return out as FileConfig;
}

/**
 * An Ollama host from the user (OLLAMA_HOST, --endpoint, config) read by the one rule of core/origin.ts,
 * refused with a way out where that rule would drop something the user wrote (credentials, a query).
 */
export function normaliseOllamaHost(value: string): string {
  const host = readOllamaHost(value);
  if (!host) throw new UsageError(`"${maskCredentials(value)}" is not a valid Ollama host (expected e.g. http://127.0.0.1:11434).`);
  if (host.credentials) {
    // They would be dropped silently: Ollama has no authentication, and a proxy's belongs in its own config.
    throw new UsageError(`The Ollama host must not contain credentials (user:password@); Ollama does not use them.`);
  }
  if (host.extras) throw new UsageError(`The Ollama host "${maskCredentials(value)}" must not contain a query string or fragment.`);
  return host.url;
}

/** `value` with anything that looks like URL userinfo (user:password@) hidden, for error messages. */
export function maskCredentials(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^/?#\s]*@/i, (_m, scheme: string | undefined) => `${scheme ?? ''}[credentials]@`);
}

export function checkUrl(value: string, what: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${what} "${maskCredentials(value)}" is not a valid URL (expected e.g. http://127.0.0.1:8000/v1).`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${what} "${maskCredentials(value)}" must be an http or https URL.`);
  }
  if (url.username || url.password) {
    throw new UsageError(`${what} must not contain credentials; set OPENAI_API_KEY instead.`);
  }
  if (url.search || url.hash) {
    // The client appends /chat/completions to the whole string, query included: the request would go nowhere.
    throw new UsageError(`${what} "${url.origin}${url.pathname}" must not carry a query string or fragment; name the base path only.`);
  }
  return value.replace(/\/+$/, '');
}

/** The endpoint for a provider: flag, then environment, then config file, then the default. */
export function resolveEndpoint(provider: ProviderId, flagValue: string | undefined, env: NodeJS.ProcessEnv, config: FileConfig): string {
  if (provider === 'ollama') {
    const chosen = flagValue ?? env.OLLAMA_HOST ?? config.endpoint;
    return chosen === undefined ? DEFAULT_OLLAMA_HOST : checkUrl(normaliseOllamaHost(chosen), 'The Ollama endpoint');
  }
  const chosen = flagValue ?? env.OPENAI_BASE_URL ?? config.endpoint ?? DEFAULT_OPENAI_BASE_URL;
  return checkUrl(chosen, 'The OpenAI-compatible endpoint');
}

/** Which setting the endpoint of `resolveEndpoint` came from (same precedence). */
export function endpointSource(
  provider: ProviderId,
  flagValue: string | undefined,
  env: NodeJS.ProcessEnv,
  config: FileConfig,
): EndpointSource {
  if (flagValue !== undefined) return 'flag';
  if ((provider === 'ollama' ? env.OLLAMA_HOST : env.OPENAI_BASE_URL) !== undefined) return 'env';
  if (config.endpoint !== undefined) return 'project-file';
  return 'default';
}

/** Environment variable listing origins the user trusts with OPENAI_API_KEY (comma-separated). */
export const TRUST_ENV = 'VALUE_LENS_TRUST_ENDPOINT';

/** The user's own config, outside any project: `$XDG_CONFIG_HOME/value-lens/config.json` (~/.config when unset). */
export function userConfigPath(env: NodeJS.ProcessEnv): string {
  return join(env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config'), 'value-lens', 'config.json');
}

export interface UserConfig {
  /** Origins whose endpoints may receive OPENAI_API_KEY even when a project file names them. */
  trustedEndpoints: string[];
}

/** Reads the user config; a missing file is an empty config, a damaged one a clear error. Small: read synchronously. */
export function loadUserConfig(env: NodeJS.ProcessEnv): { config: UserConfig; path: string } {
  const path = userConfigPath(env);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { config: { trustedEndpoints: [] }, path };
    throw new InputError(`User config ${path} cannot be read: ${(error as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new InputError(`User config ${path} is not valid JSON: ${(error as Error).message}`);
  }
  const list = (raw as { trustedEndpoints?: unknown } | null)?.trustedEndpoints;
  if (
    typeof raw !== 'object' ||
    raw === null ||
    Array.isArray(raw) ||
    (list !== undefined && !(Array.isArray(list) && list.every((v) => typeof v === 'string')))
  ) {
    throw new InputError(`User config ${path} must be a JSON object whose "trustedEndpoints" is a list of URLs.`);
  }
  const entries = (list ?? []) as string[];
  const invalid = entries.filter((e) => !normaliseOrigin(e));
  if (invalid.length)
    throw new InputError(
      `User config ${path}: "trustedEndpoints" has entries that are not http(s) URLs: ${invalid.map((e) => JSON.stringify(e)).join(', ')}.`,
    );
  return { config: { trustedEndpoints: entries }, path };
}

export interface KeyDestination {
  provider: ProviderId;
  endpoint: string;
  source: EndpointSource;
  /** `--trust-endpoint`: the user confirms this run's endpoint. */
  trustFlag: boolean;
  env: NodeJS.ProcessEnv;
  /** The project file the endpoint came from, for the message. */
  configPath?: string;
}

/**
 * Refuses (exit 2, before any request) to send OPENAI_API_KEY to an endpoint that only a project file
 * names, unless the user confirmed its origin. Without a key there is nothing to protect: no check.
 */
export function checkKeyDestination(input: KeyDestination): void {
  if (input.provider !== 'openai' || !input.env.OPENAI_API_KEY) return;
  if (input.source !== 'project-file' && input.source !== 'study-file') return;
  const fromEnv = parseTrustList(input.env[TRUST_ENV] ?? '');
  if (fromEnv.invalid.length) {
    throw new UsageError(
      `${TRUST_ENV} must list http(s) origins such as https://llm.example.org:8000; not: ${fromEnv.invalid.map((e) => JSON.stringify(e)).join(', ')}.`,
    );
  }
  const user = loadUserConfig(input.env);
  const trusted = [...(input.trustFlag ? [input.endpoint] : []), ...fromEnv.origins, ...user.config.trustedEndpoints];
  const decision = mayReceiveKey(input.endpoint, { source: input.source, trusted });
  if (decision.allowed) return;
  const origin = decision.origin ?? input.endpoint;
  const file = input.configPath ?? 'a file in this folder';
  throw new UsageError(
    [
      `Not sending OPENAI_API_KEY to ${origin}: that endpoint comes from ${file}, not from you, and a project's files can come from anyone.`,
      'If you trust that server with your key, confirm it with one of:',
      '  --trust-endpoint                      (this run)',
      `  ${TRUST_ENV}=${origin}   (this shell)`,
      `  "trustedEndpoints": ["${origin}"] in ${user.path}   (always)`,
      'To use it without the key, run with OPENAI_API_KEY unset; to use another server, pass --endpoint URL.',
    ].join('\n'),
  );
}
