// The CLI's entry: dispatch to a command, map errors to exit codes (0 ok, 1 findings/failures, 2 usage).

import { configureLimits, limitsFromEnv } from '../core/limits';
import { redactSecrets } from '../core/log';
import { refuseKeys } from './args';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, InputError, UsageError } from './errors';
import { print, type Io } from './io';
import { isStudyPath } from './studyPath';
import { version } from './version';

// Each command's module is imported when the command runs (esbuild turns these imports into lazily
// initialised parts of the one bundle): `--version` or `check` does not evaluate the model clients,
// the statistics or the report writer.

export const MAIN_HELP = `Usage: value-lens COMMAND [options]

Commands:
  run STUDY.study.json                   a whole study: import, score into its corpus, analyse, report
  import STUDY.study.json [--file CSV …] response tables into the study's corpus
  check FILE|DIR...                      diagnostics for .wvs and .wvt files
  score ITEMS.wvs --template T.wvt       score items against a model, results as JSON lines
  score STUDY.study.json                 score a study's plan into its corpus (filters: --model, --country, …)
  analyze RESULTS.jsonl --items ITEMS.wvs --human HUMAN.csv
  analyze STUDY.study.json [--json]      alignment, self-consistency and US bias
  report RESULTS.jsonl --items ITEMS.wvs --human HUMAN.csv --html FILE
  report STUDY.study.json [--html FILE]  the same as a self-contained HTML report
  demo                                   score the examples with a local model and write a report
  fit --formula F --data FILE.csv        a mixed model from an lme4 formula, fitted by REML

Run \`value-lens COMMAND --help\` for a command's options. \`value-lens --version\` prints the version.
Settings: flags, then OLLAMA_HOST / OPENAI_BASE_URL / OPENAI_API_KEY, then ./value-lens.json.
Exit codes: 0 ok, 1 findings or failures, 2 bad usage.`;

const COMMANDS = ['run', 'import', 'check', 'score', 'analyze', 'report', 'demo', 'fit'] as const;

export { version };

export async function main(argv: string[], io: Io, signal: AbortSignal): Promise<number> {
  const [command, ...rest] = argv;
  try {
    refuseKeys(argv);
    // Size limits (docs/security.md): the defaults, or VALUE_LENS_MAX_* from the environment.
    const { overrides, problems } = limitsFromEnv(io.env);
    configureLimits(overrides, true);
    for (const problem of problems) print(io.stderr, `value-lens: warning: ${problem}`);
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      const topic = command === 'help' ? rest[0] : undefined;
      if (topic && (COMMANDS as readonly string[]).includes(topic)) return await main([topic, '--help'], io, signal);
      print(command === undefined ? io.stderr : io.stdout, MAIN_HELP);
      return command === undefined ? EXIT_USAGE : EXIT_OK;
    }
    if (command === '--version' || command === '-v' || command === 'version') {
      print(io.stdout, version());
      return EXIT_OK;
    }
    switch (command) {
      case 'check':
        return await (await import('./check')).runCheck(rest, io);
      case 'run':
        return await (await import('./run')).runRun(rest, io, signal);
      case 'import':
        return await (await import('./studyCommands')).runImport(rest, io);
      case 'score':
        if (withStudy(rest)) {
          const study = await import('./studyCommands');
          return await studyOrHelp(rest, io, study.SCORE_STUDY_HELP, () => study.runScoreStudy(rest, io, signal));
        }
        return await (await import('./score')).runScore(rest, io, signal);
      case 'analyze':
        if (withStudy(rest)) {
          const study = await import('./studyCommands');
          return await studyOrHelp(rest, io, study.ANALYZE_STUDY_HELP, () => study.runAnalyzeStudy(rest, io));
        }
        return await (await import('./analyze')).runAnalyze(rest, io);
      case 'report':
        if (withStudy(rest)) {
          const study = await import('./studyCommands');
          return await studyOrHelp(rest, io, study.REPORT_STUDY_HELP, () => study.runReportStudy(rest, io));
        }
        return await (await import('./report')).runReport(rest, io);
      case 'demo':
        return await (await import('./demo')).runDemo(rest, io, signal);
      case 'fit':
        return await (await import('./fit')).runFit(rest, io);
      default:
        throw new UsageError(
          command.startsWith('-')
            ? `Unknown option '${command}' before a command.`
            : `Unknown command "${command}" (commands: ${COMMANDS.join(', ')}).`,
        );
    }
  } catch (error) {
    return reportError(error, command, io);
  }
}

function reportError(error: unknown, command: string | undefined, io: Io): number {
  if (error instanceof UsageError) {
    const cmd = error.command ?? ((COMMANDS as readonly string[]).includes(command ?? '') ? command : undefined);
    print(io.stderr, `value-lens${cmd ? ` ${cmd}` : ''}: ${redactSecrets(error.message)}`);
    print(io.stderr, `Run \`value-lens ${cmd ? `${cmd} ` : ''}--help\` for usage.`);
    return EXIT_USAGE;
  }
  if (error instanceof InputError) {
    print(io.stderr, redactSecrets(error.message));
    return EXIT_FINDINGS;
  }
  // Anything else is a bug; say so briefly, without a stack trace that could quote request options.
  const message = error instanceof Error ? error.message : String(error);
  print(io.stderr, `value-lens: unexpected error: ${redactSecrets(message)}`);
  if (io.env.VALUE_LENS_DEBUG && error instanceof Error && error.stack) print(io.stderr, redactSecrets(error.stack));
  return EXIT_FINDINGS;
}

/** `score|analyze|report STUDY.study.json …` take the study form; their file forms keep working. */
function withStudy(args: string[]): boolean {
  return args.some((a) => !a.startsWith('-') && isStudyPath(a));
}

async function studyOrHelp(args: string[], io: Io, help: string, run: () => Promise<number>): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    print(io.stdout, help);
    return EXIT_OK;
  }
  return run();
}
