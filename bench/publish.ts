// `npm run bench:publish [results.json]`: publishes one bench run (default bench/results.json, what
// `npm run bench` just wrote) as the figures of the docs. It copies the run to
// docs/bench/results-<date of its "at">.json, removes the other docs/bench/results-*.json (git history keeps
// them: one file is the one source), and rewrites the marked sections of README.md ("## Performance") and
// docs/performance.md ("## Results") from it (bench/publishRender.ts). The prose around the markers — causes
// of misses, machine notes — stays hand-written. test/unit/docs/bench-figures.test.ts checks the result.
import { copyFileSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type BenchResults, SECTIONS, renderReadme, renderResults, replaceMarked } from './publishRender';

const DOCS_BENCH = join('docs', 'bench');

function main(): void {
  const source = process.argv[2] ?? join('bench', 'results.json');
  const results = JSON.parse(readFileSync(source, 'utf8')) as BenchResults;
  if (typeof results.at !== 'string' || !Array.isArray(results.rows) || !Array.isArray(results.issue17)) {
    throw new Error(`${source} is not a bench/results.json (needs at, rows, issue17)`);
  }
  // Render both before writing anything, so a README row the run lacks leaves every file as it was.
  const readme = replaceMarked(readFileSync('README.md', 'utf8'), SECTIONS.readme, renderReadme(results));
  const performance = replaceMarked(readFileSync('docs/performance.md', 'utf8'), SECTIONS.results, renderResults(results));

  const name = `results-${results.at.slice(0, 10)}.json`;
  const target = join(DOCS_BENCH, name);
  if (resolve(source) !== resolve(target)) copyFileSync(source, target);
  for (const old of readdirSync(DOCS_BENCH)) {
    if (/^results-.*\.json$/.test(old) && old !== name) rmSync(join(DOCS_BENCH, old));
  }
  writeFileSync('README.md', readme);
  writeFileSync('docs/performance.md', performance);
  const met = results.rows.filter((r) => r.pass === true).length;
  const missed = results.rows.filter((r) => r.pass === false).length;
  process.stdout.write(
    `published ${source} (${results.at}; ${met} met, ${missed} missed) as ${target}; README.md and docs/performance.md rewritten\n`,
  );
}

try {
  main();
} catch (error) {
  process.stderr.write(`bench:publish: ${(error as Error).message}\n`);
  process.exit(1);
}
