// Alignment rows, the human lookup, distances, regions and analyzeStudy's assembly on small hand-made
// corpora whose figures are worked out here by hand (or by a plain formula written in the test).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ResponseUnit, Selection } from '../../../src/core/corpus/types';
import type { HumanReference } from '../../../src/core/data/types';
import { M49, m49Of } from '../../../src/core/data/m49';
import { ISO_3166_ALPHA2 } from '../../../src/core/study/countries';
import { alignmentPairs, alignmentRows } from '../../../src/core/study/alignment';
import { analyzeStudy, withProShares } from '../../../src/core/study/analyze';
import type { AlignmentRow, Estimate } from '../../../src/core/study/analysisTypes';
import { distanceRows } from '../../../src/core/study/distances';
import { humanLookup, referenceLookup, resolveReferences } from '../../../src/core/study/reference';
import { attributeGroupRows, regionRows } from '../../../src/core/study/regions';
import { makeStudy } from './alignment-support';

function unit(over: Partial<ResponseUnit>): ResponseUnit {
  return {
    runId: 'r1',
    modelId: 'm',
    model: 'm',
    modelAttributes: {},
    language: 'da',
    country: null,
    template: 't',
    paraphrase: null,
    order: 'original',
    round: 0,
    itemId: 'Q1',
    itemKey: 'K1',
    category: 'a',
    method: 'logprobs',
    ...over,
  };
}

function pearsonOf(x: number[], y: number[]): number {
  const mx = x.reduce((a, b) => a + b, 0) / x.length;
  const my = y.reduce((a, b) => a + b, 0) / y.length;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  x.forEach((_, i) => {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  });
  return sxy / Math.sqrt(sxx * syy);
}

// Human: DK and pooled da per key; K4 has no DK value.
const HUMAN: HumanReference = {
  rows: [
    { country: 'DK', key: 'K1', mean: 2, share: 0.2 },
    { country: 'DK', key: 'K2', mean: 3, share: 0.5 },
    { country: 'DK', key: 'K3', mean: 5, share: 0.9 },
    { country: '', language: 'da', key: 'K1', share: 0.3 },
    { country: '', language: 'da', key: 'K2', share: 0.4 },
    { country: '', language: 'da', key: 'K3', share: 0.8 },
    { country: '', language: 'da', key: 'K4', share: 0.1 },
  ],
};

// Item Q1 (K1): responses pro 0.1, 0.3; Q2 (K2): 0.6; Q3 (K3): 0.7, 0.9, 1.0; Q4 (K4): 0.2.
const UNITS: ResponseUnit[] = [
  unit({ itemId: 'Q1', itemKey: 'K1', pro: 0.1, mean: 1 }),
  unit({ itemId: 'Q1', itemKey: 'K1', pro: 0.3, mean: 2, round: 1 }),
  unit({ itemId: 'Q2', itemKey: 'K2', pro: 0.6, mean: 4, category: 'b' }),
  unit({ itemId: 'Q3', itemKey: 'K3', pro: 0.7, mean: 4, category: 'b' }),
  unit({ itemId: 'Q3', itemKey: 'K3', pro: 0.9, mean: 5, category: 'b', round: 1 }),
  unit({ itemId: 'Q3', itemKey: 'K3', pro: 1.0, mean: 6, category: 'b', round: 2 }),
  unit({ itemId: 'Q4', itemKey: 'K4', pro: 0.2, category: 'a' }),
];

