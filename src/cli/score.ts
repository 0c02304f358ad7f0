// `value-lens score`: build a run plan from flags, run it with the extension's providers, scheduler and
// cache, and write one JSONL record per planned request (to --out or stdout). Exit 1 if any failed.

import { createHash } from 'node:crypto';
import { constants as fsConstants, promises as fs, readFileSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { SurveyFile, TemplateFile } from '../core/language/ast';
import { redactingLogger, redactSecrets, type Logger } from '../core/log';
import type { ProviderId } from '../core/model';
import type { RunRecord, ScoringMethod } from '../core/results';
import { ResultCache } from '../core/run/cache';
import { DEFAULT_SAMPLES, implicitStudyName, prepareRun, type RunChoices } from '../core/run/prepare';
import { runPlan, type RunSummary } from '../core/run/runner';
import { ResultsStore } from '../core/run/store';
import { lockFile, LockedError, type FileLock } from '../core/run/lock';
import { allCached, memoPath, readPlanMemo, type PlanMemo } from '../core/run/planMemo';
import type { PlannedRequest } from '../core/run/plan';
import { visible } from '../core/text';
import { probeLogprobs } from '../providers/probe';
import { ProviderError } from '../core/model';
import { choiceFlag, flag, intFlag, listFlag, numberFlag, parseFlags, str, strs, type OptionSpec, type Parsed } from './args';
import { checkKeyDestination, DEFAULT_OLLAMA_MODEL, endpointSource, loadConfig, resolveEndpoint, type FileConfig } from './config';
import { surveyFromText, templatesFromText } from './diagnostics';
import { EXIT_FINDINGS, EXIT_OK, InputError, UsageError } from './errors';
import { print, readInputFile, refuseInputAsOutput, type Io } from './io';
import { progressLine } from './progress';
import { providerFactory, requireOllamaModel, unreachableHelp } from './providers';

export const SCORE_HELP = `Usage: value-lens score ITEMS.wvs --template T.wvt [options]

Scores every item × language (× paraphrase) against one model and writes one JSON line per
planned request: a result or a failure. Progress goes to stderr when it is a terminal.

Options:
  --template FILE        .wvt file with the prompt templates (required)
  --template-name NAME   template to use (default: the first in the file)
  --item ID,...          only these items (default: all)
  --lang da,nl,en,pt     only these languages (default: the survey's languages)
  --paraphrases          also score every paraphrase of the template
  --provider P           ollama (default) or openai (any OpenAI-compatible server)
  --model M              model name (default for ollama: ${DEFAULT_OLLAMA_MODEL}; required for openai)
  --endpoint URL         server URL (default: OLLAMA_HOST or http://127.0.0.1:11434;
                         for openai: OPENAI_BASE_URL or https://api.openai.com/v1)
  --method M             logprobs, loglik, sample or auto (default auto: logprobs when the server returns
                         them); loglik scores every option label as a continuation of a base model's
                         prompt (openai provider on a server that echoes prompt logprobs, such as vLLM)
  --kind K               chat or base: a base model gets the plain prompt on /v1/completions
                         (default chat; base with --method loglik, which needs a base model)
  --samples N            answers per request with --method sample (default 10)
  --temperature T        sampling temperature (default 0 for logprobs, 1 for sample)
  --seed N               seed sent with every request (default 0)
  --concurrency C        requests in flight per endpoint (default: 2 for ollama, 4 for openai)
  --timeout S            seconds per attempt, every attempt (default 60)
  --first-timeout S      seconds allowed for the first answer of a model, which may be loading
                         (also bounds the logprobs check; default 180, or --timeout when only it is set)
  --fresh                ignore cached answers (new answers still go to the cache)
  --cache-dir DIR        response cache (default: $XDG_CACHE_HOME/value-lens or ~/.cache/value-lens)
  --out FILE             write results JSONL here (default: stdout); an existing file is replaced
  --append               add to an existing --out file instead of replacing it
  --config FILE          settings file (default: ./value-lens.json or ./.valuelensrc.json if present)
  --trust-endpoint       send OPENAI_API_KEY to the endpoint even though only the config file names it
  --verbose              log requests and retries to stderr
  -h, --help             show this help

The API key for openai comes from the OPENAI_API_KEY environment variable, never from a flag. It is not
sent to an endpoint that only a config file names unless you confirm it (--trust-endpoint,
VALUE_LENS_TRUST_ENDPOINT=ORIGIN, or "trustedEndpoints" in ~/.config/value-lens/config.json): exit 2.
Exit codes: 0 every request scored, 1 some failed or input has errors, 2 bad usage.`;

export const SCORE_OPTIONS: OptionSpec = {
  template: { type: 'string' },
  'template-name': { type: 'string' },
  item: { type: 'string', multiple: true },
  lang: { type: 'string', multiple: true },
  paraphrases: { type: 'boolean' },
  provider: { type: 'string' },
  model: { type: 'string' },
  endpoint: { type: 'string' },
  method: { type: 'string' },
  kind: { type: 'string' },
  samples: { type: 'string' },
  temperature: { type: 'string' },
  seed: { type: 'string' },
  concurrency: { type: 'string' },
  timeout: { type: 'string' },
  'first-timeout': { type: 'string' },
  fresh: { type: 'boolean' },
  'cache-dir': { type: 'string' },
  out: { type: 'string' },
  append: { type: 'boolean' },
  config: { type: 'string' },
  'trust-endpoint': { type: 'boolean' },
  verbose: { type: 'boolean' },
};

/** Everything a scoring run needs, resolved from flags, environment and config file. */
export interface ScoreSettings {
  itemsPath: string;
  templatePath: string;
  templateName?: string;
  itemIds?: string[];
  languages?: string[];
  paraphrases: boolean;
  provider: ProviderId;
  model: string;
  endpoint: string;
  method: ScoringMethod | 'auto';
  /** 'base': the plain prompt on /v1/completions (or Ollama raw); method loglik needs it. */
  kind: 'chat' | 'base';
  samples: number;
  temperature?: number;
  seed: number;
  concurrency?: number;
  timeoutMs?: number;
  /** The model-loading allowance (`--first-timeout`); see resolveTimeouts in core/run/runner.ts. */
  firstRequestTimeoutMs?: number;
  fresh: boolean;
  cacheDir: string;
  /** Absolute path, or undefined for stdout. */
  out?: string;
  /** The settings file read, if any (an input that --out must not overwrite). */
  configPath?: string;
  append: boolean;
  verbose: boolean;
}

export interface ScoreOutcome {
  summary: RunSummary;
  planned: number;
  results: number;
  failures: number;
  cached: number;
  method: ScoringMethod;
}

export async function runScore(argv: string[], io: Io, signal: AbortSignal): Promise<number> {
  const parsed = parseFlags('score', argv, SCORE_OPTIONS);
  if (flag(parsed, 'help')) {
    print(io.stdout, SCORE_HELP);
    return EXIT_OK;
  }
  if (parsed.positionals.length !== 1) {
    throw new UsageError('score needs exactly one items file (.wvs).', 'score');
  }
  const { config, path: configPath } = await loadConfig(str(parsed, 'config'), io.cwd);
  const settings = resolveScoreSettings(parsed, config, io, configPath);
  const outcome = await executeScore(settings, io, signal);
  return outcome.failures > 0 || outcome.summary.cancelled ? EXIT_FINDINGS : EXIT_OK;
}

export function defaultCacheDir(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
  return join(base, 'value-lens');
}

export function resolveScoreSettings(parsed: Parsed, config: FileConfig, io: Io, configPath?: string): ScoreSettings {
  const c = 'score';
  const fromConfig = (p: string | undefined): string | undefined =>
    p === undefined ? undefined : resolve(configPath ? resolve(configPath, '..') : io.cwd, p);
  const provider = choiceFlag(c, 'provider', str(parsed, 'provider') ?? config.provider, ['ollama', 'openai'] as const) ?? 'ollama';
  const model = str(parsed, 'model') ?? config.model ?? (provider === 'ollama' ? DEFAULT_OLLAMA_MODEL : undefined);
  if (!model) throw new UsageError('--model is required with --provider openai (e.g. --model gpt-4o-mini).', c);
  const templateFlag = str(parsed, 'template');
  const templatePath = templateFlag !== undefined ? resolve(io.cwd, templateFlag) : fromConfig(config.template);
  if (!templatePath) throw new UsageError('score needs --template FILE.wvt.', c);
  const languages = listFlag(strs(parsed, 'lang')) ?? config.languages;
  for (const language of languages ?? []) {
    if (!/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/.test(language)) {
      throw new UsageError(`--lang: "${language}" is not a language code (use ISO 639-1 codes such as da,nl,en,pt).`, c);
    }
  }
  const itemIds = listFlag(strs(parsed, 'item'));
  if (itemIds && !itemIds.length) throw new UsageError('--item needs at least one item id.', c);
  const method =
    choiceFlag(c, 'method', str(parsed, 'method') ?? config.method, ['logprobs', 'loglik', 'sample', 'auto'] as const) ?? 'auto';
  const kind = choiceFlag(c, 'kind', str(parsed, 'kind'), ['chat', 'base'] as const) ?? (method === 'loglik' ? 'base' : 'chat');
  if (method === 'loglik') checkLoglikServable(provider, kind, model);
  const fromNumber = (n: number | undefined): string | undefined => (n === undefined ? undefined : String(n));
  const timeout = numberFlag(c, 'timeout', str(parsed, 'timeout') ?? fromNumber(config.timeout), 0.1, 3600);
  const firstTimeout = numberFlag(c, 'first-timeout', str(parsed, 'first-timeout') ?? fromNumber(config.firstTimeout), 0.1, 3600);
  const out = str(parsed, 'out');
  if (flag(parsed, 'append') && out === undefined) throw new UsageError('--append needs --out FILE.', c);
  const cacheDir = str(parsed, 'cache-dir');
  const endpoint = resolveEndpoint(provider, str(parsed, 'endpoint'), io.env, config);
  // Before anything is sent: a cloned repository's config must not direct the user's key to its server.
  checkKeyDestination({
    provider,
    endpoint,
    source: endpointSource(provider, str(parsed, 'endpoint'), io.env, config),
    trustFlag: flag(parsed, 'trust-endpoint'),
    env: io.env,
    configPath,
  });
  return {
    itemsPath: resolve(io.cwd, parsed.positionals[0]),
    templatePath,
    templateName: str(parsed, 'template-name') ?? config.templateName,
    itemIds,
    languages,
    paraphrases: flag(parsed, 'paraphrases'),
    provider,
    model,
    endpoint,
    method,
    kind,
    samples: intFlag(c, 'samples', str(parsed, 'samples') ?? fromNumber(config.samples), 1, 1000) ?? DEFAULT_SAMPLES,
    temperature: numberFlag(c, 'temperature', str(parsed, 'temperature') ?? fromNumber(config.temperature), 0, 2),
    seed: intFlag(c, 'seed', str(parsed, 'seed') ?? fromNumber(config.seed), 0, 2 ** 31 - 1) ?? 0,
    concurrency: intFlag(c, 'concurrency', str(parsed, 'concurrency') ?? fromNumber(config.concurrency), 1, 64),
    timeoutMs: timeout === undefined ? undefined : Math.round(timeout * 1000),
    firstRequestTimeoutMs: firstTimeout === undefined ? undefined : Math.round(firstTimeout * 1000),
    fresh: flag(parsed, 'fresh'),
    cacheDir: cacheDir !== undefined ? resolve(io.cwd, cacheDir) : (fromConfig(config.cacheDir) ?? defaultCacheDir(io.env)),
    out: out === undefined ? undefined : resolve(io.cwd, out),
    ...(configPath ? { configPath } : {}),
    append: flag(parsed, 'append'),
    verbose: flag(parsed, 'verbose'),
  };
}

/**
 * Method loglik scores given text (docs/methods.md): it needs a base model's plain prompt on an
 * OpenAI-compatible /v1/completions that echoes prompt logprobs. Anything else is a usage error before any
 * request, rather than one skipped record per item. OpenAI's own /v1/completions serves only its legacy
 * completion models (gpt-3.5-turbo-instruct, davinci-002, babbage-002): its other model families are chat.
 */
function checkLoglikServable(provider: ProviderId, kind: 'chat' | 'base', model: string): void {
  if (provider === 'ollama') {
    throw new UsageError(
      '--method loglik needs an OpenAI-compatible /v1/completions that echoes prompt logprobs (vLLM); Ollama returns logprobs of generated tokens only and cannot score given text. Use --method logprobs, or --provider openai with a vLLM endpoint.',
      'score',
    );
  }
  if (kind === 'chat') {
    throw new UsageError(
      "--method loglik scores a base model's continuation of a plain prompt; a chat model (--kind chat) cannot be scored that way. Use --method logprobs, or --kind base for a base model.",
      'score',
    );
  }
  if (/^(gpt-(4|5)|gpt-3\.5-turbo(?!-instruct)|chatgpt-|o\d)/i.test(model)) {
    throw new UsageError(
      `--method loglik needs a base model; "${model}" is an OpenAI chat model, which /v1/completions does not serve. Use --method logprobs.`,
      'score',
    );
  }
}

/** Checks names given on the command line against the parsed files, so typos fail before any request. */
export function validateSelection(settings: ScoreSettings, survey: SurveyFile, templates: TemplateFile): string {
  if (!templates.templates.length) throw new InputError(`${settings.templatePath} defines no template.`);
  const templateName = settings.templateName ?? templates.templates[0].name;
  if (!templates.templates.some((t) => t.name === templateName)) {
    throw new UsageError(
      `--template-name: no template "${templateName}" in ${settings.templatePath} (it has ${templates.templates.map((t) => t.name).join(', ')}).`,
      'score',
    );
  }
  if (!survey.items.length) throw new InputError(`${settings.itemsPath} defines no item.`);
  const known = new Set(survey.items.map((i) => i.id));
  const unknown = (settings.itemIds ?? []).filter((id) => !known.has(id));
  if (unknown.length) {
    throw new UsageError(`--item: no item ${unknown.map((u) => `"${u}"`).join(', ')} in ${settings.itemsPath}.`, 'score');
  }
  checkLanguages(settings.languages, survey, settings.itemsPath, 'score', settings.itemIds);
  return templateName;
}

/** The languages the (selected) items have wording in, header order first. */
export function surveyLanguagesOf(survey: SurveyFile, itemIds?: string[]): string[] {
  const wanted = itemIds ? new Set(itemIds) : undefined;
  const present = new Set(survey.items.filter((i) => !wanted || wanted.has(i.id)).flatMap((i) => Object.keys(i.texts)));
  const declared = survey.header.languages.map((l) => l.value).filter((l) => present.has(l));
  return [...declared, ...[...present].filter((l) => !declared.includes(l)).sort()];
}

/**
 * A --lang no selected item has wording in is a typo or a wrong file: a usage error naming the languages
 * there are, not one failure record per item (issue 19). A language only some items lack stays a planned
 * failure of those items.
 */
export function checkLanguages(
  languages: string[] | undefined,
  survey: SurveyFile,
  itemsPath: string,
  command: string,
  itemIds?: string[],
): void {
  if (!languages?.length) return;
  const available = surveyLanguagesOf(survey, itemIds);
  const absent = languages.filter((l) => !available.includes(l));
  if (absent.length) {
    throw new UsageError(
      `--lang: no item in ${itemsPath} has wording in ${absent.map((l) => `"${l}"`).join(', ')}; its languages are ${available.join(', ') || '(none)'}.`,
      command,
    );
  }
}

export function stderrLogger(io: Io, verbose: boolean): Logger {
  const write =
    (level: string) =>
    (message: string, ...args: unknown[]): void => {
      const extra = args.length ? ` ${args.map((a) => (typeof a === 'string' ? a : safeJson(a))).join(' ')}` : '';
      io.stderr.write(`value-lens: ${level}: ${visible(`${message}${extra}`)}\n`);
    };
  const quiet = (): void => undefined;
  // Redaction is the last line of defence: providers must not log keys in the first place.
  return redactingLogger({
    trace: verbose ? write('trace') : quiet,
    debug: verbose ? write('debug') : quiet,
    info: verbose ? write('info') : quiet,
    warn: write('warning'),
    error: write('error'),
  });
}

function safeJson(value: unknown): string {
  try {
    return redactSecrets(JSON.stringify(value) ?? String(value));
  } catch {
    return String(value);
  }
}

/** The user's choices for prepareRun: flags and config file only; everything unset takes THE defaults. */
export function scoreChoices(settings: ScoreSettings): RunChoices {
  return {
    method: settings.method,
    samples: settings.samples,
    seed: settings.seed,
    ...(settings.temperature !== undefined ? { temperature: settings.temperature } : {}),
    ...(settings.timeoutMs !== undefined ? { timeoutMs: settings.timeoutMs } : {}),
    ...(settings.firstRequestTimeoutMs !== undefined ? { firstRequestTimeoutMs: settings.firstRequestTimeoutMs } : {}),
  };
}

/** Runs a scoring job end to end; shared by `score` and `demo`. */
export async function executeScore(settings: ScoreSettings, io: Io, signal: AbortSignal): Promise<ScoreOutcome> {
  // The --out checks and its lock (file operations, each a thread-pool round trip) go on while the inputs
  // are read and parsed; nothing is written but the lock until both are done. An input's error still
  // comes first, as it did when the two ran one after the other.
  const claimed = claimOut(settings).then(
    (lock) => ({ lock }),
    (error: unknown) => ({ error }),
  );
  let inputs: ScoreInputs;
  try {
    inputs = await loadScoreInputs(settings, io);
  } catch (error) {
    const claim = await claimed;
    if ('lock' in claim) await claim.lock?.release();
    throw error;
  }
  const claim = await claimed;
  if ('error' in claim) throw claim.error;
  try {
    return await scoreLocked(settings, inputs, io, signal);
  } finally {
    await claim.lock?.release();
  }
}

/** Before any request (the probe included): the --out file must be ours alone and writable. */
async function claimOut(settings: ScoreSettings): Promise<FileLock | undefined> {
  const out = settings.out;
  if (!out) return undefined;
  const directory = fs.stat(out).then(
    (st) => st.isDirectory(),
    () => false,
  );
  const notAnInput = refuseInputAsOutput(out, [settings.itemsPath, settings.templatePath, settings.configPath], '--out', 'score');
  // Both at once; a directory is the first thing to say, as when they ran one after the other.
  notAnInput.catch(() => undefined);
  if (await directory) throw new UsageError(`--out ${out} is a directory; name a file such as results.jsonl.`, 'score');
  await notAnInput;
  return takeOutLock(out);
}

/** The parsed inputs (parsed when first read), the template name, and the plan memo of these inputs. */
interface ScoreInputs {
  survey: SurveyFile;
  templates: TemplateFile;
  templateName: string;
  memo?: { file: string; known?: PlanMemo };
  /** A memo file that was there but torn or damaged, so not used (logged with --verbose). */
  ignored?: string;
}

/**
 * Reads the input files and, unless a plan memo of exactly these bytes and this selection exists (it was
 * written only after they parsed without errors and passed validateSelection), parses and checks them now.
 * With a memo they are parsed only if the plan is needed after all (core/run/planMemo.ts).
 */
async function loadScoreInputs(settings: ScoreSettings, io: Io): Promise<ScoreInputs> {
  const itemsText = await readInputFile(settings.itemsPath, 'Items file');
  const templateText = await readInputFile(settings.templatePath, 'Template file');
  const code = planCode();
  const file = code
    ? memoPath(settings.cacheDir, {
        code,
        texts: [itemsText, templateText],
        selection: {
          command: 'score',
          templateName: settings.templateName,
          itemIds: settings.itemIds,
          languages: settings.languages,
          paraphrases: settings.paraphrases,
        },
      })
    : undefined;
  let ignored: string | undefined;
  const known = file ? await readPlanMemo(file, (reason) => (ignored = reason)) : undefined;
  if (known) {
    let survey: SurveyFile | undefined;
    let templates: TemplateFile | undefined;
    return {
      get survey() {
        return (survey ??= surveyFromText(itemsText, settings.itemsPath, io.stderr));
      },
      get templates() {
        return (templates ??= templatesFromText(templateText, settings.templatePath, io.stderr));
      },
      templateName: known.template,
      memo: { file: file!, known },
    };
  }
  const survey = surveyFromText(itemsText, settings.itemsPath, io.stderr);
  const templates = templatesFromText(templateText, settings.templatePath, io.stderr);
  const templateName = validateSelection(settings, survey, templates);
  return {
    survey,
    templates,
    templateName,
    ...(file ? { memo: { file } } : {}),
    ...(ignored ? { ignored: `plan memo ${file} ignored: ${ignored}` } : {}),
  };
}

let codeIdentity: string | null | undefined;

/**
 * Identity of the code that parses and plans, for plan memos: the CLI bundle's own bytes (any change to
 * parsing, rendering or keys is another bundle) and the runtime's versions (country names come from its
 * ICU). Run from source (tsx) there is no one file that holds that code: no memos.
 */
export function planCode(): string | undefined {
  if (codeIdentity === undefined) {
    codeIdentity = null;
    if (typeof __filename === 'string' && __filename.endsWith('.js')) {
      try {
        const hash = createHash('sha256').update(readFileSync(__filename)).digest('hex');
        codeIdentity = `${hash} node ${process.versions.node} icu ${process.versions.icu ?? '-'} unicode ${process.versions.unicode ?? '-'}`;
      } catch {
        codeIdentity = null;
      }
    }
  }
  return codeIdentity ?? undefined;
}

async function takeOutLock(out: string): Promise<FileLock> {
  try {
    await fs.mkdir(resolve(out, '..'), { recursive: true });
    const lock = await lockFile(out);
    // The lock proves the directory takes new files; an existing --out must also be writable.
    const writable = await fs.access(out, fsConstants.W_OK).then(
      () => true,
      (error: NodeJS.ErrnoException) => error.code === 'ENOENT',
    );
    if (!writable) {
      await lock.release();
      throw new InputError(`Cannot write --out ${out}: the file is not writable. Nothing was sent.`);
    }
    return lock;
  } catch (error) {
    if (error instanceof LockedError) throw new InputError(error.message);
    if (error instanceof InputError) throw error;
    throw new InputError(`Cannot write --out ${out}: ${(error as Error).message}. Nothing was sent.`);
  }
}

async function scoreLocked(settings: ScoreSettings, inputs: ScoreInputs, io: Io, signal: AbortSignal): Promise<ScoreOutcome> {
  const logger = stderrLogger(io, settings.verbose);
  const providers = providerFactory(io.env);
  const provider = providers(settings.provider, settings.endpoint);

  // Ollama: the model must be installed, and its digest goes into the cache key (a re-pull is a new model).
  let digest: string | undefined;
  if (settings.provider === 'ollama') {
    const found = await requireOllamaModel(provider, settings.model, signal);
    digest = found.digest;
  }

  const cache = new ResultCache(settings.cacheDir);
  // The same preparation as the lens (src/core/run/prepare.ts): defaults, probe verdict, digest in the key.
  const prepared = await prepareRun({
    // Getters: with a memo the files are parsed only if the plan is built.
    get survey() {
      return inputs.survey;
    },
    get templates() {
      return inputs.templates;
    },
    template: inputs.templateName,
    itemIds: settings.itemIds,
    languages: settings.languages,
    paraphrases: settings.paraphrases ? 'all' : 'none',
    study: implicitStudyName(settings.itemsPath),
    model: { provider: settings.provider, endpoint: settings.endpoint, model: settings.model, digest, kind: settings.kind },
    choices: scoreChoices(settings),
    probe: (probeSignal, timeoutMs) =>
      probeLogprobs(provider, settings.model, probeSignal, { timeoutMs, completion: settings.kind === 'base' }).catch((error: unknown) =>
        Promise.reject(probeFailure(error, settings)),
      ),
    cacheDir: settings.cacheDir,
    fresh: settings.fresh,
    signal,
    // A remembered plan stands in only when every answer it names is cached: a re-run then renders nothing.
    ...(inputs.memo ? { memo: { ...inputs.memo, accept: (requests) => allCached(cache, requests) } } : {}),
  });
  // The plan is streamed: the first request goes out while the rest are still being rendered and keyed.
  const { requests, planned, method } = prepared;
  if (inputs.ignored) logger.info(inputs.ignored);
  if (prepared.fromMemo) logger.info(`plan of ${planned} request(s) remembered from an earlier run of these inputs (every answer cached)`);
  if (prepared.methodFrom !== 'choice')
    logger.info(`method auto → ${method}${prepared.methodFrom === 'recorded' ? ' (recorded probe)' : ''}`);
  if (!planned) throw new InputError('Nothing to score: the selection of items and languages is empty.');

  let store: ResultsStore | undefined;
  if (settings.out) {
    // The lock is ours (executeScore) and its folder exists (takeOutLock). Synchronous, as the store opens
    // its file: microseconds on a local disk, where an asynchronous rm is a thread-pool round trip.
    if (!settings.append) rmSync(settings.out, { force: true });
    store = new ResultsStore(settings.out);
    await store
      .ready()
      .catch((error: Error) => Promise.reject(new InputError(`Cannot write --out ${settings.out}: ${error.message}. Nothing was sent.`)));
  }
  // A memo is a shortcut for the next run; failing to write one costs that run its planning, nothing else.
  let memoWrite: Promise<void> | undefined;
  const remember = (): Promise<void> =>
    (memoWrite ??= prepared.remember().catch((error: Error) => logger.debug(`plan memo not written: ${error.message}`)));
  // Written once the whole plan is pulled (all a memo needs), while the requests are in flight, instead of
  // after the last answer.
  const pulled: Iterable<PlannedRequest> = {
    *[Symbol.iterator]() {
      yield* requests;
      void remember();
    },
  };
  const progress = io.stderr.isTTY === true ? progressLine((text) => io.stderr.write(text)) : undefined;
  const running = runPlan(pulled, {
    total: planned,
    providers,
    cache,
    store,
    concurrencyPerEndpoint: settings.concurrency,
    ...prepared.runOptions,
    fresh: settings.fresh,
    signal,
    logger,
    // JSON already escapes C0 controls; visible() also escapes C1 and bidi ones, and keeps the JSON valid.
    onRecord: store ? undefined : (record: RunRecord) => io.stdout.write(`${visible(JSON.stringify(record))}\n`),
    onProgress: progress ? (p) => progress.update(p) : undefined,
  });
  // Temp files a killed run of the older cache layout left behind (older than 10 min, so a concurrent run's
  // are safe): looked for once the first request is out, not before it.
  const swept = cache.removeStaleTemps().catch(() => 0);
  const summary = await running;
  await Promise.all([store?.close(), remember(), swept]);
  progress?.end();

  const failures = summary.records.filter((r) => r.kind === 'failure');
  const cached = summary.records.filter((r) => r.kind === 'result' && r.cached).length;
  for (const failure of failures.slice(0, 10)) {
    if (failure.kind !== 'failure') continue;
    const where = `${failure.itemId} [${failure.language}${failure.paraphrase === null ? '' : ` paraphrase ${failure.paraphrase}`}]`;
    const status = failure.error.status ? ` (HTTP ${failure.error.status})` : '';
    print(io.stderr, redactSecrets(`failed: ${where}: ${failure.error.kind}${status}: ${failure.error.message}`));
  }
  if (failures.length > 10) print(io.stderr, `… and ${failures.length - 10} more failure(s).`);
  const results = summary.records.length - failures.length;
  print(
    io.stderr,
    `${summary.cancelled ? 'Cancelled: ' : ''}${summary.records.length} planned, ${results} scored (${cached} from cache), ` +
      `${failures.length} failed, ${summary.requestsSent} request(s) sent; method ${method}, model ${settings.model}` +
      (settings.out ? `.\nResults: ${settings.out}` : '.'),
  );
  return { summary, planned: summary.records.length, results, failures: failures.length, cached, method };
}

/** A failed probe is the first contact with the server: turn it into advice rather than a stack trace. */
function probeFailure(error: unknown, settings: ScoreSettings): Error {
  if (!(error instanceof ProviderError)) return error instanceof Error ? error : new Error(String(error));
  if (error.kind === 'network' || error.kind === 'timeout') {
    return new InputError(unreachableHelp(settings.provider, settings.endpoint, settings.model));
  }
  if (error.kind === 'aborted') return new InputError('Cancelled before the first request finished.');
  if (error.status === 401 || error.status === 403) {
    return new InputError(
      `The server at ${settings.endpoint} refused the request (HTTP ${error.status}). ` +
        (settings.provider === 'openai' ? 'Check the OPENAI_API_KEY environment variable.' : 'Check the endpoint.'),
    );
  }
  if (error.status === 404) {
    return new InputError(`The server at ${settings.endpoint} answered 404 for model "${settings.model}": check --model and --endpoint.`);
  }
  const status = error.status ? ` (HTTP ${error.status})` : '';
  return new InputError(
    `Asking ${settings.endpoint} whether it returns logprobs failed${status}: ${redactSecrets(error.message)}. Use --method logprobs or sample to skip the check.`,
  );
}
