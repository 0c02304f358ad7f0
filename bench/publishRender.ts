// What `npm run bench:publish` (bench/publish.ts) writes into README.md and docs/performance.md, rendered from
// one run's results.json. Pure functions, so test/unit/docs/bench-figures.test.ts can check that the
// committed docs are exactly what the committed docs/bench/results-*.json renders to: a figure edited by hand
// in either file, or copied from another run, fails that test.
import type { LoadSummary, ScoreboardLine } from './scoreboard';
import { formatValue } from './table';
import type { BenchRow } from './types';

/** bench/results.json as bench/index.ts writes it. `commit` is absent in runs before 2026-12-03. */
export interface BenchResults {
  at: string;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string };
  load: LoadSummary;
  modules?: string[];
  commit?: { hash: string; clean: boolean };
  issue17: ScoreboardLine[];
  /** A row whose value was NaN (its module failed) reads back with value null. */
  rows: (Omit<BenchRow, 'value'> & { value: number | null })[];
}

/** The README's short table: which rows, under the README's own label. Each must be a row of the run. */
export const README_ROWS: readonly { group: string; figure: string; label: string }[] = [
  {
    group: 'parse',
    figure: 'parse + diagnostics, 2,000 items × 4 languages',
    label: 'parse + diagnostics, 2,000 items × 4 languages (CPU)',
  },
  { group: 'parse', figure: 'speed-up over js-yaml', label: 'parse speed-up over js-yaml' },
  { group: 'activation', figure: 'code lenses of 2,000 items via the registered provider', label: 'code lenses for 2,000 items' },
  {
    group: 'cli',
    figure: '1000 requests, whole CLI process: wall / ideal (5000 ms)',
    label: '1,000 requests, 20 ms latency, capacity 4, concurrency 4, whole CLI: wall / ideal',
  },
  { group: 'cli', figure: 'client CPU (user + sys) per request, whole CLI process', label: 'client CPU per request, whole CLI' },
  { group: 'cli', figure: 're-run of 10,000 cached results, whole CLI process', label: 're-run of 10,000 cached results, whole CLI: wall' },
  { group: 'cli', figure: 'CPU (user + sys) of the cached re-run', label: 're-run of 10,000 cached results, whole CLI: CPU' },
  {
    group: 'versus promptfoo',
    figure: 'wall time ours / promptfoo',
    label: 'CLI vs promptfoo 0.123.1, same 1,000 prompts, same server: wall',
  },
  { group: 'corpus', figure: 'read + select 1,000,000 records (child process)', label: 'read + select 1,000,000 corpus records: wall' },
  { group: 'corpus', figure: 'peak RSS reading + selecting 1,000,000 records', label: 'read + select 1,000,000 corpus records: peak RSS' },
  {
    group: 'analyze',
    figure: 'wall time of analyze STUDY --json, 1,000,000 records (whole CLI process)',
    label: '`analyze` of 1,000,000 records, whole CLI: wall',
  },
  { group: 'analyze', figure: 'CPU (user + sys) of analyze, 1,000,000 records', label: '`analyze` of 1,000,000 records: CPU' },
  { group: 'analyze', figure: 'peak RSS of analyze, 1,000,000 records', label: '`analyze` of 1,000,000 records: peak RSS' },
  {
    group: 'study-plan',
    figure: '1M-request plan streamed (iterateStudyPlan → estimatePlan): CPU time',
    label: '1M-request study plan streamed: CPU',
  },
  {
    group: 'study-plan',
    figure: '1M-request plan streamed (iterateStudyPlan → estimatePlan): peak RSS',
    label: '1M-request study plan streamed: peak RSS',
  },
  { group: 'activation', figure: 'extension bundle (production)', label: 'extension bundle (production)' },
  { group: 'activation', figure: 'webview bundle (production)', label: 'webview bundle (production)' },
  {
    group: 'panel',
    figure: 'chart update, 4 languages × 300 items (median)',
    label: 'panel: update all charts, 4 languages × 300 items (Chromium)',
  },
];

/** The marked sections: `start` and `end` enclose what publish rewrites; everything outside is hand-written. */
export const SECTIONS = {
  readme: {
    start: '<!-- bench:publish readme — generated from docs/bench/results-*.json by `npm run bench:publish`; do not edit by hand -->',
    end: '<!-- /bench:publish readme -->',
  },
  results: {
    start: '<!-- bench:publish results — generated from docs/bench/results-*.json by `npm run bench:publish`; do not edit by hand -->',
    end: '<!-- /bench:publish results -->',
  },
} as const;

