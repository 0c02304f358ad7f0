// End-to-end scenarios in a real VS Code (the VS Code server from code-server, opened in Chromium), started
// by test/e2e/run.sh, which passes everything through E2E_* variables. The steps share one browser page
// and run in order; a step whose feature is missing fails with a message that says what was not found.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { chromium, type Browser, type ConsoleMessage, type FrameLocator, type Locator, type Page } from 'playwright-core';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run this file through test/e2e/run.sh`);
  return value;
};
const URL_BASE = env('E2E_URL');
const WORKSPACE = env('E2E_WORKSPACE');
const OUT = env('E2E_OUT');
const FAKE_URL = process.env.E2E_FAKE_URL ?? '';
const LATENCY_MS = Number(process.env.E2E_FAKE_LATENCY ?? '0');

/** Flags that were seen to work for Debian Chromium in this container (DESIGN.md §8). */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  // The README scenario's stand-in for a public host (run.sh): its name resolves to loopback.
  ...(process.env.E2E_README_BASE ? [`--host-resolver-rules=MAP ${new URL(process.env.E2E_README_BASE).hostname} 127.0.0.1`] : []),
];

interface PackageJson {
  contributes?: { commands?: { command: string; title: string; category?: string }[] };
}
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as PackageJson;
/** package.json's `%key%` strings, resolved as VS Code does from package.nls[.<locale>].json. */
function nls(locale?: string): (text: string) => string {
  const english = JSON.parse(readFileSync('package.nls.json', 'utf8')) as Record<string, string>;
  const translated = locale ? (JSON.parse(readFileSync(`package.nls.${locale}.json`, 'utf8')) as Record<string, string>) : {};
  return (text) => text.replace(/^%([^%]+)%$/, (whole, key: string) => translated[key] ?? english[key] ?? whole);
}

/** The palette label of a contributed command (`Category: Title`), found by id or English title pattern. */
function commandLabel(match: RegExp, locale?: string): string {
  const english = nls();
  const command = (pkg.contributes?.commands ?? []).find((c) => match.test(c.command) || match.test(english(c.title)));
  if (!command) {
    throw new Error(
      `package.json contributes no command matching ${match} (commands: ${(pkg.contributes?.commands ?? []).map((c) => c.command).join(', ') || 'none'})`,
    );
  }
  const title = nls(locale)(command.title);
  return command.category ? `${command.category}: ${title}` : title;
}

let browser: Browser | undefined;
let page: Page;
const consoleErrors: string[] = [];
let shot = 0;

async function screenshot(name: string): Promise<void> {
  shot += 1;
  await page.screenshot({ path: join(OUT, `${String(shot).padStart(2, '0')}-${name}.png`) });
}

/** A scenario step: on failure it leaves a screenshot named after the step, then fails. */
function step(name: string, fn: () => Promise<void>): void {
  const only = process.env.E2E_ONLY ? new RegExp(process.env.E2E_ONLY, 'i') : undefined;
  test(name, { skip: only && !only.test(name) ? 'E2E_ONLY' : false }, async () => {
    try {
      await fn();
    } catch (error) {
      await screenshot(`FAILED-${name.replace(/[^a-z0-9]+/gi, '-').slice(0, 40)}`).catch(() => undefined);
      throw error;
    }
  });
}

/** Closes dialogs and moves focus out of any webview (which would swallow the keyboard shortcuts). */
async function focusWorkbench(): Promise<void> {
  const dialogButton = page.locator('.monaco-dialog-box .dialog-buttons .monaco-button').first();
  if (await dialogButton.isVisible().catch(() => false)) {
    // Say which dialog was in the way: a CI log then tells what opened it.
    const text = await page
      .locator('.monaco-dialog-box')
      .first()
      .innerText()
      .catch(() => '');
    process.stderr.write(`[e2e] closing a dialog: ${text.replace(/\s+/g, ' ').slice(0, 200)}\n`);
    await dialogButton.click();
  }
  await page
    .locator('.part.sidebar .composite.title')
    .first()
    .click({ timeout: 5_000 })
    .catch(() => undefined);
  await page.keyboard.press('Escape');
}

/**
 * Runs a UI action up to `attempts` times. A loaded machine (CI, or helpers sharing two cores) sometimes
 * closes a quick input just opened (a notification or an editor taking focus), or renders a list row that is
 * replaced before the click lands; the action then starts again from a focused workbench. The last error is
 * thrown, so a feature that is really missing still fails with its own message.
 */
async function retried<T>(what: string, action: () => Promise<T>, attempts = 3): Promise<T> {
  let last: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      return await action();
    } catch (error) {
      last = error;
      if (attempt < attempts) {
        process.stderr.write(
          `[e2e] ${what}: attempt ${attempt} failed (${String(error instanceof Error ? error.message : error).split('\n')[0]}); again\n`,
        );
        await page.keyboard.press('Escape').catch(() => undefined);
        await page.waitForTimeout(500 * attempt);
        await focusWorkbench().catch(() => undefined);
      }
    }
  }
  throw last;
}

/** Opens the quick input with `key` and types `text` into it (Playwright's fill, which waits for editable). */
async function quickInput(key: string, text: string): Promise<void> {
  await focusWorkbench();
  await page.keyboard.press(key);
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(text, { timeout: 8_000 });
}

/** Runs a command through the command palette (F1), by its visible label. */
async function runCommand(label: string): Promise<void> {
  const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: label }).first();
  await retried(`command palette: ${label}`, async () => {
    await quickInput('F1', `>${label}`);
    await row.waitFor({ state: 'visible', timeout: 10_000 }).catch(() => {
      throw new Error(`command palette has no entry "${label}"`);
    });
    await row.click({ timeout: 5_000 });
  });
}

/** Opens a workspace file through Quick Open and waits until its editor tab is active. */
async function openFile(name: string): Promise<Locator> {
  // Click the row itself: Enter could still pick a recently opened file before the list is filtered.
  const row = page
    .locator('.quick-input-widget .monaco-list-row', {
      has: page.locator('.label-name', { hasText: new RegExp(`^${name.replace('.', '\\.')}$`) }),
    })
    .first();
  await retried(`quick open: ${name}`, async () => {
    await quickInput('Control+P', name);
    await row.waitFor({ state: 'visible', timeout: 15_000 });
    await row.click({ timeout: 5_000 });
    await page.locator('.tab.active', { hasText: name }).first().waitFor({ timeout: 10_000 });
  });
  // Editors of background tabs stay in the DOM, hidden: take the visible one.
  const editor = page.locator('.editor-instance .monaco-editor:visible').first();
  await editor.locator('.view-line').first().waitFor({ timeout: 15_000 });
  return editor;
}

/**
 * Class and colour of the rendered token that starts with `text` on the first visible line starting with
 * `lineStart`. Monaco merges neighbouring tokens of the same colour, so match by prefix, not whole text.
 */
