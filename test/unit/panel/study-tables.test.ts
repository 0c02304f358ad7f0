// The study views' data (src/shared/study-tables.ts): which rows each view selects, the box-plot summary
// (checked against R's quantile(type = 7) values computed by hand here), and the tables behind the CSV.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { AlignmentRow, StudyAnalysis } from '../../../src/core/study/analysisTypes';
import {
  boxStats,
  categoryView,
  contrastView,
  countryView,
  modelComparison,
  perCountryRows,
  quantile7,
  regionView,
  selectionEntries,
  studyTable,
} from '../../../src/shared/study-tables';
import { STUDY_VIEW_IDS } from '../../../src/shared/protocol';

const fixture = (): StudyAnalysis => JSON.parse(readFileSync('test/fixtures/study-analysis/study-analysis.json', 'utf8')) as StudyAnalysis;

test('quantile7 and boxStats match R: quantile(c(1,2,4,7,11,30), type = 7) and Tukey whiskers', () => {
  // In R: quantile(c(1, 2, 4, 7, 11, 30)) → 0%: 1, 25%: 2.5, 50%: 5.5, 75%: 10, 100%: 30.
  // By hand: h = 5p; p = .25 → h = 1.25 → 2 + .25 × (4 − 2) = 2.5; p = .75 → h = 3.75 → 7 + .75 × 4 = 10.
  const values = [30, 4, 1, 11, 2, 7];
  const sorted = [...values].sort((a, b) => a - b);
  assert.equal(quantile7(sorted, 0.25), 2.5);
  assert.equal(quantile7(sorted, 0.5), 5.5);
  assert.equal(quantile7(sorted, 0.75), 10);
  const box = boxStats(values)!;
  // IQR 7.5, upper fence 10 + 11.25 = 21.25: 30 is an outlier, the whisker ends at 11.
  assert.deepEqual(box, {
    n: 6,
    min: 1,
    q1: 2.5,
    median: 5.5,
    q3: 10,
    max: 30,
    mean: 55 / 6,
    lowerWhisker: 1,
    upperWhisker: 11,
    outliers: [30],
  });
  assert.deepEqual(boxStats([0.4]), {
    n: 1,
    min: 0.4,
    q1: 0.4,
    median: 0.4,
    q3: 0.4,
    max: 0.4,
    mean: 0.4,
    lowerWhisker: 0.4,
    upperWhisker: 0.4,
    outliers: [],
  });
  assert.equal(boxStats([]), null);
  assert.equal(boxStats([NaN, Infinity]), null, 'non-finite values are not data');
});

const row = (over: Partial<AlignmentRow>): AlignmentRow => ({
  model: 'm',
  language: 'en',
  country: null,
  reference: 'US',
  level: 'item',
  measure: 'mean',
  category: null,
  n: 10,
  pearson: { estimate: 0.5, ci: [0.3, 0.7], p: 0.01 },
  spearman: { estimate: 0.4, ci: null, p: null },
  ...over,
});

test('per-country rows: single-country references from a matching cue or no cue; a cue row replaces a no-cue one', () => {
  const rows = [
    row({ country: null, reference: 'US' }),
    row({ country: 'US', reference: 'US', pearson: { estimate: 0.9, ci: null, p: null } }),
    row({ country: 'GB', reference: 'US' }), // cue GB vs US: US-bias material
    row({ country: null, reference: 'pooled:en' }),
    row({ country: null, reference: 'global' }),
    row({ country: null, reference: 'CA' }),
    row({ country: 'CA', reference: 'CA', category: 'progress' }),
  ];
  const overall = perCountryRows(rows, 'overall');
  assert.deepEqual(
    overall.map((r) => [r.country, r.reference, r.pearson?.estimate]),
    [
      ['US', 'US', 0.9],
      [null, 'CA', 0.5],
    ],
  );
  assert.deepEqual(
    perCountryRows(rows, 'per-category').map((r) => r.reference),
    ['CA'],
  );
});

test('model comparison: no-cue rows of all categories, pooled references by default, one group per language × reference', () => {
  const analysis = fixture();
  const view = modelComparison(analysis, {});
  assert.equal(view.level, 'item');
  assert.equal(view.measure, 'mean');
  assert.equal(view.reference, 'pooled');
  assert.deepEqual(
    view.groups.map((g) => g.label),
    ['da (pooled)', 'nl (pooled)', 'en (pooled)', 'pt (pooled)'],
  );
  assert.deepEqual(
    view.models,
    analysis.models.map((m) => m.id),
  );
  assert.ok(view.rows.every((r) => r.country === null && r.category === null && r.reference.startsWith('pooled:')));
  // A preferred value the data lacks falls back to what exists.
  const noResponse = { ...analysis, alignment: analysis.alignment.filter((r) => r.level === 'item') };
  assert.equal(modelComparison(noResponse, { level: 'response' }).level, 'item');
  assert.equal(modelComparison(analysis, { reference: 'all' }).groups.length, 4 + 8);
});

