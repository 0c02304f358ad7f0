// `npm run bench`: the project's scoreboard. Runs every bench module in one process run, prints a table
// with each figure and its target, and writes bench/results.json. Ratios are measured within one run so a
// noisy machine affects both sides alike.
import { writeFileSync, existsSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { printTable } from './table';
import type { BenchRow } from './types';

const MODULES = ['parse', 'scheduler', 'cache', 'requests', 'activation', 'panel', 'cli-path', 'peers', 'corpus-read', 'analyze', 'study-plan', 'batch'];

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const rows: BenchRow[] = [];
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
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version };
  writeFileSync(join('bench', 'results.json'), JSON.stringify({ at: new Date().toISOString(), machine, rows }, null, 2) + '\n');
  const missed = rows.filter((row) => row.pass === false);
  process.stdout.write(`\n${rows.filter((r) => r.pass === true).length} targets met, ${missed.length} missed\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${String(error)}\n`);
  process.exit(1);
});
