// The published benchmark figures have one source: the committed docs/bench/results-*.json. README.md's
// "## Performance" table and docs/performance.md's "## Results" must be exactly what `npm run bench:publish`
// renders from it (bench/publishRender.ts), so a figure edited by hand, or left from an older run, fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type BenchResults, README_ROWS, SECTIONS, markedSection, renderReadme, renderResults } from '../../../bench/publishRender';

const runs = readdirSync('docs/bench').filter((name) => /^results-.*\.json$/.test(name));
const results = JSON.parse(readFileSync(join('docs/bench', runs[0] ?? 'missing.json'), 'utf8')) as BenchResults;
const readme = readFileSync('README.md', 'utf8');
const performance = readFileSync('docs/performance.md', 'utf8');

/** The data rows of the markdown tables in `text`, each as its cells (an escaped `\|` stays in its cell). */
function tableRows(text: string): string[][] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('|---'))
    .map((line) =>
      line
        .slice(2, -2)
        .split(/ (?<!\\)\| /)
        .map((c) => c.replace(/\\\|/g, '|')),
    );
}

/** What disagrees between the docs and the run: README rows against the run and against performance.md. */
function disagreements(readmeText: string, performanceText: string): string[] {
  const out: string[] = [];
  const perfRows = tableRows(markedSection(performanceText, SECTIONS.results));
  const readmeRows = tableRows(markedSection(readmeText, SECTIONS.readme)).slice(1); // after the header
  if (readmeRows.length !== README_ROWS.length) out.push(`README has ${readmeRows.length} rows, README_ROWS ${README_ROWS.length}`);
  for (const [label, value] of readmeRows) {
    const chosen = README_ROWS.find((r) => r.label === label);
    if (!chosen) {
      out.push(`README row "${label}" is not in README_ROWS`);
      continue;
    }
    const perf = perfRows.find(([group, figure]) => group === chosen.group && figure === chosen.figure);
    if (!perf) out.push(`README row "${label}": performance.md has no row ${chosen.group} / ${chosen.figure}`);
    else if (perf[2] !== value) out.push(`README row "${label}": ${value} in README, ${perf[2]} in performance.md`);
  }
  return out;
}

test('exactly one published run in docs/bench (git history keeps the others)', () => {
  assert.equal(runs.length, 1, `docs/bench has ${runs.join(', ') || 'no results-*.json'}`);
  assert.equal(runs[0], `results-${results.at.slice(0, 10)}.json`, 'named after the date of its "at"');
});

test('every README row names a figure the published run has', () => {
  const missing = README_ROWS.filter(({ group, figure }) => !results.rows.some((r) => r.group === group && r.name === figure));
  assert.deepEqual(missing, [], 'README_ROWS (bench/publishRender.ts) names rows that the run lacks');
  const lacking = { ...results, rows: results.rows.filter((r) => r.name !== README_ROWS[0].figure) };
  assert.throws(() => renderReadme(lacking), /the run has no row parse \/ parse \+ diagnostics/);
});

test("README's and performance.md's marked sections are what bench:publish renders from the run", () => {
  assert.equal(markedSection(readme, SECTIONS.readme), renderReadme(results), 'README.md: run `npm run bench:publish`');
  assert.equal(markedSection(performance, SECTIONS.results), renderResults(results), 'docs/performance.md: run `npm run bench:publish`');
});

test("each README figure equals performance.md's row of the same group and figure", () => {
  assert.deepEqual(disagreements(readme, performance), []);
  // A figure edited by hand in the README alone is caught here as well as by the rendering check above.
  const [label, value] = tableRows(markedSection(readme, SECTIONS.readme))[1];
  const edited = readme.replace(`| ${label} | ${value} |`, `| ${label} | 1.00 ms |`);
  assert.notEqual(edited, readme);
  assert.deepEqual(disagreements(edited, performance), [`README row "${label}": 1.00 ms in README, ${value} in performance.md`]);
});
