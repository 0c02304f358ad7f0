// One study analysis (StudyAnalysis) from a selection of responses and the human reference: alignment
// rows, region and attribute means, distribution distances, and the multiplicity grids. The CLI, the report
// and the panel all call this, so every view shows figures from one code path (docs/analyses.md).
import type { ResponseUnit, Selection } from '../corpus/types';
import type { HumanReference } from '../data/types';
import { proShare } from '../stats/share';
import { alignmentRows } from './alignment';
import type { AlignmentRow, Estimate, StudyAnalysis, TestGrid } from './analysisTypes';
import { distanceRows } from './distances';
import { humanLookup, type ItemScale, type ReferenceLookup } from './reference';
import { usBiasRows } from './bias';
import { consistencyRowsOf } from './consistency';
import { adjustGrid, alignmentSamples, contrastRows } from './contrasts';
import { attributeGroupRows, regionRows } from './regions';
import { orderAveragedRows, positionBiasRows } from './positions';
import type { AttributeValue, LoadedStudy, Study } from './types';

export interface AnalyzeStudyInput {
  selection: Selection;
  human: HumanReference;
  study: Study;
  /** Replaces the human lookup (tests, or a caller that resolves references itself). */
  lookupOverride?: ReferenceLookup;
  /** Item key → scale: pro shares from distributions (model and human side) and distance positions. */
  scales?: Record<string, ItemScale>;
  /** ISO time for `generatedAt` (default now), so that a re-run can be byte-identical. */
  generatedAt?: string;
  /** Mixed-model fits the caller computed on the analysis' tables (analysis.fits), passed through. */
  fits?: StudyAnalysis['fits'];
}

/**
 * Item key (the item's `key:`, else its id) → scale, from a loaded study's surveys: what analyzeStudy's
 * `scales` wants. Items without a resolved scale are left out.
 */
export function studyScales(surveys: LoadedStudy['surveys']): Record<string, ItemScale> {
  const out: Record<string, ItemScale> = {};
  for (const { file } of surveys) {
    for (const item of file.items) {
      if (!item.scale) continue;
      const scale = { min: item.scale.min, max: item.scale.max, reversed: item.scale.reversed };
      out[item.dataKey?.value || item.id] = scale;
      out[item.id] ??= scale;
    }
  }
  return out;
}

/**
 * Units with the pro share filled in where the unit has an option distribution and its item's scale is
 * known (the second seed's pro rule, src/core/stats/share.ts); units that already carry one keep it.
 */
export function withProShares(units: readonly ResponseUnit[], scales: Record<string, ItemScale> | undefined): ResponseUnit[] {
  if (!scales) return [...units];
  const byKey = new Map(Object.entries(scales).map(([k, s]) => [k.toUpperCase(), s]));
  return units.map((u) => {
    if (u.pro !== undefined || !u.probabilities) return u;
    const scale = byKey.get(u.itemKey.toUpperCase());
    if (!scale) return u;
    const pro = proShare(u.probabilities, scale.max, scale.reversed);
    return Number.isFinite(pro) ? { ...u, pro } : u;
  });
}

/** Models of the analysis: the study's, then any the corpus holds that the study does not list. */
export function modelsOf(study: Study, units: readonly ResponseUnit[]): StudyAnalysis['models'] {
  const out = new Map<string, Record<string, AttributeValue>>();
  for (const m of study.models) out.set(m.id, { chat: m.kind === 'chat', ...m.attributes });
  for (const u of units) if (!out.has(u.modelId)) out.set(u.modelId, { ...u.modelAttributes });
  return [...out].map(([id, attributes]) => ({ id, attributes }));
}

/**
 * Holm and BH across each grid of alignment tests (level × measure × statistic): every row's p with a
 * value counts as one test; the adjusted p is written into the row's Estimate (adjustGrid, contrasts.ts).
 */
export function alignmentGrids(rows: readonly AlignmentRow[], adjust: readonly ('holm' | 'BH')[]): TestGrid[] {
  const grids = new Map<string, Estimate[]>();
  for (const r of rows) {
    for (const stat of ['pearson', 'spearman'] as const) {
      const e = r[stat];
      if (!e) continue;
      const k = `alignment:${r.level}:${r.measure}:${stat}`;
      const list = grids.get(k);
      if (list) list.push(e);
      else grids.set(k, [e]);
    }
  }
  return [...grids.keys()].sort().map((grid) => adjustGrid(grids.get(grid) as Estimate[], grid, adjust));
}

/** Languages of the analysis: the study's that the units hold, in its order, then any others sorted. */
export function languagesOf(study: Study, units: readonly ResponseUnit[]): string[] {
  const seen = new Set(units.map((u) => u.language));
  return [...study.languages.filter((l) => seen.has(l)), ...[...seen].filter((l) => !study.languages.includes(l)).sort()];
}

export function analyzeStudy(input: AnalyzeStudyInput): StudyAnalysis {
  const { selection, study } = input;
  const spec = study.analysis;
  const human = humanLookup(input.human, { scales: input.scales });
  const lookup = input.lookupOverride ?? human.value;
  const units = withProShares(selection.units, input.scales);
  const models = modelsOf(study, units);
  const languages = languagesOf(study, units);
  const alignment = alignmentRows(units, lookup, {
    levels: spec.levels,
    measures: spec.measures,
    references: spec.references,
    languageCountries: study.languageCountries,
    bootstrap: spec.bootstrap,
  });
  const tests = alignmentGrids(alignment, spec.adjust);
  const usBias: StudyAnalysis['usBias'] = [];
  for (const measure of spec.measures) {
    const rows = usBiasRows(units, lookup, study, { measure, bootstrap: spec.bootstrap });
    usBias.push(...rows);
    const grid = adjustGrid(
      rows.map((r) => r.difference),
      `usBias:${measure}`,
      spec.adjust,
    );
    if (grid.tests) tests.push(grid);
  }
  let contrasts: StudyAnalysis['contrasts'] = [];
  if (spec.contrasts.length) {
    const samples = alignmentSamples(units, lookup, {
      levels: spec.levels,
      measures: spec.measures,
      references: spec.references,
      languageCountries: study.languageCountries,
    });
    const out = contrastRows(samples, spec.contrasts, { bootstrap: spec.bootstrap, adjust: spec.adjust });
    contrasts = out.rows;
    tests.push(out.grid);
  }
  return {
    study: study.name,
    generatedAt: input.generatedAt ?? new Date().toISOString(),
    counts: selection.counts,
    rule: selection.rule,
    models,
    languages,
    alignment,
    regions: regionRows(alignment),
    consistency: consistencyRowsOf(units, spec.measures, spec.bootstrap),
    usBias,
    distances: distanceRows(units, human, {
      references: spec.references,
      languageCountries: study.languageCountries,
      scales: input.scales,
    }),
    contrasts,
    attributeGroups: attributeGroupRows(alignment, models),
    tests,
    fits: input.fits ?? [],
    bootstrap: { ...spec.bootstrap },
    orderAveraged: orderAveragedRows(units),
    positionBias: positionBiasRows(units, { bootstrap: spec.bootstrap }),
  };
}
