// The built webview bundle in real Chromium: charts' data, tables, export, empty states, persisted filters,
// theme changes and hostile strings, under the panel's own CSP. Run:
//   node --import tsx --test test/webview/*.test.ts
// Skips (with a message) when /usr/bin/chromium is missing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { MESSAGES } from '../../webview/messages';
import { makeReport } from './fixture-report';
import { SKIP_REASON, buildWebview, launchChromium, openPanelPage, readTable, reportMessage, startPanelServer, type PanelServer } from './harness';

const skip = SKIP_REASON;
let browser: Browser;
let server: PanelServer;
let bundle: Awaited<ReturnType<typeof buildWebview>>;

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

const BASE_REQUESTS = ['/', '/dist/webview.js', '/media/panel.css'];

/** Requests beyond the page, its script and stylesheet (there must be none: no network use at all). */
function extraRequests(requests: string[]): string[] {
  return requests.filter((path) => !BASE_REQUESTS.includes(path) && path !== '/favicon.ico');
}

test('posts ready, renders all five charts with the report numbers in tables', { skip, timeout: 60_000 }, async () => {
  const panel = await openPanelPage(browser, server, { vscode: true });
  assert.deepEqual(await panel.posted(), [{ type: 'ready' }]);
  assert.equal(await panel.page.textContent('.vl-empty[data-empty="waiting"]'), MESSAGES.waiting);
  const report = makeReport({ items: 30 });
  await panel.send(reportMessage(report));

  for (const id of ['correlation', 'scatter', 'consistency', 'category', 'bias']) {
    assert.equal(await panel.page.getAttribute(`[data-chart="${id}"]`, 'data-has-data'), 'true', id);
    assert.equal(await panel.page.getAttribute(`[data-chart="${id}"] canvas`, 'role'), 'img');
    assert.ok(((await panel.page.getAttribute(`[data-chart="${id}"] canvas`, 'aria-label')) ?? '').length > 40);
  }
  assert.match((await panel.page.getAttribute('[data-chart="correlation"] canvas', 'aria-label')) ?? '', /8 values; highest pt \(PT\) for llama3\.2:3b: 0\.65; lowest da \(DK\) for qwen2\.5:7b: 0\.30\./);
  assert.match((await panel.page.getAttribute('[data-chart="scatter"] canvas', 'aria-label')) ?? '', /120 points in 4 series: da \(DK\) r = 0\.35;/);
  // (a) one bar group per model, one dataset per language, values = Pearson r
  const correlation = JSON.parse((await panel.page.getAttribute('[data-chart="correlation"]', 'data-datasets')) ?? '[]');
  assert.deepEqual(correlation.map((d: { label: string }) => d.label), ['da (DK)', 'nl (NL)', 'en (US)', 'pt (PT)']);
  assert.ok(correlation.every((d: { n: number }) => d.n === 2));
  const table = await readTable(panel.page, 'correlation');
  assert.equal(table.length, 1 + report.alignment.length);
  const first = report.alignment[0];
  assert.deepEqual(table[1].slice(0, 8), [first.model, first.language, first.country, 'mean', first.pearson!.estimate.toFixed(3), first.pearson!.ciLow!.toFixed(3), first.pearson!.ciHigh!.toFixed(3), first.pearson!.p!.toFixed(3)]);

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
  assert.deepEqual(bias.map((d: { label: string }) => d.label), ['Local reference r', 'US reference r', 'US − local']);

  const problems = await panel.problems();
  assert.deepEqual(problems, { pageErrors: [], consoleErrors: [], cspViolations: [], dialogs: [] });
  assert.deepEqual(extraRequests(server.requests), []);
  await panel.page.context().close();
});

