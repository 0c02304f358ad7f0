// The check a StudyAnalysis passes before the study views use it (a `study` message or a report's
// data-study): exact copies of good data, malformed rows dropped and counted, never a throw.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import type { StudyAnalysis } from '../../../src/core/study/analysisTypes';
import { parseEstimate, parseStudyAnalysis } from '../../../src/shared/study-parse';
import { STUDY_VIEW_IDS } from '../../../src/shared/protocol';
import { studyTable } from '../../../src/shared/study-tables';
import { parseHostMessage } from '../../../webview/report';

const fixture = (): StudyAnalysis => JSON.parse(readFileSync('test/fixtures/study-analysis/study-analysis.json', 'utf8')) as StudyAnalysis;

test('a well-formed analysis comes back equal, as a copy, with nothing dropped', () => {
  const analysis = fixture();
  const parsed = parseStudyAnalysis(analysis)!;
  assert.deepEqual(parsed.analysis, analysis);
  assert.notEqual(parsed.analysis.alignment[0], analysis.alignment[0]);
  assert.deepEqual(parsed.dropped, {});
});

test('rows missing a required field or with a wrong type are dropped and counted per list', () => {
  const analysis = fixture() as unknown as Record<string, unknown[]>;
  const good = analysis.alignment.length;
  analysis.alignment = [
    ...analysis.alignment,
    { model: 'm' },
    'row',
    null,
    { ...(analysis.alignment[0] as object), level: 'sentence' },
    { ...(analysis.alignment[0] as object), country: 7 },
  ];
  analysis.contrasts = [...analysis.contrasts, { ...(analysis.contrasts[0] as object), difference: null }];
  analysis.consistency = [...analysis.consistency, { ...(analysis.consistency[0] as object), definition: 'mine' }];
  const parsed = parseStudyAnalysis(analysis)!;
  assert.equal(parsed.analysis.alignment.length, good);
  assert.deepEqual(parsed.dropped, { alignment: 5, contrasts: 1, consistency: 1 });
});

test('fields of the wrong type become null (estimates, numbers) or are left out (unknown keys, bad CIs, p outside [0, 1])', () => {
  assert.equal(parseEstimate({ estimate: 'x' }), null);
  assert.equal(parseEstimate({ estimate: NaN }), null);
  assert.deepEqual(parseEstimate({ estimate: 0.5, ci: [0.1], p: 2, pHolm: -1, extra: '<script>' }), {
    estimate: 0.5,
    ci: null,
    p: null,
    pHolm: null,
  });
  const analysis = fixture() as unknown as Record<string, unknown>;
  analysis.counts = { read: -3, used: 'many', superseded: 1.7, stale: null, skipped: { failure: 2, hacked: 5 } };
  analysis.rule = 'mine';
  analysis.extra = { evil: true };
  const parsed = parseStudyAnalysis(analysis)!.analysis;
  assert.deepEqual(parsed.counts, { read: 0, used: 0, superseded: 1, stale: 0, skipped: { failure: 2 } });
  assert.equal(parsed.rule, 'latest');
  assert.equal('extra' in parsed, false);
});

test('not an analysis: undefined, never a throw (getters and proxies included)', () => {
  for (const value of [
    undefined,
    null,
    0,
    'x',
    [],
    {},
    { study: '' },
    { study: 7 },
    new Proxy(
      {},
      {
        get() {
          throw new Error('trap');
        },
      },
    ),
  ]) {
    assert.equal(parseStudyAnalysis(value), undefined);
  }
  const getter = {
    study: 'x',
    get alignment(): unknown[] {
      throw new Error('boom');
    },
  };
  assert.equal(parseStudyAnalysis(getter), undefined);
});

test('1,000 fuzzed analyses: never throw; whatever passes renders every view table without throwing', () => {
  const base = fixture();
  const small = {
    ...base,
    alignment: base.alignment.filter((_, i) => i % 25 === 0),
    regions: base.regions.slice(0, 10),
    contrasts: base.contrasts.slice(0, 10),
  };
  const lists = ['alignment', 'regions', 'consistency', 'usBias', 'contrasts', 'attributeGroups', 'tests', 'fits', 'models'] as const;
  const mutation = fc.record({
    list: fc.constantFrom(...lists),
    index: fc.nat(),
    key: fc.string(),
    value: fc.anything(),
    top: fc.option(fc.constantFrom('counts', 'languages', 'bootstrap', 'study', 'rule'), { nil: undefined }),
  });
  let rendered = 0;
  fc.assert(
    fc.property(fc.oneof(fc.anything(), fc.array(mutation, { minLength: 1, maxLength: 5 })), (input) => {
      let value: unknown = input;
      if (Array.isArray(input) && input.every((m) => m && typeof m === 'object' && 'list' in m)) {
        const copy = JSON.parse(JSON.stringify(small)) as Record<string, Record<string, unknown>[]>;
        for (const m of input as { list: string; index: number; key: string; value: unknown; top?: string }[]) {
          const rows = copy[m.list];
          if (m.top) (copy as Record<string, unknown>)[m.top] = m.value;
          else if (rows.length) {
            const row = rows[m.index % rows.length];
            const keys = Object.keys(row);
            row[keys.length && m.index % 2 ? keys[m.index % keys.length] : m.key] = m.value;
          }
        }
        value = copy;
      }
      const parsed = parseStudyAnalysis(value);
      const message = parseHostMessage({ type: 'study', analysis: value });
      // null is the message that clears the views; anything else is a study exactly when it parses.
      if (value !== null) assert.equal(message === undefined, parsed === undefined);
      if (!parsed) return;
      for (const id of STUDY_VIEW_IDS) {
        studyTable(parsed.analysis, id);
        studyTable(parsed.analysis, id, { model: 'gpt-4o', language: 'en', statistic: 'spearman' });
      }
      rendered++;
    }),
    { numRuns: 1000, seed: 20261201 },
  );
  assert.ok(rendered > 100, `mutated analyses reached the views (${rendered})`);
});

test('host message: study null clears, a study is parsed with its drop counts, anything else is rejected', () => {
  assert.deepEqual(parseHostMessage({ type: 'study', analysis: null }), { type: 'study', study: null });
  assert.equal(parseHostMessage({ type: 'study' }), undefined);
  assert.equal(parseHostMessage({ type: 'study', analysis: { alignment: [] } }), undefined);
  const message = parseHostMessage({ type: 'study', analysis: fixture() });
  assert.ok(message && message.type === 'study' && message.study?.analysis.study === 'multicultural-demo');
});
