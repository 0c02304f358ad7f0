// End-to-end scenarios in a real VS Code (the VS Code server from code-server, opened in Chromium), started
// by test/e2e/run.sh, which passes everything through E2E_* variables. The steps share one browser page
// and run in order; a step whose feature is missing fails with a message that says what was not found.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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
];

interface PackageJson {
  contributes?: { commands?: { command: string; title: string; category?: string }[] };
}
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as PackageJson;

/** The palette label of a contributed command (`Category: Title`), found by id or title pattern. */
function commandLabel(match: RegExp): string {
  const command = (pkg.contributes?.commands ?? []).find((c) => match.test(c.command) || match.test(c.title));
  if (!command) {
    throw new Error(`package.json contributes no command matching ${match} (commands: ${(pkg.contributes?.commands ?? []).map((c) => c.command).join(', ') || 'none'})`);
  }
  return command.category ? `${command.category}: ${command.title}` : command.title;
}

let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];
let shot = 0;

async function screenshot(name: string): Promise<void> {
  shot += 1;
  await page.screenshot({ path: join(OUT, `${String(shot).padStart(2, '0')}-${name}.png`) });
}

/** A scenario step: on failure it leaves a screenshot named after the step, then fails. */
function step(name: string, fn: () => Promise<void>): void {
  test(name, async () => {
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
  if (await dialogButton.isVisible().catch(() => false)) await dialogButton.click();
  await page.locator('.part.sidebar .composite.title').first().click({ timeout: 5_000 }).catch(() => undefined);
  await page.keyboard.press('Escape');
}

/** Runs a command through the command palette (F1), by its visible label. */
async function runCommand(label: string): Promise<void> {
  await focusWorkbench();
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(`>${label}`);
  const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: label }).first();
  await row.waitFor({ state: 'visible', timeout: 10_000 }).catch(() => {
    throw new Error(`command palette has no entry "${label}"`);
  });
  await row.click();
}

/** Opens a workspace file through Quick Open and waits until its editor tab is active. */
async function openFile(name: string): Promise<Locator> {
  await focusWorkbench();
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(name);
  // Click the row itself: Enter could still pick a recently opened file before the list is filtered.
  const row = page.locator('.quick-input-widget .monaco-list-row', { has: page.locator('.label-name', { hasText: new RegExp(`^${name.replace('.', '\\.')}$`) }) }).first();
  await row.waitFor({ state: 'visible', timeout: 15_000 });
  await row.click();
  await page.locator('.tab.active', { hasText: name }).first().waitFor({ timeout: 15_000 });
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
      const line = Array.from(root.querySelectorAll('.view-line')).find((l) => (l.textContent ?? '').replace(/\u00a0/g, ' ').startsWith(start!));
      if (!line) return undefined;
      const span = Array.from(line.querySelectorAll('span > span')).find((el) => (el.textContent ?? '').replace(/\u00a0/g, ' ').trimStart().startsWith(token!));
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
  await page.keyboard.press('Control+G');
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(`:${lineOf(prefix)}`);
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
    await page.locator('.statusbar-item', { hasText: /WVS Survey Items/ }).first().waitFor({ timeout: 15_000 }).catch(() => {
      throw new Error('the status bar does not show the wvs language mode: the extension is not installed or its languages are not contributed');
    });
    await page.waitForTimeout(1000); // tokenization is asynchronous after the first paint
    const c = await tokenColour(editor, '# examples/wvs7-sample.wvs', '#');
    const k = await tokenColour(editor, 'survey "WVS-7 sample"', 'survey');
    assert.match(c.className, /mtk\d+/);
    assert.match(k.className, /mtk\d+/);
    assert.notEqual(c.color, k.color, `comment ${JSON.stringify(c)} and keyword ${JSON.stringify(k)} share a colour: the grammar did not load`);
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
    await rows.first().waitFor({ timeout: 20_000 }).catch(() => {
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
    await outline.locator('.monaco-list-row').first().waitFor({ timeout: 20_000 }).catch(() => {
      throw new Error('Outline is empty: no document symbols for .wvs');
    });
    // Scales come first and the list is virtual: collapse everything, then jump to the last row (an item).
    const collapse = page.locator('.pane-header', { hasText: 'Outline' }).locator('.action-label[aria-label*="Collapse"]').first();
    await collapse.click({ timeout: 5_000 }).catch(() => undefined);
    await outline.locator('.monaco-list-row').first().click();
    await page.keyboard.press('End');
    await page.waitForTimeout(300);
    const labels = (await outline.locator('.monaco-list-row').allInnerTexts()).map((l) => l.replace(/\s+/g, ' '));
    assert.ok(labels.some((l) => /Q109/.test(l)), `Outline does not list the last item Q109: ${labels.join(' | ')}`);
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
    assert.ok(row.some((t) => /Paraphrases/.test(t)) && row.some((t) => t.trim() === '⋯'), `the lens row above Q182: ${JSON.stringify(row)}`);
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
      assert.match(hoverText, new RegExp(`\\b${language}\\b mean \\d+\\.\\d+`), `hover lacks the ${language} result: ${hoverText.slice(0, 400)}`);
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
    await page.locator('.notifications-toasts .notification-toast', { hasText: /cancel/i }).first().waitFor({ timeout: 5_000 }).catch(() => {
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
    await page.locator('.notifications-toasts .notification-toast', { hasText: /scoring/i }).first().waitFor({ state: 'hidden', timeout: 30_000 });
    await screenshot('file-scored');
    const errorsBefore = consoleErrors.length;
    await runCommand(commandLabel(/^valueLens\.openPanel$|alignment panel/i));
    const frame: FrameLocator = await panelFrame();
    // The hidden study views have canvases of their own: take the first one shown.
    const canvas = frame.locator('canvas:visible').first();
    await canvas.waitFor({ timeout: 20_000 }).catch(async () => {
      // Say why when VS Code reported the command's error (dialog or notification).
      const reported = page.locator('.monaco-dialog-box, .notification-toast', { hasText: /error/i }).first();
      const why = (await reported.isVisible().catch(() => false)) ? (await reported.innerText()).replace(/\s+/g, ' ') : 'no error was reported';
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
        const toasts = (await page.locator('.notifications-toasts').innerText().catch(() => '')).replace(/\s+/g, ' ');
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
      if ((await frame.locator('canvas, .vl-study-header').count().catch(() => 0)) > 0) return frame;
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
    const line = Array.from(root.querySelectorAll('.view-line')).find((l) => (l.textContent ?? '').replace(/\u00a0/g, ' ').startsWith(header));
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
      throw new Error(`no code lens matching ${text} above item ${id} within ${timeoutMs} ms; lenses there: ${JSON.stringify(last.map((l) => l.text))}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