test('item level: the mean per item vs the human value; response level: each response; items without human data left out', () => {
  const lookup = referenceLookup(HUMAN);
  const item = alignmentPairs(UNITS, lookup, 'DK', 'pro', 'item');
  assert.deepEqual(
    item.map((p) => [p.itemId, p.model, p.human, p.responses]),
    [
      ['Q1', 0.2, 0.2, 2],
      ['Q2', 0.6, 0.5, 1],
      ['Q3', (0.7 + 0.9 + 1.0) / 3, 0.9, 3],
    ],
  );
  const resp = alignmentPairs(UNITS, lookup, 'pooled:da', 'pro', 'response');
  assert.deepEqual(
    resp.map((p) => [p.model, p.human]),
    [
      [0.1, 0.3],
      [0.3, 0.3],
      [0.6, 0.4],
      [0.7, 0.8],
      [0.9, 0.8],
      [1.0, 0.8],
      [0.2, 0.1],
    ],
  );
  const rows = alignmentRows(UNITS, lookup, {
    levels: ['item', 'response'],
    measures: ['pro', 'mean'],
    references: ['language', 'pooled'],
    languageCountries: { da: ['DK'] },
    bootstrap: { iterations: 0, seed: 1 },
  });
  const get = (reference: string, level: string, measure: string, category: string | null): AlignmentRow | undefined =>
    rows.find((r) => r.reference === reference && r.level === level && r.measure === measure && r.category === category);
  const dkItem = get('DK', 'item', 'pro', null);
  assert.equal(dkItem?.n, 3);
  assert.ok(Math.abs((dkItem?.pearson?.estimate ?? NaN) - pearsonOf([0.2, 0.6, 2.6 / 3], [0.2, 0.5, 0.9])) < 1e-15);
  assert.equal(dkItem?.spearman?.estimate, 1);
  assert.equal(dkItem?.pearson?.ci, null, '0 iterations: no CI');
  const pooledResp = get('pooled:da', 'response', 'pro', null);
  assert.equal(pooledResp?.n, 7);
  assert.ok(
    Math.abs((pooledResp?.pearson?.estimate ?? NaN) - pearsonOf([0.1, 0.3, 0.6, 0.7, 0.9, 1.0, 0.2], [0.3, 0.3, 0.4, 0.8, 0.8, 0.8, 0.1])) <
      1e-15,
  );
  // Means exist only for DK (the pooled rows are shares): no pooled mean rows.
  assert.equal(get('pooled:da', 'item', 'mean', null), undefined);
  assert.ok(Math.abs((get('DK', 'item', 'mean', null)?.pearson?.estimate ?? NaN) - pearsonOf([1.5, 4, 5], [2, 3, 5])) < 1e-15);
  // Per category: b holds Q2, Q3 (2 items: r = ±1 or undefined, n still stated).
  const b = get('pooled:da', 'response', 'pro', 'b');
  assert.equal(b?.n, 4);
  const a = get('pooled:da', 'item', 'pro', 'a');
  assert.equal(a?.n, 2);
  // No category: no per-category rows (the overall row is not repeated under category '').
  const bare = alignmentRows(
    UNITS.map((u) => ({ ...u, category: '' })),
    lookup,
    {
      levels: ['item'],
      measures: ['pro'],
      references: ['pooled'],
      languageCountries: {},
      bootstrap: { iterations: 0, seed: 1 },
    },
  );
  assert.deepEqual(
    bare.map((r) => r.category),
    [null],
  );
});

test('references: cue, language, pooled and explicit codes; cue needs a cue', () => {
  const lc = { en: ['US', 'GB'], pt: ['PT', 'BR'] };
  assert.deepEqual(resolveReferences(['cue', 'language', 'pooled', 'us'], 'en', 'KE', lc), ['KE', 'US', 'GB', 'pooled:en']);
  assert.deepEqual(resolveReferences(['cue', 'pooled'], 'pt', null, lc), ['pooled:pt']);
  assert.deepEqual(resolveReferences(['language', 'US'], 'en', null, lc), ['US', 'GB']);
});

test('human lookup: case-insensitive keys, the overall row over per-language rows, pro from a distribution needs the scale', () => {
  const human: HumanReference = {
    rows: [
      { country: 'US', key: 'F118', language: 'es', mean: 9 },
      { country: 'US', key: 'F118', mean: 5 },
      { country: 'NL', key: 'Q29', distribution: { '1': 0.1, '2': 0.2, '3': 0.3, '4': 0.4 } },
      { country: '', key: 'G1', share: 0.5 },
    ],
  };
  const l = humanLookup(human, { scales: { q29: { min: 1, max: 4, reversed: false } } });
  assert.equal(l.value('us', 'f118', 'mean'), 5);
  assert.ok(Math.abs((l.value('NL', 'Q29', 'mean') ?? NaN) - 3) < 1e-15);
  // 4-point scale: codes ≤ 2 are pro (src/core/stats/share.ts).
  assert.ok(Math.abs((l.value('NL', 'Q29', 'pro') ?? NaN) - 0.3) < 1e-15);
  assert.equal(humanLookup(human).value('NL', 'Q29', 'pro'), undefined, 'no scale, no guessed pro side');
  assert.equal(l.value('global', 'g1', 'pro'), 0.5);
  assert.deepEqual(l.distribution('NL', 'q29'), { '1': 0.1, '2': 0.2, '3': 0.3, '4': 0.4 });
  assert.deepEqual(l.references(), ['NL', 'US', 'global']);
});

