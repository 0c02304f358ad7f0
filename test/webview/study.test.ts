// The study views (a StudyAnalysis in a `study` message, or in the report's data-study) in real Chromium:
// every view paints, its data table lists the rows and values the fixture has (checked against figures
// computed here from the fixture JSON, not by the code under test), CSV/PNG export, choices kept across a
// reload, theme colours, empty states, hostile strings, fuzzed messages and the self-contained report.
//   node --import tsx --test test/webview/study.test.ts
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import type { AlignmentRow, StudyAnalysis } from '../../src/core/study/analysisTypes';
import { MESSAGES } from '../../webview/messages';
import { makeReport } from './fixture-report';
import { SKIP_REASON, buildWebview, launchChromium, openPanelPage, postToPage, readTable, reportMessage, startPanelServer, type PanelPage, type PanelServer } from './harness';

const skip = SKIP_REASON;
let browser: Browser;
let server: PanelServer;
let bundle: Awaited<ReturnType<typeof buildWebview>>;

const FIXTURE = 'test/fixtures/study-analysis/study-analysis.json';
const fixture = (): StudyAnalysis => JSON.parse(readFileSync(FIXTURE, 'utf8')) as StudyAnalysis;

before(async () => {
  if (skip) return;
  bundle = await buildWebview();
  server = await startPanelServer(bundle.file);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
  bundle?.cleanup();
});

const VIEWS = ['study-models', 'study-countries', 'study-regions', 'study-categories', 'study-contrasts', 'study-consistency', 'study-bias', 'study-attributes', 'study-distances', 'study-fits'];
const NO_PROBLEMS = { pageErrors: [], consoleErrors: [], cspViolations: [], dialogs: [] };
/** A measure as the tables show it: always 3 decimals, 0 and integers included (one format per column, formatMeasure's rule). */
const f3 = (v: number) => v.toFixed(3);

/** Posts a study message and waits until the study views rendered it. */
async function sendStudy(panel: PanelPage, analysis: unknown): Promise<void> {
  const before = await panel.page.evaluate(() => Number(document.getElementById('vl-study')?.getAttribute('data-updates') ?? '0'));
  await postToPage(panel.page, { type: 'study', analysis });
  if (analysis === null) return void (await panel.page.waitForFunction(() => document.getElementById('vl-study')?.hidden === true));
  await panel.page.waitForFunction((n) => Number(document.getElementById('vl-study')?.getAttribute('data-updates') ?? '0') > n, before);
}

async function open(state?: unknown): Promise<PanelPage> {
  const panel = await openPanelPage(browser, server, { vscode: true, state: state as never });
  await panel.page.setViewportSize({ width: 1400, height: 1000 });
  return panel;
}

/** Sets a study choice the way a user does (vscode-single-select fires `change`). */
async function choose(page: Page, key: string, value: string): Promise<void> {
  await page.evaluate(
    ([k, v]) => {
      const select = document.querySelector(`[data-study-choice="${k}"]`) as HTMLElement & { value: string };
      select.value = v;
      select.dispatchEvent(new Event('change'));
    },
    [key, value],
  );
}

const json = async (page: Page, id: string, attribute: string) => JSON.parse((await page.getAttribute(`[data-chart="${id}"]`, attribute)) ?? 'null');

/** How many distinct colours a canvas has (sampled): a painted chart has many, a blank one 1. */
async function colours(page: Page, id: string): Promise<{ width: number; height: number; colours: number }> {
  return page.$eval(`[data-chart="${id}"] canvas`, (canvas) => {
    const c = canvas as HTMLCanvasElement;
    const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const seen = new Set<number>();
    for (let i = 0; i < data.length; i += 4 * 5) seen.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
    return { width: c.width, height: c.height, colours: seen.size };
  });
}

/** The fixture's per-country rows (cue = reference, all categories), computed here independently. */
function countryRows(analysis: StudyAnalysis, model: string, language: string, category: string | null): AlignmentRow[] {
  return analysis.alignment.filter((r) => r.model === model && r.language === language && r.level === 'item' && r.measure === 'mean' && r.category === category && r.country !== null && r.country === r.reference);
}

/** R's quantile(type = 7), by hand. */
function q7(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  const h = (s.length - 1) * p;
  return s[Math.floor(h)] + (h - Math.floor(h)) * (s[Math.ceil(h)] - s[Math.floor(h)]);
}

