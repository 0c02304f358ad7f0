// The TextMate grammars: the checked-in JSON is a fresh build of the YAML, the example files tokenize as
// recorded in __snapshots__ (UPDATE_SNAPSHOTS=1 rewrites them), and key constructs get their scopes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { grammarJson, grammarSources } from '../../../syntaxes/build.mjs';
import { repoRoot, scopesOf, snapshotText, tokenize, type Token } from './tokenize';

const examples = join(repoRoot, 'examples');
const snapshots = join(repoRoot, 'test', 'unit', 'grammar', '__snapshots__');

function has(scopes: string[] | undefined, scope: string): boolean {
  return !!scopes && scopes.some((s) => s === scope || s.startsWith(scope + '.'));
}

/** Fails with the scopes actually found, so a broken rule is easy to see. */
function expectScope(tokens: Token[], text: string, line: number, scope: string): void {
  const scopes = scopesOf(tokens, text, line);
  const found = tokens.filter((t) => t.line === line).map((t) => `${JSON.stringify(t.text)} ${t.scopes.slice(1).join(' ')}`);
  assert.ok(has(scopes, scope), `${JSON.stringify(text)} on line ${line} should have ${scope}; line tokens:\n${found.join('\n')}`);
}

test('checked-in grammar JSON equals a fresh build of the YAML', () => {
  const sources = grammarSources(join(repoRoot, 'syntaxes'));
  assert.deepEqual(
    sources.map((s) => s.json.replace(/.*[\\/]/, '')),
    ['wvs.tmLanguage.json', 'wvt.tmLanguage.json'],
  );
  for (const { yaml, json } of sources) {
    assert.equal(readFileSync(json, 'utf8'), grammarJson(readFileSync(yaml, 'utf8')), `${json} is stale: run npm run grammars`);
  }
});

test('grammar scope names match package.json contributes.grammars', () => {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
    contributes: { grammars: { language: string; scopeName: string; path: string }[] };
  };
  for (const g of pkg.contributes.grammars) {
    const grammar = JSON.parse(readFileSync(join(repoRoot, g.path), 'utf8')) as { scopeName: string };
    assert.equal(grammar.scopeName, g.scopeName);
    assert.equal(g.scopeName, `source.${g.language}`);
  }
});

for (const [file, scope] of [
  ['wvs7-sample.wvs', 'source.wvs'],
  ['prompts.wvt', 'source.wvt'],
] as const) {
  test(`token snapshot of examples/${file}`, async () => {
    const text = readFileSync(join(examples, file), 'utf8');
    const actual = snapshotText(await tokenize(scope, text));
    const snap = join(snapshots, `${file}.snap`);
    if (process.env.UPDATE_SNAPSHOTS === '1' || !existsSync(snap)) {
      writeFileSync(snap, actual);
      if (process.env.UPDATE_SNAPSHOTS !== '1') assert.fail(`snapshot ${snap} was missing and has been written; re-run`);
      return;
    }
    assert.equal(actual, readFileSync(snap, 'utf8'), `tokens of ${file} changed (UPDATE_SNAPSHOTS=1 to accept)`);
  });
}

test('.wvs: comments, keywords, item ids, scale names, numbers, strings, language tags, [mt]', async () => {
  const src = [
    '# a comment',
    'survey "WVS-7 sample"',
    'languages en da',
    'scale justifiable 1..10 numeric reversed  # trailing',
    '  en: Never justifiable .. Always justifiable',
    '  missing da[mt]: -1 "Ved ikke" | -2 "Intet svar"',
    'item Q182 "Homosexuality"',
    '  scale: justifiable',
    '  key: F118',
    '  topic en: homosexuality',
    '  da[mt]: Homoseksualitet',
    '  en: |',
    '    Please tell me',
    '    # inside a block this is text, as the parser reads it',
    'item Q184',
    'bogus line',
  ].join('\n');
  const tokens = await tokenize('source.wvs', src);
  const on = (text: string, line: number) => scopesOf(tokens, text, line);
  expectScope(tokens, '#', 0, 'comment.line.number-sign.wvs');
  expectScope(tokens, 'survey', 1, 'keyword.control');
  expectScope(tokens, 'WVS-7 sample', 1, 'string.quoted.double.wvs');
  expectScope(tokens, 'da', 2, 'constant.language.wvs');
  expectScope(tokens, 'justifiable', 3, 'entity.name.type.scale.wvs');
  expectScope(tokens, '1', 3, 'constant.numeric');
  expectScope(tokens, '10', 3, 'constant.numeric');
  expectScope(tokens, 'reversed', 3, 'storage.modifier.reversed.wvs');
  expectScope(tokens, '#', 3, 'comment.line.number-sign.wvs');
  expectScope(tokens, '..', 4, 'keyword.operator.range.wvs');
  expectScope(tokens, '[mt]', 5, 'markup.italic.machine-translated.wvs');
  expectScope(tokens, '-2', 5, 'constant.numeric');
  expectScope(tokens, 'Q182', 6, 'entity.name.function.item.wvs');
  expectScope(tokens, 'justifiable', 7, 'entity.name.type.scale.wvs');
  expectScope(tokens, 'F118', 8, 'constant.other.data-key.wvs');
  expectScope(tokens, 'topic', 9, 'keyword.other.property.wvs');
  expectScope(tokens, 'Homoseksualitet', 10, 'string.unquoted.text.wvs');
  expectScope(tokens, '|', 11, 'keyword.operator.block.wvs');
  expectScope(tokens, '    Please tell me', 12, 'string.unquoted.block.wvs');
  const blockLine = tokens.filter((t) => t.line === 13);
  assert.ok(
    blockLine.length > 0 && blockLine.every((t) => has(t.scopes, 'string.unquoted.block.wvs') && !has(t.scopes, 'comment')),
    'a # line inside a block is text',
  );
  assert.ok(has(on('Q184', 14), 'entity.name.function.item.wvs'), 'the block ends at the next top-level line');
  expectScope(tokens, 'bogus line', 15, 'invalid.illegal');
});

