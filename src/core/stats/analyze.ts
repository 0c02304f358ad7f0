// Builds the AnalysisReport (src/core/analysis.ts) from run records and human reference data: alignment
// per (model, language) and per category, scatter points, self-consistency over paraphrases, local-vs-US
// bias and option-order (position) bias. Pure apart from the report's timestamp.
import type {
  AlignmentRow,
  AnalysisFilter,
  AnalysisReport,
  CorrelationStat,
  BiasRow,
  CategoryRow,
  ConsistencyRow,
  PositionBiasRow,
  ScatterPoint,
  ScatterSeries,
} from '../analysis';
import type { HumanReference, HumanRow } from '../data/types';
import type { SurveyFile } from '../language/ast';
import type { RunRecord, ScoreResult } from '../results';
import { usBias } from './bias';
import { itemDispersion, meanPairwiseSpearman, type ParaphraseScores } from './consistency';
import { pearson, spearman } from './correlation';
import { proShare } from './share';

export interface AnalysisItem {
  id: string;
  title: string;
  category: string;
  /** Key of the item in the human data (e.g. F118); the item id is tried when absent or unmatched. */
  dataKey?: string;
  scaleMin: number;
  scaleMax: number;
  reversed: boolean;
}

export interface AnalyzeInput {
  records: RunRecord[];
  items: AnalysisItem[];
  human: HumanReference;
  /** Prompt language → countries; the first country is the language's "local" reference. */
  languageCountries: Record<string, string[]>;
  filter?: AnalysisFilter;
  /** Bootstrap for the US-bias CI; default 1000 iterations, seed 1. */
  bootstrap?: { iterations: number; seed: number };
}

/** Items of a parsed survey that have a resolved scale (others cannot be compared and are skipped). */
export function analysisItemsFromSurvey(survey: SurveyFile): AnalysisItem[] {
  return survey.items.flatMap((item) => {
    const scale = item.scale;
    if (!scale) return [];
    const out: AnalysisItem = {
      id: item.id,
      title: item.title?.value ?? item.id,
      category: item.category?.value ?? 'uncategorised',
      scaleMin: scale.min,
      scaleMax: scale.max,
      reversed: scale.reversed,
    };
    if (item.dataKey?.value) out.dataKey = item.dataKey.value;
    return [out];
  });
}

type OrderKind = 'original' | 'reversed' | 'other';

/** Scales list options in code order, so ascending codes are the original order. */
export function orderKind(order: readonly number[]): OrderKind {
  let asc = true;
  let desc = true;
  for (let i = 1; i < order.length; i++) {
    if (order[i] < order[i - 1]) asc = false;
    if (order[i] > order[i - 1]) desc = false;
  }
  if (asc) return 'original';
  return desc ? 'reversed' : 'other';
}

const SEP = '\u0000';
const sortedUnique = (values: Iterable<string>): string[] => [...new Set(values)].sort();

function mean(values: number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length;
}

interface Scores {
  mean: number;
  share: number;
}

/** Looks up human rows by (country, key), both case-insensitive. */
class HumanIndex {
  private readonly rows = new Map<string, HumanRow[]>();
  constructor(reference: HumanReference) {
    for (const row of reference.rows) {
      const k = `${row.country.toUpperCase()}${SEP}${row.key.toUpperCase()}`;
      const list = this.rows.get(k);
      if (list) list.push(row);
      else this.rows.set(k, [row]);
    }
  }
  /** The country-level row if any, else the row for the prompt language, else the first. */
  find(country: string, item: AnalysisItem, language: string): HumanRow | undefined {
    const c = country.toUpperCase();
    const candidates = [item.dataKey, item.id].filter((k): k is string => !!k);
    for (const key of candidates) {
      const list = this.rows.get(`${c}${SEP}${key.toUpperCase()}`);
      if (!list?.length) continue;
      return list.find((r) => r.language === undefined) ?? list.find((r) => r.language === language) ?? list[0];
    }
    return undefined;
  }
}

