// What every CLI command needs to work on a study file: loading it with its diagnostics, the factor flags
// that narrow it, the model clients (with the key policy: a study file is a project file), and the
// environment runStudy needs (cache, probes, confirmation).

import { createInterface } from 'node:readline/promises';
import { relative, resolve } from 'node:path';
import type { ModelProvider } from '../core/model';
import { ResultCache } from '../core/run/cache';
import type { LogprobsProbe, RunChoices } from '../core/run/prepare';
import { loadStudy, nodeStudyFs } from '../core/study/load';
import { studyLoadMemo } from '../core/study/loadMemo';
import { DEFAULT_ENDPOINTS } from '../core/study/parse';
import type { PlanEstimate } from '../core/study/plan';
import type { StudyRunEnvironment } from '../core/study/session';
import type { LoadedStudy, OptionOrderSpec, ReadyStudy, Study, StudyDiagnostic, StudyFilter, StudyModel } from '../core/study/types';
import type { EndpointSource } from '../core/run/keyPolicy';
import { probeLogprobs } from '../providers/probe';
import { flag, intFlag, listFlag, numberFlag, str, strs, type OptionSpec, type Parsed } from './args';
import { BATCH_HELP, BATCH_OPTIONS } from './batch';
import { checkKeyDestination, checkUrl, normaliseOllamaHost } from './config';
import { InputError, UsageError } from './errors';
import { print, type Io } from './io';
import { providerFactory, requireOllamaModel } from './providers';

/** Flags that narrow a study to some values of its factors (comma lists; repeatable). */
export const STUDY_FILTER_OPTIONS: OptionSpec = {
  model: { type: 'string', multiple: true },
  country: { type: 'string', multiple: true },
  lang: { type: 'string', multiple: true },
  item: { type: 'string', multiple: true },
  category: { type: 'string', multiple: true },
  'template-name': { type: 'string', multiple: true },
  order: { type: 'string', multiple: true },
};

export const STUDY_FILTER_HELP = `  --model ID,...         only these models (the study's model ids)
  --country XX,...       only these country cues (ISO 3166-1 alpha-2)
  --lang da,nl,...       only these prompt languages
  --item ID,...          only these items
  --category NAME,...    only items of these categories
  --template-name T,...  only these templates
  --order NAME,...       only these option orders (original, reversed, perm-1, shift-2, …)`;

/** file:line:col: severity: code: message, as `check` prints .wvs diagnostics. */
export function formatStudyDiagnostic(path: string, text: string, d: StudyDiagnostic): string {
  const before = text.slice(0, d.range.start);
  const line = before.split('\n').length;
  const column = d.range.start - before.lastIndexOf('\n');
  return `${path}:${line}:${column}: ${d.severity}: ${d.code}: ${d.message.replace(/[\r\n]+/g, ' ')}`;
}

/** The bytes each loaded study was parsed from, by path (studyInputBytes). */
const parsedBytes = new WeakMap<LoadedStudy, Map<string, Uint8Array>>();

/** A load memo for loadStudyForCli: the cache folder it lives in and the build's identity (planCode). */
export interface CliLoadMemo {
  cacheDir: string;
  code: string;
  /** Do not use a remembered load (it is still written). */
  fresh?: boolean;
  /** Log what was done with the memo to stderr (--verbose). */
  verbose?: boolean;
}

