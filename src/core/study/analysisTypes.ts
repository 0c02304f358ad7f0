// What a study's analysis reports: the CLI's `analyze --json`, the tidy CSV export, the HTML report and the
// panel all show this one structure, computed by one code path (src/core/study/analyze.ts). Every figure a
// user may publish is a number or an Estimate; definitions and sources are in docs/analyses.md.

import type { SelectionCounts } from '../corpus/types';
import type { AttributeValue } from './types';

/** A point estimate with its seeded-bootstrap 95% percentile CI and two-sided p (null where undefined). */
export interface Estimate {
  estimate: number;
  ci: [number, number] | null;
  p: number | null;
  /** Holm and Benjamini–Hochberg adjusted p across the grid the row belongs to. */
  pHolm?: number | null;
  pBH?: number | null;
}

export type AlignmentLevel = 'item' | 'response';
export type AlignmentMeasure = 'mean' | 'pro';

export interface AlignmentRow {
  /** The study's model id. */
  model: string;
  language: string;
  /** Country cue of the condition (null: no cue). */
  country: string | null;
  /** What the condition is compared with: a country code ('DK') or a pooled language ('pooled:da'). */
  reference: string;
  level: AlignmentLevel;
  measure: AlignmentMeasure;
  /** null: all categories together. */
  category: string | null;
  /** Pairs compared (items at item level, responses at response level). */
  n: number;
  pearson: Estimate | null;
  spearman: Estimate | null;
}

/** The first seed's continent view: per-country alignment averaged over the countries of a UN M49 region. */
export interface RegionRow {
  model: string;
  language: string;
  measure: AlignmentMeasure;
  /** M49 region name (e.g. "Europe") or sub-region ("Northern Europe"). */
  region: string;
  scheme: 'region' | 'subregion';
  countries: string[];
  meanPearson: number | null;
  meanSpearman: number | null;
}

export type ConsistencyDefinition =
  /** Value Lens: mean pairwise Spearman between paraphrases' item-score vectors (docs/analyses.md §3.1). */
  | 'paraphrase-vectors'
  /** Rystrøm et al. 2025: Spearman pooled over all pairs of responses to one question, ÷ 0.955. */
  | 'response-pairs';

export interface ConsistencyRow {
  model: string;
  language: string;
  definition: ConsistencyDefinition;
  /** Pairs the figure is computed over. */
  pairs: number;
  value: Estimate | null;
}

export type BiasDefinition =
  /** Value Lens: Pearson with the US minus Pearson with the first local country, item level. */
  | 'item-pearson'
  /** Rystrøm et al. 2025: Spearman on responses, local = mean over the language's native countries. */
  | 'response-spearman';

export interface BiasRow {
  model: string;
  language: string;
  definition: BiasDefinition;
  local: string[];
  localR: number | null;
  usR: number | null;
  /** usR − localR: positive means the model leans toward US answers. */
  difference: Estimate | null;
}

/** Distribution distances to the human distribution per item, and the uniform-answer baseline. */
export interface DistanceRow {
  model: string;
  language: string;
  reference: string;
  /** Country cue of the condition (null: no cue; optional). */
  country?: string | null;
  itemId: string;
  jsd: number;
  wasserstein: number;
  uniformJsd: number;
  uniformWasserstein: number;
}

/** A paired difference (bootstrap over items) between two levels of one factor, others fixed. */
export interface ContrastRow {
  factor: 'language' | 'model' | 'reference';
  a: string;
  b: string;
  /** The fixed factors, e.g. { model: 'gpt-4o', reference: 'pooled' }. */
  within: Record<string, string>;
  measure: AlignmentMeasure;
  statistic: 'pearson' | 'spearman';
  difference: Estimate;
}

/** Alignment grouped by a model attribute (chat vs base, family, size). */
export interface AttributeGroupRow {
  attribute: string;
  value: AttributeValue;
  language: string;
  models: string[];
  meanPearson: number | null;
  meanSpearman: number | null;
  /** Which measure the models' rows compare (optional: added by the analysis). */
  measure?: AlignmentMeasure;
  /** Each model's figure: mean over its per-country rows, or its pooled-language row (docs/analyses.md §5). */
  basis?: 'countries' | 'pooled';
}

