// The study analysis refreshed per model (issue 17): every bootstrap restarts from the study's seed, so a
// model's rows computed from its units alone equal its rows in a full analysis. Units of a model whose
// selection did not change since the last refresh (same unit objects, same order: the selector hands out
// the units it keeps) reuse the rows computed then; only changed models are analysed again. What is derived
// across models (models, languages, regions, attribute groups, the adjustment grids) is recomputed from the
// merged rows. Contrasts pool models (factor 'model'): their samples are kept per model but the contrast
// bootstraps run in full on every refresh. Order averaging orders rows by first occurrence across models:
// recomputed in full (no bootstrap; returns at once on single-order selections). The result deep-equals
// analyzeStudy on the same selection (test/unit/study/incremental-analysis.test.ts).
import type { ResponseUnit, Selection } from '../corpus/types';
import type { HumanReference } from '../data/types';
import { alignmentRows, byModelLanguage, unitValue } from './alignment';
import type { AlignmentRow, BiasRow, ConsistencyRow, DistanceRow, PositionBiasRow, StudyAnalysis } from './analysisTypes';
import { alignmentGrids, languagesOf, modelsOf, withProShares } from './analyze';
import { usBiasRows } from './bias';
import { consistencyRowsOf } from './consistency';
import { adjustGrid, alignmentSamples, contrastRows, type AlignmentSample } from './contrasts';
import { distanceRows } from './distances';
import { orderAveragedRows, positionBiasRows } from './positions';
import { humanLookup, type ItemScale } from './reference';
import { attributeGroupRows, regionRows } from './regions';
import type { Study } from './types';

/** One model's rows, as a full analysis lays them out for that model alone. */
interface ModelParts {
  units: readonly ResponseUnit[];
  alignment: AlignmentRow[];
  /** Per measure (the study's order): bias rows carry no measure, so they are kept apart. */
  usBias: BiasRow[][];
  /** Per measure, likewise. */
  consistency: ConsistencyRow[][];
  distances: DistanceRow[];
  positionBias: PositionBiasRow[];
  samples: AlignmentSample[];
}

export interface IncrementalAnalysisInput {
  human: HumanReference;
  study: Study;
  scales?: Record<string, ItemScale>;
  /** Called for each model whose rows are computed (tests count the work done). */
  onModel?: (model: string) => void;
}

export interface IncrementalAnalyzer {
  analyze(selection: Selection, generatedAt?: string): StudyAnalysis;
}

const sameUnits = (a: readonly ResponseUnit[], b: readonly ResponseUnit[]): boolean =>
  a.length === b.length && a.every((u, i) => u === b[i]);

export function incrementalAnalyzer(input: IncrementalAnalysisInput): IncrementalAnalyzer {
  const { study, scales } = input;
  const spec = study.analysis;
  const human = humanLookup(input.human, { scales });
  const lookup = human.value;
  let cache = new Map<string, ModelParts>();

  const compute = (model: string, raw: readonly ResponseUnit[]): ModelParts => {
    input.onModel?.(model);
    const units = withProShares(raw, scales);
    const consistency = consistencyRowsOf(units, spec.measures, spec.bootstrap);
    // consistencyRowsOf lays out measure by measure, two rows per model × language cell with a value.
    const perMeasure: ConsistencyRow[][] = [];
    let at = 0;
    for (const measure of spec.measures) {
      const cells = byModelLanguage(units, (u) => unitValue(u, measure) !== undefined).size;
      perMeasure.push(consistency.slice(at, (at += 2 * cells)));
    }
    return {
      units: raw,
      alignment: alignmentRows(units, lookup, {
        levels: spec.levels,
        measures: spec.measures,
        references: spec.references,
        languageCountries: study.languageCountries,
        bootstrap: spec.bootstrap,
      }),
      usBias: spec.measures.map((measure) => usBiasRows(units, lookup, study, { measure, bootstrap: spec.bootstrap })),
      consistency: perMeasure,
      distances: distanceRows(units, human, { references: spec.references, languageCountries: study.languageCountries, scales }),
      positionBias: positionBiasRows(units, { bootstrap: spec.bootstrap }),
      samples: spec.contrasts.length
        ? alignmentSamples(units, lookup, {
            levels: spec.levels,
            measures: spec.measures,
            references: spec.references,
            languageCountries: study.languageCountries,
          })
        : [],
    };
  };

  return {
    analyze(selection, generatedAt) {
      const byModel = new Map<string, ResponseUnit[]>();
      for (const u of selection.units) {
        const list = byModel.get(u.modelId);
        if (list) list.push(u);
        else byModel.set(u.modelId, [u]);
      }
      const next = new Map<string, ModelParts>();
      for (const [model, units] of byModel) {
        const prev = cache.get(model);
        next.set(model, prev && sameUnits(prev.units, units) ? prev : compute(model, units));
      }
      cache = next;
      // Every per-model table of a full analysis is ordered by model id first (conditions and cells sort
      // by keys that start with it).
      const parts = [...next.keys()].sort().map((m) => next.get(m) as ModelParts);
      // Copies: adjustGrid writes adjusted p into the Estimates, and kept rows must not change under an
      // analysis already handed out.
      const alignment = structuredClone(parts.flatMap((p) => p.alignment));
      const models = modelsOf(study, selection.units);
      const tests = alignmentGrids(alignment, spec.adjust);
      const usBias: BiasRow[] = [];
      spec.measures.forEach((measure, m) => {
        const rows = structuredClone(parts.flatMap((p) => p.usBias[m]));
        usBias.push(...rows);
        const grid = adjustGrid(
          rows.map((r) => r.difference),
          `usBias:${measure}`,
          spec.adjust,
        );
        if (grid.tests) tests.push(grid);
      });
      let contrasts: StudyAnalysis['contrasts'] = [];
      if (spec.contrasts.length) {
        const out = contrastRows(
          parts.flatMap((p) => p.samples),
          spec.contrasts,
          { bootstrap: spec.bootstrap, adjust: spec.adjust },
        );
        contrasts = out.rows;
        tests.push(out.grid);
      }
      return {
        study: study.name,
        generatedAt: generatedAt ?? new Date().toISOString(),
        counts: selection.counts,
        rule: selection.rule,
        models,
        languages: languagesOf(study, selection.units),
        alignment,
        regions: regionRows(alignment),
        consistency: spec.measures.flatMap((_, m) => parts.flatMap((p) => p.consistency[m])),
        usBias,
        distances: parts.flatMap((p) => p.distances),
        contrasts,
        attributeGroups: attributeGroupRows(alignment, models),
        tests,
        fits: [],
        bootstrap: { ...spec.bootstrap },
        orderAveraged: orderAveragedRows(selection.units),
        positionBias: parts.flatMap((p) => p.positionBias),
      };
    },
  };
}
