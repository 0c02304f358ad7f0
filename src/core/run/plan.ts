// A run plan: every request a run will make, decided up front (item × language × template variant × model ×
// sample round), each with its rendered prompt and its cache key. Inputs that cannot give a faithful prompt
// become planned failures, so that results + failures always add up to the plan's length.

import type { SurveyFile, TemplateFile, Item, Template } from '../language/ast';
import { itemHash } from '../language/index';
import type { ChatMessage, ProviderId } from '../model';
import type { RequestIdentity, ScoringMethod } from '../results';
import { renderPrompt, type OptionLabel } from '../prompt/render';
import { cacheKey, endpointOrigin, type RequestParams } from './key';

export { CACHE_FORMAT_VERSION, cacheKey, canonicalJson, endpointOrigin, type CacheKeyParts, type RequestParams } from './key';

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
  /** Country codes per language; the first one fills `{country}`. */
  languageCountries?: Record<string, string[]>;
  /** Independent repetitions of every request (default 1); each round has its own sample index and seed. */
  rounds?: number;
}

export interface PlannedRequest {
  /** Position in the plan; the runner's records use the same order. */
  index: number;
  identity: Omit<RequestIdentity, 'runId'>;
  /** The base URL to hand to the provider factory (identity.endpoint is the origin only). */
  endpointUrl: string;
  digest?: string;
  messages: ChatMessage[];
  labels: OptionLabel[];
  /** Languages a free-text answer may be in (the item's languages, prompt language first). */
  answerLanguages: string[];
  params: RequestParams;
  sampleIndex: number;
  cacheKey: string;
  /** Set when no request can be made; the runner records it as a failure without sending anything. */
  skip?: { kind: 'skipped'; message: string };
}

export function buildPlan(input: PlanInput): PlannedRequest[] {
  const plan: PlannedRequest[] = [];
  const wanted = input.itemIds ? new Set(input.itemIds) : undefined;
  const items = input.survey.items.filter((item) => !wanted || wanted.has(item.id));
  const languages = input.languages?.length ? input.languages : surveyLanguages(input.survey);
  const template = input.templates.templates.find((t) => t.name === input.template);
  const sets = input.templates.paraphraseSets.filter((s) => s.templateName === input.template);
  const rounds = Math.max(1, Math.floor(input.rounds ?? 1));

  for (const item of items) {
    const hash = itemHash(item);
    for (const language of languages) {
      for (const variant of variantsFor(input.paraphrases, sets, language)) {
        for (const model of input.models) {
          for (let round = 0; round < rounds; round++) {
            plan.push(planOne(input, { item, hash, language, template, variant, model, round, index: plan.length }));
          }
        }
      }
    }
  }
  return plan;
}

interface Variant {
  index: number | null;
  text?: string;
  /** Why this variant cannot be rendered in this language. */
  missing?: string;
}

function variantsFor(spec: PlanInput['paraphrases'], sets: TemplateFile['paraphraseSets'], language: string): Variant[] {
  const texts = sets.flatMap((s) => s.variants[language] ?? []).map((t) => t.value);
  if (spec === 'none') return [{ index: null }];
  if (spec === 'all') return [{ index: null }, ...texts.map((text, index) => ({ index, text }))];
  return spec.map((index) =>
    texts[index] !== undefined ? { index, text: texts[index] } : { index, missing: `no paraphrase ${index} in "${language}"` },
  );
}

interface One {
  item: Item;
  hash: string;
  language: string;
  template: Template | undefined;
  variant: Variant;
  model: PlanModel;
  round: number;
  index: number;
}

function planOne(input: PlanInput, one: One): PlannedRequest {
  const { item, language, variant, model, round } = one;
  const params: RequestParams =
    input.method === 'logprobs'
      ? { temperature: input.temperature, seed: input.seed + round, maxTokens: 1, topLogprobs: TOP_LOGPROBS, n: 1 }
      : { temperature: input.temperature, seed: input.seed + round, maxTokens: SAMPLE_MAX_TOKENS, n: Math.max(1, Math.floor(input.samples)) };
  const identity: Omit<RequestIdentity, 'runId'> = {
    itemId: item.id,
    itemHash: one.hash,
    ...(item.category ? { category: item.category.value } : {}),
    language,
    template: input.template,
    paraphrase: variant.index,
    provider: model.provider,
    model: model.model,
    endpoint: endpointOrigin(model.endpoint),
    method: input.method,
    optionOrder: [],
  };
  const base = {
    index: one.index,
    identity,
    endpointUrl: model.endpoint,
    ...(model.digest ? { digest: model.digest } : {}),
    answerLanguages: [language, ...Object.keys(item.texts).filter((l) => l !== language)],
    params,
    sampleIndex: round,
  };
  const skipped = (message: string): PlannedRequest => ({
    ...base,
    messages: [],
    labels: [],
    cacheKey: '',
    skip: { kind: 'skipped', message },
  });

  if (!one.template) return skipped(`no template named "${input.template}"`);
  if (!item.scale) return skipped(`item ${item.id} has no resolved scale`);
  if (!item.texts[language]) return skipped(`item ${item.id} has no wording in "${language}"`);
  if (variant.missing) return skipped(variant.missing);
  let rendered;
  try {
    rendered = renderPrompt({
      item,
      template: one.template,
      language,
      paraphrase: variant.index === null || variant.text === undefined ? null : { index: variant.index, text: variant.text },
      country: countryName(input.languageCountries?.[language]?.[0], language),
      optionOrder: input.optionOrder ?? 'original',
    });
  } catch (error) {
    return skipped(error instanceof Error ? error.message : String(error));
  }
  identity.optionOrder = rendered.optionOrder;
  return {
    ...base,
    messages: rendered.messages,
    labels: rendered.labels,
    cacheKey: cacheKey({
      provider: model.provider,
      endpoint: model.endpoint,
      model: model.model,
      digest: model.digest,
      messages: rendered.messages,
      params,
      method: input.method,
      sampleIndex: round,
    }),
  };
}

function surveyLanguages(survey: SurveyFile): string[] {
  const declared = survey.header.languages.map((l) => l.value);
  if (declared.length) return declared;
  const seen = new Set<string>();
  for (const item of survey.items) for (const language of Object.keys(item.texts)) seen.add(language);
  return [...seen];
}

/** "DK" → "Danmark" in Danish; the code itself when the runtime has no name for it. */
function countryName(code: string | undefined, language: string): string | undefined {
  if (!code) return undefined;
  try {
    return new Intl.DisplayNames([language], { type: 'region' }).of(code.toUpperCase()) ?? code;
  } catch {
    return code;
  }
}
