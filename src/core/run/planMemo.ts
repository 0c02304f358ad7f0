// A plan remembered from an earlier run of the same inputs, so that a re-run whose answers are all cached
// skips parsing the survey, rendering every prompt and hashing every cache key (issue 17: the cached
// re-run). A memo holds each planned request without its messages (what records and scoring need: the
// identity with its cache key, labels, parameters); the messages are only needed to send, and a request
// that must be sent after all (a cache entry found damaged) gets them from the real plan, built then.
//
// Validity: the memo's file is named by a fingerprint of everything that decides the plan apart from
// the run's parameters (the code that plans, the input files' bytes, the selection), and it records the
// parameters' fingerprint (model, digest, method, decoding); it stands in only when both match. The file
// carries a checksum: a damaged or foreign memo is ignored (the plan is built as without one), never used.
// A memo is written only for inputs that parsed without errors and passed the selection checks, so a
// matching memo also stands for those checks.

import * as crypto from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { canonicalJson } from './key';
import type { PlanInput, PlannedRequest } from './plan';

const MEMO_VERSION = 1;
const TAG = `VLP${MEMO_VERSION}`;
/** Plans larger than this are not remembered (the memo is held in memory while the plan streams). */
const MAX_MEMO_REQUESTS = 200_000;
/** Folder of the memos inside the response cache folder. */
const MEMO_DIR = 'plans';

/** A planned request without what only sending needs (messages, the plain prompt). */
export type PlanSkeleton = Omit<PlannedRequest, 'messages' | 'prompt'>;

export interface PlanMemo {
  /** Fingerprint of the run's parameters the plan was made with (planParamsKey). */
  params: string;
  /** The template name the selection resolved to (the first of the file when none was named). */
  template: string;
  requests: PlanSkeleton[];
}

/** What names a memo: everything that decides a plan except the run's parameters. */
export interface MemoInputs {
  /** Identity of the code that parses and plans (a bundle's hash; runtime and ICU versions). */
  code: string;
  /** The input files' texts (survey, templates), in a fixed order. */
  texts: string[];
  /** The selection as given (template name, items, languages, paraphrases, study…). */
  selection: unknown;
}

export function memoPath(cacheDir: string, inputs: MemoInputs): string {
  const hash = crypto.createHash('sha256').update(`${TAG}\n${inputs.code}\n${canonicalJson(inputs.selection ?? null)}\n`);
  for (const text of inputs.texts) hash.update(`${Buffer.byteLength(text)}\n`).update(text);
  return join(cacheDir, MEMO_DIR, `${hash.digest('hex')}.vlp`);
}

/** Fingerprint of a plan input's parameters (everything but the parsed files). */
export function planParamsKey(input: Omit<PlanInput, 'survey' | 'templates'>): string {
  const { itemIds, languages, template, paraphrases, models, method, samples, temperature, seed, optionOrder, optionOrders, languageCountries, country, rounds, study } = input;
  return sha256(canonicalJson({ itemIds, languages, template, paraphrases, models, method, samples, temperature, seed, optionOrder, optionOrders, languageCountries, country, rounds, study }));
}

// On disk the requests are rows: each object is its key list's number (`shapes`) and its values in that
// order (key order is kept, so records come out byte for byte as planned), with every object-valued field
// (labels, parameters, languages, option order) stored once in `shared` and referred to as `[n]`. The
// labels of one scale repeat in every request of it; written whole, a memo was 1.2 KB a request.
interface Encoded {
  params: string;
  template: string;
  shapes: string[][];
  shared: unknown[];
  rows: unknown[][];
}

function encode(memo: PlanMemo): Encoded {
  const shapes: string[][] = [];
  const shapeIds = new Map<string, number>();
  const shared: unknown[] = [];
  const sharedIds = new Map<string, number>();
  const row = (value: object): unknown[] => {
    const keys = Object.keys(value);
    const id = keys.join('\u0000');
    let shape = shapeIds.get(id);
    if (shape === undefined) shapeIds.set(id, (shape = shapes.push(keys) - 1));
    const out: unknown[] = [shape];
    for (const key of keys) {
      const v = (value as Record<string, unknown>)[key];
      if (key === 'identity') out.push(row(v as object));
      else if (v !== null && typeof v === 'object') {
        const text = JSON.stringify(v);
        let ref = sharedIds.get(text);
        if (ref === undefined) sharedIds.set(text, (ref = shared.push(v) - 1));
        out.push([ref]);
      } else out.push(v);
    }
    return out;
  };
  return { params: memo.params, template: memo.template, shapes, shared, rows: memo.requests.map(row) };
}