async function tokenColour(editor: Locator, lineStart: string, text: string): Promise<{ className: string; color: string; text: string }> {
  const found = await editor.evaluate(
    (root, [start, token]) => {
      // No named helpers in here: the bundler's __name() wrapper does not exist in the page.
      const line = Array.from(root.querySelectorAll('.view-line')).find((l) =>
        (l.textContent ?? '').replace(/\u00a0/g, ' ').startsWith(start!),
      );
      if (!line) return undefined;
      const span = Array.from(line.querySelectorAll('span > span')).find((el) =>
        (el.textContent ?? '')
          .replace(/\u00a0/g, ' ')
          .trimStart()
          .startsWith(token!),
      );
      if (!span) return undefined;
      return { className: span.className, color: getComputedStyle(span).color, text: span.textContent ?? '' };
    },
    [lineStart, text],
  );
  if (!found) throw new Error(`no rendered token "${text}" on a line starting with "${lineStart}"`);
  return found;
}

/** Moves the cursor of the active editor to the first line starting with `prefix` (Go to Line). */
async function goToLine(prefix: string): Promise<void> {
  await retried(`go to line: ${prefix}`, async () => {
    await page.keyboard.press('Control+G');
    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(`:${lineOf(prefix)}`, { timeout: 8_000 });
  });
  await page.keyboard.press('Enter');
  await page.waitForTimeout(300);
}

