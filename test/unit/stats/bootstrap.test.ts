// The bootstrap against R's boot fed the same resamples (test/fixtures/r/boot-fixtures.R), and its
// weighted replicates against replicates computed on explicitly copied resamples.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  bootstrapIndices,
  bootstrapP,
  clusterRows,
  correlationEstimate,
  correlationReplicates,
  forEachResample,
  pairedDifference,
  percentileInterval,
} from '../../../src/core/stats/bootstrap';
import { pearsonR, spearman } from '../../../src/core/stats/correlation';

interface DataRow {
  case: string;
  kind: 'pearson' | 'spearman';
  mode: string;
  seed: number;
  iterations: number;
  side: string;
  cluster: string;
  x: number;
  y: number;
}
const lines = readFileSync('test/fixtures/r/boot-data.csv', 'utf8').trim().split('\n');
const header = lines[0].split(',');
const data: DataRow[] = lines.slice(1).map((l) => {
  const v = l.split(',');
  const o = Object.fromEntries(header.map((h, i) => [h, v[i]]));
  return {
    case: o.case,
    kind: o.kind as DataRow['kind'],
    mode: o.mode,
    seed: Number(o.seed),
    iterations: Number(o.iterations),
    side: o.side,
    cluster: o.cluster,
    x: Number(o.x),
    y: Number(o.y),
  };
});
const indexLines = readFileSync('test/fixtures/r/boot-indices.csv', 'utf8').trim().split('\n').slice(1);
const results = JSON.parse(readFileSync('test/fixtures/r/boot-results.json', 'utf8')) as {
  cases: { name: string; t0: number; t: number[]; ci: [number, number]; p: number }[];
};

const close = (a: number, b: number, tol: number, what: string): void => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

test('bootstrapIndices still draws the resamples the R fixture was given', () => {
  for (const r of results.cases) {
    const rows = data.filter((d) => d.case === r.name);
    const { iterations, seed, mode } = rows[0];
    const units =
      mode === 'rows' ? rows.length : mode === 'paired-rows' ? rows.length / 2 : clusterRows(rows.map((d) => d.cluster)).keys.length;
    const idx = bootstrapIndices(units, iterations, seed);
    const fixture = indexLines.filter((l) => l.startsWith(r.name + ',')).map((l) => l.split(',')[2]);
    assert.equal(fixture.length, iterations);
    for (let b = 0; b < iterations; b++)
      assert.equal(Array.from(idx.subarray(b * units, (b + 1) * units)).join(' '), fixture[b], `${r.name} resample ${b}`);
  }
});

test('replicates, percentile CI and bootstrap p equal R boot / boot.ci(type = "perc") on the same resamples', () => {
  assert.equal(results.cases.length, 5);
  let worst = 0;
  for (const r of results.cases) {
    const rows = data.filter((d) => d.case === r.name);
    const { kind, mode, seed, iterations } = rows[0];
    let est;
    let reps: Float64Array | null = null;
    if (mode === 'rows' || mode === 'clusters') {
      const clusters = mode === 'clusters' ? rows.map((d) => d.cluster) : undefined;
      reps = correlationReplicates(
        rows.map((d) => d.x),
        rows.map((d) => d.y),
        kind,
        { iterations, seed, clusters },
      );
      est = correlationEstimate(
        rows.map((d) => d.x),
        rows.map((d) => d.y),
        kind,
        { iterations, seed, clusters },
      );
    } else {
      const a = rows.filter((d) => d.side === 'a');
      const b = rows.filter((d) => d.side === 'b');
      est = pairedDifference({ x: a.map((d) => d.x), y: a.map((d) => d.y) }, { x: b.map((d) => d.x), y: b.map((d) => d.y) }, kind, {
        iterations,
        seed,
        clusters: mode === 'paired-clusters' ? { a: a.map((d) => d.cluster), b: b.map((d) => d.cluster) } : undefined,
      });
      close(est?.p ?? NaN, r.p, 1e-15, `${r.name} p`);
    }
    assert.ok(est && est.ci);
    close(est.estimate, r.t0, 1e-12, `${r.name} t0`);
    if (reps)
      for (let i = 0; i < iterations; i++) {
        close(reps[i], r.t[i], 1e-12, `${r.name} t[${i}]`);
        worst = Math.max(worst, Math.abs(reps[i] - r.t[i]));
      }
    close(est.ci[0], r.ci[0], 1e-12, `${r.name} ci low`);
    close(est.ci[1], r.ci[1], 1e-12, `${r.name} ci high`);
    assert.ok(est.ci[0] < est.ci[1]);
  }
  assert.ok(worst < 1e-12);
});

