// The fuzz of both parsers (fuzz-property.ts) at the fast tier's 2,000 cases; the slow tier runs 10,000
// (VALUE_LENS_FUZZ_RUNS overrides both; 100,000 for a full run).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fuzzRuns, runFuzz } from './fuzz-property';
import { invalidRange } from './helpers';

const RUNS = fuzzRuns(2_000);

test(`fuzz: ${RUNS} mutated .wvs/.wvt files parse without exceptions, with valid ranges, within budget`, {
  timeout: 60 * 60 * 1000,
}, () => {
  runFuzz(RUNS);
});

test('the range checks used above reject ranges outside the document', () => {
  const lengths = [5, 0, 3];
  const r = (l1: number, c1: number, l2: number, c2: number) => ({ start: { line: l1, character: c1 }, end: { line: l2, character: c2 } });
  assert.equal(invalidRange(r(0, 0, 2, 3), lengths), undefined);
  assert.match(invalidRange(r(0, 0, 3, 0), lengths) ?? '', /line 3/);
  assert.match(invalidRange(r(1, 1, 1, 1), lengths) ?? '', /character 1/);
  assert.match(invalidRange(r(2, 2, 2, 1), lengths) ?? '', /end before start/);
  assert.match(invalidRange(r(0, -1, 0, 1), lengths) ?? '', /character -1/);
  assert.match(invalidRange(r(0, 0.5, 0, 1), lengths) ?? '', /non-integer/);
});
