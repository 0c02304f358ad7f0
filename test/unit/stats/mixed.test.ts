// fitLmm / fitFormula beyond the lme4 fixtures: a closed-form REML check (balanced one-way ANOVA), the
// older random-intercept fit, and the refusals (rank deficiency, lme4's grouping-factor checks).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readTable } from '../../../src/core/data/csv';
import { fitFormula, FormulaError, ModelDataError, tableRows } from '../../../src/core/stats/fit';
import { symmetricEigenvalues } from '../../../src/core/stats/mixed';
import { fitRandomIntercept } from '../../../src/core/stats/lmm';

test('balanced one-way model: REML equals the ANOVA estimators (hand calculation)', () => {
  // y_ij = μ + a_i + e_ij, 5 groups × 4. When MSB > MSW, REML gives σ² = MSW and σ²_a = (MSB − MSW)/m,
  // μ̂ = grand mean with SE √(MSB / (k m)).
  const k = 5;
  const m = 4;
  const rows: { y: number; g: string }[] = [];
  for (let i = 0; i < k; i++)
    for (let j = 0; j < m; j++) rows.push({ g: `G${i}`, y: Math.round((i * 0.9 + Math.sin(7 * i + 3 * j) * 0.6) * 1e6) / 1e6 });
  const mean = rows.reduce((s, r) => s + r.y, 0) / rows.length;
  const groupMean = (i: number) => rows.filter((r) => r.g === `G${i}`).reduce((s, r) => s + r.y, 0) / m;
  let ssb = 0;
  let ssw = 0;
  for (let i = 0; i < k; i++) ssb += m * (groupMean(i) - mean) ** 2;
  for (const r of rows) ssw += (r.y - groupMean(Number(r.g.slice(1)))) ** 2;
  const msb = ssb / (k - 1);
  const msw = ssw / (k * (m - 1));
  assert.ok(msb > msw);
  const fit = fitFormula('y ~ 1 + (1 | g)', rows);
  assert.equal(fit.fixed[0].term, '(Intercept)');
  assert.ok(Math.abs(fit.fixed[0].estimate - mean) < 1e-10);
  assert.ok(Math.abs(fit.fixed[0].se - Math.sqrt(msb / (k * m))) < 1e-8);
  assert.ok(Math.abs(fit.residualVariance - msw) < 1e-8);
  assert.ok(Math.abs(fit.random[0].variance - (msb - msw) / m) < 1e-8);
  // BLUP of a balanced one-way model: shrinkage σ²_a / (σ²_a + σ²/m) times the group mean's deviation.
  const shrink = fit.random[0].variance / (fit.random[0].variance + msw / m);
  for (let i = 0; i < k; i++) assert.ok(Math.abs(fit.blups.g[`G${i}`] - shrink * (groupMean(i) - mean)) < 1e-8);
  assert.equal(fit.singular, false);
});

test('with one random intercept it agrees with the older fitRandomIntercept (lmm.json data)', () => {
  const lmm = JSON.parse(readFileSync('test/fixtures/r/lmm.json', 'utf8')) as { fits: { y: number[]; X: number[][]; groups: string[] }[] };
  for (const f of lmm.fits) {
    const rows = f.y.map((y, i) => ({ y, g: f.groups[i], ...Object.fromEntries(f.X[i].slice(1).map((v, j) => [`x${j + 1}`, v])) }));
    const terms = f.X[0]
      .slice(1)
      .map((_, j) => `x${j + 1}`)
      .join(' + ');
    const a = fitFormula(`y ~ ${terms} + (1 | g)`, rows);
    const b = fitRandomIntercept({ y: f.y, X: f.X, groups: f.groups });
    a.fixed.forEach((t, j) => assert.ok(Math.abs(t.estimate - b.beta[j]) < 1e-7 && Math.abs(t.se - b.se[j]) < 1e-7));
    assert.ok(Math.abs(a.logLik - b.logLik) < 1e-9);
    assert.ok(Math.abs(a.random[0].variance - b.groupVariance) < 1e-7);
  }
});

