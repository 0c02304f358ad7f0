// The CLI in the test's own process: src/cli/main.ts's main(argv, io, signal) with captured streams, an
// empty non-terminal stdin and the environment the test names. It runs the same code as dist/cli.js
// (which only wires process streams and signals to main), without a Node start and a bundle load per call —
// most CLI tests check what a command writes and returns, not how a process behaves. Exit on a signal,
// Ctrl-C twice, EPIPE and a real stdin stay with the spawned binary (test/unit/cli/helpers.ts spawnCli).

import { setMaxListeners } from 'node:events';
import { Readable, Writable } from 'node:stream';
import { main } from '../../src/cli/main';
import type { Io } from '../../src/cli/io';
import { clearProbeCache } from '../../src/providers/probe';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface InProcessOptions {
  cwd: string;
  env: Record<string, string>;
  /** Where the binary would live: what `process.argv[1]` is in dist/cli.js (commands quote it back). */
  script: string;
  timeoutMs: number;
}

function sink(append: (text: string) => void): Writable {
  return new Writable({
    decodeStrings: false,
    write(chunk: Buffer | string, _encoding, done) {
      append(typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
      done();
    },
  });
}

export async function runCliInProcess(args: string[], options: InProcessOptions): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  // Module state that a new process would not have: the logprob verdicts of earlier runs in this file
  // (a run reads them from probes.json in its cache folder, as the binary does).
  clearProbeCache();
  const controller = new AbortController();
  // As in src/cli.ts: every in-flight request listens on the one signal.
  setMaxListeners(0, controller.signal);
  const io: Io = {
    stdout: sink((text) => (stdout += text)),
    stderr: sink((text) => (stderr += text)),
    stdin: Readable.from([]),
    cwd: options.cwd,
    env: { ...options.env },
    script: options.script,
  };
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new Error(`value-lens ${args.join(' ')} timed out\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, options.timeoutMs);
  });
  try {
    const code = await Promise.race([
      main(args, io, controller.signal).catch((error: unknown) => {
        // What src/cli.ts does with a rejection main did not turn into an exit code.
        stderr += `value-lens: ${error instanceof Error ? error.message : String(error)}\n`;
        return 1;
      }),
      timedOut,
    ]);
    return { code, stdout, stderr };
  } finally {
    clearTimeout(timer);
  }
}
