// The tidy CSV export of a study analysis: one row per figure, every figure at full precision with its CI,
// p and adjusted p in their own columns, and the counts line adding up. Fixture: the panel's hand-built
// StudyAnalysis (test/fixtures/study-analysis/), so the expectations come from the JSON, not from the code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { StudyAnalysis } from '../../../src/core/study/analysisTypes';
import { analysisTables, countsLine, formatStudyAnalysis } from '../../../src/cli/studyOutput';

const analysis = JSON.parse(readFileSync('test/fixtures/study-analysis/study-analysis.json', 'utf8')) as StudyAnalysis;

test('alignment.csv: a header and one row per alignment figure, estimates and CIs at full precision', () => {
  const rows = analysisTables(analysis)['alignment.csv'];
  assert.equal(rows.length, analysis.alignment.length + 1);
  const header = rows[0];
  const col = (name: string): number => header.indexOf(name);
  analysis.alignment.forEach((a, i) => {
    const row = rows[i + 1];
    assert.equal(row[col('model')], a.model);
    assert.equal(row[col('reference')], a.reference);
    assert.equal(Number(row[col('n')]), a.n);
    if (a.pearson) {
      assert.ok(Math.abs(Number(row[col('pearson')]) - a.pearson.estimate) < 1e-12);
      if (a.pearson.ci) assert.ok(Math.abs(Number(row[col('pearson_ci_low')]) - a.pearson.ci[0]) < 1e-12);
      if (a.pearson.pHolm !== undefined && a.pearson.pHolm !== null)
        assert.ok(Math.abs(Number(row[col('pearson_p_holm')]) - a.pearson.pHolm) < 1e-12);
    } else assert.equal(row[col('pearson')], '');
  });
});

test('every table has rows of its header width; contrasts and consistency carry both definitions', () => {
  const tables = analysisTables(analysis);
  for (const [name, rows] of Object.entries(tables)) for (const row of rows) assert.equal(row.length, rows[0].length, name);
  assert.equal(tables['contrasts.csv'].length, analysis.contrasts.length + 1);
  const definitions = new Set(tables['consistency.csv'].slice(1).map((r) => r[2]));
  assert.deepEqual([...definitions].sort(), [...new Set(analysis.consistency.map((c) => c.definition))].sort());
});

test('the counts line states read = used + superseded + stale + skipped', () => {
  const c = analysis.counts;
  const line = countsLine(c);
  assert.match(line, new RegExp(`^records: ${c.read} read = ${c.used} used \\+ ${c.superseded} superseded \\+ ${c.stale} stale`));
  assert.equal(c.read, c.used + c.superseded + c.stale + Object.values(c.skipped).reduce((s, n) => s + (n ?? 0), 0));
  assert.match(formatStudyAnalysis(analysis), /Alignment with human data/);
});