/** Loads a study; prints its diagnostics to stderr; an error leaves no study and is an InputError. */
export async function loadStudyForCli(pathArg: string, io: Io, memo?: CliLoadMemo): Promise<ReadyStudy> {
  const path = resolve(io.cwd, pathArg);
  // The bytes read are kept: a plan memo must be named by exactly what was parsed, not by a second read.
  const read = new Map<string, Uint8Array>();
  const store = memo ? studyLoadMemo(memo.cacheDir, memo.code, { fresh: memo.fresh ?? false }) : undefined;
  const loaded = await loadStudy(
    path,
    {
      exists: nodeStudyFs.exists,
      readFile: async (file) => {
        const bytes = await nodeStudyFs.readFile(file);
        read.set(file, bytes);
        return bytes;
      },
    },
    store ? { memo: store } : {},
  );
  parsedBytes.set(loaded, read);
  if (store && memo?.verbose) {
    // Logged like the plan memo (session.ts), before the diagnostics, which a memo run prints alike.
    const { outcome } = store;
    if (outcome.ignored) print(io.stderr, `study load memo ${outcome.file} ignored: ${outcome.ignored}`);
    if (outcome.used)
      print(io.stderr, `study load memo ${outcome.file} used: ${loaded.surveys.length + loaded.templates.length} file(s) not parsed`);
    if (outcome.writeError) print(io.stderr, `study load memo not written: ${outcome.writeError}`);
  }
  if (loaded.diagnostics.length) {
    // The bytes the load read (decoded as a utf8 read would: line and column count as before), not a second read.
    const bytes = read.get(path);
    const text = bytes ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8') : '';
    for (const d of loaded.diagnostics) print(io.stderr, formatStudyDiagnostic(pathArg, text, d));
  }
  const errors = loaded.diagnostics.filter((d) => d.severity === 'error').length;
  if (errors || !loaded.study) throw new InputError(`${pathArg}: ${errors || 'no usable'} error(s) in the study; nothing was run.`);
  return loaded as ReadyStudy;
}

/**
 * The bytes that decide a loaded study's plan — the study file, then its items and templates files in the
 * order it lists them — as loadStudyForCli parsed them; undefined for a study loaded otherwise.
 */
export function studyInputBytes(loaded: ReadyStudy): Uint8Array[] | undefined {
  const read = parsedBytes.get(loaded);
  if (!read) return undefined;
  const out: Uint8Array[] = [];
  for (const path of [loaded.study.path, ...loaded.surveys.map((s) => s.path), ...loaded.templates.map((t) => t.path)]) {
    const bytes = read.get(path);
    if (!bytes) return undefined;
    out.push(bytes);
  }
  return out;
}

/** The factor flags as a StudyFilter, each value checked against the study so a typo fails before any request. */
export function studyFilterFrom(parsed: Parsed, loaded: ReadyStudy, command: string): StudyFilter | undefined {
  const { study } = loaded;
  const filter: StudyFilter = {};
  const check = (flagName: string, values: string[] | undefined, knownValues: () => string[], key: keyof StudyFilter): void => {
    if (!values) return;
    const known = knownValues();
    const unknown = values.filter((v) => !known.includes(v));
    if (unknown.length) {
      throw new UsageError(
        `--${flagName}: ${unknown.map((u) => `"${u}"`).join(', ')} not in the study (it has ${known.join(', ') || 'none'}).`,
        command,
      );
    }
    filter[key] = values;
  };
  // The items and templates only when a flag names some: a study loaded from its memo parses them on use.
  const items = () => loaded.surveys.flatMap((s) => s.file.items);
  check('model', listFlag(strs(parsed, 'model')), () => study.models.map((m) => m.id), 'models');
  const countries = listFlag(strs(parsed, 'country'))?.map((c) => c.toUpperCase());
  check('country', countries, () => study.countries, 'countries');
  check('lang', listFlag(strs(parsed, 'lang')), () => study.languages, 'languages');
  check('item', listFlag(strs(parsed, 'item')), () => items().map((i) => i.id), 'items');
  check(
    'category',
    listFlag(strs(parsed, 'category')),
    () => [...new Set(items().map((i) => i.category?.value ?? 'uncategorised'))],
    'categories',
  );
  check(
    'template-name',
    listFlag(strs(parsed, 'template-name')),
    () => loaded.templates.flatMap((t) => t.file.templates.map((x) => x.name)),
    'templates',
  );
  const orders = listFlag(strs(parsed, 'order'));
  if (orders) filter.orders = orders;
  const override = str(parsed, 'orders');
  if (override !== undefined) study.optionOrders = ordersFlag(override, study.seed, command);
  return Object.keys(filter).length ? filter : undefined;
}

/**
 * `--orders original|reversed|cyclic|random:K` (comma list): replaces the study's optionOrders for this
 * run. The original order is always kept, so every order's records sit beside the original-order ones in
 * the corpus (nothing is replaced); random:K adds K seeded permutations with the study's seed.
 */
