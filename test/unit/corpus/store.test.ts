// Disk full and concurrent writers (issue 18 High 2, issue 14 point 3): a failed write is a counted
// failure, the file keeps no torn line, and on-disk records + writeFailures = planned.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { CompletionRequest, CompletionResponse, ModelProvider } from '../../../src/core/model';
import { runPlan } from '../../../src/core/run/runner';
import { ResultsStore } from '../../../src/core/run/store';
import { makePlan } from '../run/support';
import { failingOpen, parsesAll, result } from './support';

async function tmp(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'vl-corpus-store-'));
}

test('ENOSPC on write calls 3..10 (short writes among them): failed batches are cut off whole and counted', async () => {
  const dir = await tmp();
  try {
    const path = join(dir, 'records.jsonl');
    // Calls 3, 5, 7, 9 write half of their batch and then the retry of the rest fails: a torn fragment
    // each time, which the store must cut off again.
    const open = failingOpen((n) => (n >= 3 && n <= 10 ? (n % 2 === 1 ? 'short' : 'enospc') : 'ok'));
    const store = new ResultsStore(path, { open });
    let rejected = 0;
    for (let i = 0; i < 30; i++) {
      // Sequential appends: one record per write call, so the failing calls are known records.
      await store.append(result(i, { round: i })).catch(() => rejected++);
    }
    await store.close();
    const records = parsesAll(await readFile(path, 'utf8'));
    assert.ok(rejected > 0);
    assert.equal(store.writeFailures, rejected);
    assert.equal(store.written, records.length);
    assert.equal(records.length + store.writeFailures, 30);
    // Rounds on disk are exactly those whose append resolved, in order, none duplicated.
    const rounds = records.map((r) => r.round);
    assert.deepEqual(rounds, [...rounds].sort((a, b) => (a ?? 0) - (b ?? 0)));
    assert.equal(new Set(rounds).size, rounds.length);
    assert.ok(rounds.includes(29) && rounds.includes(0));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a fragment that cannot be cut off stays isolated on its own line: the next record is never glued to it', async () => {
  const dir = await tmp();
  try {
    const path = join(dir, 'records.jsonl');
    const base = failingOpen((n) => (n === 2 ? 'short' : n === 3 ? 'enospc' : 'ok'));
    const open = async (p: string) => {
      const h = await base(p);
      return { ...h, truncate: async () => Promise.reject(Object.assign(new Error('EIO'), { code: 'EIO' })) };
    };
    const store = new ResultsStore(path, { open });
    const outcomes: boolean[] = [];
    for (let i = 0; i < 5; i++) outcomes.push(await store.append(result(i, { round: i })).then(() => true, () => false));
    await store.close();
    const text = await readFile(path, 'utf8');
    const all = text.split('\n').filter((l) => l !== '');
    const bad = all.filter((l) => {
      try {
        JSON.parse(l);
        return false;
      } catch {
        return true;
      }
    });
    assert.deepEqual(outcomes, [true, false, true, true, true]);
    assert.equal(bad.length, 1, 'exactly the one fragment');
    assert.equal(all.length - bad.length, 4);
    assert.ok(all.indexOf(bad[0]) === 1, 'the fragment sits where its write failed, alone on its line');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a restarted store after a torn last line starts a fresh line', async () => {
  const dir = await tmp();
  try {
    const path = join(dir, 'records.jsonl');
    await writeFile(path, `${JSON.stringify(result(0))}\n{"kind":"res`);
    const store = new ResultsStore(path);
    await store.append(result(1));
    await store.close();
    const all = (await readFile(path, 'utf8')).split('\n');
    assert.equal(all[1], '{"kind":"res');
    assert.equal(JSON.parse(all[2]).itemId, 'Q1');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

function instantProvider(): ModelProvider {
  return {
    id: 'openai',
    origin: 'http://127.0.0.1:1',
    listModels: async () => [],
    complete: async (request: CompletionRequest): Promise<CompletionResponse> => {
      await new Promise((r) => setTimeout(r, 1));
      const seed = request.messages[request.messages.length - 1].content.length;
      const alternatives = ['1', '2', '3', '4'].map((token, k) => ({ token, logprob: -((k + seed) % 4) - 0.25 }));
      return { model: request.model, choices: [{ text: '1', firstTokenLogprobs: alternatives }] };
    },
  };
}

test('runPlan counts write failures: on-disk records + writeFailures = planned, no torn line, disk recovers', async () => {
  const dir = await tmp();
  try {
    const path = join(dir, 'records.jsonl');
    const open = failingOpen((n) => (n >= 3 && n <= 10 ? (n % 3 === 0 ? 'short' : 'enospc') : 'ok'));
    const store = new ResultsStore(path, { open });
    const plan = makePlan({ count: 92, endpoint: 'http://127.0.0.1:1/v1' });
    const summary = await runPlan(plan, { providers: () => instantProvider(), store, concurrencyPerEndpoint: 4 });
    await store.close();
    const records = parsesAll(await readFile(path, 'utf8'));
    assert.ok(summary.writeFailures > 0, 'some writes failed');
    assert.ok(open.calls() > 10, 'the disk recovered and later writes went through');
    assert.equal(summary.writeFailures, store.writeFailures);
    assert.equal(records.length + summary.writeFailures, plan.length);
    assert.equal(summary.records.length, plan.length);
    assert.equal(new Set(records.map((r) => r.itemId)).size, records.length);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('four processes appending to one file at once: every line whole, every record there', async () => {
  const dir = await tmp();
  try {
    const path = join(dir, 'records.jsonl');
    const writers = 4;
    const perWriter = 1000;
    const script = join(__dirname, 'append-writer.ts');
    await Promise.all(
      Array.from({ length: writers }, (_, w) =>
        new Promise<void>((resolve, reject) => {
          const child = spawn(process.execPath, ['--import', 'tsx', script, path, String(w), String(perWriter)], { stdio: ['ignore', 'ignore', 'pipe'] });
          let err = '';
          child.stderr.on('data', (d: Buffer) => (err += d.toString()));
          child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`writer ${w} exited ${code}: ${err}`))));
        }),
      ),
    );
    const records = parsesAll(await readFile(path, 'utf8'));
    assert.equal(records.length, writers * perWriter);
    for (let w = 0; w < writers; w++) {
      const mine = records.filter((r) => r.runId === `writer-${w}`).map((r) => r.round);
      assert.equal(mine.length, perWriter);
      // Each writer's lines keep their own order (one O_APPEND handle, serialised batches).
      assert.deepEqual(mine, [...mine].sort((a, b) => (a ?? 0) - (b ?? 0)));
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
