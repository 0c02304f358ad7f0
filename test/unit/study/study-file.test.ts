// parseStudyText: defaults, path resolution, the hash, and every diagnostic code with its exact range.
import { test } from 'node:test';
import fc from 'fast-check';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseStudyText, STUDY_DEFAULTS } from '../../../src/core/study/parse';
import { canonicalJson } from '../../../src/core/run/key';
import { countryName, isKnownCountry, ISO_3166_ALPHA2 } from '../../../src/core/study/countries';
import type { StudyDiagnostic } from '../../../src/core/study/types';

const PATH = '/work/studies/demo.study.json';

/** A minimal valid study as pretty JSON; `extra` members are merged in at the top level. */
function studyText(extra: Record<string, unknown> = {}): string {
  return JSON.stringify(
    {
      items: [{ file: 'items.wvs' }],
      templates: [{ file: 'prompts.wvt' }],
      languages: ['en'],
      models: [{ id: 'm1', provider: 'ollama' }],
      ...extra,
    },
    null,
    2,
  );
}

/** The range of the n-th (0-based) occurrence of `needle` in `text`. */
function rangeOf(text: string, needle: string, nth = 0): { start: number; end: number } {
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = text.indexOf(needle, at + 1);
    assert.ok(at >= 0, `"${needle}" (#${nth}) not in the text`);
  }
  return { start: at, end: at + needle.length };
}

function only(diags: StudyDiagnostic[], code: string): StudyDiagnostic[] {
  return diags.filter((d) => d.code === code);
}

test('a minimal study gets every documented default', () => {
  const text = studyText();
  const { study, diagnostics } = parseStudyText(text, PATH);
  assert.deepEqual(diagnostics, []);
  assert.ok(study);
  assert.equal(study.name, 'demo');
  assert.equal(study.path, PATH);
  assert.deepEqual(study.items, [{ file: '/work/studies/items.wvs' }]);
  assert.deepEqual(study.templates, [{ file: '/work/studies/prompts.wvt', paraphrases: 'none' }]);
  assert.equal(study.results, '/work/studies/demo.results');
  assert.deepEqual(study.countries, []);
  assert.deepEqual(study.languageCountries, { en: ['US', 'GB'] });
  assert.deepEqual(study.models, [
    { id: 'm1', provider: 'ollama', model: 'm1', endpoint: 'http://127.0.0.1:11434', kind: 'chat', attributes: { chat: true } },
  ]);
  assert.equal(study.method, 'auto');
  assert.equal(study.samples, 10);
  assert.equal(study.temperature, undefined);
  assert.equal(study.seed, 0);
  assert.equal(study.rounds, 1);
  assert.equal(study.confirmAbove, 5000);
  assert.deepEqual(study.optionOrders, ['original']);
  assert.deepEqual(study.human, []);
  assert.deepEqual(study.imports, []);
  // 'cue' is dropped from the default references when there are no country cues.
  assert.deepEqual(study.analysis, {
    levels: ['item'],
    measures: ['mean'],
    references: ['language'],
    bootstrap: { iterations: 1000, seed: 1 },
    rerun: 'latest',
    adjust: ['holm', 'BH'],
    fits: [],
    contrasts: [],
  });
  const withCues = parseStudyText(studyText({ countries: ['DK'] }), PATH).study;
  assert.deepEqual(withCues?.analysis.references, STUDY_DEFAULTS.analysis.references);
});

