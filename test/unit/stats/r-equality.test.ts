// Our statistics against R (cor.test, lme4::lmer REML) — fixtures from test/fixtures/r/make-fixtures.R.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { pearson, spearman } from '../../../src/core/stats/correlation';
import { fitRandomIntercept } from '../../../src/core/stats/lmm';

interface CorSet {
  name: string;
  x: number[];
  y: number[];
  pearson: { r: number; p: number; ciLow: number; ciHigh: number };
  spearman: { rho: number; p: number };
}
interface LmmFit {
  name: string;
  y: number[];
  X: number[][];
  groups: string[];
  fixef: number[];
  se: number[];
  groupVariance: number;
  residualVariance: number;
  logLik: number;
  theta: number;
}

const cor = JSON.parse(readFileSync('test/fixtures/r/correlations.json', 'utf8')) as { sets: CorSet[] };
const lmm = JSON.parse(readFileSync('test/fixtures/r/lmm.json', 'utf8')) as { fits: LmmFit[] };

test('Pearson r, p and Fisher-z CI and Spearman rho and p equal R to 1e-9', (t) => {
  assert.ok(cor.sets.length >= 3);
  let max = 0;
  for (const s of cor.sets) {
    const p = pearson(s.x, s.y);
    const sp = spearman(s.x, s.y);
    assert.ok(p && sp && p.p !== null && sp.p !== null && p.ciLow !== null && p.ciHigh !== null);
    const deltas = [
      p.estimate - s.pearson.r,
      p.p - s.pearson.p,
      p.ciLow - s.pearson.ciLow,
      p.ciHigh - s.pearson.ciHigh,
      sp.estimate - s.spearman.rho,
      sp.p - s.spearman.p,
    ].map(Math.abs);
    for (const d of deltas) assert.ok(d <= 1e-9, `${s.name}: |Δ| = ${d}`);
    max = Math.max(max, ...deltas);
    assert.equal(p.n, s.x.length);
  }
  t.diagnostic(`correlations: max |Δ| vs R = ${max.toExponential(2)}`);
});

test('REML random-intercept fit equals lme4::lmer to 1e-6', (t) => {
  assert.ok(lmm.fits.length >= 3);
  let max = 0;
  for (const f of lmm.fits) {
    const fit = fitRandomIntercept({ y: f.y, X: f.X, groups: f.groups });
    const deltas = [
      ...fit.beta.map((b, i) => b - f.fixef[i]),
      ...fit.se.map((s, i) => s - f.se[i]),
      fit.groupVariance - f.groupVariance,
      fit.residualVariance - f.residualVariance,
      fit.logLik - f.logLik,
    ].map(Math.abs);
    for (const d of deltas) assert.ok(d <= 1e-6, `${f.name}: |Δ| = ${d}`);
    assert.ok(Math.abs(fit.theta - f.theta) <= 1e-6 * Math.max(1, f.theta), `${f.name}: θ`);
    max = Math.max(max, ...deltas);
  }
  t.diagnostic(`mixed model: max |Δ| vs lme4 = ${max.toExponential(2)}`);
});
