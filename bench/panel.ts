// Panel figures: production webview bundle size, and the time the webview takes to apply a report of
// 4 languages × 300 items (2 models) to all five charts and tables, measured in Debian Chromium.
import type { BenchRow } from './types';
import { SKIP_REASON, buildWebview, launchChromium, openPanelPage, reportMessage, startPanelServer } from '../test/webview/harness';
import { makeReport } from '../test/webview/fixture-report';

const SIZE_TARGET = 350 * 1024;
const UPDATE_TARGET_MS = 100;
const UPDATES = 20;

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  // Same esbuild options as esbuild.mjs's webview context with --production (minified, no source map).
  const bundle = await buildWebview(true);
  rows.push({
    group: 'panel',
    name: 'webview bundle (production, minified)',
    value: Math.round((bundle.bytes / 1024) * 10) / 10,
    unit: 'KB',
    target: '≤ 350 KB',
    pass: bundle.bytes <= SIZE_TARGET,
    note: 'chart.js (tree-shaken) + 3 vscode-elements components',
  });
  if (SKIP_REASON) {
    bundle.cleanup();
    rows.push({ group: 'panel', name: 'chart update, 4 languages × 300 items', value: NaN, unit: 'ms', note: SKIP_REASON });
    return rows;
  }
  const server = await startPanelServer(bundle.file);
  const browser = await launchChromium();
  try {
    const panel = await openPanelPage(browser, server, { vscode: true });
    await panel.page.setViewportSize({ width: 1400, height: 1000 });
    const reports = Array.from({ length: UPDATES + 1 }, (_, i) =>
      reportMessage(makeReport({ items: 300, seed: i + 1 }), { done: i, total: UPDATES, failed: 0, cached: 0, running: true }),
    );
    const first = await panel.page.evaluate((all) => {
      (window as unknown as { __reports: unknown[] }).__reports = all;
      const start = performance.now();
      window.dispatchEvent(new MessageEvent('message', { data: all[0] }));
      void document.body.offsetHeight; // include style and layout of the new tables
      return performance.now() - start;
    }, reports);
    // Times `count` updates (reports 1..count), each with style and layout; optionally with every data table open.
    const timeUpdates = (openTables: boolean) =>
      panel.page.evaluate(
        ({ count, openTables }) => {
          if (openTables) document.querySelectorAll('details').forEach((details) => ((details as HTMLDetailsElement).open = true));
          const all = (window as unknown as { __reports: unknown[] }).__reports;
          const out: number[] = [];
          for (let i = 1; i <= count; i++) {
            const start = performance.now();
            window.dispatchEvent(new MessageEvent('message', { data: all[i] }));
            void document.body.offsetHeight;
            out.push(performance.now() - start);
          }
          return out;
        },
        { count: UPDATES, openTables },
      );
    const times = await timeUpdates(false);
    const updates = Number(await panel.page.getAttribute('#vl-root', 'data-updates'));
    if (updates !== UPDATES + 1) throw new Error(`expected ${UPDATES + 1} rendered reports, saw ${updates}`);
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)];
    const p95 = times[Math.min(times.length - 1, Math.ceil(times.length * 0.95) - 1)];
    rows.push({
      group: 'panel',
      name: 'chart update, 4 languages × 300 items (median)',
      value: Math.round(median * 10) / 10,
      unit: 'ms',
      target: `≤ ${UPDATE_TARGET_MS} ms`,
      pass: median <= UPDATE_TARGET_MS,
      note: `5 charts, tables closed, 2 models, ${UPDATES} updates; p95 ${p95.toFixed(1)} ms`,
    });
    const withTables = (await timeUpdates(true)).sort((a, b) => a - b)[Math.floor(UPDATES / 2)];
    rows.push({
      group: 'panel',
      name: 'chart update with all data tables open (median)',
      value: Math.round(withTables * 10) / 10,
      unit: 'ms',
      note: 'first 200 rows of each table; closed tables are not rendered',
    });
    rows.push({
      group: 'panel',
      name: 'first render, 4 languages × 300 items',
      value: Math.round(first * 10) / 10,
      unit: 'ms',
      note: 'creates the five charts',
    });
    await panel.page.context().close();
  } finally {
    await browser.close();
    await server.close();
    bundle.cleanup();
  }
  return rows;
}
