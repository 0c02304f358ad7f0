// selectUnits: the rules of issue 14 point 4, and the identity read = used + superseded + stale + Σ skipped
// asserted on every case.
import { strict as assert } from 'node:assert';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CorpusReader } from '../../../src/core/corpus/reader';
import { selectUnits, type SelectContext, type SelectItem } from '../../../src/core/corpus/select';
import type { Selection } from '../../../src/core/corpus/types';
import type { RunRecord, ScoreFailure, StanceResult } from '../../../src/core/results';
import { result } from './support';

function checked(selection: Selection, read: number): Selection {
  const c = selection.counts;
  const skipped = Object.values(c.skipped).reduce((a, b) => a + (b ?? 0), 0);
  assert.equal(c.read, read, 'every record and bad line is read');
  assert.equal(c.read, c.used + c.superseded + c.stale + skipped, 'read = used + superseded + stale + Σ skipped');
  assert.equal(selection.units.length, c.used);
  return selection;
}

async function select(records: RunRecord[], context: Partial<SelectContext> = {}): Promise<Selection> {
  return checked(await selectUnits(records, { rule: 'latest', ...context }), records.length + (context.badLines ?? 0));
}

const items = new Map<string, SelectItem>([
  ['Q1', { hash: 'h1', key: 'Q1_KEY', category: 'trust', scale: { min: 1, max: 4, reversed: false } }],
  ['Q2', { hash: 'h2', key: '', category: 'trust', scale: { min: 1, max: 4, reversed: true } }],
  ['Q3', { hash: 'h3', key: 'Q3', category: 'work', scale: { min: 1, max: 4, reversed: false, proCodes: [1] } }],
]);

const r = (over: Parameters<typeof result>[1]) => result(0, { itemId: 'Q1', itemHash: 'h1', ...over });
const failure = (over: Partial<ScoreFailure>): ScoreFailure => {
  const { probabilities, mean, mode, entropy, missMass, latencyMs, cached, ...identity } = r({});
  return { ...identity, kind: 'failure', error: { kind: 'timeout', message: 'x' }, attempts: 4, ...over };
};

test('repeated samples and rounds are all kept, in one run and across the rounds of a condition', async () => {
  const recs = [0, 1, 2, 3, 4].map((round) => r({ round }));
  const s = await select(recs);
  assert.equal(s.counts.used, 5);
  assert.deepEqual(
    s.units.map((u) => u.round),
    [0, 1, 2, 3, 4],
  );
  // Format 1 (no round on disk): repetitions inside one run are still all kept.
  const old = [r({ round: undefined }), r({ round: undefined }), r({ round: undefined })];
  assert.equal((await select(old)).counts.used, 3);
});

test("'latest' on rounds that are not small whole numbers (large, fractional, -0): each is its own condition, -0 is round 0", async () => {
  const older = '20261101T000000Z-a';
  const newer = '20261201T000000Z-b';
  const rounds = [0, 3, 2 ** 21, 2.5, 1e21];
  const recs = [
    ...rounds.map((round) => r({ runId: older, round })),
    ...rounds.map((round) => r({ runId: newer, round: Object.is(round, 0) ? -0 : round })),
  ];
  const s = await select(recs);
  assert.equal(s.counts.superseded, rounds.length);
  assert.deepEqual(
    s.units.map((u) => u.runId),
    rounds.map(() => newer),
  );
  assert.deepEqual(
    s.units.map((u) => u.round + 0).sort((a, b) => a - b),
    [...rounds].sort((a, b) => a - b),
  );
});

test("'latest': a later run supersedes every record of that condition from older runs; 'pool' keeps all", async () => {
  const older = 'R20261101T000000Z-a'.slice(1);
  const newer = '20261201T000000Z-b';
  const recs = [
    r({ runId: newer, round: 0, mean: 3 }),
    r({ runId: older, round: 0, mean: 1 }),
    r({ runId: older, round: 1, mean: 1 }),
    r({ runId: newer, round: 1, mean: 3 }),
    r({ runId: older, round: 2, mean: 1 }),
  ];
  const s = await select(recs);
  // Round 2 exists only in the older run: still used (supersession is per condition key, round included).
  assert.deepEqual(s.units.map((u) => [u.round, u.runId]).sort(), [
    [0, newer],
    [1, newer],
    [2, older],
  ]);
  assert.equal(s.counts.superseded, 2);
  const pooled = checked(await selectUnits(recs, { rule: 'pool' }), 5);
  assert.equal(pooled.counts.used, 5);
  assert.equal(pooled.counts.superseded, 0);
  assert.equal(pooled.rule, 'pool');
});