test("withProShares: the pro mass of a unit's distribution through its item's scale; judged shares kept", () => {
  const units = withProShares(
    [
      unit({ itemKey: 'K1', probabilities: { '1': 0.25, '2': 0.25, '3': 0.5 } }),
      unit({ itemKey: 'K1', pro: 0.9, probabilities: { '3': 1 } }),
      unit({ itemKey: 'K9', probabilities: { '1': 1 } }),
    ],
    { K1: { min: 1, max: 3, reversed: false } },
  );
  assert.equal(units[0].pro, 0.25, '3-point scale: code 1 is pro');
  assert.equal(units[1].pro, 0.9);
  assert.equal(units[2].pro, undefined);
});

test('distances: JSD (bits) and normalised ordinal Wasserstein by hand, with the uniform baseline', () => {
  const human: HumanReference = { rows: [{ country: 'DK', key: 'K1', distribution: { '1': 0.5, '2': 0.5 } }] };
  const units = [unit({ probabilities: { '1': 1, '2': 0, '3': 0 } }), unit({ probabilities: { '1': 0, '2': 0, '3': 1 }, round: 1 })];
  const rows = distanceRows(units, humanLookup(human), {
    references: ['language'],
    languageCountries: { da: ['DK'] },
    scales: { K1: { min: 1, max: 3, reversed: false } },
  });
  assert.equal(rows.length, 1);
  const r = rows[0];
  // Model mean distribution (0.5, 0, 0.5) vs human (0.5, 0.5, 0): M = (0.5, 0.25, 0.25);
  // JSD = ½·0.5·log2(0.5/0.25) + ½·0.5·log2(0.5/0.25) = 0.5.
  assert.ok(Math.abs(r.jsd - 0.5) < 1e-15);
  // CDFs (0.5, 0.5) vs (0.5, 1): Σ|ΔF| = 0.5, / (K − 1 = 2) = 0.25.
  assert.ok(Math.abs(r.wasserstein - 0.25) < 1e-15);
  // Uniform (⅓, ⅓, ⅓): CDFs (⅓, ⅔) vs (0.5, 1) → (⅙ + ⅓) / 2 = 0.25.
  assert.ok(Math.abs(r.uniformWasserstein - 0.25) < 1e-15);
  const u = 1 / 3;
  const m = [(u + 0.5) / 2, (u + 0.5) / 2, u / 2];
  const jsdU =
    0.5 * (u * Math.log2(u / m[0]) + u * Math.log2(u / m[1]) + u * Math.log2(u / m[2])) +
    0.5 * (0.5 * Math.log2(0.5 / m[0]) + 0.5 * Math.log2(0.5 / m[1]));
  assert.ok(Math.abs(r.uniformJsd - jsdU) < 1e-15);
  assert.equal(r.reference, 'DK');
  assert.equal(r.country, null);
});

test('UN M49 data: every ISO 3166-1 code but Antarctica has a region; known placements', () => {
  const missing = ISO_3166_ALPHA2.filter((c) => !M49[c]);
  assert.deepEqual(missing, ['AQ']);
  const regions = new Set(Object.values(M49).map((e) => e.region));
  assert.deepEqual([...regions].sort(), ['Africa', 'Americas', 'Asia', 'Europe', 'Oceania']);
  assert.deepEqual(m49Of('dk'), { region: 'Europe', subregion: 'Northern Europe' });
  assert.deepEqual(m49Of('BR'), { region: 'Americas', subregion: 'Latin America and the Caribbean', intermediate: 'South America' });
  assert.equal(m49Of('MX')?.intermediate, 'Central America');
  assert.equal(m49Of('TR')?.subregion, 'Western Asia');
  assert.equal(m49Of('KE')?.subregion, 'Sub-Saharan Africa');
  assert.equal(m49Of('EG')?.subregion, 'Northern Africa');
  assert.equal(m49Of('NIR')?.subregion, 'Northern Europe');
  assert.equal(m49Of('AU')?.subregion, 'Australia and New Zealand');
});

const est = (v: number): Estimate => ({ estimate: v, ci: null, p: null });
const row = (model: string, country: string | null, reference: string, r: number, over: Partial<AlignmentRow> = {}): AlignmentRow => ({
  model,
  language: 'en',
  country,
  reference,
  level: 'item',
  measure: 'mean',
  category: null,
  n: 10,
  pearson: est(r),
  spearman: est(r / 2),
  ...over,
});

