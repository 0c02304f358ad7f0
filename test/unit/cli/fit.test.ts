// `value-lens fit` end to end on the built dist/cli.js: the paper's formula on the R fixture table equals
// lme4, --json shape, missing rows dropped and counted, exit 2 for a bad formula, 1 for unfittable data.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildOnce, removeDir, ROOT, runCli, tempDir } from './helpers';

const FIXTURES = join(ROOT, 'test', 'fixtures', 'r');
interface RCase {
  name: string;
  file: string;
  formula: string;
  n: number;
  nRows: number;
  columns: string[];
  fixef: number[];
  se: number[];
  random: { group: string; var1: string | null; var2: string | null; vcov: number }[];
  residualVariance: number;
  logLik: number;
}
const cases = (JSON.parse(readFileSync(join(FIXTURES, 'lmm-formula.json'), 'utf8')) as { cases: RCase[] }).cases;
const byName = (name: string): RCase => cases.find((c) => c.name === name) as RCase;

let dir: string;
before(async () => {
  buildOnce();
  dir = tempDir();
  // A ';'-separated export with decimal commas and one NA response.
  await fs.writeFile(
    join(dir, 'semi.csv'),
    [
      'y;x;g',
      ...Array.from({ length: 12 }, (_, i) =>
        `${i === 4 ? 'NA' : ((i * 7) % 5) + 0.25 * (i % 3)};${(i % 4) / 2};g${i % 3}`.replace(/\./g, ','),
      ),
    ].join('\n'),
  );
});
after(() => removeDir(dir));

interface JsonFit {
  formula: string;
  n: number;
  dropped: number;
  fixed: { term: string; estimate: number; se: number; t: number }[];
  random: { group: string; term: string; variance: number }[];
  residualVariance: number;
  logLik: number;
  blups: Record<string, Record<string, number>>;
  singular: boolean;
}

for (const name of ['paper-synthetic', 'crossed', ...(cases.some((c) => c.name === 'paper-rystrom') ? ['paper-rystrom'] : [])]) {
  test(`fit --json on ${name} equals lme4 to 1e-6`, async () => {
    const c = byName(name);
    const r = await runCli(['fit', '--formula', c.formula, '--data', join(FIXTURES, c.file), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as JsonFit;
    assert.deepEqual(Object.keys(out), ['formula', 'n', 'dropped', 'fixed', 'random', 'residualVariance', 'logLik', 'blups', 'singular']);
    assert.equal(out.formula, c.formula);
    assert.equal(out.n, c.n);
    assert.equal(out.dropped, c.nRows - c.n);
    if (out.dropped) assert.match(r.stderr, new RegExp(`${out.dropped} row\\(s\\) dropped for missing values`));
    assert.deepEqual(
      out.fixed.map((f) => f.term),
      c.columns,
    );
    out.fixed.forEach((f, j) => {
      assert.ok(Math.abs(f.estimate - c.fixef[j]) <= 1e-6, `${f.term} estimate`);
      assert.ok(Math.abs(f.se - c.se[j]) <= 1e-6, `${f.term} se`);
    });
    for (const v of c.random.filter((x) => x.group !== 'Residual')) {
      const ours = out.random.find((x) => x.group === v.group && x.term === v.var1);
      assert.ok(ours && Math.abs(ours.variance - v.vcov) <= 1e-6, `${v.group} variance`);
    }
    assert.ok(Math.abs(out.residualVariance - c.residualVariance) <= 1e-6);
    assert.ok(Math.abs(out.logLik - c.logLik) <= 1e-6);
  });
}

test('the text summary names the terms like lme4 and reports the REML criterion', async () => {
  const c = byName('paper-synthetic');
  const r = await runCli(['fit', '--formula', c.formula, '--data', join(FIXTURES, c.file)]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Linear mixed model fit by REML/);
  assert.match(r.stdout, /REML criterion at convergence: -?\d+\.\d{4}/);
  assert.match(r.stdout, /Number of obs: 3600, groups: model, 9/);
  assert.match(r.stdout, /languagePortuguese:multilingual:familyopenai\s+-?\d/);
  assert.match(r.stdout, /consistency:languageDanish\s+\d/);
});

test('a semicolon CSV with decimal commas is read; the NA row is dropped and counted', async () => {
  const r = await runCli(['fit', '--formula', 'y ~ x + (1 | g)', '--data', 'semi.csv', '--json'], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as JsonFit;
  assert.equal(out.n, 11);
  assert.equal(out.dropped, 1);
  assert.match(r.stderr, /1 row\(s\) dropped for missing values \(empty or NA; per column: y 1\); 11 used/);
  assert.deepEqual(Object.keys(out.blups.g).sort(), ['g0', 'g1', 'g2']);
});

test('a bad or unsupported formula exits 2 with the reason', async () => {
  const data = join(FIXTURES, 'lmm-formula-balanced.csv');
  const nested = await runCli(['fit', '--formula', 'y ~ x + (1 | g/arm)', '--data', data]);
  assert.equal(nested.code, 2);
  assert.match(nested.stderr, /value-lens fit: bad formula: nested grouping factors \("\/"\) are not supported: \(1 \| g\/arm\)/);
  const fn = await runCli(['fit', '--formula', 'y ~ log(x) + (1 | g)', '--data', data]);
  assert.equal(fn.code, 2);
  assert.match(fn.stderr, /functions are not supported: log/);
  const col = await runCli(['fit', '--formula', 'y ~ nope + (1 | g)', '--data', data]);
  assert.equal(col.code, 2);
  assert.match(col.stderr, /no column "nope"/);
  const missing = await runCli(['fit', '--data', data]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /--formula is required/);
  const noFile = await runCli(['fit', '--formula', 'y ~ x + (1 | g)', '--data', join(dir, 'absent.csv')]);
  assert.equal(noFile.code, 2);
});

test('data that cannot be fitted exits 1 with the reason', async () => {
  const data = join(FIXTURES, 'lmm-formula-balanced.csv');
  const r = await runCli(['fit', '--formula', 'y ~ arm:g + (1 | g)', '--data', data]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /rank deficient/);
  // A constant response: the criterion is not finite anywhere, so there is no fit to report.
  await fs.writeFile(join(dir, 'constant.csv'), ['y,x,g', ...Array.from({ length: 9 }, (_, i) => `2,${i},g${i % 3}`)].join('\n'));
  const c = await runCli(['fit', '--formula', 'y ~ x + (1 | g)', '--data', 'constant.csv'], { cwd: dir });
  assert.equal(c.code, 1);
  assert.match(c.stderr, /the fit did not converge: the REML criterion cannot be evaluated/);
});

test('fit --help documents the syntax; the main help lists fit', async () => {
  const r = await runCli(['fit', '--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /Usage: value-lens fit --formula/);
  const main = await runCli(['--help']);
  assert.match(main.stdout, /fit --formula F --data FILE\.csv/);
});
