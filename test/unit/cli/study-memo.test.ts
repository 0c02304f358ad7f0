// `value-lens run STUDY` with a plan memo (src/core/study/session.ts, src/core/run/planMemo.ts), through the
// built binary (memos need the bundle's identity): a cached re-run takes its plan from the memo and writes
// the same records as a re-run without it; a torn or damaged memo is ignored (and logged), never used, and
// replaced; a changed items or templates file is another memo.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFakeOllama, type FakeServer } from '../../support/fake-ollama';
import { buildOnce, EXAMPLE_ITEMS, EXAMPLE_TEMPLATES, jsonLines, removeDir, spawnCli, tempDir } from './helpers';

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
  for (const [label, changed] of [['items', items], ['templates', templates]] as const) {
    const before = (await memos(cache)).length;
    await fs.appendFile(changed, '\n');
    const stderr = await run(`changed ${label}`);
    assert.doesNotMatch(stderr, /remembered/, label);
    assert.equal(fake.modelRequests().length, 0, `${label}: the answers are still cached (same prompts)`);
    assert.equal((await memos(cache)).length, before + 1, `${label}: a memo of the new bytes`);
    assert.match(await run(`${label} again`), /remembered/, label);
  }
});
