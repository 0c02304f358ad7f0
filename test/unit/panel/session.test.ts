import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { AnalysisFilter } from '../../../src/core/analysis';
import { createMemoryLogger } from '../../../src/core/log';
import { parseWebviewMessage, type HostMessage } from '../../../src/shared/protocol';
import { PanelSession } from '../../../src/panel/session';
import type { Clock } from '../../../src/panel/throttle';
import { makeReport } from '../../webview/fixture-report';

function manualClock() {
  let now = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  let id = 0;
  const clock: Clock = {
    now: () => now,
    setTimeout: (fn, ms) => (timers.set(++id, { at: now + ms, fn }), id),
    clearTimeout: (h) => void timers.delete(h as number),
  };
  const advance = (ms: number) => {
    now += ms;
    for (const [key, t] of [...timers].sort((a, b) => a[1].at - b[1].at)) {
      if (t.at <= now) {
        timers.delete(key);
        t.fn();
      }
    }
  };
  return { clock, advance };
}

function setup(options: { titles?: string[]; throws?: boolean } = {}) {
  const logger = createMemoryLogger();
  const posted: HostMessage[] = [];
  const saved: { name: string; data: Uint8Array; kind: string }[] = [];
  const filters: AnalysisFilter[] = [];
  const opened: string[] = [];
  const { clock, advance } = manualClock();
  const session = new PanelSession(
    {
      computeReport: (filter) => {
        filters.push(filter);
        if (options.throws) throw new Error('no results file');
        return { ...makeReport({ items: 6, titles: options.titles }), filter };
      },
      logger,
      openItem: (id) => void opened.push(id),
      getProgress: () => ({ done: 3, total: 10, failed: 1, cached: 0, running: true }),
    },
    {
      post: (message) => (posted.push(message), Promise.resolve(true)),
      saveFile: async (name, data, kind) => (saved.push({ name, data, kind }), `/tmp/${name}`),
    },
    { filter: { template: 'default' } },
    { clock, intervalMs: 250 },
  );
  return { session, logger, posted, saved, filters, opened, advance };
}

test('nothing is posted before ready; ready posts the report computed with the restored filter', async () => {
  const { session, posted, filters } = setup();
  session.refresh();
  assert.equal(posted.length, 0);
  await session.handleMessage({ type: 'ready' });
  assert.equal(posted.length, 1);
  const message = posted[0];
  assert.equal(message.type, 'report');
  assert.deepEqual(filters, [{ template: 'default' }]);
  if (message.type === 'report') {
    assert.deepEqual(message.filter, { template: 'default' });
    assert.equal(message.progress?.done, 3);
    assert.equal(message.report.scatter.length, 8);
  }
});

test('setFilter recomputes with the new filter; refresh bursts are throttled with a trailing update', async () => {
  const { session, posted, filters, advance } = setup();
  await session.handleMessage({ type: 'ready' });
  await session.handleMessage({ type: 'setFilter', filter: { model: 'qwen2.5:7b', method: 'logprobs' } });
  assert.equal(posted.length, 1, 'inside the 250 ms window: deferred');
  for (let i = 0; i < 100; i++) session.refresh();
  advance(250);
  assert.equal(posted.length, 2);
  assert.deepEqual(filters.at(-1), { model: 'qwen2.5:7b', method: 'logprobs' });
  assert.deepEqual(session.filter, { model: 'qwen2.5:7b', method: 'logprobs' });
  // A steady stream for 2 s: at most 4 posts per second.
  for (let t = 0; t < 2000; t += 20) {
    session.refresh();
    advance(20);
  }
  advance(300);
  assert.ok(posted.length - 2 <= 9, `${posted.length - 2} posts in 2 s`);
});

