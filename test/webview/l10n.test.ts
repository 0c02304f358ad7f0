// Issue 19: the panel in VS Code's display language. The webview cannot call vscode.l10n, so the host writes
// its loaded bundle into #vl-root[data-l10n] (src/panel/index.ts); the real bundle runs here in Chromium with
// the Danish project translations as that table. A broken or hostile table falls back to English, text by text.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { makeReport } from './fixture-report';
import { SKIP_REASON, buildWebview, launchChromium, openPanelPage, reportMessage, startPanelServer, type PanelServer } from './harness';

const skip = SKIP_REASON;
const danish = JSON.parse(readFileSync('l10n/bundle.l10n.da.json', 'utf8')) as Record<string, string>;
let browser: Browser;
let bundle: Awaited<ReturnType<typeof buildWebview>>;
const servers: PanelServer[] = [];

before(async () => {
  if (skip) return;
  bundle = await buildWebview();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  for (const server of servers) await server.close();
  bundle?.cleanup();
});

async function serve(options: { uiStringsJson?: string; lang?: string }): Promise<PanelServer> {
  const server = await startPanelServer(bundle.file, options);
  servers.push(server);
  return server;
}

test('with the Danish bundle from the host, the panel shows Danish texts: empty state, titles, buttons, progress, chart summaries', {
  skip,
  timeout: 60_000,
}, async () => {
  const server = await serve({ uiStringsJson: JSON.stringify(danish), lang: 'da' });
  const panel = await openPanelPage(browser, server, { vscode: true });
  assert.equal(await panel.page.getAttribute('html', 'lang'), 'da');
  assert.equal(await panel.page.textContent('.vl-empty[data-empty="waiting"]'), danish['Waiting for results from Value Lens…']);
  await panel.send(reportMessage(makeReport({ items: 30 }), { done: 3, total: 10, cached: 1, failed: 0, running: true }));
  assert.equal(await panel.page.textContent('#vl-title-correlation'), 'Korrelation med data fra mennesker pr. sprog');
  assert.equal(await panel.page.textContent('[data-chart="correlation"] [data-export="csv"]'), 'Eksportér CSV');
  assert.equal(await panel.page.textContent('[data-chart="correlation"] summary'), 'Datatabel');
  assert.equal(await panel.page.textContent('h1'), 'Value Lens — overensstemmelse med surveydata fra mennesker');
  const aria = (await panel.page.getAttribute('[data-chart="correlation"] canvas', 'aria-label')) ?? '';
  assert.match(aria, /^Søjlediagram: Pearson r /);
  assert.match(aria, /8 værdier; højest pt \(PT\) for llama3\.2:3b: 0\.65; lavest /);
  assert.match(aria, /De samme tal står i datatabellen nedenfor\.$/);
  assert.match((await panel.page.textContent('.vl-progress')) ?? '', /Scorer… 3 af 10, 1 fra cache/);
  assert.deepEqual((await panel.problems()).pageErrors, []);
});

test('no table (English VS Code, the CLI report) or a broken one: English; hostile entries are dropped one by one', {
  skip,
  timeout: 60_000,
}, async () => {
  const english = await openPanelPage(browser, await serve({}), { vscode: true });
  assert.equal(await english.page.getAttribute('html', 'lang'), 'en');
  assert.equal(await english.page.textContent('.vl-empty[data-empty="waiting"]'), 'Waiting for results from Value Lens…');

  const broken = await openPanelPage(browser, await serve({ uiStringsJson: '{not json' }), { vscode: true });
  assert.equal(await broken.page.textContent('.vl-empty[data-empty="waiting"]'), 'Waiting for results from Value Lens…');
  assert.deepEqual((await broken.problems()).pageErrors, []);

  const hostile = `{"__proto__":{"Data table":"polluted"},"Waiting for results from Value Lens…":42,"Export CSV":"<img src=x onerror=alert(1)>","Data table":"${'x'.repeat(5_000)}"}`;
  const page = await openPanelPage(browser, await serve({ uiStringsJson: hostile }), { vscode: true });
  assert.equal(
    await page.page.textContent('.vl-empty[data-empty="waiting"]'),
    'Waiting for results from Value Lens…',
    'a number is not a text',
  );
  await page.send(reportMessage(makeReport({ items: 10 })));
  assert.equal(
    await page.page.textContent('[data-chart="correlation"] [data-export="csv"]'),
    '<img src=x onerror=alert(1)>',
    'shown as text',
  );
  assert.equal(await page.page.locator('img').count(), 0);
  assert.equal(
    await page.page.textContent('[data-chart="correlation"] summary'),
    'Data table',
    'an oversized text and __proto__ are dropped',
  );
  const problems = await page.problems();
  assert.deepEqual([problems.pageErrors, problems.dialogs, problems.cspViolations], [[], [], []]);
});
