// The mixed models a study declares (`analysis.fits`), fitted on the tables its analysis produces, so that a
// study re-runs its regression with one command. Tables:
//   'alignment'  — one row per alignment figure (all categories): model, language, country, reference,
//                  level, measure, n, pearson, spearman, and every model attribute (family, size, chat …);
//   'regression' — the second seed's table (model × language × bootstrap round: alignment, consistency,
//                  multilingual, family; regressionTable.ts), which needs the fit's `benchmarks` file;
//   a path       — any tidy CSV (relative to the study file).
// A fit that cannot be made is reported with its reason in place of estimates, never silently skipped.

import { promises as fs } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { ResponseUnit } from '../corpus/types';
import { readTable } from '../data/csv';
import type { DataRow } from '../stats/design';
import { fitFormula, tableRows } from '../stats/fit';
import type { FitOutput, StudyAnalysis } from './analysisTypes';
import { benchmarkScores, regressionTable } from './regressionTable';
import type { ReferenceLookup } from './reference';
import type { Study } from './types';

export type StudyFit = FitOutput & { name: string; table: string; error?: string };

/** Alignment rows (over all categories) with each model's attributes as columns. */
export function alignmentTable(analysis: Pick<StudyAnalysis, 'alignment' | 'models'>): DataRow[] {
  const attributes = new Map(analysis.models.map((m) => [m.id, m.attributes]));
  return analysis.alignment
    .filter((r) => r.category === null)
    .map((r) => {
      const row: Record<string, string | number | null> = {
        model: r.model,
        language: r.language,
        country: r.country ?? '',
        reference: r.reference,
        level: r.level,
        measure: r.measure,
        n: r.n,
        pearson: r.pearson?.estimate ?? null,
        spearman: r.spearman?.estimate ?? null,
      };
      for (const [k, v] of Object.entries(attributes.get(r.model) ?? {})) if (!(k in row)) row[k] = typeof v === 'boolean' ? String(v) : v;
      return row;
    });
}

const failed = (name: string, table: string, formula: string, error: string): StudyFit => ({
  name,
  table,
  formula,
  n: 0,
  fixed: [],
  random: [],
  residualVariance: NaN,
  logLik: NaN,
  blups: {},
  error,
});

export async function studyFits(
  study: Study,
  analysis: Pick<StudyAnalysis, 'alignment' | 'models'>,
  units: readonly ResponseUnit[],
  lookup: ReferenceLookup,
): Promise<{ fits: StudyFit[]; regression?: DataRow[] }> {
  const fits: StudyFit[] = [];
  let regression: DataRow[] | undefined;
  for (const spec of study.analysis.fits) {
    try {
      let rows: DataRow[];
      if (spec.table === 'alignment') rows = alignmentTable(analysis);
      else if (spec.table === 'regression') {
        if (!spec.benchmarks) throw new Error('the regression table needs "benchmarks": a file of model, benchmark, language, score');
        if (!regression) {
          const scores = benchmarkScores(await fs.readFile(spec.benchmarks));
          const family = new Map(study.models.map((m) => [m.id, m.attributes.family]));
          regression = regressionTable(units, lookup, {
            rounds: study.analysis.bootstrap.iterations,
            seed: study.analysis.bootstrap.seed,
            multilingual: scores.score,
            family: (model) => (typeof family.get(model) === 'string' ? (family.get(model) as string) : undefined),
          }).rows;
        }
        rows = regression;
      } else rows = tableRows(readTable(await fs.readFile(resolve(dirname(study.path), spec.table))));
      const fit = fitFormula(spec.formula, rows);
      fits.push({
        name: spec.name,
        table: spec.table,
        formula: fit.formula,
        n: fit.n,
        fixed: fit.fixed,
        random: fit.random,
        residualVariance: fit.residualVariance,
        logLik: fit.logLik,
        blups: fit.blups,
      });
    } catch (error) {
      fits.push(failed(spec.name, spec.table, spec.formula, error instanceof Error ? error.message : String(error)));
    }
  }
  return { fits, ...(regression ? { regression } : {}) };
}
