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
import type { ResultCache } from './cache';
import { canonicalJson } from './key';
import type { PlanInput, PlannedRequest } from './plan';

const MEMO_VERSION = 2;
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
  /** The input files' texts or bytes (survey, templates; a study file and what it references), in a fixed order. */
  texts: (string | Uint8Array)[];
  /** The selection as given (template name, items, languages, paraphrases, study…). */
  selection: unknown;
}

export function memoPath(cacheDir: string, inputs: MemoInputs): string {
  return memoFile(cacheDir, MEMO_DIR, TAG, inputs);
}

/**
 * Where a memo of `inputs` lives: `folder` of the cache, named by a fingerprint of the format's tag, the
 * code, the selection and each input's length and bytes (the plan memo's and the study load memo's).
 */
export function memoFile(cacheDir: string, folder: string, tag: string, inputs: MemoInputs): string {
  const hash = crypto.createHash('sha256').update(`${tag}\n${inputs.code}\n${canonicalJson(inputs.selection ?? null)}\n`);
  for (const text of inputs.texts) hash.update(`${typeof text === 'string' ? Buffer.byteLength(text) : text.byteLength}\n`).update(text);
  return join(cacheDir, folder, `${hash.digest('hex')}.${tag.slice(0, 3).toLowerCase()}`);
}

/** Fingerprint of a plan input's parameters (everything but the parsed files). */
export function planParamsKey(input: Omit<PlanInput, 'survey' | 'templates'>): string {
  const {
    itemIds,
    languages,
    template,
    paraphrases,
    models,
    method,
    samples,
    temperature,
    seed,
    optionOrder,
    optionOrders,
    languageCountries,
    country,
    rounds,
    study,
  } = input;
  return sha256(
    canonicalJson({
      itemIds,
      languages,
      template,
      paraphrases,
      models,
      method,
      samples,
      temperature,
      seed,
      optionOrder,
      optionOrders,
      languageCountries,
      country,
      rounds,
      study,
    }),
  );
}

// On disk the requests are columns. Requests with the same keys (top level and identity, in order: key
// order is kept, so records come out byte for byte as planned) form one layout; each layout keeps one
// column per key, encoded by what its values allow: the request's position (`p`), one value for all (`c`),
// the same as an earlier column (`e`, the identity's cache key), 64-hex keys as one string (`h`), a
// dictionary (`d` + `i`) or plain values (`v`). A 10,000-request plan is then ~1 MB of mostly keys, read in
// a few ms, where a row per request (version 1) was 3.5 MB and cost the cached re-run ~60 ms to parse.
type Column = { p: 1 } | { c: unknown } | { e: number } | { h: string } | { d: unknown[]; i: number[] } | { v: unknown[] };

interface Layout {
  /** Top-level keys; `identity` is followed by the identity's keys (`idKeys`). */
  keys: string[];
  idKeys: string[];
  columns: Column[];
}

interface Encoded {
  params: string;
  template: string;
  count: number;
  layouts: Layout[];
  /** The layout of each request, when there is more than one. */
  of?: number[];
}

const HEX64 = /^[0-9a-f]{64}$/;
const ID = 'identity';

/** Own keys with a value (an undefined one is absent from a record's JSON alike). */
function definedKeys(value: object): string[] {
  return Object.keys(value).filter((k) => (value as Record<string, unknown>)[k] !== undefined);
}

function encodeColumn(values: unknown[], positions: number[], earlier: unknown[][]): Column {
  const n = values.length;
  if (values.every((v, i) => v === positions[i])) return { p: 1 };
  const texts = values.map((v) => (v !== null && typeof v === 'object' ? JSON.stringify(v) : undefined));
  const same = (a: number, b: number): boolean => values[a] === values[b] || (texts[a] !== undefined && texts[a] === texts[b]);
  if (values.every((_, i) => same(i, 0))) return { c: values[0] };
  const twin = earlier.findIndex((col) => col.every((v, i) => v === values[i]));
  if (twin >= 0) return { e: twin };
  if (values.every((v) => typeof v === 'string' && HEX64.test(v))) return { h: (values as string[]).join('') };
  const dict: unknown[] = [];
  const ids = new Map<unknown, number>();
  const index = values.map((v, i) => {
    const id = texts[i] ?? (typeof v === 'string' ? `s${v}` : JSON.stringify(v));
    let at = ids.get(id);
    if (at === undefined) ids.set(id, (at = dict.push(v) - 1));
    return at;
  });
  return dict.length * 4 <= n ? { d: dict, i: index } : { v: values };
}