describe('Value Lens in VS Code (code-server) + Chromium', { timeout: 600_000 }, () => {
  before(async () => {
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    page = await context.newPage();
    page.on('console', (m: ConsoleMessage) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    await page.goto(`${URL_BASE}/?folder=${encodeURIComponent(WORKSPACE)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    // The explorer shows the workspace once the remote connection is up.
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'wvs7-sample.wvs' }).waitFor({ timeout: 60_000 });
  });

  after(async () => {
    await browser?.close();
  });

  step('workbench loads the workspace', async () => {
    await screenshot('workbench');
  });

  step('grammar: an item id and a comment are coloured differently', async () => {
    const editor = await openFile('wvs7-sample.wvs');
    await page
      .locator('.statusbar-item', { hasText: /WVS Survey Items/ })
      .first()
      .waitFor({ timeout: 15_000 })
      .catch(() => {
        throw new Error(
          'the status bar does not show the wvs language mode: the extension is not installed or its languages are not contributed',
        );
      });
    await page.waitForTimeout(1000); // tokenization is asynchronous after the first paint
    const c = await tokenColour(editor, '# examples/wvs7-sample.wvs', '#');
    const k = await tokenColour(editor, 'survey "WVS-7 sample"', 'survey');
    assert.match(c.className, /mtk\d+/);
    assert.match(k.className, /mtk\d+/);
    assert.notEqual(
      c.color,
      k.color,
      `comment ${JSON.stringify(c)} and keyword ${JSON.stringify(k)} share a colour: the grammar did not load`,
    );
    await goToLine('item Q182');
    const i = await tokenColour(editor, 'item Q182', 'Q182');
    assert.notEqual(i.color, c.color, `item id ${JSON.stringify(i)} and comment ${JSON.stringify(c)} share a colour`);
    assert.notEqual(i.className, 'mtk1', 'the item id is not highlighted (default foreground)');
    await screenshot('grammar-colours');
  });

  step('diagnostics of a broken copy appear in Problems', async () => {
    await openFile('broken.wvs');
    await runCommand('View: Focus Problems');
    const rows = page.locator('.markers-panel .monaco-list-row');
    await rows
      .first()
      .waitFor({ timeout: 20_000 })
      .catch(() => {
        throw new Error('Problems shows nothing for broken.wvs: no diagnostics were published');
      });
    await page.waitForTimeout(500);
    const text = (await page.locator('.markers-panel').innerText()).replace(/\s+/g, ' ');
    assert.match(text, /broken\.wvs/);
    assert.match(text, /agreement/i, `Problems lacks the unknown scale "agreement": ${text.slice(0, 400)}`);
    assert.match(text, /Q1/, `Problems lacks the duplicate id Q1: ${text.slice(0, 400)}`);
    assert.ok((await rows.count()) >= 3, `expected at least 3 rows (file + problems), got ${await rows.count()}`);
    await screenshot('problems');
  });

  step('Outline lists the items', async () => {
    await runCommand('Explorer: Focus on Outline View');
    await openFile('wvs7-sample.wvs');
    const outline = page.locator('.outline-pane').first();
    await outline
      .locator('.monaco-list-row')
      .first()
      .waitFor({ timeout: 20_000 })
      .catch(() => {
        throw new Error('Outline is empty: no document symbols for .wvs');
      });
    // Scales come first and the list is virtual: collapse everything, then jump to the last row (an item).
    const collapse = page.locator('.pane-header', { hasText: 'Outline' }).locator('.action-label[aria-label*="Collapse"]').first();
    await collapse.click({ timeout: 5_000 }).catch(() => undefined);
    await outline.locator('.monaco-list-row').first().click();
    await page.keyboard.press('End');
    await page.waitForTimeout(300);
    const labels = (await outline.locator('.monaco-list-row').allInnerTexts()).map((l) => l.replace(/\s+/g, ' '));
    assert.ok(
      labels.some((l) => /Q109/.test(l)),
      `Outline does not list the last item Q109: ${labels.join(' | ')}`,
    );
    assert.ok(labels.filter((l) => /^\s*Q\d+/.test(l)).length >= 2, `Outline lists too few items: ${labels.join(' | ')}`);
    await screenshot('outline');
  });

  step('code lenses appear above items; Score updates them with per-language results; hover shows the distribution', async () => {
    assert.ok(FAKE_URL, 'no fake model server (test/support/fake-server-cli.ts) was started');
    const editor = await openFile('wvs7-sample.wvs');
    await goToLine('item Q182');
    const score = await waitForLens(editor, 'Q182', /Score/, 20_000);
    const row = (await lensLinks(editor, 'Q182')).map((l) => l.text);
    // Three short lenses per item (Score, Paraphrases, ⋯): one language at a time is in the ⋯ quick pick.
    assert.ok(
      row.some((t) => /Paraphrases/.test(t)) && row.some((t) => t.trim() === '⋯'),
      `the lens row above Q182: ${JSON.stringify(row)}`,
    );
    await screenshot('code-lenses');
    await page.mouse.click(score.x, score.y);
    // The lens of the scored item shows a mean per declared language: `Score: en 5.12 · da 4.80 · …`.
    await waitForLens(editor, 'Q182', /Score:.*\ben \d+\.\d+.*\bda \d+\.\d+.*\bnl \d+\.\d+.*\bpt \d+\.\d+/, 60_000);
    await screenshot('lens-results');

    // Hover on the item id: the result distribution (option probabilities) of the latest run.
    const id = editor.locator('.view-line', { hasText: 'item Q182' }).first().locator('span > span', { hasText: 'Q182' }).first();
    await id.hover();
    const hover = page.locator('.monaco-hover-content, .monaco-hover .hover-contents').first();
    await hover.waitFor({ state: 'visible', timeout: 10_000 }).catch(() => {
      throw new Error('no hover on item Q182');
    });
    const hoverText = (await hover.innerText()).replace(/\s+/g, ' ');
    assert.match(hoverText, /justifiable/i, `hover does not show the scale: ${hoverText.slice(0, 300)}`);
    // The distribution: per language a header with the mean, then one bar and probability per option.
    for (const language of ['en', 'da', 'nl', 'pt']) {
      assert.match(
        hoverText,
        new RegExp(`\\b${language}\\b mean \\d+\\.\\d+`),
        `hover lacks the ${language} result: ${hoverText.slice(0, 400)}`,
      );
    }
    const bars = hoverText.match(/[█░]{10,}\s*[01]\.\d\d/g) ?? [];
    assert.ok(bars.length >= 4 * 10, `hover shows ${bars.length} probability bars, expected 10 per language: ${hoverText.slice(0, 400)}`);
    // Scroll the hover to its distribution for the screenshot (the mouse inside keeps the hover open).
    const box = await hover.boundingBox();
    if (box) {
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.wheel(0, 260);
      await page.waitForTimeout(300);
    }
    await screenshot('hover-distribution');
    await page.keyboard.press('Escape');
  });

  step('a long run can be cancelled from its notification', async () => {
    // Every fake answer takes E2E_FAKE_LATENCY ms (run.sh: 600) and the profile allows 4 requests at a time,
    // so scoring the whole file (23 items x 4 languages) takes ~15 s: cancel must stop it long before Q109.
    assert.ok(FAKE_URL, 'no fake model server (test/support/fake-server-cli.ts) was started');
    const editor = await openFile('wvs7-sample.wvs');
    await goToLine('item Q109');
    const before = await waitForLens(editor, 'Q109', /Score/, 15_000);
    assert.doesNotMatch(before.text, /\d\.\d/, `Q109 already has results before the run: ${before.text}`);
    await runCommand(commandLabel(/^valueLens\.scoreFile$/));
    const toast = page.locator('.notifications-toasts .notification-toast', { hasText: /scoring/i }).first();
    await toast.waitFor({ timeout: 15_000 }).catch(() => {
      throw new Error('no progress notification for the running score');
    });
    await screenshot('run-in-progress');
    const cancel = toast.locator('.monaco-button', { hasText: /Cancel/i }).first();
    await cancel.click({ timeout: 5_000 }).catch(() => {
      throw new Error('the progress notification has no Cancel button');
    });
    await toast.waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => {
      throw new Error('the progress notification stayed after Cancel');
    });
    await page
      .locator('.notifications-toasts .notification-toast', { hasText: /cancel/i })
      .first()
      .waitFor({ timeout: 5_000 })
      .catch(() => {
        throw new Error('no notification says the run was cancelled');
      });
    // Long enough for the whole file to have been scored had the run gone on.
    await page.waitForTimeout(Math.max(5_000, (92 / 4) * LATENCY_MS + 3_000));
    const after = await waitForLens(editor, 'Q109', /Score/, 5_000);
    assert.doesNotMatch(after.text, /Scoring/, 'the lens still says Scoring… after cancel');
    const languagesScored = (after.text.match(/\b(en|da|nl|pt) \d+\.\d+/g) ?? []).length;
    assert.ok(languagesScored < 4, `the run went on after Cancel and reached the last item: ${after.text}`);
    await screenshot('run-cancelled');
  });

  step('alignment panel: webview under its CSP draws a chart and lists the languages', async () => {
    // The panel correlates model and human scores across items, so score the whole file first.
    const editor = await openFile('wvs7-sample.wvs');
    await goToLine('item Q109');
    await runCommand(commandLabel(/^valueLens\.scoreFile$/));
    await waitForLens(editor, 'Q109', /Score:.*\ben \d+\.\d+.*\bda \d+\.\d+.*\bnl \d+\.\d+.*\bpt \d+\.\d+/, 90_000);
    await page
      .locator('.notifications-toasts .notification-toast', { hasText: /scoring/i })
      .first()
      .waitFor({ state: 'hidden', timeout: 30_000 });
    await screenshot('file-scored');
    const errorsBefore = consoleErrors.length;
    await runCommand(commandLabel(/^valueLens\.openPanel$|alignment panel/i));
    const frame: FrameLocator = await panelFrame();
    // The hidden study views have canvases of their own: take the first one shown.
    const canvas = frame.locator('canvas:visible').first();
    await canvas.waitFor({ timeout: 20_000 }).catch(async () => {
      // Say why when VS Code reported the command's error (dialog or notification).
      const reported = page.locator('.monaco-dialog-box, .notification-toast', { hasText: /error/i }).first();
      const why = (await reported.isVisible().catch(() => false))
        ? (await reported.innerText()).replace(/\s+/g, ' ')
        : 'no error was reported';
      throw new Error(`the alignment panel shows no chart canvas (${why})`);
    });
    await page.waitForTimeout(1500); // chart.js animates the first draw
    const painted = await canvas.evaluate((el) => {
      const c = el as HTMLCanvasElement;
      const ctx = c.getContext('2d');
      if (!ctx || c.width === 0 || c.height === 0) return 0;
      const data = ctx.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
      return n;
    });
    assert.ok(painted > 500, `the chart canvas is blank (${painted} painted pixels)`);
    await screenshot('alignment-panel');
    // The data table behind the chart (a collapsed <details> in the panel).
    const summary = frame.locator('summary:visible', { hasText: /data table/i }).first();
    if (await summary.isVisible().catch(() => false)) await summary.click();
    // Visible only: the hidden study views have tables of their own.
    const table = frame.locator('table:visible, vscode-table:visible, [role="table"]:visible, [role="grid"]:visible').first();
    await table.waitFor({ timeout: 10_000 }).catch(() => {
      throw new Error('the alignment panel has no data table');
    });
    const tableText = await table.innerText();
    for (const language of ['en', 'da', 'nl', 'pt']) {
      assert.match(tableText, new RegExp(`\\b${language}\\b`), `the data table does not list ${language}: ${tableText.slice(0, 300)}`);
    }
    const csp = consoleErrors.slice(errorsBefore).filter((e) => /Content Security Policy|Refused to/i.test(e));
    assert.deepEqual(csp, [], 'CSP violations in the console');
    await screenshot('alignment-panel-table');
  });

  step('a study file: the Run Study lens runs the study against the fake and the panel shows its study view', async () => {
    // run.sh writes kim-baek-2024.study.json (the first seed's example, narrowed to 12 requests, models at the fake).
    assert.ok(FAKE_URL, 'no fake model server (test/support/fake-server-cli.ts) was started');
    await openFile('kim-baek-2024.study.json');
    // The lens row on line 1 of the study file (page-wide: another editor group may show the items file).
    const runLens = page.locator('.codelens-decoration a', { hasText: 'Run Study' }).first();
    await runLens.waitFor({ state: 'visible', timeout: 20_000 }).catch(async () => {
      const seen = await page.locator('.codelens-decoration a').allInnerTexts();
      throw new Error(`no Run Study lens on the study file; lenses: ${JSON.stringify(seen.slice(0, 20))}`);
    });
    const row = (await runLens.locator('xpath=..').innerText()).replace(/\s+/g, ' ');
    assert.match(row, /Plan only/, `the study lens row: ${row}`);
    assert.match(row, /Open Results/, `the study lens row: ${row}`);
    await screenshot('study-lenses');
    await runLens.click();
    // The study view is in the Value Lens panel's webview; the workbench may host other webviews too.
    const deadline = Date.now() + 90_000;
    let text = '';
    while (!text) {
      const frames = await page.locator('iframe.webview').count();
      for (let i = 0; i < frames && !text; i++) {
        const header = page.frameLocator('iframe.webview').nth(i).frameLocator('#active-frame').locator('.vl-study-header').first();
        if (await header.isVisible().catch(() => false)) text = (await header.innerText()).replace(/\s+/g, ' ');
      }
      if (text) break;
      if (Date.now() > deadline) {
        const toasts = (
          await page
            .locator('.notifications-toasts')
            .innerText()
            .catch(() => '')
        ).replace(/\s+/g, ' ');
        throw new Error(`the panel shows no study view after Run Study (notifications: ${toasts.slice(0, 400) || 'none'})`);
      }
      await page.waitForTimeout(500);
    }
    assert.match(text, /kim-baek-2024/, `the study header does not name the study: ${text.slice(0, 300)}`);
    assert.match(text, /\b12\b/, `the study header does not count the 12 records read: ${text.slice(0, 300)}`);
    await screenshot('study-view');
  });
});

/** The Value Lens panel's webview frame: the workbench may host other webviews (e.g. a secondary side bar). */
async function panelFrame(timeoutMs = 20_000): Promise<FrameLocator> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const frames = await page.locator('iframe.webview').count();
    for (let i = 0; i < frames; i++) {
      const frame = page.frameLocator('iframe.webview').nth(i).frameLocator('#active-frame');
      if (
        (await frame
          .locator('canvas, .vl-study-header')
          .count()
          .catch(() => 0)) > 0
      )
        return frame;
    }
    if (Date.now() > deadline) return page.frameLocator('iframe.webview').first().frameLocator('#active-frame');
    await page.waitForTimeout(250);
  }
}

const surveyLines = readFileSync(join(WORKSPACE, 'wvs7-sample.wvs'), 'utf8').split('\n');
/** 1-based line number of the first line starting with `prefix` in the example survey. */
function lineOf(prefix: string): number {
  const index = surveyLines.findIndex((l) => l.startsWith(prefix));
  if (index < 0) throw new Error(`${prefix} not in the example survey`);
  return index + 1;
}

interface LensLink {
  text: string;
  x: number;
  y: number;
}

/**
 * The code lens links shown above the header line `item <id>`. Lenses are rendered in a view zone just
 * above their line, so this takes the lens decoration whose bottom is closest above the line's top.
 */
async function lensLinks(editor: Locator, id: string): Promise<LensLink[]> {
  return editor.evaluate((root, header) => {
    const line = Array.from(root.querySelectorAll('.view-line')).find((l) =>
      (l.textContent ?? '').replace(/\u00a0/g, ' ').startsWith(header),
    );
    if (!line) return [];
    const top = line.getBoundingClientRect().top;
    let best: Element | undefined;
    let bestGap = Infinity;
    for (const deco of Array.from(root.querySelectorAll('.codelens-decoration'))) {
      const r = deco.getBoundingClientRect();
      const gap = top - r.bottom;
      if (gap >= -2 && gap < bestGap) {
        bestGap = gap;
        best = deco;
      }
    }
    if (!best || bestGap > 40) return [];
    return Array.from(best.querySelectorAll('a')).map((a) => {
      const r = a.getBoundingClientRect();
      return { text: (a.textContent ?? '').trim(), x: r.left + r.width / 2, y: r.top + r.height / 2 };
    });
  }, `item ${id}`);
}

/** Waits until a lens link above `item <id>` matches `text`; returns it (its centre, for clicking). */
async function waitForLens(editor: Locator, id: string, text: RegExp, timeoutMs: number): Promise<LensLink> {
  const deadline = Date.now() + timeoutMs;
  let last: LensLink[];
  for (;;) {
    last = await lensLinks(editor, id);
    const hit = last.find((l) => text.test(l.text));
    if (hit) return hit;
    if (Date.now() > deadline) {
      throw new Error(
        `no code lens matching ${text} above item ${id} within ${timeoutMs} ms; lenses there: ${JSON.stringify(last.map((l) => l.text))}`,
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

// ---------------------------------------------------------------------------------------------------------
// Issue 19: scenarios that each start from nothing — a new browser context (empty browser storage) on a
// server and a workspace of their own — so any one of them can fail, be skipped or run alone (E2E_ONLY).
// ---------------------------------------------------------------------------------------------------------
const SCENARIO_TIMEOUT_MS = Number(process.env.E2E_SCENARIO_TIMEOUT_MS ?? 60_000);
const ONLY = process.env.E2E_ONLY ? new RegExp(process.env.E2E_ONLY, 'i') : undefined;

interface Contributions {
  walkthroughs?: { id: string; title: string; steps?: { id: string; title: string }[] }[];
  views?: Record<string, { id: string; name: string }[]>;
  menus?: Record<string, { command: string; when?: string }[]>;
}
const contributes = (): Contributions =>
  (JSON.parse(readFileSync('package.json', 'utf8')) as { contributes?: Contributions }).contributes ?? {};

interface Fresh {
  url: string;
  /** `?folder=` or `?workspace=` target. */
  folder?: string;
  workspace?: string;
  locale?: string;
  /** A row the explorer must show once the remote connection is up (none: an empty folder). */
  explorerRow?: string | RegExp;
  /** Trust a self-signed loopback certificate (the README scenario's stand-in for a public host). */
  ignoreHTTPSErrors?: boolean;
}

/**
 * One independent scenario: a new browser context on `fresh().url`, the module's `page` pointed at it while
 * `fn` runs (the helpers above use it), a FAILED screenshot on error, the context closed afterwards.
 * `skipUnless` returns a reason to skip (a feature another change has not landed yet).
 */
function scenario(name: string, fresh: () => Fresh, fn: () => Promise<void>, skipUnless?: () => string | undefined, todo?: string): void {
  test(name, { timeout: SCENARIO_TIMEOUT_MS, skip: ONLY && !ONLY.test(name) ? 'E2E_ONLY' : false, todo: todo ?? false }, async (t) => {
    const why = skipUnless?.();
    if (why) return void t.skip(why);
    const options = fresh();
    const started = Date.now();
    const previous = page;
    if (!browser) throw new Error('no browser: the describe block did not start Chromium');
    const context = await browser.newContext({
      viewport: { width: 1400, height: 900 },
      locale: options.locale,
      ignoreHTTPSErrors: options.ignoreHTTPSErrors ?? false,
    });
    page = await context.newPage();
    page.on('console', (m: ConsoleMessage) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    try {
      const query = options.workspace
        ? `workspace=${encodeURIComponent(options.workspace)}`
        : `folder=${encodeURIComponent(options.folder ?? '')}`;
      await page.goto(`${options.url}/?${query}`);
      await page.locator('.monaco-workbench').waitFor({ timeout: 30_000 });
      if (options.explorerRow)
        await page
          .locator('.explorer-folders-view .monaco-list-row', { hasText: options.explorerRow })
          .first()
          .waitFor({ timeout: 30_000 });
      else await page.locator('.explorer-folders-view, .explorer-viewlet').first().waitFor({ timeout: 30_000 });
      // Fail (with a screenshot) a little before the runner's timeout, which would not stop `fn`.
      let timer: NodeJS.Timeout | undefined;
      const budget = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`over the scenario's budget of ${SCENARIO_TIMEOUT_MS / 1000 - 5} s`)),
          SCENARIO_TIMEOUT_MS - 5_000 - (Date.now() - started),
        );
      });
      try {
        await Promise.race([fn(), budget]);
      } finally {
        clearTimeout(timer);
      }
    } catch (error) {
      await screenshot(`FAILED-${name.replace(/[^a-z0-9]+/gi, '-').slice(0, 40)}`).catch(() => undefined);
      throw error;
    } finally {
      await context.close().catch(() => undefined);
      page = previous;
      t.diagnostic(`${name}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
  });
}

/**
 * Opens `name` by clicking it in the Explorer (under the root folder `folder` in a multi-root workspace).
 * Quick Open is not used here: on a server that has just started, its file search can take longer than a
 * scenario's budget on a loaded machine, while the Explorer already lists the files.
 */
async function openFromExplorer(name: string, folder?: string): Promise<Locator> {
  const rows = page.locator('.explorer-folders-view .monaco-list-row');
  let target: Locator;
  if (folder) {
    const root = rows.filter({ hasText: new RegExp(`^\\s*${folder}\\s*$`) }).first();
    await root.waitFor({ timeout: 15_000 });
    // A root may be expanding already (aria-expanded not yet true): a click then collapses it. Click only
    // while it stays collapsed, and wait for its children each time.
    await retried(`expand ${folder} in the Explorer`, async () => {
      if ((await root.getAttribute('aria-expanded')) !== 'true') await root.click();
      await page.waitForFunction(
        (f) => {
          const all = Array.from(document.querySelectorAll('.explorer-folders-view .monaco-list-row'));
          const i = all.findIndex((el) => (el.textContent ?? '').trim() === f);
          return (
            i >= 0 &&
            all[i]!.getAttribute('aria-expanded') === 'true' &&
            Number(all[i + 1]?.getAttribute('aria-level')) > Number(all[i]!.getAttribute('aria-level'))
          );
        },
        folder,
        { timeout: 6_000 },
      );
    });
    // Rows are flat in the DOM: take the first row named `name` after the folder's row.
    const index = await rows.evaluateAll((els, f) => els.findIndex((el) => (el.textContent ?? '').trim() === f), folder);
    const level = Number(await root.getAttribute('aria-level'));
    const all = await rows.evaluateAll((els) =>
      els.map((el) => ({ text: (el.textContent ?? '').trim(), level: Number(el.getAttribute('aria-level')) })),
    );
    let at = -1;
    for (let i = index + 1; i < all.length && all[i]!.level > level; i++) if (all[i]!.text === name) at = i;
    if (at < 0) throw new Error(`the Explorer shows no ${name} under ${folder}: ${JSON.stringify(all.map((r) => r.text))}`);
    target = rows.nth(at);
  } else {
    target = rows.filter({ hasText: new RegExp(`^\\s*${name.replace(/[.]/g, '\\.')}\\s*$`) }).first();
  }
  await target.waitFor({ timeout: 15_000 });
  await retried(`open ${name} from the Explorer`, async () => {
    await target.click({ timeout: 5_000 });
    await page.locator('.tab.active', { hasText: name }).first().waitFor({ timeout: 10_000 });
  });
  const editor = page.locator('.editor-instance .monaco-editor:visible').first();
  await editor.locator('.view-line').first().waitFor({ timeout: 15_000 });
  return editor;
}

/** Waits until `dir` holds at least one file (results written by the extension host on this machine). */
async function waitForFiles(dir: string, timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const files = listFiles(dir);
    if (files.length > 0) return files;
    if (Date.now() > deadline) throw new Error(`nothing was written to ${dir} within ${timeoutMs} ms`);
    await page.waitForTimeout(250);
  }
}
function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(join(dir, e.name)).map((f) => `${e.name}/${f}`) : [e.name],
  );
}

/** Clicks the Run Study lens of the active study file and waits for the panel's study header. */
async function runStudyFromLens(): Promise<string> {
  // The lens on line 1, or the same command in the editor title (the lens can come late on a busy machine).
  const group = page.locator('.editor-group-container.active');
  const runLens = group.locator('.codelens-decoration a', { hasText: /Run Study|Kør studie/ }).first();
  const title = group.locator('.editor-actions .action-label', { hasText: /^Run Study$/ }).first();
  await runLens
    .or(title)
    .first()
    .waitFor({ state: 'visible', timeout: 20_000 })
    .catch(async () => {
      const seen = await page.locator('.codelens-decoration a').allInnerTexts();
      throw new Error(`no Run Study lens or title button on the study file; lenses: ${JSON.stringify(seen.slice(0, 20))}`);
    });
  await ((await runLens.isVisible()) ? runLens : title).click();
  const deadline = Date.now() + 40_000;
  for (;;) {
    const frames = await page.locator('iframe.webview').count();
    for (let i = 0; i < frames; i++) {
      const header = page.frameLocator('iframe.webview').nth(i).frameLocator('#active-frame').locator('.vl-study-header').first();
      if (await header.isVisible().catch(() => false)) return (await header.innerText()).replace(/\s+/g, ' ');
    }
    if (Date.now() > deadline) throw new Error('the panel shows no study view after Run Study');
    await page.waitForTimeout(500);
  }
}

describe('Issue 19 scenarios, each in a fresh browser context', () => {
  before(async () => {
    browser ??= await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
    if (!browser.isConnected())
      browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
  });
  after(async () => {
    await browser?.close();
  });

  scenario(
    'UI in Danish (--locale da): Value Lens commands, lenses, settings, diagnostics and panel in Danish',
    () => ({ url: env('E2E_URL_DA'), folder: env('E2E_WS_DA'), explorerRow: 'wvs7-sample.wvs' }),
    async () => {
      // The stand-in pack translates a few workbench labels: proof that the server resolved `da`.
      const explorerTitle = (await page.locator('.part.sidebar .composite.title').first().innerText()).trim();
      assert.match(explorerTitle, /STIFINDER|Stifinder/, `the workbench did not switch to Danish (explorer title: ${explorerTitle})`);
      // Our contributions from package.nls.da.json: the palette lists the Danish command titles.
      const scoreFile = commandLabel(/^valueLens\.scoreFile$/, 'da');
      assert.notEqual(scoreFile, commandLabel(/^valueLens\.scoreFile$/), 'package.nls.da.json has no Danish title for Score File');
      const editor = await openFromExplorer('wvs7-sample.wvs');
      await focusWorkbench();
      await page.keyboard.press('F1');
      const input = page.locator('.quick-input-widget input.input');
      await input.waitFor({ state: 'visible', timeout: 10_000 });
      await input.fill(`>${scoreFile}`);
      await page
        .locator('.quick-input-widget .monaco-list-row', { hasText: scoreFile })
        .first()
        .waitFor({ timeout: 15_000 })
        .catch(async () => {
          const rows = await page.locator('.quick-input-widget .monaco-list-row').allInnerTexts();
          throw new Error(`the palette has no "${scoreFile}": ${JSON.stringify(rows.slice(0, 12))}`);
        });
      await screenshot('da-command-palette');
      await page.keyboard.press('Escape');
      // Our vscode.l10n strings from l10n/bundle.l10n.da.json: the lenses above an item.
      await goToLine('item Q182');
      const da = JSON.parse(readFileSync('l10n/bundle.l10n.da.json', 'utf8')) as Record<string, string>;
      const lensWords = ['Score', 'Paraphrases', 'More'].map((k) => da[k]).filter((v): v is string => typeof v === 'string');
      assert.ok(lensWords.length > 0, 'l10n/bundle.l10n.da.json translates none of the lens titles');
      const lens = await waitForLens(
        editor,
        'Q182',
        new RegExp(lensWords.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')),
        20_000,
      );
      assert.doesNotMatch(lens.text, /^Score\b/, `the lens is still English: ${lens.text}`);
      await screenshot('da-lenses');
      // Diagnostics from core (msg() templates, translated by the editor) in Problems, in Danish.
      const danish = (template: string, ...args: string[]): string => {
        const text = da[template];
        assert.ok(text, `l10n/bundle.l10n.da.json does not translate "${template}"`);
        return args.reduce((out, arg, i) => out.replace(`{${i}}`, arg), text);
      };
      const expected = [danish("Unknown scale '{0}'", 'agreement'), danish("Item id '{0}' is used twice", 'Q1')];
      await openFromExplorer('broken.wvs');
      await focusWorkbench();
      await page.keyboard.press('Control+Shift+M');
      const markers = page.locator('.markers-panel');
      for (const message of expected) {
        await markers
          .locator('.monaco-list-row', { hasText: message })
          .first()
          .waitFor({ timeout: 20_000 })
          .catch(async () => {
            const text = ((await markers.innerText().catch(() => '')) || '(no Problems panel)').replace(/\s+/g, ' ');
            throw new Error(`Problems does not show "${message}": ${text.slice(0, 400)}`);
          });
      }
      await screenshot('da-problems');
      // The panel's webview from l10n/bundle.l10n.da.json (vscode.l10n.bundle, passed to the page): nothing is
      // scored in this workspace, so it shows its empty state, in Danish.
      await runCommand(commandLabel(/^valueLens\.openPanel$/, 'da'));
      const emptyState = danish(
        'No results yet — click Score above an item in a .wvs file (or run `value-lens score`), then come back here.',
      );
      const frame = page.frameLocator('iframe.webview').first().frameLocator('#active-frame');
      await frame
        .locator('body', { hasText: emptyState.slice(0, 40) })
        .first()
        .waitFor({ timeout: 20_000 })
        .catch(async () => {
          const text = (
            (await frame
              .locator('body')
              .innerText({ timeout: 2_000 })
              .catch(() => '')) || '(no webview)'
          ).replace(/\s+/g, ' ');
          throw new Error(`the panel does not show its Danish empty state "${emptyState.slice(0, 40)}…": ${text.slice(0, 300)}`);
        });
      await screenshot('da-panel');
    },
  );

  scenario(
    'two-folder workspace: each folder runs its own study, results beside its own files',
    () => ({ url: URL_BASE, workspace: env('E2E_MULTI_WORKSPACE'), explorerRow: /lab-a/ }),
    async () => {
      assert.ok(FAKE_URL, 'no fake model server was started');
      const root = dirname(env('E2E_MULTI_WORKSPACE'));
      const results = (folder: string): string => join(root, folder, 'kim-baek-2024.results');
      assert.deepEqual([listFiles(results('lab-a')), listFiles(results('lab-b'))], [[], []], 'results exist before any run');
      await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'lab-b' }).first().waitFor({ timeout: 10_000 });
      // The second folder first: a workspaceFolders[0] shortcut would write into lab-a.
      await openFromExplorer('kim-baek-2024.study.json', 'lab-b');
      const header = await runStudyFromLens();
      assert.match(header, /kim-baek-2024/, header);
      const written = await waitForFiles(results('lab-b'), 20_000);
      assert.deepEqual(listFiles(results('lab-a')), [], "running lab-b's study wrote into lab-a");
      // Close the panel and lab-b's study, so the next Run Study can only be lab-a's.
      await runCommand('View: Close All Editors');
      await openFromExplorer('kim-baek-2024.study.json', 'lab-a');
      await runStudyFromLens();
      await waitForFiles(results('lab-a'), 20_000);
      assert.ok(written.length > 0);
      // Nothing at the workspace file's level: every result is inside its folder.
      assert.deepEqual(
        readdirSync(root).filter((n) => !['lab-a', 'lab-b', 'two-labs.code-workspace'].includes(n)),
        [],
      );
      await focusWorkbench();
      await screenshot('two-folder-workspace');
    },
  );

  scenario(
    'extension page: the README renders its images and its doc links resolve',
    () => {
      if (!process.env.E2E_URL_README)
        throw new Error(
          'no README server: run.sh starts it only for an installed VSIX (not E2E_NO_VSIX) whose repackaging worked (its log says why not)',
        );
      return { url: process.env.E2E_URL_README, folder: WORKSPACE, explorerRow: 'wvs7-sample.wvs', ignoreHTTPSErrors: true };
    },
    async () => {
      // VS Code's extension page keeps only https: images and opens only http(s) links (docs/e2e.md, "The
      // extension page README"): run.sh repackages the VSIX with vsce's --baseImagesUrl/--baseContentUrl
      // pointed at a loopback HTTPS stand-in for a public host that serves the package's own files.
      const base = env('E2E_README_BASE');
      const requests = env('E2E_README_REQUESTS');
      const packaged = readFileSync(join(env('E2E_README_EXTENSION'), 'readme.md'), 'utf8');
      const source = readFileSync('README.md', 'utf8');
      const relativeImages = (source.match(/!\[[^\]]*\]\((?!https?:)[^)\s]+\)/g) ?? []).length;
      const relativeDocs = new Set([...source.matchAll(/\]\((?!https?:|#)([^)\s]+\.md)(#[^)\s]*)?\)/g)].map((m) => m[1]!));
      assert.ok(
        relativeImages >= 3 && relativeDocs.size >= 10,
        `the README has ${relativeImages} relative images and ${relativeDocs.size} relative doc links`,
      );
      assert.doesNotMatch(packaged, /\]\((?!https?:|#|mailto:)[^)\s]+\)/, 'the repackaged README still has a relative link');
      await focusWorkbench();
      await page.keyboard.press('Control+Shift+X');
      // The search box (a small Monaco editor) takes the focus when the view opens.
      const search = page.locator('.extensions-viewlet .suggest-input-container').first();
      await search.waitFor({ timeout: 15_000 });
      await search.click();
      await page.keyboard.press('Control+A');
      await page.keyboard.type('@installed Value Lens');
      const item = page.locator('.extensions-viewlet .monaco-list-row', { hasText: 'Value Lens' }).first();
      await item.waitFor({ timeout: 20_000 }).catch(() => {
        throw new Error('the Extensions view does not list Value Lens among the installed extensions');
      });
      await item.click();
      await page.locator('.extension-editor').first().waitFor({ timeout: 15_000 });
      // The README is in a webview: find the frame with the README's images.
      const readme = await (async () => {
        const deadline = Date.now() + 20_000;
        for (;;) {
          const frames = await page.locator('iframe.webview').count();
          for (let i = 0; i < frames; i++) {
            const frame = page.frameLocator('iframe.webview').nth(i).frameLocator('#active-frame');
            if (
              (await frame
                .locator('img')
                .count()
                .catch(() => 0)) > 0
            )
              return frame;
          }
          if (Date.now() > deadline)
            throw new Error('the extension page shows no README with images (VS Code drops an img whose src is not https:)');
          await page.waitForTimeout(250);
        }
      })();
      const images = readme.locator('img');
      const deadline = Date.now() + 15_000;
      let shown: { src: string; ok: boolean }[];
      for (;;) {
        shown = await images.evaluateAll((els) =>
          els.map((el) => ({
            src: (el as HTMLImageElement).src,
            ok: (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth > 0,
          })),
        );
        if (shown.filter((l) => l.ok).length >= relativeImages || Date.now() > deadline) break;
        await page.waitForTimeout(250);
      }
      await images
        .first()
        .scrollIntoViewIfNeeded()
        .catch(() => undefined);
      await screenshot('extension-page-readme');
      const screenshots = shown.filter((l) => l.src.startsWith(`${base}/docs/images/`));
      assert.equal(screenshots.length, relativeImages, `README images on the page: ${shown.map((l) => l.src || '(no src)').join(', ')}`);
      assert.deepEqual(
        screenshots.filter((l) => !l.ok).map((l) => l.src),
        [],
        'README images that did not load',
      );
      // They came from the stand-in host, which serves only the package's files.
      const served = readFileSync(requests, 'utf8');
      for (const { src } of screenshots)
        assert.match(
          served,
          new RegExp(`^200 GET ${new URL(src).pathname.replace(/[.]/g, '\\.')}$`, 'm'),
          `${src} was not served from the package`,
        );
      // Every doc link is kept (VS Code removes a relative href) and names a file of the package.
      const hrefs = await readme.locator('a[href]').evaluateAll((els) => els.map((el) => (el as HTMLAnchorElement).href));
      const docLinks = [...new Set(hrefs.filter((h) => h.startsWith(`${base}/`)).map((h) => h.replace(/#.*$/, '')))];
      const linked = new Set(docLinks.map((h) => new URL(h).pathname.slice(1)));
      assert.deepEqual(
        [...relativeDocs].filter((d) => !linked.has(d)),
        [],
        'README doc links missing from the page',
      );
      // Loaded in the browser (whose resolver knows the stand-in's name), as a click would.
      const probe = await page.context().newPage();
      const missing: string[] = [];
      for (const link of docLinks) {
        const status = (await probe.goto(link))?.status();
        if (status !== 200) missing.push(`${link}: ${status}`);
      }
      await probe.close();
      assert.deepEqual(missing, [], 'doc links that do not resolve to a file of the package');
      // A click opens the doc: the extension page hands https links to the opener, which asks first (the
      // host is not a trusted domain), then opens it in the browser.
      const docs = readme.locator(`a[href^="${base}/docs/"][href*=".md"]`).first();
      const target = await docs.evaluate((el) => (el as HTMLAnchorElement).href);
      await docs.click();
      const ask = page.locator('.monaco-dialog-box', { hasText: target });
      await ask.waitFor({ timeout: 10_000 }).catch(() => {
        throw new Error(`clicking ${target} on the extension page asked nothing and opened nothing`);
      });
      const [opened] = await Promise.all([
        page.context().waitForEvent('page', { timeout: 10_000 }),
        ask.locator('.dialog-buttons .monaco-button', { hasText: /^Open$/ }).click(),
      ]);
      await opened.waitForLoadState('domcontentloaded').catch(() => undefined);
      assert.equal(opened.url(), target);
      assert.match(await opened.locator('body').innerText(), /^#\s/m, `${target} shows no Markdown document`);
      await opened.close();
    },
  );

  scenario(
    'a run stopped from the Stop button in the editor title',
    () => ({ url: URL_BASE, folder: env('E2E_WS_STOP'), explorerRow: 'wvs7-sample.wvs' }),
    async () => {
      assert.ok(FAKE_URL, 'no fake model server was started');
      const editor = await openFromExplorer('wvs7-sample.wvs');
      await goToLine('item Q109');
      await waitForLens(editor, 'Q109', /Score/, 20_000);
      const stopTitle = nls()((pkg.contributes?.commands ?? []).find((c) => c.command === 'valueLens.cancelRuns')?.title ?? 'Cancel Runs');
      const stop = page
        .locator('.editor-actions .action-label', { has: page.locator('.codicon-debug-stop') })
        .or(page.locator(`.editor-actions .action-label[aria-label*="${stopTitle}"]`))
        .first();
      assert.equal(await stop.isVisible().catch(() => false), false, 'the Stop button shows while nothing runs');
      await runCommand(commandLabel(/^valueLens\.scoreFile$/));
      await stop.waitFor({ state: 'visible', timeout: 15_000 }).catch(() => {
        throw new Error('no Stop button in the editor title while the file is scored (valueLens.running)');
      });
      await screenshot('stop-button-running');
      await stop.click();
      await stop.waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => {
        throw new Error('the Stop button stayed after Stop: valueLens.running was not cleared');
      });
      await page
        .locator('.notifications-toasts .notification-toast', { hasText: /cancel/i })
        .first()
        .waitFor({ timeout: 10_000 })
        .catch(() => {
          throw new Error('no notification says the run was cancelled');
        });
      // As long as the whole file would have taken (92 requests, 4 at a time): the last item never completes.
      await page.waitForTimeout(Math.max(5_000, (92 / 4) * LATENCY_MS + 2_000));
      const after = await waitForLens(editor, 'Q109', /Score/, 5_000);
      assert.ok((after.text.match(/\b(en|da|nl|pt) \d+\.\d+/g) ?? []).length < 4, `the run went on after Stop: ${after.text}`);
      await screenshot('stop-button-stopped');
    },
    () =>
      (contributes().menus?.['editor/title'] ?? []).some(
        (m) => m.command === 'valueLens.cancelRuns' && /valueLens\.running/.test(m.when ?? ''),
      )
        ? undefined
        : 'no Stop button (valueLens.cancelRuns under valueLens.running) in editor/title yet',
  );

  scenario(
    'results view: a study run is listed under its study',
    () => ({ url: URL_BASE, folder: env('E2E_WS_RESULTS'), explorerRow: 'kim-baek-2024.study.json' }),
    async () => {
      assert.ok(FAKE_URL, 'no fake model server was started');
      const view = Object.values(contributes().views ?? {})
        .flat()
        .find((v) => /results/i.test(v.id));
      const name = nls()(view!.name);
      await openFromExplorer('kim-baek-2024.study.json');
      await runStudyFromLens();
      await waitForFiles(join(env('E2E_WS_RESULTS'), 'kim-baek-2024.results'), 20_000);
      const header = page.locator('.pane-header', { hasText: new RegExp(name, 'i') }).first();
      await header.waitFor({ timeout: 15_000 }).catch(() => {
        throw new Error(`the Explorer has no "${name}" view`);
      });
      if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
      const pane = page.locator('.pane', { has: header }).first();
      const study = pane.locator('.monaco-list-row', { hasText: 'kim-baek-2024' }).first();
      await study.waitFor({ timeout: 20_000 }).catch(async () => {
        throw new Error(`the results view lists no study: ${(await pane.innerText().catch(() => '')).replace(/\s+/g, ' ').slice(0, 300)}`);
      });
      // Expand the study: its runs appear below it.
      if ((await study.getAttribute('aria-expanded')) === 'false') await study.click();
      await page.waitForTimeout(500);
      const rows = (await pane.locator('.monaco-list-row').allInnerTexts()).map((r) => r.replace(/\s+/g, ' '));
      assert.ok(rows.length >= 2, `the results view shows the study but no run: ${JSON.stringify(rows)}`);
      await screenshot('results-view');
    },
    () =>
      Object.values(contributes().views ?? {})
        .flat()
        .some((v) => /results/i.test(v.id))
        ? undefined
        : 'no results view contributed yet',
  );

  scenario(
    'walkthrough from a fresh profile to a chart',
    () => ({ url: env('E2E_URL_FRESH'), folder: env('E2E_FRESH_WORKSPACE') }),
    async () => {
      assert.ok(process.env.E2E_FRESH_FAKE, 'no fake model server for the fresh profile');
      const walkthrough = contributes().walkthroughs![0]!;
      const english = nls();
      // A step's button: the link text of its description, `[Label](command:…)`.
      const button = (stepId: string): string => {
        const step = walkthrough.steps!.find((s) => s.id === stepId);
        const label = /\[([^\]]+)\]\(command:/.exec(english((step as { description?: string } | undefined)?.description ?? ''))?.[1];
        if (!label) throw new Error(`walkthrough step ${stepId} has no command button`);
        return label;
      };
      const openStep = async (stepId: string): Promise<void> => {
        const step = walkthrough.steps!.find((s) => s.id === stepId)!;
        const title = page.locator('.getting-started-step', { hasText: english(step.title) }).first();
        await title.waitFor({ timeout: 15_000 });
        if (!/expanded/.test((await title.getAttribute('class')) ?? '')) await title.click();
      };
      const clickButton = async (stepId: string): Promise<void> => {
        await openStep(stepId);
        const label = button(stepId);
        const link = page
          .locator('.getting-started-step.expanded', { has: page.locator(`text=${label}`) })
          .locator('.monaco-button, a', { hasText: label })
          .first();
        await link.click({ timeout: 10_000 }).catch(() => {
          throw new Error(`the walkthrough step ${stepId} has no "${label}" button`);
        });
      };
      // Opened through the palette each time: that shows the walkthrough's own page (the Welcome tab may be
      // back on its start page after a step's command ran).
      const backToWalkthrough = async (): Promise<void> => {
        await runCommand('Welcome: Open Walkthrough...');
        const pick = page.locator('.quick-input-widget .monaco-list-row', { hasText: english(walkthrough.title) }).first();
        await pick.waitFor({ timeout: 15_000 }).catch(() => {
          throw new Error(`Open Walkthrough does not offer "${english(walkthrough.title)}"`);
        });
        await pick.click();
        await page.locator('.getting-started-step:not([disabled])').first().waitFor({ timeout: 15_000 });
      };
      await backToWalkthrough();
      await screenshot('walkthrough-start');
      // 1. Pick the model: the fresh profile's default Ollama address serves the fake's model.
      await clickButton('model');
      const model = page.locator('.quick-input-widget .monaco-list-row', { hasText: 'fake-llm' }).first();
      await model.waitFor({ timeout: 20_000 }).catch(async () => {
        const rows = await page.locator('.quick-input-widget .monaco-list-row').allInnerTexts();
        throw new Error(`the model picker lists no fake-llm: ${JSON.stringify(rows.slice(0, 8))}`);
      });
      await model.click();
      // 2. The example study, copied into the empty folder; its items file opens.
      await backToWalkthrough();
      await clickButton('example');
      await page
        .locator('.tab.active', { hasText: 'wvs7-sample.wvs' })
        .first()
        .waitFor({ timeout: 20_000 })
        .catch(() => {
          throw new Error('Open Example Study did not open the example items file');
        });
      const copied = listFiles(join(env('E2E_FRESH_WORKSPACE'), 'value-lens-example'));
      assert.ok(
        copied.includes('wvs7-sample.wvs') && copied.some((f) => f.endsWith('.study.json')),
        `the example was not copied: ${JSON.stringify(copied)}`,
      );
      // 3. Score: the step's button, from the walkthrough (the items file is the last text editor).
      await backToWalkthrough();
      await clickButton('score');
      const editor = await (async () => {
        await page.locator('.tab', { hasText: 'wvs7-sample.wvs' }).first().click();
        const e = page.locator('.editor-instance .monaco-editor:visible').first();
        await e.locator('.view-line').first().waitFor({ timeout: 10_000 });
        return e;
      })();
      await goToLine('item Q109');
      // Known problem, kept visible: with the walkthrough as the active editor, its Score File button scores
      // nothing. The scenario goes on the way a user would (Score File with the items file active) and fails
      // at the end, so the rest of the walkthrough is still checked.
      const fromWalkthrough = await waitForLens(editor, 'Q109', /Score:.*\ben \d+\.\d+/, 15_000).then(
        () => undefined,
        (error: Error) => `Score File from the walkthrough did not score the example (${error.message.slice(0, 160)})`,
      );
      if (fromWalkthrough) {
        await runCommand(commandLabel(/^valueLens\.scoreFile$/));
        await waitForLens(editor, 'Q109', /Score:.*\ben \d+\.\d+/, 40_000);
      }
      // 4. Human reference data, then 5. the panel and its chart.
      if (walkthrough.steps!.some((s) => s.id === 'human')) {
        await backToWalkthrough();
        await clickButton('human');
        // The picker (a file dialog or a quick pick) offers the example's human-reference.csv.
        const csv = page.locator('.quick-input-widget .monaco-list-row', { hasText: 'human-reference.csv' }).first();
        if (await csv.isVisible({ timeout: 10_000 }).catch(() => false)) await csv.click();
        else {
          const input = page.locator('.quick-input-widget input.input');
          await input.fill(join(env('E2E_FRESH_WORKSPACE'), 'value-lens-example', 'human-reference.csv'));
          await page.keyboard.press('Enter');
        }
      }
      await backToWalkthrough();
      await clickButton('panel');
      const frame = await panelFrame();
      const canvas = frame.locator('canvas:visible').first();
      await canvas.waitFor({ timeout: 20_000 }).catch(() => {
        throw new Error('Open Alignment Panel from the walkthrough shows no chart');
      });
      await page.waitForTimeout(1500);
      const painted = await canvas.evaluate((el) => {
        const c = el as HTMLCanvasElement;
        const ctx = c.getContext('2d');
        if (!ctx || c.width === 0 || c.height === 0) return 0;
        const data = ctx.getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
        return n;
      });
      assert.ok(painted > 500, `the chart is blank (${painted} painted pixels)`);
      await screenshot('walkthrough-chart');
      assert.equal(fromWalkthrough, undefined, fromWalkthrough);
    },
    () => (contributes().walkthroughs?.length ? undefined : 'no walkthrough contributed yet'),
  );
});
