// The cache key: sha256 over canonical JSON of everything that can change a model's answer (security notes
// §9: endpoint, model and digest, rendered messages, every decoding parameter, method, sample index), and
// nothing secret or volatile (keys, headers, query strings).

import * as crypto from 'node:crypto';
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

/**
 * sha256 over canonical JSON of everything that can change the answer; never secrets or headers. The
 * document is `canonicalJson({ v, provider, endpoint, model, digest, messages, prompt, params, method,
 * sampleIndex })` (keys sorted, undefined dropped); it is assembled from pieces rather than serialised
 * whole, because a plan keys up to millions of requests that differ only in their messages (and prompt).
 */
export function cacheKey(parts: CacheKeyParts): string {
  const frame = frameOf(parts);
  const prompt = parts.prompt === undefined ? '' : `"prompt":${JSON.stringify(parts.prompt)},`;
  return sha256Hex(`${frame.head}${canonicalMessages(parts.messages)}${frame.mid}${prompt}${frame.tail}`);
}

// The canonical document's keys in sorted order are digest, endpoint, messages, method, model, params,
// prompt, provider, sampleIndex, v: everything but messages and prompt is fixed per (endpoint, model,
// digest, provider, method, sample index, params), so those pieces are serialised once and reused.
interface KeyFrame {
  /** `{"digest":…,"endpoint":…,"messages":` */
  head: string;
  /** `,"method":…,"model":…,"params":…,` */
  mid: string;
  /** `"provider":…,"sampleIndex":…,"v":…}` */
  tail: string;
}

// Plans share one params object per round (roundParams), so frames hang off it; a few per params object.
const frames = new WeakMap<RequestParams, Map<string, KeyFrame>>();
const MAX_FRAMES_PER_PARAMS = 256;

// The frame of the previous call: a plan asks for the same one many times in a row.
let last: { parts: CacheKeyParts; frame: KeyFrame } | undefined;

function frameOf(parts: CacheKeyParts): KeyFrame {
  const before = last?.parts;
  if (
    before &&
    before.params === parts.params &&
    before.endpoint === parts.endpoint &&
    before.model === parts.model &&
    before.digest === parts.digest &&
    before.provider === parts.provider &&
    before.method === parts.method &&
    before.sampleIndex === parts.sampleIndex
  ) {
    return last!.frame;
  }
  const frame = lookUpFrame(parts);
  // Only the fields compared above are kept (not the messages of this request).
  last = {
    parts: {
      provider: parts.provider,
      endpoint: parts.endpoint,
      model: parts.model,
      digest: parts.digest,
      params: parts.params,
      method: parts.method,
      sampleIndex: parts.sampleIndex,
      messages: [],
    },
    frame,
  };
  return frame;
}

function lookUpFrame(parts: CacheKeyParts): KeyFrame {
  let byRest = frames.get(parts.params);
  if (!byRest) frames.set(parts.params, (byRest = new Map()));
  const digest = parts.digest === undefined ? '\u0001' : parts.digest;
  const id = `${parts.provider}\u0000${parts.endpoint}\u0000${parts.model}\u0000${digest}\u0000${parts.method}\u0000${parts.sampleIndex}`;
  let frame = byRest.get(id);
  if (!frame) {
    frame = {
      head: `{"digest":${canonicalJson(parts.digest ?? null)},"endpoint":${canonicalJson(endpointForKey(parts.endpoint))},"messages":`,
      mid: `,"method":${canonicalJson(parts.method)},"model":${canonicalJson(parts.model)},"params":${canonicalJson(parts.params)},`,
      tail: `"provider":${canonicalJson(parts.provider)},"sampleIndex":${canonicalJson(parts.sampleIndex)},"v":${CACHE_FORMAT_VERSION}}`,
    };
    if (byRest.size < MAX_FRAMES_PER_PARAMS) byRest.set(id, frame);
  }
  return frame;
}

// A study's prompt is shared by every model × round of its condition: its canonical JSON is computed once
// per messages array (plans never mutate them).
const messagesJson = new WeakMap<ChatMessage[], string>();

function canonicalMessages(messages: ChatMessage[]): string {
  let json = messagesJson.get(messages);
  if (json === undefined) {
    // canonicalJson of [{ role, content }]: "content" sorts before "role".
    json = `[${messages.map((m) => (typeof m.content === 'string' && typeof m.role === 'string' ? `{"content":${JSON.stringify(m.content)},"role":${JSON.stringify(m.role)}}` : canonicalJson({ role: m.role, content: m.content }))).join(',')}]`;
    messagesJson.set(messages, json);
  }
  return json;
}

// One-shot hashing (Node ≥ 20.12) skips the Hash object; older Node 20 releases take the stream API.
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;

/** Lowercase hex sha256 of a UTF-8 string. */
export function sha256Hex(text: string): string {
  return oneShot ? oneShot('sha256', text, 'hex') : crypto.createHash('sha256').update(text).digest('hex');
}

/** JSON with object keys sorted at every level and undefined members dropped. */
export function canonicalJson(value: unknown): string {
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
