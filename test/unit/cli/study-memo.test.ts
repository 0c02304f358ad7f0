// `value-lens run STUDY` with a plan memo (src/core/study/session.ts, src/core/run/planMemo.ts), through the
// built binary (memos need the bundle's identity): a cached re-run takes its plan from the memo and writes
// the same records as a re-run without it; a torn or damaged memo is ignored (and logged), never used, and
// replaced; a changed items or templates file is another memo. The study's load memo (core/study/loadMemo.ts):
// a run from it prints what a parsing run prints (diagnostics, plan, analysis) and exits alike.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFakeOllama, type FakeServer } from '../../support/fake-ollama';
import {
  buildOnce,
  EXAMPLE_HUMAN,
  EXAMPLE_ITEMS,
  EXAMPLE_TEMPLATES,
  jsonLines,
  removeDir,
  spawnCli,
  tempDir,
  type CliResult,
} from './helpers';

let fake: FakeServer;
let dir: string;
before(async () => {
  buildOnce();
  fake = await startFakeOllama();
  dir = tempDir('vl-study-memo-');
});
after(async () => {
  await fake.close();
  await removeDir(dir);
});

type Line = Record<string, unknown> & { runId: string };

/**
 * The records of each run in the corpus, in run order, without what differs between runs by design, sorted
 * (records are appended as answers complete; the plan's order is session-memo.test.ts's).
 */
function runsOf(results: string): string[][] {
  const runs = new Map<string, string[]>();
  for (const r of jsonLines(readFileSync(join(results, 'records.jsonl'), 'utf8')) as Line[]) {
    const { runId, cached: _c, ...rest } = r;
    if (!runs.has(runId)) runs.set(runId, []);
    runs.get(runId)!.push(JSON.stringify(rest));
  }
  return [...runs.values()].map((lines) => lines.sort());
}

const memos = async (cache: string): Promise<string[]> => (await fs.readdir(join(cache, 'plans'))).filter((n) => n.endsWith('.vlp')).sort();

test('a cached study re-run uses its memo, with the same records as without; a torn or damaged memo is ignored; changed inputs, another memo', async () => {
  const items = join(dir, 'items.wvs');
  const templates = join(dir, 'prompts.wvt');
  await fs.copyFile(EXAMPLE_ITEMS, items);
  await fs.copyFile(EXAMPLE_TEMPLATES, templates);
  const results = join(dir, 'memo.results');
  const study = join(dir, 'memo.study.json');
  await fs.writeFile(
    study,
    JSON.stringify({
      name: 'memo',
      items: [{ file: items }],
      templates: [{ file: templates, names: ['direct'] }],
      languages: ['da', 'en'],
      models: [{ id: 'm', provider: 'ollama', model: 'fake-llm', endpoint: fake.url }],
      method: 'logprobs',
      results,
    }),
  );
  const cache = join(dir, 'cache');
  const args = ['run', study, '--no-analysis', '--cache-dir', cache, '--verbose'];
  const run = async (label: string): Promise<string> => {
    fake.requests.length = 0;
    const r = await spawnCli(args);
    assert.equal(r.code, 0, `${label}: ${r.stderr}`);
    return r.stderr;
  };

  const first = await run('first');
  assert.doesNotMatch(first, /remembered/);
  const planned = runsOf(results)[0].length;
  assert.ok(planned > 10);
  assert.deepEqual((await memos(cache)).length, 1, 'one memo written');

  const second = await run('second');
  assert.match(second, new RegExp(`plan of ${planned} request\\(s\\) remembered`));
  assert.equal(fake.modelRequests().length, 0);

  // Without the memo (removed): planned as before, and the records are those the memo's run wrote.
  const [memo] = await memos(cache);
  const file = join(cache, 'plans', memo);
  const good = await fs.readFile(file);
  await fs.rm(file);
  const third = await run('without a memo');
  assert.doesNotMatch(third, /remembered/);
  assert.equal(fake.modelRequests().length, 0);
  let runs = runsOf(results);
  assert.equal(runs.length, 3);
  assert.deepEqual(runs[1], runs[2], 'the same records, field for field and in key order, with and without the memo');
  assert.deepEqual(await memos(cache), [memo], 'written again, under the same name');

  // Torn, then damaged: never used, said so, the same records, and an intact memo written in its place.
  for (const [label, bytes, reason] of [
    ['torn', good.subarray(0, good.length - 7), /ignored: torn/],
    ['damaged', Buffer.from(good).fill(0x20, good.length - 40, good.length - 30), /ignored: damaged/],
  ] as const) {
    await fs.writeFile(file, bytes);
    const stderr = await run(label);
    assert.match(stderr, reason, label);
    assert.doesNotMatch(stderr, /remembered/, label);
    assert.equal(fake.modelRequests().length, 0, label);
    runs = runsOf(results);
    assert.deepEqual(runs[runs.length - 1], runs[1], `${label}: the same records`);
    assert.deepEqual(await fs.readFile(file), good, `${label}: replaced by the intact memo`);
  }
  assert.match(await run('after the repair'), /remembered/);

  // One more byte in the items file, then in the templates file: each is another memo; the old one is not used.
  for (const [label, changed] of [
    ['items', items],
    ['templates', templates],
  ] as const) {
    const before = (await memos(cache)).length;
    await fs.appendFile(changed, '\n');
    const stderr = await run(`changed ${label}`);
    assert.doesNotMatch(stderr, /remembered/, label);
    assert.equal(fake.modelRequests().length, 0, `${label}: the answers are still cached (same prompts)`);
    assert.equal((await memos(cache)).length, before + 1, `${label}: a memo of the new bytes`);
    assert.match(await run(`${label} again`), /remembered/, label);
  }
});