test('a study message fills the header counts and all ten views; every canvas paints', { skip, timeout: 90_000 }, async () => {
  const panel = await open();
  await panel.send(reportMessage(makeReport()));
  await sendStudy(panel, fixture());
  assert.equal(await panel.page.textContent('#vl-study .vl-study-title'), 'Study: multicultural-demo');
  const counts = await panel.page.$$eval('#vl-study [data-count]', (lis) => Object.fromEntries(lis.map((li) => [li.getAttribute('data-count'), li.querySelector('strong')?.textContent])));
  assert.deepEqual(counts, { read: '7412', used: '7163', superseded: '120', stale: '37', skipped: '92', 'skipped:failure': '54', 'skipped:unknown-item': '12', 'skipped:no-measure': '21', 'skipped:bad-line': '5' });
  assert.match((await panel.page.textContent('#vl-study .vl-study-header')) ?? '', /bootstrap 1000 resamples \(seed 1\).*Base \(non-chat\) models: gemma-2-9b\./s);
  assert.match((await panel.page.textContent('#vl-study .vl-tests')) ?? '', /contrasts:item:pro:spearman: 84 test\(s\) \(holm, BH\)/);
  for (const id of VIEWS) {
    assert.equal(await panel.page.getAttribute(`[data-chart="${id}"]`, 'data-has-data'), 'true', id);
    const paint = await colours(panel.page, id);
    assert.ok(paint.width > 100 && paint.height > 100 && paint.colours > 10, `${id} painted: ${JSON.stringify(paint)}`);
    assert.ok(((await panel.page.getAttribute(`[data-chart="${id}"] canvas`, 'aria-label')) ?? '').includes('values; highest'), id);
  }
  // The round-one charts still work beside the study views.
  assert.equal(await panel.page.getAttribute('[data-chart="correlation"]', 'data-has-data'), 'true');
  assert.deepEqual(await panel.problems(), NO_PROBLEMS);
  await panel.page.context().close();
});

test('model vs model: one bar group per language (pooled), one dataset per model, CI whiskers from Estimate.ci', { skip, timeout: 60_000 }, async () => {
  const analysis = fixture();
  const panel = await open();
  await sendStudy(panel, analysis);
  assert.deepEqual(await json(panel.page, 'study-models', 'data-labels'), ['da (pooled)', 'nl (pooled)', 'en (pooled)', 'pt (pooled)']);
  const datasets = await json(panel.page, 'study-models', 'data-datasets');
  assert.deepEqual(datasets.map((d: { label: string }) => d.label), analysis.models.map((m) => m.id));
  assert.ok(datasets.every((d: { n: number }) => d.n === 4));
  const table = await readTable(panel.page, 'study-models');
  const expected = analysis.alignment.filter((r) => r.country === null && r.category === null && r.level === 'item' && r.measure === 'mean' && r.reference.startsWith('pooled:'));
  assert.equal(expected.length, 24);
  assert.equal(table.length, 1 + expected.length);
  assert.deepEqual(table[0].slice(8, 14), ['Pearson r', 'r CI low', 'r CI high', 'r p', 'r p (Holm)', 'r p (BH)']);
  const row = expected.find((r) => r.model === 'gpt-4o' && r.language === 'da')!;
  const shown = table.find((cells) => cells[0] === 'gpt-4o' && cells[1] === 'da')!;
  assert.deepEqual(shown.slice(3, 14), [row.reference, '', 'item', 'mean', String(row.n), f3(row.pearson!.estimate), f3(row.pearson!.ci![0]), f3(row.pearson!.ci![1]), f3(row.pearson!.p!), f3(row.pearson!.pHolm!), f3(row.pearson!.pBH!)]);
  // Response level, pro share, Spearman, single-country references: the second seed's headline slice.
  await choose(panel.page, 'level', 'response');
  await choose(panel.page, 'measure', 'pro');
  await choose(panel.page, 'statistic', 'spearman');
  await choose(panel.page, 'reference', 'country');
  assert.deepEqual(await json(panel.page, 'study-models', 'data-labels'), ['da · DK', 'nl · NL', 'en · GB', 'en · CA', 'en · AU', 'en · NZ', 'pt · PT', 'pt · BR']);
  const slice = await readTable(panel.page, 'study-models');
  assert.ok(slice.slice(1).every((cells) => cells[5] === 'response' && cells[6] === 'pro' && !cells[3].startsWith('pooled')));
  assert.equal(slice.length, 1 + 6 * 8);
  assert.match((await panel.page.textContent('[data-chart="study-models"] .vl-slice')) ?? '', /response level, pro measure, single-country references, Spearman ρ/);
  await panel.page.context().close();
});