type Section = (typeof SECTIONS)[keyof typeof SECTIONS];

/** The run in one line: when, at which commit, on what machine, under what load (and which modules ran). */
function describeRun(results: BenchResults, { listModules }: { listModules: boolean }): string {
  const when = `${results.at.slice(0, 16).replace('T', ' ')} UTC`;
  const commit = results.commit
    ? `commit \`${results.commit.hash}\` (${results.commit.clean ? 'tree clean' : 'uncommitted changes in the tree'})`
    : 'commit not recorded';
  const { machine, load } = results;
  const list = listModules ? ` (${results.modules?.join(', ')})` : '';
  const modules = results.modules ? ` of ${results.modules.length} modules${list}` : '';
  return (
    `\`npm run bench\` run${modules}, finished ${when}, ${commit}. ` +
    `**Machine**: ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGiB} GiB memory, Node ${machine.node}. ` +
    `**Load** (1-min average, ${load.samples} samples): mean ${load.mean.toFixed(2)}, max ${load.max.toFixed(2)} ` +
    `(${load.start.toFixed(2)} at the start, ${load.end.toFixed(2)} at the end).`
  );
}

// A table cell: a `|` in a note would split the cell.
const cell = (text: string): string => text.replace(/\|/g, '\\|');
const tableLine = (cells: string[]): string => `| ${cells.map(cell).join(' | ')} |`;
const status = (pass: boolean | undefined): string => (pass === undefined ? '' : pass ? 'ok' : '**missed**');

/** docs/performance.md "## Results": the run, every row, the met/missed count, issue 17's table. */
export function renderResults(results: BenchResults): string {
  const met = results.rows.filter((r) => r.pass === true).length;
  const missed = results.rows.filter((r) => r.pass === false).length;
  const issueStatus = { ok: 'ok', MISSED: '**missed**', 'NOT MEASURED': 'not measured' } as const;
  return [
    describeRun(results, { listModules: true }),
    '',
    tableLine(['Group', 'Figure', 'Value', 'Target', '', 'Note']),
    '|---|---|---|---|---|---|',
    ...results.rows.map((r) => tableLine([r.group, r.name, formatValue(r.value, r.unit), r.target ?? '', status(r.pass), r.note ?? ''])),
    '',
    `${met} targets met, ${missed} missed.`,
    '',
    "Issue 17's table, from the same run (`bench/results.json` → `issue17`):",
    '',
    tableLine(['Figure', 'This run', 'Target', '', 'When the issue was filed']),
    '|---|---|---|---|---|',
    ...results.issue17.map((l) => tableLine([l.figure, formatValue(l.value, l.unit), l.target, issueStatus[l.status], l.issueNow])),
  ].join('\n');
}

/** README.md "## Performance": the chosen rows with their target; throws naming a row the run lacks. */
export function renderReadme(results: BenchResults): string {
  const lines = README_ROWS.map(({ group, figure, label }) => {
    const row = results.rows.find((r) => r.group === group && r.name === figure);
    if (!row)
      throw new Error(
        `README row "${label}": the run has no row ${group} / ${figure} (bench/publishRender.ts README_ROWS); publish a full \`npm run bench\` run`,
      );
    const target = (row.target ?? '') + (row.pass === false ? ' — **missed**' : '');
    return tableLine([label, formatValue(row.value, row.unit), target]);
  });
  return [
    `${describeRun(results, { listModules: false })} All rows: [docs/performance.md](docs/performance.md#results).`,
    '',
    '| figure | measured | target |',
    '|---|---|---|',
    ...lines,
  ].join('\n');
}

function bounds(text: string, section: Section): { from: number; to: number } {
  const from = text.indexOf(section.start);
  const to = text.indexOf(section.end);
  if (from < 0 || to < from || text.indexOf(section.start, from + 1) >= 0) {
    throw new Error(`expected exactly one "${section.start}" followed by "${section.end}"`);
  }
  return { from: from + section.start.length, to };
}

/** What stands between a section's markers, without the blank lines that frame it. */
export function markedSection(text: string, section: Section): string {
  const { from, to } = bounds(text, section);
  return text.slice(from, to).trim();
}

/** `text` with the section's content replaced by `body` (a blank line after the start marker and before the end). */
export function replaceMarked(text: string, section: Section, body: string): string {
  const { from, to } = bounds(text, section);
  return `${text.slice(0, from)}\n\n${body}\n\n${text.slice(to)}`;
}