/** Human mean on the item's score scale (mirrored for reversed items, like the model's Σ p·s). */
function humanMean(row: HumanRow | undefined, item: AnalysisItem): number {
  if (!row) return NaN;
  let m = row.mean;
  if (m === undefined && row.distribution) {
    let total = 0;
    let sum = 0;
    for (const [k, p] of Object.entries(row.distribution)) {
      const code = Number(k);
      if (code >= 0 && p > 0) {
        total += p;
        sum += code * p;
      }
    }
    m = total > 0 ? sum / total : undefined;
  }
  if (m === undefined) return NaN;
  return item.reversed ? item.scaleMin + item.scaleMax - m : m;
}

function humanShare(row: HumanRow | undefined, item: AnalysisItem): number {
  if (!row) return NaN;
  if (row.share !== undefined) return row.share;
  return row.distribution ? proShare(row.distribution, item.scaleMax, item.reversed) : NaN;
}

/** Everything analyze() and alignmentAcrossCountries() share: filtered, de-duplicated scores. */
function prepare(input: AnalyzeInput) {
  const filter = input.filter ?? {};
  const bootstrap = input.bootstrap ?? { iterations: 1000, seed: 1 };
  const itemsById = new Map(input.items.map((i) => [i.id, i]));
  const human = new HumanIndex(input.human);
  const matches = (r: RunRecord): boolean =>
    (filter.model === undefined || r.model === filter.model) &&
    (filter.template === undefined || r.template === filter.template) &&
    (filter.method === undefined || r.method === filter.method);

  const allResults: ScoreResult[] = [];
  let failures = 0;
  for (const r of input.records) {
    if (r.kind === 'result') allResults.push(r);
    else if (r.kind === 'failure' && matches(r)) failures++;
  }
  const results = allResults.filter(matches);

  // Latest record per identity (re-runs supersede earlier answers).
  const latest = new Map<string, ScoreResult>();
  for (const r of results) {
    if (!itemsById.has(r.itemId) || !Number.isFinite(r.mean)) continue;
    const k = [r.model, r.language, r.template, r.method, r.paraphrase ?? 'base', r.itemId, orderKind(r.optionOrder)].join(SEP);
    const prev = latest.get(k);
    if (!prev || r.at >= prev.at) latest.set(k, r);
  }
  // Per identity without order: the original order, else a shuffled one, else the reversed one.
  const rank: Record<OrderKind, number> = { original: 0, other: 1, reversed: 2 };
  const chosen = new Map<string, ScoreResult>();
  const byOrder = new Map<string, Partial<Record<OrderKind, ScoreResult>>>();
  for (const r of latest.values()) {
    const k = [r.model, r.language, r.template, r.method, r.paraphrase ?? 'base', r.itemId].join(SEP);
    const kind = orderKind(r.optionOrder);
    const prev = chosen.get(k);
    if (!prev || rank[kind] < rank[orderKind(prev.optionOrder)]) chosen.set(k, r);
    const slot = byOrder.get(k) ?? {};
    slot[kind] = r;
    byOrder.set(k, slot);
  }

  const scoresOf = (r: ScoreResult, item: AnalysisItem): Scores => ({
    mean: r.mean,
    share: proShare(r.probabilities, item.scaleMax, item.reversed),
  });

  // Base template (paraphrase null): model × language → item → scores averaged over templates/methods.
  const base = new Map<string, Map<string, Scores[]>>();
  // Paraphrases: model × language × template → paraphrase → item → means.
  const para = new Map<string, Map<number, Map<string, number[]>>>();
  for (const r of chosen.values()) {
    const item = itemsById.get(r.itemId) as AnalysisItem;
    if (r.paraphrase === null) {
      const k = `${r.model}${SEP}${r.language}`;
      const m = base.get(k) ?? new Map<string, Scores[]>();
      base.set(k, m);
      m.set(r.itemId, [...(m.get(r.itemId) ?? []), scoresOf(r, item)]);
    } else {
      const k = `${r.model}${SEP}${r.language}${SEP}${r.template}`;
      const m = para.get(k) ?? new Map<number, Map<string, number[]>>();
      para.set(k, m);
      const items = m.get(r.paraphrase) ?? new Map<string, number[]>();
      m.set(r.paraphrase, items);
      items.set(r.itemId, [...(items.get(r.itemId) ?? []), r.mean]);
    }
  }

  // Which measure a country's data supports: means (or distributions) first, else "pro" shares.
  const measureCache = new Map<string, 'mean' | 'share'>();
  const measureFor = (country: string): 'mean' | 'share' => {
    let m = measureCache.get(country);
    if (!m) {
      m = input.items.some((it) => Number.isFinite(humanMean(human.find(country, it, ''), it))) ? 'mean' : 'share';
      measureCache.set(country, m);
    }
    return m;
  };

  return { filter, bootstrap, itemsById, human, allResults, results, failures, byOrder, base, para, measureFor };
}

