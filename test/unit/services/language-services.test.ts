import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseSurvey, parseTemplates } from '../../../src/core/language/index';
import type { Range } from '../../../src/core/language/ast';
import {
  containsRange,
  documentSymbols,
  foldingRanges,
  itemAtHoverPosition,
  itemHoverMarkdown,
  lensSpecs,
  quickFixes,
  surveyCompletions,
  templateCompletions,
  type SymbolNode,
  type TextEdit,
} from '../../../src/core/language/services';

const SURVEY = `survey "T"
languages en da nl

scale importance 1..4
  en: Very important | Rather important | Not very important | Not at all important
  da: Meget vigtigt | Ret vigtigt | Ikke særlig vigtigt | Slet ikke vigtigt
  missing: -1 "Don't know"

item Q1 "Family"
  category: socio-cultural norms
  scale: importance
  en: How important is family?
  da: Hvor vigtig er familien?

item Q1 "Friends"
  scale: importance
  en: How important are friends?
`;

const TEMPLATES = `template direct
  system en: You answer a survey.
  en: |
    {question}
    {options}
    Answer with a number.

paraphrases direct
  en:
    - About {topic}: {question} {options} Reply with a number.
    - {question} {options} One number please.
`;

function apply(text: string, edits: TextEdit[]): string {
  const lines = text.split('\n');
  const offset = (p: Range['start']) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  return [...edits]
    .sort((a, b) => offset(b.range.start) - offset(a.range.start))
    .reduce((acc, e) => acc.slice(0, offset(e.range.start)) + e.newText + acc.slice(offset(e.range.end)), text);
}

function walk(nodes: SymbolNode[], visit: (n: SymbolNode) => void): void {
  for (const n of nodes) {
    visit(n);
    walk(n.children, visit);
  }
}

test('outline: scales and items with wording children; selection inside range', () => {
  const symbols = documentSymbols(parseSurvey(SURVEY));
  assert.deepEqual(
    symbols.map((s) => `${s.kind}:${s.name}`),
    ['scale:importance', 'item:Q1', 'item:Q1'],
  );
  assert.deepEqual(
    symbols[1]!.children.map((c) => c.name),
    ['en', 'da'],
  );
  assert.equal(symbols[1]!.detail, 'Family — socio-cultural norms');
  assert.deepEqual(
    symbols[0]!.children.map((c) => c.name),
    ['en', 'da'],
  );
  walk(symbols, (n) => assert.ok(containsRange(n.range, n.selectionRange), n.name));
});

test('outline of templates: template parts and paraphrase variants', () => {
  const symbols = documentSymbols(parseTemplates(TEMPLATES));
  assert.deepEqual(
    symbols.map((s) => `${s.kind}:${s.name}`),
    ['template:direct', 'paraphrases:direct'],
  );
  assert.deepEqual(
    symbols[0]!.children.map((c) => c.name),
    ['system en', 'en'],
  );
  assert.equal(symbols[1]!.children[0]!.detail, '2 paraphrases');
  assert.deepEqual(
    symbols[1]!.children[0]!.children.map((c) => c.name),
    ['#0', '#1'],
  );
  walk(symbols, (n) => assert.ok(containsRange(n.range, n.selectionRange), n.name));
});

test('outline of the example file lists every scale and item', () => {
  const survey = parseSurvey(readFileSync('examples/wvs7-sample.wvs', 'utf8'));
  const symbols = documentSymbols(survey);
  assert.equal(symbols.filter((s) => s.kind === 'item').length, survey.items.length);
  assert.ok(survey.items.length >= 12);
  assert.equal(symbols.filter((s) => s.kind === 'scale').length, survey.scales.length);
});

test('folding ranges cover multi-line blocks and | texts', () => {
  assert.deepEqual(foldingRanges(parseSurvey(SURVEY)), [
    { start: 3, end: 6 },
    { start: 8, end: 12 },
    { start: 14, end: 16 },
  ]);
  const folds = foldingRanges(parseTemplates(TEMPLATES));
  assert.ok(
    folds.some((f) => f.start === 0 && f.end === 5),
    JSON.stringify(folds),
  );
  assert.ok(
    folds.some((f) => f.start === 2 && f.end === 5),
    'the | block folds',
  );
  assert.ok(
    folds.some((f) => f.start === 7),
    'the paraphrase set folds',
  );
});

