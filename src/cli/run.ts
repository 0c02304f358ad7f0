// `value-lens run STUDY`: the whole study with one command — import its tables, score its plan into its
// corpus, analyse the corpus, and write analysis.json, tidy CSVs and report.html beside it.

import { join, relative } from 'node:path';
import { redactSecrets } from '../core/log';
import { importStudyData } from '../core/study/importStudy';
import { runStudy } from '../core/study/session';
import { analyzeCorpus } from '../core/study/analyzeCorpus';
import { checkedModelIds, firstTokenCheckDir, runFirstTokenCheck } from '../core/study/firstToken';
import { flag, parseFlags, str, type Parsed } from './args';
import { EXIT_FINDINGS, EXIT_OK, UsageError } from './errors';
import { print, writeFileAtomic, type Io } from './io';
import { writeStudyReport } from './report';
import { defaultCacheDir, planCode, stderrLogger } from './score';
import { memoPath, readPlanMemo } from '../core/run/planMemo';
import { batchEngineFrom } from './batch';
import {
  STUDY_RUN_HELP,
  STUDY_RUN_OPTIONS,
  STUDY_FILTER_HELP,
  applyEndpointOverrides,
  confirmLargeRun,
  loadStudyForCli,
  requireCorpus,
  studyEnvironment,
  studyFilterFrom,
  studyInputBytes,
  studyProviders,
} from './study';
import { countsLine, dataRowsCsv, formatStudyAnalysis, writeAnalysisCsv } from './studyOutput';
import { version } from './version';
import { progressLine } from './progress';
import type { ImportMapping, ReadyStudy, StudyFilter } from '../core/study/types';
import type { EndpointSource } from '../core/run/keyPolicy';

export const RUN_HELP = `Usage: value-lens run STUDY.study.json [options]

Runs a study end to end: imports its response tables (once per table), scores its plan (items ×
languages × country cues × templates × paraphrases × option orders × models × rounds) into its corpus,
then analyses the corpus and writes analysis.json, analysis/*.csv and report.html in the study's
results folder. Before scoring it prints the plan's size; above the study's confirmAbove it asks
(on a terminal) or needs --yes.

Options:
${STUDY_FILTER_HELP}
${STUDY_RUN_HELP}
  --no-score             import and analyse only (nothing is sent to a model)
  --no-analysis          import and score only
  -h, --help             show this help

Exit codes: 0 every request scored and analysed, 1 failures (requests, writes) or unusable input,
2 bad usage, 130 cancelled.`;

export async function runRun(argv: string[], io: Io, signal: AbortSignal): Promise<number> {
  const parsed = parseFlags('run', argv, { ...STUDY_RUN_OPTIONS, 'no-score': { type: 'boolean' }, 'no-analysis': { type: 'boolean' } });
  if (flag(parsed, 'help')) {
    print(io.stdout, RUN_HELP);
    return EXIT_OK;
  }
  if (parsed.positionals.length !== 1) throw new UsageError('run needs exactly one study file (NAME.study.json).', 'run');
  // A run that scores loads its study through the load memo (core/study/loadMemo.ts) of its cache.
  const code = planCode();
  const memo =
    code && !flag(parsed, 'no-score')
      ? {
          cacheDir: str(parsed, 'cache-dir') ?? defaultCacheDir(io.env),
          code,
          fresh: flag(parsed, 'fresh'),
          verbose: flag(parsed, 'verbose'),
        }
      : undefined;
  const loaded = await loadStudyForCli(parsed.positionals[0], io, memo);
  const filter = studyFilterFrom(parsed, loaded, 'run');
  let failed = false;

  if (loaded.study.imports.length) failed = (await importTables(loaded, io)) || failed;
  if (!flag(parsed, 'no-score') && loaded.study.models.length && loaded.surveys.length && loaded.templates.length) {
    const outcome = await scoreStudy(loaded, filter, parsed, io, signal);
    if (outcome === 'declined') return EXIT_FINDINGS;
    if (outcome === 'cancelled') return 130;
    failed = outcome === 'failed' || failed;
  }
  if (!flag(parsed, 'no-analysis')) await analyseAndWrite(loaded, filter, io);
  return failed ? EXIT_FINDINGS : EXIT_OK;
}

/**
 * Imports the study's tables (or `options.mappings`) and reports each; true when a table had errors or a
 * write failed. Rejected rows are summarised by reason (a study's own tables) or listed by line (`--file`).
 */
