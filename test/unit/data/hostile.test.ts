// Hostile and mutated input never throws: every outcome is rows plus problems with valid line numbers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { loadHumanReference } from '../../../src/core/data/index';
import { analyze } from '../../../src/core/stats/analyze';

const RUNS = Number(process.env.VL_FUZZ_RUNS ?? 1500);
const fixtures = readdirSync('test/fixtures/csv')
  .filter((f) => f.endsWith('.csv'))
  .map((f) => readFileSync(join('test/fixtures/csv', f)));

function check(input: string | Uint8Array): void {
  const text = typeof input === 'string' ? input : Buffer.from(input).toString('latin1');
  const lines = text.split(/\r\n|\r|\n/).length;
  for (const format of ['auto', 'aggregated', 'microdata'] as const) {
    const { reference, problems } = loadHumanReference({ text: input, format });
    for (const p of problems) assert.ok(Number.isInteger(p.line) && p.line >= 0 && p.line <= lines, `line ${p.line} of ${lines}`);
    for (const r of reference.rows) {
      assert.equal(typeof r.country, 'string');
      assert.equal(typeof r.key, 'string');
      if (r.mean !== undefined) assert.ok(Number.isFinite(r.mean));
      if (r.share !== undefined) assert.ok(r.share >= 0 && r.share <= 1);
    }
    // Whatever was loaded can be analysed without throwing.
    analyze({
      records: [],
      items: [{ id: 'F118', title: 't', category: 'c', scaleMin: 1, scaleMax: 10, reversed: false }],
      human: reference,
      languageCountries: { da: ['DK'] },
    });
  }
}

test('random strings and bytes never make the importer throw', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.uint8Array({ maxLength: 300 })), (input) => check(input)),
    { numRuns: RUNS, seed: 20261125 },
  );
});

test('mutated real fixtures (byte flips, inserted quotes/delimiters/newlines) never throw', () => {
  const noise = [0x22, 0x2c, 0x3b, 0x0a, 0x0d, 0x00, 0xff, 0xe6, 0x2d, 0x3d];
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: fixtures.length - 1 }),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: noise.length - 1 }), fc.boolean()), { minLength: 1, maxLength: 8 }),
      (which, edits) => {
        const bytes = Array.from(fixtures[which]);
        for (const [at, n, insert] of edits) {
          const pos = at % (bytes.length + 1);
          if (insert) bytes.splice(pos, 0, noise[n]);
          else bytes[Math.min(pos, bytes.length - 1)] = noise[n];
        }
        check(new Uint8Array(bytes));
      },
    ),
    { numRuns: RUNS, seed: 7 },
  );
});

test('an unterminated quote is one problem at its line; rows before it are kept', () => {
  const { reference, problems } = loadHumanReference({ text: 'country,item,mean\nDK,F118,5\nNL,"F118,6\nUS,F118,4\n' });
  assert.deepEqual(
    reference.rows.map((r) => r.country),
    ['DK'],
  );
  assert.equal(problems.length, 1);
  assert.equal(problems[0].line, 3);
});

test('a systematically broken 10,000-row file reports a capped list of problems', () => {
  const text = 'country,item,mean\n' + Array.from({ length: 10_000 }, () => 'DK,F118,oops').join('\n');
  const { problems } = loadHumanReference({ text });
  assert.ok(problems.length <= 201);
  assert.match(problems[problems.length - 1].message, /further problems/);
});