test('regions: mean per-country r; cue rows only where cue = reference; US-bias rows and pooled rows ignored', () => {
  const rows = [
    row('m', 'DK', 'DK', 0.8),
    row('m', 'SE', 'SE', 0.6),
    row('m', 'DE', 'DE', 0.4),
    row('m', 'DK', 'US', 0.1), // a cue compared with the US: not DK's alignment, not the Americas'
    row('m', null, 'pooled:en', 0.9),
    row('m', 'BR', 'BR', 0.2),
    row('m', 'BR', 'BR', 0.5, { category: 'x' }),
  ];
  const out = regionRows(rows);
  const europe = out.find((r) => r.scheme === 'region' && r.region === 'Europe');
  assert.deepEqual(europe?.countries, ['DE', 'DK', 'SE']);
  assert.ok(Math.abs((europe?.meanPearson ?? NaN) - 0.6) < 1e-15);
  assert.ok(Math.abs((europe?.meanSpearman ?? NaN) - 0.3) < 1e-15);
  const north = out.find((r) => r.scheme === 'subregion' && r.region === 'Northern Europe');
  assert.deepEqual(north?.countries, ['DK', 'SE']);
  assert.ok(Math.abs((north?.meanPearson ?? NaN) - 0.7) < 1e-15);
  const americas = out.find((r) => r.region === 'Americas');
  assert.deepEqual(americas?.countries, ['BR']);
  assert.equal(americas?.meanPearson, 0.2);
});

test("attribute groups: each model's mean over its countries, then the mean over the models of a value", () => {
  const rows = [
    row('a', 'DK', 'DK', 0.8),
    row('a', 'SE', 'SE', 0.6),
    row('b', 'DK', 'DK', 0.2),
    row('b', 'SE', 'SE', 0.0),
    row('c', 'DK', 'DK', 0.5),
  ];
  const models: { id: string; attributes: Record<string, boolean | number> }[] = [
    { id: 'a', attributes: { chat: true, size: 7 } },
    { id: 'b', attributes: { chat: false, size: 7 } },
    { id: 'c', attributes: { chat: true } },
  ];
  const g = attributeGroupRows(rows, models);
  const chatTrue = g.find((x) => x.attribute === 'chat' && x.value === true);
  assert.deepEqual(chatTrue?.models, ['a', 'c']);
  assert.ok(Math.abs((chatTrue?.meanPearson ?? NaN) - (0.7 + 0.5) / 2) < 1e-15);
  assert.equal(chatTrue?.basis, 'countries');
  const size7 = g.find((x) => x.attribute === 'size' && x.value === 7);
  assert.deepEqual(size7?.models, ['a', 'b']);
  assert.ok(Math.abs((size7?.meanPearson ?? NaN) - (0.7 + 0.1) / 2) < 1e-15);
  // Without country rows the pooled row is each model's figure.
  const pooled = attributeGroupRows([row('a', null, 'pooled:en', 0.4), row('b', null, 'pooled:en', 0.2)], models);
  const all = pooled.find((x) => x.attribute === 'size' && x.value === 7);
  assert.equal(all?.basis, 'pooled');
  assert.ok(Math.abs((all?.meanPearson ?? NaN) - 0.3) < 1e-15);
});