test('run time: the manifest beats the time in the run id; ties go to the larger run id; a failure never supersedes', async () => {
  const recs = [r({ runId: 'alpha', mean: 1 }), r({ runId: 'beta', mean: 2 })];
  const byManifest = await select(recs, {
    runs: new Map([
      ['alpha', { startedAt: '2026-12-02T00:00:00Z' }],
      ['beta', { startedAt: '2026-12-01T00:00:00Z' }],
    ]),
  });
  assert.deepEqual(
    byManifest.units.map((u) => u.runId),
    ['alpha'],
  );
  const tie = await select([r({ runId: 'beta', at: '2026-01-01T00:00:00Z' }), r({ runId: 'alpha', at: '2026-01-01T00:00:00Z' })]);
  assert.deepEqual(
    tie.units.map((u) => u.runId),
    ['beta'],
  );
  const failed = await select([r({ runId: '20261101T000000Z-a' }), failure({ runId: '20261201T000000Z-b' })]);
  assert.deepEqual(
    failed.units.map((u) => u.runId),
    ['20261101T000000Z-a'],
  );
  assert.equal(failed.counts.skipped.failure, 1);
});

test('stale records (item hash changed) are excluded and counted; imports without a hash are not stale', async () => {
  const s = await select([r({ itemHash: 'old' }), r({ itemHash: 'h1', round: 1 }), r({ itemHash: '', source: 'import', round: 2 })], {
    items,
  });
  assert.equal(s.counts.stale, 1);
  assert.equal(s.counts.used, 2);
  // Without items nothing can be stale.
  assert.equal((await select([r({ itemHash: 'old' })])).counts.stale, 0);
});

test('skipped by reason: failure, unknown item, filtered, no measure, bad line', async () => {
  const noMean = r({ round: 3, mean: Number.NaN });
  const badStance: StanceResult = { ...failure({}), kind: 'stance', proShare: 1.5, cached: false, round: 4 } as unknown as StanceResult;
  const s = await select(
    [r({}), failure({}), r({ itemId: 'Q9' }), r({ language: 'da', round: 1 }), r({ country: null, round: 2 }), noMean, badStance],
    {
      items,
      filter: { languages: ['en'], countries: ['us'] },
      badLines: 2,
    },
  );
  assert.deepEqual(s.counts.skipped, { failure: 1, 'unknown-item': 1, filtered: 2, 'no-measure': 2, 'bad-line': 2 });
  assert.equal(s.counts.used, 1);
});

test('bad lines of a CorpusReader count as read and skipped', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vl-select-'));
  try {
    await writeFile(join(dir, 'records.jsonl'), [JSON.stringify(r({})), 'garbage', JSON.stringify(r({ round: 1 })), '{"torn'].join('\n'));
    const s = checked(await selectUnits(new CorpusReader(dir), { rule: 'latest', items }), 4);
    assert.equal(s.counts.skipped['bad-line'], 2);
    assert.equal(s.counts.used, 2);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('units: pro share from the pro codes (share.ts rule, reversed, explicit proCodes) or the judge; attributes, key, category', async () => {
  const probabilities = { '1': 0.4, '2': 0.3, '3': 0.2, '4': 0.1, '-1': 0.5 };
  const stance: StanceResult = {
    ...failure({ itemId: 'Q1' }),
    kind: 'stance',
    proShare: 0.25,
    pro: 1,
    con: 3,
    cached: false,
    round: 9,
  } as unknown as StanceResult;
  const s = await select(
    [
      r({ probabilities, modelId: 'big' }),
      r({ itemId: 'Q2', itemHash: 'h2', probabilities, modelId: 'big' }),
      r({ itemId: 'Q3', itemHash: 'h3', probabilities, modelId: 'small' }),
      stance,
    ],
    { items, models: new Map([['big', { family: 'llama', size: 70, chat: true }]]) },
  );
  const [q1, q2, q3, judged] = s.units;
  // 4-point scale: codes ≤ 2 are pro (0.4 + 0.3 of the 1.0 on non-negative codes); reversed: 3 and 4.
  assert.ok(Math.abs((q1.pro ?? NaN) - 0.7) < 1e-12);
  assert.ok(Math.abs((q2.pro ?? NaN) - 0.3) < 1e-12);
  assert.ok(Math.abs((q3.pro ?? NaN) - 0.4) < 1e-12);
  assert.equal(judged.pro, 0.25);
  assert.equal(judged.mean, undefined);
  assert.equal(q1.mean, 2);
  assert.equal(q1.itemKey, 'Q1_KEY');
  assert.equal(q2.itemKey, 'Q2', 'an item without key falls back to its id');
  assert.deepEqual(q1.modelAttributes, { family: 'llama', size: 70, chat: true });
  assert.deepEqual(q3.modelAttributes, {});
  assert.equal(q3.category, 'work');
  assert.equal(q1.probabilities, probabilities);
  // Without items there is no scale: mean only.
  const bare = await select([r({ probabilities })]);
  assert.equal(bare.units[0].pro, undefined);
});

test('async iterables select like arrays', async () => {
  const recs = [r({}), r({ round: 1 }), failure({})];
  async function* gen(): AsyncGenerator<RunRecord> {
    yield* recs;
  }
  const s = checked(await selectUnits(gen(), { rule: 'latest' }), 3);
  assert.equal(s.counts.used, 2);
});
