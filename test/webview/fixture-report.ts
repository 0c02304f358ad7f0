// Deterministic AnalysisReport fixtures for panel tests and the panel bench: `languages` × `items` points
// per model, plausible correlations with CIs, categories, paraphrase consistency and US-bias rows.
import type { AnalysisReport, CorrelationStat } from '../../src/core/analysis';
import { mulberry32 } from '../../src/core/random';

export interface FixtureOptions {
  languages?: string[];
  models?: string[];
  items?: number;
  templates?: string[];
  seed?: number;
  /** Replaces item titles (e.g. hostile strings), cycled over items. */
  titles?: string[];
  humanRows?: number;
  results?: number;
}

const COUNTRY: Record<string, string> = { da: 'DK', nl: 'NL', en: 'US', pt: 'PT' };
export const CATEGORIES = ['socio-cultural norms', 'social systems', 'progress'];

/** Seeded PRNG so fixtures are identical across runs. */
export const prng = mulberry32;

function stat(estimate: number, n: number): CorrelationStat {
  const round = (x: number) => Math.round(x * 10_000) / 10_000;
  return {
    estimate: round(estimate),
    p: n >= 3 ? 0.001 : null,
    n,
    ciLow: round(Math.max(-1, estimate - 0.12)),
    ciHigh: round(Math.min(1, estimate + 0.1)),
  };
}

export function makeReport(options: FixtureOptions = {}): AnalysisReport {
  const languages = options.languages ?? ['da', 'nl', 'en', 'pt'];
  const models = options.models ?? ['llama3.2:3b', 'qwen2.5:7b'];
  const templates = options.templates ?? ['default'];
  const itemCount = options.items ?? 20;
  const random = prng(options.seed ?? 7);
  const items = Array.from({ length: itemCount }, (_, i) => ({
    itemId: `Q${i + 1}`,
    title: options.titles ? options.titles[i % options.titles.length] : `Item ${i + 1}`,
    category: CATEGORIES[i % CATEGORIES.length],
    human: 1 + random() * 9,
  }));
  const report: AnalysisReport = {
    generatedAt: '2026-11-25T12:00:00.000Z',
    filter: {},
    models,
    languages,
    templates,
    methods: ['logprobs'],
    categories: CATEGORIES,
    alignment: [],
    scatter: [],
    byCategory: [],
    consistency: [],
    usBias: [],
    positionBias: [],
    counts: {
      results: options.results ?? models.length * languages.length * itemCount,
      failures: 0,
      items: itemCount,
      humanRows: options.humanRows ?? itemCount * languages.length,
    },
  };
  models.forEach((model, m) => {
    languages.forEach((language, l) => {
      const country = COUNTRY[language] ?? language.toUpperCase();
      const r = 0.35 + 0.1 * l - 0.05 * m;
      report.alignment.push({
        model,
        language,
        country,
        measure: 'mean',
        pearson: stat(r, itemCount),
        spearman: stat(r - 0.02, itemCount),
      });
      report.scatter.push({
        model,
        language,
        country,
        measure: 'mean',
        points: items.map((item) => ({
          itemId: item.itemId,
          title: item.title,
          category: item.category,
          humanScore: Math.round(item.human * 1000) / 1000,
          modelScore: Math.round((item.human * r + (1 - r) * (1 + random() * 9)) * 1000) / 1000,
        })),
      });
      CATEGORIES.forEach((category, c) =>
        report.byCategory.push({
          model,
          language,
          country,
          measure: 'mean',
          category,
          pearson: stat(r + 0.05 * c - 0.05, Math.ceil(itemCount / 3)),
          spearman: null,
        }),
      );
      for (const template of templates) {
        report.consistency.push({
          model,
          language,
          template,
          meanSpearman: Math.round((0.6 + 0.05 * l) * 1000) / 1000,
          pairs: 3,
          items: items.slice(0, 5).map((item, i) => ({
            itemId: item.itemId,
            title: item.title,
            dispersion: Math.round((2 - i * 0.3 - m * 0.1 - l * 0.01) * 1000) / 1000,
            mostDeviantParaphrase: i % 3,
          })),
        });
      }
      const localR = r;
      const usR = language === 'en' ? r : r + 0.08;
      report.usBias.push({
        model,
        language,
        localCountry: country,
        localR,
        usR,
        difference: Math.round((usR - localR) * 1000) / 1000,
        ciLow: -0.02,
        ciHigh: 0.15,
      });
    });
  });
  return report;
}