test('per country: r per country cue, sorted highest first, coloured by region; regions are the means of those rows', { skip, timeout: 60_000 }, async () => {
  const analysis = fixture();
  const panel = await open();
  await sendStudy(panel, analysis);
  await choose(panel.page, 'language', 'en');
  const rows = countryRows(analysis, 'gpt-3.5-turbo', 'en', null).sort((a, b) => b.pearson!.estimate - a.pearson!.estimate);
  assert.equal(rows.length, 24);
  assert.deepEqual(await json(panel.page, 'study-countries', 'data-labels'), rows.map((r) => r.reference));
  const regions = await json(panel.page, 'study-countries', 'data-datasets');
  assert.deepEqual(regions.map((d: { label: string }) => d.label).sort(), ['Africa', 'Americas', 'Asia', 'Europe', 'Oceania']);
  assert.equal(regions.reduce((s: number, d: { n: number }) => s + d.n, 0), 24);
  const table = await readTable(panel.page, 'study-countries');
  assert.deepEqual(table.slice(1).map((cells) => cells[3]), rows.map((r) => r.reference));
  assert.deepEqual(table.slice(1).map((cells) => cells[8]), rows.map((r) => f3(r.pearson!.estimate)));
  // A tall chart: one row per country.
  const height = await panel.page.$eval('[data-chart="study-countries"] canvas', (c) => c.getBoundingClientRect().height);
  assert.ok(height >= 24 * 18, `canvas height ${height}`);

  // Region means: the mean of the per-country r over each region's countries (independent arithmetic).
  const regionTable = await readTable(panel.page, 'study-regions');
  const europe = regionTable.find((cells) => cells[0] === 'gpt-3.5-turbo' && cells[4] === 'Europe')!;
  const europeRows = rows.filter((r) => ['DK', 'SE', 'NO', 'GB', 'NL', 'DE', 'FR', 'PT', 'ES', 'IT'].includes(r.reference));
  assert.equal(europe[5], '10');
  assert.equal(europe[7], f3(europeRows.reduce((s, r) => s + r.pearson!.estimate, 0) / 10));
  assert.deepEqual(await json(panel.page, 'study-regions', 'data-labels'), ['Oceania', 'Europe', 'Americas', 'Asia', 'Africa'].filter((r) => regionTable.some((c) => c[4] === r)).sort((a, b) => {
    const mean = (region: string) => {
      const v = regionTable.slice(1).filter((c) => c[4] === region).map((c) => Number(c[7]));
      return v.reduce((s, x) => s + x, 0) / v.length;
    };
    return mean(b) - mean(a);
  }));
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
  assert.deepEqual(shown.slice(6, 13), ['24', f3(sorted[0]), f3(q7(values, 0.25)), f3(q7(values, 0.5)), f3(q7(values, 0.75)), f3(sorted[23]), f3(values.reduce((s, v) => s + v, 0) / 24)]);
  await panel.page.context().close();
});

test('forest plot of paired differences: rows with CIs, Holm and BH adjusted p in the table', { skip, timeout: 60_000 }, async () => {
  const analysis = fixture();
  const panel = await open();
  await sendStudy(panel, analysis);
  const table = await readTable(panel.page, 'study-contrasts');
  assert.deepEqual(table[0], ['Factor', 'A', 'B', 'Within', 'Measure', 'Statistic', 'Difference (A − B)', 'CI low', 'CI high', 'p', 'p (Holm)', 'p (BH)']);
  assert.equal(table.length, 1 + analysis.contrasts.length);
  const contrast = analysis.contrasts.find((c) => c.factor === 'model' && c.a === 'gpt-4o' && c.b === 'gemma-2-9b' && c.within.language === 'da')!;
  const shown = table.find((cells) => cells[1] === 'gpt-4o' && cells[2] === 'gemma-2-9b' && cells[3] === 'language=da; reference=pooled:da')!;
  const d = contrast.difference;
  assert.deepEqual(shown.slice(6), [f3(d.estimate), f3(d.ci![0]), f3(d.ci![1]), f3(d.p!), f3(d.pHolm!), f3(d.pBH!)]);
  const labels = await json(panel.page, 'study-contrasts', 'data-labels');
  assert.ok(labels.includes('gpt-4o − gemma-2-9b (da, pooled:da)'));
  const groups = await json(panel.page, 'study-contrasts', 'data-datasets');
  const significant = analysis.contrasts.filter((c) => (c.difference.pHolm ?? 1) < 0.05).length;
  assert.deepEqual(groups.map((g: { n: number }) => g.n), [significant, analysis.contrasts.length - significant]);
  await choose(panel.page, 'factor', 'language');
  const byLanguage = await readTable(panel.page, 'study-contrasts');
  assert.equal(byLanguage.length, 1 + analysis.contrasts.filter((c) => c.factor === 'language').length);
  await panel.page.context().close();
});