test('item hover: scale, option labels per language, languages present and missing', () => {
  const survey = parseSurvey(SURVEY);
  const item = itemAtHoverPosition(survey, { line: 8, character: 3 })!;
  assert.equal(item.id, 'Q1');
  const md = itemHoverMarkdown(item, survey);
  assert.match(md, /\*\*Q1\*\* — Family/);
  assert.match(md, /Scale `importance` \(1\.\.4, labelled\)/);
  assert.match(md, /\| 1 \| Very important \| Meget vigtigt \|/);
  assert.match(md, /\| -1 \| Don't know \| Don't know \|/);
  assert.match(md, /Languages: en, da · missing: \*\*nl\*\*/);
  assert.equal(itemAtHoverPosition(survey, { line: 11, character: 4 }), undefined, 'not on wording lines');
  assert.equal(itemAtHoverPosition(survey, { line: 10, character: 12 })?.id, 'Q1', 'on the scale reference');
});

test('completion by context in .wvs', () => {
  const survey = parseSurvey(SURVEY);
  const at = (text: string, line: number, character: number) => surveyCompletions(text, { line, character }, survey).map((c) => c.label);
  const lines = SURVEY.split('\n');
  const withLine = (line: number, content: string) => [...lines.slice(0, line), content, ...lines.slice(line + 1)].join('\n');
  assert.deepEqual(at(withLine(10, '  scale: '), 10, 9), ['importance']);
  assert.deepEqual(at(withLine(9, '  category: '), 9, 12), ['socio-cultural norms', 'social systems', 'progress']);
  assert.deepEqual(at(withLine(7, 'it'), 7, 2), ['survey', 'source', 'languages', 'scale', 'item']);
  assert.ok(!at(withLine(1, 'languages en '), 1, 13).includes('en'));
  assert.ok(at(withLine(1, 'languages en '), 1, 13).includes('pt'));
  const inItem = at(withLine(13, '  '), 13, 2);
  for (const label of ['category:', 'scale:', 'key:', 'note:', 'en:', 'da:', 'nl:', 'topic nl:']) assert.ok(inItem.includes(label), label);
  const inScale = at(withLine(7, '  '), 7, 2);
  assert.ok(inScale.includes('missing:') && inScale.includes('nl:') && !inScale.includes('category:'));
  assert.deepEqual(at(withLine(3, 'scale importance 1..4 '), 3, 22), ['numeric', 'reversed']);
});

test('completion by context in .wvt: slots after {, template names after of', () => {
  const file = parseTemplates(TEMPLATES);
  const slots = templateCompletions('template x\n  en: Say {', { line: 1, character: 11 }, file);
  assert.deepEqual(
    slots.map((s) => s.label),
    ['question', 'options', 'country', 'topic', 'language'],
  );
  assert.equal(slots[0]!.insertText, 'question}');
  assert.equal(templateCompletions('template x\n  en: {{', { line: 1, character: 8 }, file).length === 5, false, '{{ is an escape');
  assert.deepEqual(
    templateCompletions('paraphrases p of ', { line: 0, character: 17 }, file).map((c) => c.label),
    ['direct'],
  );
  const inTemplate = templateCompletions('template x\n  ', { line: 1, character: 2 }, file).map((c) => c.label);
  assert.ok(inTemplate.includes('system en:') && inTemplate.includes('da:'));
  assert.deepEqual(
    templateCompletions('', { line: 0, character: 0 }, file).map((c) => c.label),
    ['template', 'paraphrases'],
  );
});

test('quick fix: a missing translation gets a placeholder marked [mt], which is itself a warning (issue 19)', () => {
  const survey = parseSurvey(SURVEY);
  const diagnostic = survey.diagnostics.find((d) => d.code.endsWith('missing-translation') && d.range.start.line === 8)!;
  const [fix] = quickFixes(SURVEY, survey, diagnostic);
  assert.equal(fix!.title, "Add a 'nl' translation stub");
  const fixed = apply(SURVEY, fix!.edits);
  assert.equal(fixed.split('\n')[13], '  nl[mt]: TODO translate');
  const after = parseSurvey(fixed);
  assert.ok(!after.diagnostics.some((d) => d.code.endsWith('missing-translation') && d.range.start.line === 8));
  assert.equal(after.items[0]!.texts.nl!.value, 'TODO translate');
  assert.equal(after.items[0]!.texts.nl!.machineTranslated, true);
  // The stub is not wording: check must not pass it silently.
  const placeholder = after.diagnostics.filter((d) => d.code === 'wvs/placeholder-text');
  assert.deepEqual(
    placeholder.map((d) => [d.severity, d.range.start.line, d.data?.language]),
    [['warning', 13, 'nl']],
  );
});

