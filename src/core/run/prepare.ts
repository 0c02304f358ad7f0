// One way to prepare a run, for the lens, the study command and `value-lens score`: THE defaults (method,
// temperature, samples, timeouts), the method decision (probe verdicts persisted in `<cacheDir>/probes.json`
// for both sides), the model digest in every cache key when it is known, and the plan. Core code: the probe
// and the digest look-up are injected, so nothing here knows about providers or VS Code.

import { promises as fs } from 'node:fs';
import { dirname, join } from 'node:path';
import type { SurveyFile, TemplateFile } from '../language/ast';
import { DEFAULT_LANGUAGE_COUNTRIES } from './settings';
import type { Inspect } from '../security/endpointSettings';
import type { ModelInfo } from '../model';
import type { ScoringMethod } from '../results';
import {
  buildPlan,
  countPlan,
  endpointOrigin,
  iteratePlan,
  SAMPLE_MAX_TOKENS,
  TOP_LOGPROBS,
  type PlanInput,
  type PlanModel,
  type PlannedRequest,
} from './plan';
import { memoPlan, planParamsKey, recordingPlan, writePlanMemo, type PlanMemo, type PlanSkeleton } from './planMemo';
import { DEFAULT_FIRST_REQUEST_TIMEOUT_MS, DEFAULT_TIMEOUT_MS, resolveTimeouts } from './runner';

export { DEFAULT_FIRST_REQUEST_TIMEOUT_MS, DEFAULT_TIMEOUT_MS, SAMPLE_MAX_TOKENS, TOP_LOGPROBS };

/** Answers per request when scoring by sampling. */
export const DEFAULT_SAMPLES = 10;
/** Logprobs read one next-token distribution: temperature 0 (the distribution, not a draw). */
export const LOGPROBS_TEMPERATURE = 0;
/** Sampling draws answers from the model's own distribution: temperature 1. */
export const SAMPLE_TEMPERATURE = 1;
export const DEFAULT_SEED = 0;
/** The probe verdicts' file, inside the response cache folder. */
export const PROBES_FILE = 'probes.json';
/** Listing an Ollama server's models for the digest: a local call, short. */
export const DIGEST_LOOKUP_TIMEOUT_MS = 10_000;

export interface MethodDefaults {
  temperature: number;
  /** Answers per request (1 for logprobs). */
  samples: number;
  maxTokens: number;
  topLogprobs?: number;
}

export function methodDefaults(method: ScoringMethod): MethodDefaults {
  // Continuation log-likelihoods score given text: nothing is generated (max_tokens 0, echo).
  if (method === 'loglik') return { temperature: LOGPROBS_TEMPERATURE, samples: 1, maxTokens: 0 };
  return method === 'logprobs'
    ? { temperature: LOGPROBS_TEMPERATURE, samples: 1, maxTokens: 1, topLogprobs: TOP_LOGPROBS }
    : { temperature: SAMPLE_TEMPERATURE, samples: DEFAULT_SAMPLES, maxTokens: SAMPLE_MAX_TOKENS };
}

/** What a user chose for a run (flags, config file, settings, study file); undefined means THE default. */
export interface RunChoices {
  method?: ScoringMethod | 'auto';
  samples?: number;
  temperature?: number;
  seed?: number;
  /** Per-attempt timeout once the model has answered once. */
  timeoutMs?: number;
  /** Per-attempt allowance until the model has answered once (a local model may be loading); also the probe's. */
  firstRequestTimeoutMs?: number;
}

export interface ResolvedChoices {
  method: ScoringMethod;
  /** 1 for logprobs. */
  samples: number;
  temperature: number;
  seed: number;
  timeoutMs: number;
  firstRequestTimeoutMs: number;
}

