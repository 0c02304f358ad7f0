// lme4 formula + tidy rows → REML fit, in the FitOutput shape of the study analysis. Parsing is in
// formula.ts, model matrices in design.ts, the REML criterion and optimiser in mixed.ts (docs/fit.md).
import type { FitOutput } from '../study/analysisTypes';
import type { Table } from '../data/csv';
import { parseLocaleNumber } from '../data/numbers';
import { modelMatrix, prepareData, type DataRow } from './design';
import { parseFormula } from './formula';
import { fitLmm, type MixedResult, type RandomBlock } from './mixed';

export { FormulaError } from './formula';
export { ConvergenceError, ModelDataError } from './mixed';

export interface FormulaFit extends FitOutput {
  /** Rows dropped because a used column was missing (empty or NA), and the count per column. */
  dropped: number;
  missingBy: Record<string, number>;
  /** A variance component on the boundary (a template diagonal < 1e-4, lme4's isSingular rule). */
  singular: boolean;
  /** Covariances and correlations between the effects of one term (random slopes only). */
  covariances: { group: string; terms: [string, string]; covariance: number; correlation: number }[];
  /** REML criterion (−2 × logLik), θ at the optimum, and the criterion's evaluation count. */
  remlCriterion: number;
  theta: number[];
  evaluations: number;
  /** Fixed-effects covariance matrix, rows and columns in `fixed` order. */
  vcov: number[][];
  /** Cautions about a fit that converged, e.g. a flat ridge in θ (lme4's "nearly unidentifiable"). */
  warnings: string[];
  /** Number of levels per random-effects term, keyed like `random[].group`. */
  groupLevels: Record<string, number>;
}

/**
 * Fits an lme4 formula by REML to tidy rows (numbers or strings; empty/NA cells are missing). Throws
 * FormulaError for a formula it does not support or that does not fit the columns, ModelDataError for a
 * design that cannot be fitted (rank deficient, too few observations), ConvergenceError when the
 * optimiser does not converge.
 */
export function fitFormula(formula: string, rows: readonly DataRow[]): FormulaFit {
  const parsed = parseFormula(formula);
  const groups = parsed.random.map((r) => r.group);
  const used = [...new Set([parsed.response, ...parsed.fixed.variables, ...parsed.random.flatMap((r) => r.effects.variables), ...groups])];
  const data = prepareData(rows, used, { factors: new Set(groups), numeric: new Set([parsed.response]) });
  const response = data.columns.get(parsed.response);
  if (response?.kind !== 'numeric') throw new Error('unreachable: the response is checked numeric');
  const fixed = modelMatrix(parsed.fixed, data.columns, data.n);
  // lme4 orders the random-effects terms by decreasing number of levels (stable), then names a second
  // term on the same grouping factor g.1, g.2 … as VarCorr prints them.
  const terms = parsed.random
    .map((r, i) => ({ r, i, levels: (data.columns.get(r.group) as { levels: string[] }).levels.length }))
    .sort((a, b) => b.levels - a.levels || a.i - b.i);
  const seen = new Map<string, number>();
  const blocks: RandomBlock[] = terms.map(({ r }) => {
    const g = data.columns.get(r.group);
    if (g?.kind !== 'factor') throw new Error('unreachable: grouping factors are factors');
    const count = seen.get(r.group) ?? 0;
    seen.set(r.group, count + 1);
    const effects = modelMatrix(r.effects, data.columns, data.n);
    return {
      group: count ? `${r.group}.${count}` : r.group,
      factor: r.group,
      levels: g.levels,
      codes: g.codes,
      columns: effects.columns,
      Z: effects.X,
    };
  });
  const fit = fitLmm({ y: response.values, X: fixed.X, columns: fixed.columns, blocks });
  return toOutput(parsed.text, fixed.columns, blocks, fit, data.dropped, data.missingBy);
}

function toOutput(
  formula: string,
  columns: string[],
  blocks: RandomBlock[],
  fit: MixedResult,
  dropped: number,
  missingBy: Record<string, number>,
): FormulaFit {
  const random: FitOutput['random'] = [];
  const covariances: FormulaFit['covariances'] = [];
  const blups: FitOutput['blups'] = {};
  const groupLevels: Record<string, number> = {};
  blocks.forEach((b, t) => {
    groupLevels[b.group] = b.levels.length;
    const cov = fit.components[t].covariance;
    b.columns.forEach((term, k) => random.push({ group: b.group, term, variance: cov[k][k] }));
    for (let c = 0; c < b.columns.length; c++) {
      for (let r = c + 1; r < b.columns.length; r++) {
        const denom = Math.sqrt(cov[r][r] * cov[c][c]);
        covariances.push({
          group: b.group,
          terms: [b.columns[c], b.columns[r]],
          covariance: cov[r][c],
          correlation: denom > 0 ? cov[r][c] / denom : Number.NaN,
        });
      }
    }
    b.columns.forEach((term, k) => {
      // Keyed by grouping column ("g" for intercepts, "g|x" for slopes); a repeated key (two intercept
      // terms on one column) falls back to the term's name g.1.
      let key = term === '(Intercept)' ? b.factor : `${b.factor}|${term}`;
      if (key in blups) key = term === '(Intercept)' ? b.group : `${b.group}|${term}`;
      const values: Record<string, number> = {};
      b.levels.forEach((level, j) => {
        values[level] = fit.blups[t][j][k];
      });
      blups[key] = values;
    });
  });
  return {
    formula,
    n: fit.n,
    fixed: columns.map((term, j) => ({ term, estimate: fit.beta[j], se: fit.se[j], t: fit.t[j] })),
    random,
    residualVariance: fit.residualVariance,
    logLik: fit.logLik,
    blups,
    dropped,
    missingBy,
    singular: fit.singular,
    covariances,
    remlCriterion: fit.deviance,
    theta: fit.theta,
    evaluations: fit.evaluations,
    vcov: fit.vcov,
    groupLevels,
    warnings:
      fit.hessianRatio !== null && fit.hessianRatio < 1e-6
        ? [
            `the REML criterion is nearly flat in one direction of θ (eigenvalue ratio ${fit.hessianRatio.toExponential(1)}): the random-effects structure is nearly unidentifiable, and other parameter values fit equally well (lme4 warns the same way); simplify the random effects`,
          ]
        : [],
  };
}

/** Rows of a CSV table read with readTable: cells stay strings, except that numbers written with a decimal
 * comma (a ';'-separated export) become numbers, so that the column is read as numeric. */
export function tableRows(table: Table): DataRow[] {
  return table.rows.map((row) => {
    const out: Record<string, string | number> = {};
    table.header.forEach((name, j) => {
      const cell = row.cells[j] ?? '';
      const value = table.decimalMark === ',' ? parseLocaleNumber(cell, ',') : undefined;
      out[name] = value ?? cell;
    });
    return out;
  });
}
