// Settings for score and demo: command-line flags, then environment variables, then a config file
// (`--config FILE`, else `value-lens.json` or `.valuelensrc.json` in the working directory), then defaults.
// API keys come from OPENAI_API_KEY only: a key in a config file is refused, because config files get
// committed.

import { join, resolve } from 'node:path';
import type { ProviderId } from '../core/model';
import { InputError, UsageError } from './errors';
import { exists, readInputFile } from './io';

export const DEFAULT_OLLAMA_HOST = 'http://127.0.0.1:11434';
export const DEFAULT_OPENAI_BASE_URL = 'https://api.openai.com/v1';
export const DEFAULT_OLLAMA_MODEL = 'qwen2.5:0.5b';
export const CONFIG_FILE_NAMES = ['value-lens.json', '.valuelensrc.json'];

/** What a config file may hold; every key is optional and has the same meaning as the flag. */
export interface FileConfig {
  provider?: ProviderId;
  model?: string;
  endpoint?: string;
  method?: 'logprobs' | 'sample' | 'auto';
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
    for (const name of CONFIG_FILE_NAMES) {
      if (await exists(join(cwd, name))) {
        path = join(cwd, name);
        break;
      }
    }
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
 * Normalises an Ollama host the way the `ollama` CLI reads OLLAMA_HOST: `host`, `host:port`, `:port` or a
 * URL; scheme defaults to http, port to 11434, and the listen-all address 0.0.0.0 means this machine.
 */
export function normaliseOllamaHost(value: string): string {
  let text = value.trim();
  if (!text) return DEFAULT_OLLAMA_HOST;
  if (text.startsWith(':')) text = `127.0.0.1${text}`;
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) text = `http://${text}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`"${value}" is not a valid Ollama host (expected e.g. http://127.0.0.1:11434).`);
  }
  if (url.hostname === '0.0.0.0') url.hostname = '127.0.0.1';
  if (!url.port && !/:\d+$/.test(url.host)) url.port = url.protocol === 'https:' ? '443' : '11434';
  const path = url.pathname.replace(/\/+$/, '');
  return `${url.protocol}//${url.host}${path}`;
}

export function checkUrl(value: string, what: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${what} "${value}" is not a valid URL (expected e.g. http://127.0.0.1:8000/v1).`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${what} "${value}" must be an http or https URL.`);
  }
  if (url.username || url.password) {
    throw new UsageError(`${what} must not contain credentials; set OPENAI_API_KEY instead.`);
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