test('explicit values are kept; relative paths resolve against the study folder', () => {
  const text = studyText({
    name: 'mine',
    items: [{ file: '../data/a.wvs', ids: ['Q1'], categories: ['social systems'] }],
    templates: [{ file: 'sub/p.wvt', names: ['country'], paraphrases: [0, 2] }],
    results: 'out/corpus',
    languageCountries: { en: ['GB'], da: ['DK'] },
    languages: ['en', 'da'],
    endpoints: { box: 'http://10.0.0.2:11434' },
    models: [{ id: 'b', provider: 'openai', model: 'llama-base', endpoint: 'box', kind: 'base', attributes: { family: 'llama', size: 8 } }],
    method: 'sample',
    samples: 20,
    temperature: 0.7,
    seed: 7,
    rounds: 3,
    confirmAbove: 0,
    optionOrders: ['original', 'reversed', { permutations: 3 }, { permutations: 2, seed: 9 }],
    analysis: { bootstrap: { iterations: 50 } },
  });
  const { study, diagnostics } = parseStudyText(text, PATH);
  assert.deepEqual(diagnostics, []);
  assert.ok(study);
  assert.equal(study.name, 'mine');
  assert.deepEqual(study.items, [{ file: '/work/data/a.wvs', ids: ['Q1'], categories: ['social systems'] }]);
  assert.deepEqual(study.templates, [{ file: '/work/studies/sub/p.wvt', names: ['country'], paraphrases: [0, 2] }]);
  assert.equal(study.results, '/work/studies/out/corpus');
  assert.deepEqual(study.languageCountries, { en: ['GB'], da: ['DK'] });
  assert.deepEqual(study.models[0], {
    id: 'b',
    provider: 'openai',
    model: 'llama-base',
    endpoint: 'http://10.0.0.2:11434',
    kind: 'base',
    attributes: { family: 'llama', size: 8, chat: false },
  });
  assert.deepEqual(
    [study.method, study.samples, study.temperature, study.seed, study.rounds, study.confirmAbove],
    ['sample', 20, 0.7, 7, 3, 0],
  );
  // A permutation spec without a seed takes the study seed.
  assert.deepEqual(study.optionOrders, ['original', 'reversed', { permutations: 3, seed: 7 }, { permutations: 2, seed: 9 }]);
  assert.deepEqual(study.analysis.bootstrap, { iterations: 50, seed: 1 });
  assert.equal(parseStudyText(studyText(), '/w/plain.json').study?.name, 'plain');
});

test('the hash is sha256 of the canonical JSON of the file: layout and key order do not matter, values do', () => {
  const text = studyText({ samples: 5 });
  const expected = createHash('sha256')
    .update(canonicalJson(JSON.parse(text)))
    .digest('hex');
  assert.equal(parseStudyText(text, PATH).study?.hash, expected);
  const reordered = JSON.stringify({ samples: 5, ...JSON.parse(studyText()) });
  assert.equal(parseStudyText(reordered, PATH).study?.hash, expected);
  assert.notEqual(parseStudyText(studyText({ samples: 6 }), PATH).study?.hash, expected);
});

test('study/json-syntax: trailing comma and comment, at the offending character; never throws', () => {
  const text = '{"items": [1,],}';
  const { study, diagnostics } = parseStudyText(text, PATH);
  assert.equal(study, undefined);
  const syntax = only(diagnostics, 'study/json-syntax');
  assert.deepEqual(
    syntax.map((d) => d.range),
    [
      { start: 13, end: 14 },
      { start: 15, end: 16 },
    ],
  );
  const comment = parseStudyText('{"name": "x" // note\n}', PATH).diagnostics;
  assert.deepEqual(only(comment, 'study/json-syntax')[0].range, { start: 13, end: 20 });
  assert.match(only(comment, 'study/json-syntax')[0].message, /comments are not allowed/);
  assert.deepEqual(
    parseStudyText('', PATH).diagnostics.map((d) => d.code),
    ['study/json-syntax'],
  );
  assert.deepEqual(
    parseStudyText('[1]', PATH).diagnostics.map((d) => [d.code, d.range]),
    [['study/wrong-type', { start: 0, end: 3 }]],
  );
  // Every prefix of a real study, and some garbage: no throw, every range inside the text.
  const example = readFileSync(join(process.cwd(), 'examples', 'kim-baek-2024.study.json'), 'utf8');
  const inputs = [
    ...Array.from({ length: 60 }, (_, i) => example.slice(0, Math.floor((example.length * i) / 60))),
    '\u0000\uffff{',
    '{{{{',
    '{"items":{"a":[[[',
    '\ufeff',
  ];
  for (const t of inputs) {
    const r = parseStudyText(t, PATH);
    for (const d of r.diagnostics)
      assert.ok(
        d.range.start >= 0 && d.range.end <= t.length && d.range.start <= d.range.end,
        `${d.code} ${JSON.stringify(d.range)} in ${t.length}`,
      );
    if (r.diagnostics.some((d) => d.severity === 'error')) assert.equal(r.study, undefined);
  }
});

test('a byte-order mark is skipped and ranges still point into the original text', () => {
  const text = '\ufeff' + studyText({ samples: 'ten' });
  const d = only(parseStudyText(text, PATH).diagnostics, 'study/wrong-type');
  assert.deepEqual(d[0].range, rangeOf(text, '"ten"'));
});

