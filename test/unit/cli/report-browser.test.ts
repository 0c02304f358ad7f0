// Opens a CLI report in headless Chromium (Debian's, driven by playwright-core): the inline bundle runs
// under the report's CSP, draws the charts, fetches nothing, and a hostile item title runs no script.
// Skipped where no Chromium is installed (test/e2e/setup.sh installs it).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startFakeOllama, type FakeServer } from '../../support/fake-ollama';
import { SKIP_REASON, launchChromium } from '../../webview/harness';
import { buildOnce, EXAMPLE_HUMAN, EXAMPLE_ITEMS, EXAMPLE_TEMPLATES, removeDir, runCli, tempDir } from './helpers';

const skip = SKIP_REASON;

let fake: FakeServer;
let dir: string;
before(async () => {
  if (skip) return;
  buildOnce();
  fake = await startFakeOllama();
  dir = tempDir();
});
after(async () => {
  if (skip) return;
  await fake.close();
  await removeDir(dir);
});

test('the HTML report renders offline with charts, no requests, no injected script', { skip, timeout: 120_000 }, async () => {
  const text = await fs.readFile(EXAMPLE_ITEMS, 'utf8');
  const items = join(dir, 'items.wvs');
  // Hostile title on an item with human data, so it is rendered in the scatter chart and tables.
  await fs.writeFile(
    items,
    text.replace(/^item Q182 "[^"]*"/m, 'item Q182 "</script><script>alert(1)</script><img src=x onerror=alert(2)>"'),
  );
  const results = join(dir, 'results.jsonl');
  const score = await runCli([
    'score',
    items,
    '--template',
    EXAMPLE_TEMPLATES,
    '--endpoint',
    fake.url,
    '--model',
    'fake-llm',
    '--cache-dir',
    join(dir, 'c'),
    '--out',
    results,
  ]);
  assert.equal(score.code, 0, score.stderr);
  const html = join(dir, 'report.html');
  const report = await runCli(['report', results, '--items', items, '--human', EXAMPLE_HUMAN, '--html', html]);
  assert.equal(report.code, 0, report.stderr);

  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const requests: string[] = [];
    const problems: string[] = [];
    let dialogs = 0;
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('dialog', (d) => {
      dialogs++;
      void d.dismiss();
    });
    await page.goto(pathToFileURL(html).href);
    await page.waitForFunction(() => document.querySelectorAll('canvas').length >= 3, undefined, { timeout: 20_000 });
    await page.waitForTimeout(500);
    assert.deepEqual(requests, [pathToFileURL(html).href], 'only the file itself is loaded');
    assert.equal(dialogs, 0, 'no injected script ran');
    assert.deepEqual(problems, [], 'no errors or CSP violations');
    assert.ok((await page.locator('canvas').count()) >= 3);
  } finally {
    await browser.close();
  }
});
