// Helpers of the study-view browser tests (test/webview/study-*.test.ts, split by scenario so they run side
// by side): the hand-built fixture, posting a study message, choosing a slice, reading a view's data, and
// figures computed here from the fixture JSON, not by the code under test.
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import type { AlignmentRow, StudyAnalysis } from '../../src/core/study/analysisTypes';
import { openPanelPage, postToPage, type PanelPage, type WebviewSuite } from './harness';

const FIXTURE = 'test/fixtures/study-analysis/study-analysis.json';
export const fixture = (): StudyAnalysis => JSON.parse(readFileSync(FIXTURE, 'utf8')) as StudyAnalysis;

export const VIEWS = [
  'study-models',
  'study-countries',
  'study-regions',
  'study-categories',
  'study-contrasts',
  'study-consistency',
  'study-bias',
  'study-attributes',
  'study-distances',
  'study-fits',
];
export const NO_PROBLEMS = { pageErrors: [], consoleErrors: [], cspViolations: [], dialogs: [] };
/** A measure as the tables show it: always 3 decimals, 0 and integers included (one format per column, formatMeasure's rule). */
export const f3 = (v: number) => v.toFixed(3);

/** Posts a study message and waits until the study views rendered it. */
export async function sendStudy(panel: PanelPage, analysis: unknown): Promise<void> {
  const before = await panel.page.evaluate(() => Number(document.getElementById('vl-study')?.getAttribute('data-updates') ?? '0'));
  await postToPage(panel.page, { type: 'study', analysis });
  if (analysis === null) return void (await panel.page.waitForFunction(() => document.getElementById('vl-study')?.hidden === true));
  await panel.page.waitForFunction((n) => Number(document.getElementById('vl-study')?.getAttribute('data-updates') ?? '0') > n, before);
}

/** The panel in webview mode (optionally with a saved state), at a size where every study view lays out. */
export async function openStudy(suite: WebviewSuite, state?: unknown): Promise<PanelPage> {
  const panel = await openPanelPage(suite.browser, suite.server, { vscode: true, state: state as never });
  await panel.page.setViewportSize({ width: 1400, height: 1000 });
  return panel;
}

/** Sets a study choice the way a user does (vscode-single-select fires `change`). */
export async function choose(page: Page, key: string, value: string): Promise<void> {
  await page.evaluate(
    ([k, v]) => {
      const select = document.querySelector(`[data-study-choice="${k}"]`) as HTMLElement & { value: string };
      select.value = v;
      select.dispatchEvent(new Event('change'));
    },
    [key, value],
  );
}

export const json = async (page: Page, id: string, attribute: string) =>
  JSON.parse((await page.getAttribute(`[data-chart="${id}"]`, attribute)) ?? 'null');

/** How many distinct colours a canvas has (sampled): a painted chart has many, a blank one 1. */
export async function colours(page: Page, id: string): Promise<{ width: number; height: number; colours: number }> {
  return page.$eval(`[data-chart="${id}"] canvas`, (canvas) => {
    const c = canvas as HTMLCanvasElement;
    const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const seen = new Set<number>();
    for (let i = 0; i < data.length; i += 4 * 5) seen.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
    return { width: c.width, height: c.height, colours: seen.size };
  });
}

/** The fixture's per-country rows (cue = reference, all categories), computed here independently. */
export function countryRows(analysis: StudyAnalysis, model: string, language: string, category: string | null): AlignmentRow[] {
  return analysis.alignment.filter(
    (r) =>
      r.model === model &&
      r.language === language &&
      r.level === 'item' &&
      r.measure === 'mean' &&
      r.category === category &&
      r.country !== null &&
      r.country === r.reference,
  );
}

/** R's quantile(type = 7), by hand. */
export function q7(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  const h = (s.length - 1) * p;
  return s[Math.floor(h)] + (h - Math.floor(h)) * (s[Math.ceil(h)] - s[Math.floor(h)]);
}
