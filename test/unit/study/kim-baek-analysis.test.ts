// The first seed's analysis (Kim & Baek 2024) on its example study: per-country Pearson r over items for
// every cue country, per-continent means, chat vs base. No model can run here, so the corpus is generated
// deterministically (each model answers near the cue country's human mean with its own fidelity and noise);
// the expected figures are computed in this file from the generated records and the human CSV directly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { selectUnits, type SelectItem } from '../../../src/core/corpus/select';
import { analyzeStudy, studyScales } from '../../../src/core/study/analyze';
import type { StudyAnalysis } from '../../../src/core/study/analysisTypes';
import { loadStudy } from '../../../src/core/study/load';
import type { ScoreResult } from '../../../src/core/results';

const STUDY = 'examples/kim-baek-2024.study.json';

/** Fidelity to the cue country's mean and noise (in scale units) per model: base models are worse. */
const BEHAVIOUR: Record<string, { fidelity: number; noise: number }> = {
  'llama3.1-8b-instruct': { fidelity: 0.8, noise: 0.4 },
  'llama3.1-8b-base': { fidelity: 0.35, noise: 1.2 },
  'qwen2.5-7b-instruct': { fidelity: 0.7, noise: 0.5 },
  'qwen2.5-14b-instruct': { fidelity: 0.9, noise: 0.3 },
  'gemma2-9b-instruct': { fidelity: 0.75, noise: 0.45 },
};

/** A small LCG (Numerical Recipes constants): the test's own, deterministic, uniform in [0, 1). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** Human means straight from the CSV (country,item,mean,n,source; no quoted cells). */
function humanMeans(): Map<string, number> {
  const lines = readFileSync('examples/human-countries-synthetic.csv', 'utf8').trim().split('\n');
  assert.equal(lines[0], 'country,item,mean,n,source');
  return new Map(
    lines.slice(1).map((l) => {
      const [country, item, mean] = l.split(',');
      return [`${country}|${item.toUpperCase()}`, Number(mean)];
    }),
  );
}

function pearsonOf(x: number[], y: number[]): number {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}
const meanOf = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;

// Continents of the example's 24 cue countries, written out here (not read from src/core/data/m49.ts).
const CONTINENT: Record<string, string> = {
  SE: 'Europe',
  DK: 'Europe',
  NL: 'Europe',
  DE: 'Europe',
  GB: 'Europe',
  FR: 'Europe',
  ES: 'Europe',
  IT: 'Europe',
  PL: 'Europe',
  RU: 'Europe',
  AU: 'Oceania',
  JP: 'Asia',
  KR: 'Asia',
  CN: 'Asia',
  TR: 'Asia',
  IN: 'Asia',
  ID: 'Asia',
  US: 'Americas',
  AR: 'Americas',
  BR: 'Americas',
  MX: 'Americas',
  KE: 'Africa',
  NG: 'Africa',
  EG: 'Africa',
};

interface Fixture {
  analysis: StudyAnalysis;
  records: ScoreResult[];
  items: { id: string; key: string; category: string; min: number; max: number }[];
  countries: string[];
  models: string[];
}

