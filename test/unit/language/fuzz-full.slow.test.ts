// The fuzz of both parsers at the slow tier's full count (10,000 cases, or VALUE_LENS_FUZZ_RUNS).
import { test } from 'node:test';
import { fuzzRuns, runFuzz } from './fuzz-property';

const RUNS = fuzzRuns(10_000);

test(`fuzz (full): ${RUNS} mutated .wvs/.wvt files parse without exceptions, with valid ranges, within budget`, {
  timeout: 60 * 60 * 1000,
}, () => {
  runFuzz(RUNS);
});
