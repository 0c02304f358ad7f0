// US-centric bias in both definitions against figures computed here from explicit lists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ResponseUnit } from '../../../src/core/corpus/types';
import { usBiasRows } from '../../../src/core/study/bias';
import { clusterRows, forEachResample, percentileInterval } from '../../../src/core/stats/bootstrap';
import { spearman } from '../../../src/core/stats/correlation';

function unit(p: Partial<ResponseUnit>): ResponseUnit {
  return {
    runId: 'r1',
    modelId: 'm1',
    model: 'm1',
    modelAttributes: {},
    language: 'pt',
    country: null,
    template: 't',
    paraphrase: null,
    order: 'original',
    round: 0,
    itemId: 'i',
    itemKey: 'i',
    category: 'c',
    method: 'judge',
    ...p,
  };
}
const close = (a: number | null | undefined, b: number, tol = 1e-12): void =>
  assert.ok(a !== null && a !== undefined && Math.abs(a - b) <= tol, `${a} vs ${b}`);

/** Pearson written out (not the code under test). */
function r(x: number[], y: number[]): number {
  const mx = x.reduce((s, v) => s + v, 0) / x.length;
  const my = y.reduce((s, v) => s + v, 0) / y.length;
  let sxy = 0,
    sxx = 0,
    syy = 0;
  x.forEach((_, i) => {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  });
  return sxy / Math.sqrt(sxx * syy);
}

const human: Record<string, Record<string, number>> = {
  US: { a: 0.9, b: 0.2, c: 0.5, d: 0.7, e: 0.1 },
  BR: { a: 0.3, b: 0.4, c: 0.8, d: 0.6, e: 0.2 },
  PT: { a: 0.2, b: 0.5, c: 0.7, e: 0.4 }, // no d
  GB: { a: 0.8, b: 0.3, c: 0.4, d: 0.6, e: 0.2 },
};
const lookup = (ref: string, key: string): number | undefined => human[ref]?.[key];
const responses: [string, number][] = [
  ['a', 0.9],
  ['a', 0.7],
  ['b', 0.1],
  ['c', 0.6],
  ['c', 0.5],
  ['c', 0.8],
  ['d', 0.6],
  ['e', 0.3],
  ['e', 0.2],
];
const units = [
  ...responses.map(([k, v]) => unit({ itemId: k, itemKey: k, pro: v })),
  unit({ itemId: 'a', itemKey: 'a', pro: 0, country: 'US' }), // a cued response is not part of the bias
];
const study = { languageCountries: { pt: ['BR', 'PT'], en: ['US', 'GB'] } };

test('item-pearson: r(item means, US) − r(item means, first local country), over items both cover', () => {
  const rows = usBiasRows(units, lookup, study, { measure: 'pro', bootstrap: { iterations: 50, seed: 3 } });
  const ip = rows.find((x) => x.definition === 'item-pearson');
  assert.ok(ip && ip.difference);
  assert.deepEqual(ip.local, ['BR']);
  const means = [0.8, 0.1, (0.6 + 0.5 + 0.8) / 3, 0.6, 0.25]; // a b c d e
  close(ip.usR, r(means, [0.9, 0.2, 0.5, 0.7, 0.1]));
  close(ip.localR, r(means, [0.3, 0.4, 0.8, 0.6, 0.2]));
  close(ip.difference.estimate, (ip.usR as number) - (ip.localR as number));
  assert.ok(ip.difference.ci && ip.difference.p !== null);
});

test('response-spearman: Spearman on responses with the US minus the mean over BR and PT (each on the items it covers)', () => {
  const rows = usBiasRows(units, lookup, study, { measure: 'pro', bootstrap: { iterations: 80, seed: 4 } });
  const rs = rows.find((x) => x.definition === 'response-spearman');
  assert.ok(rs && rs.difference && rs.difference.ci);
  assert.deepEqual(rs.local, ['BR', 'PT']);
  const rho = (ref: string, rs: [string, number][]): number => {
    const kept = rs.filter(([k]) => human[ref][k] !== undefined);
    return (
      spearman(
        kept.map(([, v]) => v),
        kept.map(([k]) => human[ref][k]),
      )?.estimate ?? NaN
    );
  };
  close(rs.usR, rho('US', responses));
  close(rs.localR, (rho('BR', responses) + rho('PT', responses)) / 2);
  close(rs.difference.estimate, rho('US', responses) - (rho('BR', responses) + rho('PT', responses)) / 2);
  // CI: items resampled (clusters sorted by item id), each resample written out as copies of responses.
  const { keys } = clusterRows(responses.map(([k]) => k));
  const reps: number[] = [];
  forEachResample(keys.length, 80, 4, (idx) => {
    const copy = Array.from(idx).flatMap((c) => responses.filter(([k]) => k === keys[c]));
    const locals = ['BR', 'PT'].map((c) => rho(c, copy)).filter(Number.isFinite);
    reps.push(rho('US', copy) - locals.reduce((s, v) => s + v, 0) / locals.length);
  });
  const ci = percentileInterval(reps.map((v) => (Number.isFinite(v) ? v : NaN)));
  assert.ok(ci);
  close(rs.difference.ci[0], ci[0]);
  close(rs.difference.ci[1], ci[1]);
});

test('English: the US is not its own local reference; a language with only the US gets no row', () => {
  const en = responses.map(([k, v]) => unit({ language: 'en', itemId: k, itemKey: k, pro: v }));
  const rows = usBiasRows(en, lookup, study, { measure: 'pro', bootstrap: { iterations: 10, seed: 1 } });
  assert.deepEqual(
    rows.map((x) => [x.definition, x.local]),
    [
      ['item-pearson', ['GB']],
      ['response-spearman', ['GB']],
    ],
  );
  assert.deepEqual(
    usBiasRows(en, lookup, { languageCountries: { en: ['US'] } }, { measure: 'pro', bootstrap: { iterations: 10, seed: 1 } }),
    [],
  );
  // units without the measure are not used
  assert.deepEqual(usBiasRows(en, lookup, study, { measure: 'mean', bootstrap: { iterations: 10, seed: 1 } }), []);
});

test('resample: responses draws single responses (the study), with a different but valid interval', () => {
  const a = usBiasRows(units, lookup, study, { measure: 'pro', bootstrap: { iterations: 60, seed: 5 }, resample: 'responses' }).find(
    (x) => x.definition === 'response-spearman',
  );
  const b = usBiasRows(units, lookup, study, { measure: 'pro', bootstrap: { iterations: 60, seed: 5 } }).find(
    (x) => x.definition === 'response-spearman',
  );
  assert.ok(a?.difference?.ci && b?.difference?.ci);
  assert.equal(a.difference.estimate, b.difference.estimate);
  assert.notDeepEqual(a.difference.ci, b.difference.ci);
});