/** Choices with the defaults filled in for the method the run uses. */
export function resolveChoices(method: ScoringMethod, choices: RunChoices): ResolvedChoices {
  const defaults = methodDefaults(method);
  // A timeout the user sets bounds every attempt; the loading allowance only when asked for (runner.ts).
  const { timeoutMs, firstRequestTimeoutMs } = resolveTimeouts(choices);
  return {
    method,
    samples: method === 'sample' ? Math.max(1, Math.floor(choices.samples ?? defaults.samples)) : 1,
    temperature: choices.temperature ?? defaults.temperature,
    seed: choices.seed ?? DEFAULT_SEED,
    timeoutMs,
    firstRequestTimeoutMs,
  };
}

/**
 * The editor's `valueLens.*` run settings as choices: only values a user actually set (any scope) count;
 * the package.json defaults are ignored so that THE defaults above apply to the lens as to the CLI.
 */
export function choicesFromSettings(inspect: Inspect): RunChoices {
  const set = (key: string): unknown => {
    const info = inspect(key);
    return info?.workspaceFolderValue ?? info?.workspaceValue ?? info?.globalValue;
  };
  const num = (key: string, min: number, max: number): number | undefined => {
    const value = set(key);
    return typeof value === 'number' && Number.isFinite(value) ? Math.min(max, Math.max(min, value)) : undefined;
  };
  const method = set('method');
  const seconds = (key: string): number | undefined => {
    const s = num(key, 1, 3600);
    return s === undefined ? undefined : s * 1000;
  };
  const samples = num('samples', 1, 1000);
  return {
    ...(method === 'logprobs' || method === 'loglik' || method === 'sample' || method === 'auto' ? { method } : {}),
    ...(samples !== undefined ? { samples: Math.round(samples) } : {}),
    ...(num('temperature', 0, 2) !== undefined ? { temperature: num('temperature', 0, 2) } : {}),
    ...(seconds('timeoutSeconds') !== undefined ? { timeoutMs: seconds('timeoutSeconds') } : {}),
    ...(seconds('firstRequestTimeoutSeconds') !== undefined ? { firstRequestTimeoutMs: seconds('firstRequestTimeoutSeconds') } : {}),
  };
}

/** Whether (endpoint, model) returns first-token logprobs; `timeoutMs` is the first-request allowance. */
export type LogprobsProbe = (signal: AbortSignal, timeoutMs: number) => Promise<boolean>;

export interface ProbeSubject {
  endpoint: string;
  model: string;
  digest?: string;
}

/** `<origin> <model> <digest>`: a re-pulled model (new digest) is probed again. */
export function probeRecordKey(subject: ProbeSubject): string {
  return `${endpointOrigin(subject.endpoint)} ${subject.model} ${subject.digest ?? ''}`;
}

async function readProbes(cacheDir: string): Promise<Record<string, boolean>> {
  try {
    const parsed = JSON.parse(await fs.readFile(join(cacheDir, PROBES_FILE), 'utf8')) as unknown;
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
    return Object.fromEntries(Object.entries(parsed).filter((e): e is [string, boolean] => typeof e[1] === 'boolean'));
  } catch {
    return {}; // no file yet, or damaged: probe again
  }
}

/** The recorded verdict, or undefined when none is (or the file is unreadable). */
export async function readProbeVerdict(cacheDir: string, subject: ProbeSubject): Promise<boolean | undefined> {
  return (await readProbes(cacheDir))[probeRecordKey(subject)];
}