test('consistency and US-bias tables show both named definitions; the chart has one dataset per definition', { skip, timeout: 60_000 }, async () => {
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
  assert.deepEqual((await json(panel.page, 'study-consistency', 'data-datasets')).map((d: { label: string }) => d.label), ['paraphrase-vectors (Value Lens)', 'response-pairs (Rystrøm et al. 2025)']);

  await choose(panel.page, 'model', 'gpt-4o');
  const bias = await readTable(panel.page, 'study-bias');
  assert.equal(bias.length, 1 + 8);
  const en = analysis.usBias.find((b) => b.model === 'gpt-4o' && b.language === 'en' && b.definition === 'response-spearman')!;
  const row = bias.find((cells) => cells[1] === 'en' && cells[2] === 'response-spearman')!;
  assert.deepEqual(row.slice(4, 8), ['GB CA AU NZ', f3(en.localR!), f3(en.usR!), f3(en.usR! - en.localR!)]);
  assert.ok(bias.slice(1).every((cells) => cells[0] === 'gpt-4o'));
  assert.deepEqual((await json(panel.page, 'study-bias', 'data-datasets')).map((d: { label: string }) => d.label), ['item-pearson (Value Lens)', 'response-spearman (Rystrøm et al. 2025)']);
  await panel.page.context().close();
});

test('distances: mean JSD per model × language beside the uniform baseline; fits: every term, variance and log-likelihood', { skip, timeout: 60_000 }, async () => {
  const analysis = fixture();
  const panel = await open();
  await sendStudy(panel, analysis);
  const distances = await readTable(panel.page, 'study-distances');
  const gpt = analysis.distances.filter((d) => d.model === 'gpt-3.5-turbo');
  const row = distances.find((cells) => cells[0] === 'gpt-3.5-turbo')!;
  assert.deepEqual(row.slice(2, 8), ['DK', String(gpt.length), f3(gpt.reduce((s, d) => s + d.jsd, 0) / gpt.length), f3(0.21), f3(gpt.reduce((s, d) => s + d.wasserstein, 0) / gpt.length), f3(2.4)]);
  assert.deepEqual((await json(panel.page, 'study-distances', 'data-datasets')).map((d: { label: string }) => d.label), ['gpt-3.5-turbo', 'gpt-4o', 'uniform answers (baseline)']);
  const fits = await readTable(panel.page, 'study-fits');
  const fit = analysis.fits[0];
  assert.equal(fits.length, 1 + fit.fixed.length + fit.random.length + 2);
  assert.deepEqual(fits[1].slice(3), ['fixed', '', fit.fixed[0].term, f3(fit.fixed[0].estimate), f3(fit.fixed[0].se), f3(fit.fixed[0].t)]);
  assert.deepEqual(fits.at(-1)!.slice(3, 7), ['REML log-likelihood', '', '', f3(fit.logLik)]);
  assert.deepEqual(await json(panel.page, 'study-fits', 'data-labels'), fit.fixed.map((t) => t.term));
  await panel.page.context().close();
});