const small = Array.from({ length: 12 }, (_, i) => ({
  y: (i * 37) % 11,
  x: i % 4,
  z: 2 * (i % 4),
  f: i % 2 ? 'a' : 'b',
  g: `g${i % 3}`,
  one: 'k',
  id: `r${i}`,
}));

test('rank-deficient designs are refused naming the column, not silently reduced', () => {
  assert.throws(
    () => fitFormula('y ~ x + z + (1 | g)', small),
    (e: unknown) => e instanceof ModelDataError && /rank deficient: z is a linear combination/.test(e.message),
  );
  // f:g with an intercept: R codes all 2 × 3 cells, one too many.
  assert.throws(() => fitFormula('y ~ f:g + (1 | g)', small), /rank deficient/);
});

test("lme4's grouping-factor checks: one level, as many levels as observations", () => {
  assert.throws(() => fitFormula('y ~ x + (1 | one)', small), /grouping factor one has only one level/);
  assert.throws(() => fitFormula('y ~ x + (1 | id)', small), /has 12 levels for 12 observations/);
  assert.throws(() => fitFormula('y ~ x', small), /at least one random-effects term/);
});

test('formula errors are FormulaErrors: unknown columns, non-numeric response', () => {
  assert.throws(
    () => fitFormula('y ~ w + (1 | g)', small),
    (e: unknown) => e instanceof FormulaError && /no column "w"/.test(e.message),
  );
  assert.throws(
    () => fitFormula('f ~ x + (1 | g)', small),
    (e: unknown) => e instanceof FormulaError && /response f must be numeric/.test(e.message),
  );
});

test('a grouping factor with numeric codes is a factor; JSON-shaped output has every FitOutput key', () => {
  const rows = small.map((r) => ({ ...r, g: Number(r.g.slice(1)) }));
  const fit = fitFormula('y ~ x + (1 | g)', rows);
  assert.deepEqual(Object.keys(fit.blups.g).sort(), ['0', '1', '2']);
  for (const key of ['formula', 'n', 'fixed', 'random', 'residualVariance', 'logLik', 'blups']) assert.ok(key in fit, key);
  assert.equal(fit.formula, 'y ~ x + (1 | g)');
  assert.equal(fit.n, 12);
  assert.equal(fit.dropped, 0);
});

test('a flat ridge in θ (a slope confounded with the intercept) is fitted but flagged, as lme4 warns', () => {
  // In lmm-formula-crossed.csv cond is constant within each subject, so (1 + cond | subject) cannot
  // separate the subject intercept from its cond effect: many θ give the same likelihood.
  const rows = tableRows(readTable(readFileSync('test/fixtures/r/lmm-formula-crossed.csv')));
  const flat = fitFormula('y ~ x + (1 + cond | subject) + (1 | item)', rows);
  assert.equal(flat.warnings.length, 1);
  assert.match(flat.warnings[0], /nearly unidentifiable/);
  assert.deepEqual(fitFormula('y ~ x + (1 | subject) + (1 | item)', rows).warnings, []);
});

test('symmetricEigenvalues: a 3 × 3 matrix with known eigenvalues 1, 2, 4', () => {
  // Q diag(1, 2, 4) Q' with Q a rotation about z by 30° then x by 45°.
  const c = Math.cos(Math.PI / 6);
  const s = Math.sin(Math.PI / 6);
  const r = Math.SQRT1_2;
  const Q = [
    [c, -s * r, s * r],
    [s, c * r, -c * r],
    [0, r, r],
  ];
  const D = [1, 2, 4];
  const A = Q.map((qi) => Q.map((qj) => qi.reduce((sum, v, k) => sum + v * D[k] * qj[k], 0)));
  const eig = symmetricEigenvalues(A).sort((a, b) => a - b);
  eig.forEach((v, i) => assert.ok(Math.abs(v - D[i]) < 1e-12, `${v}`));
});