function encode(memo: PlanMemo): Encoded {
  const layouts: { keys: string[]; idKeys: string[]; rows: unknown[][]; positions: number[] }[] = [];
  const layoutIds = new Map<string, number>();
  const of: number[] = [];
  memo.requests.forEach((req, position) => {
    const keys = definedKeys(req);
    const identity = req.identity as unknown as Record<string, unknown>;
    const idKeys = definedKeys(identity);
    const id = `${keys.join('\u0000')}\u0001${idKeys.join('\u0000')}`;
    let at = layoutIds.get(id);
    if (at === undefined) layoutIds.set(id, (at = layouts.push({ keys, idKeys, rows: [], positions: [] }) - 1));
    const layout = layouts[at];
    const row: unknown[] = [];
    for (const key of keys) {
      if (key === ID) for (const k of idKeys) row.push(identity[k]);
      else row.push((req as unknown as Record<string, unknown>)[key]);
    }
    layout.rows.push(row);
    layout.positions.push(position);
    of.push(at);
  });
  return {
    params: memo.params,
    template: memo.template,
    count: memo.requests.length,
    layouts: layouts.map(({ keys, idKeys, rows, positions }) => {
      const width = rows[0]?.length ?? 0;
      const columns: Column[] = [];
      const seen: unknown[][] = [];
      for (let c = 0; c < width; c++) {
        const values = rows.map((r) => r[c]);
        columns.push(encodeColumn(values, positions, seen));
        seen.push(values);
      }
      return { keys, idKeys, columns };
    }),
    ...(layouts.length > 1 ? { of } : {}),
  };
}

function check(ok: boolean): void {
  if (!ok) throw new TypeError('not a plan memo');
}

/** A column's values for the `positions` of its layout's rows (each check throws). */
function decodeColumn(column: Column, positions: number[], earlier: unknown[][]): unknown[] {
  const n = positions.length;
  check(column !== null && typeof column === 'object');
  if ('p' in column) return positions;
  if ('c' in column) return new Array<unknown>(n).fill(column.c);
  if ('e' in column) {
    check(Number.isInteger(column.e) && column.e >= 0 && column.e < earlier.length);
    return earlier[column.e];
  }
  if ('h' in column) {
    check(typeof column.h === 'string' && column.h.length === 64 * n);
    const out = new Array<string>(n);
    for (let i = 0; i < n; i++) out[i] = column.h.slice(64 * i, 64 * i + 64);
    return out;
  }
  if ('d' in column) {
    const { d, i: index } = column;
    check(Array.isArray(d) && Array.isArray(index) && index.length === n);
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) {
      const at = index[i];
      check(Number.isInteger(at) && at >= 0 && at < d.length);
      out[i] = d[at];
    }
    return out;
  }
  check('v' in column && Array.isArray(column.v) && column.v.length === n);
  return (column as { v: unknown[] }).v;
}

function decode(encoded: Encoded): PlanMemo | undefined {
  try {
    const { count, layouts, of } = encoded;
    check(Number.isInteger(count) && count >= 0 && Array.isArray(layouts) && layouts.length <= Math.max(1, count));
    check(of === undefined ? layouts.length <= 1 : Array.isArray(of) && of.length === count);
    const layoutOf = (position: number): number => (of ? of[position] : 0);
    const positions: number[][] = layouts.map(() => []);
    for (let p = 0; p < count; p++) {
      const at = layoutOf(p);
      check(Number.isInteger(at) && at >= 0 && at < layouts.length);
      positions[at].push(p);
    }
    const columns = layouts.map((layout, l) => {
      check(Array.isArray(layout?.keys) && Array.isArray(layout.idKeys) && Array.isArray(layout.columns));
      const width = layout.keys.length - (layout.keys.includes(ID) ? 1 - layout.idKeys.length : 0);
      check(
        layout.columns.length === width &&
          layout.keys.every((k) => typeof k === 'string') &&
          layout.idKeys.every((k) => typeof k === 'string'),
      );
      const done: unknown[][] = [];
      for (const column of layout.columns) done.push(decodeColumn(column, positions[l], done));
      return done;
    });
    // Each request is a copy of its layout's first request with the varying fields set: a copy keeps the
    // key order and shape, and setting an existing field is far cheaper than adding 27 keys one by one.
    const builders = layouts.map((layout, l) => {
      const cols = columns[l];
      const top: { key: string; col: number }[] = [];
      const inner: { key: string; col: number }[] = [];
      let c = 0;
      for (const key of layout.keys) {
        check(key !== '__proto__');
        if (key !== ID) top.push({ key, col: c++ });
        else {
          top.push({ key, col: -1 });
          for (const k of layout.idKeys) {
            check(k !== '__proto__');
            inner.push({ key: k, col: c++ });
          }
        }
      }
      const first = (fields: { key: string; col: number }[]): Record<string, unknown> => {
        const out: Record<string, unknown> = {};
        // The identity's place is kept in the key order; its object is made per request.
        for (const { key, col } of fields) out[key] = col < 0 ? null : cols[col][0];
        return out;
      };
      const varying = (fields: { key: string; col: number }[]): { key: string; values: unknown[] }[] =>
        fields.filter(({ col }) => col >= 0 && !('c' in layout.columns[col])).map(({ key, col }) => ({ key, values: cols[col] }));
      const topTemplate = first(top);
      const idTemplate = first(inner);
      const topVarying = varying(top);
      const idVarying = varying(inner);
      const nested = layout.keys.includes(ID);
      return (row: number): Record<string, unknown> => {
        const out = { ...topTemplate };
        for (const { key, values } of topVarying) out[key] = values[row];
        if (nested) {
          const identity = { ...idTemplate };
          for (const { key, values } of idVarying) identity[key] = values[row];
          out.identity = identity;
        }
        return out;
      };
    });
    const next = layouts.map(() => 0);
    const requests: PlanSkeleton[] = new Array<PlanSkeleton>(count);
    for (let p = 0; p < count; p++) {
      const l = layoutOf(p);
      const req = builders[l](next[l]++) as unknown as PlanSkeleton;
      check(req.index === p && typeof req.cacheKey === 'string' && !!req.identity && Array.isArray(req.labels));
      requests[p] = req;
    }
    return { params: encoded.params, template: encoded.template, requests };
  } catch {
    return undefined;
  }
}