export async function importTables(
  loaded: ReadyStudy,
  io: Io,
  options: { force?: boolean; mappings?: ImportMapping[]; rejected?: 'reasons' | 'lines' } = {},
): Promise<boolean> {
  let failed = false;
  for (const t of await importStudyData(loaded, { via: 'cli', toolVersion: version(), force: options.force ?? false }, options.mappings)) {
    const name = relative(io.cwd, t.file) || t.file;
    if (t.already) {
      print(io.stderr, `import ${name}: already in the corpus (run ${t.runId}); --force imports it again.`);
      continue;
    }
    print(
      io.stderr,
      `import ${name}: ${t.rows} row(s), ${t.used} used, ${t.rejected.length} rejected${t.writeFailures ? `, ${t.writeFailures} not written` : ''} (run ${t.runId}).`,
    );
    for (const e of t.errors) print(io.stderr, `  error: ${e}`);
    if (options.rejected === 'lines') {
      for (const r of t.rejected.slice(0, 20)) print(io.stderr, `  line ${r.line}: ${r.reason}`);
      if (t.rejected.length > 20) print(io.stderr, `  … and ${t.rejected.length - 20} more rejected row(s).`);
    } else {
      const reasons = new Map<string, number>();
      for (const r of t.rejected) reasons.set(r.reason, (reasons.get(r.reason) ?? 0) + 1);
      for (const [reason, n] of [...reasons].sort((a, b) => b[1] - a[1]).slice(0, 10)) print(io.stderr, `  rejected ${n}: ${reason}`);
    }
    failed = failed || t.errors.length > 0 || t.writeFailures > 0;
  }
  return failed;
}