test('weighted replicates equal the statistic on explicitly copied resamples (rows and clusters)', () => {
  const x = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8];
  const y = [2, 7, 1, 8, 2, 8, 1, 8, 2, 8, 4, 5];
  const clusters = ['a', 'a', 'b', 'c', 'c', 'c', 'd', 'e', 'e', 'f', 'g', 'g'];
  const reps = correlationReplicates(x, y, 'spearman', { iterations: 30, seed: 7 });
  let b = 0;
  forEachResample(x.length, 30, 7, (idx) => {
    const sx = Array.from(idx, (i) => x[i]);
    const sy = Array.from(idx, (i) => y[i]);
    const s = spearman(sx, sy);
    if (s) close(reps[b], s.estimate, 1e-12, `rows ${b}`);
    else assert.ok(Number.isNaN(reps[b]));
    b++;
  });
  const { rows } = clusterRows(clusters);
  assert.equal(rows.length, 7);
  const creps = correlationReplicates(x, y, 'pearson', { iterations: 30, seed: 8, clusters });
  b = 0;
  forEachResample(rows.length, 30, 8, (idx) => {
    const picked = Array.from(idx).flatMap((c) => rows[c]);
    const r = pearsonR(
      picked.map((i) => x[i]),
      picked.map((i) => y[i]),
    );
    if (Number.isFinite(r)) close(creps[b], r, 1e-12, `clusters ${b}`);
    else assert.ok(Number.isNaN(creps[b]));
    b++;
  });
});

test('correlationEstimate: point estimate and p are the t test on all pairs; non-finite pairs dropped; null when undefined', () => {
  const x = [1, 2, 3, 4, 5, NaN, 7];
  const y = [2, 1, 4, 3, 6, 5, 8];
  const est = correlationEstimate(x, y, 'spearman', { iterations: 50, seed: 1 });
  const ref = spearman([1, 2, 3, 4, 5, 7], [2, 1, 4, 3, 6, 8]);
  assert.ok(est && ref);
  assert.equal(est.estimate, ref.estimate);
  assert.equal(est.p, ref.p);
  assert.equal(correlationEstimate([1, 1, 1], [1, 2, 3], 'pearson', { iterations: 10, seed: 1 }), null);
  assert.throws(() => correlationEstimate([1, 2], [1, 2], 'pearson', { iterations: 5, seed: 1, clusters: ['a'] }), /differ in length/);
});

test('percentileInterval follows boot.ci: exact order statistics when (R+1)α is an integer; bootstrapP counts both sides', () => {
  const t = Array.from({ length: 39 }, (_, i) => i + 1); // (39+1)·0.025 = 1 → 1st and 39th order statistics
  assert.deepEqual(percentileInterval(t), [1, 39]);
  assert.deepEqual(
    percentileInterval([
      5,
      NaN,
      2,
      Infinity,
      9,
      1,
      3,
      4,
      6,
      7,
      8,
      10,
      11,
      12,
      13,
      14,
      15,
      16,
      17,
      18,
      19,
      20,
      21,
      22,
      23,
      24,
      25,
      26,
      27,
      28,
      29,
      30,
      31,
      32,
      33,
      34,
      35,
      36,
      37,
      38,
      39,
    ]),
    [1, 39],
  );
  assert.equal(percentileInterval([1]), null);
  // 3 of 9 finite replicates ≤ 0 → 2·(1 + 3)/10
  assert.equal(bootstrapP([-1, -0.5, 0, 1, 2, 3, 4, 5, 6, NaN]), 0.8);
  assert.equal(bootstrapP([1, 2, 3, 4, 5, 6, 7, 8, 9]), 0.2);
  assert.equal(bootstrapP([-1, 1, -1, 1]), 1);
});

test('pairedDifference rejects unaligned rows and returns r(a) − r(b)', () => {
  assert.throws(
    () => pairedDifference({ x: [1, 2, 3], y: [1, 2, 3] }, { x: [1, 2], y: [1, 2] }, 'pearson', { iterations: 5, seed: 1 }),
    /aligned/,
  );
  const a = { x: [1, 2, 3, 4, 5, 6], y: [1, 3, 2, 4, 6, 5] };
  const b = { x: [1, 2, 3, 4, 5, 6], y: [6, 1, 5, 2, 4, 3] };
  const d = pairedDifference(a, b, 'pearson', { iterations: 100, seed: 3 });
  assert.ok(d && d.ci && d.p !== null);
  close(d.estimate, pearsonR(a.x, a.y) - pearsonR(b.x, b.y), 1e-15, 'difference');
  assert.ok(d.ci[0] <= d.estimate && d.estimate <= d.ci[1]);
});