test('study/unknown-property: a warning on the key, with a suggestion', () => {
  const text = studyText({ temprature: 0.5 });
  const { study, diagnostics } = parseStudyText(text, PATH);
  const d = only(diagnostics, 'study/unknown-property');
  assert.equal(d.length, 1);
  assert.equal(d[0].severity, 'warning');
  assert.deepEqual(d[0].range, rangeOf(text, '"temprature"'));
  assert.match(d[0].message, /did you mean "temperature"/);
  assert.ok(study, 'a warning leaves the study usable');
  const nested = studyText({ models: [{ id: 'm', provider: 'ollama', colour: 'red' }] });
  assert.deepEqual(only(parseStudyText(nested, PATH).diagnostics, 'study/unknown-property')[0].range, rangeOf(nested, '"colour"'));
});

test('study/wrong-type and study/bad-value: on the value', () => {
  const text = studyText({ samples: '10', rounds: 0, languages: 'en' });
  const { study, diagnostics } = parseStudyText(text, PATH);
  assert.equal(study, undefined);
  const wrong = only(diagnostics, 'study/wrong-type');
  assert.deepEqual(
    wrong.map((d) => d.range),
    [rangeOf(text, '"en"', 0), rangeOf(text, '"10"')].sort((a, b) => a.start - b.start),
  );
  const bad = only(diagnostics, 'study/bad-value');
  assert.deepEqual(
    bad.map((d) => d.range),
    [rangeOf(text, '0', text.indexOf('"rounds"') > 0 ? countBefore(text, '0', text.indexOf('"rounds"')) : 0)],
  );
  assert.match(bad[0].message, /between 1 and 1000, not 0/);
});

/** How many occurrences of needle start before position `pos` (so the next one is the one after it). */
function countBefore(text: string, needle: string, pos: number): number {
  let n = 0;
  for (let i = text.indexOf(needle); i >= 0 && i < pos; i = text.indexOf(needle, i + 1)) n++;
  return n;
}

test('study/missing-property: required fields, on the opening brace', () => {
  const text = JSON.stringify({ items: [{ file: 'a.wvs' }], templates: [{}], models: [{ provider: 'ollama' }] });
  const d = only(parseStudyText(text, PATH).diagnostics, 'study/missing-property');
  assert.deepEqual(
    d.map((x) => [x.message, x.range]),
    [
      ['templates[0] needs "file"', rangeOf(text, '{}')],
      ['the study needs "languages"', { start: 0, end: 1 }],
      ['models[0] needs "id"', rangeOf(text, '{"provider":"ollama"}')],
    ],
  );
});

test('study/unknown-provider, study/duplicate-model, study/unknown-endpoint, study/endpoint-credentials', () => {
  const text = studyText({
    endpoints: { local: 'http://127.0.0.1:11434', leaky: 'https://user:secret@example.invalid/v1' },
    models: [
      { id: 'a', provider: 'anthropic' },
      { id: 'b', provider: 'ollama', endpoint: 'locl' },
      { id: 'b', provider: 'ollama', endpoint: 'local' },
      { id: 'c', provider: 'openai', endpoint: 'https://api.example.invalid/v1?api_key=xyz' },
    ],
  });
  const { study, diagnostics } = parseStudyText(text, PATH);
  assert.equal(study, undefined);
  assert.deepEqual(
    only(diagnostics, 'study/unknown-provider').map((d) => d.range),
    [rangeOf(text, '"anthropic"')],
  );
  assert.deepEqual(
    only(diagnostics, 'study/duplicate-model').map((d) => d.range),
    [rangeOf(text, '"b"', 1)],
  );
  const ep = only(diagnostics, 'study/unknown-endpoint');
  assert.deepEqual(
    ep.map((d) => d.range),
    [rangeOf(text, '"locl"')],
  );
  assert.match(ep[0].message, /did you mean "local"/);
  const cred = only(diagnostics, 'study/endpoint-credentials');
  assert.deepEqual(
    cred.map((d) => d.range),
    [rangeOf(text, '"https://user:secret@example.invalid/v1"'), rangeOf(text, '"https://api.example.invalid/v1?api_key=xyz"')],
  );
  assert.ok(!cred.some((d) => d.message.includes('secret')), 'the message never repeats the credential');
});

