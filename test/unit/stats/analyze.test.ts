import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, analysisItemsFromSurvey, orderKind, type AnalysisItem } from '../../../src/core/stats/analyze';
import type { HumanReference } from '../../../src/core/data/types';
import type { RunRecord, ScoreResult, ScoreFailure } from '../../../src/core/results';
import type { SurveyFile } from '../../../src/core/language/ast';

const close = (a: number | null | undefined, b: number, tol = 1e-12): void =>
  assert.ok(a !== null && a !== undefined && Math.abs(a - b) <= tol, `${a} vs ${b}`);

/** A result whose distribution puts all mass on `mean` when integral, else splits between neighbours. */
function result(over: Partial<ScoreResult> & { itemId: string; mean: number }): ScoreResult {
  const lo = Math.floor(over.mean);
  const frac = over.mean - lo;
  const probabilities: Record<string, number> = frac ? { [lo]: 1 - frac, [lo + 1]: frac } : { [lo]: 1 };
  return {
    kind: 'result',
    runId: 'run1',
    itemHash: 'h',
    language: 'da',
    template: 'base',
    paraphrase: null,
    provider: 'ollama',
    model: 'm1',
    endpoint: 'http://127.0.0.1:11434',
    method: 'logprobs',
    optionOrder: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    probabilities,
    mode: lo,
    entropy: 0,
    missMass: 0,
    latencyMs: 1,
    cached: false,
    at: '2026-01-01T00:00:00.000Z',
    ...over,
  };
}

const items: AnalysisItem[] = ['A', 'B', 'C', 'D', 'E'].map((id, i) => ({
  id,
  title: `Item ${id}`,
  category: i < 3 ? 'norms' : 'systems',
  dataKey: `K${id}`,
  scaleMin: 1,
  scaleMax: 10,
  reversed: false,
}));

// Model means 1..5 against human means [2,1,4,3,5]: r = ρ = 0.8 exactly (Σdxdy = 8, Sxx = Syy = 10).
const humanDK = [2, 1, 4, 3, 5];
const human: HumanReference = {
  rows: [
    ...items.map((it, i) => ({ country: 'DK', key: `K${it.id}`, mean: humanDK[i] })),
    ...items.map((it, i) => ({ country: 'US', key: it.dataKey ?? '', mean: i + 1 + (i === 4 ? 0 : 0.5 * (i % 2)) })),
  ],
};
const base = items.map((it, i) => result({ itemId: it.id, mean: i + 1 }));

test('empty input gives empty arrays, no throw', () => {
  const report = analyze({ records: [], items: [], human: { rows: [] }, languageCountries: {} });
  assert.deepEqual(report.alignment, []);
  assert.deepEqual(report.scatter, []);
  assert.deepEqual(report.byCategory, []);
  assert.deepEqual(report.consistency, []);
  assert.deepEqual(report.usBias, []);
  assert.deepEqual(report.positionBias, []);
  assert.deepEqual(report.counts, { results: 0, failures: 0, items: 0, humanRows: 0 });
  assert.ok(!Number.isNaN(Date.parse(report.generatedAt)));
});

test('alignment: exact r = 0.8 against the first mapped country, scatter points and categories', () => {
  const report = analyze({ records: base, items, human, languageCountries: { da: ['DK'] } });
  assert.equal(report.alignment.length, 1);
  const row = report.alignment[0];
  assert.equal(row.country, 'DK');
  assert.equal(row.measure, 'mean');
  close(row.pearson?.estimate, 0.8);
  close(row.spearman?.estimate, 0.8);
  assert.equal(row.pearson?.n, 5);
  assert.deepEqual(
    report.scatter[0].points.map((p) => [p.itemId, p.modelScore, p.humanScore]),
    [
      ['A', 1, 2],
      ['B', 2, 1],
      ['C', 3, 4],
      ['D', 4, 3],
      ['E', 5, 5],
    ],
  );
  // norms: x 1,2,3 vs y 2,1,4 → Σdxdy = 2, Sxx = 2, Syy = 42/9 → r = 6/√84; systems has 2 points → r = 1, p null
  const norms = report.byCategory.find((c) => c.category === 'norms');
  close(norms?.pearson?.estimate, 6 / Math.sqrt(84));
  const systems = report.byCategory.find((c) => c.category === 'systems');
  assert.equal(systems?.pearson?.estimate, 1);
  assert.equal(systems?.pearson?.p, null);
  assert.deepEqual(report.models, ['m1']);
  assert.deepEqual(report.categories, ['norms', 'systems']);
  assert.deepEqual(report.counts, { results: 5, failures: 0, items: 5, humanRows: 10 });
});

test('reversed items: human mean mirrored onto the score scale before comparing', () => {
  const rev = items.map((it) => ({ ...it, reversed: true }));
  // Model scores (mirrored on the model side already) are 11 − human codes → perfect agreement.
  const records = items.map((it, i) => result({ itemId: it.id, mean: 11 - humanDK[i] }));
  const report = analyze({ records, items: rev, human, languageCountries: { da: ['DK'] } });
  close(report.alignment[0].pearson?.estimate, 1);
  assert.deepEqual(
    report.scatter[0].points.map((p) => p.humanScore),
    humanDK.map((h) => 11 - h),
  );
});

