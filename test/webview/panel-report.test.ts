// The built webview bundle in real Chromium, under the panel's own CSP (test/webview/harness.ts). One
// scenario group per file (panel-*.test.ts) so the runner runs them side by side:
// report mode (no acquireVsCodeApi) and the CLI's self-contained report page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeReport } from './fixture-report';
import {
  REPORT_URL,
  SKIP_REASON,
  extraRequests,
  openPanelPage,
  openReportPage,
  readTable,
  startPanelServer,
  webviewSuite,
} from './harness';

const skip = SKIP_REASON;
const web = webviewSuite();

test('report mode (no acquireVsCodeApi): reads #vl-root[data-report], renders read-only, exports by download', {
  skip,
  timeout: 60_000,
}, async () => {
  const report = makeReport({ items: 12, titles: ['=cmd|"/c calc"!A1', '<script>alert(1)</script>'] });
  const reportServer = await startPanelServer(web.bundle.file, { reportJson: JSON.stringify(report) });
  try {
    const panel = await openPanelPage(web.browser, reportServer, { vscode: false });
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
  const reportServer = await startPanelServer(web.bundle.file, { reportJson: '{not json' });
  try {
    const panel = await openPanelPage(web.browser, reportServer, { vscode: false });
    assert.match((await panel.page.textContent('.vl-status')) ?? '', /no data/);
    assert.deepEqual((await panel.problems()).pageErrors, []);
    await panel.page.context().close();
  } finally {
    await reportServer.close();
  }
});

test("the CLI's self-contained report page (inline bundle under its own CSP) renders with 0 violations", {
  skip,
  timeout: 60_000,
}, async () => {
  const { renderReportHtml } = await import('../../src/cli/html');
  const { readFileSync } = await import('node:fs');
  const report = makeReport({ items: 15, titles: ['</script><script>alert(1)</script>'] });
  const html = renderReportHtml({
    reportJson: JSON.stringify(report),
    script: readFileSync(web.bundle.file, 'utf8'),
    css: readFileSync('media/panel.css', 'utf8'),
    title: 'Report',
  });
  const { page, errors, requests, violations, close } = await openReportPage(web.browser, html, '#vl-root[data-updates="1"]');
  for (const id of ['correlation', 'scatter', 'consistency', 'category', 'bias']) {
    assert.equal(await page.getAttribute(`[data-chart="${id}"]`, 'data-has-data'), 'true', id);
  }
  assert.deepEqual(await violations(), []);
  assert.deepEqual(errors, []);
  assert.deepEqual(requests, [REPORT_URL], 'nothing fetched besides the page itself');
  await close();
});
