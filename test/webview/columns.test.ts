// Issue 19: the data tables' column headers in the display language, in real Chromium with the Danish project
// translations as the host's bundle, while every CSV export keeps the English headers scripts read by name.
// Expected Danish texts are written out here or read from l10n/bundle.l10n.da.json, not from webview/columns.ts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Browser, Download, Page } from 'playwright-core';
import type { StudyAnalysis } from '../../src/core/study/analysisTypes';
import { toCsv } from '../../src/core/data/export';
import { escapeHtml } from '../../src/cli/html';
import { studyTable } from '../../src/shared/study-tables';
import { chartTable, tableToStrings } from '../../src/shared/tables';
import { makeReport } from './fixture-report';
import {
  SKIP_REASON,
  buildWebview,
  launchChromium,
  openPanelPage,
  openReportPage,
  readTable,
  reportMessage,
  startPanelServer,
  type PanelServer,
} from './harness';
import { NO_PROBLEMS, fixture, sendStudy } from './study-harness';

const skip = SKIP_REASON;
const danish = JSON.parse(readFileSync('l10n/bundle.l10n.da.json', 'utf8')) as Record<string, string>;
/** Headers that stay as they are in Danish (symbols); every other one is its Danish bundle text. */
const SAME = new Set([
  'p',
  'n',
  't',
  'SE',
  'A',
  'B',
  'Q1',
  'Q3',
  'Pearson r',
  'Spearman ρ',
  'p (Holm)',
  'p (BH)',
  'r p',
  'r p (Holm)',
  'r p (BH)',
  'ρ p',
  'ρ p (Holm)',
  'ρ p (BH)',
]);
const inDanish = (headers: string[]): string[] => headers.map((h) => (SAME.has(h) ? h : danish[h]));

let browser: Browser;
let bundle: Awaited<ReturnType<typeof buildWebview>>;
let server: PanelServer;

before(async () => {
  if (skip) return;
  bundle = await buildWebview();
  server = await startPanelServer(bundle.file, { uiStringsJson: JSON.stringify(danish), lang: 'da' });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
  bundle?.cleanup();
});

const textOf = async (download: Download): Promise<string> =>
  Buffer.concat(await (await download.createReadStream()).toArray()).toString('utf8');

async function downloadCsv(page: Page, chart: string): Promise<string> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(`[data-chart="${chart}"] [data-export="csv"]`)]);
  return textOf(download);
}

test('in a Danish VS Code the panel and study tables show Danish column headers; Export CSV asks the host for the English table', {
  skip,
  timeout: 90_000,
}, async () => {
  const report = makeReport({ items: 12 });
  const analysis = fixture();
  const panel = await openPanelPage(browser, server, { vscode: true });
  await panel.page.setViewportSize({ width: 1400, height: 1000 });
  await panel.send(reportMessage(report));
  const correlation = await readTable(panel.page, 'correlation');
  assert.deepEqual(correlation[0], ['Model', 'Sprog', 'Land', 'Mål', 'Pearson r', 'Nedre KI', 'Øvre KI', 'p', 'n', 'Spearman ρ']);
  assert.equal(correlation.length, 1 + report.alignment.length, 'the rows are all there');
  assert.deepEqual((await readTable(panel.page, 'scatter'))[0], inDanish(chartTable(report, 'scatter').headers));

  await sendStudy(panel, analysis);
  const models = await readTable(panel.page, 'study-models');
  assert.deepEqual(models[0].slice(0, 4), ['Model', 'Sprog', 'Landehenvisning', 'Reference']);
  assert.deepEqual(models[0].slice(8, 11), ['Pearson r', 'r nedre KI', 'r øvre KI']);
  for (const id of ['study-models', 'study-regions', 'study-contrasts', 'study-fits'] as const) {
    assert.deepEqual((await readTable(panel.page, id))[0], inDanish(studyTable(analysis, id, {}).headers), id);
  }
  assert.deepEqual((await readTable(panel.page, 'study-fits'))[0], ['Fit', 'Formel', 'n', 'Type', 'Gruppe', 'Led', 'Estimat', 'SE', 't']);

  // In VS Code the host writes the CSV (src/panel/session.ts: toCsv(tableToStrings(…)) of the same table).
  await panel.page.click('[data-chart="correlation"] [data-export="csv"]');
  await panel.page.click('[data-chart="study-fits"] [data-export="csv"]');
  assert.deepEqual(
    (await panel.posted()).filter((m) => (m as { type?: string }).type === 'exportCsv'),
    [
      { type: 'exportCsv', chart: 'correlation' },
      { type: 'exportCsv', chart: 'study-fits' },
    ],
  );
  assert.equal(
    toCsv(tableToStrings(chartTable(report, 'correlation'))).split('\r\n')[0],
    'Model,Language,Country,Measure,Pearson r,CI low,CI high,p,n,Spearman ρ',
  );
  assert.equal(toCsv(tableToStrings(studyTable(analysis, 'study-fits'))).split('\r\n')[0], 'Fit,Formula,n,Kind,Group,Term,Estimate,SE,t');
  assert.deepEqual(await panel.problems(), NO_PROBLEMS);
  await panel.page.context().close();
});

test('a page that downloads its own CSV (report mode) with the Danish bundle: Danish <th>, the CSV byte for byte the English table', {
  skip,
  timeout: 90_000,
}, async () => {
  const { renderStudyReport } = await import('../../src/cli/report');
  const report = makeReport({ items: 12 });
  const analysis: StudyAnalysis = fixture();
  const html = await renderStudyReport(analysis, {
    report,
    assets: { script: readFileSync(bundle.file, 'utf8'), css: readFileSync('media/panel.css', 'utf8') },
  });
  // The CLI writes no bundle (its report is English); adding one here shows the download path keeps English anyway.
  const translated = html.replace('<main id="vl-root"', `<main id="vl-root" data-l10n="${escapeHtml(JSON.stringify(danish))}"`);
  assert.notEqual(translated, html);
  const { page, errors, close } = await openReportPage(browser, translated, '#vl-study[data-updates="1"]', { acceptDownloads: true });

  assert.deepEqual((await readTable(page, 'correlation'))[0], [
    'Model',
    'Sprog',
    'Land',
    'Mål',
    'Pearson r',
    'Nedre KI',
    'Øvre KI',
    'p',
    'n',
    'Spearman ρ',
  ]);
  const csv = await downloadCsv(page, 'correlation');
  assert.equal(csv, toCsv(tableToStrings(chartTable(report, 'correlation'))));
  assert.equal(csv.split('\r\n')[0], 'Model,Language,Country,Measure,Pearson r,CI low,CI high,p,n,Spearman ρ');

  assert.deepEqual((await readTable(page, 'study-positions'))[0], inDanish(studyTable(analysis, 'study-positions').headers));
  assert.equal((await readTable(page, 'study-positions'))[0][2], 'Svarmuligheder (K)');
  const positions = await downloadCsv(page, 'study-positions');
  assert.equal(positions, toCsv(tableToStrings(studyTable(analysis, 'study-positions'))));
  assert.equal(
    positions.split('\r\n')[0],
    'Model,Language,Options (K),Orders,Items,Responses,Position,Share,CI low,CI high,Uniform 1/K,Excess (share − 1/K)',
  );
  assert.deepEqual(errors, []);
  await close();
});
