// The in-house t CDF and normal quantile against R's pt and qnorm (test/fixtures/r/distributions.R writes
// distributions.json): every grid point to 1e-12 relative, far tails included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { normalQuantile, studentTCdf, twoSidedTP } from '../../../src/core/stats/distributions';

interface Fixture {
  pt: { t: number; df: number; cdf: number }[];
  qnorm: { p: number; q: number }[];
}
const fixture = JSON.parse(readFileSync('test/fixtures/r/distributions.json', 'utf8')) as Fixture;
const TOLERANCE = 1e-12;

function relativeError(actual: number, expected: number): number {
  if (actual === expected) return 0;
  return Math.abs(actual - expected) / Math.abs(expected);
}

test('studentTCdf equals R pt(t, df) to 1e-12 relative on the whole grid', () => {
  assert.ok(fixture.pt.length > 600, 'the grid is there');
  const bad = fixture.pt
    .map((row) => ({ ...row, got: studentTCdf(row.t, row.df) }))
    .filter((row) => !(relativeError(row.got, row.cdf) <= TOLERANCE));
  assert.deepEqual(bad, []);
});

test('the grid reaches far tails (p below 1e-100) and both signs', () => {
  assert.ok(fixture.pt.some((row) => row.cdf < 1e-100));
  assert.ok(fixture.pt.some((row) => row.cdf > 1 - 1e-15));
  assert.ok(fixture.pt.some((row) => row.df >= 1e5));
});

test('twoSidedTP is twice the lower tail of R, capped at 1, and keeps tail precision', () => {
  for (const row of fixture.pt.filter((r) => r.t < 0)) {
    const expected = Math.min(1, 2 * row.cdf);
    assert.ok(relativeError(twoSidedTP(row.t, row.df), expected) <= TOLERANCE, `t=${row.t} df=${row.df}`);
    assert.equal(twoSidedTP(-row.t, row.df), twoSidedTP(row.t, row.df), 'symmetric in t');
  }
  assert.equal(twoSidedTP(0, 7), 1);
  assert.equal(twoSidedTP(Infinity, 7), 0);
  assert.ok(Number.isNaN(twoSidedTP(NaN, 7)));
  assert.ok(Number.isNaN(twoSidedTP(1, 0)), 'df must be positive');
});

test('studentTCdf edge values: ±Infinity, NaN, df = Infinity is the normal', () => {
  assert.equal(studentTCdf(Infinity, 3), 1);
  assert.equal(studentTCdf(-Infinity, 3), 0);
  assert.ok(Number.isNaN(studentTCdf(NaN, 3)));
  assert.ok(Number.isNaN(studentTCdf(1, -1)));
  // Φ(−1.96) from R: pnorm(-1.96) = 0.024997895148220435
  assert.ok(relativeError(studentTCdf(-1.96, Infinity), 0.024997895148220435) <= TOLERANCE);
});

test('normalQuantile equals R qnorm(p) to 1e-12 relative, from 1e-300 to 1 − 1e-10', () => {
  assert.ok(fixture.qnorm.some((row) => row.p === 1e-300));
  const bad = fixture.qnorm
    .map((row) => ({ ...row, got: normalQuantile(row.p) }))
    .filter((row) => !(relativeError(row.got, row.q) <= TOLERANCE));
  assert.deepEqual(bad, []);
});

test('normalQuantile edge values', () => {
  assert.equal(normalQuantile(0), -Infinity);
  assert.equal(normalQuantile(1), Infinity);
  assert.equal(normalQuantile(0.5), 0);
  for (const p of [-0.1, 1.1, NaN]) assert.ok(Number.isNaN(normalQuantile(p)), String(p));
});