export interface TestGrid {
  /** Which rows the grid covers, e.g. 'alignment:item:mean'. */
  grid: string;
  tests: number;
  adjust: ('holm' | 'BH')[];
}

export interface FitTerm {
  term: string;
  estimate: number;
  se: number;
  t: number;
}

export interface FitOutput {
  formula: string;
  n: number;
  fixed: FitTerm[];
  random: { group: string; term: string; variance: number }[];
  residualVariance: number;
  logLik: number;
  blups: Record<string, Record<string, number>>;
}

/** A condition's distribution averaged over the option orders it was shown in (src/core/study/positions.ts). */
export interface OrderAveragedRow {
  model: string;
  language: string;
  country: string | null;
  template: string;
  paraphrase: number | null;
  itemId: string;
  round: number;
  /** The named orders averaged over (two or more). */
  orders: string[];
  responses: number;
  /** Mean over the orders of the probability per option code. */
  probabilities: Record<string, number>;
  /** Mean of the orders' mean scores; null when one of them has none. */
  mean: number | null;
}

/**
 * Share of probability per display position, averaged over responses shown in two or more orders, against
 * the uniform 1/K (Dominguez-Olmedo et al. 2023; Rupprecht et al. 2025). CIs resample items.
 */
export interface PositionBiasRow {
  model: string;
  language: string;
  /** Options shown (rows are per scale size). */
  k: number;
  orders: string[];
  responses: number;
  items: number;
  /** 1/K. */
  uniform: number;
  /** Position 1 is the first option shown. */
  positions: { position: number; share: Estimate; excess: number }[];
  /** ½ Σ |share − 1/K|: 0 position-blind, 1 − 1/K always one position. */
  totalVariation: Estimate;
}

/**
 * First token vs text (Wang et al. 2024, "My Answer is C"): a logprobs-scored model's first-token argmax
 * against its greedy text answer on the same prompts, per model × language.
 */
export interface FirstTokenTextRow {
  model: string;
  language: string;
  /** Conditions with both a first-token distribution and a parsed text answer. */
  pairs: number;
  /** Share of pairs where the argmax code equals the text answer's code (null without pairs). */
  agreement: number | null;
  /** |mean first-token mean score − mean text score| over the pairs (null without pairs). */
  meanAbsDifference: number | null;
  /** Conditions whose text answer named no option or failed (not in pairs; counted). */
  unparsed: number;
  /** Conditions where the two disagree. */
  disagreements: {
    itemId: string;
    template: string;
    paraphrase: number | null;
    country: string | null;
    order: string;
    firstToken: number;
    text: number;
  }[];
}

export interface StudyAnalysis {
  study: string;
  generatedAt: string;
  counts: SelectionCounts;
  rule: 'latest' | 'pool';
  models: { id: string; attributes: Record<string, AttributeValue> }[];
  languages: string[];
  alignment: AlignmentRow[];
  regions: RegionRow[];
  consistency: ConsistencyRow[];
  usBias: BiasRow[];
  distances: DistanceRow[];
  contrasts: ContrastRow[];
  attributeGroups: AttributeGroupRow[];
  tests: TestGrid[];
  /** The study's declared mixed models; a fit that could not be made carries `error` instead of estimates. */
  fits: (FitOutput & { name: string; table?: string; error?: string })[];
  bootstrap: { iterations: number; seed: number };
  /** Conditions shown in two or more option orders, averaged over them (optional: added by the analysis). */
  orderAveraged?: OrderAveragedRow[];
  /** Position bias per model × language × K, where the study varied option orders (optional). */
  positionBias?: PositionBiasRow[];
  /** The first-token-vs-text check, when it was run (optional; src/core/study/firstToken.ts). */
  firstTokenText?: FirstTokenTextRow[];
}