test('.wvt: slots, unknown slots, escapes, template and paraphrase names, list items', async () => {
  const src = [
    'template direct   # comment',
    '  system da[mt]: Du er i {country}.',
    '  en: |',
    '    {question}',
    '    {options} {{literal}} {answer}',
    'paraphrases direct of direct',
    '  en:',
    '    - Here is {topic}; reply in {language}.',
  ].join('\n');
  const tokens: Token[] = await tokenize('source.wvt', src);
  const on = (text: string, line: number) => scopesOf(tokens, text, line);
  expectScope(tokens, 'template', 0, 'keyword.control');
  expectScope(tokens, 'direct', 0, 'entity.name.function.template.wvt');
  expectScope(tokens, '#', 0, 'comment.line.number-sign.wvt');
  expectScope(tokens, 'system', 1, 'keyword.other.system.wvt');
  expectScope(tokens, 'da', 1, 'constant.language.wvt');
  expectScope(tokens, '[mt]', 1, 'markup.italic.machine-translated.wvt');
  expectScope(tokens, 'country', 1, 'variable.other.slot.wvt');
  expectScope(tokens, 'question', 3, 'variable.other.slot.wvt');
  expectScope(tokens, 'question', 3, 'string.unquoted.block.wvt');
  expectScope(tokens, 'options', 4, 'variable.other.slot.wvt');
  expectScope(tokens, '{{', 4, 'constant.character.escape.brace.wvt');
  expectScope(tokens, '{answer}', 4, 'invalid.illegal.unknown-slot.wvt');
  assert.ok(!has(on('literal', 4), 'variable.other.slot'), 'text between escaped braces is no slot');
  expectScope(tokens, 'paraphrases', 5, 'keyword.control');
  expectScope(tokens, 'of', 5, 'keyword.other.of.wvt');
  expectScope(tokens, '-', 7, 'punctuation.definition.list.begin.wvt');
  expectScope(tokens, 'topic', 7, 'variable.other.slot.wvt');
  expectScope(tokens, 'language', 7, 'variable.other.slot.wvt');
});

test('every slot in the example templates is a known slot', async () => {
  const tokens = await tokenize('source.wvt', readFileSync(join(examples, 'prompts.wvt'), 'utf8'));
  assert.equal(tokens.filter((t) => has(t.scopes, 'invalid.illegal')).length, 0);
  const slots = tokens.filter((t) => t.scopes.at(-1) === 'variable.other.slot.wvt').map((t) => t.text);
  assert.ok(slots.length >= 40, `found ${slots.length} slots`);
  assert.deepEqual([...new Set(slots)].sort(), ['country', 'options', 'question', 'topic']);
});

test('the example survey has no invalid tokens and every item id is scoped', async () => {
  const text = readFileSync(join(examples, 'wvs7-sample.wvs'), 'utf8');
  const tokens = await tokenize('source.wvs', text);
  assert.deepEqual(
    tokens.filter((t) => has(t.scopes, 'invalid.illegal')).map((t) => `${t.line + 1}: ${t.text}`),
    [],
  );
  const ids = tokens.filter((t) => has(t.scopes, 'entity.name.function.item.wvs')).map((t) => t.text);
  const expected = [...text.matchAll(/^item\s+(\S+)/gm)].map((m) => m[1]);
  assert.ok(expected.length >= 14);
  assert.deepEqual(ids, expected);
});
