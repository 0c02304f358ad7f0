// Checks a StudyAnalysis arriving in the webview (a `study` message, or the data-study attribute of an HTML
// report that may be old or hand-edited) and rebuilds it with exactly the declared fields and types, so the
// views never meet a field of the wrong type. A row that lacks a required field is dropped and counted
// (shown in the study header), never silently. Pure, no Node or DOM APIs (both bundles may import it).
import type {
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
  TestGrid,
} from '../core/study/analysisTypes';
import type { AttributeValue } from '../core/study/types';
import type { SelectionCounts, SkipReason } from '../core/corpus/types';

/** Longest string kept (model ids, country codes, categories); longer values make their row invalid. */
export const MAX_TEXT = 2000;

export interface ParsedStudy {
  analysis: StudyAnalysis;
  /** Rows left out because a required field was missing or of the wrong type, per list. */
  dropped: Record<string, number>;
}

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= MAX_TEXT;
const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const count = (v: unknown): number => (finite(v) && v >= 0 ? Math.floor(v) : 0);
const numOrNull = (v: unknown): number | null => (finite(v) ? v : null);
const probability = (v: unknown): number | null => (finite(v) && v >= 0 && v <= 1 ? v : null);
const textOrNull = (v: unknown): string | null | undefined => (v === null ? null : text(v) ? v : undefined);
const oneOf = <T extends string>(v: unknown, values: readonly T[]): v is T =>
  typeof v === 'string' && (values as readonly string[]).includes(v);
const attributeValue = (v: unknown): v is AttributeValue => text(v) || finite(v) || typeof v === 'boolean';

/** An Estimate, or null when `v` is null or not one (a non-finite estimate included). */
export function parseEstimate(v: unknown): Estimate | null {
  if (!isObject(v) || !finite(v.estimate)) return null;
  const ci =
    Array.isArray(v.ci) && v.ci.length === 2 && finite(v.ci[0]) && finite(v.ci[1]) ? ([v.ci[0], v.ci[1]] as [number, number]) : null;
  const out: Estimate = { estimate: v.estimate, ci, p: probability(v.p) };
  if ('pHolm' in v) out.pHolm = probability(v.pHolm);
  if ('pBH' in v) out.pBH = probability(v.pBH);
  return out;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter(text) : [];
}

/** Maps a list with `parse`, counting the entries it rejects under `name`. */
function list<T>(v: unknown, name: string, dropped: Record<string, number>, parse: (row: Obj) => T | undefined): T[] {
  if (!Array.isArray(v)) return [];
  const out: T[] = [];
  for (const entry of v) {
    const row = isObject(entry) ? parse(entry) : undefined;
    if (row === undefined) dropped[name] = (dropped[name] ?? 0) + 1;
    else out.push(row);
  }
  return out;
}

function alignmentRow(r: Obj): AlignmentRow | undefined {
  const country = textOrNull(r.country);
  const category = textOrNull(r.category);
  if (!text(r.model) || !text(r.language) || !text(r.reference) || country === undefined || category === undefined) return undefined;
  if (!oneOf(r.level, ['item', 'response'] as const) || !oneOf(r.measure, ['mean', 'pro'] as const)) return undefined;
  return {
    model: r.model,
    language: r.language,
    country,
    reference: r.reference,
    level: r.level,
    measure: r.measure,
    category,
    n: count(r.n),
    pearson: parseEstimate(r.pearson),
    spearman: parseEstimate(r.spearman),
  };
}

function regionRow(r: Obj): RegionRow | undefined {
  if (
    !text(r.model) ||
    !text(r.language) ||
    !text(r.region) ||
    !oneOf(r.measure, ['mean', 'pro'] as const) ||
    !oneOf(r.scheme, ['region', 'subregion'] as const)
  )
    return undefined;
  return {
    model: r.model,
    language: r.language,
    measure: r.measure,
    region: r.region,
    scheme: r.scheme,
    countries: strings(r.countries),
    meanPearson: numOrNull(r.meanPearson),
    meanSpearman: numOrNull(r.meanSpearman),
  };
}

function consistencyRow(r: Obj): ConsistencyRow | undefined {
  if (!text(r.model) || !text(r.language) || !oneOf(r.definition, ['paraphrase-vectors', 'response-pairs'] as const)) return undefined;
  return { model: r.model, language: r.language, definition: r.definition, pairs: count(r.pairs), value: parseEstimate(r.value) };
}