test('country view: the chosen model and language, sorted by the chosen statistic, highest first', () => {
  const analysis = fixture();
  const view = countryView(analysis, { model: 'gpt-4o', language: 'en', statistic: 'spearman' });
  assert.equal(view.rows.length, 24);
  const values = view.rows.map((r) => r.spearman!.estimate);
  assert.deepEqual(
    values,
    [...values].sort((a, b) => b - a),
  );
  assert.ok(view.rows.every((r) => r.model === 'gpt-4o' && r.language === 'en' && r.country === r.reference));
  // A model the analysis does not have: the first model with per-country rows.
  assert.equal(countryView(analysis, { model: 'nope' }).model, 'gpt-3.5-turbo');
});

test("region view: ordered by the mean over models; the fixture's region means are the means of its per-country rows", () => {
  const analysis = fixture();
  const view = regionView(analysis, { language: 'en' });
  assert.equal(view.scheme, 'region');
  assert.deepEqual([...view.regions].sort(), ['Africa', 'Americas', 'Asia', 'Europe', 'Oceania']);
  const mean = (region: string) => {
    const v = view.rows.filter((r) => r.region === region).map((r) => r.meanPearson!);
    return v.reduce((s, x) => s + x, 0) / v.length;
  };
  for (let i = 1; i < view.regions.length; i++) assert.ok(mean(view.regions[i - 1]) >= mean(view.regions[i]));
  const africa = view.rows.find((r) => r.model === 'gpt-4o' && r.region === 'Africa')!;
  const countries = countryView(analysis, { model: 'gpt-4o', language: 'en' }).rows.filter((r) => africa.countries.includes(r.reference));
  assert.equal(countries.length, 3);
  assert.ok(Math.abs(africa.meanPearson! - countries.reduce((s, r) => s + r.pearson!.estimate, 0) / 3) < 1e-6);
});

test('category view: one box per model and category, over the countries of one language', () => {
  const analysis = fixture();
  const view = categoryView(analysis, { language: 'da', statistic: 'pearson' });
  assert.deepEqual(view.categories, ['socio-cultural norms', 'social systems', 'progress']);
  assert.equal(view.boxes.length, 6 * 3);
  const box = view.boxes.find((b) => b.model === 'gpt-4o' && b.category === 'progress')!;
  const values = analysis.alignment
    .filter((r) => r.model === 'gpt-4o' && r.language === 'da' && r.category === 'progress' && r.country === r.reference)
    .map((r) => r.pearson!.estimate);
  assert.equal(box.values.length, 24);
  assert.deepEqual(box.stats, boxStats(values));
});

test('contrast view: by factor; measure and statistic fall back to what the contrasts have', () => {
  const analysis = fixture();
  assert.equal(contrastView(analysis, {}).rows.length, analysis.contrasts.length);
  const models = contrastView(analysis, { factor: 'model', measure: 'mean', statistic: 'pearson' });
  assert.equal(models.measure, 'pro');
  assert.equal(models.statistic, 'spearman');
  assert.equal(models.rows.length, 15 * 4);
});

test('tables: the shown slice with a state, every row of the kind without one; headers name both p adjustments', () => {
  const analysis = fixture();
  // The fixture predates option orders and the first-token check: those views are tested in study-checks.test.ts.
  for (const id of STUDY_VIEW_IDS.filter((v) => v !== 'study-positions' && v !== 'study-first-token')) {
    const full = studyTable(analysis, id);
    const slice = studyTable(analysis, id, {});
    assert.ok(full.rows.length >= slice.rows.length && slice.rows.length > 0, id);
    for (const r of [...full.rows, ...slice.rows]) assert.equal(r.length, full.headers.length, id);
  }
  assert.equal(studyTable(analysis, 'study-contrasts').rows.length, analysis.contrasts.length);
  assert.deepEqual(studyTable(analysis, 'study-contrasts').headers.slice(-2), ['p (Holm)', 'p (BH)']);
  assert.equal(studyTable(analysis, 'study-consistency').rows.length, analysis.consistency.length);
  assert.equal(studyTable(analysis, 'study-bias').rows.length, analysis.usBias.length);
  // Boxes for every language × level × measure × statistic with per-category country rows: 2 cue languages.
  assert.equal(studyTable(analysis, 'study-categories').rows.length, 2 * 2 * 6 * 3);
  const bias = studyTable(analysis, 'study-bias', { model: 'gpt-4o' });
  assert.deepEqual(
    bias.rows.map((r) => `${r[1]}:${r[2]}`),
    [
      'da:item-pearson',
      'da:response-spearman',
      'nl:item-pearson',
      'nl:response-spearman',
      'en:item-pearson',
      'en:response-spearman',
      'pt:item-pearson',
      'pt:response-spearman',
    ],
  );
});

test('selection entries: read, used, superseded, stale, skipped and each skip reason', () => {
  assert.deepEqual(
    selectionEntries({ read: 10, used: 6, superseded: 1, stale: 1, skipped: { failure: 1, 'bad-line': 1 } }).map((e) => [e.key, e.value]),
    [
      ['read', 10],
      ['used', 6],
      ['superseded', 1],
      ['stale', 1],
      ['skipped', 2],
      ['skipped:failure', 1],
      ['skipped:bad-line', 1],
    ],
  );
});
