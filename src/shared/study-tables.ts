// What each study view shows, as plain data: which rows of a StudyAnalysis a view selects for the current
// choices (model, language, level, measure, statistic…), the box-plot summary of per-country r, and the
// tables the webview renders and the host (or the report) exports as CSV. One module for all three, so the
// chart, its table and its CSV cannot disagree. Pure: no Node or DOM APIs.
import type {
  AlignmentLevel,
  AlignmentMeasure,
  AlignmentRow,
  AttributeGroupRow,
  BiasRow,
  ConsistencyRow,
  ContrastRow,
  DistanceRow,
  Estimate,
  FirstTokenTextRow,
  FitOutput,
  PositionBiasRow,
  RegionRow,
  StudyAnalysis,
} from '../core/study/analysisTypes';
import type { SelectionCounts } from '../core/corpus/types';
import type { StudyViewId, StudyViewState } from './protocol';
import type { Cell, Table } from './tables';

export type Statistic = 'pearson' | 'spearman';

/** Every choice resolved against the data: a preferred value that the view's rows do not have falls back. */
export interface Resolved {
  model: string | undefined;
  language: string | undefined;
  level: AlignmentLevel | undefined;
  measure: AlignmentMeasure | undefined;
  statistic: Statistic;
  reference: 'pooled' | 'country' | 'all';
  scheme: 'region' | 'subregion';
  factor: 'all' | 'language' | 'model' | 'reference';
  attribute: string | undefined;
}

export const DEFINITION_SOURCES: Record<ConsistencyRow['definition'] | BiasRow['definition'], string> = {
  'paraphrase-vectors': 'Value Lens: mean pairwise Spearman between the paraphrases’ item-score vectors',
  'response-pairs': 'Rystrøm et al. 2025: Spearman pooled over pairs of responses to one question, ÷ 0.955',
  'item-pearson': 'Value Lens: item-level Pearson with the US minus with the first local country',
  'response-spearman': 'Rystrøm et al. 2025: response-level Spearman, local = mean over the native countries',
};

export const STATISTIC_LABEL: Record<Statistic, string> = { pearson: 'Pearson r', spearman: 'Spearman ρ' };

const uniq = <T>(values: T[]): T[] => [...new Set(values)];

/** `preferred` when it is one of `available`, else the first available value. */
export function pick<T>(preferred: T | undefined, available: readonly T[]): T | undefined {
  return preferred !== undefined && available.includes(preferred) ? preferred : available[0];
}

/** The analysis' models in its declared order, then any model that only appears in rows. */
export function modelOrder(analysis: StudyAnalysis, rows: readonly { model: string }[] = analysis.alignment): string[] {
  return uniq([...analysis.models.map((m) => m.id), ...rows.map((r) => r.model)]);
}

function languageOrder(analysis: StudyAnalysis, rows: readonly { language: string }[]): string[] {
  const present = new Set(rows.map((r) => r.language));
  return uniq([...analysis.languages, ...rows.map((r) => r.language)]).filter((l) => present.has(l));
}

const LEVELS: AlignmentLevel[] = ['item', 'response'];
const MEASURES: AlignmentMeasure[] = ['mean', 'pro'];

/** Levels and measures present in `rows`, in a fixed order (item before response, mean before pro). */
function levelsOf(rows: readonly AlignmentRow[]): AlignmentLevel[] {
  return LEVELS.filter((l) => rows.some((r) => r.level === l));
}
function measuresOf(rows: readonly { measure?: AlignmentMeasure }[]): AlignmentMeasure[] {
  return MEASURES.filter((m) => rows.some((r) => r.measure === m));
}

export function isPooledReference(reference: string): boolean {
  return reference.startsWith('pooled:') || reference === 'pooled';
}

export function isCountryReference(reference: string): boolean {
  return !isPooledReference(reference) && reference !== 'global';
}

/** The estimate of one statistic of an alignment row. */
export function statOf(row: AlignmentRow, statistic: Statistic): Estimate | null {
  return statistic === 'pearson' ? row.pearson : row.spearman;
}

// ---- model vs model (the second seed) ----

export interface ModelComparison {
  level: AlignmentLevel | undefined;
  measure: AlignmentMeasure | undefined;
  statistic: Statistic;
  reference: Resolved['reference'];
  models: string[];
  /** One bar group per language × reference, in language order. */
  groups: { language: string; reference: string; label: string }[];
  rows: AlignmentRow[];
}

