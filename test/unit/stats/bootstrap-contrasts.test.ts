// Paired contrasts of alignment (src/core/study/contrasts.ts) against differences and resampled intervals
// written out here, and the grid's Holm/BH (p.adjust-tested in adjust.test.ts) applied across all rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ResponseUnit } from '../../../src/core/corpus/types';
import type { Estimate } from '../../../src/core/study/analysisTypes';
import { adjustGrid, alignmentSamples, contrastRows, contrastSpecs, type AlignmentSample } from '../../../src/core/study/contrasts';
import { adjustBH, adjustHolm } from '../../../src/core/stats/adjust';
import { bootstrapP, forEachResample, percentileInterval } from '../../../src/core/stats/bootstrap';
import { pearsonR } from '../../../src/core/stats/correlation';

const close = (a: number | null | undefined, b: number, tol = 1e-12): void =>
  assert.ok(a !== null && a !== undefined && Math.abs(a - b) <= tol, `${a} vs ${b}`);

function unit(p: Partial<ResponseUnit>): ResponseUnit {
  return {
    runId: 'r1',
    modelId: 'm1',
    model: 'm1',
    modelAttributes: {},
    language: 'da',
    country: null,
    template: 't',
    paraphrase: null,
    order: 'original',
    round: 0,
    itemId: 'i',
    itemKey: 'i',
    category: 'c',
    method: 'judge',
    ...p,
  };
}

const human: Record<string, Record<string, number>> = {
  'pooled:da': { a: 0.9, b: 0.1, c: 0.5, d: 0.4, e: 0.8, f: 0.3 },
  'pooled:en': { a: 0.7, b: 0.2, c: 0.6, d: 0.5, e: 0.4, g: 0.9 }, // no f; g only here
  US: { a: 0.6, b: 0.3, c: 0.7, d: 0.2, e: 0.5, f: 0.4 },
};
const lookup = (ref: string, key: string): number | undefined => human[ref]?.[key];
const da: Record<string, number> = { a: 0.8, b: 0.2, c: 0.6, d: 0.3, e: 0.9, f: 0.1 };
const en: Record<string, number> = { a: 0.5, b: 0.4, c: 0.3, d: 0.6, e: 0.7, g: 0.8 };
const units: ResponseUnit[] = [
  ...Object.entries(da).map(([k, v]) => unit({ itemId: k, itemKey: k, mean: v })),
  ...Object.entries(en).map(([k, v]) => unit({ language: 'en', itemId: k, itemKey: k, mean: v })),
  ...Object.entries(da).map(([k, v]) => unit({ modelId: 'm2', itemId: k, itemKey: k, mean: 1 - v * v })),
];
const samples = alignmentSamples(units, lookup, {
  levels: ['item'],
  measures: ['mean'],
  references: ['pooled', 'US'],
  languageCountries: {},
});

test('language contrast da − en on the items both cover (a–e), items drawn jointly; pooled references compared as "pooled"', () => {
  const { rows, grid } = contrastRows(samples, [{ factor: 'language', a: 'da', b: 'en' }], {
    bootstrap: { iterations: 100, seed: 21 },
    statistics: ['pearson'],
  });
  const row = rows.find((r) => r.within.reference === 'pooled');
  assert.ok(row);
  assert.deepEqual(row.within, { level: 'item', model: 'm1', reference: 'pooled' });
  const items = ['a', 'b', 'c', 'd', 'e'];
  const rDa = (its: string[]): number =>
    pearsonR(
      its.map((k) => da[k]),
      its.map((k) => human['pooled:da'][k]),
    );
  const rEn = (its: string[]): number =>
    pearsonR(
      its.map((k) => en[k]),
      its.map((k) => human['pooled:en'][k]),
    );
  close(row.difference.estimate, rDa(items) - rEn(items));
  const reps: number[] = [];
  forEachResample(items.length, 100, 21, (idx) => {
    const its = Array.from(idx, (i) => items[i]);
    reps.push(rDa(its) - rEn(its));
  });
  const ci = percentileInterval(reps);
  assert.ok(ci && row.difference.ci);
  close(row.difference.ci[0], ci[0]);
  close(row.difference.ci[1], ci[1]);
  close(row.difference.p, bootstrapP(reps) as number, 0);
  // US reference exists for da only (en has no US sample here? it does: US covers a–f) → a second row
  assert.equal(rows.length, 2);
  assert.equal(grid.tests, 2);
  assert.deepEqual(grid.adjust, ['holm', 'BH']);
});

test('model and reference contrasts; Holm and BH across the whole grid equal the adjusted raw p', () => {
  const specs = [...contrastSpecs('model', ['m1', 'm2']), { factor: 'reference' as const, a: 'pooled', b: 'US' }];
  assert.deepEqual(
    specs.map((s) => [s.factor, s.a, s.b]),
    [
      ['model', 'm1', 'm2'],
      ['reference', 'pooled', 'US'],
    ],
  );
  const { rows, grid } = contrastRows(samples, specs, { bootstrap: { iterations: 60, seed: 2 } });
  const model = rows.filter((r) => r.factor === 'model');
  // m1 vs m2 within da × pooled:da and da × US, two statistics each
  assert.equal(model.length, 4);
  assert.ok(model.every((r) => r.within.language === 'da' && !('model' in r.within)));
  const ref = rows.filter((r) => r.factor === 'reference');
  // pooled vs US for m1 da, m1 en, m2 da; two statistics each
  assert.equal(ref.length, 6);
  const p = rows.map((r) => r.difference.p);
  assert.equal(grid.tests, rows.length);
  assert.deepEqual(
    rows.map((r) => r.difference.pHolm),
    adjustHolm(p),
  );
  assert.deepEqual(
    rows.map((r) => r.difference.pBH),
    adjustBH(p),
  );
});

test('adjustGrid: counts only Estimates with a p, writes null where p is null, only the requested methods', () => {
  const es: (Estimate | null)[] = [
    { estimate: 1, ci: null, p: 0.01 },
    null,
    { estimate: 2, ci: null, p: null },
    { estimate: 3, ci: null, p: 0.04 },
  ];
  const grid = adjustGrid(es, 'alignment:item:mean', ['holm']);
  assert.deepEqual(grid, { grid: 'alignment:item:mean', tests: 2, adjust: ['holm'] });
  assert.deepEqual(
    es.map((e) => e?.pHolm),
    [0.02, undefined, null, 0.04],
  );
  assert.equal(es[0]?.pBH, undefined);
});

test('samples with no common items or an undefined side give no row', () => {
  const s = (language: string, items: string[], x: number[]): AlignmentSample => ({
    model: 'm',
    language,
    country: null,
    reference: 'US',
    level: 'item',
    measure: 'mean',
    items,
    x,
    y: x.map((v, i) => i),
  });
  const { rows, grid } = contrastRows(
    [s('da', ['a', 'b', 'c'], [1, 2, 3]), s('en', ['x', 'y', 'z'], [1, 2, 3]), s('nl', ['a', 'b', 'c'], [1, 1, 1])],
    contrastSpecs('language', ['da', 'en', 'nl']),
    { bootstrap: { iterations: 10, seed: 1 } },
  );
  assert.equal(rows.length, 0);
  assert.equal(grid.tests, 0);
});
