// A run plan: every request a run will make, decided up front, each with its rendered prompt, its cache key
// and every factor of its condition (study, item, language, country cue, template, paraphrase, named option
// order, model entry, round). Inputs that cannot give a faithful prompt become planned failures, so that
// results + failures always add up to the plan's length.
//
// Two entry points share one per-request builder (`planRequest`): `buildPlan` (one survey, one template, the
// lens and `value-lens score`) and the study planner (src/core/study/plan.ts).

import type { SurveyFile, TemplateFile, Item, Template } from '../language/ast';
import { findSlots, itemHash } from '../language/index';
import { isPlaceholder, placeholderLabels } from '../language/placeholders';
import type { ChatMessage, ProviderId } from '../model';
import type { RequestIdentity, ScoringMethod } from '../results';
import type { OptionOrderSpec as StudyOrderSpec, OrderId } from '../study/types';
import { expandOrders, type NamedOrder, type OptionOrderSpec } from '../prompt/order';
import { toPlainPrompt } from '../prompt/plain';
import { renderPrompt, type OptionLabel, type RenderedPrompt } from '../prompt/render';
import { cacheKey, endpointOrigin, type RequestParams } from './key';
import { JUDGE_MAX_TOKENS, JUDGE_SCHEMA_NAME, JUDGE_TEMPERATURE, type StanceStatements } from '../scoring/judge';

export { endpointOrigin, type RequestParams } from './key';

/** Max output tokens per sample: enough for "3" or "B. Agree", short enough to be cheap. */
export const SAMPLE_MAX_TOKENS = 16;
/** The most alternatives OpenAI-compatible servers return per position. */
export const TOP_LOGPROBS = 20;

export interface PlanModel {
  provider: ProviderId;
  /** Base URL as configured (may carry a path such as /v1); never credentials. */
  endpoint: string;
  model: string;
  /** Content digest when known (Ollama); part of the cache key so a re-pulled model misses. */
  digest?: string;
  /** The study's id for this entry (records' `modelId`); the server model name when absent. */
  id?: string;
  /** 'chat' (default) or 'base'. */
  kind?: 'chat' | 'base';
}

export interface PlanInput {
  survey: SurveyFile;
  templates: TemplateFile;
  /** Only these items (file order is kept); all items when absent. */
  itemIds?: string[];
  /** Languages to score; the survey header's languages when absent. */
  languages?: string[];
  /** Template name. */
  template: string;
  /** 'none': the template only; 'all': the template and every paraphrase; [i…]: those paraphrases only. */
  paraphrases: 'none' | 'all' | number[];
  models: PlanModel[];
  method: ScoringMethod;
  /** Samples per distribution (method 'sample'). */
  samples: number;
  temperature: number;
  seed: number;
  optionOrder?: 'original' | 'reversed';
  /**
   * Option orders as a factor, as a study's `optionOrders` (expanded per item's scale size by expandOrders):
   * every condition once per order, orders innermost. Overrides `optionOrder` when given.
   */
  optionOrders?: readonly StudyOrderSpec[];
  /**
   * Country codes per language: when `country` is absent and the prompt has a `{country}` slot, the first
   * code of the prompt language is the cue (the lens's implicit study).
   */
  languageCountries?: Record<string, string[]>;
  /** The country cue of every request (ISO 3166-1 alpha-2), or null for none; overrides languageCountries. */
  country?: string | null;
  /** Independent repetitions of every request (default 1); each round has its own sample index and seed. */
  rounds?: number;
  /** Study name carried by every record (an implicit study is named after its items file). */
  study?: string;
}

