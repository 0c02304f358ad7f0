// loadStudy: the two example studies load with no errors and encode the seeds' designs; a broken copy in a
// temporary folder gives the expected diagnostics on the exact ranges; a custom StudyFs is used.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findNodeAtLocation, parseTree, type Node } from 'jsonc-parser';
import { loadStudy } from '../../../src/core/study/load';
import { slotNames } from '../../../src/core/language/index';
import type { StudyDiagnostic, StudyFs } from '../../../src/core/study/types';

const EXAMPLES = join(process.cwd(), 'examples');
const KIM = join(EXAMPLES, 'kim-baek-2024.study.json');
const RYSTROM = join(EXAMPLES, 'rystrom-2025', 'rystrom-2025.study.json');

function rangeOf(text: string, needle: string, nth = 0): { start: number; end: number } {
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = text.indexOf(needle, at + 1);
    assert.ok(at >= 0, `"${needle}" (#${nth}) not in the text`);
  }
  return { start: at, end: at + needle.length };
}

const errorsOf = (d: StudyDiagnostic[]): string[] => d.filter((x) => x.severity === 'error').map((x) => `${x.code}: ${x.message}`);
const only = (d: StudyDiagnostic[], code: string): StudyDiagnostic[] => d.filter((x) => x.code === code);

test('the first seed (Kim & Baek 2024) example loads with no diagnostics and encodes its design', async () => {
  const loaded = await loadStudy(KIM);
  assert.deepEqual(loaded.diagnostics, []);
  const study = loaded.study;
  assert.ok(study);
  assert.deepEqual(study.languages, ['en']);
  assert.ok(study.countries.length >= 20, `${study.countries.length} cue countries`);
  assert.deepEqual(study.analysis.references, ['cue']);
  assert.equal(study.method, 'logprobs');
  assert.ok(study.models.length >= 3);
  assert.ok(study.models.some((m) => m.kind === 'base'));
  for (const m of study.models) {
    for (const a of ['family', 'size', 'chat']) assert.notEqual(m.attributes[a], undefined, `${m.id} lacks ${a}`);
    assert.equal(m.attributes.chat, m.kind === 'chat');
  }
  // The chosen template has the {country} slot; every cue country has human rows for every selected item.
  assert.equal(loaded.templates.length, 1);
  const tpl = loaded.templates[0].file.templates.find((t) => t.name === 'country');
  assert.ok(tpl && slotNames(tpl.system.en.value).has('country'));
  const items = loaded.surveys[0].file.items;
  assert.equal(items.length, 23);
  const have = new Set(loaded.human.rows.map((r) => `${r.country}|${r.key}`));
  for (const c of study.countries) for (const it of items) assert.ok(have.has(`${c}|${it.dataKey?.value}`), `${c} ${it.id}`);
  assert.equal(loaded.human.rows.length, study.countries.length * items.length);
});

test('the second seed (Rystrøm, Kirk & Hale 2025) example loads with no errors and encodes its design', async () => {
  const loaded = await loadStudy(RYSTROM);
  assert.deepEqual(errorsOf(loaded.diagnostics), []);
  const study = loaded.study;
  assert.ok(study);
  assert.deepEqual(study.languages, ['da', 'nl', 'en', 'pt']);
  assert.equal(study.samples, 10);
  assert.deepEqual(study.countries, []);
  assert.deepEqual(
    study.templates.map((t) => [t.names, t.paraphrases]),
    [[['interviews'], 'all']],
  );
  const sets = loaded.templates[0].file.paraphraseSets.filter((s) => s.templateName === 'interviews');
  assert.equal(sets[0].variants.en.length, 10);
  assert.deepEqual(study.analysis.references, ['pooled', 'language']);
  // The nine models of the paper, ids equal to the response table's model_name values.
  const csv = readFileSync(join(EXAMPLES, 'rystrom-2025', 'all_lang_model_responses_with_scores.csv'), 'utf8')
    .trim()
    .split('\n');
  const names = new Set(csv.slice(1).map((l) => l.split(',')[0]));
  assert.deepEqual(study.models.map((m) => m.id).sort(), [...names].sort());
  assert.ok(study.models.every((m) => typeof m.attributes.family === 'string'));
  assert.deepEqual(
    study.imports.map((i) => [i.columns.pro, i.columns.attributes, i.where]),
    [['response_pro_score', { family: 'model_family' }, { template_type: 'survey_hypothetical' }]],
  );
  // Per-language pooled rows (no country) for all four languages, and per-country rows for every mapped country.
  const pooled = new Set(loaded.human.rows.filter((r) => r.country === '').map((r) => r.language));
  assert.deepEqual([...pooled].sort(), ['da', 'en', 'nl', 'pt']);
  const countries = new Set(loaded.human.rows.map((r) => r.country));
  for (const list of Object.values(study.languageCountries)) for (const c of list) assert.ok(countries.has(c), c);
  // The English-only paraphrases are said, not hidden.
  assert.deepEqual(only(loaded.diagnostics, 'study/missing-translation').length, 3);
});