function biasRow(r: Obj): BiasRow | undefined {
  if (!text(r.model) || !text(r.language) || !oneOf(r.definition, ['item-pearson', 'response-spearman'] as const)) return undefined;
  return {
    model: r.model,
    language: r.language,
    definition: r.definition,
    local: strings(r.local),
    localR: numOrNull(r.localR),
    usR: numOrNull(r.usR),
    difference: parseEstimate(r.difference),
  };
}

function distanceRow(r: Obj): DistanceRow | undefined {
  if (!text(r.model) || !text(r.language) || !text(r.reference) || !text(r.itemId)) return undefined;
  if (!finite(r.jsd) || !finite(r.wasserstein) || !finite(r.uniformJsd) || !finite(r.uniformWasserstein)) return undefined;
  const out: DistanceRow = {
    model: r.model,
    language: r.language,
    reference: r.reference,
    itemId: r.itemId,
    jsd: r.jsd,
    wasserstein: r.wasserstein,
    uniformJsd: r.uniformJsd,
    uniformWasserstein: r.uniformWasserstein,
  };
  const country = textOrNull(r.country);
  if (country !== undefined) out.country = country;
  return out;
}

function positionBiasRow(r: Obj): PositionBiasRow | undefined {
  const totalVariation = parseEstimate(r.totalVariation);
  if (!text(r.model) || !text(r.language) || !finite(r.k) || !finite(r.uniform) || !totalVariation || !Array.isArray(r.positions))
    return undefined;
  const positions: PositionBiasRow['positions'] = [];
  for (const p of r.positions as unknown[]) {
    const share = isObject(p) ? parseEstimate(p.share) : null;
    if (!isObject(p) || !share || !finite(p.position) || !finite(p.excess)) return undefined;
    positions.push({ position: p.position, share, excess: p.excess });
  }
  return {
    model: r.model,
    language: r.language,
    k: count(r.k),
    orders: strings(r.orders),
    responses: count(r.responses),
    items: count(r.items),
    uniform: r.uniform,
    positions,
    totalVariation,
  };
}

function firstTokenRow(r: Obj): FirstTokenTextRow | undefined {
  if (!text(r.model) || !text(r.language)) return undefined;
  const disagreements: FirstTokenTextRow['disagreements'] = [];
  for (const d of Array.isArray(r.disagreements) ? (r.disagreements as unknown[]) : []) {
    if (!isObject(d) || !text(d.itemId) || !text(d.template) || !finite(d.firstToken) || !finite(d.text)) continue;
    const country = textOrNull(d.country);
    disagreements.push({
      itemId: d.itemId,
      template: d.template,
      paraphrase: finite(d.paraphrase) ? d.paraphrase : null,
      country: country === undefined ? null : country,
      order: text(d.order) ? d.order : 'original',
      firstToken: d.firstToken,
      text: d.text,
    });
  }
  return {
    model: r.model,
    language: r.language,
    pairs: count(r.pairs),
    agreement: numOrNull(r.agreement),
    meanAbsDifference: numOrNull(r.meanAbsDifference),
    unparsed: count(r.unparsed),
    disagreements,
  };
}

function contrastRow(r: Obj): ContrastRow | undefined {
  const difference = parseEstimate(r.difference);
  if (!difference || !text(r.a) || !text(r.b) || !oneOf(r.factor, ['language', 'model', 'reference'] as const)) return undefined;
  if (!oneOf(r.measure, ['mean', 'pro'] as const) || !oneOf(r.statistic, ['pearson', 'spearman'] as const)) return undefined;
  const within: Record<string, string> = {};
  if (isObject(r.within)) for (const [k, v] of Object.entries(r.within)) if (text(k) && text(v)) within[k] = v;
  return { factor: r.factor, a: r.a, b: r.b, within, measure: r.measure, statistic: r.statistic, difference };
}

function attributeGroupRow(r: Obj): AttributeGroupRow | undefined {
  if (!text(r.attribute) || !attributeValue(r.value) || !text(r.language)) return undefined;
  const out: AttributeGroupRow = {
    attribute: r.attribute,
    value: r.value,
    language: r.language,
    models: strings(r.models),
    meanPearson: numOrNull(r.meanPearson),
    meanSpearman: numOrNull(r.meanSpearman),
  };
  if (oneOf(r.measure, ['mean', 'pro'] as const)) out.measure = r.measure;
  if (oneOf(r.basis, ['countries', 'pooled'] as const)) out.basis = r.basis;
  return out;
}

function testGrid(r: Obj): TestGrid | undefined {
  if (!text(r.grid)) return undefined;
  const adjust = Array.isArray(r.adjust) ? r.adjust.filter((a): a is 'holm' | 'BH' => a === 'holm' || a === 'BH') : [];
  return { grid: r.grid, tests: count(r.tests), adjust };
}

