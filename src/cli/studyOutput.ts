// A study analysis for people and for R/pandas: a terminal summary, and tidy CSV files (one row per
// figure, estimates with their CI, p and adjusted p in columns of their own) in a folder.

import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { toCsv } from '../core/data/export';
import type { Estimate, StudyAnalysis } from '../core/study/analysisTypes';
import type { SelectionCounts } from '../core/corpus/types';
import { shown, table } from './analyze';
import { writeFileAtomic } from './io';

const num = (x: number | null | undefined): string =>
  x === null || x === undefined || !Number.isFinite(x) ? '' : String(Number(x.toFixed(12)));

function estimateCells(e: Estimate | null | undefined): string[] {
  return [num(e?.estimate), num(e?.ci?.[0]), num(e?.ci?.[1]), num(e?.p), num(e?.pHolm), num(e?.pBH)];
}
const estimateHeader = (name: string): string[] => [
  name,
  `${name}_ci_low`,
  `${name}_ci_high`,
  `${name}_p`,
  `${name}_p_holm`,
  `${name}_p_bh`,
];

/** read = used + superseded + stale + Σ skipped, in words. */
export function countsLine(counts: SelectionCounts): string {
  const skipped = Object.entries(counts.skipped).filter(([, n]) => n);
  const skippedText = skipped.length ? skipped.map(([reason, n]) => `${n} ${reason}`).join(', ') : '0';
  return `records: ${counts.read} read = ${counts.used} used + ${counts.superseded} superseded + ${counts.stale} stale + skipped (${skippedText})`;
}

