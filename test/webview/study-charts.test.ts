// The study views (a StudyAnalysis in a `study` message, or in the report's data-study) in real Chromium,
// checked against figures computed from the fixture JSON (test/webview/study-harness.ts), not by the code
// under test. One scenario group per file (study-*.test.ts) so the runner runs them side by side:
// model vs model, per country and region, category box plots.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SKIP_REASON, readTable, webviewSuite } from './harness';
import { choose, countryRows, f3, fixture, json, openStudy, q7, sendStudy } from './study-harness';

const skip = SKIP_REASON;
const web = webviewSuite();
const open = (state?: unknown) => openStudy(web, state);

test('model vs model: one bar group per language (pooled), one dataset per model, CI whiskers from Estimate.ci', {
  skip,
  timeout: 60_000,
}, async () => {
  const analysis = fixture();
  const panel = await open();
  await sendStudy(panel, analysis);
  assert.deepEqual(await json(panel.page, 'study-models', 'data-labels'), ['da (pooled)', 'nl (pooled)', 'en (pooled)', 'pt (pooled)']);
  const datasets = await json(panel.page, 'study-models', 'data-datasets');
  assert.deepEqual(
    datasets.map((d: { label: string }) => d.label),
    analysis.models.map((m) => m.id),
  );
  assert.ok(datasets.every((d: { n: number }) => d.n === 4));
  const table = await readTable(panel.page, 'study-models');
  const expected = analysis.alignment.filter(
    (r) => r.country === null && r.category === null && r.level === 'item' && r.measure === 'mean' && r.reference.startsWith('pooled:'),
  );
  assert.equal(expected.length, 24);
  assert.equal(table.length, 1 + expected.length);
  assert.deepEqual(table[0].slice(8, 14), ['Pearson r', 'r CI low', 'r CI high', 'r p', 'r p (Holm)', 'r p (BH)']);
  const row = expected.find((r) => r.model === 'gpt-4o' && r.language === 'da')!;
  const shown = table.find((cells) => cells[0] === 'gpt-4o' && cells[1] === 'da')!;
  assert.deepEqual(shown.slice(3, 14), [
    row.reference,
    '',
    'item',
    'mean',
    String(row.n),
    f3(row.pearson!.estimate),
    f3(row.pearson!.ci![0]),
    f3(row.pearson!.ci![1]),
    f3(row.pearson!.p!),
    f3(row.pearson!.pHolm!),
    f3(row.pearson!.pBH!),
  ]);
  // Response level, pro share, Spearman, single-country references: the second seed's headline slice.
  await choose(panel.page, 'level', 'response');
  await choose(panel.page, 'measure', 'pro');
  await choose(panel.page, 'statistic', 'spearman');
  await choose(panel.page, 'reference', 'country');
  assert.deepEqual(await json(panel.page, 'study-models', 'data-labels'), [
    'da · DK',
    'nl · NL',
    'en · GB',
    'en · CA',
    'en · AU',
    'en · NZ',
    'pt · PT',
    'pt · BR',
  ]);
  const slice = await readTable(panel.page, 'study-models');
  assert.ok(slice.slice(1).every((cells) => cells[5] === 'response' && cells[6] === 'pro' && !cells[3].startsWith('pooled')));
  assert.equal(slice.length, 1 + 6 * 8);
  assert.match(
    (await panel.page.textContent('[data-chart="study-models"] .vl-slice')) ?? '',
    /response level, pro measure, single-country references, Spearman ρ/,
  );
  await panel.page.context().close();
});