export function analyze(input: AnalyzeInput): AnalysisReport {
  const { filter, bootstrap, itemsById, human, allResults, results, failures, byOrder, base, para, measureFor } = prepare(input);
  const alignment: AlignmentRow[] = [];
  const byCategory: CategoryRow[] = [];
  const scatter: ScatterSeries[] = [];
  const usBiasRows: BiasRow[] = [];
  const categoriesUsed = new Set<string>();
  const baseKeys = [...base.keys()].sort();
  for (const key of baseKeys) {
    const [model, language] = key.split(SEP);
    const itemScores = base.get(key) as Map<string, Scores[]>;
    const modelScore = (itemId: string, measure: 'mean' | 'share'): number => {
      const list = itemScores.get(itemId) ?? [];
      return list.length ? mean(list.map((s) => s[measure])) : NaN;
    };
    const itemIds = [...itemScores.keys()].sort();
    for (const id of itemIds) categoriesUsed.add((itemsById.get(id) as AnalysisItem).category);
    const countries = input.languageCountries[language] ?? [];
    const country = countries[0];
    if (!country) continue;
    const measure = measureFor(country);
    const points: ScatterPoint[] = [];
    for (const id of itemIds) {
      const item = itemsById.get(id) as AnalysisItem;
      const row = human.find(country, item, language);
      const h = measure === 'mean' ? humanMean(row, item) : humanShare(row, item);
      const m = modelScore(id, measure);
      if (Number.isFinite(h) && Number.isFinite(m))
        points.push({ itemId: id, title: item.title, category: item.category, modelScore: m, humanScore: h });
    }
    const xs = points.map((p) => p.modelScore);
    const ys = points.map((p) => p.humanScore);
    alignment.push({ model, language, country, measure, pearson: pearson(xs, ys), spearman: spearman(xs, ys) });
    scatter.push({ model, language, country, measure, points });
    const cats = sortedUnique(points.map((p) => p.category));
    for (const category of cats) {
      const sub = points.filter((p) => p.category === category);
      const cx = sub.map((p) => p.modelScore);
      const cy = sub.map((p) => p.humanScore);
      byCategory.push({ model, language, country, measure, category, pearson: pearson(cx, cy), spearman: spearman(cx, cy) });
    }
    // US bias: only where the local reference is not the US itself.
    if (country.toUpperCase() !== 'US') {
      const both: 'mean' | 'share' = measureFor(country) === 'mean' && measureFor('US') === 'mean' ? 'mean' : 'share';
      const m: number[] = [];
      const l: number[] = [];
      const u: number[] = [];
      for (const id of itemIds) {
        const item = itemsById.get(id) as AnalysisItem;
        const pick = (c: string): number => {
          const row = human.find(c, item, language);
          return both === 'mean' ? humanMean(row, item) : humanShare(row, item);
        };
        m.push(modelScore(id, both));
        l.push(pick(country));
        u.push(pick('US'));
      }
      const est = usBias(m, l, u, bootstrap);
      if (est.n > 0) {
        const { n: _n, ...rest } = est;
        usBiasRows.push({ model, language, localCountry: country, ...rest });
      }
    }
  }

  const consistency: ConsistencyRow[] = [];
  for (const key of [...para.keys()].sort()) {
    const [model, language, template] = key.split(SEP);
    const byParaphrase = para.get(key) as Map<number, Map<string, number[]>>;
    const scores: ParaphraseScores = new Map();
    for (const [p, items] of byParaphrase) scores.set(p, new Map([...items].map(([id, v]) => [id, mean(v)])));
    const { meanSpearman, pairs } = meanPairwiseSpearman(scores);
    const items = itemDispersion(scores).map((d) => ({ ...d, title: (itemsById.get(d.itemId) as AnalysisItem).title }));
    consistency.push({ model, language, template, meanSpearman, pairs, items });
  }

  // Option-order bias: identical requests except original vs reversed order, averaged per item.
  const shifts = new Map<string, number[]>();
  for (const slot of byOrder.values()) {
    if (!slot.original || !slot.reversed) continue;
    const r = slot.original;
    const k = [r.model, r.language, r.itemId].join(SEP);
    shifts.set(k, [...(shifts.get(k) ?? []), slot.reversed.mean - slot.original.mean]);
  }
  const positionBias: PositionBiasRow[] = [...shifts.keys()].sort().map((k) => {
    const [model, language, itemId] = k.split(SEP);
    return { model, language, itemId, shift: mean(shifts.get(k) as number[]) };
  });

  return {
    generatedAt: new Date().toISOString(),
    filter: { ...filter },
    models: sortedUnique(allResults.map((r) => r.model)),
    languages: sortedUnique(results.map((r) => r.language)),
    templates: sortedUnique(allResults.map((r) => r.template)),
    methods: sortedUnique(allResults.map((r) => r.method)),
    categories: sortedUnique([...categoriesUsed, ...input.items.map((i) => i.category)]),
    alignment,
    scatter,
    byCategory,
    consistency,
    usBias: usBiasRows,
    positionBias,
    counts: { results: results.length, failures, items: input.items.length, humanRows: input.human.rows.length },
  };
}

