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
import { readRunRecords, ResultsStore } from '../../../src/core/run/store';
import { killRecord } from './kill-writer';
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
    assert.deepEqual(
      rounds,
      [...rounds].sort((a, b) => (a ?? 0) - (b ?? 0)),
    );
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
    for (let i = 0; i < 5; i++)
      outcomes.push(
        await store.append(result(i, { round: i })).then(
          () => true,
          () => false,
        ),
      );
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
    // Write calls 3..8 fail (short writes among them); calls are counted as they start, and answers for
    // requests 10g..10g+9 wait for the g-th call, so the run's records go out in at least 9 batches: some
    // fail, and the ones after the failures must go through.
    let calls = 0;
    const waiting: { call: number; go: () => void }[] = [];
    const open = failingOpen((n) => {
      calls = n;
      for (const w of waiting.filter((w) => w.call <= n)) w.go();
      return n >= 3 && n <= 8 ? (n % 3 === 0 ? 'short' : 'enospc') : 'ok';
    });
    const untilCall = (call: number): Promise<void> =>
      call <= calls ? Promise.resolve() : new Promise((go) => waiting.push({ call, go }));
    const gated: ModelProvider = {
      ...instantProvider(),
      complete: async (request) => {
        const n = Number(/thing number (\d+)/.exec(request.messages[request.messages.length - 1].content)?.[1]);
        await untilCall(Math.floor(n / 10));
        return instantProvider().complete(request);
      },
    };
    const store = new ResultsStore(path, { open });
    const plan = makePlan({ count: 92, endpoint: 'http://127.0.0.1:1/v1' });
    const summary = await runPlan(plan, { providers: () => gated, store, concurrencyPerEndpoint: 4 });
    await store.close();
    const records = parsesAll(await readFile(path, 'utf8'));
    assert.ok(summary.writeFailures > 0, 'some writes failed');
    assert.equal(summary.writeFailures, store.writeFailures);
    // Nothing lost: every record is on disk or counted as a failed write, exactly once.
    assert.equal(records.length + summary.writeFailures, plan.length);
    assert.equal(summary.records.length, plan.length);
    assert.equal(new Set(records.map((r) => r.itemId)).size, records.length);
    // The disk recovered: the last group's records (written after every failing call) are there.
    const onDisk = new Set(records.map((r) => r.itemId));
    for (let i = 90; i < 92; i++) assert.ok(onDisk.has(`Q${i}`), `Q${i} on disk`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a thousand appends in one turn, then close: every line once, in append order, in one write', async () => {
  const dir = await tmp();
  try {
    const path = join(dir, 'records.jsonl');
    const open = failingOpen(() => 'ok');
    const store = new ResultsStore(path, { open });
    const appended = Array.from({ length: 1000 }, (_, i) => store.append(result(i, { round: i, itemId: `A${i}` })));
    await store.close();
    await Promise.all(appended);
    const rounds = parsesAll(await readFile(path, 'utf8')).map((r) => r.round);
    assert.deepEqual(
      rounds,
      Array.from({ length: 1000 }, (_, i) => i),
    );
    assert.equal(store.written, 1000);
    assert.equal(open.calls(), 1, 'the lines of one turn go out together');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('an append resolves once its line is in the file; flush() writes what is pending without closing', async () => {
  const dir = await tmp();
  try {
    const path = join(dir, 'records.jsonl');
    const store = new ResultsStore(path);
    for (let i = 0; i < 5; i++) {
      await store.append(result(i, { round: i }));
      assert.equal(parsesAll(await readFile(path, 'utf8')).length, i + 1, `record ${i} on disk when its append resolved`);
    }
    const later = [store.append(result(5, { round: 5 })), store.append(result(6, { round: 6 }))];
    await store.flush();
    assert.deepEqual(
      parsesAll(await readFile(path, 'utf8')).map((r) => r.round),
      [0, 1, 2, 3, 4, 5, 6],
    );
    await Promise.all(later);
    // Records appended while close() waits for a write go out too.
    const first = store.append(result(7, { round: 7 }));
    const closing = store.close();
    const racing = store.append(result(8, { round: 8 }));
    await closing;
    await Promise.all([first, racing]);
    await store.close();
    assert.deepEqual(
      parsesAll(await readFile(path, 'utf8')).map((r) => r.round),
      [0, 1, 2, 3, 4, 5, 6, 7, 8],
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

/** Runs kill-writer.ts and SIGKILLs it once `killAt` appends have resolved; resolves with the last count it printed. */
function killWriterAt(path: string, killAt: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'kill-writer.ts'), path], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let acked = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const counts = [...out.matchAll(/acked (\d+)\n/g)].map((m) => Number(m[1]));
      acked = Math.max(acked, ...counts);
      out = out.slice(out.lastIndexOf('\n') + 1);
      if (acked >= killAt && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      signal === 'SIGKILL' ? resolve(acked) : reject(new Error(`writer was not killed mid-run (exit ${code}): ${err}`)),
    );
  });
}

test('SIGKILL mid-run: every line in the file is whole, valid and in append order, none twice; acknowledged ones are all there', {
  timeout: 120_000,
}, async () => {
  const dir = await tmp();
  try {
    for (const killAt of [300, 1500]) {
      const path = join(dir, `killed-${killAt}.jsonl`);
      const acked = await killWriterAt(path, killAt);
      const text = await readFile(path, 'utf8');
      const lines = text.split('\n');
      // What follows the last newline is a fragment of the line being written when the kill came, or nothing.
      const fragment = lines.pop() ?? '';
      assert.ok(lines.length >= acked, `${lines.length} lines on disk, ${acked} appends had resolved`);
      lines.forEach((line, i) => assert.deepEqual(JSON.parse(line), killRecord(i), `line ${i + 1}`));
      assert.ok(`${JSON.stringify(killRecord(lines.length))}\n`.startsWith(fragment), 'the fragment is the start of the next line');
      // A store opened afterwards starts on a fresh line: the fragment stays one bad line, nothing else is lost.
      const store = new ResultsStore(path);
      await store.append(result(0, { itemId: 'after' }));
      await store.close();
      const read = await readRunRecords(path);
      assert.equal(read.records.length, lines.length + 1);
      assert.equal(read.badLines.length, fragment ? 1 : 0);
      assert.equal(read.records.at(-1)?.itemId, 'after');
    }
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
      Array.from(
        { length: writers },
        (_, w) =>
          new Promise<void>((resolve, reject) => {
            const child = spawn(process.execPath, ['--import', 'tsx', script, path, String(w), String(perWriter)], {
              stdio: ['ignore', 'ignore', 'pipe'],
            });
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
      assert.deepEqual(
        mine,
        [...mine].sort((a, b) => (a ?? 0) - (b ?? 0)),
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