test('share measure: model pro mass (codes > 5 on 10-point) vs human pro shares', () => {
  const shares = [0.1, 0.4, 0.2, 0.9, 0.5];
  const sh: HumanReference = { rows: items.map((it, i) => ({ country: 'NL', key: `K${it.id}`, language: 'nl', share: shares[i] })) };
  // Model distributions: mass p on code 8, 1 − p on code 2 → pro share p; means irrelevant.
  const modelShares = [0.2, 0.3, 0.1, 0.8, 0.6];
  const records = items.map((it, i) =>
    result({ itemId: it.id, language: 'nl', mean: 2 + 6 * modelShares[i], probabilities: { 2: 1 - modelShares[i], 8: modelShares[i] } }),
  );
  const report = analyze({ records, items, human: sh, languageCountries: { nl: ['NL'] } });
  const row = report.alignment[0];
  assert.equal(row.measure, 'share');
  const pts = report.scatter[0].points;
  pts.forEach((p, i) => close(p.modelScore, modelShares[i]));
  assert.deepEqual(
    pts.map((p) => p.humanScore),
    shares,
  );
  // Spearman: ranks model [2,3,1,5,4], human [1,3,2,5,4] → 1 − 6·(1+0+1+0+0)/(5·24) = 0.9
  close(row.spearman?.estimate, 0.9);
});

test('filters, failures, duplicates (latest wins) and unknown items', () => {
  const failure: ScoreFailure = {
    ...(({ kind: _k, probabilities: _p, mean: _m, mode: _mo, entropy: _e, missMass: _mm, latencyMs: _l, cached: _c, ...id }) => id)(
      base[0],
    ),
    kind: 'failure',
    error: { kind: 'timeout', message: 'slow' },
    attempts: 3,
  };
  const stale = result({ itemId: 'A', mean: 9, at: '2025-01-01T00:00:00.000Z' });
  const other = items.map((it) => result({ itemId: it.id, mean: 5, model: 'm2', method: 'sample' }));
  const records: RunRecord[] = [stale, ...base, failure, ...other, result({ itemId: 'ZZZ', mean: 3 })];
  const report = analyze({ records, items, human, languageCountries: { da: ['DK'] }, filter: { model: 'm1' } });
  assert.deepEqual(report.models, ['m1', 'm2']);
  assert.deepEqual(report.methods, ['logprobs', 'sample']);
  assert.equal(report.alignment.length, 1);
  close(report.alignment[0].pearson?.estimate, 0.8); // the stale A = 9 was superseded
  assert.equal(report.counts.failures, 1);
  assert.equal(report.counts.results, 7);
  const m2 = analyze({ records, items, human, languageCountries: { da: ['DK'] }, filter: { method: 'sample' } });
  assert.equal(m2.alignment[0].model, 'm2');
  assert.equal(m2.alignment[0].pearson, null); // constant model scores
});

test('self-consistency per (model, language, template) from paraphrase results', () => {
  const p0 = items.map((it, i) => result({ itemId: it.id, paraphrase: 0, mean: i + 1 }));
  const p1 = items.map((it, i) => result({ itemId: it.id, paraphrase: 1, mean: [2, 1, 4, 3, 5][i] }));
  const report = analyze({ records: [...base, ...p0, ...p1], items, human, languageCountries: { da: ['DK'] } });
  assert.equal(report.consistency.length, 1);
  const c = report.consistency[0];
  assert.equal(c.template, 'base');
  assert.equal(c.pairs, 1);
  close(c.meanSpearman, 0.8);
  assert.equal(c.items.length, 5);
  // A–D move by 1 between the two paraphrases (SD √0.5); E is identical in both → dispersion 0, listed last.
  for (const it of c.items.slice(0, 4)) close(it.dispersion, Math.sqrt(0.5));
  assert.deepEqual(c.items[4], { itemId: 'E', title: 'Item E', dispersion: 0, mostDeviantParaphrase: null });
});

test('US bias for da (local DK) but not for en where the local country is the US', () => {
  const en = items.map((it, i) => result({ itemId: it.id, language: 'en', mean: i + 1 }));
  const report = analyze({
    records: [...base, ...en],
    items,
    human,
    languageCountries: { da: ['DK'], en: ['US', 'GB'] },
    bootstrap: { iterations: 200, seed: 5 },
  });
  assert.equal(report.usBias.length, 1);
  const b = report.usBias[0];
  assert.equal(b.language, 'da');
  assert.equal(b.localCountry, 'DK');
  close(b.localR, 0.8);
  assert.ok(b.usR !== null && b.difference !== null);
  close(b.difference, b.usR - 0.8);
  const again = analyze({
    records: [...base, ...en],
    items,
    human,
    languageCountries: { da: ['DK'], en: ['US', 'GB'] },
    bootstrap: { iterations: 200, seed: 5 },
  });
  assert.deepEqual(again.usBias, report.usBias);
});

