// `value-lens score` with a plan memo (src/core/run/planMemo.ts), through the built binary (memos need the
// bundle's identity): a re-run with every answer cached plans nothing and writes the same records; a
// damaged cache entry is asked again with the real prompt; changed input bytes never use the old memo.
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
  dir = tempDir();
});
after(async () => {
  await fake.close();
  await removeDir(dir);
});

type Line = Record<string, unknown> & { cacheKey: string; kind: string; cached: boolean };

/** Records without what differs between runs by design (run id, cached), keyed by cache key. */
function byKey(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const r of jsonLines(text) as Line[]) {
    const { runId: _r, cached: _c, ...rest } = r;
    map.set(r.cacheKey, JSON.stringify(rest));
  }
  return map;
}

test('a cached re-run from the memo writes the same records; a damaged entry is re-asked with its prompt; new bytes, new memo', async () => {
  const items = join(dir, 'items.wvs');
  await fs.copyFile(EXAMPLE_ITEMS, items);
  const out = join(dir, 'results.jsonl');
  const cache = join(dir, 'cache');
  const args = [
    'score',
    items,
    '--template',
    EXAMPLE_TEMPLATES,
    '--endpoint',
    fake.url,
    '--model',
    'fake-llm',
    '--method',
    'logprobs',
    '--lang',
    'da,en',
    '--cache-dir',
    cache,
    '--out',
    out,
    '--verbose',
  ];

  const first = await spawnCli(args);
  assert.equal(first.code, 0, first.stderr);
  assert.doesNotMatch(first.stderr, /remembered/);
  const sent = new Map(fake.modelRequests().map((r) => [JSON.stringify(r.body), r]));
  const planned = jsonLines(readFileSync(out, 'utf8')).length;
  assert.ok(planned > 10);
  assert.equal((await fs.readdir(join(cache, 'plans'))).filter((n) => n.endsWith('.vlp')).length, 1, 'one memo written');
  const original = byKey(readFileSync(out, 'utf8'));

  fake.requests.length = 0;
  const second = await spawnCli(args);
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stderr, new RegExp(`plan of ${planned} request\\(s\\) remembered`));
  assert.equal(fake.modelRequests().length, 0);
  const again = jsonLines(readFileSync(out, 'utf8')) as Line[];
  assert.ok(again.every((r) => r.kind === 'result' && r.cached));
  assert.deepEqual(byKey(readFileSync(out, 'utf8')), original, 'the same records, field for field and in key order');

  // Damage one cache entry's payload: the index still has it (the memo is used), the read refuses it, and
  // that one request goes out with the prompt the first run sent for it.
  const log = join(cache, 'entries.vlc');
  const bytes = readFileSync(log);
  const at = bytes.indexOf('"choices"') + 2;
  bytes[at] ^= 0x01;
  await fs.writeFile(log, bytes);
  fake.requests.length = 0;
  const third = await spawnCli(args);
  assert.equal(third.code, 0, third.stderr);
  assert.match(third.stderr, /remembered/);
  const resent = fake.modelRequests();
  assert.equal(resent.length, 1, 'only the damaged entry is asked again');
  assert.ok(sent.has(JSON.stringify(resent[0].body)), 'with the very request the plan makes');
  assert.deepEqual(new Set(byKey(readFileSync(out, 'utf8')).keys()), new Set(original.keys()));
  assert.match(third.stderr, new RegExp(`${planned - 1} from cache`));

  // One more byte in the items file: another memo, the old one is not used.
  await fs.appendFile(items, '\n');
  fake.requests.length = 0;
  const fourth = await spawnCli(args);
  assert.equal(fourth.code, 0, fourth.stderr);
  assert.doesNotMatch(fourth.stderr, /remembered/);
  assert.equal(fake.modelRequests().length, 0, 'the answers are still cached (same prompts)');
  assert.equal((await fs.readdir(join(cache, 'plans'))).filter((n) => n.endsWith('.vlp')).length, 2);
});