test('exportCsv writes the host-side table through the neutralising CSV writer', async () => {
  const { session, saved, posted } = setup({ titles: ['=HYPERLINK("http://evil.example","x")', 'Plain, with comma'] });
  await session.handleMessage({ type: 'ready' });
  await session.handleMessage({ type: 'exportCsv', chart: 'scatter' });
  assert.equal(saved.length, 1);
  assert.equal(saved[0].name, 'value-lens-scatter.csv');
  const csv = new TextDecoder().decode(saved[0].data);
  const lines = csv.trimEnd().split('\r\n');
  assert.equal(lines[0], 'Model,Language,Country,Item,Title,Category,Model score,Human score');
  assert.equal(lines.length, 1 + 2 * 4 * 6);
  assert.ok(csv.includes(`"'=HYPERLINK(""http://evil.example"",""x"")"`), 'formula neutralised and quoted');
  assert.ok(!/(^|,)=/m.test(csv));
  assert.ok(csv.includes('"Plain, with comma"'));
  assert.equal(posted.at(-1)?.type, 'notice');
});

test('exportPng saves real PNG bytes only', async () => {
  const { session, saved, logger } = setup();
  await session.handleMessage({ type: 'ready' });
  const pngBytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
  await session.handleMessage({ type: 'exportPng', chart: 'bias', dataUrl: `data:image/png;base64,${pngBytes.toString('base64')}` });
  await session.handleMessage({
    type: 'exportPng',
    chart: 'bias',
    dataUrl: `data:image/png;base64,${Buffer.from('GIF89a-not-png').toString('base64')}`,
  });
  assert.equal(saved.length, 1);
  assert.deepEqual([...saved[0].data], [...pngBytes]);
  assert.ok(logger.entries.some((e) => e.level === 'warn' && /PNG signature/.test(e.message)));
});

test('openItem passes the opaque id to the host callback', async () => {
  const { session, opened } = setup();
  await session.handleMessage({ type: 'openItem', itemId: 'Q3' });
  assert.deepEqual(opened, ['Q3']);
});

test('a failing computeReport becomes an error message, not a crash', async () => {
  const { session, posted, logger } = setup({ throws: true });
  await session.handleMessage({ type: 'ready' });
  assert.deepEqual(posted, [{ type: 'error', message: 'Could not compute the analysis: no results file' }]);
  assert.ok(logger.entries.some((e) => e.level === 'error'));
});

test('after dispose nothing is posted or saved', async () => {
  const { session, posted, saved, advance } = setup();
  await session.handleMessage({ type: 'ready' });
  session.refresh();
  session.dispose();
  advance(1000);
  await session.handleMessage({ type: 'exportCsv', chart: 'bias' });
  await session.handleMessage({ type: 'ready' });
  assert.equal(posted.length, 1);
  assert.equal(saved.length, 0);
});

test('1,000 fuzzed and unknown messages: no throw, invalid ones have no side effect and are logged', async () => {
  const { session, posted, saved, filters, opened, logger } = setup();
  const samples = fc.sample(
    fc.oneof(
      fc.anything(),
      fc.record({
        type: fc.oneof(fc.constantFrom('ready!', 'setfilter', 'exportcsv', 'openitem', 'eval', 'executeCommand', '__proto__'), fc.string()),
        payload: fc.anything(),
      }),
      fc.record({
        type: fc.constantFrom('setFilter', 'exportCsv', 'exportPng', 'openItem'),
        filter: fc.anything(),
        chart: fc.string(),
        dataUrl: fc.string(),
        itemId: fc.anything(),
      }),
    ),
    { numRuns: 1000, seed: 11 },
  );
  let invalid = 0;
  for (const value of samples) {
    const before = {
      posted: posted.length,
      saved: saved.length,
      filters: filters.length,
      opened: opened.length,
      filter: JSON.stringify(session.filter),
    };
    await session.handleMessage(value);
    if (parseWebviewMessage(value) === undefined) {
      invalid++;
      assert.deepEqual(
        {
          posted: posted.length,
          saved: saved.length,
          filters: filters.length,
          opened: opened.length,
          filter: JSON.stringify(session.filter),
        },
        before,
      );
    }
  }
  assert.ok(invalid >= 990, `${invalid} invalid of 1000`);
  assert.equal(logger.entries.filter((e) => e.level === 'warn' && e.message.startsWith('Alignment panel: ignored')).length, invalid);
  assert.equal(posted.length, 0, 'not ready: nothing posted at all');
});