/** Rows without a country cue, over all categories: each model's alignment per language and reference. */
export function modelComparison(analysis: StudyAnalysis, state: StudyViewState): ModelComparison {
  const base = analysis.alignment.filter((r) => r.country === null && r.category === null);
  const level = pick(state.level, levelsOf(base));
  const atLevel = base.filter((r) => r.level === level);
  const measure = pick(state.measure, measuresOf(atLevel));
  const candidates = atLevel.filter((r) => r.measure === measure);
  const hasPooled = candidates.some((r) => isPooledReference(r.reference));
  const reference = state.reference ?? (hasPooled ? 'pooled' : 'all');
  const rows = candidates.filter((r) => reference === 'all' || (reference === 'pooled') === isPooledReference(r.reference));
  const languages = languageOrder(analysis, rows);
  const groups = languages.flatMap((language) =>
    uniq(rows.filter((r) => r.language === language).map((r) => r.reference)).map((ref) => ({
      language,
      reference: ref,
      label: isPooledReference(ref) ? `${language} (pooled)` : `${language} · ${ref}`,
    })),
  );
  return { level, measure, statistic: state.statistic ?? 'pearson', reference, models: modelOrder(analysis, rows), groups, rows };
}

// ---- per country (the first seed) ----

/**
 * Per-country rows: a single-country reference compared from a condition that cues that country or has no
 * cue (a cue X compared with the US is US-bias material, not alignment with X); where both exist for one
 * model × language × level × measure × category × country, the cue row is used. Same rule as the analysis'
 * region means (src/core/study/regions.ts), so the region view averages exactly these rows at item level.
 */
export function perCountryRows(alignment: readonly AlignmentRow[], categories: 'overall' | 'per-category'): AlignmentRow[] {
  const out = new Map<string, AlignmentRow>();
  for (const row of alignment) {
    if ((categories === 'overall') !== (row.category === null) || !isCountryReference(row.reference)) continue;
    if (row.country !== null && row.country !== row.reference) continue;
    const key = [row.model, row.language, row.level, row.measure, row.category ?? '', row.reference].join('\u0000');
    const previous = out.get(key);
    if (!previous || (previous.country === null && row.country !== null)) out.set(key, row);
  }
  return [...out.values()];
}

export interface CountryView {
  model: string | undefined;
  language: string | undefined;
  level: AlignmentLevel | undefined;
  measure: AlignmentMeasure | undefined;
  statistic: Statistic;
  /** Sorted by the statistic, highest first (rows without one last). */
  rows: AlignmentRow[];
}

/** Narrows per-country rows step by step: model, then language, level and measure the model has. */
function narrowCountries(analysis: StudyAnalysis, all: AlignmentRow[], state: StudyViewState) {
  const model = pick(
    state.model,
    modelOrder(analysis, all).filter((m) => all.some((r) => r.model === m)),
  );
  const ofModel = all.filter((r) => r.model === model);
  const language = pick(state.language, languageOrder(analysis, ofModel));
  const ofLanguage = ofModel.filter((r) => r.language === language);
  const level = pick(state.level, levelsOf(ofLanguage));
  const measure = pick(state.measure, measuresOf(ofLanguage.filter((r) => r.level === level)));
  const rows = ofLanguage.filter((r) => r.level === level && r.measure === measure);
  return { model, language, level, measure, rows };
}

const byValueDesc = (statistic: Statistic) => (a: AlignmentRow, b: AlignmentRow) => {
  const x = statOf(a, statistic)?.estimate;
  const y = statOf(b, statistic)?.estimate;
  if (x === undefined) return y === undefined ? a.reference.localeCompare(b.reference) : 1;
  if (y === undefined) return -1;
  return y - x || a.reference.localeCompare(b.reference);
};

export function countryView(analysis: StudyAnalysis, state: StudyViewState): CountryView {
  const statistic = state.statistic ?? 'pearson';
  const narrowed = narrowCountries(analysis, perCountryRows(analysis.alignment, 'overall'), state);
  return { ...narrowed, statistic, rows: [...narrowed.rows].sort(byValueDesc(statistic)) };
}

// ---- regions ----

export interface RegionView {
  language: string | undefined;
  measure: AlignmentMeasure | undefined;
  scheme: 'region' | 'subregion';
  statistic: Statistic;
  models: string[];
  /** Region names, by their mean over models (highest first). */
  regions: string[];
  rows: RegionRow[];
}