test('study/unknown-country: cues, language countries and references; NIR is accepted', () => {
  const text = studyText({
    countries: ['DK', 'UK', 'dk', 'NIR'],
    languageCountries: { en: ['US', 'XX'] },
    analysis: { references: ['cue', 'ZZ'] },
  });
  const d = only(parseStudyText(text, PATH).diagnostics, 'study/unknown-country');
  assert.deepEqual(
    d.map((x) => x.range),
    [rangeOf(text, '"UK"'), rangeOf(text, '"dk"'), rangeOf(text, '"XX"'), rangeOf(text, '"ZZ"')],
  );
  assert.match(d[0].message, /did you mean "GB"/);
  assert.match(d[1].message, /did you mean "DK"/);
  assert.equal(ISO_3166_ALPHA2.length, 249);
  assert.ok(isKnownCountry('NIR') && isKnownCountry('XK') && !isKnownCountry('UK') && !isKnownCountry('GB-NIR'));
  assert.equal(countryName('NIR', 'en'), 'Northern Ireland');
  assert.equal(countryName('DK', 'da'), 'Danmark');
});

test('study/bad-language and study/duplicate-value', () => {
  const text = studyText({ languages: ['en', 'English', 'en'], countries: ['DK', 'DK'] });
  const { diagnostics } = parseStudyText(text, PATH);
  assert.deepEqual(
    only(diagnostics, 'study/bad-language').map((d) => d.range),
    [rangeOf(text, '"English"')],
  );
  assert.deepEqual(
    only(diagnostics, 'study/duplicate-value').map((d) => [d.severity, d.range]),
    [
      ['warning', rangeOf(text, '"en"', 1)],
      ['warning', rangeOf(text, '"DK"', 1)],
    ],
  );
});

test('study/duplicate-value: a repeated item or template source is planned once, with a warning on the copy', () => {
  const text = studyText({
    items: [{ file: 'a.wvs' }, { file: './a.wvs' }],
    templates: [{ file: 'p.wvt' }, { file: 'p.wvt', names: ['x'] }],
  });
  const { study, diagnostics } = parseStudyText(text, PATH);
  assert.deepEqual(
    only(diagnostics, 'study/duplicate-value').map((d) => d.range),
    [rangeOf(text, '{\n      "file": "./a.wvs"\n    }')],
  );
  assert.equal(study?.items.length, 1);
  assert.equal(study?.templates.length, 2);
});

test('study/bad-option-order: unknown word, k < 1, missing k, wrong type', () => {
  const text = studyText({ optionOrders: ['revresed', { permutations: 0 }, { seed: 3 }, 5, 'cyclic'] });
  const { study, diagnostics } = parseStudyText(text, PATH);
  assert.equal(study, undefined);
  const d = only(diagnostics, 'study/bad-option-order');
  assert.deepEqual(
    d.map((x) => x.range),
    [
      rangeOf(text, '"revresed"'),
      rangeOf(text, '0', countBefore(text, '0', text.indexOf('"permutations": 0'))),
      rangeOf(text, '{\n      "seed": 3\n    }'),
      rangeOf(text, '5'),
    ],
  );
  assert.match(d[0].message, /did you mean "reversed"/);
  assert.deepEqual(only(parseStudyText(studyText({ optionOrders: [] }), PATH).diagnostics, 'study/bad-option-order').length, 1);
});

test('study/bad-analysis: levels, references, bootstrap, rerun, fits and contrasts', () => {
  const text = studyText({
    analysis: {
      levels: ['country'],
      references: ['cue', 'local'],
      rerun: 'newest',
      fits: [{ name: 'f', formula: 'alignment + size', table: 'alignment' }],
      contrasts: [
        { factor: 'model', a: 'm1', b: 'm2' },
        { factor: 'language', a: 'en', b: 'en' },
        { factor: 'family', a: 'x', b: 'y' },
      ],
    },
  });
  const d = only(parseStudyText(text, PATH).diagnostics, 'study/bad-analysis');
  assert.deepEqual(
    d.map((x) => x.range),
    [
      rangeOf(text, '"country"'),
      rangeOf(text, '"cue"'),
      rangeOf(text, '"local"'),
      rangeOf(text, '"newest"'),
      rangeOf(text, '"alignment + size"'),
      rangeOf(text, '"m2"'),
      rangeOf(text, '{\n        "factor": "language",\n        "a": "en",\n        "b": "en"\n      }'),
      rangeOf(text, '"family"'),
    ],
  );
  assert.match(d[1].message, /no "countries"/);
  assert.match(d[5].message, /did you mean "m1"/);
});

