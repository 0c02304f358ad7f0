// Runs the real webview bundle in Debian Chromium (playwright-core): a loopback static server serves a page
// built by the panel's own renderPanelHtml (same CSP), the bundle and the stylesheet; a stub
// acquireVsCodeApi records what the webview posts. Also used by bench/panel.ts.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before } from 'node:test';
import * as esbuild from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { AnalysisReport } from '../../src/core/analysis';
import { createNonce, renderPanelHtml } from '../../src/panel/html';
import type { HostMessage, PanelState, RunProgress } from '../../src/shared/protocol';

/** Debian's Chromium; VALUE_LENS_CHROMIUM points elsewhere (or at nothing, to check the skip path). */
export const CHROMIUM_PATH = process.env.VALUE_LENS_CHROMIUM ?? '/usr/bin/chromium';
export const SKIP_REASON = existsSync(CHROMIUM_PATH)
  ? false
  : `Chromium not found at ${CHROMIUM_PATH}: install it with "apt-get install -y chromium" to run the webview tests`;

// Tests and the bench run from the repository root (npm scripts, test/run-unit.mjs).
const ROOT = resolve(process.cwd());

/**
 * Builds webview/main.ts exactly as esbuild.mjs does (browser IIFE), into a temp dir. Under
 * test/run-unit.mjs the two builds are made once for all files (test/support/browser-server.ts).
 */