export interface PlannedRequest {
  /** Position in the plan; the runner's records use the same order. */
  index: number;
  identity: Omit<RequestIdentity, 'runId'>;
  /** The base URL to hand to the provider factory (identity.endpoint is the origin only). */
  endpointUrl: string;
  digest?: string;
  messages: ChatMessage[];
  /** Base-model text (core/prompt/plain.ts); when set, the provider's completion endpoint gets it instead of `messages`. */
  prompt?: string;
  labels: OptionLabel[];
  /** Languages a free-text answer may be in (the item's languages, prompt language first). */
  answerLanguages: string[];
  params: RequestParams;
  sampleIndex: number;
  cacheKey: string;
  /** Set when no request can be made; the runner records it as a failure without sending anything. */
  skip?: { kind: 'skipped'; message: string };
  /**
   * Method 'judge': this request generates the text, and the runner then sends one judge request with it
   * (core/scoring/judge.ts) and records a StanceResult with both cache keys.
   */
  judge?: JudgePlan;
}

/** The judge half of a judged condition: who judges, against which statements, with which parameters. */
export interface JudgePlan {
  provider: ProviderId;
  endpointUrl: string;
  model: string;
  digest?: string;
  kind: 'chat' | 'base';
  /** The study's id of the judge model entry. */
  id: string;
  language: string;
  stance: StanceStatements;
  params: RequestParams;
}

export function buildPlan(input: PlanInput): PlannedRequest[] {
  return [...iteratePlan(input)];
}

/**
 * The plan's requests one by one, in plan order, each rendered and keyed when it is asked for: a runner
 * that consumes this starts sending after the first request is planned, not after the last.
 */
export function* iteratePlan(input: PlanInput): Generator<PlannedRequest> {
  const shape = planShape(input);
  const { template } = shape;
  const rounds = shape.rounds;
  const params = roundParams(input.method, input);
  let index = 0;
  for (const item of shape.items) {
    const hash = itemHash(item);
    for (const language of shape.languages) {
      for (const variant of shape.variants(language)) {
        const country = input.country !== undefined ? input.country : implicitCountry(template, variant, language, input.languageCountries);
        for (const order of shape.orders(item)) {
          const condition: Condition = {
            study: input.study,
            item,
            itemHash: hash,
            language,
            country,
            templateName: input.template,
            template,
            variant,
            order,
          };
          const prompt = renderCondition(condition);
          for (const model of input.models) {
            for (let round = 0; round < rounds; round++) {
              yield planRequest({ condition, prompt, model, method: input.method, params: params(round), round, index: index++ });
            }
          }
        }
      }
    }
  }
}

/** The number of requests `iteratePlan` yields, from the factor sizes (nothing is rendered or hashed). */
export function countPlan(input: PlanInput): number {
  const shape = planShape(input);
  const variants = shape.languages.reduce((n, language) => n + shape.variants(language).length, 0);
  const orders = shape.items.reduce((n, item) => n + shape.orders(item).length, 0);
  return orders * variants * input.models.length * shape.rounds;
}

interface PlanShape {
  items: Item[];
  languages: string[];
  template: Template | undefined;
  variants(language: string): Variant[];
  /** The item's option orders (one unless `optionOrders` is given). */
  orders(item: Item): NamedOrder[];
  rounds: number;
}

function planShape(input: PlanInput): PlanShape {
  const wanted = input.itemIds ? new Set(input.itemIds) : undefined;
  const sets = input.templates.paraphraseSets.filter((s) => s.templateName === input.template);
  const byLanguage = new Map<string, Variant[]>();
  const orderId = input.optionOrder ?? 'original';
  const single: NamedOrder[] = [{ id: orderId, spec: orderId }];
  const byK = new Map<number, NamedOrder[]>();
  return {
    orders: (item) => {
      if (!input.optionOrders) return single;
      const k = item.scale?.options.length ?? 0;
      let list = byK.get(k);
      if (!list) byK.set(k, (list = expandOrders(input.optionOrders, k)));
      return list;
    },
    items: input.survey.items.filter((item) => !wanted || wanted.has(item.id)),
    languages: input.languages?.length ? input.languages : surveyLanguages(input.survey),
    template: input.templates.templates.find((t) => t.name === input.template),
    variants: (language) => {
      let list = byLanguage.get(language);
      if (!list) byLanguage.set(language, (list = variantsFor(input.paraphrases, sets, language)));
      return list;
    },
    rounds: Math.max(1, Math.floor(input.rounds ?? 1)),
  };
}