test('position bias: reversed minus original order for otherwise identical requests', () => {
  const reversed = items.map((it, i) => result({ itemId: it.id, mean: i + 1.5, optionOrder: [10, 9, 8, 7, 6, 5, 4, 3, 2, 1] }));
  const report = analyze({ records: [...base, ...reversed], items, human, languageCountries: { da: ['DK'] } });
  assert.equal(report.positionBias.length, 5);
  for (const row of report.positionBias) close(row.shift, 0.5);
  close(report.alignment[0].pearson?.estimate, 0.8); // alignment uses the original order
  assert.equal(orderKind([3, 1, 2]), 'other');
});

test('10,000 records: counts, alignment, consistency and US-bias rows (its speed is bench/analyze.ts)', () => {
  const many: ScoreResult[] = [];
  const bigItems: AnalysisItem[] = Array.from({ length: 50 }, (_, i) => ({
    id: `I${i}`,
    title: `I${i}`,
    category: `c${i % 5}`,
    scaleMin: 1,
    scaleMax: 10,
    reversed: i % 7 === 0,
  }));
  const rows = [];
  for (const it of bigItems)
    for (const c of ['DK', 'NL', 'US', 'GB', 'PT', 'BR'])
      rows.push({ country: c, key: it.id, mean: 1 + ((it.id.length * 7 + c.charCodeAt(0)) % 9) });
  for (let i = 0; i < 10_000; i++) {
    const it = bigItems[i % 50];
    many.push(
      result({
        itemId: it.id,
        model: `m${(i >> 6) % 5}`,
        language: ['da', 'nl', 'en', 'pt'][(i >> 3) % 4],
        paraphrase: i % 4 === 0 ? null : i % 4,
        mean: 1 + ((i * 37) % 90) / 10,
        runId: `r${i}`,
      }),
    );
  }
  const report = analyze({
    records: many,
    items: bigItems,
    human: { rows },
    languageCountries: { da: ['DK'], nl: ['NL'], en: ['US', 'GB'], pt: ['PT', 'BR'] },
  });
  assert.equal(report.counts.results, 10_000);
  assert.ok(report.alignment.length > 0 && report.consistency.length > 0 && report.usBias.length > 0);
});

test('analysisItemsFromSurvey takes id, title, category, data key and scale; skips unresolved scales', () => {
  const r = { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } };
  const survey: SurveyFile = {
    kind: 'survey',
    header: { languages: [] },
    scales: [],
    diagnostics: [],
    items: [
      {
        id: 'Q182',
        idRange: r,
        range: r,
        title: { value: 'Homosexuality', range: r },
        category: { value: 'ethical', range: r },
        dataKey: { value: 'F118', range: r },
        scale: {
          name: 'j10',
          nameRange: r,
          range: r,
          kind: 'numeric',
          min: 1,
          max: 10,
          reversed: false,
          options: [],
          labelLines: {},
          missing: [],
        },
        texts: {},
        topics: {},
      },
      { id: 'Q999', idRange: r, range: r, texts: {}, topics: {} },
    ],
  };
  assert.deepEqual(analysisItemsFromSurvey(survey), [
    { id: 'Q182', title: 'Homosexuality', category: 'ethical', dataKey: 'F118', scaleMin: 1, scaleMax: 10, reversed: false },
  ]);
});

test('across countries per item (first seed): each prompt language stands for its local country', async () => {
  const { alignmentAcrossCountries } = await import('../../../src/core/stats/analyze');
  const countries: Record<string, string[]> = { da: ['DK'], nl: ['NL'], en: ['US', 'GB'], pt: ['PT', 'BR'] };
  const humanA = { DK: 2, NL: 3, US: 5, PT: 4 } as Record<string, number>;
  const modelA = { da: 1, nl: 2, en: 4, pt: 3.5 } as Record<string, number>;
  const rows = Object.entries(humanA).map(([country, mean]) => ({ country, key: 'KA', mean }));
  const records = Object.entries(modelA).map(([language, mean]) => result({ itemId: 'A', language, mean }));
  const out = alignmentAcrossCountries({ records, items, human: { rows }, languageCountries: countries });
  assert.equal(out.length, 1);
  assert.equal(out[0].points.length, 4);
  // x = 1,2,4,3.5 (da,en,nl,pt sorted by language: da 1, en 4, nl 2, pt 3.5) vs y = 2,5,3,4
  const x = [1, 4, 2, 3.5];
  const y = [2, 5, 3, 4];
  const mx = x.reduce((a, b) => a + b) / 4;
  const my = y.reduce((a, b) => a + b) / 4;
  const sxy = x.reduce((s, v, i) => s + (v - mx) * (y[i] - my), 0);
  const sxx = x.reduce((s, v) => s + (v - mx) ** 2, 0);
  const syy = y.reduce((s, v) => s + (v - my) ** 2, 0);
  close(out[0].pearson?.estimate, sxy / Math.sqrt(sxx * syy));
});