test('a broken copy: missing file, unknown template, item, category and paraphrase, country absent from the human data', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vl-study-'));
  try {
    const text = JSON.stringify(
      {
        items: [{ file: join(EXAMPLES, 'wvs7-sample.wvs'), ids: ['Q182', 'Q999'], categories: ['social sytems'] }, { file: 'nowhere.wvs' }],
        templates: [{ file: join(EXAMPLES, 'prompts.wvt'), names: ['country', 'contry'], paraphrases: [12] }],
        languages: ['en'],
        countries: ['DK', 'FI'],
        models: [{ id: 'm', provider: 'ollama' }],
        human: [{ file: join(EXAMPLES, 'human-countries-synthetic.csv') }, { file: 'missing.csv' }],
        analysis: { references: ['cue'] },
      },
      null,
      2,
    );
    const path = join(dir, 'broken.study.json');
    writeFileSync(path, text);
    let loaded = await loadStudy(path);
    assert.equal(loaded.study, undefined);
    const codes = (c: string): { start: number; end: number }[] => only(loaded.diagnostics, c).map((d) => d.range);
    assert.deepEqual(codes('study/missing-file'), [rangeOf(text, '"nowhere.wvs"'), rangeOf(text, '"missing.csv"')]);
    assert.deepEqual(codes('study/unknown-item'), [rangeOf(text, '"Q999"')]);
    assert.deepEqual(codes('study/unknown-category'), [rangeOf(text, '"social sytems"')]);
    assert.match(only(loaded.diagnostics, 'study/unknown-category')[0].message, /did you mean "social systems"/);
    assert.deepEqual(codes('study/unknown-template'), [rangeOf(text, '"contry"')]);
    assert.match(only(loaded.diagnostics, 'study/unknown-template')[0].message, /did you mean "country"/);
    // The country template has no paraphrase set: said as a warning on "paraphrases".
    assert.deepEqual(
      only(loaded.diagnostics, 'study/no-paraphrases').map((d) => [d.severity, d.range]),
      [['warning', rangeOf(text, '[\n        12\n      ]')]],
    );
    // Human coverage is checked only when every human file was read; fix the missing one and look again.
    assert.deepEqual(codes('study/country-not-in-human'), []);
    const fixed = text.replace('"missing.csv"', JSON.stringify(join(EXAMPLES, 'human-reference.csv')));
    writeFileSync(path, fixed);
    loaded = await loadStudy(path);
    const absent = only(loaded.diagnostics, 'study/country-not-in-human');
    assert.deepEqual(
      absent.map((d) => [d.severity, d.range]),
      [['warning', rangeOf(fixed, '"FI"')]],
    );
    assert.match(absent[0].message, /no human data for FI/);

    // {country} in a template without cue countries: every prompt would fail.
    const noCue = fixed.replace('"countries": [\n    "DK",\n    "FI"\n  ],', '"countries": [],').replace('"cue"', '"language"');
    writeFileSync(path, noCue);
    loaded = await loadStudy(path);
    const templatesNode = findNodeAtLocation(parseTree(noCue) as Node, ['templates']) as Node;
    assert.deepEqual(
      only(loaded.diagnostics, 'study/country-slot-no-cue').map((d) => d.range),
      [{ start: templatesNode.offset, end: templatesNode.offset + templatesNode.length }],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a referenced file with errors, an import naming absent columns, a human file read through a column mapping', async () => {
  const files = new Map<string, string>([
    ['/s/bad.wvs', 'item Q1\n  scale: nosuchscale\n  en: Question?\n'],
    ['/s/p.wvt', 'template t\n  en: {question} {options}\n'],
    ['/s/human.csv', 'land_code;var;avg\nDK;Q1;2.5\n'],
    ['/s/resp.csv', 'model_name,language,question_key,score\nm,en,Q1,0.5\n'],
  ]);
  const text = JSON.stringify(
    {
      items: [{ file: 'bad.wvs' }],
      templates: [{ file: 'p.wvt' }],
      languages: ['en'],
      models: [{ id: 'm', provider: 'ollama' }],
      human: [{ file: 'human.csv', columns: { country: 'land_code', item: 'var', mean: 'avg' } }],
      imports: [
        {
          file: 'resp.csv',
          columns: { model: 'model_name', language: 'language', item: 'question_key', pro: 'pro_score' },
          where: { template: 'x' },
        },
      ],
      analysis: { references: ['DK', 'US'] },
    },
    null,
    2,
  );
  files.set('/s/demo.study.json', text);
  const read: string[] = [];
  const fs: StudyFs = {
    readFile: async (p) => {
      read.push(p);
      const t = files.get(p);
      if (t === undefined) throw new Error(`ENOENT ${p}`);
      return new TextEncoder().encode(t);
    },
    exists: async (p) => files.has(p),
  };
  const loaded = await loadStudy('/s/demo.study.json', fs);
  assert.deepEqual(read.sort(), [...files.keys()].sort());
  const fileErrors = only(loaded.diagnostics, 'study/file-errors');
  assert.deepEqual(
    fileErrors.map((d) => d.range),
    [rangeOf(text, '"bad.wvs"')],
  );
  assert.match(fileErrors[0].message, /nosuchscale|scale/);
  assert.deepEqual(
    only(loaded.diagnostics, 'study/import-column').map((d) => d.range),
    [rangeOf(text, '"pro_score"'), rangeOf(text, '"x"')],
  );
  assert.deepEqual(loaded.human.rows, [{ country: 'DK', key: 'Q1', mean: 2.5 }]);
  // 'US' is a reference country the human data lack.
  assert.deepEqual(
    only(loaded.diagnostics, 'study/country-not-in-human').map((d) => d.range),
    [rangeOf(text, '"US"')],
  );
  const missing = await loadStudy('/s/none.study.json', fs);
  assert.deepEqual(
    missing.diagnostics.map((d) => d.code),
    ['study/missing-file'],
  );
});