let fixture: Promise<Fixture> | undefined;
function build(): Promise<Fixture> {
  fixture ??= (async () => {
    const loaded = await loadStudy(STUDY);
    assert.deepEqual(
      loaded.diagnostics.filter((d) => d.severity === 'error'),
      [],
    );
    const study = loaded.study;
    assert.ok(study);
    const human = humanMeans();
    const items = loaded.surveys.flatMap((s) =>
      s.file.items.flatMap((it) =>
        it.scale && it.dataKey?.value
          ? [{ id: it.id, key: it.dataKey.value, category: it.category?.value ?? '', min: it.scale.min, max: it.scale.max }]
          : [],
      ),
    );
    const rand = lcg(20241211);
    const records: ScoreResult[] = [];
    for (const m of study.models) {
      const b = BEHAVIOUR[m.id];
      assert.ok(b, `behaviour for ${m.id}`);
      for (const country of study.countries) {
        for (const it of items) {
          const h = human.get(`${country}|${it.key.toUpperCase()}`);
          if (h === undefined) continue;
          const mid = (it.min + it.max) / 2;
          const target = Math.min(it.max, Math.max(it.min, b.fidelity * h + (1 - b.fidelity) * mid + b.noise * (rand() * 2 - 1)));
          // Mass on the two codes around the target, so that Σ p·s is the target exactly.
          const lo = Math.min(it.max - 1, Math.floor(target));
          const w = target - lo;
          const probabilities: Record<string, number> = {};
          for (let c = it.min; c <= it.max; c++) probabilities[String(c)] = c === lo ? 1 - w : c === lo + 1 ? w : 0;
          records.push({
            kind: 'result',
            runId: '20241211T000000Z-fake01',
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
            mean: target,
            mode: w >= 0.5 ? lo + 1 : lo,
            entropy: 0,
            missMass: 0,
            latencyMs: 1,
            cached: false,
            at: '2024-12-11T00:00:00.000Z',
          });
        }
      }
    }
    const selectItems = new Map<string, SelectItem>(
      items.map((it) => [it.id, { hash: '', key: it.key, category: it.category, scale: { min: it.min, max: it.max, reversed: false } }]),
    );
    const selection = await selectUnits(records, {
      rule: 'latest',
      items: selectItems,
      models: new Map(study.models.map((m) => [m.id, m.attributes])),
    });
    assert.equal(selection.counts.used, records.length);
    const scales = studyScales(loaded.surveys);
    for (const it of items) assert.deepEqual(scales[it.key], { min: it.min, max: it.max, reversed: scales[it.key].reversed });
    const analysis = analyzeStudy({ selection, human: loaded.human, study, scales, generatedAt: '2024-12-11T00:00:00.000Z' });
    return { analysis, records, items, countries: study.countries, models: study.models.map((m) => m.id) };
  })();
  return fixture;
}

/** r per (model, country) over items, from the records' own probabilities and the CSV's means. */
function expectedR(f: Fixture, category: string | null = null): Map<string, { r: number; n: number }> {
  const human = humanMeans();
  const keyOf = new Map(f.items.map((it) => [it.id, it]));
  const out = new Map<string, { r: number; n: number }>();
  for (const model of f.models) {
    for (const country of f.countries) {
      const x: number[] = [];
      const y: number[] = [];
      for (const rec of f.records) {
        if (rec.modelId !== model || rec.country !== country) continue;
        const it = keyOf.get(rec.itemId);
        if (!it || (category !== null && it.category !== category)) continue;
        let m = 0;
        for (const [code, p] of Object.entries(rec.probabilities)) m += Number(code) * p;
        x.push(m);
        y.push(human.get(`${country}|${it.key.toUpperCase()}`) as number);
      }
      out.set(`${model}|${country}`, { r: pearsonOf(x, y), n: x.length });
    }
  }
  return out;
}

test('first seed: per-country r over items for all 24 cue countries × 5 models, to 1e-12', async () => {
  const f = await build();
  assert.ok(f.countries.length >= 20);
  const expected = expectedR(f);
  const rows = f.analysis.alignment.filter((r) => r.level === 'item' && r.measure === 'mean' && r.category === null);
  assert.equal(rows.length, f.models.length * f.countries.length);
  for (const row of rows) {
    assert.equal(row.reference, row.country, 'reference "cue" compares each cue with its own country');
    const e = expected.get(`${row.model}|${row.country}`);
    assert.ok(e);
    assert.equal(row.n, e.n);
    assert.ok(e.n >= 15);
    assert.ok(Math.abs((row.pearson?.estimate ?? NaN) - e.r) <= 1e-12, `${row.model} ${row.country}: ${row.pearson?.estimate} vs ${e.r}`);
    const ci = row.pearson?.ci;
    assert.ok(ci && ci[0] < ci[1], "bootstrap CI from the study's 1000 iterations");
  }
});

