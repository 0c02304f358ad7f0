// The built webview bundle in real Chromium, under the panel's own CSP (test/webview/harness.ts). One
// scenario group per file (panel-*.test.ts) so the runner runs them side by side:
// the five charts' data, tables and paint, empty states, live updates of the tables.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MESSAGES } from '../../webview/messages';
import { makeReport } from './fixture-report';
import { SKIP_REASON, extraRequests, openPanelPage, readTable, reportMessage, webviewSuite } from './harness';

const skip = SKIP_REASON;
const web = webviewSuite();

test('posts ready, renders all five charts with the report numbers in tables', { skip, timeout: 60_000 }, async () => {
  const panel = await openPanelPage(web.browser, web.server, { vscode: true });
  assert.deepEqual(await panel.posted(), [{ type: 'ready' }]);
  assert.equal(await panel.page.textContent('.vl-empty[data-empty="waiting"]'), MESSAGES.waiting);
  const report = makeReport({ items: 30 });
  await panel.send(reportMessage(report));

  for (const id of ['correlation', 'scatter', 'consistency', 'category', 'bias']) {
    assert.equal(await panel.page.getAttribute(`[data-chart="${id}"]`, 'data-has-data'), 'true', id);
    assert.equal(await panel.page.getAttribute(`[data-chart="${id}"] canvas`, 'role'), 'img');
    assert.ok(((await panel.page.getAttribute(`[data-chart="${id}"] canvas`, 'aria-label')) ?? '').length > 40);
  }
  assert.match(
    (await panel.page.getAttribute('[data-chart="correlation"] canvas', 'aria-label')) ?? '',
    /8 values; highest pt \(PT\) for llama3\.2:3b: 0\.65; lowest da \(DK\) for qwen2\.5:7b: 0\.30\./,
  );
  assert.match(
    (await panel.page.getAttribute('[data-chart="scatter"] canvas', 'aria-label')) ?? '',
    /120 points in 4 series: da \(DK\) r = 0\.35;/,
  );
  // (a) one bar group per model, one dataset per language, values = Pearson r
  const correlation = JSON.parse((await panel.page.getAttribute('[data-chart="correlation"]', 'data-datasets')) ?? '[]');
  assert.deepEqual(
    correlation.map((d: { label: string }) => d.label),
    ['da (DK)', 'nl (NL)', 'en (US)', 'pt (PT)'],
  );
  assert.ok(correlation.every((d: { n: number }) => d.n === 2));
  const table = await readTable(panel.page, 'correlation');
  assert.equal(table.length, 1 + report.alignment.length);
  const first = report.alignment[0];
  assert.deepEqual(table[1].slice(0, 8), [
    first.model,
    first.language,
    first.country,
    'mean',
    first.pearson!.estimate.toFixed(3),
    first.pearson!.ciLow!.toFixed(3),
    first.pearson!.ciHigh!.toFixed(3),
    first.pearson!.p!.toFixed(3),
  ]);

  // (b) scatter for the first model: one dataset per language with r in the label, plus y = x
  const scatter = JSON.parse((await panel.page.getAttribute('[data-chart="scatter"]', 'data-datasets')) ?? '[]');
  assert.equal(scatter.length, 5);
  assert.match(scatter[0].label, /^da \(DK\) r = 0\.35$/);
  assert.equal(scatter[0].n, 30);
  assert.equal(scatter[4].label, 'y = x');
  const scatterTable = await readTable(panel.page, 'scatter');
  assert.equal(scatterTable.length, 1 + 4 * 30);
  assert.ok(scatterTable.slice(1).every((row) => row[0] === 'llama3.2:3b'));

  // (c) consistency and the most inconsistent items
  const items = await panel.page.$$eval('.vl-inconsistent li', (lis) => lis.map((li) => li.textContent ?? ''));
  assert.equal(items.length, 10);
  assert.match(items[0], /^Item 1 \(Q1\) — llama3\.2:3b, da, dispersion 2\.000$/);
  // (e) bias: local, US and difference
  const bias = JSON.parse((await panel.page.getAttribute('[data-chart="bias"]', 'data-datasets')) ?? '[]');
  assert.deepEqual(
    bias.map((d: { label: string }) => d.label),
    ['Local reference r', 'US reference r', 'US − local'],
  );

  const problems = await panel.problems();
  assert.deepEqual(problems, { pageErrors: [], consoleErrors: [], cspViolations: [], dialogs: [] });
  assert.deepEqual(extraRequests(web.server.requests), []);
  await panel.page.context().close();
});