function decode(encoded: Encoded): PlanMemo | undefined {
  const { shapes, shared, rows } = encoded;
  if (!Array.isArray(shapes) || !Array.isArray(shared) || !Array.isArray(rows)) return undefined;
  const object = (r: unknown): Record<string, unknown> => {
    if (!Array.isArray(r)) throw new TypeError('not a row');
    const keys = shapes[r[0] as number];
    if (!Array.isArray(keys) || keys.length !== r.length - 1) throw new TypeError('no such shape');
    const out: Record<string, unknown> = {};
    for (let i = 0; i < keys.length; i++) {
      const v = r[i + 1];
      if (keys[i] === 'identity') out.identity = object(v);
      else if (Array.isArray(v)) {
        if (!(typeof v[0] === 'number' && v[0] >= 0 && v[0] < shared.length)) throw new TypeError('no such shared value');
        out[keys[i]] = shared[v[0]];
      } else out[keys[i]] = v;
    }
    return out;
  };
  try {
    const requests = rows.map((r, index) => {
      const req = object(r) as unknown as PlanSkeleton;
      if (req.index !== index || typeof req.cacheKey !== 'string' || !req.identity || !Array.isArray(req.labels)) throw new TypeError('not a planned request');
      return req;
    });
    return { params: encoded.params, template: encoded.template, requests };
  } catch {
    return undefined;
  }
}

/** The memo in `file`, or undefined when there is none or it is not intact. */
export async function readPlanMemo(file: string): Promise<PlanMemo | undefined> {
  let buf: Buffer;
  try {
    buf = await fs.readFile(file);
  } catch {
    return undefined;
  }
  const newline = buf.indexOf(0x0a);
  if (newline < 0) return undefined;
  const [tag, sum, length, extra] = buf.toString('latin1', 0, newline).split(' ');
  const body = buf.subarray(newline + 1);
  if (tag !== TAG || extra !== undefined || Number(length) !== body.length || sha256(body) !== sum) return undefined;
  try {
    const encoded = JSON.parse(body.toString('utf8')) as Encoded;
    if (typeof encoded?.params !== 'string' || typeof encoded.template !== 'string') return undefined;
    return decode(encoded);
  } catch {
    return undefined;
  }
}

/** Writes a memo atomically (temp file, rename): a reader sees the old memo, the new one, or none. */
export async function writePlanMemo(file: string, memo: PlanMemo): Promise<void> {
  const body = Buffer.from(JSON.stringify(encode(memo)), 'utf8');
  const dir = join(file, '..');
  await fs.mkdir(dir, { recursive: true });
  const temp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  try {
    await fs.writeFile(temp, Buffer.concat([Buffer.from(`${TAG} ${sha256(body)} ${body.length}\n`, 'latin1'), body]));
    await fs.rename(temp, file);
  } catch (error) {
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
}

/** The request without its messages and prompt (shared objects, nothing copied deeply). */
export function skeletonOf(req: PlannedRequest): PlanSkeleton {
  const { messages, prompt, ...rest } = req;
  return rest;
}

/**
 * The remembered plan as runPlan's stream. Each request's `messages` and `prompt` are read from the real
 * plan (`full()`, built once, on the first read): only a request that is sent reads them.
 */
export function memoPlan(requests: readonly PlanSkeleton[], full: () => readonly PlannedRequest[]): Iterable<PlannedRequest> {
  const real = (index: number): PlannedRequest => {
    const req = full()[index];
    if (!req || req.cacheKey !== requests[index].cacheKey) throw new Error(`the remembered plan does not match request ${index} of the plan`);
    return req;
  };
  return {
    *[Symbol.iterator]() {
      for (const skeleton of requests) {
        yield {
          ...skeleton,
          get messages() {
            return real(skeleton.index).messages;
          },
          get prompt() {
            return real(skeleton.index).prompt;
          },
        };
      }
    },
  };
}

/**
 * The plan as given, with each request's skeleton kept as it is pulled: `complete()` is the memo's list
 * once the whole plan was pulled (and it is small enough to remember), else undefined.
 */
export function recordingPlan(plan: Iterable<PlannedRequest>, expected: number): { requests: Iterable<PlannedRequest>; complete(): PlanSkeleton[] | undefined } {
  const kept: PlanSkeleton[] = [];
  let finished = false;
  let usable = expected <= MAX_MEMO_REQUESTS;
  return {
    requests: {
      *[Symbol.iterator]() {
        kept.length = 0;
        finished = false;
        for (const req of plan) {
          // A judged request is run from the whole request (its judge plan): not remembered.
          if (req.judge) usable = false;
          if (usable) kept.push(skeletonOf(req));
          yield req;
        }
        finished = true;
      },
    },
    complete: () => (finished && usable && kept.length === expected ? kept : undefined),
  };
}

function sha256(data: string | Buffer): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}
