// The scoreboard's table, shared by `npm run bench` and by each bench module run alone.
import { pathToFileURL } from 'node:url';
import type { BenchRow } from './types';

function format(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 100) return value.toFixed(0);
  if (Math.abs(value) >= 1) return value.toFixed(2);
  return value.toPrecision(3);
}

export function printTable(rows: BenchRow[]): void {
  const table = rows.map((row) => [
    row.group,
    row.name,
    `${format(row.value)} ${row.unit}`.trim(),
    row.target ?? '',
    row.pass === undefined ? '' : row.pass ? 'ok' : 'MISSED',
    row.note ?? '',
  ]);
  const header = ['group', 'figure', 'value', 'target', '', 'note'];
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  process.stdout.write(`${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const r of table) process.stdout.write(`${line(r)}\n`);
}

/** Runs a bench module and prints its rows when the module is the program itself (`node --import tsx bench/x.ts`). */
export function runIfMain(moduleUrl: string, name: string, run: () => Promise<BenchRow[]>): void {
  if (!process.argv[1] || moduleUrl !== pathToFileURL(process.argv[1]).href) return;
  run().then(printTable, (error: unknown) => {
    process.stderr.write(`bench ${name}: ${String(error)}\n`);
    process.exit(1);
  });
}