export interface AcrossCountriesRow {
  model: string;
  itemId: string;
  title: string;
  measure: 'mean' | 'share';
  /** One point per prompt language: the model's score in it vs its local country's human score. */
  points: { language: string; country: string; modelScore: number; humanScore: number }[];
  pearson: CorrelationStat | null;
}

/**
 * First seed's per-item view: for each (model, item), Pearson r over countries between the model's score
 * and the human score, where each prompt language stands for its first mapped country. With four prompt
 * languages n is at most 4, so p-values are weak; not part of AnalysisReport (no panel view yet).
 */
export function alignmentAcrossCountries(input: AnalyzeInput): AcrossCountriesRow[] {
  const { itemsById, human, base, measureFor } = prepare(input);
  const byModelItem = new Map<string, AcrossCountriesRow['points']>();
  const measures = new Map<string, 'mean' | 'share'>();
  for (const key of [...base.keys()].sort()) {
    const [model, language] = key.split(SEP);
    const country = input.languageCountries[language]?.[0];
    if (!country) continue;
    const measure = measureFor(country);
    for (const [itemId, list] of base.get(key) as Map<string, Scores[]>) {
      const item = itemsById.get(itemId) as AnalysisItem;
      const row = human.find(country, item, language);
      const h = measure === 'mean' ? humanMean(row, item) : humanShare(row, item);
      const m = mean(list.map((s) => s[measure]));
      if (!Number.isFinite(h) || !Number.isFinite(m)) continue;
      const k = `${model}${SEP}${itemId}`;
      const prev = measures.get(k);
      if (prev && prev !== measure) continue; // never mix means and shares in one correlation
      measures.set(k, measure);
      byModelItem.set(k, [...(byModelItem.get(k) ?? []), { language, country, modelScore: m, humanScore: h }]);
    }
  }
  return [...byModelItem.keys()].sort().map((k) => {
    const [model, itemId] = k.split(SEP);
    const points = byModelItem.get(k) as AcrossCountriesRow['points'];
    return {
      model,
      itemId,
      title: (itemsById.get(itemId) as AnalysisItem).title,
      measure: measures.get(k) ?? 'mean',
      points,
      pearson: pearson(
        points.map((p) => p.modelScore),
        points.map((p) => p.humanScore),
      ),
    };
  });
}
