// The study views (a StudyAnalysis in a `study` message, or in the report's data-study) in real Chromium,
// checked against figures computed from the fixture JSON (test/webview/study-harness.ts), not by the code
// under test. One scenario group per file (study-*.test.ts) so the runner runs them side by side:
// paired differences, consistency and US bias, distances and fits, position bias and first token.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SKIP_REASON, readTable, webviewSuite } from './harness';
import { choose, colours, f3, fixture, json, NO_PROBLEMS, openStudy, sendStudy } from './study-harness';

const skip = SKIP_REASON;
const web = webviewSuite();
const open = (state?: unknown) => openStudy(web, state);

test('forest plot of paired differences: rows with CIs, Holm and BH adjusted p in the table', { skip, timeout: 60_000 }, async () => {
  const analysis = fixture();
  const panel = await open();
  await sendStudy(panel, analysis);
  const table = await readTable(panel.page, 'study-contrasts');
  assert.deepEqual(table[0], [
    'Factor',
    'A',
    'B',
    'Within',
    'Measure',
    'Statistic',
    'Difference (A − B)',
    'CI low',
    'CI high',
    'p',
    'p (Holm)',
    'p (BH)',
  ]);
  assert.equal(table.length, 1 + analysis.contrasts.length);
  const contrast = analysis.contrasts.find(
    (c) => c.factor === 'model' && c.a === 'gpt-4o' && c.b === 'gemma-2-9b' && c.within.language === 'da',
  )!;
  const shown = table.find(
    (cells) => cells[1] === 'gpt-4o' && cells[2] === 'gemma-2-9b' && cells[3] === 'language=da; reference=pooled:da',
  )!;
  const d = contrast.difference;
  assert.deepEqual(shown.slice(6), [f3(d.estimate), f3(d.ci![0]), f3(d.ci![1]), f3(d.p!), f3(d.pHolm!), f3(d.pBH!)]);
  const labels = await json(panel.page, 'study-contrasts', 'data-labels');
  assert.ok(labels.includes('gpt-4o − gemma-2-9b (da, pooled:da)'));
  const groups = await json(panel.page, 'study-contrasts', 'data-datasets');
  const significant = analysis.contrasts.filter((c) => (c.difference.pHolm ?? 1) < 0.05).length;
  assert.deepEqual(
    groups.map((g: { n: number }) => g.n),
    [significant, analysis.contrasts.length - significant],
  );
  await choose(panel.page, 'factor', 'language');
  const byLanguage = await readTable(panel.page, 'study-contrasts');
  assert.equal(byLanguage.length, 1 + analysis.contrasts.filter((c) => c.factor === 'language').length);
  await panel.page.context().close();
});

test('consistency and US-bias tables show both named definitions; the chart has one dataset per definition', {
  skip,
  timeout: 60_000,
}, async () => {
  const analysis = fixture();
  const panel = await open();
  await sendStudy(panel, analysis);
  const consistency = await readTable(panel.page, 'study-consistency');
  assert.equal(consistency.length, 1 + 8);
  assert.deepEqual([...new Set(consistency.slice(1).map((cells) => cells[2]))], ['paraphrase-vectors', 'response-pairs']);
  assert.match(consistency[2][3], /Rystrøm et al\. 2025.*0\.955/);
  const rp = analysis.consistency.find((c) => c.model === 'gpt-3.5-turbo' && c.language === 'nl' && c.definition === 'response-pairs')!;
  const shown = consistency.find((cells) => cells[1] === 'nl' && cells[2] === 'response-pairs')!;
  assert.deepEqual(shown.slice(4, 8), [String(rp.pairs), f3(rp.value!.estimate), f3(rp.value!.ci![0]), f3(rp.value!.ci![1])]);
  assert.deepEqual(
    (await json(panel.page, 'study-consistency', 'data-datasets')).map((d: { label: string }) => d.label),
    ['paraphrase-vectors (Value Lens)', 'response-pairs (Rystrøm et al. 2025)'],
  );

  await choose(panel.page, 'model', 'gpt-4o');
  const bias = await readTable(panel.page, 'study-bias');
  assert.equal(bias.length, 1 + 8);
  const en = analysis.usBias.find((b) => b.model === 'gpt-4o' && b.language === 'en' && b.definition === 'response-spearman')!;
  const row = bias.find((cells) => cells[1] === 'en' && cells[2] === 'response-spearman')!;
  assert.deepEqual(row.slice(4, 8), ['GB CA AU NZ', f3(en.localR!), f3(en.usR!), f3(en.usR! - en.localR!)]);
  assert.ok(bias.slice(1).every((cells) => cells[0] === 'gpt-4o'));
  assert.deepEqual(
    (await json(panel.page, 'study-bias', 'data-datasets')).map((d: { label: string }) => d.label),
    ['item-pearson (Value Lens)', 'response-spearman (Rystrøm et al. 2025)'],
  );
  await panel.page.context().close();
});

