// fitFormula against lme4::lmer (REML) on the CSV tables of test/fixtures/r/lmm-formula.R: estimates, SEs,
// variance components, residual variance, log-likelihood and BLUPs to 1e-6, column names equal to lme4's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readTable } from '../../../src/core/data/csv';
import { fitFormula, tableRows } from '../../../src/core/stats/fit';

interface RCase {
  name: string;
  file: string;
  formula: string;
  nRows: number;
  n: number;
  columns: string[];
  fixef: number[];
  se: number[];
  t: number[];
  random: { group: string; var1: string | null; var2: string | null; vcov: number }[];
  residualVariance: number;
  logLik: number;
  reml: number;
  theta: number[];
  singular: boolean;
  blups: { group: string; term: string; levels: string[]; values: number[] }[];
}

const dir = 'test/fixtures/r';
const fixture = JSON.parse(readFileSync(`${dir}/lmm-formula.json`, 'utf8')) as { generator: string; cases: RCase[] };
const TOL = 1e-6;

function load(file: string) {
  return tableRows(readTable(readFileSync(`${dir}/${file}`)));
}

test('the R fixture covers balanced, unbalanced, crossed, singular, slopes and the paper formula', () => {
  const names = fixture.cases.map((c) => c.name);
  for (const name of ['balanced', 'unbalanced', 'crossed', 'singular', 'slopes', 'paper-synthetic']) assert.ok(names.includes(name), name);
  assert.equal(fixture.cases.find((c) => c.name === 'singular')?.singular, true);
});

for (const c of fixture.cases) {
  test(`${c.name}: ${c.formula} equals lme4 to 1e-6`, (t) => {
    const fit = fitFormula(c.formula, load(c.file));
    assert.deepEqual(
      fit.fixed.map((f) => f.term),
      c.columns,
      'column names as lme4 prints them',
    );
    assert.equal(fit.n, c.n);
    assert.equal(fit.dropped, c.nRows - c.n);
    const delta: Record<string, number> = { estimate: 0, se: 0, t: 0, variance: 0, residual: 0, logLik: 0, blup: 0 };
    const track = (key: string, ours: number, theirs: number, scale = 1): void => {
      const d = Math.abs(ours - theirs) / scale;
      delta[key] = Math.max(delta[key], d);
      assert.ok(d <= TOL, `${c.name} ${key}: ours ${ours}, lme4 ${theirs}, |Δ| = ${d}`);
    };
    fit.fixed.forEach((f, j) => {
      track('estimate', f.estimate, c.fixef[j]);
      track('se', f.se, c.se[j]);
      // t = β/SE can be large; compare relative to its size.
      track('t', f.t, c.t[j], Math.max(1, Math.abs(c.t[j])));
    });
    const variances = c.random.filter((r) => r.group !== 'Residual' && r.var2 === null);
    assert.equal(fit.random.length, variances.length);
    for (const r of variances) {
      const ours = fit.random.find((x) => x.group === r.group && x.term === r.var1);
      assert.ok(ours, `variance component ${r.group} ${r.var1}`);
      track('variance', ours.variance, r.vcov);
    }
    for (const r of c.random.filter((x) => x.var2 !== null)) {
      const ours = fit.covariances.find((x) => x.group === r.group && x.terms[0] === r.var1 && x.terms[1] === r.var2);
      assert.ok(ours, `covariance ${r.group} ${r.var1} ${r.var2}`);
      track('variance', ours.covariance, r.vcov);
    }
    track('residual', fit.residualVariance, c.residualVariance);
    track('logLik', fit.logLik, c.logLik);
    track('logLik', fit.remlCriterion, c.reml);
    assert.equal(fit.singular, c.singular);
    for (const b of c.blups) {
      // lme4's ranef() merges terms on one grouping factor; ours are keyed g (intercept) and g|x (slope).
      const key = b.term === '(Intercept)' ? b.group : `${b.group}|${b.term}`;
      const ours = fit.blups[key];
      assert.ok(ours, `BLUPs ${key}`);
      assert.deepEqual(Object.keys(ours).sort(), [...b.levels].sort());
      b.levels.forEach((level, i) => track('blup', ours[level], b.values[i]));
    }
    t.diagnostic(
      `${c.name}: max |Δ| ${Object.entries(delta)
        .map(([k, v]) => `${k} ${v.toExponential(1)}`)
        .join(', ')}`,
    );
  });
}
