// importResponses: a researcher's own response table into corpus records. Every row is used or rejected
// with its source line and reason (used + rejected = rows), in all three value shapes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importResponses, RYSTROM_2025_MAPPING } from '../../../src/core/study/import';
import type { ScoreResult, StanceResult } from '../../../src/core/results';
import type { ImportMapping } from '../../../src/core/study/types';
import { readTable } from '../../../src/core/data/csv';
import { loadHumanReference } from '../../../src/core/data/index';
import { humanLookup } from '../../../src/core/study/reference';

const OPTS = { runId: '20250101T000000Z-import', at: '2025-01-01T00:00:00.000Z' };

test('pro scores → stance records; where filters; running sample index per (model, language, item)', () => {
  const csv = [
    'model_name,model_family,template_type,language,question_key,response_pro_score', // line 1
    'm1,fam,survey_hypothetical,da,f118,0.7', // 2
    'm1,fam,survey_hypothetical,da,f118,0.4', // 3
    'm1,fam,argument,da,f118,0.9', // 4: filtered
    'm1,fam,survey_hypothetical,DA,f120,1', // 5: language lower-cased
    'm2,other,survey_hypothetical,da,f118,1.5', // 6: out of range
    'm2,other,survey_hypothetical,da,f118,', // 7: empty
    ',x,survey_hypothetical,da,f118,0.5', // 8: no model
    'm2,other,survey_hypothetical,da,f118,0.25', // 9
    'm1,fam,survey_hypothetical,da,f118,0.1', // 10: third sample of m1 da f118
  ].join('\n');
  const r = importResponses(csv, { file: 'x.csv', ...RYSTROM_2025_MAPPING }, OPTS);
  assert.deepEqual(r.errors, []);
  assert.equal(r.rows, 9);
  assert.equal(r.used, 5);
  assert.equal(r.used + r.rejected.length, r.rows);
  assert.deepEqual(
    r.rejected.map((x) => x.line),
    [4, 6, 7, 8],
  );
  assert.match(r.rejected[0].reason, /filtered: template_type is "argument", not "survey_hypothetical"/);
  assert.match(r.rejected[1].reason, /1\.5.*0…1/);
  assert.match(r.rejected[2].reason, /empty pro score/);
  assert.match(r.rejected[3].reason, /empty model/);
  const recs = r.records as StanceResult[];
  assert.ok(recs.every((x) => x.kind === 'stance' && x.source === 'import' && x.runId === OPTS.runId && x.at === OPTS.at));
  assert.deepEqual(
    recs.map((x) => [x.modelId, x.language, x.itemId, x.proShare, x.round]),
    [
      ['m1', 'da', 'f118', 0.7, 0],
      ['m1', 'da', 'f118', 0.4, 1],
      ['m1', 'da', 'f120', 1, 0],
      ['m2', 'da', 'f118', 0.25, 0],
      ['m1', 'da', 'f118', 0.1, 2],
    ],
  );
  assert.deepEqual(r.models, { m1: { family: 'fam' }, m2: { family: 'other' } });
});

test('chosen option codes → one-hot ScoreResults with answers; missing codes and non-integers rejected', () => {
  const csv =
    'model;lang;country;item;tpl;para;sample;answer\nm;en;us;Q1;t;0;3;4\nm;en;US;Q1;t;1;0;-1\nm;en;US;Q1;t;;0;2,5\nm;en;USA1;Q1;t;;0;2\nm;en;;Q2;t;x;0;1\n';
  const mapping: ImportMapping = {
    file: 'x.csv',
    columns: {
      model: 'model',
      language: 'lang',
      country: 'country',
      item: 'item',
      template: 'tpl',
      paraphrase: 'para',
      sample: 'sample',
      code: 'answer',
    },
  };
  const r = importResponses(csv, mapping, { ...OPTS, categories: { Q1: 'norms' }, itemHashes: { Q1: 'h1' }, modelIds: { m: 'model-a' } });
  assert.equal(r.rows, 5);
  assert.equal(r.used, 1);
  assert.deepEqual(
    r.rejected.map((x) => x.line),
    [3, 4, 5, 6],
  );
  assert.match(r.rejected[0].reason, /missing code/);
  assert.match(r.rejected[1].reason, /not an integer/);
  assert.match(r.rejected[2].reason, /country "USA1"/);
  assert.match(r.rejected[3].reason, /paraphrase "x"/);
  const rec = r.records[0] as ScoreResult;
  assert.equal(rec.kind, 'result');
  assert.deepEqual(
    {
      p: rec.probabilities,
      mean: rec.mean,
      mode: rec.mode,
      answers: rec.answers,
      country: rec.country,
      round: rec.round,
      paraphrase: rec.paraphrase,
    },
    { p: { '4': 1 }, mean: 4, mode: 4, answers: [4], country: 'US', round: 3, paraphrase: 0 },
  );
  assert.equal(rec.modelId, 'model-a');
  assert.equal(rec.model, 'm');
  assert.equal(rec.category, 'norms');
  assert.equal(rec.itemHash, 'h1');
  assert.equal(rec.template, 't');
});