test('study choices persist with setState; a reloaded page restores them and shows that slice', { skip, timeout: 60_000 }, async () => {
  const analysis = fixture();
  const panel = await open();
  await sendStudy(panel, analysis);
  await choose(panel.page, 'model', 'gemma-2-27b-it');
  await choose(panel.page, 'language', 'da');
  await choose(panel.page, 'statistic', 'spearman');
  await choose(panel.page, 'attribute', 'chat');
  const saved = (await panel.state()) as { study?: Record<string, string> };
  assert.deepEqual(saved.study, { model: 'gemma-2-27b-it', language: 'da', statistic: 'spearman', attribute: 'chat' });
  // Local choices: nothing goes to the host.
  assert.deepEqual(await panel.posted(), [{ type: 'ready' }]);
  await panel.page.context().close();

  const reloaded = await open(saved);
  await sendStudy(reloaded, analysis);
  assert.equal(await reloaded.page.getAttribute('[data-study-choice="model"]', 'data-value'), 'gemma-2-27b-it');
  assert.equal(await reloaded.page.getAttribute('[data-study-choice="statistic"]', 'data-value'), 'spearman');
  const expected = countryRows(analysis, 'gemma-2-27b-it', 'da', null).sort((a, b) => b.spearman!.estimate - a.spearman!.estimate);
  const table = await readTable(reloaded.page, 'study-countries');
  assert.deepEqual(table.slice(1).map((cells) => [cells[0], cells[1], cells[3], cells[14]]), expected.map((r) => ['gemma-2-27b-it', 'da', r.reference, f3(r.spearman!.estimate)]));
  assert.deepEqual((await json(reloaded.page, 'study-attributes', 'data-datasets')).map((d: { label: string }) => d.label), ['chat = true', 'chat = false']);
  await reloaded.page.context().close();
});

test('export buttons post exportCsv with the view id and a real PNG of the view', { skip, timeout: 60_000 }, async () => {
  const panel = await open();
  await sendStudy(panel, fixture());
  await panel.page.click('[data-chart="study-countries"] [data-export="csv"]');
  await panel.page.click('[data-chart="study-categories"] [data-export="png"]');
  const posted = (await panel.posted()) as { type: string; chart?: string; dataUrl?: string }[];
  assert.deepEqual(posted[1], { type: 'exportCsv', chart: 'study-countries' });
  assert.equal(posted[2].type, 'exportPng');
  assert.equal(posted[2].chart, 'study-categories');
  const bytes = Buffer.from(posted[2].dataUrl!.replace('data:image/png;base64,', ''), 'base64');
  assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.ok(bytes.length > 5000, `PNG has content (${bytes.length} bytes)`);
  await panel.page.context().close();
});

test('theme changes re-colour the study views from --vscode-* variables', { skip, timeout: 60_000 }, async () => {
  const panel = await open();
  await sendStudy(panel, fixture());
  const colour = async () => (await json(panel.page, 'study-models', 'data-datasets'))[0].color;
  assert.equal(await colour(), '#3794ff');
  // Past the six palette colours, the same hues come back hollow.
  assert.equal((await json(panel.page, 'study-models', 'data-datasets'))[5].color, '#cca700');
  await panel.page.evaluate(() => document.body.style.setProperty('--vscode-charts-blue', 'rgb(1, 2, 3)'));
  await panel.page.waitForFunction(() => document.querySelector('[data-chart="study-models"]')?.getAttribute('data-datasets')?.includes('rgb(1, 2, 3)'));
  assert.equal(await colour(), 'rgb(1, 2, 3)');
  await panel.page.context().close();
});

test('empty states: views without rows say why; a study with nothing used says so; null removes the views', { skip, timeout: 60_000 }, async () => {
  const panel = await open();
  await panel.send(reportMessage(makeReport({ results: 0 })));
  const partial = { ...fixture(), contrasts: [], regions: [], attributeGroups: [] };
  partial.alignment = partial.alignment.filter((r) => r.country === null && r.reference.startsWith('pooled:'));
  await sendStudy(panel, partial);
  // The round-one "no results yet" banner would read as if the study had none.
  assert.equal(await panel.page.isVisible('.vl-empty[data-empty="no-results"]'), false);
  assert.equal(await panel.page.getAttribute('[data-chart="study-models"]', 'data-has-data'), 'true');
  const empty = async (id: string) => panel.page.textContent(`[data-chart="${id}"] .vl-chart-empty`);
  assert.equal(await empty('study-countries'), 'No per-country rows: the study has no country cues and no single-country references.');
  assert.match((await empty('study-contrasts')) ?? '', /^No paired differences/);
  assert.match((await empty('study-regions')) ?? '', /^No region means/);
  assert.equal(await panel.page.getAttribute('[data-chart="study-attributes"]', 'data-has-data'), 'false');
  assert.equal(await panel.page.isVisible('[data-chart="study-countries"] canvas'), false);

  const nothing = { ...fixture(), counts: { read: 40, used: 0, superseded: 0, stale: 0, skipped: { failure: 40 } }, alignment: [], regions: [], consistency: [], usBias: [], contrasts: [], attributeGroups: [] };
  await sendStudy(panel, nothing);
  assert.equal(await panel.page.textContent('.vl-empty[data-empty="study"]'), MESSAGES.studyEmpty);
  assert.equal(await panel.page.textContent('[data-count="skipped:failure"] strong'), '40');
  await sendStudy(panel, null);
  assert.equal(await panel.page.isVisible('#vl-study'), false);
  assert.deepEqual((await panel.problems()).pageErrors, []);
  await panel.page.context().close();
});

