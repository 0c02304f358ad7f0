// The example files are what a newcomer opens first and what the e2e suite scores: they must parse without
// a single diagnostic, cover what docs/languages.md promises, and their human reference rows must load.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSurvey, parseTemplates } from '../../../src/core/language/index';
import { loadHumanReference } from '../../../src/core/data/index';

const dir = join(process.cwd(), 'examples');
const survey = parseSurvey(readFileSync(join(dir, 'wvs7-sample.wvs'), 'utf8'));
const templates = parseTemplates(readFileSync(join(dir, 'prompts.wvt'), 'utf8'));
const LANGUAGES = ['en', 'da', 'nl', 'pt'];

test('wvs7-sample.wvs parses with zero diagnostics', () => {
  assert.deepEqual(
    survey.diagnostics.map((d) => `${d.range.start.line + 1}: ${d.code} ${d.message}`),
    [],
  );
  assert.deepEqual(
    survey.header.languages.map((l) => l.value),
    LANGUAGES,
  );
});

test('the sample covers the three categories, 4- and 10-point scales and a reversed scale', () => {
  assert.ok(survey.items.length >= 14, `${survey.items.length} items`);
  const categories = new Set(survey.items.map((i) => i.category?.value));
  for (const c of ['socio-cultural norms', 'social systems', 'progress']) assert.ok(categories.has(c), `no item in ${c}`);
  const sizes = new Set(survey.items.map((i) => (i.scale ? i.scale.max - i.scale.min + 1 : 0)));
  assert.ok(sizes.has(4) && sizes.has(10), `scale sizes ${[...sizes].join(',')}`);
  const q106 = survey.items.find((i) => i.id === 'Q106');
  assert.equal(q106?.scale?.reversed, true);
  assert.equal(q106?.dataKey?.value, 'E035');
  assert.equal(survey.items.find((i) => i.id === 'Q182')?.dataKey?.value, 'F118');
});

test('every item has wording and a topic in all four languages; non-English text is marked [mt]', () => {
  for (const item of survey.items) {
    for (const l of LANGUAGES) {
      assert.ok(item.texts[l]?.value, `${item.id} lacks ${l} wording`);
      assert.ok(item.topics[l]?.value, `${item.id} lacks a ${l} topic`);
      assert.equal(!!item.texts[l]!.machineTranslated, l !== 'en', `${item.id} ${l}: [mt] marking`);
      assert.equal(!!item.topics[l]!.machineTranslated, l !== 'en', `${item.id} topic ${l}: [mt] marking`);
    }
    assert.ok(item.scale, `${item.id} has no resolved scale`);
  }
  for (const scale of survey.scales) {
    for (const l of LANGUAGES) assert.equal(!!scale.labelLines[l]?.machineTranslated, l !== 'en', `scale ${scale.name} ${l}`);
    assert.deepEqual(
      scale.missing.map((m) => m.code),
      [-1, -2],
      `scale ${scale.name} missing codes`,
    );
    assert.equal(scale.missing[0]!.labels.en, "Don't know");
  }
});

test('prompts.wvt parses with zero diagnostics; direct in all languages; 10 English paraphrases keep the slots', () => {
  assert.deepEqual(
    templates.diagnostics.map((d) => `${d.range.start.line + 1}: ${d.code} ${d.message}`),
    [],
  );
  const direct = templates.templates.find((t) => t.name === 'direct');
  assert.ok(direct);
  for (const l of LANGUAGES) {
    assert.ok(direct.user[l]?.value.includes('{question}') && direct.user[l]!.value.includes('{options}'), `direct ${l}`);
    assert.ok(direct.system[l]?.value, `direct system ${l}`);
  }
  const interviews = templates.templates.find((t) => t.name === 'interviews');
  assert.ok(interviews && LANGUAGES.every((l) => interviews.user[l]?.value.includes('{topic}')));
  const sets = Object.fromEntries(templates.paraphraseSets.map((s) => [s.name, s]));
  assert.equal(sets.direct?.variants.en?.length, 10);
  assert.equal(sets.interviews?.variants.en?.length, 10);
  for (const v of sets.direct!.variants.en!) assert.ok(v.value.includes('{question}') && v.value.includes('{options}'), v.value);
  for (const v of sets.interviews!.variants.en!) assert.ok(v.value.includes('{topic}'), v.value);
  assert.equal(new Set(sets.interviews!.variants.en!.map((v) => v.value)).size, 10, 'paraphrases are distinct');
});

test('human-reference.csv loads without problems and covers the example keys for six countries', () => {
  const { reference, problems } = loadHumanReference({ text: readFileSync(join(dir, 'human-reference.csv'), 'utf8') });
  assert.deepEqual(problems, []);
  const keys = new Set(survey.items.map((i) => i.dataKey?.value));
  assert.equal(reference.rows.length, 102);
  for (const row of reference.rows) {
    assert.ok(keys.has(row.key), `row key ${row.key} is not an example item`);
    assert.ok(typeof row.share === 'number' && row.share >= 0 && row.share <= 1, `${row.country} ${row.key} share ${row.share}`);
  }
  assert.deepEqual([...new Set(reference.rows.map((r) => r.country))].sort(), ['BR', 'DK', 'GB', 'NL', 'PT', 'US']);
});

test('human-reference.csv quotes the shared source figures exactly (to 4 decimals)', {
  skip: !exists('/work/shared/data/wvs-evs-pro-shares.csv') && 'shared data not present',
}, () => {
  const source = new Map<string, number>();
  for (const line of readFileSync('/work/shared/data/wvs-evs-pro-shares.csv', 'utf8').trim().split('\n').slice(1)) {
    const [country, key, share] = line.split(',');
    source.set(`${country}/${key}`, Number(share));
  }
  for (const line of readFileSync(join(dir, 'human-reference.csv'), 'utf8').trim().split('\n').slice(1)) {
    const [country, key, share] = line.split(',');
    const original = source.get(`${country}/${key}`);
    assert.ok(original !== undefined, `${country}/${key} not in the source`);
    assert.equal(Number(share), Number(original.toFixed(4)), `${country}/${key}`);
  }
});

function exists(path: string): boolean {
  try {
    readFileSync(path);
    return true;
  } catch {
    return false;
  }
}