test('distances: mean JSD per model × language beside the uniform baseline; fits: every term, variance and log-likelihood', {
  skip,
  timeout: 60_000,
}, async () => {
  const analysis = fixture();
  const panel = await open();
  await sendStudy(panel, analysis);
  const distances = await readTable(panel.page, 'study-distances');
  const gpt = analysis.distances.filter((d) => d.model === 'gpt-3.5-turbo');
  const row = distances.find((cells) => cells[0] === 'gpt-3.5-turbo')!;
  assert.deepEqual(row.slice(2, 8), [
    'DK',
    String(gpt.length),
    f3(gpt.reduce((s, d) => s + d.jsd, 0) / gpt.length),
    f3(0.21),
    f3(gpt.reduce((s, d) => s + d.wasserstein, 0) / gpt.length),
    f3(2.4),
  ]);
  assert.deepEqual(
    (await json(panel.page, 'study-distances', 'data-datasets')).map((d: { label: string }) => d.label),
    ['gpt-3.5-turbo', 'gpt-4o', 'uniform answers (baseline)'],
  );
  const fits = await readTable(panel.page, 'study-fits');
  const fit = analysis.fits[0];
  assert.equal(fits.length, 1 + fit.fixed.length + fit.random.length + 2);
  assert.deepEqual(fits[1].slice(3), ['fixed', '', fit.fixed[0].term, f3(fit.fixed[0].estimate), f3(fit.fixed[0].se), f3(fit.fixed[0].t)]);
  assert.deepEqual(fits.at(-1)!.slice(3, 7), ['REML log-likelihood', '', '', f3(fit.logLik)]);
  assert.deepEqual(
    await json(panel.page, 'study-fits', 'data-labels'),
    fit.fixed.map((t) => t.term),
  );
  await panel.page.context().close();
});

test('position bias and first token vs text: charts painted from the analysis, tables with the same numbers', {
  skip,
  timeout: 60_000,
}, async () => {
  const analysis = fixture();
  const estimate = (v: number, ci: [number, number] | null = null) => ({ estimate: v, ci, p: null });
  analysis.positionBias = [
    {
      model: 'gpt-4o',
      language: 'da',
      k: 4,
      orders: ['original', 'reversed'],
      responses: 40,
      items: 20,
      uniform: 0.25,
      positions: [0.4, 0.2, 0.15, 0.25].map((share, j) => ({
        position: j + 1,
        share: estimate(share, [share - 0.05, share + 0.05]),
        excess: share - 0.25,
      })),
      totalVariation: estimate(0.15, [0.1, 0.2]),
    },
  ];
  analysis.firstTokenText = [
    {
      model: 'gpt-4o',
      language: 'da',
      pairs: 20,
      agreement: 0.35,
      meanAbsDifference: 0.42,
      unparsed: 1,
      disagreements: [{ itemId: 'Q1', template: 'direct', paraphrase: null, country: 'DK', order: 'original', firstToken: 3, text: 2 }],
    },
  ];
  const panel = await open();
  await sendStudy(panel, analysis);
  for (const id of ['study-positions', 'study-first-token']) {
    assert.equal(await panel.page.getAttribute(`[data-chart="${id}"]`, 'data-has-data'), 'true', id);
    const paint = await colours(panel.page, id);
    assert.ok(paint.width > 100 && paint.height > 100 && paint.colours > 10, `${id} painted: ${JSON.stringify(paint)}`);
  }
  const positions = await readTable(panel.page, 'study-positions');
  // readTable's first row is the header.
  assert.deepEqual(
    positions.slice(1).map((r) => [r[6], r[7]]),
    [
      ['1', f3(0.4)],
      ['2', f3(0.2)],
      ['3', f3(0.15)],
      ['4', f3(0.25)],
      ['total variation', f3(0.15)],
    ],
  );
  const firstToken = await readTable(panel.page, 'study-first-token');
  assert.deepEqual(firstToken[1], ['gpt-4o', 'da', '20', f3(0.35), f3(0.42), '1', 'Q1']);
  assert.deepEqual(await panel.problems(), NO_PROBLEMS);
  await panel.page.context().close();
});