/** Every table of the analysis as tidy CSV: file name → rows (header first). */
export function analysisTables(a: StudyAnalysis): Record<string, string[][]> {
  return {
    'alignment.csv': [
      [
        'model',
        'language',
        'country',
        'reference',
        'level',
        'measure',
        'category',
        'n',
        ...estimateHeader('pearson'),
        ...estimateHeader('spearman'),
      ],
      ...a.alignment.map((r) => [
        r.model,
        r.language,
        r.country ?? '',
        r.reference,
        r.level,
        r.measure,
        r.category ?? '',
        String(r.n),
        ...estimateCells(r.pearson),
        ...estimateCells(r.spearman),
      ]),
    ],
    'regions.csv': [
      ['model', 'language', 'measure', 'scheme', 'region', 'countries', 'mean_pearson', 'mean_spearman'],
      ...a.regions.map((r) => [
        r.model,
        r.language,
        r.measure,
        r.scheme,
        r.region,
        r.countries.join(' '),
        num(r.meanPearson),
        num(r.meanSpearman),
      ]),
    ],
    'consistency.csv': [
      ['model', 'language', 'definition', 'pairs', ...estimateHeader('consistency')],
      ...a.consistency.map((r) => [r.model, r.language, r.definition, String(r.pairs), ...estimateCells(r.value)]),
    ],
    'us-bias.csv': [
      ['model', 'language', 'definition', 'local', 'local_r', 'us_r', ...estimateHeader('difference')],
      ...a.usBias.map((r) => [
        r.model,
        r.language,
        r.definition,
        r.local.join(' '),
        num(r.localR),
        num(r.usR),
        ...estimateCells(r.difference),
      ]),
    ],
    'contrasts.csv': [
      ['factor', 'a', 'b', 'within', 'measure', 'statistic', ...estimateHeader('difference')],
      ...a.contrasts.map((r) => [
        r.factor,
        r.a,
        r.b,
        Object.entries(r.within)
          .map(([k, v]) => `${k}=${v}`)
          .join(' '),
        r.measure,
        r.statistic,
        ...estimateCells(r.difference),
      ]),
    ],
    'distances.csv': [
      ['model', 'language', 'reference', 'item', 'jsd', 'wasserstein', 'uniform_jsd', 'uniform_wasserstein'],
      ...a.distances.map((r) => [
        r.model,
        r.language,
        r.reference,
        r.itemId,
        num(r.jsd),
        num(r.wasserstein),
        num(r.uniformJsd),
        num(r.uniformWasserstein),
      ]),
    ],
    'attribute-groups.csv': [
      ['attribute', 'value', 'language', 'models', 'mean_pearson', 'mean_spearman'],
      ...a.attributeGroups.map((r) => [
        r.attribute,
        String(r.value),
        r.language,
        r.models.join(' '),
        num(r.meanPearson),
        num(r.meanSpearman),
      ]),
    ],
    'fits.csv': [
      ['fit', 'table', 'formula', 'kind', 'group', 'term', 'estimate', 'se', 't', 'error'],
      ...a.fits.flatMap((f) =>
        f.error
          ? [[f.name, f.table ?? '', f.formula, 'error', '', '', '', '', '', f.error]]
          : [
              ...f.fixed.map((t) => [f.name, f.table ?? '', f.formula, 'fixed', '', t.term, num(t.estimate), num(t.se), num(t.t), '']),
              ...f.random.map((r) => [f.name, f.table ?? '', f.formula, 'variance', r.group, r.term, num(r.variance), '', '', '']),
              [f.name, f.table ?? '', f.formula, 'residual', '', '', num(f.residualVariance), '', '', ''],
              [f.name, f.table ?? '', f.formula, 'logLik', '', '', num(f.logLik), '', '', ''],
            ],
      ),
    ],
    'position-bias.csv': [
      ['model', 'language', 'k', 'orders', 'responses', 'items', 'position', 'uniform', 'excess', ...estimateHeader('share')],
      ...(a.positionBias ?? []).flatMap((r) => [
        ...r.positions.map((p) => [
          r.model,
          r.language,
          String(r.k),
          r.orders.join(' '),
          String(r.responses),
          String(r.items),
          String(p.position),
          num(r.uniform),
          num(p.excess),
          ...estimateCells(p.share),
        ]),
        [
          r.model,
          r.language,
          String(r.k),
          r.orders.join(' '),
          String(r.responses),
          String(r.items),
          'total-variation',
          num(r.uniform),
          '',
          ...estimateCells(r.totalVariation),
        ],
      ]),
    ],
    'first-token-vs-text.csv': [
      ['model', 'language', 'pairs', 'agreement', 'mean_abs_difference', 'unparsed', 'disagreeing_items'],
      ...(a.firstTokenText ?? []).map((r) => [
        r.model,
        r.language,
        String(r.pairs),
        num(r.agreement),
        num(r.meanAbsDifference),
        String(r.unparsed),
        [...new Set(r.disagreements.map((d) => d.itemId))].join(' '),
      ]),
    ],
    'tests.csv': [['grid', 'tests', 'adjust'], ...a.tests.map((t) => [t.grid, String(t.tests), t.adjust.join(' ')])],
    'counts.csv': [
      ['read', 'used', 'superseded', 'stale', ...Object.keys(a.counts.skipped).map((k) => `skipped_${k}`)],
      [
        String(a.counts.read),
        String(a.counts.used),
        String(a.counts.superseded),
        String(a.counts.stale),
        ...Object.values(a.counts.skipped).map((n) => String(n ?? 0)),
      ],
    ],
  };
}

/** Rows of one table (the columns of the first row, in order) as CSV. */
export function dataRowsCsv(rows: readonly Readonly<Record<string, string | number | boolean | null | undefined>>[]): string {
  const columns = rows.length ? Object.keys(rows[0]) : [];
  return toCsv([columns, ...rows.map((r) => columns.map((c) => (r[c] === null || r[c] === undefined ? '' : String(r[c]))))]);
}

/** Writes every table into `dir` (created), each file atomically; returns the paths written. */
export async function writeAnalysisCsv(a: StudyAnalysis, dir: string): Promise<string[]> {
  await fs.mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const [name, rows] of Object.entries(analysisTables(a))) {
    const path = join(dir, name);
    await writeFileAtomic(path, toCsv(rows));
    written.push(path);
  }
  return written;
}

const fig = (e: Estimate | null): string => {
  if (!e) return '–';
  const ci = e.ci ? ` [${shown(e.ci[0])}, ${shown(e.ci[1])}]` : '';
  return `${shown(e.estimate)}${ci}`;
};