export const regionValue = (row: RegionRow, statistic: Statistic): number | null =>
  statistic === 'pearson' ? row.meanPearson : row.meanSpearman;

export function regionView(analysis: StudyAnalysis, state: StudyViewState): RegionView {
  const statistic = state.statistic ?? 'pearson';
  const all = analysis.regions;
  const language = pick(state.language, languageOrder(analysis, all));
  const ofLanguage = all.filter((r) => r.language === language);
  const measure = pick(state.measure, measuresOf(ofLanguage));
  const schemes = (['region', 'subregion'] as const).filter((s) => ofLanguage.some((r) => r.scheme === s && r.measure === measure));
  const scheme = pick(state.scheme, schemes) ?? 'region';
  const rows = ofLanguage.filter((r) => r.measure === measure && r.scheme === scheme);
  const mean = (region: string) => {
    const v = rows
      .filter((r) => r.region === region)
      .map((r) => regionValue(r, statistic))
      .filter((x): x is number => x !== null);
    return v.length ? v.reduce((s, x) => s + x, 0) / v.length : -Infinity;
  };
  const regions = uniq(rows.map((r) => r.region)).sort((a, b) => mean(b) - mean(a) || a.localeCompare(b));
  return { language, measure, scheme, statistic, models: modelOrder(analysis, rows), regions, rows };
}

// ---- category box plots across countries ----

export interface BoxStats {
  n: number;
  min: number;
  q1: number;
  median: number;
  q3: number;
  max: number;
  mean: number;
  /** Tukey whiskers: the most extreme values within 1.5 × IQR of the box. */
  lowerWhisker: number;
  upperWhisker: number;
  outliers: number[];
}