test('canvases are actually drawn (not blank)', { skip, timeout: 60_000 }, async () => {
  const panel = await openPanelPage(browser, server, { vscode: true });
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

test('filters post setFilter and persist with setState; a reloaded page restores and re-sends them', { skip, timeout: 60_000 }, async () => {
  const panel = await openPanelPage(browser, server, { vscode: true });
  await panel.send(reportMessage(makeReport()));
  await panel.page.evaluate(() => {
    const select = document.querySelector('[data-filter="model"]') as HTMLElement & { value: string };
    select.value = 'qwen2.5:7b';
    select.dispatchEvent(new Event('change'));
  });
  const posted = await panel.posted();
  assert.deepEqual(posted.at(-1), { type: 'setFilter', filter: { model: 'qwen2.5:7b' } });
  const state = (await panel.state()) as { filter: unknown };
  assert.deepEqual(state.filter, { model: 'qwen2.5:7b' });
  // The focus model is local: no message, but persisted.
  await panel.page.evaluate(() => {
    const select = document.querySelector('[data-filter="method"]') as HTMLElement & { value: string };
    select.value = 'logprobs';
    select.dispatchEvent(new Event('change'));
  });
  assert.deepEqual((await panel.posted()).at(-1), { type: 'setFilter', filter: { model: 'qwen2.5:7b', method: 'logprobs' } });
  const saved = await panel.state();
  await panel.page.context().close();

  const reloaded = await openPanelPage(browser, server, { vscode: true, state: saved as never });
  assert.deepEqual(await reloaded.posted(), [{ type: 'ready' }, { type: 'setFilter', filter: { model: 'qwen2.5:7b', method: 'logprobs' } }]);
  await reloaded.send(reportMessage({ ...makeReport(), filter: { model: 'qwen2.5:7b', method: 'logprobs' } }));
  assert.equal(await reloaded.page.getAttribute('[data-filter="model"]', 'data-value'), 'qwen2.5:7b');
  // With the model pinned by the filter, the scatter shows that model.
  const scatterTable = await readTable(reloaded.page, 'scatter');
  assert.ok(scatterTable.slice(1).every((row) => row[0] === 'qwen2.5:7b'));
  await reloaded.page.context().close();
});

test('focus model select switches the per-model charts without asking the host', { skip, timeout: 60_000 }, async () => {
  const panel = await openPanelPage(browser, server, { vscode: true });
  await panel.send(reportMessage(makeReport()));
  await panel.page.evaluate(() => {
    const select = document.querySelector('[data-filter="focus"]') as HTMLElement & { value: string };
    select.value = 'qwen2.5:7b';
    select.dispatchEvent(new Event('change'));
  });
  assert.deepEqual(await panel.posted(), [{ type: 'ready' }]);
  assert.equal(((await panel.state()) as { focusModel?: string }).focusModel, 'qwen2.5:7b');
  const rows = await readTable(panel.page, 'bias');
  assert.ok(rows.length > 1 && rows.slice(1).every((row) => row[0] === 'qwen2.5:7b'));
  await panel.page.context().close();
});

test('export buttons post exportCsv and a real PNG for the host', { skip, timeout: 60_000 }, async () => {
  const panel = await openPanelPage(browser, server, { vscode: true });
  await panel.send(reportMessage(makeReport()));
  await panel.page.click('[data-chart="category"] [data-export="csv"]');
  await panel.page.click('[data-chart="scatter"] [data-export="png"]');
  const posted = (await panel.posted()) as { type: string; chart?: string; dataUrl?: string }[];
  assert.deepEqual(posted[1], { type: 'exportCsv', chart: 'category' });
  assert.equal(posted[2].type, 'exportPng');
  assert.equal(posted[2].chart, 'scatter');
  const bytes = Buffer.from(posted[2].dataUrl!.replace('data:image/png;base64,', ''), 'base64');
  assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.ok(bytes.length > 5000, `PNG has content (${bytes.length} bytes)`);
  await panel.page.context().close();
});

test('empty states: no results yet, then no human data mapped', { skip, timeout: 60_000 }, async () => {
  const panel = await openPanelPage(browser, server, { vscode: true });
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

test('theme changes re-colour the charts from --vscode-* variables', { skip, timeout: 60_000 }, async () => {
  const panel = await openPanelPage(browser, server, { vscode: true });
  await panel.send(reportMessage(makeReport()));
  const colour = async () => JSON.parse((await panel.page.getAttribute('[data-chart="correlation"]', 'data-datasets')) ?? '[]')[0].color;
  assert.equal(await colour(), '#3794ff');
  await panel.page.evaluate(() => {
    document.body.style.setProperty('--vscode-charts-blue', 'rgb(1, 2, 3)');
    document.body.className = 'vscode-high-contrast';
  });
  await panel.page.waitForFunction(() => document.querySelector('[data-chart="correlation"]')?.getAttribute('data-datasets')?.includes('rgb(1, 2, 3)'));
  assert.equal(await colour(), 'rgb(1, 2, 3)');
  await panel.page.context().close();
});

const HOSTILE = [
  '<script>window.__pwned = 1; alert(1)</script>',
  '"><img src=x onerror="window.__pwned = 2; alert(2)">',
  "'><svg onload=alert(3)>",
  '=HYPERLINK("http://127.0.0.1:9/x","click")',
];

test('hostile strings from items, models, human data and model output render as text: 0 scripts, 0 requests, 0 CSP violations', { skip, timeout: 60_000 }, async () => {
  const panel = await openPanelPage(browser, server, { vscode: true });
  const report = makeReport({ items: 8, titles: HOSTILE, models: ['<img src=/model onerror=alert(4)>', 'ok-model'], languages: ['da', 'en<script>alert(5)</script>'] });
  report.alignment[0].country = '<b onmouseover=alert(6)>DK</b>';
  await panel.send(reportMessage(report));
  await panel.send({ type: 'error', message: HOSTILE[1] }, { waitForRender: false });

  const scatter = await readTable(panel.page, 'scatter');
  assert.deepEqual(scatter.slice(1, 5).map((row) => row[4]), HOSTILE);
  const correlation = await readTable(panel.page, 'correlation');
  assert.equal(correlation[1][0], '<img src=/model onerror=alert(4)>');
  assert.equal(correlation[1][2], '<b onmouseover=alert(6)>DK</b>');
  assert.equal(await panel.page.textContent('.vl-status'), HOSTILE[1]);
  const items = await panel.page.$$eval('.vl-inconsistent button', (buttons) => buttons.map((b) => b.textContent));
  assert.ok(items.includes(`${HOSTILE[0]} (Q1)`));
  // Clicking an item sends only its opaque id.
  await panel.page.click('.vl-inconsistent button[data-item="Q2"]');
  assert.deepEqual((await panel.posted()).at(-1), { type: 'openItem', itemId: 'Q2' });

  const injected = await panel.page.evaluate(() => ({
    pwned: (window as unknown as { __pwned?: number }).__pwned,
    elements: document.querySelectorAll('#vl-root img, #vl-root svg, #vl-root script, #vl-root b').length,
    scripts: document.scripts.length,
  }));
  assert.deepEqual(injected, { pwned: undefined, elements: 0, scripts: 1 });
  // Hover and focus everything once: no handler may fire.
  await panel.page.hover('[data-chart="scatter"] canvas');
  const problems = await panel.problems();
  assert.deepEqual(problems, { pageErrors: [], consoleErrors: [], cspViolations: [], dialogs: [] });
  assert.deepEqual(extraRequests(server.requests), []);
  await panel.page.context().close();
});

test('1,000 fuzzed host messages: no page error, the view keeps working', { skip, timeout: 60_000 }, async () => {
  const panel = await openPanelPage(browser, server, { vscode: true });
  await panel.page.evaluate(() => {
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pick = <T,>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
    const values: unknown[] = [null, undefined, 0, -1, NaN, '', 'x', [], {}, [1, 2], { a: 1 }, '<script>alert(1)</script>', true];
    for (let i = 0; i < 1000; i++) {
      const kind = pick(['report', 'error', 'notice', 'unknown', 'raw']);
      let message: unknown;
      if (kind === 'raw') message = pick(values);
      else if (kind === 'report')
        message = { type: 'report', report: pick([...values, { alignment: pick(values), scatter: [{ points: pick(values) }], counts: pick(values), models: pick(values), consistency: [{ items: pick(values) }] }]), filter: pick(values), progress: pick(values) };
      else message = { type: kind, message: pick(values) };
      window.postMessage(message, '*');
    }
  });
  await panel.page.evaluate(() => new Promise((r) => setTimeout(r, 50)));
  await panel.send(reportMessage(makeReport()));
  assert.equal(await panel.page.getAttribute('[data-chart="correlation"]', 'data-has-data'), 'true');
  const problems = await panel.problems();
  assert.deepEqual(problems.pageErrors, []);
  assert.deepEqual(problems.cspViolations, []);
  assert.deepEqual(problems.dialogs, []);
  await panel.page.context().close();
});

test('report mode (no acquireVsCodeApi): reads #vl-root[data-report], renders read-only, exports by download', { skip, timeout: 60_000 }, async () => {
  const report = makeReport({ items: 12, titles: ['=cmd|"/c calc"!A1', '<script>alert(1)</script>'] });
  const reportServer = await startPanelServer(bundle.file, { reportJson: JSON.stringify(report) });
  try {
    const panel = await openPanelPage(browser, reportServer, { vscode: false });
    await panel.page.waitForSelector('#vl-root[data-updates="1"]');
    assert.equal(await panel.page.getAttribute('#vl-root', 'class'), 'vl-panel vl-read-only');
    assert.equal(await panel.page.isVisible('[data-filter="model"]'), false, 'host filters hidden');
    assert.equal(await panel.page.isVisible('[data-filter="focus"]'), true, 'local model choice stays');
    assert.equal((await readTable(panel.page, 'correlation')).length, 1 + report.alignment.length);

    const [csv] = await Promise.all([panel.page.waitForEvent('download'), panel.page.click('[data-chart="scatter"] [data-export="csv"]')]);
    assert.equal(csv.suggestedFilename(), 'value-lens-scatter.csv');
    const text = await (await csv.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks).toString('utf8'));
    const lines = text.trimEnd().split('\r\n');
    assert.equal(lines.length, 1 + 2 * 4 * 12, 'all models in the CSV');
    assert.ok(text.includes(`"'=cmd|""/c calc""!A1"`), 'formula neutralised');

    const [png] = await Promise.all([panel.page.waitForEvent('download'), panel.page.click('[data-chart="bias"] [data-export="png"]')]);
    assert.equal(png.suggestedFilename(), 'value-lens-bias.png');
    const bytes = await (await png.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks));
    assert.deepEqual([...bytes.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);

    const problems = await panel.problems();
    assert.deepEqual(problems, { pageErrors: [], consoleErrors: [], cspViolations: [], dialogs: [] });
    assert.deepEqual(extraRequests(reportServer.requests), []);
    await panel.page.context().close();
  } finally {
    await reportServer.close();
  }
});

test('report mode with a missing or broken data-report shows an error, not a crash', { skip, timeout: 60_000 }, async () => {
  const reportServer = await startPanelServer(bundle.file, { reportJson: '{not json' });
  try {
    const panel = await openPanelPage(browser, reportServer, { vscode: false });
    assert.match((await panel.page.textContent('.vl-status')) ?? '', /no data/);
    assert.deepEqual((await panel.problems()).pageErrors, []);
    await panel.page.context().close();
  } finally {
    await reportServer.close();
  }
});

test('an open data table follows live updates; a closed one is filled when opened', { skip, timeout: 60_000 }, async () => {
  const panel = await openPanelPage(browser, server, { vscode: true });
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

test("the CLI's self-contained report page (inline bundle under its own CSP) renders with 0 violations", { skip, timeout: 60_000 }, async () => {
  const { renderReportHtml } = await import('../../src/cli/html');
  const { readFileSync } = await import('node:fs');
  const report = makeReport({ items: 15, titles: ['</script><script>alert(1)</script>'] });
  const html = renderReportHtml({ reportJson: JSON.stringify(report), script: readFileSync(bundle.file, 'utf8'), css: readFileSync('media/panel.css', 'utf8'), title: 'Report' });
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('dialog', (d) => (errors.push(`dialog ${d.message()}`), void d.dismiss()));
  page.on('request', (r) => requests.push(r.url()));
  await page.addInitScript('window.__csp = []; document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(e.violatedDirective));');
  await page.route('http://report.invalid/', (route) => route.fulfill({ contentType: 'text/html', body: html }));
  await page.goto('http://report.invalid/');
  await page.waitForSelector('#vl-root[data-updates="1"]');
  for (const id of ['correlation', 'scatter', 'consistency', 'category', 'bias']) {
    assert.equal(await page.getAttribute(`[data-chart="${id}"]`, 'data-has-data'), 'true', id);
  }
  assert.deepEqual(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp), []);
  assert.deepEqual(errors, []);
  assert.deepEqual(requests, ['http://report.invalid/'], 'nothing fetched besides the page itself');
  await context.close();
});