test('canvases are actually drawn (not blank)', { skip, timeout: 60_000 }, async () => {
  const panel = await openPanelPage(web.browser, web.server, { vscode: true });
  await panel.send(reportMessage(makeReport({ items: 40 })));
  const colours = await panel.page.$$eval('[data-chart]:not([data-chart^="study-"]) canvas', (canvases) =>
    canvases.map((canvas) => {
      const c = canvas as HTMLCanvasElement;
      const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      const seen = new Set<number>();
      for (let i = 0; i < data.length; i += 4 * 7) seen.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
      return { width: c.width, height: c.height, colours: seen.size };
    }),
  );
  assert.equal(colours.length, 5);
  for (const c of colours) {
    assert.ok(c.width > 100 && c.height > 50, JSON.stringify(c));
    assert.ok(c.colours > 10, `a drawn chart has many colours: ${JSON.stringify(c)}`);
  }
  await panel.page.context().close();
});

test('empty states: no results yet, then no human data mapped', { skip, timeout: 60_000 }, async () => {
  const panel = await openPanelPage(web.browser, web.server, { vscode: true });
  await panel.send(reportMessage(makeReport({ results: 0 })));
  assert.equal(await panel.page.getAttribute('#vl-root', 'data-state'), 'no-results');
  assert.equal(await panel.page.textContent('.vl-empty[data-empty="no-results"]'), MESSAGES.noResults);
  assert.equal(await panel.page.isVisible('.vl-charts'), false);

  const noHuman = makeReport({ humanRows: 0 });
  noHuman.alignment = [];
  noHuman.scatter = [];
  noHuman.byCategory = [];
  noHuman.usBias = [];
  await panel.send(reportMessage(noHuman, { done: 40, total: 120, failed: 2, cached: 5, running: true }));
  assert.equal(await panel.page.textContent('.vl-empty[data-empty="no-human"]'), MESSAGES.noHuman);
  assert.equal(await panel.page.getAttribute('[data-chart="correlation"]', 'data-has-data'), 'false');
  assert.equal(await panel.page.textContent('[data-chart="scatter"] .vl-chart-empty'), MESSAGES.noHuman);
  // Consistency needs no human data and still shows.
  assert.equal(await panel.page.getAttribute('[data-chart="consistency"]', 'data-has-data'), 'true');
  assert.match((await panel.page.textContent('.vl-progress')) ?? '', /Scoring… 40 of 120, 5 cached, 2 failed/);
  await panel.send({ type: 'error', message: 'Could not compute the analysis: boom' }, { waitForRender: false });
  assert.equal(await panel.page.textContent('.vl-status'), 'Could not compute the analysis: boom');
  await panel.page.context().close();
});

test('an open data table follows live updates; a closed one is filled when opened', { skip, timeout: 60_000 }, async () => {
  const panel = await openPanelPage(web.browser, web.server, { vscode: true });
  await panel.send(reportMessage(makeReport({ models: ['m1'] }), { done: 1, total: 3, failed: 0, cached: 0, running: true }));
  assert.equal((await readTable(panel.page, 'correlation')).length, 1 + 4);
  await panel.send(reportMessage(makeReport({ models: ['m1', 'm2', 'm3'] })));
  const rows = await panel.page.$$eval('[data-chart="correlation"] details tbody tr', (trs) => trs.length);
  assert.equal(rows, 12, 'open table re-rendered');
  assert.equal(await panel.page.$('[data-chart="bias"] details table'), null, 'closed table not built');
  assert.equal((await readTable(panel.page, 'bias')).length, 1 + 4, 'built on open with the newest numbers (focus model m1)');
  assert.equal(await panel.page.isVisible('.vl-progress'), false, 'progress hidden once the run is over');
  // Long tables render 200 rows, then all on request.
  await panel.send(reportMessage(makeReport({ models: ['m1'], items: 100 })));
  const scatter = await readTable(panel.page, 'scatter');
  assert.equal(scatter.length, 1 + 200);
  assert.match((await panel.page.textContent('[data-chart="scatter"] caption')) ?? '', /rows 1–200 of 400/);
  await panel.page.click('[data-chart="scatter"] .vl-more');
  assert.equal((await readTable(panel.page, 'scatter')).length, 1 + 400);
  assert.equal(await panel.page.$('[data-chart="scatter"] .vl-more'), null);
  await panel.page.context().close();
});