/** One paraphrase choice of a template in a language: null is the template itself. */
export interface Variant {
  index: number | null;
  text?: string;
  /** Why this variant cannot be rendered in this language. */
  missing?: string;
}

export function variantsFor(spec: PlanInput['paraphrases'], sets: TemplateFile['paraphraseSets'], language: string): Variant[] {
  const texts = sets.flatMap((s) => s.variants[language] ?? []).map((t) => t.value);
  if (spec === 'none') return [{ index: null }];
  if (spec === 'all') return [{ index: null }, ...texts.map((text, index) => ({ index, text }))];
  return spec.map((index) =>
    texts[index] !== undefined ? { index, text: texts[index] } : { index, missing: `no paraphrase ${index} in "${language}"` },
  );
}

/** Everything that decides the prompt (and the condition's factors), before model and round. */
export interface Condition {
  study?: string;
  item: Item;
  itemHash: string;
  language: string;
  /** ISO code of the country cue, or null. */
  country: string | null;
  templateName: string;
  template: Template | undefined;
  variant: Variant;
  order: { id: OrderId; spec: OptionOrderSpec };
}

/** The rendered prompt of a condition, or why there is none; shared by every model and round. */
export type ConditionPrompt = { ok: true; rendered: RenderedPrompt } | { ok: false; message: string };

