// Holm and Benjamini–Hochberg against R's p.adjust (test/fixtures/r/padjust-fixtures.R).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { adjustBH, adjustHolm } from '../../../src/core/stats/adjust';

const fx = JSON.parse(readFileSync('test/fixtures/r/padjust-results.json', 'utf8')) as {
  sets: { name: string; p: (number | null)[]; holm: (number | null)[]; BH: (number | null)[] }[];
};

test('adjustHolm and adjustBH equal p.adjust on every fixture set (ties, p = 1, NA, one test)', () => {
  assert.ok(fx.sets.length >= 8);
  for (const s of fx.sets) {
    for (const [ours, theirs, name] of [
      [adjustHolm(s.p), s.holm, 'holm'],
      [adjustBH(s.p), s.BH, 'BH'],
    ] as const) {
      assert.equal(ours.length, theirs.length);
      ours.forEach((v, i) => {
        if (theirs[i] === null) assert.equal(v, null, `${s.name} ${name}[${i}]`);
        else assert.ok(v !== null && Math.abs(v - (theirs[i] as number)) <= 1e-15, `${s.name} ${name}[${i}]: ${v} vs ${theirs[i]}`);
      });
    }
  }
});

test('nulls and NaN are passed through and not counted', () => {
  assert.deepEqual(adjustHolm([0.01, null, 0.02, NaN]), [0.02, null, 0.02, null]);
  assert.deepEqual(adjustBH([0.01, null, 0.04]), [0.02, null, 0.04]);
  assert.deepEqual(adjustHolm([]), []);
});