test('per country: r per country cue, sorted highest first, coloured by region; regions are the means of those rows', {
  skip,
  timeout: 60_000,
}, async () => {
  const analysis = fixture();
  const panel = await open();
  await sendStudy(panel, analysis);
  await choose(panel.page, 'language', 'en');
  const rows = countryRows(analysis, 'gpt-3.5-turbo', 'en', null).sort((a, b) => b.pearson!.estimate - a.pearson!.estimate);
  assert.equal(rows.length, 24);
  assert.deepEqual(
    await json(panel.page, 'study-countries', 'data-labels'),
    rows.map((r) => r.reference),
  );
  const regions = await json(panel.page, 'study-countries', 'data-datasets');
  assert.deepEqual(regions.map((d: { label: string }) => d.label).sort(), ['Africa', 'Americas', 'Asia', 'Europe', 'Oceania']);
  assert.equal(
    regions.reduce((s: number, d: { n: number }) => s + d.n, 0),
    24,
  );
  const table = await readTable(panel.page, 'study-countries');
  assert.deepEqual(
    table.slice(1).map((cells) => cells[3]),
    rows.map((r) => r.reference),
  );
  assert.deepEqual(
    table.slice(1).map((cells) => cells[8]),
    rows.map((r) => f3(r.pearson!.estimate)),
  );
  // A tall chart: one row per country.
  const height = await panel.page.$eval('[data-chart="study-countries"] canvas', (c) => c.getBoundingClientRect().height);
  assert.ok(height >= 24 * 18, `canvas height ${height}`);

  // Region means: the mean of the per-country r over each region's countries (independent arithmetic).
  const regionTable = await readTable(panel.page, 'study-regions');
  const europe = regionTable.find((cells) => cells[0] === 'gpt-3.5-turbo' && cells[4] === 'Europe')!;
  const europeRows = rows.filter((r) => ['DK', 'SE', 'NO', 'GB', 'NL', 'DE', 'FR', 'PT', 'ES', 'IT'].includes(r.reference));
  assert.equal(europe[5], '10');
  assert.equal(europe[7], f3(europeRows.reduce((s, r) => s + r.pearson!.estimate, 0) / 10));
  assert.deepEqual(
    await json(panel.page, 'study-regions', 'data-labels'),
    ['Oceania', 'Europe', 'Americas', 'Asia', 'Africa']
      .filter((r) => regionTable.some((c) => c[4] === r))
      .sort((a, b) => {
        const mean = (region: string) => {
          const v = regionTable
            .slice(1)
            .filter((c) => c[4] === region)
            .map((c) => Number(c[7]));
          return v.reduce((s, x) => s + x, 0) / v.length;
        };
        return mean(b) - mean(a);
      }),
  );
  await choose(panel.page, 'scheme', 'subregion');
  assert.ok((await json(panel.page, 'study-regions', 'data-labels')).includes('Northern Europe'));
  await panel.page.context().close();
});

test('category box plots: R type-7 quartiles of the per-country r per category, one box per model', { skip, timeout: 60_000 }, async () => {
  const analysis = fixture();
  const panel = await open();
  await sendStudy(panel, analysis);
  await choose(panel.page, 'language', 'en');
  assert.deepEqual(await json(panel.page, 'study-categories', 'data-labels'), ['socio-cultural norms', 'social systems', 'progress']);
  assert.equal((await json(panel.page, 'study-categories', 'data-datasets')).length, analysis.models.length);
  const table = await readTable(panel.page, 'study-categories');
  assert.equal(table.length, 1 + 3 * analysis.models.length);
  const values = countryRows(analysis, 'gemma-2-9b', 'en', 'social systems').map((r) => r.pearson!.estimate);
  assert.equal(values.length, 24);
  const shown = table.find((cells) => cells[0] === 'gemma-2-9b' && cells[5] === 'social systems')!;
  const sorted = [...values].sort((a, b) => a - b);
  assert.deepEqual(shown.slice(6, 13), [
    '24',
    f3(sorted[0]),
    f3(q7(values, 0.25)),
    f3(q7(values, 0.5)),
    f3(q7(values, 0.75)),
    f3(sorted[23]),
    f3(values.reduce((s, v) => s + v, 0) / 24),
  ]);
  await panel.page.context().close();
});
