// The built webview bundle in real Chromium, under the panel's own CSP (test/webview/harness.ts). One
// scenario group per file (panel-*.test.ts) so the runner runs them side by side:
// hostile strings and fuzzed host messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeReport } from './fixture-report';
import { SKIP_REASON, extraRequests, openPanelPage, readTable, reportMessage, webviewSuite } from './harness';

const skip = SKIP_REASON;
const web = webviewSuite();

const HOSTILE = [
  '<script>window.__pwned = 1; alert(1)</script>',
  '"><img src=x onerror="window.__pwned = 2; alert(2)">',
  "'><svg onload=alert(3)>",
  '=HYPERLINK("http://127.0.0.1:9/x","click")',
];

test('hostile strings from items, models, human data and model output render as text: 0 scripts, 0 requests, 0 CSP violations', {
  skip,
  timeout: 60_000,
}, async () => {
  const panel = await openPanelPage(web.browser, web.server, { vscode: true });
  const report = makeReport({
    items: 8,
    titles: HOSTILE,
    models: ['<img src=/model onerror=alert(4)>', 'ok-model'],
    languages: ['da', 'en<script>alert(5)</script>'],
  });
  report.alignment[0].country = '<b onmouseover=alert(6)>DK</b>';
  await panel.send(reportMessage(report));
  await panel.send({ type: 'error', message: HOSTILE[1] }, { waitForRender: false });

  const scatter = await readTable(panel.page, 'scatter');
  assert.deepEqual(
    scatter.slice(1, 5).map((row) => row[4]),
    HOSTILE,
  );
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
  assert.deepEqual(extraRequests(web.server.requests), []);
  await panel.page.context().close();
});

test('1,000 fuzzed host messages: no page error, the view keeps working', { skip, timeout: 60_000 }, async () => {
  const panel = await openPanelPage(web.browser, web.server, { vscode: true });
  await panel.page.evaluate(() => {
    let seed = 42;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
    const values: unknown[] = [null, undefined, 0, -1, NaN, '', 'x', [], {}, [1, 2], { a: 1 }, '<script>alert(1)</script>', true];
    for (let i = 0; i < 1000; i++) {
      const kind = pick(['report', 'error', 'notice', 'unknown', 'raw']);
      let message: unknown;
      if (kind === 'raw') message = pick(values);
      else if (kind === 'report')
        message = {
          type: 'report',
          report: pick([
            ...values,
            {
              alignment: pick(values),
              scatter: [{ points: pick(values) }],
              counts: pick(values),
              models: pick(values),
              consistency: [{ items: pick(values) }],
            },
          ]),
          filter: pick(values),
          progress: pick(values),
        };
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