/** The terminal summary: counts, then alignment over all categories, consistency and US bias. */
export function formatStudyAnalysis(a: StudyAnalysis): string {
  const out: string[] = [`Value Lens study analysis: ${a.study} (re-runs: ${a.rule})`, countsLine(a.counts), ''];
  const overall = a.alignment.filter((r) => r.category === null);
  out.push(
    'Alignment with human data (estimate [95% bootstrap CI])',
    table(
      ['model', 'lang', 'country', 'reference', 'level', 'measure', 'n', 'pearson', 'spearman'],
      overall.map((r) => [
        r.model,
        r.language,
        r.country ?? '–',
        r.reference,
        r.level,
        r.measure,
        String(r.n),
        fig(r.pearson),
        fig(r.spearman),
      ]),
    ),
  );
  if (a.consistency.length) {
    out.push(
      '',
      'Self-consistency (both definitions, docs/analyses.md §3)',
      table(
        ['model', 'lang', 'definition', 'pairs', 'value'],
        a.consistency.map((r) => [r.model, r.language, r.definition, String(r.pairs), fig(r.value)]),
      ),
    );
  }
  if (a.usBias.length) {
    out.push(
      '',
      'Lean toward US answers (US r − local r; both definitions)',
      table(
        ['model', 'lang', 'definition', 'local', 'local r', 'US r', 'difference'],
        a.usBias.map((r) => [r.model, r.language, r.definition, r.local.join(' '), shown(r.localR), shown(r.usR), fig(r.difference)]),
      ),
    );
  }
  if (a.contrasts.length) {
    out.push(
      '',
      'Paired differences (bootstrap over items; Holm / BH adjusted p)',
      table(
        ['factor', 'a − b', 'within', 'statistic', 'difference', 'p holm', 'p BH'],
        a.contrasts.map((r) => [
          r.factor,
          `${r.a} − ${r.b}`,
          Object.values(r.within).join(' '),
          r.statistic,
          fig(r.difference),
          shown(r.difference.pHolm, 3),
          shown(r.difference.pBH, 3),
        ]),
      ),
    );
  }
  if (a.positionBias?.length) {
    out.push(
      '',
      'Position bias (share of probability per shown position vs 1/K; ½Σ|share − 1/K|)',
      table(
        ['model', 'lang', 'K', 'orders', 'shares by position', 'total variation'],
        a.positionBias.map((r) => [
          r.model,
          r.language,
          String(r.k),
          String(r.orders.length),
          r.positions.map((p) => shown(p.share.estimate)).join(' '),
          fig(r.totalVariation),
        ]),
      ),
    );
  }
  if (a.firstTokenText?.length) {
    out.push(
      '',
      'First token vs text (agreement of the first-token argmax with the greedy text answer)',
      table(
        ['model', 'lang', 'pairs', 'agreement', 'mean |Δ|', 'unparsed', 'disagreeing items'],
        a.firstTokenText.map((r) => [
          r.model,
          r.language,
          String(r.pairs),
          shown(r.agreement),
          shown(r.meanAbsDifference),
          String(r.unparsed),
          [...new Set(r.disagreements.map((d) => d.itemId))].slice(0, 8).join(' ') || '–',
        ]),
      ),
    );
  }
  for (const t of a.tests) out.push(`tests in grid ${t.grid}: ${t.tests} (${t.adjust.join(', ')})`);
  for (const f of a.fits) {
    out.push('', `Mixed model "${f.name}" on the ${f.table ?? ''} table: ${f.formula}`);
    if (f.error) {
      out.push(`  not fitted: ${f.error}`);
      continue;
    }
    out.push(
      table(
        ['term', 'estimate', 'se', 't'],
        f.fixed.map((t) => [t.term, shown(t.estimate, 4), shown(t.se, 4), shown(t.t, 2)]),
      ),
      ...f.random.map((r) => `  random ${r.group} ${r.term}: variance ${shown(r.variance, 5)}`),
      `  residual variance ${shown(f.residualVariance, 5)}, REML log-likelihood ${shown(f.logLik, 3)}, n ${f.n}`,
    );
  }
  return out.join('\n');
}