/**
 * The memo in `file`, or undefined when there is none or it is not intact. A file that is there but torn,
 * damaged or of another format is never used; `ignored` hears why (the caller counts or logs it).
 */
export async function readPlanMemo(file: string, ignored?: (reason: string) => void): Promise<PlanMemo | undefined> {
  const encoded = (await readMemoBody(file, TAG, ignored)) as Encoded | undefined;
  if (encoded === undefined) return undefined;
  const memo = typeof encoded.params === 'string' && typeof encoded.template === 'string' ? decode(encoded) : undefined;
  if (!memo) ignored?.('not a plan memo');
  return memo;
}

/** Writes a memo atomically (temp file, rename): a reader sees the old memo, the new one, or none. */
export async function writePlanMemo(file: string, memo: PlanMemo): Promise<void> {
  await writeMemoBody(file, TAG, encode(memo));
}

/**
 * The JSON value of a memo file in the checksummed format (`TAG sha256 length` then the body), or
 * undefined when there is none or it is not intact: torn, damaged, of another format or not JSON, each
 * told to `ignored` (never used).
 */
export async function readMemoBody(file: string, tag: string, ignored?: (reason: string) => void): Promise<unknown> {
  let buf: Buffer;
  try {
    buf = await fs.readFile(file);
  } catch {
    return undefined;
  }
  const refuse = (reason: string): undefined => void ignored?.(reason);
  const newline = buf.indexOf(0x0a);
  if (newline < 0) return refuse('no header');
  const [head, sum, length, extra] = buf.toString('latin1', 0, newline).split(' ');
  const body = buf.subarray(newline + 1);
  if (head !== tag || extra !== undefined) return refuse('another format');
  if (Number(length) !== body.length) return refuse('torn (length)');
  if (sha256(body) !== sum) return refuse('damaged (checksum)');
  try {
    return (JSON.parse(body.toString('utf8')) as unknown) ?? refuse('not a memo');
  } catch {
    return refuse('not a memo');
  }
}

/** Writes `value` as a memo file of format `tag`, atomically (temp file, rename). */
export async function writeMemoBody(file: string, tag: string, value: unknown): Promise<void> {
  const body = Buffer.from(JSON.stringify(value), 'utf8');
  const dir = join(file, '..');
  await fs.mkdir(dir, { recursive: true });
  const temp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  try {
    await fs.writeFile(temp, Buffer.concat([Buffer.from(`${tag} ${sha256(body)} ${body.length}\n`, 'latin1'), body]));
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
    if (!req || req.cacheKey !== requests[index].cacheKey)
      throw new Error(`the remembered plan does not match request ${index} of the plan`);
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

/** Whether every request of a memo that would be sent has its answer in the cache (the index only; nothing decoded). */
export function allCached(cache: ResultCache, requests: readonly PlanSkeleton[]): Promise<boolean> {
  return cache.hasAll(requests.filter((req) => !req.skip).map((req) => req.cacheKey));
}

/** A whole plan's skeletons for a memo, or undefined when it cannot be remembered (too large, or judged). */
export function rememberable(plan: readonly PlannedRequest[]): PlanSkeleton[] | undefined {
  if (plan.length > MAX_MEMO_REQUESTS || plan.some((req) => req.judge)) return undefined;
  return plan.map(skeletonOf);
}

/**
 * The plan as given, with each request's skeleton kept as it is pulled: `complete()` is the memo's list
 * once the whole plan was pulled (and it is small enough to remember), else undefined.
 */
export function recordingPlan(
  plan: Iterable<PlannedRequest>,
  expected: number,
): { requests: Iterable<PlannedRequest>; complete(): PlanSkeleton[] | undefined } {
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