const HOSTILE_MODEL = '<script>window.__pwned = 1; alert(1)</script>';
const HOSTILE_COUNTRY = '<img src=x onerror="window.__pwned = 2; alert(2)">';

test('hostile model, country, category and study names render as text: 0 scripts run, 0 CSP violations, 0 requests', { skip, timeout: 60_000 }, async () => {
  const analysis = fixture();
  const swap = (s: string) => (s === 'gpt-4o' ? HOSTILE_MODEL : s);
  analysis.study = '"><svg onload=alert(3)>';
  analysis.models = analysis.models.map((m) => ({ ...m, id: swap(m.id) }));
  analysis.alignment = analysis.alignment.map((r) => ({
    ...r,
    model: swap(r.model),
    country: r.country === 'DK' ? HOSTILE_COUNTRY : r.country,
    reference: r.reference === 'DK' ? HOSTILE_COUNTRY : r.reference,
    category: r.category === 'progress' ? '<b onmouseover=alert(4)>progress</b>' : r.category,
  }));
  analysis.consistency = analysis.consistency.map((r) => ({ ...r, model: swap(r.model) }));
  analysis.usBias = analysis.usBias.map((r) => ({ ...r, model: swap(r.model) }));
  analysis.contrasts = analysis.contrasts.map((r) => ({ ...r, a: swap(r.a), b: swap(r.b) }));
  const panel = await open();
  await sendStudy(panel, analysis);
  await choose(panel.page, 'model', HOSTILE_MODEL);
  assert.equal(await panel.page.textContent('#vl-study .vl-study-title'), 'Study: "><svg onload=alert(3)>');
  const models = await readTable(panel.page, 'study-models');
  assert.ok(models.some((cells) => cells[0] === HOSTILE_MODEL));
  const countries = await readTable(panel.page, 'study-countries');
  assert.ok(countries.some((cells) => cells[0] === HOSTILE_MODEL && cells[3] === HOSTILE_COUNTRY));
  assert.ok((await json(panel.page, 'study-countries', 'data-labels')).includes(HOSTILE_COUNTRY));
  const categories = await readTable(panel.page, 'study-categories');
  assert.ok(categories.some((cells) => cells[5] === '<b onmouseover=alert(4)>progress</b>'));
  const contrasts = await readTable(panel.page, 'study-contrasts');
  assert.ok(contrasts.some((cells) => cells[1] === HOSTILE_MODEL));
  await panel.page.hover('[data-chart="study-countries"] canvas');
  await panel.page.hover('[data-chart="study-models"] canvas');
  const injected = await panel.page.evaluate(() => ({
    pwned: (window as unknown as { __pwned?: number }).__pwned,
    elements: document.querySelectorAll('#vl-root img, #vl-root svg, #vl-root script, #vl-root b').length,
    scripts: document.scripts.length,
  }));
  assert.deepEqual(injected, { pwned: undefined, elements: 0, scripts: 1 });
  assert.deepEqual(await panel.problems(), NO_PROBLEMS);
  assert.deepEqual(server.requests.filter((p) => !['/', '/dist/webview.js', '/media/panel.css', '/favicon.ico'].includes(p)), []);
  await panel.page.context().close();
});

