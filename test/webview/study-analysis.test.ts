// The study views fed with a StudyAnalysis from the real analysis (src/core/study/analyze.ts) on the first
// seed's example study, rather than the hand-built fixture: catches drift between what the analysis
// produces and what the views select and draw. The corpus is generated deterministically (no model runs
// here): each model answers near the cue country's human mean with its own fidelity.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { selectUnits, type SelectItem } from '../../src/core/corpus/select';
import type { ScoreResult } from '../../src/core/results';
import { analyzeStudy, studyScales } from '../../src/core/study/analyze';
import type { StudyAnalysis } from '../../src/core/study/analysisTypes';
import { loadStudy } from '../../src/core/study/load';
import { mulberry32 } from '../../src/core/random';
import {
  SKIP_REASON,
  buildWebview,
  launchChromium,
  openPanelPage,
  postToPage,
  readTable,
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

async function realAnalysis(): Promise<{ analysis: StudyAnalysis; records: number }> {
  const loaded = await loadStudy('examples/kim-baek-2024.study.json');
  const study = loaded.study;
  assert.ok(study, 'the example study loads');
  const human = new Map(loaded.human.rows.map((r) => [`${r.country}|${r.key.toUpperCase()}`, r.mean]));
  const items = loaded.surveys.flatMap((s) =>
    s.file.items.flatMap((it) =>
      it.scale && it.dataKey?.value
        ? [{ id: it.id, key: it.dataKey.value, category: it.category?.value ?? '', min: it.scale.min, max: it.scale.max }]
        : [],
    ),
  );
  const random = mulberry32(11);
  const records: ScoreResult[] = [];
  study.models.forEach((m, index) => {
    const fidelity = m.attributes.chat === false ? 0.3 : 0.6 + 0.08 * index;
    for (const country of study.countries) {
      for (const it of items) {
        const h = human.get(`${country}|${it.key.toUpperCase()}`);
        if (h === undefined || h === null) continue;
        const mid = (it.min + it.max) / 2;
        const mean = Math.min(it.max, Math.max(it.min, fidelity * h + (1 - fidelity) * mid + (random() * 2 - 1)));
        const lo = Math.min(it.max - 1, Math.floor(mean));
        const w = mean - lo;
        const probabilities: Record<string, number> = {};
        for (let c = it.min; c <= it.max; c++) probabilities[String(c)] = c === lo ? 1 - w : c === lo + 1 ? w : 0;
        records.push({
          kind: 'result',
          runId: '20261201T000000Z-panel1',
          itemId: it.id,
          itemHash: '',
          category: it.category,
          language: 'en',
          template: 'country',
          paraphrase: null,
          provider: 'ollama',
          model: m.model,
          endpoint: 'http://127.0.0.1:11434',
          method: 'logprobs',
          optionOrder: Array.from({ length: it.max - it.min + 1 }, (_, i) => it.min + i),
          study: study.name,
          country,
          modelId: m.id,
          modelKind: m.kind,
          order: 'original',
          round: 0,
          source: 'run',
          probabilities,
          mean,
          mode: w >= 0.5 ? lo + 1 : lo,
          entropy: 0,
          missMass: 0,
          latencyMs: 1,
          cached: false,
          at: '2026-12-01T00:00:00.000Z',
        });
      }
    }
  });
  const selectItems = new Map<string, SelectItem>(
    items.map((it) => [it.id, { hash: '', key: it.key, category: it.category, scale: { min: it.min, max: it.max, reversed: false } }]),
  );
  const selection = await selectUnits(records, {
    rule: 'latest',
    items: selectItems,
    models: new Map(study.models.map((m) => [m.id, m.attributes])),
  });
  const analysis = analyzeStudy({
    selection,
    human: loaded.human,
    study,
    scales: studyScales(loaded.surveys),
    generatedAt: '2026-12-01T00:00:00.000Z',
  });
  return { analysis, records: records.length };
}

test('an analysis from analyzeStudy fills the per-country, region, category and attribute views', { skip, timeout: 120_000 }, async () => {
  const { analysis, records } = await realAnalysis();
  const panel = await openPanelPage(browser, server, { vscode: true });
  await panel.page.setViewportSize({ width: 1400, height: 1000 });
  await postToPage(panel.page, { type: 'study', analysis });
  await panel.page.waitForSelector('#vl-study[data-updates="1"]');
  assert.equal(await panel.page.textContent('[data-count="used"] strong'), String(records));
  assert.equal(await panel.page.$('[data-dropped]'), null, 'no row of the real analysis is rejected as malformed');
  for (const id of ['study-countries', 'study-regions', 'study-categories', 'study-attributes']) {
    assert.equal(await panel.page.getAttribute(`[data-chart="${id}"]`, 'data-has-data'), 'true', id);
  }
  // Per country: every cue country of the first model, sorted by r, the values the analysis has.
  const model = analysis.models[0].id;
  const rows = analysis.alignment
    .filter(
      (r) =>
        r.model === model &&
        r.level === 'item' &&
        r.category === null &&
        r.country !== null &&
        r.country === r.reference &&
        r.measure === 'mean',
    )
    .sort((a, b) => b.pearson!.estimate - a.pearson!.estimate);
  assert.ok(rows.length >= 20, `${rows.length} countries`);
  const table = await readTable(panel.page, 'study-countries');
  assert.deepEqual(
    table.slice(1).map((cells) => [cells[0], cells[3], cells[8]]),
    rows.map((r) => [model, r.reference, r.pearson!.estimate.toFixed(3)]),
  );
  const regions = await readTable(panel.page, 'study-regions');
  assert.equal(
    regions.length - 1,
    analysis.regions.filter((r) => r.language === 'en' && r.measure === 'mean' && r.scheme === 'region').length,
  );
  assert.deepEqual((await panel.problems()).pageErrors, []);
  await panel.page.context().close();
});
