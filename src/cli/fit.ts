// `value-lens fit`: a linear mixed model from an lme4 formula on a tidy CSV, fitted by REML (docs/fit.md).

import { resolve } from 'node:path';
import { readTable } from '../core/data/csv';
import { ConvergenceError, fitFormula, FormulaError, ModelDataError, tableRows, type FormulaFit } from '../core/stats/fit';
import { table } from './analyze';
import { flag, parseFlags, str } from './args';
import { EXIT_OK, InputError, UsageError } from './errors';
import { print, readInputBytes, type Io } from './io';

export const FIT_HELP = `Usage: value-lens fit --formula "<lme4 formula>" --data FILE.csv [--json]

Fits a linear mixed model by REML, as lme4's lmer(formula, data, REML = TRUE) does, e.g.
  value-lens fit --formula "alignment ~ 0 + consistency:language + multilingual:family:language + (1 | model)" --data table.csv

Formula: response ~ fixed terms + (effects | group) ...
  fixed terms   columns (text → factor with treatment contrasts, numbers → covariate), a:b, a*b,
                (a + b):c, 0 + / - 1 (no intercept), + 1
  random terms  (1 | g), crossed (1 | g) + (1 | h), slopes (1 + x | g) or (x | g) (correlated),
                (0 + x | g)
  refused       g/h, ||, functions such as log(x), offset(), I(), ^, %in%, ., removing terms with -

Options:
  --formula F    the model formula (quote it)
  --data FILE    a tidy table: one row per observation, a header row; ',' ';' tab or '|' separated
  --json         print { formula, n, dropped, fixed, random, residualVariance, logLik, blups, singular }
  -h, --help     show this help

Rows with an empty or NA cell in a column the formula uses are dropped and counted.
Exit codes: 0 fitted, 1 the data cannot be fitted or the fit did not converge, 2 bad usage or formula.`;

export async function runFit(argv: string[], io: Io): Promise<number> {
  const parsed = parseFlags('fit', argv, { formula: { type: 'string' }, data: { type: 'string' }, json: { type: 'boolean' } }, false);
  if (flag(parsed, 'help')) {
    print(io.stdout, FIT_HELP);
    return EXIT_OK;
  }
  const formula = str(parsed, 'formula');
  const dataPath = str(parsed, 'data');
  if (!formula) throw new UsageError('--formula is required, e.g. --formula "y ~ x + (1 | g)".', 'fit');
  if (!dataPath) throw new UsageError('--data FILE.csv is required.', 'fit');
  const bytes = await readInputBytes(resolve(io.cwd, dataPath), 'Data file');
  const csv = readTable(bytes);
  if (!csv.header.length) throw new InputError(`${dataPath}: the file has no header row.`);
  // Rows the CSV reader rejected are never silently lost: they are counted and the first ones named.
  const rejected = csv.problems.filter((p) => p.line > 0);
  if (rejected.length) {
    print(io.stderr, `${dataPath}: ${rejected.length} row(s) could not be read and are not used:`);
    for (const p of rejected.slice(0, 5)) print(io.stderr, `  line ${p.line}: ${p.message}`);
  }
  let fit: FormulaFit;
  try {
    fit = fitFormula(formula, tableRows(csv));
  } catch (error) {
    if (error instanceof FormulaError) throw new UsageError(`bad formula: ${error.message}.`, 'fit');
    if (error instanceof ModelDataError) throw new InputError(`value-lens fit: ${error.message}.`);
    if (error instanceof ConvergenceError) throw new InputError(`value-lens fit: the fit did not converge: ${error.message}.`);
    throw error;
  }
  if (fit.dropped) print(io.stderr, droppedNote(fit));
  for (const w of fit.warnings) print(io.stderr, `Warning: ${w}.`);
  if (flag(parsed, 'json')) print(io.stdout, JSON.stringify(jsonOutput(fit), null, 2));
  else print(io.stdout, formatFit(fit, dataPath));
  return EXIT_OK;
}

function droppedNote(fit: FormulaFit): string {
  const by = Object.entries(fit.missingBy)
    .map(([c, k]) => `${c} ${k}`)
    .join(', ');
  return `${fit.dropped} row(s) dropped for missing values (empty or NA; per column: ${by}); ${fit.n} used.`;
}

/** The FitOutput keys, plus the dropped-row count, the singular flag, and (only when there are any)
 * covariances for slopes and warnings. */
export function jsonOutput(fit: FormulaFit): Record<string, unknown> {
  return {
    formula: fit.formula,
    n: fit.n,
    dropped: fit.dropped,
    fixed: fit.fixed,
    random: fit.random,
    ...(fit.covariances.length ? { covariances: fit.covariances } : {}),
    residualVariance: fit.residualVariance,
    logLik: fit.logLik,
    blups: fit.blups,
    singular: fit.singular,
    ...(fit.warnings.length ? { warnings: fit.warnings } : {}),
  };
}

const fmt = (x: number, digits = 4): string => (Number.isFinite(x) ? x.toPrecision(digits) : '–');

/** A text summary laid out like lme4's summary(). */
export function formatFit(fit: FormulaFit, dataName: string): string {
  const out: string[] = [
    'Linear mixed model fit by REML',
    `Formula: ${fit.formula}`,
    `   Data: ${dataName} (${fit.n} rows used${fit.dropped ? `, ${fit.dropped} dropped for missing values` : ''})`,
    '',
    `REML criterion at convergence: ${fit.remlCriterion.toFixed(4)}   logLik: ${fit.logLik.toFixed(4)}`,
    '',
    'Random effects:',
  ];
  const corrOf = (group: string, term: string): string =>
    fit.covariances
      .filter((c) => c.group === group && c.terms[1] === term)
      .map((c) => fmt(c.correlation, 2))
      .join(' ');
  const rows = fit.random.map((r, i) => [
    i > 0 && fit.random[i - 1].group === r.group ? '' : r.group,
    r.term,
    fmt(r.variance),
    fmt(Math.sqrt(r.variance)),
    corrOf(r.group, r.term),
  ]);
  rows.push(['Residual', '', fmt(fit.residualVariance), fmt(Math.sqrt(fit.residualVariance)), '']);
  const hasCorr = fit.covariances.length > 0;
  out.push(
    table(
      ['Groups', 'Name', 'Variance', 'Std.Dev.', ...(hasCorr ? ['Corr'] : [])],
      rows.map((r) => (hasCorr ? r : r.slice(0, 4))),
    ),
  );
  out.push(
    `Number of obs: ${fit.n}, groups: ${Object.entries(fit.groupLevels)
      .map(([g, k]) => `${g}, ${k}`)
      .join('; ')}`,
  );
  out.push('', 'Fixed effects:');
  out.push(
    table(
      ['', 'Estimate', 'Std. Error', 't value'],
      fit.fixed.map((f) => [f.term, fmt(f.estimate, 6), fmt(f.se, 6), fmt(f.t, 4)]),
    ),
  );
  out.push('', 'Conditional modes of the random effects (BLUPs):');
  for (const [key, values] of Object.entries(fit.blups)) {
    out.push(
      table(
        [key, 'mode'],
        Object.entries(values).map(([level, v]) => [level, fmt(v, 6)]),
      ),
    );
  }
  if (fit.singular) out.push('', 'boundary (singular) fit: a variance component is estimated as 0 (as lme4 reports; see docs/fit.md).');
  return out.join('\n');
}
