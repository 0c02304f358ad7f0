// Runs the unit tiers with Node's own test runner (Node 20 has no glob support in --test):
//   node test/run-unit.mjs            the fast tier: test/unit/**/*.test.ts and test/webview/*.test.ts
//   node test/run-unit.mjs --slow     the slow tier: every *.slow.test.ts (full-count fuzz, growth, packaging,
//                                     real waits) — `npm run test:slow`, also run by .ci/run
//   --durations=N                     list the N slowest files after the summary (default 10, 0: none)
//   --concurrency=N                   test files run at once (default: three per core, at least 4, as most
//                                     files mostly wait on sockets, timers and Chromium — on 2 cores 4 at once
//                                     took 86 s, 6 took 77 s, 8 took 76 s, 2026-12-03; 2 for --slow, whose
//                                     wall-clock checks want the cores)
// Further arguments filter files by substring. The browser tests need Chromium: test/ensure-chromium.sh
// installs it (as root, like CI) or the run fails naming what is missing — never a silent skip.
// Files start longest first, by the wall times of earlier runs (node_modules/.cache/value-lens/), so a long
// browser file does not start last and hold the run up alone; a file without a time starts early.
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';

function collect(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...collect(path));
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const args = process.argv.slice(2);
const slow = args.includes('--slow');
const option = (name) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const filter = args.filter((a) => !a.startsWith('--'));
let files = [...collect('test/unit'), ...collect('test/webview')].filter((f) => f.endsWith('.slow.test.ts') === slow).sort();
if (filter.length) files = files.filter((f) => filter.some((part) => f.includes(part)));

const timesFile = 'node_modules/.cache/value-lens/test-durations.json';
let times = {};
try {
  times = JSON.parse(readFileSync(timesFile, 'utf8'));
} catch {
  // no earlier run: browser files first (the longest so far), the rest in path order
}
const expected = (f) => times[f] ?? (f.startsWith('test/webview') ? Infinity : 10_000);
files = files
  .map((f, i) => [expected(f), i, f])
  .sort((a, b) => b[0] - a[0] || a[1] - b[1])
  .map(([, , f]) => f);
mkdirSync(dirname(timesFile), { recursive: true });
// test/support/ts-require.cjs adds a compiled file per edited source and never removes one: start afresh
// past a few thousand (a recompile costs milliseconds).
const compiled = join(dirname(timesFile), 'ts');
try {
  if (readdirSync(compiled).length > 5000) rmSync(compiled, { recursive: true, force: true });
} catch {
  // no cache yet
}

// The browser files share one Chromium and one build of the webview bundles (test/support/browser-server.ts).
const shared = {};
let browserServer;
if (files.some((f) => f.startsWith('test/webview') || f.includes('browser'))) {
  const ensured = spawnSync('bash', ['test/ensure-chromium.sh'], { stdio: 'inherit' });
  if (ensured.status !== 0) process.exit(ensured.status ?? 1);
  browserServer = spawn(process.execPath, ['--import', 'tsx', 'test/support/browser-server.ts'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const started = await new Promise((done) => {
    let text = '';
    browserServer.stdout.on('data', (chunk) => {
      text += chunk;
      if (text.includes('\n')) done(JSON.parse(text.split('\n')[0]));
    });
    browserServer.on('exit', (code) => done(undefined, code));
  });
  if (!started) {
    console.error('test: the shared Chromium did not start (test/support/browser-server.ts)');
    process.exit(1);
  }
  shared.VL_TEST_CHROMIUM_WS = started.wsEndpoint;
  shared.VL_TEST_WEBVIEW_PRODUCTION = started.bundles.production;
  shared.VL_TEST_WEBVIEW_DEVELOPMENT = started.bundles.development;
}

// Each file's process appends its CPU time here (test/support/cpu-usage.mjs); the summary reads it.
const cpuLog = join(tmpdir(), `value-lens-test-cpu-${process.pid}.jsonl`);
// TypeScript through a CommonJS require hook (test/support/ts-require.cjs), not `--import tsx`, whose ESM
// loader thread cost every file's process 0.15–0.25 s of CPU.
const concurrency = option('concurrency') ?? (slow ? 2 : Math.max(4, 3 * availableParallelism()));
const result = spawnSync(
  process.execPath,
  [
    '--require',
    './test/support/ts-require.cjs',
    '--require',
    './test/support/cpu-usage.cjs',
    '--test',
    `--test-concurrency=${concurrency}`,
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=./test/summary-reporter.mjs',
    '--test-reporter-destination=stdout',
    ...files,
  ],
  {
    stdio: 'inherit',
    env: {
      ...process.env,
      VL_TEST_DURATIONS: option('durations') ?? process.env.VL_TEST_DURATIONS ?? '10',
      VL_TEST_CPU_LOG: cpuLog,
      VL_TEST_TIMES: timesFile,
      ...shared,
    },
  },
);
rmSync(cpuLog, { force: true });
if (browserServer) {
  const exited = new Promise((done) => browserServer.on('exit', done));
  browserServer.stdin.end();
  await exited;
}
process.exit(result.status ?? 1);
