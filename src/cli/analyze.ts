// `value-lens analyze`: alignment with human data, self-consistency and US bias, as tables or JSON.

import type { AnalysisReport, CorrelationStat } from '../core/analysis';
import { ANALYSIS_OPTIONS, ANALYSIS_OPTIONS_HELP, analysisPaths, computeReport } from './analysis';
import { flag, parseFlags } from './args';
import { EXIT_FINDINGS, EXIT_OK } from './errors';
import { print, type Io } from './io';

export const ANALYZE_HELP = `Usage: value-lens analyze RESULTS.jsonl --items ITEMS.wvs --human HUMAN.csv [options]

Compares model scores with human survey data per model, language and category (Pearson and
Spearman with p-values and 95% intervals), self-consistency across paraphrases, and the lean
toward US answers (seeded bootstrap interval).

Options:
${ANALYSIS_OPTIONS_HELP}
  --json                 print the analysis report as JSON (shape in docs/cli.md)
  -h, --help             show this help

Exit codes: 0 analysed, 1 nothing comparable or unusable input, 2 bad usage or missing file.`;

export async function runAnalyze(argv: string[], io: Io): Promise<number> {
  const parsed = parseFlags('analyze', argv, { ...ANALYSIS_OPTIONS, json: { type: 'boolean' } });
  if (flag(parsed, 'help')) {
    print(io.stdout, ANALYZE_HELP);
    return EXIT_OK;
  }
  const report = await computeReport(analysisPaths('analyze', parsed, io), io);
  if (flag(parsed, 'json')) print(io.stdout, JSON.stringify(report, null, 2));
  else print(io.stdout, formatReport(report));
  if (!report.alignment.length) {
    print(io.stderr, 'No item could be compared with the human data (check item data keys and languages).');
    return EXIT_FINDINGS;
  }
  return EXIT_OK;
}

/** A figure for a terminal table: fixed digits, '–' for none (also the study summary's, studyOutput.ts). */
export const shown = (x: number | null | undefined, digits = 2): string =>
  x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(digits);

function corr(stat: CorrelationStat | null): string {
  if (!stat) return '–';
  const p = stat.p === null ? '' : stat.p < 0.001 ? ' p<.001' : ` p=${stat.p.toFixed(3)}`;
  const ci = stat.ciLow === null || stat.ciHigh === null ? '' : ` [${shown(stat.ciLow)}, ${shown(stat.ciHigh)}]`;
  return `${shown(stat.estimate)}${p}${ci}`;
}

/** A plain aligned table; cells never contain newlines. */
export function table(header: string[], rows: string[][]): string {
  const clean = (s: string): string => s.replace(/[\r\n\t]+/g, ' ');
  const all = [header, ...rows].map((r) => r.map(clean));
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string =>
    r
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(all[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...all.slice(1).map(line)].join('\n');
}

/** A titled table after a blank line; none for no rows unless `always` (the alignment table is always shown). */
function section(title: string, header: string[], rows: string[][], always = false): string[] {
  return rows.length || always ? ['', title, table(header, rows)] : [];
}

export function formatReport(report: AnalysisReport): string {
  const { counts } = report;
  const worstShifts = [...report.positionBias].sort((a, b) => Math.abs(b.shift) - Math.abs(a.shift)).slice(0, 10);
  return [
    `Value Lens analysis: ${counts.results} result(s), ${counts.failures} failure(s), ${counts.items} item(s), ${counts.humanRows} human row(s)`,
    `Models: ${report.models.join(', ') || '–'}   Languages: ${report.languages.join(', ') || '–'}   Templates: ${report.templates.join(', ') || '–'}`,
    ...section(
      'Alignment with human data (r [95% CI])',
      ['model', 'lang', 'country', 'measure', 'n', 'pearson', 'spearman'],
      report.alignment.map((r) => [
        r.model,
        r.language,
        r.country,
        r.measure,
        String(r.pearson?.n ?? r.spearman?.n ?? 0),
        corr(r.pearson),
        corr(r.spearman),
      ]),
      true,
    ),
    ...section(
      'By category',
      ['model', 'lang', 'country', 'category', 'n', 'pearson'],
      report.byCategory.map((r) => [r.model, r.language, r.country, r.category, String(r.pearson?.n ?? 0), corr(r.pearson)]),
    ),
    ...section(
      'Self-consistency across paraphrases (mean pairwise Spearman)',
      ['model', 'lang', 'template', 'pairs', 'spearman', 'most dispersed item'],
      report.consistency.map((r) => [
        r.model,
        r.language,
        r.template,
        String(r.pairs),
        shown(r.meanSpearman),
        r.items[0] ? `${r.items[0].itemId} (${shown(r.items[0].dispersion)})` : '–',
      ]),
    ),
    ...section(
      'Lean toward US answers (r with US − r with local; positive = closer to US)',
      ['model', 'lang', 'local', 'local r', 'US r', 'difference', '95% CI'],
      report.usBias.map((r) => [
        r.model,
        r.language,
        r.localCountry,
        shown(r.localR),
        shown(r.usR),
        shown(r.difference),
        r.ciLow === null || r.ciHigh === null ? '–' : `[${shown(r.ciLow)}, ${shown(r.ciHigh)}]`,
      ]),
    ),
    ...section(
      'Option-order effect (mean with reversed order − original), largest first',
      ['model', 'lang', 'item', 'shift'],
      worstShifts.map((r) => [r.model, r.language, r.itemId, shown(r.shift)]),
    ),
  ].join('\n');
}
