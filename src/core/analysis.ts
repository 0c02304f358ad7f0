// The analysis report: everything the panel, the CLI's `analyze` and the HTML report show. Computed by
// src/core/stats/analyze.ts from run records and human reference data; pure data, JSON-serialisable.

export interface CorrelationStat {
  /** Pearson r or Spearman rho. */
  estimate: number;
  /** Two-sided p-value; null when n < 3 or a variable is constant. */
  p: number | null;
  n: number;
  /** 95% CI (Fisher z for Pearson); null when n < 4. */
  ciLow: number | null;
  ciHigh: number | null;
}

export interface AlignmentRow {
  model: string;
  language: string;
  /** Country whose human data the language maps to (e.g. da → DK). */
  country: string;
  /** Whether model and human were compared as means or as "pro" shares. */
  measure: 'mean' | 'share';
  pearson: CorrelationStat | null;
  spearman: CorrelationStat | null;
}

export interface ScatterPoint {
  itemId: string;
  title: string;
  category: string;
  modelScore: number;
  humanScore: number;
}

export interface ScatterSeries {
  model: string;
  language: string;
  country: string;
  measure: 'mean' | 'share';
  points: ScatterPoint[];
}

export interface CategoryRow extends AlignmentRow {
  category: string;
}

export interface ConsistencyRow {
  model: string;
  language: string;
  template: string;
  /** Mean pairwise Spearman between paraphrases' item-score vectors; null with < 2 paraphrases. */
  meanSpearman: number | null;
  pairs: number;
  /** Items whose score moves most across paraphrases, most dispersed first. */
  items: { itemId: string; title: string; dispersion: number; mostDeviantParaphrase: number | null }[];
}

export interface BiasRow {
  model: string;
  language: string;
  localCountry: string;
  /** Alignment (Pearson r) with the local and the US reference. */
  localR: number | null;
  usR: number | null;
  /** usR − localR; positive means the model leans toward US answers. */
  difference: number | null;
  /** Seeded bootstrap 95% CI of the difference. */
  ciLow: number | null;
  ciHigh: number | null;
}

export interface PositionBiasRow {
  model: string;
  language: string;
  itemId: string;
  /** Mean score with reversed option order minus mean with original order. */
  shift: number;
}

export interface AnalysisFilter {
  model?: string;
  template?: string;
  method?: 'logprobs' | 'sample' | 'loglik';
}

export interface AnalysisReport {
  generatedAt: string;
  filter: AnalysisFilter;
  models: string[];
  languages: string[];
  templates: string[];
  methods: string[];
  categories: string[];
  alignment: AlignmentRow[];
  scatter: ScatterSeries[];
  byCategory: CategoryRow[];
  consistency: ConsistencyRow[];
  usBias: BiasRow[];
  positionBias: PositionBiasRow[];
  counts: { results: number; failures: number; items: number; humanRows: number };
}