test('option probability columns → renormalised distribution, mean, entropy and missMass by hand', () => {
  const csv = 'model,language,item,p1,p2,p3\nm,nl,Q9,0.2,0.3,0.4\nm,nl,Q9,0,0,0\nm,nl,Q9,0.5,0.7,0\nm,nl,Q9,0.5,abc,0\nm,nl,Q9,,1,\n';
  const mapping: ImportMapping = {
    file: 'x',
    columns: { model: 'model', language: 'language', item: 'item', probabilities: { '1': 'p1', '2': 'p2', '3': 'p3' } },
  };
  const r = importResponses(csv, mapping, OPTS);
  assert.equal(r.used, 2);
  assert.deepEqual(
    r.rejected.map((x) => x.line),
    [3, 4, 5],
  );
  const a = r.records[0] as ScoreResult;
  const p = { '1': 0.2 / 0.9, '2': 0.3 / 0.9, '3': 0.4 / 0.9 };
  for (const k of ['1', '2', '3'] as const) assert.ok(Math.abs(a.probabilities[k] - p[k]) < 1e-15);
  assert.ok(Math.abs(a.mean - (1 * 0.2 + 2 * 0.3 + 3 * 0.4) / 0.9) < 1e-15);
  assert.equal(a.mode, 3);
  assert.ok(Math.abs(a.missMass - 0.1) < 1e-12);
  assert.ok(Math.abs(a.entropy - -Object.values(p).reduce((s, v) => s + v * Math.log(v), 0)) < 1e-15);
  assert.equal(a.method, 'logprobs');
  assert.deepEqual(a.optionOrder, [1, 2, 3]);
  const b = r.records[1] as ScoreResult;
  assert.deepEqual(b.probabilities, { '1': 0, '2': 1, '3': 0 });
  assert.equal(b.round, 1, 'running count per (model, language, item) over used rows');
});

