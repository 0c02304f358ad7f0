// The `value-lens` binary (bundled to dist/cli.js): wires process streams and Ctrl-C to src/cli/main.ts.
// Started as a worker thread, the same file is the panel's analysis worker instead (the editor starts it:
// src/editor/analysisWorkers.ts), so the VSIX ships the core once for both (issue 20).
import { setMaxListeners } from 'node:events';
import { isMainThread } from 'node:worker_threads';
import { main } from './cli/main';

// The worker's module (and the analysis it pulls in) is evaluated only in a worker thread: in the CLI's
// own process it would only cost every command its start-up. A message the editor posts first waits on
// the port until the worker listens.
if (isMainThread) runCli();
else void import('./core/study/analysisWorker');

function runCli(): void {
  const controller = new AbortController();
  // Every in-flight request listens on this one signal; more than 10 is normal, not a leak.
  setMaxListeners(0, controller.signal);
  let interrupted: NodeJS.Signals | undefined;
  // 128 + signal number, as shells report it.
  const SIGNAL_EXIT: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
  const onSignal = (signal: NodeJS.Signals): void => {
    // The first signal cancels the run (records so far are kept, the results file closed); a second one
    // quits at once. SIGTERM (kill, a CI timeout, a container stop) and SIGHUP take the same path as Ctrl-C.
    if (interrupted) process.exit(SIGNAL_EXIT[signal] ?? 130);
    interrupted = signal;
    process.stderr.write(signal === 'SIGINT' ? '\nCancelling… (Ctrl-C again to quit now)\n' : `\nCancelling on ${signal}…\n`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);

  // `value-lens score … | head` closes stdout early; stop quietly instead of crashing on EPIPE.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });

  main(
    process.argv.slice(2),
    { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), env: process.env },
    controller.signal,
  ).then(
    (code) => {
      // 130 = interrupted (128 + SIGINT), 143 = SIGTERM; the records so far are on disk.
      process.exitCode = interrupted ? (SIGNAL_EXIT[interrupted] ?? 130) : code;
    },
    (error: unknown) => {
      process.stderr.write(`value-lens: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
