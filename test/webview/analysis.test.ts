// The webview fed with a report from the real analysis (src/core/stats/analyze.ts) rather than a fixture:
// catches any drift between what the core produces and what the panel draws.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import type { HumanReference } from '../../src/core/data';
import type { RunRecord, ScoreResult } from '../../src/core/results';
import { analyze, type AnalysisItem } from '../../src/core/stats/analyze';
import { prng, CATEGORIES } from './fixture-report';
import {
  SKIP_REASON,
  buildWebview,
  launchChromium,
  openPanelPage,
  readTable,
  reportMessage,
  startPanelServer,
  type PanelServer,
} from './harness';

const skip = SKIP_REASON;
let browser: Browser;
let server: PanelServer;
let bundle: Awaited<ReturnType<typeof buildWebview>>;

before(async () => {
  if (skip) return;
  bundle = await buildWebview(false);
  server = await startPanelServer(bundle.file);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
  bundle?.cleanup();
});

const LANGS: Record<string, string> = { da: 'DK', nl: 'NL', en: 'US', pt: 'PT' };

function realReport() {
  const random = prng(3);
  const items: AnalysisItem[] = Array.from({ length: 24 }, (_, i) => ({
    id: `Q${i + 1}`,
    title: `Justifiable: thing ${i + 1}`,
    category: CATEGORIES[i % 3],
    scaleMin: 1,
    scaleMax: 10,
    reversed: false,
  }));
  const human: HumanReference = { rows: [] };
  const truth = new Map<string, number>();
  for (const item of items) {
    for (const country of ['DK', 'NL', 'US', 'PT']) {
      const mean = 1 + random() * 9;
      truth.set(`${country}:${item.id}`, mean);
      human.rows.push({ country, key: item.id, mean, n: 1000 });
    }
  }
  const records: RunRecord[] = [];
  for (const model of ['m-small', 'm-large']) {
    for (const [language, country] of Object.entries(LANGS)) {
      for (const item of items) {
        for (const paraphrase of [null, 0, 1, 2]) {
          const target =
            truth.get(`${country}:${item.id}`)! * (model === 'm-large' ? 0.8 : 0.4) +
            (1 + random() * 9) * (model === 'm-large' ? 0.2 : 0.6);
          const mean = Math.min(10, Math.max(1, target + (paraphrase === null ? 0 : random() - 0.5)));
          const result: ScoreResult = {
            kind: 'result',
            runId: 'r1',
            itemId: item.id,
            itemHash: 'h',
            category: item.category,
            language,
            template: 'default',
            paraphrase,
            provider: 'ollama',
            model,
            endpoint: 'http://127.0.0.1:11434',
            method: 'logprobs',
            optionOrder: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
            probabilities: {},
            mean,
            mode: Math.round(mean),
            entropy: 1,
            missMass: 0,
            latencyMs: 5,
            cached: false,
            at: '2026-11-25T12:00:00Z',
          };
          records.push(result);
        }
      }
    }
  }
  return analyze({
    records,
    items,
    human,
    languageCountries: { da: ['DK'], nl: ['NL'], en: ['US', 'GB'], pt: ['PT', 'BR'] },
    bootstrap: { iterations: 200, seed: 1 },
  });
}

test('a report from the real analysis fills all five charts and their tables', { skip, timeout: 60_000 }, async () => {
  const report = realReport();
  assert.ok(report.alignment.length >= 8 && report.scatter.length >= 8, 'analysis produced rows');
  const panel = await openPanelPage(browser, server, { vscode: true });
  await panel.send(reportMessage(report));
  for (const id of ['correlation', 'scatter', 'consistency', 'category', 'bias']) {
    assert.equal(await panel.page.getAttribute(`[data-chart="${id}"]`, 'data-has-data'), 'true', id);
  }
  const correlation = await readTable(panel.page, 'correlation');
  assert.equal(correlation.length, 1 + report.alignment.length);
  const large = report.alignment.find((row) => row.model === 'm-large' && row.language === 'da')!;
  const shown = correlation.find((row) => row[0] === 'm-large' && row[1] === 'da')!;
  assert.equal(shown[4], large.pearson!.estimate.toFixed(3));
  assert.ok(large.pearson!.estimate > 0.7, 'the better model aligns');
  const bias = await readTable(panel.page, 'bias');
  assert.equal(bias.length, 1 + report.usBias.filter((row) => row.model === report.models[0]).length);
  assert.ok((await panel.page.$$('.vl-inconsistent li')).length > 0);
  assert.deepEqual((await panel.problems()).pageErrors, []);
  await panel.page.context().close();
});