/** Scores the study's plan into its corpus; the outcome for the exit code. */
export async function scoreStudy(
  loaded: ReadyStudy,
  filter: StudyFilter | undefined,
  parsed: Parsed,
  io: Io,
  signal: AbortSignal,
  /** Where each model's endpoint came from, when the caller resolved it (the demo); else from the flags. */
  resolvedSources?: Map<string, EndpointSource>,
): Promise<'ok' | 'failed' | 'declined' | 'cancelled'> {
  const { study } = loaded;
  const sources = resolvedSources ?? applyEndpointOverrides(study, (parsed.values.endpoint as string[] | undefined) ?? [], io.env);
  const providerFor = studyProviders(study, sources, parsed, io);
  const cacheDir = str(parsed, 'cache-dir') ?? defaultCacheDir(io.env);
  const dryRun = flag(parsed, 'dry-run');
  const env = studyEnvironment(parsed, io, signal, {
    providerFor,
    cacheDir,
    toolVersion: version(),
    confirm: async (estimate) => (dryRun ? false : confirmLargeRun(estimate, study, parsed, io)),
  });
  const batch = batchEngineFrom(parsed, study, filter, io);
  if (batch) env.batch = batch;
  if (flag(parsed, 'verbose')) env.logger = stderrLogger(io, true);
  // The plan memo of exactly the bytes parsed, this filter and this build (core/run/planMemo.ts); the
  // study and its digests and methods are checked against it in runStudy.
  const code = planCode();
  const texts = studyInputBytes(loaded);
  if (code && texts) {
    const file = memoPath(cacheDir, { code, texts, selection: { command: 'study', filter: filter ?? null } });
    let ignored: string | undefined;
    const known = await readPlanMemo(file, (reason) => (ignored = reason));
    env.memo = { file, ...(known ? { known } : {}), ...(ignored ? { ignored } : {}) };
  }
  const progress = io.stderr.isTTY === true ? progressLine((text) => io.stderr.write(text)) : undefined;
  env.onPlanned = (estimate, methods) => {
    const methodText = Object.entries(methods)
      .map(([m, how]) => `${m} ${how}`)
      .join(', ');
    print(
      io.stderr,
      `plan ${study.name}: ${estimate.requests} request(s), ${estimate.cached} cached, ${estimate.skipped} not renderable, ` +
        `about ${estimate.estimatedTokens} tokens to send; methods: ${methodText}.`,
    );
  };
  if (progress) env.onProgress = (p) => progress.update(p);
  if (dryRun) study.confirmAbove = -1;
  const result = await runStudy(loaded, filter, env);
  if (result.status === 'declined') {
    if (result.exported) {
      const e = result.exported;
      print(
        io.stderr,
        `Batch input: ${relative(io.cwd, e.file) || e.file}: ${e.lines} line(s), ${e.bytes} bytes (${e.cached} cached and ${e.skipped} not renderable left out). Run it with vllm run-batch -i FILE -o OUT --model NAME, then --batch-import OUT.`,
      );
      return 'ok';
    }
    return dryRun ? 'ok' : 'declined';
  }
  progress?.end();
  const { summary, manifest } = result;
  const failures = summary.records.filter((r) => r.kind === 'failure');
  for (const failure of failures.slice(0, 10)) {
    if (failure.kind !== 'failure') continue;
    const where = `${failure.modelId ?? failure.model} ${failure.itemId} [${failure.language}${failure.country ? ` ${failure.country}` : ''}${failure.paraphrase === null ? '' : ` paraphrase ${failure.paraphrase}`}]`;
    print(io.stderr, redactSecrets(`failed: ${where}: ${failure.error.kind}: ${failure.error.message}`));
  }
  if (failures.length > 10) print(io.stderr, `… and ${failures.length - 10} more failure(s).`);
  print(
    io.stderr,
    `${summary.cancelled ? 'Cancelled: ' : ''}${manifest.planned} planned, ${manifest.scored} scored (${manifest.cached} from cache), ${manifest.failed} failed, ` +
      `${manifest.writeFailures} not written, ${summary.requestsSent} request(s) sent.\nCorpus: ${relative(io.cwd, study.results) || study.results} (run ${manifest.runId}${manifest.batch ? `, batch ${manifest.batch.ids?.join(', ') ?? manifest.batch.id}` : ''})`,
  );
  if (summary.cancelled) return 'cancelled';
  let checkFailed = false;
  if (flag(parsed, 'check-text')) {
    // First token vs text (core/study/firstToken.ts): the same prompts, greedy text, into the check's corpus.
    const ids = checkedModelIds(study, result.methods);
    if (!ids.length) print(io.stderr, 'check-text: no model is scored with logprobs or loglik; nothing to compare.');
    else {
      // Another study (greedy text): not the memo of this one.
      const { memo: _memo, ...checkEnv } = env;
      const check = await runFirstTokenCheck(loaded, filter, checkEnv, ids);
      if (check.status === 'ran') {
        const m = check.manifest;
        print(
          io.stderr,
          `check-text: ${m.scored} greedy text answer(s) (${m.cached} from cache), ${m.failed} failed, ${check.summary.requestsSent} request(s) sent.\nCheck corpus: ${relative(io.cwd, firstTokenCheckDir(study)) || firstTokenCheckDir(study)}`,
        );
        checkFailed = m.writeFailures > 0;
        if (check.summary.cancelled) return 'cancelled';
      }
    }
  }
  return manifest.failed > 0 || manifest.writeFailures > 0 || checkFailed ? 'failed' : 'ok';
}

/** Analyses the corpus and writes analysis.json, analysis/*.csv and report.html in the results folder. */
export async function analyseAndWrite(loaded: ReadyStudy, filter: StudyFilter | undefined, io: Io): Promise<void> {
  const { study } = loaded;
  await requireCorpus(study.results, study, io);
  const { analysis, badLines, regression } = await analyzeCorpus(loaded, filter ? { filter } : {});
  if (badLines.length)
    print(
      io.stderr,
      `${analysis.counts.skipped['bad-line'] ?? badLines.length} unreadable line(s) in the corpus, first: ${badLines[0].file}:${badLines[0].line}`,
    );
  await writeFileAtomic(join(study.results, 'analysis.json'), `${JSON.stringify(analysis, null, 2)}\n`);
  await writeAnalysisCsv(analysis, join(study.results, 'analysis'));
  if (regression) await writeFileAtomic(join(study.results, 'analysis', 'regression.csv'), dataRowsCsv(regression));
  await writeStudyReport(analysis, join(study.results, 'report.html'));
  print(io.stdout, formatStudyAnalysis(analysis));
  const where = relative(io.cwd, study.results) || study.results;
  print(
    io.stderr,
    `${countsLine(analysis.counts)}\nWritten: ${join(where, 'analysis.json')}, ${join(where, 'analysis')}/*.csv, ${join(where, 'report.html')}`,
  );
}