test('first seed: per-category r per country (socio-cultural norms, social systems)', async () => {
  const f = await build();
  for (const category of ['socio-cultural norms', 'social systems']) {
    const expected = expectedR(f, category);
    const rows = f.analysis.alignment.filter((r) => r.level === 'item' && r.category === category);
    assert.equal(rows.length, f.models.length * f.countries.length);
    for (const row of rows) {
      const e = expected.get(`${row.model}|${row.country}`) as { r: number; n: number };
      assert.equal(row.n, e.n);
      assert.ok(Math.abs((row.pearson?.estimate ?? NaN) - e.r) <= 1e-12);
    }
  }
});

test('first seed: per-continent means of per-country r (UN M49 regions)', async () => {
  const f = await build();
  const expected = expectedR(f);
  for (const model of f.models) {
    const continents = new Map<string, number[]>();
    for (const country of f.countries)
      continents.set(CONTINENT[country], [...(continents.get(CONTINENT[country]) ?? []), expected.get(`${model}|${country}`)?.r as number]);
    const rows = f.analysis.regions.filter((r) => r.model === model && r.scheme === 'region');
    assert.deepEqual(rows.map((r) => r.region).sort(), [...continents.keys()].sort());
    for (const row of rows) {
      const list = continents.get(row.region) as number[];
      assert.equal(row.countries.length, list.length);
      assert.ok(Math.abs((row.meanPearson ?? NaN) - meanOf(list)) <= 1e-12, `${model} ${row.region}`);
    }
  }
  // Sub-regions split Europe: Northern (SE DK GB), Western (NL DE FR), Southern (ES IT), Eastern (PL RU).
  const north = f.analysis.regions.find((r) => r.model === f.models[0] && r.scheme === 'subregion' && r.region === 'Northern Europe');
  assert.deepEqual(north?.countries, ['DK', 'GB', 'SE']);
});

test("first seed: chat vs base — group means of each model's mean per-country r; the base model is worse here", async () => {
  const f = await build();
  const expected = expectedR(f);
  const perModel = new Map(f.models.map((m) => [m, meanOf(f.countries.map((c) => expected.get(`${m}|${c}`)?.r as number))]));
  const chat = f.analysis.attributeGroups.filter((g) => g.attribute === 'chat' && g.measure === 'mean');
  assert.equal(chat.length, 2);
  const chatTrue = chat.find((g) => g.value === true);
  const chatFalse = chat.find((g) => g.value === false);
  assert.deepEqual(chatFalse?.models, ['llama3.1-8b-base']);
  assert.equal(chatTrue?.models.length, 4);
  assert.ok(Math.abs((chatFalse?.meanPearson ?? NaN) - (perModel.get('llama3.1-8b-base') as number)) <= 1e-12);
  const chatModels = f.models.filter((m) => m !== 'llama3.1-8b-base');
  assert.ok(Math.abs((chatTrue?.meanPearson ?? NaN) - meanOf(chatModels.map((m) => perModel.get(m) as number))) <= 1e-12);
  assert.ok((chatTrue?.meanPearson ?? 0) > (chatFalse?.meanPearson ?? 1));
  // By size: one group per size value (7, 8, 9, 14); 8 holds the llama pair.
  const sizes = f.analysis.attributeGroups.filter((g) => g.attribute === 'size');
  assert.deepEqual(
    sizes.map((g) => g.value).sort((a, b) => Number(a) - Number(b)),
    [7, 8, 9, 14],
  );
  assert.deepEqual(sizes.find((g) => g.value === 8)?.models, ['llama3.1-8b-base', 'llama3.1-8b-instruct']);
  // The declared paired contrast (instruct − base), one per cue country, Holm/BH adjusted over its grid.
  const contrasts = f.analysis.contrasts.filter((c) => c.statistic === 'pearson');
  assert.equal(contrasts.length, f.countries.length);
  for (const c of contrasts) {
    const country = c.within.country;
    const d = (expected.get(`llama3.1-8b-instruct|${country}`)?.r as number) - (expected.get(`llama3.1-8b-base|${country}`)?.r as number);
    assert.ok(Math.abs(c.difference.estimate - d) <= 1e-12, `${country}`);
    assert.ok(c.difference.pHolm !== undefined);
  }
});