test('1,000 fuzzed study messages: no page error, malformed rows are counted, the views keep working', { skip, timeout: 90_000 }, async () => {
  const panel = await open();
  const small = fixture();
  small.alignment = small.alignment.filter((r) => r.country === null).slice(0, 40);
  await panel.page.evaluate((base) => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pick = <T,>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
    const junk: unknown[] = [null, undefined, 0, -1, NaN, 1e308, '', 'x', [], {}, [1, 2], { a: 1 }, '<script>alert(1)</script>', true, { estimate: 'x' }, { estimate: 1, ci: [0] }];
    const keys = Object.keys(base);
    for (let i = 0; i < 1000; i++) {
      const kind = pick(['field', 'row', 'raw', 'analysis']);
      let message: unknown;
      if (kind === 'raw') message = { type: 'study', analysis: pick(junk) };
      else if (kind === 'analysis') message = pick(junk);
      else {
        const copy = JSON.parse(JSON.stringify(base));
        if (kind === 'field') copy[pick(keys)] = pick(junk);
        else {
          const list = pick(['alignment', 'contrasts', 'consistency', 'usBias', 'regions', 'attributeGroups']);
          const rows = copy[list] as Record<string, unknown>[];
          if (rows.length) {
            const row = rows[Math.floor(rand() * rows.length)];
            row[pick(Object.keys(row))] = pick(junk);
          }
        }
        message = { type: 'study', analysis: copy };
      }
      window.postMessage(message, '*');
    }
  }, small);
  await panel.page.evaluate(() => new Promise((r) => setTimeout(r, 100)));
  const broken = { ...fixture(), alignment: [...fixture().alignment.slice(0, 50), { model: 'm' }, 'not a row', { ...fixture().alignment[0], level: 'sentence' }] };
  await sendStudy(panel, broken);
  assert.equal(await panel.page.getAttribute('[data-dropped]', 'data-dropped'), '3');
  assert.match((await panel.page.textContent('[data-dropped]')) ?? '', /3 malformed row\(s\) ignored: alignment 3/);
  await sendStudy(panel, fixture());
  assert.equal(await panel.page.getAttribute('[data-chart="study-models"]', 'data-has-data'), 'true');
  assert.equal(await panel.page.$('[data-dropped]'), null);
  const problems = await panel.problems();
  assert.deepEqual(problems.pageErrors, []);
  assert.deepEqual(problems.cspViolations, []);
  assert.deepEqual(problems.dialogs, []);
  await panel.page.context().close();
});

test("the CLI's self-contained report with a study: all views render under its CSP, CSV downloads, nothing fetched", { skip, timeout: 90_000 }, async () => {
  const { renderStudyReport } = await import('../../src/cli/report');
  const analysis = fixture();
  analysis.models[0].id = '</script><script>alert(1)</script>';
  for (const r of analysis.alignment) if (r.model === 'gpt-3.5-turbo') r.model = analysis.models[0].id;
  // The function the CLI calls, with this test's bundle (the CLI reads dist/webview.js beside itself).
  const html = await renderStudyReport(analysis, { assets: { script: readFileSync(bundle.file, 'utf8'), css: readFileSync('media/panel.css', 'utf8') } });
  assert.match(html, /<title>Value Lens: multicultural-demo<\/title>/);
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  await page.setViewportSize({ width: 1400, height: 1000 });
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('dialog', (d) => (errors.push(`dialog ${d.message()}`), void d.dismiss()));
  page.on('request', (r) => requests.push(r.url()));
  await page.addInitScript('window.__csp = []; document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(e.violatedDirective));');
  await page.route('http://report.invalid/', (route) => route.fulfill({ contentType: 'text/html', body: html }));
  await page.goto('http://report.invalid/');
  await page.waitForSelector('#vl-study[data-updates="1"]');
  for (const id of VIEWS) {
    assert.equal(await page.getAttribute(`[data-chart="${id}"]`, 'data-has-data'), 'true', id);
    assert.ok((await colours(page, id)).colours > 10, `${id} painted`);
  }
  assert.equal(await page.textContent('[data-count="used"] strong'), '7163');
  // No workspace report in this page: its charts stay hidden and no error shows.
  assert.equal(await page.isVisible('.vl-charts:not(.vl-study-charts)'), false);
  assert.equal(await page.textContent('.vl-status'), '');
  const models = await readTable(page, 'study-models');
  assert.ok(models.some((cells) => cells[0] === '</script><script>alert(1)</script>'));

  const [csv] = await Promise.all([page.waitForEvent('download'), page.click('[data-chart="study-countries"] [data-export="csv"]')]);
  assert.equal(csv.suggestedFilename(), 'value-lens-study-countries.csv');
  const text = await (await csv.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks).toString('utf8'));
  const lines = text.trimEnd().split('\r\n');
  // Every per-country row of the analysis, not just the slice shown: the cue rows (6 models × 2 cue languages
  // × 24 countries) and the no-cue rows with a single-country reference that no cue row replaces.
  const key = (r: AlignmentRow) => [r.model, r.language, r.level, r.measure, r.reference].join('|');
  const cued = new Set(analysis.alignment.filter((r) => r.category === null && r.country !== null && r.country === r.reference).map(key));
  const uncued = analysis.alignment.filter((r) => r.category === null && r.country === null && !r.reference.startsWith('pooled:') && !cued.has(key(r)));
  assert.equal(cued.size, 6 * 2 * 24);
  assert.equal(lines.length, 1 + cued.size + uncued.length);
  assert.equal(lines[0], 'Model,Language,Country cue,Reference,Category,Level,Measure,n,Pearson r,r CI low,r CI high,r p,r p (Holm),r p (BH),Spearman ρ,ρ CI low,ρ CI high,ρ p,ρ p (Holm),ρ p (BH)');
  const dk = analysis.alignment.find((r) => r.model === 'gpt-4o' && r.language === 'da' && r.country === 'DK' && r.reference === 'DK' && r.category === null)!;
  assert.ok(lines.includes(['gpt-4o', 'da', 'DK', 'DK', '', 'item', 'mean', '37', ...[dk.pearson!, dk.spearman!].flatMap((e) => [e.estimate, e.ci![0], e.ci![1], e.p!, e.pHolm!, e.pBH!].map((v) => (Number.isInteger(v) ? String(v) : v.toFixed(6))))].join(',')), 'the DK row, full precision');

  const [png] = await Promise.all([page.waitForEvent('download'), page.click('[data-chart="study-contrasts"] [data-export="png"]')]);
  assert.equal(png.suggestedFilename(), 'value-lens-study-contrasts.png');
  assert.deepEqual(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp), []);
  assert.deepEqual(errors, []);
  assert.deepEqual(requests, ['http://report.invalid/'], 'nothing fetched besides the page itself');
  await context.close();
});