test('quick fix: a scale missing labels gets one stub label per option', () => {
  const survey = parseSurvey(SURVEY);
  const diagnostic = survey.diagnostics.find((d) => d.code.endsWith('missing-translation') && d.range.start.line === 3)!;
  const [fix] = quickFixes(SURVEY, survey, diagnostic);
  const after = parseSurvey(apply(SURVEY, fix!.edits));
  assert.equal(after.scales[0]!.options.filter((o) => o.labels.nl).length, 4);
  assert.ok(!after.diagnostics.some((d) => d.range.start.line === 3 && d.code.endsWith('missing-translation')));
  assert.ok(!after.diagnostics.some((d) => d.code.endsWith('option-count')));
});

test('quick fix: a duplicate id is renamed to a free one', () => {
  const text = SURVEY.replace('item Q1 "Friends"', 'item Q1_2 "X"\n  en: x\n\nitem Q1 "Friends"');
  const survey = parseSurvey(text);
  const diagnostic = survey.diagnostics.find((d) => d.code.endsWith('duplicate-id'))!;
  const [fix] = quickFixes(text, survey, diagnostic);
  assert.equal(fix!.title, "Rename 'Q1' to 'Q1_3'");
  const after = parseSurvey(apply(text, fix!.edits));
  assert.deepEqual(
    after.items.map((i) => i.id),
    ['Q1', 'Q1_2', 'Q1_3'],
  );
  assert.ok(!after.diagnostics.some((d) => d.code.endsWith('duplicate-id')));
});

test('lens model: Score, Paraphrases and ⋯ per item (never one per language); Try on item above templates and sets', () => {
  const specs = lensSpecs(parseSurvey(SURVEY));
  assert.deepEqual(
    specs.map((s) => `${s.range.start.line}:${s.kind}${s.language ? `:${s.language}` : ''}`),
    ['8:score', '8:paraphrases', '8:more', '14:score', '14:paraphrases', '14:more'],
  );
  const t = lensSpecs(parseTemplates(TEMPLATES));
  assert.deepEqual(
    t.map((s) => `${s.range.start.line}:${s.kind}:${s.targetKind}:${s.target}`),
    ['0:tryOnItem:template:direct', '7:tryOnItem:paraphrases:direct'],
  );
  const extra = lensSpecs(parseTemplates(TEMPLATES), [
    (f) => (f.kind === 'templates' ? f.paraphraseSets.map((s) => ({ kind: 'generateParaphrases', range: s.range, target: s.name })) : []),
  ]);
  assert.equal(extra.filter((s) => s.kind === 'generateParaphrases').length, 1);
});

export function generatedSurvey(items: number): string {
  const out = [
    'survey "Big"',
    'languages en da nl pt',
    '',
    'scale s 1..4',
    ...['en', 'da', 'nl', 'pt'].map((l) => `  ${l}: A | B | C | D`),
    '',
  ];
  for (let i = 0; i < items; i++) {
    out.push(
      `item Q${i} "Item ${i}"`,
      '  category: progress',
      '  scale: s',
      ...['en', 'da', 'nl', 'pt'].map((l) => `  ${l}: Question ${i} in ${l}?`),
      '',
    );
  }
  return out.join('\n');
}

test('lens model for 2,000 items × 4 languages: Score, Paraphrases and ⋯ per item, in item order', () => {
  // Its speed (≤ 10 ms) is a benchmark row (bench/activation.ts: the code-lens model), not a timed unit test.
  const survey = parseSurvey(generatedSurvey(2000));
  assert.equal(survey.items.length, 2000);
  const specs = lensSpecs(survey);
  assert.equal(specs.length, 2000 * 3);
  const lines = specs.map((s) => s.range.start.line);
  assert.deepEqual(
    lines,
    [...lines].sort((x, y) => x - y),
  );
  assert.deepEqual(new Set(specs.slice(0, 3).map((s) => s.kind)).size, 3);
});

test('hover on a numeric-scale item shows the end labels only, results before the scale', () => {
  const survey = parseSurvey(readFileSync('examples/wvs7-sample.wvs', 'utf8'));
  const item = survey.items.find((i) => i.scale?.kind === 'numeric')!;
  const md = itemHoverMarkdown(item, survey, '**Results** here');
  const table = md.split('\n').filter((l) => /^\| -?\d+ \||^\| … \|/.test(l));
  assert.ok(table.length >= 3, md);
  assert.deepEqual(
    table.slice(0, 3).map((l) => l.split('|')[1]!.trim()),
    [String(item.scale!.min), '…', String(item.scale!.max)],
  );
  assert.ok(md.indexOf('**Results** here') < md.indexOf('Scale `'));
});
