// Issue 17's table, side by side: each figure of the issue ("now" as the issue measured it, the target)
// picked out of the rows of one `npm run bench` run. A figure whose row is absent or has no value is
// reported NOT MEASURED with the reason the module gave (a peer tool not installed, a module that failed),
// never left out. Also the machine's load during the run, since a busy machine inflates wall times.
import { loadavg } from 'node:os';
import { formatValue } from './table';
import type { BenchRow } from './types';

export interface Figure {
  figure: string;
  /** The issue's own measurement before the work (its "now" column). */
  issueNow: string;
  target: string;
  /** Bench module that measures it (for the NOT MEASURED reason). */
  module: string;
  pick(row: BenchRow): boolean;
}

export interface ScoreboardLine {
  figure: string;
  value: number | null;
  unit: string;
  target: string;
  status: 'ok' | 'MISSED' | 'NOT MEASURED';
  issueNow: string;
  note: string;
}

export const ISSUE_17: Figure[] = [
  {
    figure: '1,000 requests, L=20 ms, capacity 4, c=4, whole CLI: wall / ideal (5 s)',
    issueNow: '1.25–1.30×',
    target: '≤ 1.05×',
    module: 'cli-path',
    pick: (r) => r.group === 'cli' && /requests, whole CLI process: wall \/ ideal/.test(r.name),
  },
  {
    figure: 'client CPU per request (user + sys), whole CLI',
    issueNow: '2–4 ms (node:http floor 0.7 ms)',
    target: '≤ 1 ms',
    module: 'cli-path',
    pick: (r) => r.group === 'cli' && r.name.startsWith('client CPU (user + sys) per request'),
  },
  {
    figure: 're-run of 10,000 cached results, whole CLI: wall',
    issueNow: '1.9–2.3 s',
    target: '≤ 500 ms',
    module: 'cli-path',
    pick: (r) => r.group === 'cli' && /^re-run of 10,000 cached results, whole CLI process/.test(r.name),
  },
  {
    figure: 're-run of 10,000 cached results, whole CLI: CPU (user + sys)',
    issueNow: '(not measured by the issue)',
    target: '≤ 500 ms',
    module: 'cli-path',
    pick: (r) => r.group === 'cli' && r.name === 'CPU (user + sys) of the cached re-run',
  },
  {
    figure: 'analyze, whole CLI: wall',
    issueNow: '100k 18.8 s / 500k 93 s / 1M fails',
    target: '1M ≤ 10 s',
    module: 'analyze',
    // The target is for 1M records; a run with other sizes (VL_BENCH_ANALYZE_SIZES) leaves it NOT MEASURED.
    pick: (r) => r.group === 'analyze' && r.name === 'wall time of analyze STUDY --json, 1,000,000 records (whole CLI process)',
  },
  {
    figure: 'analyze, whole CLI: peak RSS',
    issueNow: '500k 3.0 GB',
    target: '1M ≤ 1 GB',
    module: 'analyze',
    pick: (r) => r.group === 'analyze' && r.name === 'peak RSS of analyze, 1,000,000 records',
  },
  {
    figure: 'CLI vs promptfoo 0.123.1, same 1,000 prompts, same server, same run: wall ratio',
    issueNow: '0.385–0.53×',
    target: '≤ 0.35×',
    module: 'peers',
    pick: (r) => r.group === 'versus promptfoo' && r.name === 'wall time ours / promptfoo',
  },
];

export function scoreboard(rows: BenchRow[], figures: Figure[] = ISSUE_17): ScoreboardLine[] {
  return figures.map((f) => {
    const row = rows.find(f.pick);
    const failed = rows.find((r) => r.group === f.module && r.name === 'bench failed');
    if (!row || !Number.isFinite(row.value)) {
      const why = row?.note ?? failed?.note ?? `bench module ${f.module} did not run or gave no such row`;
      return {
        figure: f.figure,
        value: null,
        unit: row?.unit ?? '',
        target: f.target,
        status: 'NOT MEASURED',
        issueNow: f.issueNow,
        note: why,
      };
    }
    const status = row.pass === true ? 'ok' : 'MISSED';
    return {
      figure: f.figure,
      value: row.value,
      unit: row.unit,
      target: f.target,
      status,
      issueNow: f.issueNow,
      note: `${row.name}${row.note ? `; ${row.note}` : ''}`,
    };
  });
}

export function printScoreboard(lines: ScoreboardLine[], load: LoadSummary): void {
  const table = lines.map((l) => [l.figure, formatValue(l.value, l.unit), l.target, l.status, l.issueNow]);
  const header = ['issue 17 figure', 'now (this run)', 'target', '', 'issue measured'];
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  process.stdout.write(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const r of table) process.stdout.write(`${line(r)}\n`);
  for (const l of lines) if (l.status === 'NOT MEASURED') process.stdout.write(`NOT MEASURED: ${l.figure}: ${l.note}\n`);
  process.stdout.write(
    `machine load (1-min average) during the run: mean ${load.mean.toFixed(2)}, max ${load.max.toFixed(2)} over ${load.samples} samples, ${load.cpus} CPUs\n`,
  );
}

export interface LoadSummary {
  cpus: number;
  start: number;
  end: number;
  mean: number;
  max: number;
  samples: number;
}

/** Samples the 1-minute load average every `everyMs` until stopped. */
export function watchLoad(cpus: number, everyMs = 10_000): { stop(): LoadSummary } {
  const samples = [loadavg()[0]];
  const timer = setInterval(() => samples.push(loadavg()[0]), everyMs);
  timer.unref();
  return {
    stop: () => {
      clearInterval(timer);
      samples.push(loadavg()[0]);
      return {
        cpus,
        start: samples[0],
        end: samples[samples.length - 1],
        mean: samples.reduce((a, b) => a + b, 0) / samples.length,
        max: Math.max(...samples),
        samples: samples.length,
      };
    },
  };
}
