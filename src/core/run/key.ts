// The cache key: sha256 over canonical JSON of everything that can change a model's answer (security notes
// §9: endpoint, model and digest, rendered messages, every decoding parameter, method, sample index), and
// nothing secret or volatile (keys, headers, query strings).

import { createHash } from 'node:crypto';
import type { ChatMessage, ProviderId } from '../model';
import type { ScoringMethod } from '../results';
import { originOf } from '../origin';

/** Bump when the meaning of a cached entry changes; old entries then simply miss. */
export const CACHE_FORMAT_VERSION = 1;

export interface RequestParams {
  temperature: number;
  seed: number;
  maxTokens: number;
  topLogprobs?: number;
  n: number;
  /** Stop sequences (the judge method's generation stops at "11."). Absent keys keep older keys unchanged. */
  stop?: string[];
  /** Name of the structured-output schema asked for (the judge request: 'stance_labels'). */
  schema?: string;
}

export interface CacheKeyParts {
  provider: ProviderId;
  endpoint: string;
  model: string;
  digest?: string;
  messages: ChatMessage[];
  /** Plain text sent to a base model's completion endpoint instead of the messages (absent for chat). */
  prompt?: string;
  params: RequestParams;
  method: ScoringMethod;
  sampleIndex: number;
}

/** sha256 over canonical JSON of everything that can change the answer; never secrets or headers. */
export function cacheKey(parts: CacheKeyParts): string {
  const doc = {
    v: CACHE_FORMAT_VERSION,
    provider: parts.provider,
    endpoint: endpointForKey(parts.endpoint),
    model: parts.model,
    digest: parts.digest ?? null,
    messages: canonicalMessages(parts.messages),
    // Absent for chat requests (canonicalJson drops undefined), so chat keys are unchanged.
    prompt: parts.prompt,
    params: parts.params,
    method: parts.method,
    sampleIndex: parts.sampleIndex,
  };
  return createHash('sha256').update(canonicalJson(doc)).digest('hex');
}

// A study plan keys a million requests whose prompts are shared by every model × round of a condition:
// the messages' canonical JSON is computed once per messages array (plans never mutate them).
class Canonical {
  constructor(readonly json: string) {}
}
const messagesJson = new WeakMap<ChatMessage[], Canonical>();

function canonicalMessages(messages: ChatMessage[]): Canonical {
  let known = messagesJson.get(messages);
  if (!known) {
    known = new Canonical(canonicalJson(messages.map((m) => ({ role: m.role, content: m.content }))));
    messagesJson.set(messages, known);
  }
  return known;
}

/** JSON with object keys sorted at every level and undefined members dropped. */
export function canonicalJson(value: unknown): string {
  if (value instanceof Canonical) return value.json;
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** scheme://host:port, without credentials, path or query. */
export function endpointOrigin(endpoint: string): string {
  // The raw text when it is not an http(s) URL: cache keys made so far must keep their value.
  return originOf(endpoint) ?? endpoint;
}

// Origin plus path (an OpenAI-compatible server may serve different backends under different paths), but
// never user info or query (Azure-style `?api-key=`).
function endpointForKey(endpoint: string): string {
  try {
    const url = new URL(endpoint);
    return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
  } catch {
    return endpoint;
  }
}

