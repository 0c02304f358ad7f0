// Shared by the CLI tests: build dist/ once (under a lock, since test files run in parallel), run the CLI
// in this process (runCli) or spawn the built binary asynchronously (spawnCli: exit codes on signals, a
// real stdin; the loopback fakes live in the test process and must keep serving), and temp-dir helpers.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCliInProcess, type CliResult } from '../../support/cli';

export type { CliResult };

export const ROOT = resolve(__dirname, '..', '..', '..');
export const CLI = join(ROOT, 'dist', 'cli.js');
export const EXAMPLES = join(ROOT, 'examples');
export const EXAMPLE_ITEMS = join(EXAMPLES, 'wvs7-sample.wvs');
export const EXAMPLE_TEMPLATES = join(EXAMPLES, 'prompts.wvt');
export const EXAMPLE_HUMAN = join(EXAMPLES, 'human-reference.csv');
const LOCK = join(tmpdir(), 'value-lens-build.lock');

let built = false;

// Exits 0 when dist/cli.js and dist/webview.js are newer than every build input (so no build is needed).
const FRESH_CHECK = `
const fs = require('fs'), path = require('path');
const newest = (p) => { let s; try { s = fs.statSync(p); } catch { return 0; }
  return s.isDirectory() ? Math.max(0, ...fs.readdirSync(p).map((n) => newest(path.join(p, n)))) : s.mtimeMs; };
const oldestOut = Math.min(...['dist/cli.js', 'dist/webview.js', 'dist/extension.js'].map((p) => newest(p) || -1));
const inputs = Math.max(...['src', 'webview', 'esbuild.mjs', 'package.json', 'tsconfig.json'].map(newest));
process.exit(oldestOut > inputs ? 0 : 1);`;

/**
 * `npm run build` once per test process unless dist/ is already newer than its sources; `flock` keeps
 * parallel test files from building over each other (the check runs inside the lock too).
 */
export function buildOnce(): void {
  if (built) return;
  const script = `node -e "$FRESH_CHECK" || npm run build --silent`;
  const result = spawnSync('flock', [LOCK, 'sh', '-c', script], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, FRESH_CHECK } });
  if (result.status !== 0) throw new Error(`npm run build failed:\n${result.stdout}\n${result.stderr}`);
  built = true;
}

interface RunOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
}

/** The environment of a CLI run: a clean one (no inherited keys or hosts) plus what the test names. */
function cliEnv(options: RunOptions): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: options.cwd ?? tmpdir(),
    XDG_CACHE_HOME: join(options.cwd ?? tmpdir(), '.cache'),
    NO_COLOR: '1',
  };
  for (const [k, v] of Object.entries(options.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/**
 * `value-lens ...args` in this process (test/support/cli.ts), with a clean environment: the same main() as
 * dist/cli.js without a process start. What a process does (signals, exit on EPIPE, stdin) needs spawnCli.
 * VL_TEST_CLI=spawn runs these against the built binary instead (the bundle, as users get it).
 */
export function runCli(args: string[], options: RunOptions = {}): Promise<CliResult> {
  if (process.env.VL_TEST_CLI === 'spawn') return spawnCli(args, options);
  return runCliInProcess(args, { cwd: options.cwd ?? ROOT, env: cliEnv(options), script: CLI, timeoutMs: options.timeoutMs ?? 60_000 });
}

/** Runs `node dist/cli.js ...args` as a process with a clean environment; onSpawn gets the child (to signal it). */
export function spawnCli(
  args: string[],
  options: RunOptions & { onSpawn?: (child: import('node:child_process').ChildProcess) => void } = {},
): Promise<CliResult> {
  const env = cliEnv(options);
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd ?? ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    options.onSpawn?.(child);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`value-lens ${args.join(' ')} timed out\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

export function tempDir(prefix = 'vl-cli-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function removeDir(dir: string): Promise<void> {
  await fs.rm(dir, { recursive: true, force: true });
}

/** Every file under `dir`, recursively. */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(p)));
    else out.push(p);
  }
  return out;
}

export function jsonLines(text: string): unknown[] {
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as unknown);
}

/** A port on 127.0.0.1 with nothing listening (bound, then released). */
export async function deadPort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolvePromise) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePromise(port));
    });
  });
}
