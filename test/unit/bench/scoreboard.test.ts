// The issue-17 summary of `npm run bench`: every figure of the issue's table gets a line — measured (ok or
// MISSED against its target) or NOT MEASURED with the reason its module gave — never silently dropped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ISSUE_17, scoreboard } from '../../../bench/scoreboard';
import type { BenchRow } from '../../../bench/types';

test('each figure of the issue has a line; absent and unmeasured rows say why', () => {
  const rows: BenchRow[] = [
    {
      group: 'cli',
      name: '1000 requests, whole CLI process: wall / ideal (5000 ms)',
      value: 1.04,
      unit: '×',
      target: '≤ 1.05',
      pass: true,
    },
    {
      group: 'cli',
      name: 'client CPU (user + sys) per request, whole CLI process',
      value: 1.4,
      unit: 'ms',
      target: '≤ 1 ms',
      pass: false,
      note: 'CPU 1400 ms',
    },
    {
      group: 'versus promptfoo',
      name: 'wall time ours / promptfoo',
      value: NaN,
      unit: '×',
      target: '≤ 0.35',
      pass: false,
      note: 'NOT MEASURED: promptfoo 0.123.1 absent',
    },
    { group: 'analyze', name: 'bench failed', value: NaN, unit: '', note: 'dist/cli.js missing' },
  ];
  const lines = scoreboard(rows);
  assert.equal(lines.length, ISSUE_17.length);
  const by = (start: string) => lines.find((l) => l.figure.startsWith(start))!;
  assert.equal(by('1,000 requests').status, 'ok');
  assert.equal(by('1,000 requests').value, 1.04);
  assert.equal(by('client CPU').status, 'MISSED');
  assert.equal(by('CLI vs promptfoo').status, 'NOT MEASURED');
  assert.match(by('CLI vs promptfoo').note, /promptfoo 0\.123\.1 absent/);
  assert.equal(by('analyze, whole CLI: wall').status, 'NOT MEASURED');
  assert.match(by('analyze, whole CLI: wall').note, /dist\/cli\.js missing/);
  assert.equal(by('re-run of 10,000 cached results, whole CLI: wall').status, 'NOT MEASURED');
  assert.match(by('re-run of 10,000 cached results, whole CLI: wall').note, /cli-path/);
  for (const l of lines) assert.ok(l.target && l.issueNow, l.figure);
});

test('the analyze figures are the 1M-record rows, not the first size the module measured', () => {
  const row = (name: string, value: number): BenchRow => ({
    group: 'analyze',
    name,
    value,
    unit: name.startsWith('peak') ? 'MiB' : 's',
    pass: false,
  });
  const rows = [
    row('wall time of analyze STUDY --json, 100,000 records (whole CLI process)', 7.6),
    row('peak RSS of analyze, 100,000 records', 226),
    row('wall time of analyze STUDY --json, 1,000,000 records (whole CLI process)', 69.5),
    row('peak RSS of analyze, 1,000,000 records', 1881),
  ];
  const lines = scoreboard(rows);
  assert.equal(lines.find((l) => l.figure === 'analyze, whole CLI: wall')!.value, 69.5);
  assert.equal(lines.find((l) => l.figure === 'analyze, whole CLI: peak RSS')!.value, 1881);
});
