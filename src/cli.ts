// The `value-lens` binary (bundled to dist/cli.js): wires process streams and Ctrl-C to src/cli/main.ts.
import { setMaxListeners } from 'node:events';
import { main } from './cli/main';

const controller = new AbortController();
// Every in-flight request listens on this one signal; more than 10 is normal, not a leak.
setMaxListeners(0, controller.signal);
let interrupted = false;
process.on('SIGINT', () => {
  // First Ctrl-C cancels the run (records so far are kept); a second one quits at once.
  if (interrupted) process.exit(130);
  interrupted = true;
  process.stderr.write('\nCancelling… (Ctrl-C again to quit now)\n');
  controller.abort();
});

// `value-lens score … | head` closes stdout early; stop quietly instead of crashing on EPIPE.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), env: process.env }, controller.signal).then(
  (code) => {
    // 130 = interrupted (128 + SIGINT), as shells report it; the records so far are on disk.
    process.exitCode = interrupted ? 130 : code;
  },
  (error: unknown) => {
    process.stderr.write(`value-lens: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