test('study/attribute-not-set: a fit formula uses an attribute some models lack (warning); none when all set', () => {
  const models = [
    { id: 'a', provider: 'ollama', attributes: { family: 'llama', size: 8 } },
    { id: 'b', provider: 'ollama', attributes: { size: 7 } },
  ];
  const fits = [{ name: 'size', formula: 'alignment ~ size + chat + (1 | family)', table: 'alignment' }];
  const text = studyText({ models, analysis: { fits } });
  const { study, diagnostics } = parseStudyText(text, PATH);
  const d = only(diagnostics, 'study/attribute-not-set');
  assert.equal(d.length, 1);
  assert.equal(d[0].severity, 'warning');
  assert.deepEqual(d[0].range, rangeOf(text, '"alignment ~ size + chat + (1 | family)"'));
  assert.match(d[0].message, /"family", which is not set on b/);
  assert.ok(study, 'a warning leaves the study usable');
  assert.deepEqual(study.analysis.fits, fits);
  // An attribute set on some models only is also said once, as info, on the models list.
  assert.deepEqual(
    only(diagnostics, 'study/attribute-partial').map((x) => x.severity),
    ['info'],
  );
  models[1].attributes = { family: 'qwen', size: 7 } as (typeof models)[1]['attributes'];
  assert.deepEqual(only(parseStudyText(studyText({ models, analysis: { fits } }), PATH).diagnostics, 'study/attribute-not-set'), []);
});

test('study/bad-import: answer columns and required roles', () => {
  const text = studyText({ imports: [{ file: 'r.csv', columns: { model: 'm', item: 'q', code: 'c', pro: 'p' } }] });
  const d = only(parseStudyText(text, PATH).diagnostics, 'study/bad-import');
  const colsRange = rangeOf(text, '{\n        "model": "m",\n        "item": "q",\n        "code": "c",\n        "pro": "p"\n      }');
  assert.deepEqual(
    d.map((x) => [x.message, x.range]),
    [
      ['imports[0].columns needs "language" (the column holding the language)', colsRange],
      ['imports[0].columns needs exactly one of "code", "probabilities" or "pro" (found code, pro)', colsRange],
    ],
  );
});

test('default references: a language without languageCountries is a warning on "languages"', () => {
  const text = studyText({ languages: ['en', 'de'] });
  const { study, diagnostics } = parseStudyText(text, PATH);
  assert.deepEqual(
    diagnostics.map((d) => [d.code, d.severity, d.range]),
    [['study/bad-analysis', 'warning', rangeOf(text, '[\n    "en",\n    "de"\n  ]')]],
  );
  assert.match(diagnostics[0].message, /no countries for de/);
  assert.deepEqual(study?.languageCountries, { en: ['US', 'GB'] });
});

test('a warning-only study is returned; any error withholds it', () => {
  assert.ok(parseStudyText(studyText({ extra: 1 }), PATH).study);
  assert.equal(parseStudyText(studyText({ countries: ['QQ'] }), PATH).study, undefined);
});

test('any JSON value, any text: parseStudyText never throws and every range lies inside the text', () => {
  const check = (t: string): void => {
    const r = parseStudyText(t, PATH);
    for (const d of r.diagnostics)
      assert.ok(d.range.start >= 0 && d.range.start <= d.range.end && d.range.end <= t.length, `${d.code} ${JSON.stringify(d.range)}`);
    assert.equal(
      r.study === undefined,
      r.diagnostics.some((d) => d.severity === 'error'),
    );
  };
  // Study-shaped objects with arbitrary values in every field, and arbitrary text.
  const keys = [
    'items',
    'templates',
    'languages',
    'countries',
    'languageCountries',
    'endpoints',
    'models',
    'optionOrders',
    'human',
    'imports',
    'analysis',
    'samples',
    'method',
  ];
  fc.assert(
    fc.property(fc.dictionary(fc.constantFrom(...keys), fc.jsonValue(), { maxKeys: 8 }), (doc) => check(JSON.stringify(doc, null, 1))),
    { numRuns: 150, seed: 14 },
  );
  fc.assert(fc.property(fc.string({ maxLength: 200 }), check), { numRuns: 150, seed: 15 });
});
