// The second seed reproduced from the command line, as a reader of the paper would: `value-lens import`
// then `analyze --json` on the committed study (examples/rystrom-2025), with no hand-edited file. The
// expected figures are computed here, independently: the test's own CSV split, means, ranks and Pearson.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXAMPLES, buildOnce, removeDir, runCli, tempDir } from './helpers';

let dir: string;
before(() => {
  buildOnce();
  dir = tempDir('vl-rystrom-');
  cpSync(EXAMPLES, join(dir, 'examples'), { recursive: true });
});
after(() => removeDir(dir));

function rows(path: string): Record<string, string>[] {
  const [header, ...lines] = readFileSync(path, 'utf8').trim().split(/\r?\n/);
  const names = header.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((c, i) => [names[i], c])));
}

function ranks(v: number[]): number[] {
  const order = v.map((x, i) => [x, i] as const).sort((a, b) => a[0] - b[0]);
  const r = new Array<number>(v.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    for (let k = i; k <= j; k++) r[order[k][1]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return r;
}

function pearson(x: number[], y: number[]): number {
  const mx = x.reduce((a, b) => a + b, 0) / x.length;
  const my = y.reduce((a, b) => a + b, 0) / y.length;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

interface Row {
  model: string;
  language: string;
  reference: string;
  level: string;
  measure: string;
  category: string | null;
  n: number;
  pearson: { estimate: number } | null;
  spearman: { estimate: number } | null;
}

test('import + analyze --json: ρ and r of each model’s mean pro score per question vs the pooled ground truth, 9 models × 4 languages', {
  timeout: 120_000,
}, async () => {
  const study = 'examples/rystrom-2025/rystrom-2025.study.json';
  const imported = await runCli(['import', study], { cwd: dir, timeoutMs: 100_000 });
  assert.equal(imported.code, 0, imported.stderr);
  assert.match(imported.stderr, /9148 row\(s\), 9148 used, 0 rejected/);
  const again = await runCli(['import', study], { cwd: dir });
  assert.match(again.stderr, /already in the corpus/);

  const analyzed = await runCli(['analyze', study, '--json'], { cwd: dir, timeoutMs: 100_000 });
  assert.equal(analyzed.code, 0, analyzed.stderr);
  const analysis = JSON.parse(analyzed.stdout) as { alignment: Row[]; counts: { read: number; used: number } };
  assert.deepEqual([analysis.counts.read, analysis.counts.used], [9148, 9148]);

  // Independent: mean pro score per (model, language, question), joined with the per-language truth.
  const data = join(dir, 'examples', 'rystrom-2025');
  const sums = new Map<string, { sum: number; n: number }>();
  for (const r of rows(join(data, 'all_lang_model_responses_with_scores.csv'))) {
    if (r.template_type !== 'survey_hypothetical') continue;
    const k = `${r.model_name}|${r.language}|${r.question_key.toLowerCase()}`;
    const s = sums.get(k) ?? { sum: 0, n: 0 };
    s.sum += Number(r.response_pro_score);
    s.n++;
    sums.set(k, s);
  }
  const truth = new Map(
    rows(join(data, 'ground_truth_per_language.csv')).map((r) => [`${r.lnge_iso}|${r.question_key.toLowerCase()}`, Number(r.pro_score)]),
  );
  const cells = new Map<string, { x: number[]; y: number[] }>();
  for (const [k, s] of sums) {
    const [model, language, question] = k.split('|');
    const t = truth.get(`${language}|${question}`);
    if (t === undefined) continue;
    const cell = cells.get(`${model}|${language}`) ?? { x: [], y: [] };
    cell.x.push(s.sum / s.n);
    cell.y.push(t);
    cells.set(`${model}|${language}`, cell);
  }
  assert.equal(cells.size, 36);

  const got = analysis.alignment.filter(
    (r) => r.level === 'item' && r.measure === 'pro' && r.category === null && r.reference === `pooled:${r.language}`,
  );
  assert.equal(got.length, 36);
  for (const row of got) {
    const cell = cells.get(`${row.model}|${row.language}`);
    assert.ok(cell, `${row.model} ${row.language}`);
    assert.equal(row.n, cell.x.length);
    assert.ok(Math.abs(row.pearson!.estimate - pearson(cell.x, cell.y)) < 1e-12, `${row.model} ${row.language} r`);
    assert.ok(Math.abs(row.spearman!.estimate - pearson(ranks(cell.x), ranks(cell.y))) < 1e-12, `${row.model} ${row.language} ρ`);
  }
});

interface Lme4Case {
  name: string;
  columns: string[];
  fixef: number[];
  se: number[];
  random: { group: string; var1: string | null; vcov: number }[];
  residualVariance: number;
  logLik: number;
}

test('run --no-score: the study regenerates the paper’s regression table (= the lme4 fixture’s input) and its declared fit equals lme4', {
  timeout: 120_000,
}, async () => {
  const study = 'examples/rystrom-2025/rystrom-2025.study.json';
  const r = await runCli(['run', study, '--no-score'], { cwd: dir, timeoutMs: 100_000 });
  assert.equal(r.code, 0, r.stderr);
  const results = join(dir, 'examples', 'rystrom-2025', 'rystrom-2025.results');
  const regenerated = rows(join(results, 'analysis', 'regression.csv'));
  const fixture = rows(join('test', 'fixtures', 'r', 'lmm-rystrom.csv'));
  assert.equal(regenerated.length, 3600);
  assert.deepEqual(regenerated, fixture);

  const lme4 = (JSON.parse(readFileSync(join('test', 'fixtures', 'r', 'lmm-formula.json'), 'utf8')) as { cases: Lme4Case[] }).cases.find(
    (c) => c.name === 'paper-rystrom',
  )!;
  const analysis = JSON.parse(readFileSync(join(results, 'analysis.json'), 'utf8')) as {
    fits: {
      name: string;
      error?: string;
      fixed: { term: string; estimate: number; se: number }[];
      random: { group: string; variance: number }[];
      residualVariance: number;
      logLik: number;
      n: number;
    }[];
  };
  const [fit] = analysis.fits;
  assert.equal(fit.error, undefined);
  assert.equal(fit.n, 3600);
  assert.deepEqual(
    fit.fixed.map((t) => t.term),
    lme4.columns,
  );
  fit.fixed.forEach((t, i) => {
    assert.ok(Math.abs(t.estimate - lme4.fixef[i]) <= 1e-6, `${t.term} estimate ${t.estimate} vs ${lme4.fixef[i]}`);
    assert.ok(Math.abs(t.se - lme4.se[i]) <= 1e-6, `${t.term} se`);
  });
  const modelVariance = lme4.random.find((v) => v.group === 'model')!.vcov;
  assert.ok(Math.abs(fit.random[0].variance - modelVariance) <= 1e-6);
  assert.ok(Math.abs(fit.residualVariance - lme4.residualVariance) <= 1e-6);
  assert.ok(Math.abs(fit.logLik - lme4.logLik) <= 1e-6);
  // The tidy export carries the same fit.
  assert.match(readFileSync(join(results, 'analysis', 'fits.csv'), 'utf8'), /consistency:languageda/);
});
