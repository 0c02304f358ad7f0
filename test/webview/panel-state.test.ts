// The built webview bundle in real Chromium, under the panel's own CSP (test/webview/harness.ts). One
// scenario group per file (panel-*.test.ts) so the runner runs them side by side:
// filters and the focus model (persisted), export, theme changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeReport } from './fixture-report';
import { SKIP_REASON, openPanelPage, readTable, reportMessage, webviewSuite } from './harness';

const skip = SKIP_REASON;
const web = webviewSuite();

test('filters post setFilter and persist with setState; a reloaded page restores and re-sends them', {
  skip,
  timeout: 60_000,
}, async () => {
  const panel = await openPanelPage(web.browser, web.server, { vscode: true });
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

  const reloaded = await openPanelPage(web.browser, web.server, { vscode: true, state: saved as never });
  assert.deepEqual(await reloaded.posted(), [
    { type: 'ready' },
    { type: 'setFilter', filter: { model: 'qwen2.5:7b', method: 'logprobs' } },
  ]);
  await reloaded.send(reportMessage({ ...makeReport(), filter: { model: 'qwen2.5:7b', method: 'logprobs' } }));
  assert.equal(await reloaded.page.getAttribute('[data-filter="model"]', 'data-value'), 'qwen2.5:7b');
  // With the model pinned by the filter, the scatter shows that model.
  const scatterTable = await readTable(reloaded.page, 'scatter');
  assert.ok(scatterTable.slice(1).every((row) => row[0] === 'qwen2.5:7b'));
  await reloaded.page.context().close();
});

test('focus model select switches the per-model charts without asking the host', { skip, timeout: 60_000 }, async () => {
  const panel = await openPanelPage(web.browser, web.server, { vscode: true });
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
  const panel = await openPanelPage(web.browser, web.server, { vscode: true });
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

test('theme changes re-colour the charts from --vscode-* variables', { skip, timeout: 60_000 }, async () => {
  const panel = await openPanelPage(web.browser, web.server, { vscode: true });
  await panel.send(reportMessage(makeReport()));
  const colour = async () => JSON.parse((await panel.page.getAttribute('[data-chart="correlation"]', 'data-datasets')) ?? '[]')[0].color;
  assert.equal(await colour(), '#3794ff');
  await panel.page.evaluate(() => {
    document.body.style.setProperty('--vscode-charts-blue', 'rgb(1, 2, 3)');
    document.body.className = 'vscode-high-contrast';
  });
  await panel.page.waitForFunction(() =>
    document.querySelector('[data-chart="correlation"]')?.getAttribute('data-datasets')?.includes('rgb(1, 2, 3)'),
  );
  assert.equal(await colour(), 'rgb(1, 2, 3)');
  await panel.page.context().close();
});
