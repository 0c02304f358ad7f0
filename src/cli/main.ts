// The CLI's entry: dispatch to a command, map errors to exit codes (0 ok, 1 findings/failures, 2 usage).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { redactSecrets } from '../core/log';
import { refuseKeys } from './args';
import { runAnalyze } from './analyze';
import { runCheck } from './check';
import { runDemo } from './demo';
import { runFit } from './fit';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, InputError, UsageError } from './errors';
import { print, type Io } from './io';
import { bundleDir, runReport } from './report';
import { runScore } from './score';

export const MAIN_HELP = `Usage: value-lens COMMAND [options]

Commands:
  check FILE|DIR...                      diagnostics for .wvs and .wvt files
  score ITEMS.wvs --template T.wvt       score items against a model, results as JSON lines
  analyze RESULTS.jsonl --items ITEMS.wvs --human HUMAN.csv
                                         alignment, self-consistency and US bias
  report RESULTS.jsonl --items ITEMS.wvs --human HUMAN.csv --html FILE
                                         the same as a self-contained HTML report
  demo                                   score the examples with a local model and write a report
  fit --formula F --data FILE.csv        a mixed model from an lme4 formula, fitted by REML

Run \`value-lens COMMAND --help\` for a command's options. \`value-lens --version\` prints the version.
Settings: flags, then OLLAMA_HOST / OPENAI_BASE_URL / OPENAI_API_KEY, then ./value-lens.json.
Exit codes: 0 ok, 1 findings or failures, 2 bad usage.`;

const COMMANDS = ['check', 'score', 'analyze', 'report', 'demo', 'fit'] as const;

export function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(bundleDir(), '..', 'package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export async function main(argv: string[], io: Io, signal: AbortSignal): Promise<number> {
  const [command, ...rest] = argv;
  try {
    refuseKeys(argv);
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
        return await runCheck(rest, io);
      case 'score':
        return await runScore(rest, io, signal);
      case 'analyze':
        return await runAnalyze(rest, io);
      case 'report':
        return await runReport(rest, io);
      case 'demo':
        return await runDemo(rest, io, signal);
      case 'fit':
        return await runFit(rest, io);
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
  if (process.env.VALUE_LENS_DEBUG && error instanceof Error && error.stack) print(io.stderr, redactSecrets(error.stack));
  return EXIT_FINDINGS;
}
