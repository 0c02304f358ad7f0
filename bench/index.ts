// `npm run bench`: the project's scoreboard. Runs every bench module in one process run, prints a table
// with each figure and its target, then issue 17's figures side by side (bench/scoreboard.ts), and writes
// bench/results.json with the rows, that summary, the commit and the machine's load during the run
// (`npm run bench:publish` then makes it the figures of README.md and docs/performance.md). Ratios are
// measured within one run so a noisy machine affects both sides alike.
// `npm run bench -- cli-path peers` runs only those modules (the summary then says what was not measured).
import { execFileSync } from 'node:child_process';
import { writeFileSync, existsSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { printScoreboard, scoreboard, watchLoad } from './scoreboard';
import { printTable } from './table';
import type { BenchRow } from './types';

const MODULES = [
  'parse',
  'scheduler',
  'cache',
  'requests',
  'activation',
  'panel',
  'startup',
  'cli-path',
  'peers',
  'corpus-read',
  'analyze',
  'incremental',
  'study-plan',
  'batch',
];

/** The commit measured, read before the run (others may commit during it); undefined outside a git checkout. */
function commitOf(): { hash: string; clean: boolean } | undefined {
  const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    // Untracked files do not count: no committed file imports them, so they are not what was measured.
    return { hash: git('rev-parse', '--short', 'HEAD'), clean: git('status', '--porcelain', '--untracked-files=no') === '' };
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const commit = commitOf();
  const rows: BenchRow[] = [];
  const load = watchLoad(cpus().length);
  for (const name of MODULES) {
    if (only.length && !only.includes(name)) continue;
    const file = join(process.cwd(), 'bench', `${name}.ts`);
    if (!existsSync(file)) continue;
    const started = Date.now();
    try {
      const mod = (await import(pathToFileURL(file).href)) as { run(): Promise<BenchRow[]> };
      rows.push(...(await mod.run()));
    } catch (error) {
      rows.push({ group: name, name: 'bench failed', value: NaN, unit: '', note: String((error as Error).message ?? error) });
    }
    process.stderr.write(`bench ${name}: ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  }
  printTable(rows);
  const loadSummary = load.stop();
  const issue17 = scoreboard(rows);
  printScoreboard(issue17, loadSummary);
  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  };
  const modules = only.length ? MODULES.filter((m) => only.includes(m)) : MODULES;
  writeFileSync(
    join('bench', 'results.json'),
    JSON.stringify({ at: new Date().toISOString(), commit, machine, load: loadSummary, modules, issue17, rows }, null, 2) + '\n',
  );
  const missed = rows.filter((row) => row.pass === false);
  process.stdout.write(`\n${rows.filter((r) => r.pass === true).length} targets met, ${missed.length} missed\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${String(error)}\n`);
  process.exit(1);
});
