// `value-lens report`: the analysis as one self-contained HTML file with the panel's charts.

import { promises as fs } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AnalysisReport } from '../core/analysis';
import type { StudyAnalysis } from '../core/study/analysisTypes';
import { ANALYSIS_OPTIONS, ANALYSIS_OPTIONS_HELP, analysisPaths, computeReport } from './analysis';
import { flag, parseFlags, str } from './args';
import { EXIT_OK, InputError, UsageError } from './errors';
import { renderReportHtml } from './html';
import { print, refuseInputAsOutput, writeFileAtomic, type Io } from './io';
import { bundleDir } from './version';

export const REPORT_HELP = `Usage: value-lens report RESULTS.jsonl --items ITEMS.wvs --human HUMAN.csv --html report.html [options]

Writes the analysis as a single HTML file with the same charts as the panel. It needs no network
access and no server to view: open it in any browser.

Options:
  --html FILE            where to write the report (required; written atomically)
  --title TEXT           page title (default "Value Lens report")
${ANALYSIS_OPTIONS_HELP}
  -h, --help             show this help

Exit codes: 0 written, 1 unusable input, 2 bad usage or missing file.`;

/**
 * Where the CLI bundle lives; dist/webview.js sits beside it, media/ one level up. Run from source (the
 * tests call main() in-process through tsx) this module is src/cli/report.ts, and the bundle is dist/.
 */
export async function loadReportAssets(): Promise<{ script: string; css: string }> {
  const dir = bundleDir();
  const scriptPath = join(dir, 'webview.js');
  let script: string;
  try {
    script = await fs.readFile(scriptPath, 'utf8');
  } catch {
    throw new InputError(`The report viewer ${scriptPath} is missing; build it first with \`npm run build\`.`);
  }
  const css = await fs.readFile(join(dir, '..', 'media', 'panel.css'), 'utf8').catch(() => '');
  return { script, css };
}

export async function writeReport(report: AnalysisReport, path: string, title = 'Value Lens report'): Promise<void> {
  const { script, css } = await loadReportAssets();
  await writeFileAtomic(path, renderReportHtml({ reportJson: JSON.stringify(report), script, css, title }));
}

export interface StudyReportOptions {
  /** Page title (default "Value Lens: <study>"). */
  title?: string;
  /** Round-one workspace results to show below the study views, if any. */
  report?: AnalysisReport;
  /** The viewer's script and stylesheet; default: dist/webview.js and media/panel.css (loadReportAssets). */
  assets?: { script: string; css: string };
}

/** The study views as one self-contained HTML page (the panel's bundle and stylesheet inlined). */
export async function renderStudyReport(analysis: StudyAnalysis, options: StudyReportOptions = {}): Promise<string> {
  const { script, css } = options.assets ?? (await loadReportAssets());
  return renderReportHtml({
    studyJson: JSON.stringify(analysis),
    reportJson: options.report ? JSON.stringify(options.report) : undefined,
    script,
    css,
    title: options.title ?? `Value Lens: ${analysis.study}`,
  });
}

/** Writes renderStudyReport's page to `path` atomically. */
export async function writeStudyReport(analysis: StudyAnalysis, path: string, options: StudyReportOptions = {}): Promise<void> {
  await writeFileAtomic(path, await renderStudyReport(analysis, options));
}

export async function runReport(argv: string[], io: Io): Promise<number> {
  const parsed = parseFlags('report', argv, { ...ANALYSIS_OPTIONS, html: { type: 'string' }, title: { type: 'string' } });
  if (flag(parsed, 'help')) {
    print(io.stdout, REPORT_HELP);
    return EXIT_OK;
  }
  const html = str(parsed, 'html');
  if (!html) throw new UsageError('report needs --html FILE (where to write the report).', 'report');
  const paths = analysisPaths('report', parsed, io);
  const out = resolve(io.cwd, html);
  await refuseInputAsOutput(out, [paths.results, paths.items, paths.human], '--html', 'report');
  const report = await computeReport(paths, io);
  await writeReport(report, out, str(parsed, 'title'));
  print(io.stdout, out);
  print(io.stderr, `Report written: ${out} (${report.counts.results} result(s), ${report.alignment.length} alignment row(s)).`);
  return EXIT_OK;
}