export async function buildWebview(production = true): Promise<{ file: string; bytes: number; cleanup(): void }> {
  const shared = process.env[production ? 'VL_TEST_WEBVIEW_PRODUCTION' : 'VL_TEST_WEBVIEW_DEVELOPMENT'];
  if (shared) return { file: shared, bytes: readFileSync(shared).length, cleanup: () => undefined };
  const dir = mkdtempSync(join(tmpdir(), 'vl-webview-'));
  const file = join(dir, 'webview.js');
  await esbuild.build({
    entryPoints: [join(ROOT, 'webview/main.ts')],
    outfile: file,
    bundle: true,
    minify: production,
    sourcemap: false,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': production ? '"production"' : '"development"' },
  });
  return { file, bytes: readFileSync(file).length, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** Chromium: the run's shared one when test/run-unit.mjs started it (close() then only disconnects), else a new one. */
export async function launchChromium(): Promise<Browser> {
  const shared = process.env.VL_TEST_CHROMIUM_WS;
  if (shared) return chromium.connect(shared);
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

export interface PanelServer {
  origin: string;
  /** Every path requested, in order. */
  requests: string[];
  close(): Promise<void>;
}

/**
 * Serves `/` (panel HTML, or a report page when `reportJson` is given; `uiStringsJson` is the host's
 * vscode.l10n.bundle for a non-English display language), the bundle and the stylesheet.
 */
export async function startPanelServer(
  bundleFile: string,
  options: { reportJson?: string; uiStringsJson?: string; lang?: string } = {},
): Promise<PanelServer> {
  const requests: string[] = [];
  const bundle = readFileSync(bundleFile);
  const css = readFileSync(join(ROOT, 'media/panel.css'));
  let origin = '';
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    requests.push(path);
    if (path === '/') {
      const html = renderPanelHtml({
        cspSource: origin,
        nonce: createNonce(),
        scriptUri: `${origin}/dist/webview.js`,
        styleUri: `${origin}/media/panel.css`,
        reportJson: options.reportJson,
        uiStringsJson: options.uiStringsJson,
        lang: options.lang,
      });
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
    } else if (path === '/dist/webview.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
    } else if (path === '/media/panel.css') {
      res.writeHead(200, { 'content-type': 'text/css' }).end(css);
    } else if (path === '/favicon.ico') {
      // Chromium asks for it on its own; VS Code webviews do not. Answer quietly.
      res.writeHead(204).end();
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    requests,
    close: () =>
      new Promise((done) => {
        server.close(() => done());
        // Keep-alive connections of a page still open would hold close() forever.
        server.closeAllConnections();
      }),
  };
}

/** What a browser test file shares across its tests (fields are set in `before`: read them inside tests). */
export interface WebviewSuite {
  browser: Browser;
  server: PanelServer;
  bundle: Awaited<ReturnType<typeof buildWebview>>;
}

/**
 * Registers the calling file's before/after hooks: the webview bundle, a panel server on it and Chromium
 * (the run's shared one under test/run-unit.mjs), closed after the file's last test. The browser tests are
 * split over several files by scenario so the runner runs them side by side; this keeps their setup one.
 */
export function webviewSuite(production = true): WebviewSuite {
  const suite = {} as WebviewSuite;
  before(async () => {
    if (SKIP_REASON) return;
    suite.bundle = await buildWebview(production);
    suite.server = await startPanelServer(suite.bundle.file);
    suite.browser = await launchChromium();
  });
  after(async () => {
    await suite.browser?.close();
    await suite.server?.close();
    suite.bundle?.cleanup();
  });
  return suite;
}

const BASE_REQUESTS = ['/', '/dist/webview.js', '/media/panel.css', '/favicon.ico'];

/** Requests beyond the page, its script and stylesheet (there must be none: no network use at all). */
export function extraRequests(requests: string[]): string[] {
  return requests.filter((path) => !BASE_REQUESTS.includes(path));
}

/** The CLI's self-contained report page (one HTML string) as Chromium shows it. */
export interface ReportPage {
  page: Page;
  close(): Promise<void>;
  /** Page errors and dialogs. */
  errors: string[];
  /** Every URL the page requested (the page itself only: a report fetches nothing). */
  requests: string[];
  /** CSP directives the page violated (`securitypolicyviolation` events). */
  violations(): Promise<string[]>;
}

/** The URL the report's HTML is served at: a name that resolves nowhere, so any other fetch fails. */
export const REPORT_URL = 'http://report.invalid/';

/** Opens `html` in a fresh browser context at REPORT_URL and waits for `readySelector`. */
export async function openReportPage(
  browser: Browser,
  html: string,
  readySelector: string,
  options: { acceptDownloads?: boolean } = {},
): Promise<ReportPage> {
  const context = await browser.newContext({ acceptDownloads: options.acceptDownloads ?? false });
  const page = await context.newPage();
  await page.setViewportSize({ width: 1400, height: 1000 });
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('dialog', (d) => (errors.push(`dialog ${d.message()}`), void d.dismiss()));
  page.on('request', (r) => requests.push(r.url()));
  await page.addInitScript(
    'window.__csp = []; document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(e.violatedDirective));',
  );
  await page.route(REPORT_URL, (route) => route.fulfill({ contentType: 'text/html', body: html }));
  await page.goto(REPORT_URL);
  await page.waitForSelector(readySelector);
  return {
    page,
    errors,
    requests,
    close: () => context.close(),
    violations: () => page.evaluate(() => (window as unknown as { __csp: string[] }).__csp),
  };
}

export interface PanelPage {
  page: Page;
  /** Messages the webview posted to the (stub) host. */
  posted(): Promise<unknown[]>;
  /** What the webview last stored with setState. */
  state(): Promise<unknown>;
  /** Delivers a host message and waits until the view has rendered it (for reports). */
  send(message: HostMessage | unknown, options?: { waitForRender?: boolean }): Promise<void>;
  /** Page errors, console errors, CSP violations and dialogs seen so far. */
  problems(): Promise<{ pageErrors: string[]; consoleErrors: string[]; cspViolations: string[]; dialogs: string[] }>;
}

/**
 * Opens the panel page. With `vscode: true` a stub acquireVsCodeApi exists (webview mode) and starts with
 * `state`; otherwise the page runs in report mode.
 */
export async function openPanelPage(
  browser: Browser,
  server: PanelServer,
  options: { vscode: boolean; state?: PanelState },
): Promise<PanelPage> {
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  const consoleErrors: string[] = [];
  const dialogs: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  // A string, not a function: tsx compiles functions with `__name(...)` helpers the page lacks. The same
  // helper is defined as identity so functions passed to page.evaluate from this TypeScript work too.
  await page.addInitScript(`
    globalThis.__name = globalThis.__name || ((f) => f);
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));
    if (${JSON.stringify(options.vscode)}) {
      window.__posted = [];
      window.__state = ${JSON.stringify(options.state ?? null)} ?? undefined;
      window.acquireVsCodeApi = () => ({
        postMessage: (message) => window.__posted.push(JSON.parse(JSON.stringify(message))),
        getState: () => window.__state,
        setState: (next) => { window.__state = JSON.parse(JSON.stringify(next)); },
      });
    }
  `);
  await page.goto(`${server.origin}/`);
  await page.waitForSelector('#vl-root[data-state]');
  return {
    page,
    posted: () => page.evaluate(() => (window as unknown as { __posted?: unknown[] }).__posted ?? []),
    state: () => page.evaluate(() => (window as unknown as { __state?: unknown }).__state),
    async send(message, { waitForRender = (message as { type?: string })?.type === 'report' } = {}) {
      const before = await page.evaluate(() => Number(document.getElementById('vl-root')?.getAttribute('data-updates') ?? '0'));
      await postToPage(page, message);
      if (waitForRender) {
        await page.waitForFunction((n) => Number(document.getElementById('vl-root')?.getAttribute('data-updates') ?? '0') > n, before);
      } else {
        // Let the message event run.
        await page.evaluate(() => new Promise((r) => setTimeout(r, 0)));
      }
    },
    problems: async () => ({
      pageErrors,
      consoleErrors,
      dialogs,
      cspViolations: await page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations),
    }),
  };
}

/** The JSON text of `value` when JSON carries it exactly (no undefined, NaN, ±Infinity, −0, Date, Map…), else undefined. */
function exactJson(value: unknown): string | undefined {
  let exact = true;
  const text = JSON.stringify(value, function (this: Record<string, unknown>, key: string, v: unknown) {
    const original = this[key];
    if (original === undefined || typeof original === 'bigint' || typeof original === 'function' || typeof original === 'symbol')
      exact = false;
    else if (typeof original === 'number' && (!Number.isFinite(original) || Object.is(original, -0))) exact = false;
    else if (
      typeof original === 'object' &&
      original !== null &&
      !Array.isArray(original) &&
      ![Object.prototype, null].includes(Object.getPrototypeOf(original))
    )
      exact = false;
    return exact ? v : null;
  });
  return exact ? text : undefined;
}

/**
 * window.postMessage(message) in the page, as a host does. A JSON-exact message goes over as one string:
 * Playwright's own argument encoding walks every value and takes seconds for a 0.5 MB analysis. Anything
 * JSON would change (the fuzz cases' NaN, undefined, …) goes through that encoding, which keeps it.
 */
export async function postToPage(page: Page, message: unknown): Promise<void> {
  const text = exactJson(message);
  if (text !== undefined) await page.evaluate((t) => window.postMessage(JSON.parse(t), '*'), text);
  else await page.evaluate((m) => window.postMessage(m, '*'), message);
}

export function reportMessage(report: AnalysisReport, progress: RunProgress | null = null): HostMessage {
  return { type: 'report', report, filter: report.filter, progress };
}

/** Opens a chart section's "Data table" (tables render lazily) and reads it as text cells, header first. */
export async function readTable(page: Page, chart: string): Promise<string[][]> {
  await page.evaluate((id) => {
    const details = document.querySelector(`[data-chart="${id}"] details`) as HTMLDetailsElement | null;
    if (details) details.open = true;
  }, chart);
  await page.waitForFunction((id) => document.querySelector(`[data-chart="${id}"] details table`) !== null, chart);
  return page.evaluate((id) => {
    const table = document.querySelector(`[data-chart="${id}"] details table`);
    if (!table) return [];
    return Array.from(table.querySelectorAll('tr')).map((tr) =>
      Array.from(tr.querySelectorAll('th,td')).map((cell) => cell.textContent ?? ''),
    );
  }, chart);
}