test('analyzeStudy: counts passed through, models with chat from kind, Holm/BH over each grid by hand', () => {
  const units: ResponseUnit[] = [];
  // Two models × 6 items, pro close to the pooled truth for m1 and reversed for m2.
  const truth = [0.1, 0.3, 0.35, 0.6, 0.8, 0.9];
  truth.forEach((t, i) => {
    units.push(unit({ modelId: 'm1', itemId: `Q${i}`, itemKey: `K${i}`, pro: t + (i % 2 ? 0.05 : -0.05) }));
    units.push(unit({ modelId: 'm2', itemId: `Q${i}`, itemKey: `K${i}`, pro: 1 - t + (i === 2 ? 0.3 : 0) }));
  });
  const human: HumanReference = { rows: truth.map((t, i) => ({ country: '', language: 'da', key: `K${i}`, share: t })) };
  const selection: Selection = { units, counts: { read: 13, used: 12, superseded: 0, stale: 0, skipped: { failure: 1 } }, rule: 'latest' };
  const study = makeStudy({
    languages: ['da'],
    models: [
      { id: 'm1', provider: 'ollama', model: 'x', endpoint: 'http://127.0.0.1:11434', kind: 'chat', attributes: { family: 'f' } },
      { id: 'm2', provider: 'ollama', model: 'y', endpoint: 'http://127.0.0.1:11434', kind: 'base', attributes: { family: 'f' } },
    ],
    analysis: {
      levels: ['item'],
      measures: ['pro'],
      references: ['pooled'],
      bootstrap: { iterations: 200, seed: 3 },
      adjust: ['holm', 'BH'],
    },
  });
  const a = analyzeStudy({ selection, human, study, generatedAt: 'T' });
  assert.deepEqual(a.counts, selection.counts);
  assert.equal(a.generatedAt, 'T');
  assert.deepEqual(a.models, [
    { id: 'm1', attributes: { chat: true, family: 'f' } },
    { id: 'm2', attributes: { chat: false, family: 'f' } },
  ]);
  assert.deepEqual(a.languages, ['da']);
  const rows = a.alignment.filter((r) => r.category === null);
  assert.equal(rows.length, 2);
  const grid = a.tests.find((t) => t.grid === 'alignment:item:pro:pearson');
  const pearsonRows = a.alignment.filter((r) => r.pearson && r.pearson.p !== null);
  assert.equal(grid?.tests, pearsonRows.length);
  // Holm by hand over the grid's p values.
  const ps = pearsonRows.map((r) => r.pearson?.p as number);
  const order = ps.map((p, i) => [p, i] as const).sort((x, y) => x[0] - y[0]);
  const holm: number[] = new Array(ps.length);
  let run = 0;
  order.forEach(([p, i], j) => {
    run = Math.max(run, Math.min(1, (ps.length - j) * p));
    holm[i] = run;
  });
  pearsonRows.forEach((r, i) => assert.ok(Math.abs((r.pearson?.pHolm ?? NaN) - holm[i]) < 1e-15));
  const m1 = rows.find((r) => r.model === 'm1');
  assert.ok((m1?.pearson?.estimate ?? 0) > 0.9);
  assert.ok(m1?.pearson?.ci && m1.pearson.ci[0] <= m1.pearson.estimate && m1.pearson.estimate <= m1.pearson.ci[1]);
  assert.ok((rows.find((r) => r.model === 'm2')?.pearson?.estimate ?? 0) < -0.8);
  // Seeded: the same input gives the same analysis, CIs included.
  assert.deepEqual(analyzeStudy({ selection, human, study, generatedAt: 'T' }), a);
  // Both consistency definitions are reported, named.
  assert.deepEqual([...new Set(a.consistency.map((c) => c.definition))].sort(), ['paraphrase-vectors', 'response-pairs']);
});

test('analyzeStudy: distances per item for every reference with a distribution; pro filled in from the scale', () => {
  const units = [
    unit({ itemKey: 'K1', itemId: 'Q1', probabilities: { '1': 0.5, '2': 0.5, '3': 0, '4': 0 }, mean: 1.5 }),
    unit({ itemKey: 'K2', itemId: 'Q2', probabilities: { '1': 0, '2': 0, '3': 0.5, '4': 0.5 }, mean: 3.5 }),
    unit({ itemKey: 'K3', itemId: 'Q3', probabilities: { '1': 0.25, '2': 0.25, '3': 0.25, '4': 0.25 }, mean: 2.5 }),
  ];
  const human: HumanReference = {
    rows: [
      { country: 'DK', key: 'K1', distribution: { '1': 0.5, '2': 0.5 }, mean: 1.5 },
      { country: 'DK', key: 'K2', distribution: { '3': 0.5, '4': 0.5 }, mean: 3.5 },
      { country: 'DK', key: 'K3', distribution: { '1': 0.1, '2': 0.2, '3': 0.3, '4': 0.4 }, mean: 3 },
    ],
  };
  const scale = { min: 1, max: 4, reversed: false };
  const study = makeStudy({ languages: ['da'], analysis: { levels: ['item'], measures: ['mean', 'pro'], references: ['language'] } });
  const a = analyzeStudy({
    selection: { units, counts: { read: 3, used: 3, superseded: 0, stale: 0, skipped: {} }, rule: 'latest' },
    human,
    study,
    scales: { K1: scale, K2: scale, K3: scale },
  });
  assert.deepEqual(
    a.distances.map((d) => [d.itemId, d.reference, d.jsd]),
    [
      ['Q1', 'DK', 0],
      ['Q2', 'DK', 0],
      ['Q3', 'DK', a.distances[2].jsd],
    ],
  );
  assert.ok(a.distances[2].jsd > 0 && a.distances[0].uniformJsd > 0);
  const pro = a.alignment.find((r) => r.measure === 'pro' && r.category === null);
  // Model pro (codes ≤ 2): 1, 0, 0.5; human: 1, 0, 0.3 → n 3, Pearson by hand.
  assert.equal(pro?.n, 3);
  assert.ok(Math.abs((pro?.pearson?.estimate ?? NaN) - pearsonOf([1, 0, 0.5], [1, 0, 0.3])) < 1e-15);
});