export function ordersFlag(value: string, seed: number, command: string): OptionOrderSpec[] {
  const out: OptionOrderSpec[] = ['original'];
  for (const part of value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean)) {
    const random = /^random:(\d+)$/.exec(part);
    if (part === 'original' || part === 'reversed' || part === 'cyclic') {
      if (!out.includes(part)) out.push(part);
    } else if (random && Number(random[1]) >= 1 && Number(random[1]) <= 1000) out.push({ permutations: Number(random[1]), seed });
    else throw new UsageError(`--orders: "${part}" is not one of original, reversed, cyclic, random:K (1 ≤ K ≤ 1000).`, command);
  }
  return out;
}

/**
 * Endpoint overrides: `--endpoint URL` points every model at one server; `--endpoint FROM=URL` moves the
 * models of one study endpoint (its URL or origin) to another. OLLAMA_HOST replaces the default Ollama host.
 */
export function applyEndpointOverrides(study: Study, overrides: string[], env: NodeJS.ProcessEnv): Map<string, EndpointSource> {
  const sources = new Map<string, EndpointSource>();
  const all = overrides.filter((o) => !o.includes('='));
  if (all.length > 1) throw new UsageError('--endpoint URL may be given once (use --endpoint FROM=URL to move one endpoint).', 'run');
  const moves = overrides
    .filter((o) => o.includes('='))
    .map((o) => {
      const [from, to] = [o.slice(0, o.indexOf('=')), o.slice(o.indexOf('=') + 1)];
      return { from: origin(from), to: checkUrl(to, '--endpoint') };
    });
  for (const model of study.models) {
    let source: EndpointSource = model.endpoint === DEFAULT_ENDPOINTS[model.provider] ? 'default' : 'study-file';
    const move = moves.find((m) => m.from === origin(model.endpoint));
    if (all.length) {
      model.endpoint = checkUrl(all[0], '--endpoint');
      source = 'flag';
    } else if (move) {
      model.endpoint = move.to;
      source = 'flag';
    } else if (source === 'default' && model.provider === 'ollama' && env.OLLAMA_HOST) {
      model.endpoint = normaliseOllamaHost(env.OLLAMA_HOST);
      source = 'env';
    } else if (source === 'default' && model.provider === 'openai' && env.OPENAI_BASE_URL) {
      model.endpoint = checkUrl(env.OPENAI_BASE_URL, 'OPENAI_BASE_URL');
      source = 'env';
    }
    sources.set(model.id, source);
  }
  return sources;
}

function origin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

export const STUDY_RUN_OPTIONS: OptionSpec = {
  ...STUDY_FILTER_OPTIONS,
  endpoint: { type: 'string', multiple: true },
  yes: { type: 'boolean', short: 'y' },
  'dry-run': { type: 'boolean' },
  fresh: { type: 'boolean' },
  'cache-dir': { type: 'string' },
  concurrency: { type: 'string' },
  timeout: { type: 'string' },
  'first-timeout': { type: 'string' },
  'trust-endpoint': { type: 'boolean' },
  verbose: { type: 'boolean' },
  orders: { type: 'string' },
  'check-text': { type: 'boolean' },
  ...BATCH_OPTIONS,
};

export const STUDY_RUN_HELP = `  --endpoint URL         send every model's requests to this server (or FROM=URL for one endpoint)
  -y, --yes              run without asking, however large the plan
  --dry-run              print the plan's size (requests, tokens, cached) and stop
  --fresh                ignore cached answers (new answers still go to the cache)
  --cache-dir DIR        response cache (default: $XDG_CACHE_HOME/value-lens or ~/.cache/value-lens)
  --concurrency C        requests in flight per endpoint
  --timeout S            seconds per attempt (every attempt)
  --first-timeout S      model-loading allowance for the first request and the probe
  --trust-endpoint       allow OPENAI_API_KEY to go to the study's own endpoints
  --verbose              log requests and retries to stderr
  --orders O,...         option orders for this run instead of the study's: original, reversed, cyclic,
                         random:K (K seeded permutations); the original order is always included
  --check-text           for models scored with logprobs or loglik, also ask each prompt for a greedy text
                         answer (first token vs text; written to RESULTS/checks/first-token-vs-text)
${BATCH_HELP}`;

