// Shared by the alignment, reproduction and Kim & Baek tests: a Study literal with the defaults a study file
// would resolve to, so a test states only what it varies.
import type { Study } from '../../../src/core/study/types';

export function makeStudy(over: Omit<Partial<Study>, 'analysis'> & { analysis?: Partial<Study['analysis']> } = {}): Study {
  const { analysis, ...rest } = over;
  return {
    path: '/tmp/test.study.json',
    name: 'test',
    hash: '0',
    items: [],
    templates: [],
    languages: ['da', 'nl', 'en', 'pt'],
    countries: [],
    languageCountries: { da: ['DK'], nl: ['NL'], en: ['US', 'GB'], pt: ['PT', 'BR'] },
    models: [],
    method: 'auto',
    samples: 1,
    seed: 1,
    rounds: 1,
    optionOrders: ['original'],
    human: [],
    imports: [],
    results: '/tmp/test.results',
    confirmAbove: 5000,
    ...rest,
    analysis: {
      levels: ['item', 'response'],
      measures: ['pro'],
      references: ['pooled'],
      bootstrap: { iterations: 0, seed: 1 },
      rerun: 'latest',
      adjust: ['holm', 'BH'],
      fits: [],
      contrasts: [],
      ...analysis,
    },
  };
}
