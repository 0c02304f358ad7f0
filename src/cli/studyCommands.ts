// The study forms of `analyze`, `report`, `score` and `import`: each takes a study file in place of its
// file arguments (which keep working) and shares the code of `run` (run.ts).

import { join, relative, resolve } from 'node:path';
import { flag, listFlag, parseFlags, str, strs, type OptionSpec } from './args';
import { analyzeCorpus } from '../core/study/analyzeCorpus';
import type { ImportMapping } from '../core/study/types';
import { EXIT_FINDINGS, EXIT_OK, UsageError } from './errors';
import { print, refuseInputAsOutput, type Io } from './io';
import { writeStudyReport } from './report';
import { importTables, scoreStudy } from './run';
import {
  STUDY_FILTER_HELP,
  STUDY_FILTER_OPTIONS,
  STUDY_RUN_HELP,
  STUDY_RUN_OPTIONS,
  loadStudyForCli,
  requireCorpus,
  studyFilterFrom,
} from './study';
import { countsLine, formatStudyAnalysis, writeAnalysisCsv } from './studyOutput';

const ANALYSIS_STUDY_OPTIONS: OptionSpec = {
  ...STUDY_FILTER_OPTIONS,
  json: { type: 'boolean' },
  csv: { type: 'string' },
  corpus: { type: 'string' },
  pool: { type: 'boolean' },
};

const ANALYSIS_STUDY_HELP = `${STUDY_FILTER_HELP}
  --corpus PATH          analyse this corpus folder or results file (default: the study's results)
  --pool                 pool re-runs of a condition (default: the study's rule, usually latest run)`;

export const ANALYZE_STUDY_HELP = `Usage: value-lens analyze STUDY.study.json [options]

Analyses the study's corpus as the study declares: alignment per model × language × country ×
reference (item and response level, Pearson and Spearman, bootstrap CIs, Holm/BH adjusted p),
per category, country and region, self-consistency and US bias in both definitions, paired
contrasts and distribution distances. Counts of records read, used, superseded, stale and skipped.

Options:
${ANALYSIS_STUDY_HELP}
  --json                 print the analysis as JSON (docs/analyses.md)
  --csv DIR              also write every table as tidy CSV into DIR
  -h, --help             show this help`;

async function studyAnalysis(argv: string[], io: Io, command: string) {
  const parsed = parseFlags(command, argv, {
    ...ANALYSIS_STUDY_OPTIONS,
    ...(command === 'report' ? { html: { type: 'string' }, title: { type: 'string' } } : {}),
  });
  if (parsed.positionals.length !== 1) throw new UsageError(`${command} needs exactly one study file.`, command);
  const loaded = await loadStudyForCli(parsed.positionals[0], io);
  const filter = studyFilterFrom(parsed, loaded, command);
  const corpus = str(parsed, 'corpus');
  await requireCorpus(corpus ? resolve(io.cwd, corpus) : loaded.study.results, loaded.study, io);
  const result = await analyzeCorpus(loaded, {
    ...(filter ? { filter } : {}),
    ...(corpus ? { corpus: resolve(io.cwd, corpus) } : {}),
    ...(flag(parsed, 'pool') ? { rule: 'pool' as const } : {}),
  });
  if (result.badLines.length)
    print(io.stderr, `unreadable line(s) in the corpus, first: ${result.badLines[0].file}:${result.badLines[0].line}`);
  return { parsed, loaded, ...result };
}

export async function runAnalyzeStudy(argv: string[], io: Io): Promise<number> {
  const { parsed, analysis } = await studyAnalysis(argv, io, 'analyze');
  if (flag(parsed, 'json')) print(io.stdout, JSON.stringify(analysis, null, 2));
  else print(io.stdout, formatStudyAnalysis(analysis));
  const csv = str(parsed, 'csv');
  if (csv) {
    const written = await writeAnalysisCsv(analysis, resolve(io.cwd, csv));
    print(io.stderr, `Tidy CSV: ${written.length} file(s) in ${csv}`);
  }
  print(io.stderr, countsLine(analysis.counts));
  if (!analysis.alignment.length) {
    print(io.stderr, "No response could be compared with the human data (check the study's human files, item keys and references).");
    return EXIT_FINDINGS;
  }
  return EXIT_OK;
}

export const REPORT_STUDY_HELP = `Usage: value-lens report STUDY.study.json [--html FILE] [options]

Writes the study's analysis as one self-contained HTML file with the panel's study views
(default: report.html in the study's results folder).

Options:
${ANALYSIS_STUDY_HELP}
  --html FILE            where to write the report
  --title TEXT           page title
  -h, --help             show this help`;

export async function runReportStudy(argv: string[], io: Io): Promise<number> {
  const { parsed, loaded, analysis } = await studyAnalysis(argv, io, 'report');
  const html = str(parsed, 'html');
  const path = html ? resolve(io.cwd, html) : join(loaded.study.results, 'report.html');
  // Writing the report over the study file or one of its inputs would destroy it (issue 18).
  await refuseInputAsOutput(
    path,
    [loaded.study.path, ...loaded.surveys.map((s) => s.path), ...loaded.templates.map((t) => t.path)],
    '--html',
    'report',
  );
  const title = str(parsed, 'title');
  await writeStudyReport(analysis, path, title ? { title } : {});
  print(io.stderr, `${countsLine(analysis.counts)}\nReport: ${relative(io.cwd, path) || path}`);
  return EXIT_OK;
}

