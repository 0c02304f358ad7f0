// `npm test`, the fast tier, as one command: typecheck, lint, the format check, knip and build start at once (they are
// independent), and the unit and browser tests (test/run-unit.mjs) start as soon as the build is done (they
// need dist/), beside the checks still running. Run one after another they cost the sum of their times; the
// tests mostly wait on sockets, timers and Chromium, which leaves the cores to the checks.
//   node test/run-checks.mjs [run-unit arguments…]     e.g. --durations=0, or file filters
// A check's output is streamed a line at a time behind its name; the tests' output is theirs, unprefixed.
// Every step runs to its end (one failure does not hide another); then each step's result is listed and the
// run exits with the first failing step's exit code (in the order below), naming it. A failed build skips
// the tests, which would only fail on a stale or missing dist/.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { delimiter, resolve } from 'node:path';

const CHECKS = ['typecheck', 'lint', 'format:check', 'knip', 'build'];
// The commands are package.json's own scripts (one definition), run as npm would, without npm's start-up.
const scripts = JSON.parse(readFileSync('package.json', 'utf8')).scripts;
const env = { ...process.env, PATH: [resolve('node_modules/.bin'), process.env.PATH].join(delimiter) };
const width = Math.max(...CHECKS.map((name) => name.length));
const children = new Set();

function run(name, command, args, { prefix }) {
  const started = Date.now();
  return new Promise((done) => {
    // Piped output loses the terminal, so colours are asked for explicitly (checks only: the tests assert
    // on uncoloured output of their own children and keep the terminal below).
    const child = prefix
      ? spawn(command, args, {
          shell: true,
          stdio: ['ignore', 'pipe', 'pipe'],
          env: process.stdout.isTTY ? { ...env, FORCE_COLOR: '1' } : env,
        })
      : spawn(command, args, { stdio: 'inherit', env });
    children.add(child);
    if (prefix) {
      const label = `${name.padEnd(width)} │ `;
      for (const [stream, out] of [
        [child.stdout, process.stdout],
        [child.stderr, process.stderr],
      ]) {
        let rest = '';
        stream.setEncoding('utf8');
        // Whole lines only, so two steps' lines never mix inside one line.
        stream.on('data', (chunk) => {
          const lines = (rest + chunk).split('\n');
          rest = lines.pop();
          if (lines.length) out.write(lines.map((line) => label + line + '\n').join(''));
        });
        stream.on('end', () => rest && out.write(label + rest + '\n'));
      }
    }
    child.on('error', (error) => {
      process.stderr.write(`${name}: ${error.message}\n`);
    });
    child.on('close', (code, signal) => {
      children.delete(child);
      done({ name, code: code ?? 128 + (constants.signals[signal] ?? 0), signal, seconds: (Date.now() - started) / 1000 });
    });
  });
}

// Ctrl-C reaches the children through the terminal; a kill of this process alone is passed on.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    for (const child of children) child.kill(signal);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  });
}

const checks = CHECKS.map((name) => run(name, scripts[name], [], { prefix: true }));
const build = await checks[CHECKS.indexOf('build')];
const unit =
  build.code === 0 ? run('unit', process.execPath, ['test/run-unit.mjs', ...process.argv.slice(2)], { prefix: false }) : undefined;
const results = [...(await Promise.all(checks)), (await unit) ?? { name: 'unit', code: undefined, seconds: 0 }];

const status = (r) =>
  r.code === undefined
    ? 'not run (the build failed)'
    : r.code === 0
      ? `ok ${r.seconds.toFixed(1)} s`
      : `FAILED (exit ${r.code}${r.signal ? `, ${r.signal}` : ''}) ${r.seconds.toFixed(1)} s`;
process.stdout.write(`\nnpm test: ${results.map((r) => `${r.name} ${status(r)}`).join(' · ')}\n`);
const failed = results.find((r) => r.code !== 0 && r.code !== undefined);
if (failed) {
  process.stderr.write(
    `npm test: ${failed.name} failed (exit ${failed.code})${failed.name === 'unit' ? '' : `: npm run ${failed.name} shows it alone`}\n`,
  );
  process.exit(failed.code);
}