function fit(r: Obj): (FitOutput & { name: string }) | undefined {
  if (!text(r.name) || !text(r.formula) || !Array.isArray(r.fixed)) return undefined;
  const fixed = r.fixed
    .filter(isObject)
    .filter((t) => text(t.term))
    .map((t) => ({ term: t.term as string, estimate: numOrNull(t.estimate) ?? NaN, se: numOrNull(t.se) ?? NaN, t: numOrNull(t.t) ?? NaN }));
  const random = Array.isArray(r.random)
    ? r.random
        .filter(isObject)
        .filter((g) => text(g.group) && text(g.term))
        .map((g) => ({ group: g.group as string, term: g.term as string, variance: numOrNull(g.variance) ?? NaN }))
    : [];
  const blups: Record<string, Record<string, number>> = {};
  if (isObject(r.blups)) {
    for (const [group, levels] of Object.entries(r.blups)) {
      if (!isObject(levels)) continue;
      blups[group] = {};
      for (const [level, v] of Object.entries(levels)) if (finite(v)) blups[group][level] = v;
    }
  }
  return {
    name: r.name,
    formula: r.formula,
    n: count(r.n),
    fixed,
    random,
    residualVariance: numOrNull(r.residualVariance) ?? NaN,
    logLik: numOrNull(r.logLik) ?? NaN,
    blups,
  };
}

const SKIP_REASONS: readonly SkipReason[] = ['failure', 'unknown-item', 'no-measure', 'filtered', 'bad-line', 'deleted-run'];

function selectionCounts(v: unknown): SelectionCounts {
  const c = isObject(v) ? v : {};
  const skipped: SelectionCounts['skipped'] = {};
  if (isObject(c.skipped)) for (const reason of SKIP_REASONS) if (finite(c.skipped[reason])) skipped[reason] = count(c.skipped[reason]);
  return { read: count(c.read), used: count(c.used), superseded: count(c.superseded), stale: count(c.stale), skipped };
}

/**
 * A well-typed copy of a StudyAnalysis, or undefined when `value` is not an object with a study name.
 * Never throws, whatever `value` is (getters and proxies included).
 */
export function parseStudyAnalysis(value: unknown): ParsedStudy | undefined {
  try {
    return parseUnsafe(value);
  } catch {
    return undefined;
  }
}

function parseUnsafe(v: unknown): ParsedStudy | undefined {
  if (!isObject(v) || !text(v.study)) return undefined;
  const dropped: Record<string, number> = {};
  const models = list(v.models, 'models', dropped, (m) => {
    if (!text(m.id)) return undefined;
    const attributes: Record<string, AttributeValue> = {};
    if (isObject(m.attributes)) for (const [k, a] of Object.entries(m.attributes)) if (text(k) && attributeValue(a)) attributes[k] = a;
    return { id: m.id, attributes };
  });
  const bootstrap = isObject(v.bootstrap) ? v.bootstrap : {};
  const analysis: StudyAnalysis = {
    study: v.study,
    generatedAt: typeof v.generatedAt === 'string' ? v.generatedAt.slice(0, 64) : '',
    counts: selectionCounts(v.counts),
    rule: v.rule === 'pool' ? 'pool' : 'latest',
    models,
    languages: strings(v.languages),
    alignment: list(v.alignment, 'alignment', dropped, alignmentRow),
    regions: list(v.regions, 'regions', dropped, regionRow),
    consistency: list(v.consistency, 'consistency', dropped, consistencyRow),
    usBias: list(v.usBias, 'usBias', dropped, biasRow),
    distances: list(v.distances, 'distances', dropped, distanceRow),
    contrasts: list(v.contrasts, 'contrasts', dropped, contrastRow),
    attributeGroups: list(v.attributeGroups, 'attributeGroups', dropped, attributeGroupRow),
    tests: list(v.tests, 'tests', dropped, testGrid),
    fits: list(v.fits, 'fits', dropped, fit),
    bootstrap: { iterations: count(bootstrap.iterations), seed: finite(bootstrap.seed) ? bootstrap.seed : 0 },
  };
  // Optional parts (option orders as a factor; the first-token-vs-text check): only when the analysis has them.
  if (Array.isArray(v.positionBias)) analysis.positionBias = list(v.positionBias, 'positionBias', dropped, positionBiasRow);
  if (Array.isArray(v.firstTokenText)) analysis.firstTokenText = list(v.firstTokenText, 'firstTokenText', dropped, firstTokenRow);
  return { analysis, dropped };
}
