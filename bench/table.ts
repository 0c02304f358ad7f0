// The scoreboard's table, shared by `npm run bench` and by each bench module run alone.
import { pathToFileURL } from 'node:url';
import type { BenchRow } from './types';

/**
 * A figure as the scoreboard and the published docs show it (bench/publishRender.ts): three significant
 * digits below 1, two decimals below 100, whole numbers above. A row without a value (its module failed;
 * NaN reads back from results.json as null) shows a dash.
 */
export function formatValue(value: number | null, unit: string): string {
  if (value === null || !Number.isFinite(value)) return '—';
  const text = Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 1 ? value.toFixed(2) : value.toPrecision(3);
  return `${text} ${unit}`.trim();
}

export function printTable(rows: BenchRow[]): void {
  const table = rows.map((row) => [
    row.group,
    row.name,
    formatValue(row.value, row.unit),
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
