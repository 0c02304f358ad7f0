// The lme4 formula parser and R's model.matrix coding: names and values against R (lmm-formula-mm.json,
// from test/fixtures/r/lmm-formula.R), term order and labels, and refusals that name the unsupported part.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readTable } from '../../../src/core/data/csv';
import { byCodePoint, modelMatrix, prepareData } from '../../../src/core/stats/design';
import { tableRows } from '../../../src/core/stats/fit';
import { FormulaError, parseFormula, termLabel } from '../../../src/core/stats/formula';

interface MmCase {
  formula: string;
  columns: string[];
  labels: string[];
  X: number[][];
}
const mm = JSON.parse(readFileSync('test/fixtures/r/lmm-formula-mm.json', 'utf8')) as {
  file: string;
  extraColumns: Record<string, string>;
  cases: MmCase[];
};
const rows = tableRows(readTable(readFileSync(`test/fixtures/r/${mm.file}`))).map((row) => {
  const out: Record<string, string | number> = { ...(row as Record<string, string | number>) };
  for (const [alias, source] of Object.entries(mm.extraColumns)) out[alias] = row[source] as string;
  return out;
});

test('model.matrix column names, term labels and values equal R for every formula in the fixture', (t) => {
  assert.ok(mm.cases.length >= 20);
  for (const c of mm.cases) {
    const parsed = parseFormula(c.formula);
    assert.deepEqual(parsed.fixed.terms.map(termLabel), c.labels, `${c.formula}: term labels`);
    const data = prepareData(rows, parsed.fixed.variables);
    const X = modelMatrix(parsed.fixed, data.columns, data.n);
    assert.deepEqual(X.columns, c.columns, `${c.formula}: columns`);
    assert.equal(X.X.length, c.X.length);
    X.X.forEach((row, i) => row.forEach((v, j) => assert.ok(Math.abs(v - c.X[i][j]) <= 1e-12, `${c.formula} [${i},${j}]`)));
  }
  t.diagnostic(`${mm.cases.length} formulas, names and values identical to R's model.matrix`);
});

test("the paper formula gives lme4's 16 columns: 4 consistency:language and 12 language:multilingual:family", () => {
  const parsed = parseFormula('alignment ~ 0 + consistency:language + multilingual:family:language + (1 | model)');
  assert.equal(parsed.fixed.intercept, false);
  assert.deepEqual(parsed.fixed.terms.map(termLabel), ['consistency:language', 'language:multilingual:family']);
  assert.equal(parsed.random.length, 1);
  assert.equal(parsed.random[0].group, 'model');
  const langs = ['Danish', 'Dutch', 'English', 'Portuguese'];
  const fams = ['gemma', 'olmo', 'openai'];
  const data = langs.flatMap((language, li) =>
    fams.flatMap((family, fi) =>
      [0, 1].map((k) => ({ language, family, consistency: 0.1 * li + k, multilingual: 0.2 * fi + 0.3 * k, alignment: 0 })),
    ),
  );
  const prepared = prepareData(data, parsed.fixed.variables);
  const X = modelMatrix(parsed.fixed, prepared.columns, prepared.n);
  assert.deepEqual(X.columns, [
    ...langs.map((l) => `consistency:language${l}`),
    ...fams.flatMap((f) => langs.map((l) => `language${l}:multilingual:family${f}`)),
  ]);
  // A row's value in its own cell is its covariate, zero elsewhere (hand check of one row).
  const row = data.findIndex((d) => d.language === 'English' && d.family === 'olmo' && d.consistency === 1.2);
  const expected = X.columns.map((c) =>
    c === 'consistency:languageEnglish' ? 1.2 : c === 'languageEnglish:multilingual:familyolmo' ? 0.2 + 0.3 : 0,
  );
  X.X[row].forEach((v, j) => assert.ok(Math.abs(v - expected[j]) < 1e-15, X.columns[j]));
});

test('crossing, grouping and intercept markers expand as R does', () => {
  const f = (s: string) => parseFormula(s).fixed;
  assert.deepEqual(f('y ~ a*b*c').terms.map(termLabel), ['a', 'b', 'c', 'a:b', 'a:c', 'b:c', 'a:b:c']);
  assert.deepEqual(f('y ~ (a + b):c').terms.map(termLabel), ['a:c', 'b:c']);
  assert.deepEqual(f('y ~ a + a + b:a + a:b').terms.map(termLabel), ['a', 'a:b']);
  assert.deepEqual(f('y ~ b:a + a').terms.map(termLabel), ['a', 'b:a']);
  assert.equal(f('y ~ x - 1').intercept, false);
  assert.equal(f('y ~ -1 + x').intercept, false);
  assert.equal(f('y ~ x + 0').intercept, false);
  assert.equal(f('y ~ 0 + x + 1').intercept, true);
  assert.equal(f('y ~ x - 0').intercept, true);
  assert.deepEqual(f('y ~ `my col` + x').terms.map(termLabel), ['my col', 'x']);
  const r = parseFormula('y ~ x + (1 + x | g) + (0 + z | h) + (x | k) + (1 | g)').random;
  assert.deepEqual(
    r.map((t) => [t.group, t.effects.intercept, t.effects.terms.map(termLabel)]),
    [
      ['g', true, ['x']],
      ['h', false, ['z']],
      ['k', true, ['x']],
      ['g', true, []],
    ],
  );
  assert.deepEqual(parseFormula('y ~ (1 | g)').fixed, { intercept: true, terms: [], variables: [] });
});