/** Providers for a study's models: one client per endpoint, the key only where the policy allows it. */
export function studyProviders(
  study: Study,
  sources: Map<string, EndpointSource>,
  parsed: Parsed,
  io: Io,
): (model: StudyModel) => ModelProvider {
  for (const model of study.models) {
    checkKeyDestination({
      provider: model.provider,
      endpoint: model.endpoint,
      source: sources.get(model.id) ?? 'study-file',
      trustFlag: flag(parsed, 'trust-endpoint'),
      env: io.env,
      configPath: study.path,
    });
  }
  const factory = providerFactory(io.env);
  return (model) => factory(model.provider, model.endpoint);
}

/** Asks on a terminal; without one, a large run needs --yes. */
export async function confirmLargeRun(estimate: PlanEstimate, study: Study, parsed: Parsed, io: Io): Promise<boolean> {
  if (flag(parsed, 'yes')) return true;
  const toSend = estimate.requests - estimate.cached - estimate.skipped;
  const question = `${study.name}: ${toSend} request(s) to send (about ${estimate.estimatedTokens} tokens; ${estimate.cached} cached), above the study's confirmAbove of ${study.confirmAbove}.`;
  const stdin = io.stdin ?? process.stdin;
  if (!(stdin as { isTTY?: boolean }).isTTY || !io.stderr.isTTY) {
    print(io.stderr, `${question}\nNot run: pass --yes to run it, or narrow it with --model/--country/--lang/--item.`);
    return false;
  }
  const rl = createInterface({ input: stdin, output: io.stderr });
  try {
    const answer = await rl.question(`${question} Run it? [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

export function studyRunChoices(parsed: Parsed): RunChoices {
  const ms = (name: string): number | undefined => {
    const seconds = numberFlag('run', name, str(parsed, name), 0.1, 3600);
    return seconds === undefined ? undefined : Math.round(seconds * 1000);
  };
  const timeoutMs = ms('timeout');
  const firstRequestTimeoutMs = ms('first-timeout');
  return { ...(timeoutMs !== undefined ? { timeoutMs } : {}), ...(firstRequestTimeoutMs !== undefined ? { firstRequestTimeoutMs } : {}) };
}

/** Digest (part of the cache key) of an Ollama model, which must be installed; none for other servers. */
export async function ollamaDigest(model: StudyModel, provider: ModelProvider, signal: AbortSignal): Promise<string | undefined> {
  if (model.provider !== 'ollama') return undefined;
  return (await requireOllamaModel(provider, model.model, signal)).digest;
}

export function studyProbe(model: StudyModel, provider: ModelProvider): LogprobsProbe {
  return (signal, timeoutMs) => probeLogprobs(provider, model.model, signal, { timeoutMs, completion: model.kind === 'base' });
}

export function studyEnvironment(
  parsed: Parsed,
  io: Io,
  signal: AbortSignal,
  parts: {
    providerFor: (model: StudyModel) => ModelProvider;
    cacheDir: string;
    toolVersion: string;
    confirm: StudyRunEnvironment['confirm'];
  },
): StudyRunEnvironment {
  const concurrency = intFlag('run', 'concurrency', str(parsed, 'concurrency'), 1, 64);
  return {
    providerFor: parts.providerFor,
    probeFor: studyProbe,
    digestFor: ollamaDigest,
    cache: new ResultCache(parts.cacheDir),
    cacheDir: parts.cacheDir,
    via: 'cli',
    toolVersion: parts.toolVersion,
    confirm: parts.confirm,
    choices: studyRunChoices(parsed),
    ...(concurrency !== undefined ? { concurrencyPerEndpoint: concurrency } : {}),
    fresh: flag(parsed, 'fresh'),
    signal,
  };
}

/** A corpus that does not exist yet is a clear input error with the way out, not an ENOENT. */
export async function requireCorpus(path: string, study: Study, io: Io): Promise<void> {
  const exists = await import('node:fs').then((fs) =>
    fs.promises.stat(path).then(
      () => true,
      () => false,
    ),
  );
  if (exists) return;
  const name = relative(io.cwd, study.path) || study.path;
  throw new InputError(
    `No results yet at ${relative(io.cwd, path) || path}: score the study first (value-lens run ${name}), or import a table (value-lens import ${name}).`,
  );
}