test('a report page with both a workspace report and a study shows both', { skip, timeout: 60_000 }, async () => {
  const { renderReportHtml } = await import('../../src/cli/html');
  const html = renderReportHtml({ reportJson: JSON.stringify(makeReport()), studyJson: JSON.stringify(fixture()), script: readFileSync(bundle.file, 'utf8'), css: readFileSync('media/panel.css', 'utf8'), title: 'Both' });
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.route('http://report.invalid/', (route) => route.fulfill({ contentType: 'text/html', body: html }));
  await page.goto('http://report.invalid/');
  await page.waitForSelector('#vl-root[data-updates="1"]');
  await page.waitForSelector('#vl-study[data-updates="1"]');
  assert.equal(await page.getAttribute('[data-chart="correlation"]', 'data-has-data'), 'true');
  assert.equal(await page.getAttribute('[data-chart="study-contrasts"]', 'data-has-data'), 'true');
  assert.deepEqual(errors, []);
  await context.close();
});

test('position bias and first token vs text: charts painted from the analysis, tables with the same numbers', { skip, timeout: 60_000 }, async () => {
  const analysis = fixture();
  const estimate = (v: number, ci: [number, number] | null = null) => ({ estimate: v, ci, p: null });
  analysis.positionBias = [
    {
      model: 'gpt-4o', language: 'da', k: 4, orders: ['original', 'reversed'], responses: 40, items: 20, uniform: 0.25,
      positions: [0.4, 0.2, 0.15, 0.25].map((share, j) => ({ position: j + 1, share: estimate(share, [share - 0.05, share + 0.05]), excess: share - 0.25 })),
      totalVariation: estimate(0.15, [0.1, 0.2]),
    },
  ];
  analysis.firstTokenText = [
    { model: 'gpt-4o', language: 'da', pairs: 20, agreement: 0.35, meanAbsDifference: 0.42, unparsed: 1, disagreements: [{ itemId: 'Q1', template: 'direct', paraphrase: null, country: 'DK', order: 'original', firstToken: 3, text: 2 }] },
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
  assert.deepEqual(positions.slice(1).map((r) => [r[6], r[7]]), [['1', f3(0.4)], ['2', f3(0.2)], ['3', f3(0.15)], ['4', f3(0.25)], ['total variation', f3(0.15)]]);
  const firstToken = await readTable(panel.page, 'study-first-token');
  assert.deepEqual(firstToken[1], ['gpt-4o', 'da', '20', f3(0.35), f3(0.42), '1', 'Q1']);
  assert.deepEqual(await panel.problems(), NO_PROBLEMS);
  await panel.page.context().close();
});
