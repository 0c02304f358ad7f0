// Shared by `analyze`, `report` and `demo`: read results JSONL, items and human data, and compute the
// AnalysisReport with the extension's statistics. Warnings about skipped lines go to stderr.

import { findDuplicates } from '../core/run/duplicates';
import { resolve } from 'node:path';
import type { AnalysisFilter, AnalysisReport } from '../core/analysis';
import { DEFAULT_LANGUAGE_COUNTRIES, loadHumanReference } from '../core/data/index';
import { parseRunRecords } from '../core/run/store';
import { analysisItemsFromSurvey, analyze } from '../core/stats/analyze';
import { choiceFlag, intFlag, str, type OptionSpec, type Parsed } from './args';
import { loadSurvey } from './diagnostics';
import { InputError, UsageError } from './errors';
import { print, readInputBytes, readInputFile, type Io } from './io';

export const ANALYSIS_OPTIONS: OptionSpec = {
  items: { type: 'string' },
  human: { type: 'string' },
  model: { type: 'string' },
  template: { type: 'string' },
  method: { type: 'string' },
  bootstrap: { type: 'string' },
  seed: { type: 'string' },
};

export const ANALYSIS_OPTIONS_HELP = `  --items FILE.wvs       the items the results belong to (required)
  --human FILE.csv       human reference data: aggregated (country,key,mean|share[,language]) or microdata (required)
  --model M              only this model's results
  --template NAME        only this template's results
  --method M             only logprobs, loglik or sample results
  --bootstrap N          bootstrap iterations for the US-bias interval (default 1000)
  --seed N               bootstrap seed (default 1)`;

export interface AnalysisPaths {
  results: string;
  items: string;
  human: string;
  filter: AnalysisFilter;
  bootstrap: { iterations: number; seed: number };
}

export function analysisPaths(command: string, parsed: Parsed, io: Io): AnalysisPaths {
  if (parsed.positionals.length !== 1) throw new UsageError(`${command} needs exactly one results file (.jsonl).`, command);
  const items = str(parsed, 'items');
  const human = str(parsed, 'human');
  if (!items) throw new UsageError(`${command} needs --items FILE.wvs.`, command);
  if (!human) throw new UsageError(`${command} needs --human FILE.csv.`, command);
  const filter: AnalysisFilter = {};
  const model = str(parsed, 'model');
  const template = str(parsed, 'template');
  const method = choiceFlag(command, 'method', str(parsed, 'method'), ['logprobs', 'loglik', 'sample'] as const);
  if (model) filter.model = model;
  if (template) filter.template = template;
  if (method) filter.method = method;
  return {
    results: resolve(io.cwd, parsed.positionals[0]),
    items: resolve(io.cwd, items),
    human: resolve(io.cwd, human),
    filter,
    bootstrap: {
      iterations: intFlag(command, 'bootstrap', str(parsed, 'bootstrap'), 0, 100_000) ?? 1000,
      seed: intFlag(command, 'seed', str(parsed, 'seed'), 0, 2 ** 31 - 1) ?? 1,
    },
  };
}

export async function computeReport(paths: AnalysisPaths, io: Io): Promise<AnalysisReport> {
  const text = await readInputFile(paths.results, 'Results file');
  const { records, badLines } = parseRunRecords(text);
  if (badLines.length) {
    const shown = badLines.slice(0, 5).join(', ') + (badLines.length > 5 ? ', …' : '');
    print(io.stderr, `warning: ${paths.results}: ${badLines.length} line(s) are not run records and were skipped (line ${shown}).`);
  }
  if (!records.length) {
    throw new InputError(`${paths.results} holds no run records (expected JSON lines written by \`value-lens score\`).`);
  }
  const duplicates = findDuplicates(records);
  if (duplicates.contradictory) {
    print(
      io.stderr,
      `warning: ${paths.results}: ${duplicates.contradictory} request(s) have several results that disagree (e.g. ${duplicates.examples.join('; ')}); the latest of each is used.`,
    );
  }
  const survey = await loadSurvey(paths.items, paths.items, io.stderr);
  const items = analysisItemsFromSurvey(survey);

  const { reference, problems } = loadHumanReference({ text: await readInputBytes(paths.human, 'Human data file') });
  for (const problem of problems.slice(0, 5)) print(io.stderr, `warning: ${paths.human}:${problem.line}: ${problem.message}`);
  if (problems.length > 5) print(io.stderr, `warning: ${paths.human}: … and ${problems.length - 5} more problem(s).`);
  if (!reference.rows.length) {
    throw new InputError(`${paths.human} holds no usable human reference rows (see the warnings above).`);
  }
  return analyze({
    records,
    items,
    human: reference,
    languageCountries: DEFAULT_LANGUAGE_COUNTRIES,
    filter: paths.filter,
    bootstrap: paths.bootstrap,
  });
}