/** A run's output without what differs between runs by design (run ids). */
const same = (r: CliResult): { code: number | null; stdout: string; stderr: string } => {
  const runIds = (text: string): string => text.replace(/\b\d{8}T\d{6}Z-[0-9a-f]{6}\b/g, 'RUN');
  return { code: r.code, stdout: runIds(r.stdout), stderr: runIds(r.stderr) };
};

test('a study run from its load memo prints the diagnostics, plan and analysis of a parsing run and exits alike; a study with errors is never remembered', async () => {
  const items = join(dir, 'load-items.wvs');
  const templates = join(dir, 'load-prompts.wvt');
  const human = join(dir, 'load-human.csv');
  await fs.copyFile(EXAMPLE_ITEMS, items);
  await fs.copyFile(EXAMPLE_TEMPLATES, templates);
  // A row the reader rejects (a human-data warning) besides the example's rows.
  await fs.writeFile(human, `${(await fs.readFile(EXAMPLE_HUMAN, 'utf8')).trimEnd()}\nDK,D059,not-a-number,da\n`);
  const study = join(dir, 'load.study.json');
  const design = {
    name: 'load',
    items: [{ file: items, ids: ['Q1', 'Q29', 'Q182', 'Q184', 'Q185'] }],
    templates: [{ file: templates, names: ['direct'], paraphrases: 'none' }],
    languages: ['en', 'da'],
    languageCountries: { en: ['US'], da: ['DK', 'SE'] },
    models: [{ id: 'm', provider: 'ollama', model: 'fake-llm', endpoint: fake.url }],
    method: 'logprobs',
    human: [{ file: human }],
    analysis: { levels: ['item'], measures: ['mean', 'pro'], references: ['language'], bootstrap: { iterations: 50, seed: 1 } },
    results: join(dir, 'load.results'),
  };
  await fs.writeFile(study, JSON.stringify(design, null, 2));
  const cache = join(dir, 'load-cache');
  const loads = join(cache, 'studies');
  // Each run into an empty corpus (the answers are cached): the analysis reads one run's records, alike.
  const run = async (file: string, ...more: string[]): Promise<CliResult> => {
    await fs.rm(design.results, { recursive: true, force: true });
    return spawnCli(['run', file, '--cache-dir', cache, ...more]);
  };

  const first = await run(study);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stderr, /warning: study\/human-data: 1 problem\(s\) reading .*line \d+/);
  assert.match(first.stderr, /warning: study\/country-not-in-human: no human data for SE/);
  assert.match(first.stdout, /^m +da +– +DK +item +pro +4 /m, 'the analysis compares with the human data (items and human file parsed)');
  const [memo] = await fs.readdir(loads);
  assert.ok(memo?.endsWith('.vls'), 'a load memo written');
  const good = await fs.readFile(join(loads, memo));
  const verbose = await run(study, '--verbose');
  assert.match(verbose.stderr, new RegExp(`study load memo .*${memo} used: 2 file\\(s\\) not parsed`));

  const fromMemo = await run(study);
  await fs.rm(loads, { recursive: true });
  const parsing = await run(study);
  assert.deepEqual(same(fromMemo), same(parsing), 'the same exit code, stdout and stderr with and without the load memo');
  assert.deepEqual(await fs.readFile(join(loads, memo)), good, 'written again, the same');

  // Torn: ignored and said so (--verbose), the run as without it, the memo written again.
  await fs.writeFile(join(loads, memo), good.subarray(0, good.length - 3));
  const torn = await run(study, '--verbose');
  assert.match(torn.stderr, /study load memo .*\.vls ignored: torn/);
  assert.doesNotMatch(torn.stderr, /study load memo .* used/);
  assert.equal(torn.code, 0);
  assert.deepEqual(same(await run(study)), same(parsing));
  assert.deepEqual(await fs.readFile(join(loads, memo)), good);

  // An error (an item the file lacks): exit 1 with its diagnostics, every time; nothing remembered.
  const bad = join(dir, 'load-bad.study.json');
  await fs.writeFile(bad, JSON.stringify({ ...design, items: [{ file: items, ids: ['Q1', 'Q999'] }] }, null, 2));
  const failed = await run(bad);
  assert.equal(failed.code, 1);
  assert.match(failed.stderr, /error: study\/unknown-item: no item "Q999"/);
  assert.deepEqual(same(await run(bad)), same(failed));
  assert.deepEqual(await fs.readdir(loads), [memo], 'no memo of a study with errors');
});