test('unsupported syntax is refused with a message naming the part', () => {
  const refuse = (formula: string, pattern: RegExp): void => {
    assert.throws(
      () => parseFormula(formula),
      (e: unknown) => e instanceof FormulaError && pattern.test(e.message),
      formula,
    );
  };
  refuse('y ~ x + (1 | g/h)', /nested grouping factors.*\(1 \| g\/h/);
  refuse('y ~ a/b', /nesting with "\/"/);
  refuse('y ~ x + (1 + x || g)', /"\|\|"/);
  refuse('y ~ log(x) + (1 | g)', /functions are not supported: log/);
  refuse('log(y) ~ x', /functions are not supported: log/);
  refuse('y ~ x + offset(z)', /offsets are not supported/);
  refuse('y ~ I(x^2)', /functions are not supported: I/);
  refuse('y ~ (a + b)^2', /"\^"/);
  refuse('y ~ a %in% b', /%in%/);
  refuse('y ~ .', /"\." \(all other columns\)/);
  refuse('y ~ a + b - b', /removing terms with "-"/);
  refuse('y ~ 2 + x', /only 0 or 1/);
  refuse('y ~ x + (1 | g:h)', /interactions of grouping factors/);
  refuse('y ~ x:(1 | g)', /random-effects term cannot be combined/);
  refuse('y ~ x +', /ends where a term was expected|term is missing/);
  refuse('~ x', /needs a response/);
  refuse('y + z ~ x', /single column/);
  refuse('y x', /needs "~"/);
  refuse('y ~ x ~ z', /only one "~"/);
  refuse('y ~ 0', /no fixed effects/);
  refuse('y ~ y + x', /response y also appears/);
  refuse('y ~ x + (1 | g', /expected "\)"/);
  refuse('', /empty/);
});

test('data preparation: missing cells dropped and counted, types from the values, one-level factors refused', () => {
  const data = [
    { y: '1.5', x: '2', f: 'b', g: '1' },
    { y: 'NA', x: '3', f: 'a', g: '2' },
    { y: '2.5', x: '', f: 'a', g: '1' },
    { y: '3', x: '4', f: 'a', g: '2' },
    { y: 4, x: 5, f: 'b', g: 3 },
  ];
  const p = prepareData(data, ['y', 'x', 'f', 'g'], { factors: new Set(['g']), numeric: new Set(['y']) });
  assert.equal(p.n, 3);
  assert.equal(p.dropped, 2);
  assert.deepEqual(p.missingBy, { y: 1, x: 1 });
  assert.deepEqual(p.columns.get('x'), { kind: 'numeric', values: [2, 4, 5] });
  assert.deepEqual(p.columns.get('f'), { kind: 'factor', levels: ['a', 'b'], codes: [1, 0, 1] });
  assert.deepEqual(p.columns.get('g'), { kind: 'factor', levels: ['1', '2', '3'], codes: [0, 1, 2] });
  assert.throws(() => prepareData([{ y: 'high' }, { y: '1' }], ['y'], { numeric: new Set(['y']) }), /response y must be numeric.*"high"/);
  assert.throws(() => prepareData(data, ['y', 'nope']), /no column "nope"/);
  const nan = prepareData(
    [
      { y: 'NaN', x: 1 },
      { y: Number.NaN, x: 2 },
      { y: 3, x: 3 },
    ],
    ['y', 'x'],
  );
  assert.equal(nan.dropped, 2);
  assert.deepEqual(nan.columns.get('y'), { kind: 'numeric', values: [3] });
  assert.throws(
    () =>
      prepareData(
        [
          { y: 'Inf', x: 1 },
          { y: 2, x: 2 },
        ],
        ['y', 'x'],
      ),
    /column y has an infinite value \(Inf\)/,
  );
  assert.throws(
    () =>
      prepareData(
        [
          { y: 1, x: -Infinity },
          { y: 2, x: 2 },
        ],
        ['y', 'x'],
      ),
    /column x has an infinite value/,
  );
  const one = prepareData(
    [
      { y: 1, f: 'a' },
      { y: 2, f: 'a' },
    ],
    ['y', 'f'],
  );
  assert.throws(() => modelMatrix(parseFormula('y ~ f').fixed, one.columns, one.n), /factor f has only one level/);
});

test('factor levels sort by code point (R in a C locale) and keep their spaces, as read.csv does', () => {
  assert.deepEqual(['b', 'B', 'a', 'A', '_x', 'é', '\u{1F600}', '\uFF5E'].sort(byCodePoint), [
    'A',
    'B',
    '_x',
    'a',
    'b',
    'é',
    '\uFF5E',
    '\u{1F600}',
  ]);
  const p = prepareData([{ f: 'a' }, { f: ' a' }, { f: 'a' }], ['f']);
  assert.deepEqual(p.columns.get('f'), { kind: 'factor', levels: [' a', 'a'], codes: [1, 0, 1] });
  const g = prepareData([{ g: '10' }, { g: 2 }, { g: '1' }, { g: '2.0' }], ['g'], { factors: new Set(['g']) });
  assert.deepEqual(g.columns.get('g'), { kind: 'factor', levels: ['1', '2', '10'], codes: [2, 1, 0, 1] });
});