/** Sample quantile of sorted values, R's default type 7: linear between order statistics at (n − 1)p. */
export function quantile7(sorted: readonly number[], p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** Five-number summary with R-type-7 quartiles (as R's quantile(); boxplot() uses Tukey's hinges instead). */
export function boxStats(values: readonly number[]): BoxStats | null {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (!sorted.length) return null;
  const q1 = quantile7(sorted, 0.25);
  const q3 = quantile7(sorted, 0.75);
  const fence = 1.5 * (q3 - q1);
  const inside = sorted.filter((v) => v >= q1 - fence && v <= q3 + fence);
  return {
    n: sorted.length,
    min: sorted[0],
    q1,
    median: quantile7(sorted, 0.5),
    q3,
    max: sorted[sorted.length - 1],
    mean: sorted.reduce((s, v) => s + v, 0) / sorted.length,
    lowerWhisker: inside[0],
    upperWhisker: inside[inside.length - 1],
    outliers: sorted.filter((v) => v < q1 - fence || v > q3 + fence),
  };
}

export interface CategoryBox {
  model: string;
  category: string;
  stats: BoxStats | null;
  /** The per-country values behind the box. */
  values: { country: string; value: number }[];
}

export interface CategoryView {
  language: string | undefined;
  level: AlignmentLevel | undefined;
  measure: AlignmentMeasure | undefined;
  statistic: Statistic;
  models: string[];
  categories: string[];
  boxes: CategoryBox[];
}

function boxesOf(rows: readonly AlignmentRow[], models: string[], categories: string[], statistic: Statistic): CategoryBox[] {
  return models.flatMap((model) =>
    categories.map((category) => {
      const values = rows
        .filter((r) => r.model === model && r.category === category)
        .flatMap((r) => {
          const v = statOf(r, statistic)?.estimate;
          return v === undefined ? [] : [{ country: r.reference, value: v }];
        })
        .sort((a, b) => a.country.localeCompare(b.country));
      return { model, category, stats: boxStats(values.map((v) => v.value)), values };
    }),
  );
}

/** Per category, the distribution over countries of each model's per-country r (one box per model). */
export function categoryView(analysis: StudyAnalysis, state: StudyViewState): CategoryView {
  const statistic = state.statistic ?? 'pearson';
  const all = perCountryRows(analysis.alignment, 'per-category');
  const language = pick(state.language, languageOrder(analysis, all));
  const ofLanguage = all.filter((r) => r.language === language);
  const level = pick(state.level, levelsOf(ofLanguage));
  const measure = pick(state.measure, measuresOf(ofLanguage.filter((r) => r.level === level)));
  const rows = ofLanguage.filter((r) => r.level === level && r.measure === measure);
  const models = modelOrder(analysis, rows).filter((m) => rows.some((r) => r.model === m));
  const categories = uniq(rows.map((r) => r.category as string));
  return {
    language,
    level,
    measure,
    statistic,
    models,
    categories,
    boxes: boxesOf(rows, models, categories, statistic).filter((b) => b.stats),
  };
}

// ---- paired differences (forest plot) ----

export interface ContrastView {
  factor: Resolved['factor'];
  measure: AlignmentMeasure | undefined;
  statistic: Statistic | undefined;
  rows: ContrastRow[];
}

export function withinText(within: Record<string, string>): string {
  return Object.entries(within)
    .map(([k, v]) => `${k}=${v}`)
    .join('; ');
}

export function contrastLabel(row: ContrastRow): string {
  const within = Object.values(row.within).join(', ');
  return `${row.a} − ${row.b}${within ? ` (${within})` : ''}`;
}

export function contrastView(analysis: StudyAnalysis, state: StudyViewState): ContrastView {
  const factor = state.factor ?? 'all';
  const ofFactor = analysis.contrasts.filter((r) => factor === 'all' || r.factor === factor);
  const measure = pick(state.measure, measuresOf(ofFactor));
  const statistics = (['pearson', 'spearman'] as const).filter((s) => ofFactor.some((r) => r.measure === measure && r.statistic === s));
  const statistic = pick(state.statistic, statistics);
  return { factor, measure, statistic, rows: ofFactor.filter((r) => r.measure === measure && r.statistic === statistic) };
}

// ---- consistency and US bias, both definitions ----

export interface DefinitionView<T> {
  model: string | undefined;
  languages: string[];
  rows: T[];
}

function definitionView<T extends { model: string; language: string; definition: string }>(
  analysis: StudyAnalysis,
  all: readonly T[],
  state: StudyViewState,
): DefinitionView<T> {
  const model = pick(
    state.model,
    modelOrder(analysis, all).filter((m) => all.some((r) => r.model === m)),
  );
  const rows = all.filter((r) => r.model === model);
  const languages = languageOrder(analysis, rows);
  const order = (r: T) => languages.indexOf(r.language);
  return { model, languages, rows: [...rows].sort((a, b) => order(a) - order(b) || a.definition.localeCompare(b.definition)) };
}

export const consistencyView = (analysis: StudyAnalysis, state: StudyViewState): DefinitionView<ConsistencyRow> =>
  definitionView(analysis, analysis.consistency, state);
export const biasView = (analysis: StudyAnalysis, state: StudyViewState): DefinitionView<BiasRow> =>
  definitionView(analysis, analysis.usBias, state);

// ---- attribute groups (chat vs base, family, size) ----

export interface AttributeView {
  attribute: string | undefined;
  measure: AlignmentMeasure | undefined;
  statistic: Statistic;
  languages: string[];
  values: string[];
  rows: AttributeGroupRow[];
}

export const attributeValueText = (row: AttributeGroupRow): string => String(row.value);

export function attributeView(analysis: StudyAnalysis, state: StudyViewState): AttributeView {
  const all = analysis.attributeGroups;
  const attribute = pick(state.attribute, uniq(all.map((r) => r.attribute)));
  const ofAttribute = all.filter((r) => r.attribute === attribute);
  const measures = measuresOf(ofAttribute);
  // Rows written before `measure` existed carry none: then all of them count.
  const measure = measures.length ? pick(state.measure, measures) : undefined;
  const rows = ofAttribute.filter((r) => measure === undefined || r.measure === measure);
  return {
    attribute,
    measure,
    statistic: state.statistic ?? 'pearson',
    languages: languageOrder(analysis, rows),
    values: uniq(rows.map(attributeValueText)),
    rows,
  };
}

// ---- distribution distances ----

export interface DistanceSummary {
  model: string;
  language: string;
  reference: string;
  items: number;
  jsd: number;
  uniformJsd: number;
  wasserstein: number;
  uniformWasserstein: number;
}

export interface DistanceView {
  models: string[];
  languages: string[];
  rows: DistanceSummary[];
}

const mean = (values: number[]): number => values.reduce((s, v) => s + v, 0) / values.length;

/** Mean distances over items per model × language × reference, with the uniform-answer baseline's means. */
export function distanceSummaries(rows: readonly DistanceRow[]): DistanceSummary[] {
  const groups = new Map<string, DistanceRow[]>();
  for (const r of rows) {
    const key = [r.model, r.language, r.reference].join('\u0000');
    const list = groups.get(key);
    if (list) list.push(r);
    else groups.set(key, [r]);
  }
  return [...groups.values()].map((g) => ({
    model: g[0].model,
    language: g[0].language,
    reference: g[0].reference,
    items: g.length,
    jsd: mean(g.map((r) => r.jsd)),
    uniformJsd: mean(g.map((r) => r.uniformJsd)),
    wasserstein: mean(g.map((r) => r.wasserstein)),
    uniformWasserstein: mean(g.map((r) => r.uniformWasserstein)),
  }));
}

/** One mean per model × language over items and references (the chart), and the per-reference rows (the table). */
export function distanceView(analysis: StudyAnalysis): DistanceView {
  const rows = distanceSummaries(analysis.distances);
  return {
    models: modelOrder(analysis, rows).filter((m) => rows.some((r) => r.model === m)),
    languages: languageOrder(analysis, rows),
    rows,
  };
}

// ---- mixed-model fits ----

export interface FitTermRow {
  fit: string;
  term: string;
  estimate: number;
  se: number;
  /** Wald 95% interval: estimate ± 1.96 SE (for the coefficient plot; lme4 prints no p or CI by default). */
  ci: [number, number] | null;
}

export function fitTerms(fits: readonly (FitOutput & { name: string })[]): FitTermRow[] {
  return fits.flatMap((f) =>
    f.fixed.map((t) => ({
      fit: f.name,
      term: t.term,
      estimate: t.estimate,
      se: t.se,
      ci: Number.isFinite(t.se)
        ? ([t.estimate - 1.959963984540054 * t.se, t.estimate + 1.959963984540054 * t.se] as [number, number])
        : null,
    })),
  );
}

// ---- tables ----

const est = (e: Estimate | null | undefined): Cell[] => [
  e?.estimate ?? null,
  e?.ci?.[0] ?? null,
  e?.ci?.[1] ?? null,
  e?.p ?? null,
  e?.pHolm ?? null,
  e?.pBH ?? null,
];

const ALIGNMENT_HEADERS = [
  'Model',
  'Language',
  'Country cue',
  'Reference',
  'Category',
  'Level',
  'Measure',
  'n',
  'Pearson r',
  'r CI low',
  'r CI high',
  'r p',
  'r p (Holm)',
  'r p (BH)',
  'Spearman ρ',
  'ρ CI low',
  'ρ CI high',
  'ρ p',
  'ρ p (Holm)',
  'ρ p (BH)',
];

const alignmentTable = (rows: readonly AlignmentRow[]): Table => ({
  headers: ALIGNMENT_HEADERS,
  rows: rows.map((r) => [
    r.model,
    r.language,
    r.country,
    r.reference,
    r.category,
    r.level,
    r.measure,
    r.n,
    ...est(r.pearson),
    ...est(r.spearman),
  ]),
});

const regionTable = (rows: readonly RegionRow[]): Table => ({
  headers: ['Model', 'Language', 'Measure', 'Scheme', 'Region', 'Countries', 'Country list', 'Mean Pearson r', 'Mean Spearman ρ'],
  rows: rows.map((r) => [
    r.model,
    r.language,
    r.measure,
    r.scheme,
    r.region,
    r.countries.length,
    r.countries.join(' '),
    r.meanPearson,
    r.meanSpearman,
  ]),
});

const BOX_HEADERS = [
  'Model',
  'Language',
  'Level',
  'Measure',
  'Statistic',
  'Category',
  'Countries',
  'Min',
  'Q1',
  'Median',
  'Q3',
  'Max',
  'Mean',
  'Lower whisker',
  'Upper whisker',
  'Outliers',
];

function boxRows(view: Pick<CategoryView, 'language' | 'level' | 'measure' | 'statistic'>, boxes: readonly CategoryBox[]): Cell[][] {
  return boxes.flatMap((b) => {
    const s = b.stats;
    if (!s) return [];
    const outliers = b.values
      .filter((v) => s.outliers.includes(v.value))
      .map((v) => `${v.country} ${formatNumber(v.value)}`)
      .join('; ');
    return [
      [
        b.model,
        view.language ?? null,
        view.level ?? null,
        view.measure ?? null,
        view.statistic,
        b.category,
        s.n,
        s.min,
        s.q1,
        s.median,
        s.q3,
        s.max,
        s.mean,
        s.lowerWhisker,
        s.upperWhisker,
        outliers,
      ],
    ];
  });
}

/** Every box of the analysis: each model × language × level × measure × statistic × category. */
function allBoxes(analysis: StudyAnalysis): Table {
  const all = perCountryRows(analysis.alignment, 'per-category');
  const rows: Cell[][] = [];
  const keys = uniq(all.map((r) => [r.language, r.level, r.measure].join('\u0000')));
  for (const key of keys) {
    const [language, level, measure] = key.split('\u0000') as [string, AlignmentLevel, AlignmentMeasure];
    const slice = all.filter((r) => r.language === language && r.level === level && r.measure === measure);
    const models = modelOrder(analysis, slice).filter((m) => slice.some((r) => r.model === m));
    const categories = uniq(slice.map((r) => r.category as string));
    for (const statistic of ['pearson', 'spearman'] as const)
      rows.push(...boxRows({ language, level, measure, statistic }, boxesOf(slice, models, categories, statistic)));
  }
  return { headers: BOX_HEADERS, rows };
}

const contrastTable = (rows: readonly ContrastRow[]): Table => ({
  headers: ['Factor', 'A', 'B', 'Within', 'Measure', 'Statistic', 'Difference (A − B)', 'CI low', 'CI high', 'p', 'p (Holm)', 'p (BH)'],
  rows: rows.map((r) => [r.factor, r.a, r.b, withinText(r.within), r.measure, r.statistic, ...est(r.difference)]),
});

const consistencyTable = (rows: readonly ConsistencyRow[]): Table => ({
  headers: ['Model', 'Language', 'Definition', 'Source', 'Pairs', 'Value', 'CI low', 'CI high', 'p'],
  rows: rows.map((r) => [r.model, r.language, r.definition, DEFINITION_SOURCES[r.definition], r.pairs, ...est(r.value).slice(0, 4)]),
});

const biasTable = (rows: readonly BiasRow[]): Table => ({
  headers: [
    'Model',
    'Language',
    'Definition',
    'Source',
    'Local reference',
    'r (local)',
    'r (US)',
    'US − local',
    'CI low',
    'CI high',
    'p',
    'p (Holm)',
    'p (BH)',
  ],
  rows: rows.map((r) => [
    r.model,
    r.language,
    r.definition,
    DEFINITION_SOURCES[r.definition],
    r.local.join(' '),
    r.localR,
    r.usR,
    ...est(r.difference),
  ]),
});

const attributeTable = (rows: readonly AttributeGroupRow[]): Table => ({
  headers: ['Attribute', 'Value', 'Language', 'Measure', 'Basis', 'Models', 'Mean Pearson r', 'Mean Spearman ρ'],
  rows: rows.map((r) => [
    r.attribute,
    attributeValueText(r),
    r.language,
    r.measure ?? null,
    r.basis ?? null,
    r.models.join(' '),
    r.meanPearson,
    r.meanSpearman,
  ]),
});

const distanceTable = (rows: readonly DistanceSummary[]): Table => ({
  headers: [
    'Model',
    'Language',
    'Reference',
    'Items',
    'Mean JSD',
    'Mean JSD (uniform answers)',
    'Mean Wasserstein',
    'Mean Wasserstein (uniform answers)',
  ],
  rows: rows.map((r) => [r.model, r.language, r.reference, r.items, r.jsd, r.uniformJsd, r.wasserstein, r.uniformWasserstein]),
});

/** Every figure of every fit: fixed effects, variance components, residual variance and REML log-likelihood. */
const fitTable = (fits: readonly (FitOutput & { name: string })[]): Table => ({
  headers: ['Fit', 'Formula', 'n', 'Kind', 'Group', 'Term', 'Estimate', 'SE', 't'],
  rows: fits.flatMap((f) => [
    ...f.fixed.map((t): Cell[] => [f.name, f.formula, f.n, 'fixed', null, t.term, t.estimate, t.se, t.t]),
    ...f.random.map((g): Cell[] => [f.name, f.formula, f.n, 'variance', g.group, g.term, g.variance, null, null]),
    [f.name, f.formula, f.n, 'residual variance', null, null, f.residualVariance, null, null],
    [f.name, f.formula, f.n, 'REML log-likelihood', null, null, f.logLik, null, null],
  ]),
});

/** Position bias (positions.ts): one row per model × language × K × shown position, then its total variation. */
const positionTable = (rows: readonly PositionBiasRow[]): Table => ({
  headers: [
    'Model',
    'Language',
    'Options (K)',
    'Orders',
    'Items',
    'Responses',
    'Position',
    'Share',
    'CI low',
    'CI high',
    'Uniform 1/K',
    'Excess (share − 1/K)',
  ],
  rows: rows.flatMap((r) => [
    ...r.positions.map((p): Cell[] => [
      r.model,
      r.language,
      r.k,
      r.orders.join(' '),
      r.items,
      r.responses,
      String(p.position),
      p.share.estimate,
      p.share.ci?.[0] ?? null,
      p.share.ci?.[1] ?? null,
      r.uniform,
      p.excess,
    ]),
    [
      r.model,
      r.language,
      r.k,
      r.orders.join(' '),
      r.items,
      r.responses,
      'total variation',
      r.totalVariation.estimate,
      r.totalVariation.ci?.[0] ?? null,
      r.totalVariation.ci?.[1] ?? null,
      r.uniform,
      null,
    ],
  ]),
});

/** First token vs text (firstToken.ts): per model × language, and the items where the two disagree. */
const firstTokenTable = (rows: readonly FirstTokenTextRow[]): Table => ({
  headers: ['Model', 'Language', 'Pairs', 'Agreement', 'Mean |Δ mean|', 'Unparsed', 'Disagreeing items'],
  rows: rows.map((r) => [
    r.model,
    r.language,
    r.pairs,
    r.agreement,
    r.meanAbsDifference,
    r.unparsed,
    [...new Set(r.disagreements.map((d) => d.itemId))].join(' '),
  ]),
});

/**
 * A study view's table. With `state`, the rows the view shows for those choices (what the webview renders
 * under the chart); without, every row of that kind in the analysis (what Export CSV writes).
 */
export function studyTable(analysis: StudyAnalysis, id: StudyViewId, state?: StudyViewState): Table {
  switch (id) {
    case 'study-models':
      return alignmentTable(
        state ? modelComparison(analysis, state).rows : analysis.alignment.filter((r) => r.country === null && r.category === null),
      );
    case 'study-countries':
      return alignmentTable(state ? countryView(analysis, state).rows : perCountryRows(analysis.alignment, 'overall'));
    case 'study-regions':
      return regionTable(state ? regionView(analysis, state).rows : analysis.regions);
    case 'study-categories': {
      if (!state) return allBoxes(analysis);
      const view = categoryView(analysis, state);
      return { headers: BOX_HEADERS, rows: boxRows(view, view.boxes) };
    }
    case 'study-contrasts':
      return contrastTable(state ? contrastView(analysis, state).rows : analysis.contrasts);
    case 'study-consistency':
      return consistencyTable(state ? consistencyView(analysis, state).rows : analysis.consistency);
    case 'study-bias':
      return biasTable(state ? biasView(analysis, state).rows : analysis.usBias);
    case 'study-attributes':
      return attributeTable(state ? attributeView(analysis, state).rows : analysis.attributeGroups);
    case 'study-distances':
      return distanceTable(distanceView(analysis).rows);
    case 'study-fits':
      return fitTable(analysis.fits);
    case 'study-positions':
      return positionTable(analysis.positionBias ?? []);
    case 'study-first-token':
      return firstTokenTable(analysis.firstTokenText ?? []);
  }
}

function formatNumber(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(3);
}

// ---- selection counts (panel header and report) ----

/** The corpus selection behind the analysis, as label/value pairs in a fixed order. */
export function selectionEntries(counts: SelectionCounts): { key: string; label: string; value: number }[] {
  const skipped = Object.entries(counts.skipped).filter((e): e is [string, number] => typeof e[1] === 'number');
  return [
    { key: 'read', label: 'read', value: counts.read },
    { key: 'used', label: 'used', value: counts.used },
    { key: 'superseded', label: 'superseded', value: counts.superseded },
    { key: 'stale', label: 'stale', value: counts.stale },
    { key: 'skipped', label: 'skipped', value: skipped.reduce((s, [, n]) => s + n, 0) },
    ...skipped.map(([reason, n]) => ({ key: `skipped:${reason}`, label: `skipped (${reason})`, value: n })),
  ];
}