export const SCORE_STUDY_HELP = `Usage: value-lens score STUDY.study.json [options]

Scores the study's plan (or the part the filters leave) into the study's corpus, without analysis.

Options:
${STUDY_FILTER_HELP}
${STUDY_RUN_HELP}
  -h, --help             show this help`;

export async function runScoreStudy(argv: string[], io: Io, signal: AbortSignal): Promise<number> {
  const parsed = parseFlags('score', argv, STUDY_RUN_OPTIONS);
  if (parsed.positionals.length !== 1) throw new UsageError('score needs exactly one study file.', 'score');
  const loaded = await loadStudyForCli(parsed.positionals[0], io);
  const filter = studyFilterFrom(parsed, loaded, 'score');
  const outcome = await scoreStudy(loaded, filter, parsed, io, signal);
  return outcome === 'ok' ? EXIT_OK : outcome === 'cancelled' ? 130 : EXIT_FINDINGS;
}

export const IMPORT_HELP = `Usage: value-lens import STUDY.study.json [--file TABLE.csv --model COL --language COL --item COL
                        (--pro COL | --code COL | --prob CODE=COL,...) [options]] [--force]

Turns response tables into corpus records: the study's own "imports" (a column mapping per table), or
one table given with flags. Prints the rows used and rejected (with line numbers and reasons). A table
already imported unchanged is not imported again unless --force.

Options:
  --file FILE            a response table (CSV; delimiter and decimal comma detected)
  --model COL            column with the model name (required with --file)
  --language COL         column with the prompt language (required with --file)
  --item COL             column with the item id or data key (required with --file)
  --country COL          column with the country cue
  --template COL         column with the template name
  --paraphrase COL       column with the paraphrase index
  --sample COL           column with the sample / round index
  --pro COL              a pro share in 0…1 per row (the second seed's measure)
  --code COL             the chosen option code per row
  --prob CODE=COL,...    one probability column per option code
  --attribute NAME=COL   copy a column as a model attribute (repeatable)
  --where COL=VALUE      only rows where COL equals VALUE (repeatable)
  --force                import again even when unchanged
  -h, --help             show this help`;

export async function runImport(argv: string[], io: Io): Promise<number> {
  const spec: OptionSpec = {
    file: { type: 'string' },
    model: { type: 'string' },
    language: { type: 'string' },
    item: { type: 'string' },
    country: { type: 'string' },
    template: { type: 'string' },
    paraphrase: { type: 'string' },
    sample: { type: 'string' },
    pro: { type: 'string' },
    code: { type: 'string' },
    prob: { type: 'string', multiple: true },
    attribute: { type: 'string', multiple: true },
    where: { type: 'string', multiple: true },
    force: { type: 'boolean' },
  };
  const parsed = parseFlags('import', argv, spec);
  if (flag(parsed, 'help')) {
    print(io.stdout, IMPORT_HELP);
    return EXIT_OK;
  }
  if (parsed.positionals.length !== 1) throw new UsageError('import needs exactly one study file.', 'import');
  const loaded = await loadStudyForCli(parsed.positionals[0], io);
  const file = str(parsed, 'file');
  if (!file) {
    if (!loaded.study.imports.length)
      throw new UsageError('the study declares no "imports"; name a table with --file and its columns.', 'import');
    return (await importTables(loaded, io, { force: flag(parsed, 'force') })) ? EXIT_FINDINGS : EXIT_OK;
  }
  const need = (name: string): string => {
    const v = str(parsed, name);
    if (!v) throw new UsageError(`--${name} COL is required with --file.`, 'import');
    return v;
  };
  const pairs = (name: string): Record<string, string> | undefined => {
    const list = listFlag(strs(parsed, name));
    if (!list) return undefined;
    const out: Record<string, string> = {};
    for (const entry of list) {
      const at = entry.indexOf('=');
      if (at <= 0) throw new UsageError(`--${name} takes NAME=COLUMN pairs, got "${entry}".`, 'import');
      out[entry.slice(0, at)] = entry.slice(at + 1);
    }
    return out;
  };
  const measures = ['pro', 'code', 'prob'].filter((m) => parsed.values[m] !== undefined);
  if (measures.length !== 1) throw new UsageError('give exactly one of --pro COL, --code COL or --prob CODE=COL,....', 'import');
  const optional = (name: string): Record<string, string> => {
    const v = str(parsed, name);
    return v ? { [name]: v } : {};
  };
  const probabilities = pairs('prob');
  const attributes = pairs('attribute');
  const where = pairs('where');
  const mapping: ImportMapping = {
    file: resolve(io.cwd, file),
    columns: {
      model: need('model'),
      language: need('language'),
      item: need('item'),
      ...optional('country'),
      ...optional('template'),
      ...optional('paraphrase'),
      ...optional('sample'),
      ...optional('pro'),
      ...optional('code'),
      ...(probabilities ? { probabilities } : {}),
      ...(attributes ? { attributes } : {}),
    },
    ...(where ? { where } : {}),
  };
  return (await importTables(loaded, io, { force: flag(parsed, 'force'), mappings: [mapping], rejected: 'lines' }))
    ? EXIT_FINDINGS
    : EXIT_OK;
}