export function renderCondition(c: Condition): ConditionPrompt {
  const { item, language, variant } = c;
  if (!c.template) return { ok: false, message: `no template named "${c.templateName}"` };
  if (!item.scale) return { ok: false, message: `item ${item.id} has no resolved scale` };
  if (!item.texts[language]) return { ok: false, message: `item ${item.id} has no wording in "${language}"` };
  if (variant.missing) return { ok: false, message: variant.missing };
  const placeholder = placeholderIn(c);
  if (placeholder) return { ok: false, message: `${placeholder} in "${language}" is a placeholder, not text: replace it before scoring` };
  try {
    const rendered = renderPrompt({
      item,
      template: c.template,
      language,
      paraphrase: variant.index === null || variant.text === undefined ? null : { index: variant.index, text: variant.text },
      country: c.country === null ? undefined : countryName(c.country, language),
      optionOrder: c.order.spec,
    });
    return { ok: true, rendered };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

/** What in a condition's prompt is still a placeholder ("TODO translate"), if anything: never sent to a model. */
function placeholderIn(c: Condition): string | undefined {
  const { item, language, variant, template } = c;
  if (isPlaceholder(item.texts[language]?.value ?? '')) return `the wording of item ${item.id}`;
  const labels = item.scale?.labelLines[language]?.labels;
  if (labels && placeholderLabels(labels)) return `a label of scale ${item.scale?.name}`;
  if (variant.text !== undefined ? isPlaceholder(variant.text) : isPlaceholder(template?.user[language]?.value ?? '')) {
    return variant.text !== undefined
      ? `paraphrase ${(variant.index ?? 0) + 1} of template ${c.templateName}`
      : `template ${c.templateName}`;
  }
  if (isPlaceholder(template?.system[language]?.value ?? '')) return `the system part of template ${c.templateName}`;
  return undefined;
}

/** Request parameters per round: the seed advances with the round so repetitions are independent draws. */
export function roundParams(
  method: ScoringMethod,
  p: { samples: number; temperature: number; seed: number },
): (round: number) => RequestParams {
  // One object per round, shared by every request of that round (plans of a million requests).
  const byRound: RequestParams[] = [];
  return (round) =>
    (byRound[round] ??=
      method === 'logprobs'
        ? { temperature: p.temperature, seed: p.seed + round, maxTokens: 1, topLogprobs: TOP_LOGPROBS, n: 1 }
        : method === 'loglik'
          ? { temperature: p.temperature, seed: p.seed + round, maxTokens: 0, n: 1 }
          : { temperature: p.temperature, seed: p.seed + round, maxTokens: SAMPLE_MAX_TOKENS, n: Math.max(1, Math.floor(p.samples)) });
}

export interface RequestSpec {
  condition: Condition;
  prompt: ConditionPrompt;
  model: PlanModel;
  method: ScoringMethod;
  params: RequestParams;
  round: number;
  index: number;
  /** Method 'judge': the model entry that judges this condition's generated text. */
  judge?: PlanModel;
  /** Method 'judge': the language of the stance statements (default: the prompt language). */
  stanceLanguage?: string;
}

// endpointOrigin parses a URL; a plan has a handful of endpoints and up to millions of requests.
const origins = new Map<string, string>();

function memoisedOrigin(endpoint: string): string {
  let origin = origins.get(endpoint);
  if (origin === undefined) {
    origin = endpointOrigin(endpoint);
    if (origins.size < 1024) origins.set(endpoint, origin);
  }
  return origin;
}

// Answer languages per (item, language): one array shared by every request of the pair.
const answerLanguageCache = new WeakMap<Item, Map<string, string[]>>();

function answerLanguages(item: Item, language: string): string[] {
  let byLanguage = answerLanguageCache.get(item);
  if (!byLanguage) answerLanguageCache.set(item, (byLanguage = new Map()));
  let list = byLanguage.get(language);
  if (!list) byLanguage.set(language, (list = [language, ...Object.keys(item.texts).filter((l) => l !== language)]));
  return list;
}

/** One planned request of a condition for one model entry and round. */
export function planRequest(spec: RequestSpec): PlannedRequest {
  const { condition: c, model, round, params } = spec;
  const { item } = c;
  const identity: Omit<RequestIdentity, 'runId'> = {
    itemId: item.id,
    itemHash: c.itemHash,
    ...(item.category ? { category: item.category.value } : {}),
    language: c.language,
    template: c.templateName,
    paraphrase: c.variant.index,
    provider: model.provider,
    model: model.model,
    endpoint: memoisedOrigin(model.endpoint),
    method: spec.method,
    optionOrder: spec.prompt.ok ? spec.prompt.rendered.optionOrder : [],
    ...(c.study !== undefined ? { study: c.study } : {}),
    country: c.country,
    modelId: model.id ?? model.model,
    ...(model.digest ? { digest: model.digest } : {}),
    modelKind: model.kind ?? 'chat',
    order: c.order.id,
    round,
    source: 'run',
  };
  const base = {
    index: spec.index,
    identity,
    endpointUrl: model.endpoint,
    ...(model.digest ? { digest: model.digest } : {}),
    answerLanguages: answerLanguages(item, c.language),
    params,
    sampleIndex: round,
  };
  if (!spec.prompt.ok) return { ...base, messages: [], labels: [], cacheKey: '', skip: { kind: 'skipped', message: spec.prompt.message } };
  const loglikProblem = spec.method === 'loglik' ? loglikUnsupported(model) : undefined;
  if (loglikProblem) return { ...base, messages: [], labels: [], cacheKey: '', skip: { kind: 'skipped', message: loglikProblem } };
  let judge: JudgePlan | undefined;
  if (spec.judge) {
    const stanceLanguage = spec.stanceLanguage ?? c.language;
    const pro = item.pro?.[stanceLanguage]?.value;
    const con = item.con?.[stanceLanguage]?.value;
    if (!pro || !con) {
      const message = `item ${item.id} has no ${!pro && !con ? '"pro" and "con"' : !pro ? '"pro"' : '"con"'} stance statement in "${stanceLanguage}" (method judge)`;
      return { ...base, messages: [], labels: [], cacheKey: '', skip: { kind: 'skipped', message } };
    }
    judge = judgePlan(spec.judge, c.language, { pro, con }, params.seed);
  }
  const { messages, labels } = spec.prompt.rendered;
  // A base model continues text: it gets the plain rendering of the same messages, which is what is sent
  // and therefore part of the key.
  const prompt = model.kind === 'base' ? plainPrompt(spec.prompt, c.language) : undefined;
  const key = cacheKey({
    provider: model.provider,
    endpoint: model.endpoint,
    model: model.model,
    digest: model.digest,
    messages,
    prompt,
    params,
    method: spec.method,
    sampleIndex: round,
  });
  identity.cacheKey = key;
  return { ...base, messages, ...(prompt !== undefined ? { prompt } : {}), labels, cacheKey: key, ...(judge ? { judge } : {}) };
}

/**
 * Method 'loglik' scores given text: it needs a base model's plain prompt and an OpenAI-compatible
 * /v1/completions that echoes prompt logprobs (vLLM; docs/methods.md). Ollama and chat endpoints cannot.
 */
function loglikUnsupported(model: PlanModel): string | undefined {
  if ((model.kind ?? 'chat') !== 'base')
    return `method loglik scores a base model's continuation; ${model.id ?? model.model} is a chat model (use method logprobs)`;
  if (model.provider !== 'openai')
    return `method loglik needs an OpenAI-compatible /v1/completions that echoes prompt logprobs (vLLM); ${model.provider} cannot score given text (use method logprobs)`;
  return undefined;
}

function judgePlan(model: PlanModel, language: string, stance: StanceStatements, seed: number): JudgePlan {
  const kind = model.kind ?? 'chat';
  return {
    provider: model.provider,
    endpointUrl: model.endpoint,
    model: model.model,
    ...(model.digest ? { digest: model.digest } : {}),
    kind,
    id: model.id ?? model.model,
    language,
    stance,
    // Structured output is a chat-endpoint feature; a base judge gets the JSON instruction in its text only.
    params: {
      temperature: JUDGE_TEMPERATURE,
      seed,
      maxTokens: JUDGE_MAX_TOKENS,
      n: 1,
      ...(kind === 'chat' ? { schema: JUDGE_SCHEMA_NAME } : {}),
    },
  };
}

// One plain rendering per condition prompt, shared by every base-model request of it.
const plainCache = new WeakMap<RenderedPrompt, string>();

function plainPrompt(prompt: { rendered: RenderedPrompt }, language: string): string {
  let text = plainCache.get(prompt.rendered);
  if (text === undefined) plainCache.set(prompt.rendered, (text = toPlainPrompt(prompt.rendered.messages, { language })));
  return text;
}

function surveyLanguages(survey: SurveyFile): string[] {
  const declared = survey.header.languages.map((l) => l.value);
  if (declared.length) return declared;
  const seen = new Set<string>();
  for (const item of survey.items) for (const language of Object.keys(item.texts)) seen.add(language);
  return [...seen];
}

/** Whether the prompt of this template variant in this language has a `{country}` slot. */
export function promptHasCountrySlot(template: Template | undefined, variant: Variant, language: string): boolean {
  if (!template) return false;
  const texts = [template.system[language]?.value, variant.text ?? template.user[language]?.value];
  return texts.some((t) => t !== undefined && findSlots(t).some((s) => s.name === 'country'));
}

// The lens's implicit study: the cue is the first country of the prompt language, and only when the prompt
// names a country at all (otherwise the condition has no cue).
function implicitCountry(
  template: Template | undefined,
  variant: Variant,
  language: string,
  map: Record<string, string[]> | undefined,
): string | null {
  if (!promptHasCountrySlot(template, variant, language)) return null;
  return map?.[language]?.[0]?.toUpperCase() ?? null;
}

// Intl.DisplayNames costs ~80 µs to build; a study plan names countries millions of times in a few languages.
const regionNames = new Map<string, Intl.DisplayNames | null>();

/** "DK" → "Danmark" in Danish; the code itself when the runtime has no name for it. */
export function countryName(code: string, language: string): string {
  let names = regionNames.get(language);
  if (names === undefined) {
    try {
      names = new Intl.DisplayNames([language], { type: 'region' });
    } catch {
      names = null;
    }
    if (regionNames.size < 512) regionNames.set(language, names);
  }
  try {
    return names?.of(code.toUpperCase()) ?? code;
  } catch {
    return code;
  }
}