test('a mapping naming a missing column, or two value shapes, imports nothing and rejects every row with the reason', () => {
  const csv = 'model,language,item,score\nm,en,Q1,0.5\nm,en,Q2,0.5\n';
  const r = importResponses(csv, { file: 'x', columns: { model: 'model', language: 'language', item: 'question', pro: 'score' } }, OPTS);
  assert.equal(r.used, 0);
  assert.equal(r.rejected.length, 2);
  assert.match(r.errors[0], /column "question" \(item\) is not in the table's header/);
  assert.match(r.rejected[0].reason, /^not imported: /);
  const two = importResponses(
    csv,
    { file: 'x', columns: { model: 'model', language: 'language', item: 'item', pro: 'score', code: 'score' } },
    OPTS,
  );
  assert.match(two.errors[0], /exactly one of/);
  assert.equal(two.rejected.length, 2);
});

test('rows the CSV reader cannot split count as rejected with their line; a pre-read Table is accepted', () => {
  const csv = 'model,language,item,pro\nm,en,Q1,0.5\nm,en,Q1,0.5,extra\n"m,en,Q2,0.2\n';
  const r = importResponses(csv, { file: 'x', columns: { model: 'model', language: 'language', item: 'item', pro: 'pro' } }, OPTS);
  assert.equal(r.used + r.rejected.length, r.rows);
  assert.ok(r.rejected.some((x) => x.line === 3 && /cells/.test(x.reason)));
  const t = importResponses(
    readTable('model,language,item,pro\nm,en,Q1,0.5\n'),
    { file: 'x', columns: { model: 'model', language: 'language', item: 'item', pro: 'pro' } },
    OPTS,
  );
  assert.equal(t.used, 1);
});

test('decimal commas in a ;-separated table; attributes mapped in either direction', () => {
  const csv = 'model;language;item;pro;size\nm;da;Q1;0,25;7\nm;da;Q1;0,5;7\n';
  const a = importResponses(
    csv,
    { file: 'x', columns: { model: 'model', language: 'language', item: 'item', pro: 'pro', attributes: { size: 'params' } } },
    OPTS,
  );
  const b = importResponses(
    csv,
    { file: 'x', columns: { model: 'model', language: 'language', item: 'item', pro: 'pro', attributes: { params: 'size' } } },
    { ...OPTS, itemIds: { q1: 'Q184' } },
  );
  assert.deepEqual(
    b.records.map((x) => x.itemId),
    ['Q184', 'Q184'],
    'table keys mapped to study item ids, case-insensitively',
  );
  assert.deepEqual(
    (a.records as StanceResult[]).map((x) => x.proShare),
    [0.25, 0.5],
  );
  assert.deepEqual(a.models, { m: { params: 7 } });
  assert.deepEqual(b.models, { m: { params: 7 } });
});

test("the second seed's files: responses import with no hand editing; ground truth loads per language and per country", () => {
  const dir = ['examples/rystrom-2025', '/work/shared/data/rystrom-2025/output'].find((d) => {
    try {
      readFileSync(join(d, 'ground_truth_per_language.csv'));
      return true;
    } catch {
      return false;
    }
  });
  assert.ok(dir, "the second seed's data is in examples/rystrom-2025");
  const text = readFileSync(join(dir, 'all_lang_model_responses_with_scores.csv'), 'utf8');
  const lines = text.trim().split('\n');
  const r = importResponses(text, { file: 'x', ...RYSTROM_2025_MAPPING }, OPTS);
  assert.equal(r.rows, lines.length - 1);
  assert.equal(r.used, lines.length - 1);
  assert.equal(new Set(r.records.map((x) => x.modelId)).size, 9);
  // Sample index = running count per (model, language, question): max + 1 equals the largest group.
  const groups = new Map<string, number>();
  for (const l of lines.slice(1)) {
    const c = l.split(',');
    const k = `${c[0]}|${c[3]}|${c[5]}`;
    groups.set(k, (groups.get(k) ?? 0) + 1);
  }
  assert.equal(Math.max(...r.records.map((x) => x.round ?? -1)) + 1, Math.max(...groups.values()));
  const pooled = loadHumanReference({ text: readFileSync(join(dir, 'ground_truth_per_language.csv')) });
  assert.deepEqual(pooled.problems, []);
  assert.ok(pooled.reference.rows.every((x) => x.country === '' && x.language && x.share !== undefined));
  const perCountry = loadHumanReference({ text: readFileSync(join(dir, 'ground_truth_every_country.csv')) });
  assert.deepEqual(perCountry.problems, []);
  const lookup = humanLookup({ rows: [...pooled.reference.rows, ...perCountry.reference.rows] });
  // Values read back from the files' own lines (keys upper case there, lower case in the responses).
  const line = (file: string, re: RegExp): number => Number((readFileSync(join(dir, file), 'utf8').match(re) as RegExpMatchArray)[1]);
  assert.equal(lookup.value('pooled:da', 'f120', 'pro'), line('ground_truth_per_language.csv', /^da,F120,([\d.]+)$/m));
  assert.equal(lookup.value('BR', 'd026_03', 'pro'), line('ground_truth_every_country.csv', /^BR,D026_03,([\d.]+),pt$/m));
  assert.equal(lookup.value('DK', 'f120', 'mean'), undefined, 'shares only: no mean');
  assert.deepEqual(lookup.references().slice(-4), ['pooled:da', 'pooled:en', 'pooled:nl', 'pooled:pt']);
});

test('imported records round-trip through a file as JSON lines unchanged', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vl-import-'));
  try {
    const r = importResponses(
      'model,language,item,pro\nm,en,Q1,0.5\n',
      { file: 'x', columns: { model: 'model', language: 'language', item: 'item', pro: 'pro' } },
      OPTS,
    );
    const path = join(dir, 'records.jsonl');
    writeFileSync(path, r.records.map((x) => JSON.stringify(x)).join('\n') + '\n');
    assert.deepEqual(
      readFileSync(path, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
      r.records,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