/** Records a verdict (read–merge–write through a temp file and rename, so a reader never sees half a file). */
export async function writeProbeVerdict(cacheDir: string, subject: ProbeSubject, supported: boolean): Promise<void> {
  const file = join(cacheDir, PROBES_FILE);
  const known = await readProbes(cacheDir);
  known[probeRecordKey(subject)] = supported;
  await fs.mkdir(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${Date.now().toString(36)}.tmp`;
  await fs.writeFile(temp, `${JSON.stringify(known, null, 2)}\n`);
  await fs.rename(temp, file);
}

export interface MethodInput extends ProbeSubject {
  choice: ScoringMethod | 'auto' | undefined;
  probe: LogprobsProbe;
  /** Folder of probes.json; undefined: the verdict is neither read nor recorded. */
  cacheDir?: string;
  /** Probe again even when a verdict is recorded (`--fresh`). */
  fresh?: boolean;
  firstRequestTimeoutMs?: number;
  signal?: AbortSignal;
}

export interface MethodDecision {
  method: ScoringMethod;
  /** 'choice': set by the user; 'probe': asked the server now; 'recorded': the verdict in probes.json. */
  from: 'choice' | 'probe' | 'recorded';
}

/** 'auto' → logprobs when the server returns them, else sample; the verdict is read from / written to probes.json. */
export async function resolveMethod(input: MethodInput): Promise<MethodDecision> {
  if (input.choice === 'logprobs' || input.choice === 'sample' || input.choice === 'loglik')
    return { method: input.choice, from: 'choice' };
  if (input.cacheDir && !input.fresh) {
    const known = await readProbeVerdict(input.cacheDir, input).catch(() => undefined);
    if (known !== undefined) return { method: known ? 'logprobs' : 'sample', from: 'recorded' };
  }
  const allowance = input.firstRequestTimeoutMs ?? DEFAULT_FIRST_REQUEST_TIMEOUT_MS;
  const timeout = AbortSignal.timeout(allowance);
  const signal = input.signal ? AbortSignal.any([input.signal, timeout]) : timeout;
  const supported = await input.probe(signal, allowance);
  // A verdict that cannot be recorded costs one probe next time, not the run.
  if (input.cacheDir) await writeProbeVerdict(input.cacheDir, input, supported).catch(() => undefined);
  return { method: supported ? 'logprobs' : 'sample', from: 'probe' };
}

/** The installed model `name` (Ollama treats `name` and `name:latest` alike). */
export function findInstalledModel(models: ModelInfo[], name: string): ModelInfo | undefined {
  const canonical = (n: string): string => (n.includes(':') ? n : `${n}:latest`);
  return models.find((m) => canonical(m.name) === canonical(name));
}

export interface PrepareInput {
  /** Read only when the plan is built: a remembered plan (`memo`) leaves them unread (a getter may parse). */
  survey: SurveyFile;
  templates: TemplateFile;
  template: string;
  itemIds?: string[];
  languages?: string[];
  paraphrases: 'none' | 'all' | number[];
  optionOrder?: 'original' | 'reversed';
  /** Prompt language → countries; the first fills `{country}`. Default DEFAULT_LANGUAGE_COUNTRIES (both sides). */
  languageCountries?: Record<string, string[]>;
  /** Study name on every record (the implicit study of an items file is named after the file). */
  study?: string;
  model: PlanModel;
  choices: RunChoices;
  probe: LogprobsProbe;
  /** Looks the digest up when `model.digest` is not given; a failed look-up leaves it unknown. */
  resolveDigest?: (signal: AbortSignal) => Promise<string | undefined>;
  /** Response cache folder (probes.json lives there); undefined: verdicts are not persisted. */
  cacheDir?: string;
  fresh?: boolean;
  signal?: AbortSignal;
  /** A plan remembered for these inputs (core/run/planMemo.ts): used instead of planning when it matches. */
  memo?: MemoUse;
}

export interface MemoUse {
  /** Where the memo of these inputs lives (planMemo.memoPath). */
  file: string;
  /** The memo read from `file`, if any (readPlanMemo). */
  known?: PlanMemo;
  /** Whether the remembered requests may stand in for the plan (say, every answer is in the cache). */
  accept(requests: readonly PlanSkeleton[]): Promise<boolean>;
}

export interface PreparedRun {
  /** The whole plan as an array (built on first access; `requests` and `planned` avoid building it). */
  readonly plan: PlannedRequest[];
  /** The plan as a stream for runPlan: each request is planned when the runner pulls it. */
  requests: Iterable<PlannedRequest>;
  /** The plan's length, from the factor sizes (nothing rendered). */
  planned: number;
  method: ScoringMethod;
  methodFrom: MethodDecision['from'];
  choices: ResolvedChoices;
  digest?: string;
  /** Spread into runPlan's options, so both sides use the same timeouts. */
  runOptions: { timeoutMs: number; firstRequestTimeoutMs: number };
  /** The requests come from the memo (nothing was parsed or rendered for them). */
  fromMemo: boolean;
  /** After the run: writes the memo when the whole plan was pulled and the memo did not have it (else a no-op). */
  remember(): Promise<void>;
}

/** Digest, method, defaults and plan for one model: the same for the lens and the CLI given the same choices. */
export async function prepareRun(input: PrepareInput): Promise<PreparedRun> {
  let digest = input.model.digest;
  if (digest === undefined && input.resolveDigest) {
    const timeout = AbortSignal.timeout(DIGEST_LOOKUP_TIMEOUT_MS);
    digest = await input.resolveDigest(input.signal ? AbortSignal.any([input.signal, timeout]) : timeout).catch(() => undefined);
  }
  const firstRequestTimeoutMs = resolveChoices('logprobs', input.choices).firstRequestTimeoutMs;
  const decision = await resolveMethod({
    choice: input.choices.method,
    endpoint: input.model.endpoint,
    model: input.model.model,
    digest,
    probe: input.probe,
    cacheDir: input.cacheDir,
    fresh: input.fresh,
    firstRequestTimeoutMs,
    signal: input.signal,
  });
  const choices = resolveChoices(decision.method, input.choices);
  const params: Omit<PlanInput, 'survey' | 'templates'> = {
    itemIds: input.itemIds,
    languages: input.languages,
    template: input.template,
    paraphrases: input.paraphrases,
    models: [{ ...input.model, ...(digest ? { digest } : {}) }],
    method: decision.method,
    samples: choices.samples,
    temperature: choices.temperature,
    seed: choices.seed,
    optionOrder: input.optionOrder,
    languageCountries: input.languageCountries ?? DEFAULT_LANGUAGE_COUNTRIES,
    study: input.study,
  };
  // The parsed files are read only here, when a plan is built or counted.
  let planInput: PlanInput | undefined;
  const inputOf = (): PlanInput => (planInput ??= { survey: input.survey, templates: input.templates, ...params });
  let built: PlannedRequest[] | undefined;
  const buildAll = (): PlannedRequest[] => (built ??= buildPlan(inputOf()));
  // An object literal (not a spread): `plan` stays a getter that builds only when asked.
  const prepared = (
    requests: Iterable<PlannedRequest>,
    planned: number,
    fromMemo: boolean,
    remember: () => Promise<void>,
  ): PreparedRun => ({
    get plan() {
      return buildAll();
    },
    requests,
    planned,
    method: decision.method,
    methodFrom: decision.from,
    choices,
    ...(digest ? { digest } : {}),
    runOptions: { timeoutMs: choices.timeoutMs, firstRequestTimeoutMs: choices.firstRequestTimeoutMs },
    fromMemo,
    remember,
  });
  const memo = input.memo;
  const paramsKey = memo ? planParamsKey(params) : '';
  const known = memo?.known?.params === paramsKey && memo.known.template === input.template ? memo.known : undefined;
  if (known && !input.fresh && (await memo!.accept(known.requests))) {
    return prepared(memoPlan(known.requests, buildAll), known.requests.length, true, async () => undefined);
  }
  const stream: Iterable<PlannedRequest> = { [Symbol.iterator]: () => (built ? built[Symbol.iterator]() : iteratePlan(inputOf())) };
  const planned = countPlan(inputOf());
  // Remembered when there is no memo of these parameters yet (a fresh run replaces none that matches).
  const recording = memo && !known ? recordingPlan(stream, planned) : undefined;
  return prepared(recording?.requests ?? stream, planned, false, async () => {
    const requests = recording?.complete();
    if (memo && requests) await writePlanMemo(memo.file, { params: paramsKey, template: input.template, requests });
  });
}

/** The implicit study of an items file: its base name without extension ("wvs7-sample" for wvs7-sample.wvs). */
export function implicitStudyName(path: string): string {
  const base = path.split(/[\\/]/).pop() ?? path;
  return base.replace(/\.[^.]+$/, '') || base;
}
