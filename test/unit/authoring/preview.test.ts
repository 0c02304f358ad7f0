// Preview documents (built from model output, edited by the user, read back with the real parsers) and the
// insertions they produce in the shipped example files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseSurvey, parseTemplates } from '../../../src/core/language';
import {
  buildItemPreview,
  buildParaphrasePreview,
  buildTemplatePreview,
  readPreview,
  readPreviewMeta,
  PREVIEW_MARK,
} from '../../../src/core/authoring/preview';
import { applyInsertions, insertAfterLine, planInsertion } from '../../../src/core/authoring/insert';
import type { TranslationOutcome } from '../../../src/core/authoring/generate';

const PROMPTS = readFileSync('examples/prompts.wvt', 'utf8');
const SURVEY = readFileSync('examples/wvs7-sample.wvs', 'utf8');
const URI = 'file:///work/examples/prompts.wvt';
const errors = (text: string, kind: 'wvt' | 'wvs') =>
  (kind === 'wvt' ? parseTemplates(text) : parseSurvey(text)).diagnostics.filter((d) => d.severity === 'error');
const ok = (text: string, note?: string): TranslationOutcome => ({ text, ok: true, raw: text, ...(note ? { note } : {}) });

function readBack(text: string) {
  const read = readPreview(text);
  if ('error' in read) throw new Error(read.error);
  return read;
}

test('paraphrase preview: kept entries editable, rejected ones as comments; edits are re-checked and appended to the set', () => {
  const file = parseTemplates(PROMPTS);
  const template = file.templates.find((t) => t.name === 'interviews')!;
  const preview = buildParaphrasePreview({
    uri: URI,
    template,
    set: 'interviews',
    language: 'en',
    source: 'en',
    machineTranslated: false,
    kept: [
      {
        text: 'A pollster, Person A, asks 10 citizens about {topic}. Summarise each interview briefly. Format: 1. <summary> 2. <summary> etc...',
        ok: true,
      },
      {
        text: 'Ten citizens tell researcher Person A what they think of {topic}. Write a brief summary of each conversation, numbered.',
        ok: true,
      },
      { text: 'Person A asks 10 people about {topic}; list their answers.', ok: true },
    ],
    rejected: [{ text: 'Person A asks 10 people.\nList them.', ok: false, reason: 'lost slot {topic}' }],
    by: 'fake-llm at http://127.0.0.1:11434',
  });
  assert.ok(preview.startsWith(PREVIEW_MARK));
  assert.deepEqual(parseTemplates(preview).diagnostics, [], preview);
  assert.match(preview, /^# {3}✗ Person A asks 10 people\. ⏎ List them\. {3}← lost slot \{topic\}$/m);

  // The user edits entry 1, deletes entry 3, and adds one that lost its slot.
  const edited = preview
    .replace('A pollster, Person A,', 'A pollster called Person A')
    .replace(/^ {4}- Person A asks 10 people about \{topic\}; list their answers\.\n/m, '')
    .replace(/(^ {4}- Ten citizens.*\n)/m, '$1    - Person A interviews people. No slot here.\n');
  const read = readBack(edited);
  assert.deepEqual(read.errors, []);
  assert.equal(read.content.kind, 'paraphrases');
  const plan = planInsertion(PROMPTS, file, read.meta, read.content);
  assert.ok(plan.ok, JSON.stringify(plan));
  assert.deepEqual(
    plan.skipped.map((s) => s.reason),
    ['lost slot {topic}'],
  );
  assert.equal(plan.inserted.length, 2);
  assert.match(plan.inserted[0], /^A pollster called Person A asks/);

  const after = applyInsertions(PROMPTS, plan.insertions);
  assert.deepEqual(errors(after, 'wvt'), []);
  const set = parseTemplates(after).paraphraseSets.find((s) => s.name === 'interviews')!;
  assert.equal(set.variants.en.length, 12);
  assert.equal(set.variants.en[10].value, plan.inserted[0]);
  assert.equal(set.variants.en[11].value, plan.inserted[1]);
  // Nothing else moved: the text before the insertion point is unchanged.
  assert.equal(
    after.slice(0, PROMPTS.length - PROMPTS.split('\n').slice(plan.insertions[0].position.line).join('\n').length),
    PROMPTS.slice(0, PROMPTS.length - PROMPTS.split('\n').slice(plan.insertions[0].position.line).join('\n').length),
  );

  // Inserting the same preview again: every entry is now a duplicate.
  const again = planInsertion(after, parseTemplates(after), read.meta, read.content);
  assert.equal(again.ok, false);
  assert.deepEqual(
    again.skipped.map((s) => s.reason),
    ['duplicate of another paraphrase', 'duplicate of another paraphrase', 'lost slot {topic}'],
  );
});

test('paraphrase preview for a template without a set: a new set block after the template', () => {
  const file = parseTemplates(PROMPTS);
  const template = file.templates.find((t) => t.name === 'country')!;
  const preview = buildParaphrasePreview({
    uri: URI,
    template,
    set: 'country',
    language: 'en',
    source: 'en',
    machineTranslated: false,
    kept: [{ text: 'Please answer: {question} {options} Reply with a number.', ok: true }],
    rejected: [],
    by: 'm',
  });
  const read = readBack(preview);
  const plan = planInsertion(PROMPTS, file, read.meta, read.content);
  assert.ok(plan.ok);
  const after = applyInsertions(PROMPTS, plan.insertions);
  const parsed = parseTemplates(after);
  assert.deepEqual(
    parsed.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  const set = parsed.paraphraseSets.find((s) => s.name === 'country')!;
  assert.deepEqual(
    set.variants.en.map((v) => v.value),
    ['Please answer: {question} {options} Reply with a number.'],
  );
  // Placed right after the template block, before the next template.
  assert.ok(set.range.start.line > parsed.templates.find((t) => t.name === 'country')!.range.end.line);
  assert.ok(set.range.end.line < parsed.templates.find((t) => t.name === 'interviews')!.range.start.line);
  // The new set keeps the template's slots: the check in the file agrees with ours (no slot-lost warning).
  assert.deepEqual(
    parsed.diagnostics.filter((d) => d.code === 'wvt/slot-lost'),
    [],
  );
});

test('template translation: system and user parts with [mt], a lost slot blocks the insert until fixed', () => {
  const file = parseTemplates(PROMPTS);
  const template = file.templates.find((t) => t.name === 'direct')!;
  const build = (user: TranslationOutcome) =>
    buildTemplatePreview({
      uri: URI,
      template,
      language: 'de',
      source: 'en',
      by: 'm',
      translation: { system: ok('Sie beantworten eine Meinungsumfrage. Geben Sie Ihre eigene Meinung an.'), user },
    });
  const good = build(ok('{question}\n{options}\nAntworten Sie nur mit der Nummer einer Möglichkeit.'));
  assert.deepEqual(parseTemplates(good).diagnostics, []);
  const read = readBack(good);
  const plan = planInsertion(PROMPTS, file, read.meta, read.content);
  assert.ok(plan.ok, JSON.stringify(plan));
  const after = applyInsertions(PROMPTS, plan.insertions);
  const direct = parseTemplates(after).templates.find((t) => t.name === 'direct')!;
  assert.equal(direct.user.de.value, '{question}\n{options}\nAntworten Sie nur mit der Nummer einer Möglichkeit.');
  assert.equal(direct.user.de.machineTranslated, true);
  assert.equal(direct.system.de.machineTranslated, true);
  assert.match(after, /^ {2}system de\[mt\]: Sie beantworten/m);
  assert.match(after, /^ {2}de\[mt\]: \|\n {4}\{question\}\n {4}\{options\}\n {4}Antworten/m);

  // A rejected translation is shown with a warning; inserting it as is fails with the reason.
  const bad = build({
    text: '{frage}\n{options}\nAntworten Sie nur mit der Nummer einer Möglichkeit.',
    ok: false,
    reason: 'lost slot {question}',
    raw: '',
  });
  assert.match(bad, /# ✗ lost slot \{question\}: fix this before inserting/);
  const badRead = readBack(bad);
  const refused = planInsertion(PROMPTS, file, badRead.meta, badRead.content);
  assert.equal(refused.ok, false);
  assert.match(refused.ok ? '' : refused.error, /lost slot \{question\}/);
  // The user fixes the slot in the preview and removes [mt] (reviewed): accepted, without [mt].
  const fixedRead = readBack(bad.replace('{frage}', '{question}').replace(/de\[mt\]: \|/, 'de: |'));
  const fixed = planInsertion(PROMPTS, file, fixedRead.meta, fixedRead.content);
  assert.ok(fixed.ok);
  const direct2 = parseTemplates(applyInsertions(PROMPTS, fixed.insertions)).templates.find((t) => t.name === 'direct')!;
  assert.equal(direct2.user.de.machineTranslated, undefined);
});

test('template translation into a language the file declares clears the missing-translation warning', () => {
  const withoutPt = PROMPTS.replace(/^ {2}pt\[mt\]: Imagine o seguinte.*\n/m, '');
  const file = parseTemplates(withoutPt);
  assert.ok(
    file.diagnostics.some((d) => d.code === 'wvt/missing-translation' && d.data?.template === 'interviews' && d.data?.language === 'pt'),
  );
  const template = file.templates.find((t) => t.name === 'interviews')!;
  const read = readBack(
    buildTemplatePreview({
      uri: URI,
      template,
      language: 'pt',
      source: 'en',
      by: 'm',
      translation: {
        user: ok(
          'Imagine o seguinte cenário: a Pessoa A é investigadora e entrevista 10 cidadãos representativos. A cada um pergunta a sua opinião sobre {topic}. Apresente resumos breves e plausíveis das 10 entrevistas. Formato: 1. <resumo> 2. <resumo> etc.',
        ),
      },
    }),
  );
  const plan = planInsertion(withoutPt, file, read.meta, read.content);
  assert.ok(plan.ok);
  const after = parseTemplates(applyInsertions(withoutPt, plan.insertions));
  assert.ok(!after.diagnostics.some((d) => d.code === 'wvt/missing-translation'));
  assert.equal(
    after.templates.find((t) => t.name === 'interviews')!.user.pt.value,
    'Imagine o seguinte cenário: a Pessoa A é investigadora e entrevista 10 cidadãos representativos. A cada um pergunta a sua opinião sobre {topic}. Apresente resumos breves e plausíveis das 10 entrevistas. Formato: 1. <resumo> 2. <resumo> etc.',
  );
});

test('item translation: wording, topic and the scale labels the scale lacks', () => {
  const survey = parseSurvey(SURVEY);
  const item = survey.items.find((i) => i.id === 'Q1')!;
  const preview = buildItemPreview({
    uri: 'file:///work/examples/wvs7-sample.wvs',
    item,
    language: 'de',
    source: 'en',
    by: 'm',
    translation: {
      text: ok('Geben Sie für jeden der folgenden Punkte an, wie wichtig er in Ihrem Leben ist. Familie'),
      topic: ok('Familie'),
      labels: { labels: ['Sehr wichtig', 'Ziemlich wichtig', 'Nicht sehr wichtig', 'Überhaupt nicht wichtig'], ok: true, raw: '' },
    },
  });
  assert.deepEqual(errors(preview, 'wvs'), [], preview);
  const read = readBack(preview);
  const plan = planInsertion(SURVEY, survey, read.meta, read.content);
  assert.ok(plan.ok, JSON.stringify(plan));
  assert.equal(plan.insertions.length, 2);
  const after = parseSurvey(applyInsertions(SURVEY, plan.insertions));
  assert.deepEqual(
    after.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  const q1 = after.items.find((i) => i.id === 'Q1')!;
  assert.equal(q1.texts.de.value, 'Geben Sie für jeden der folgenden Punkte an, wie wichtig er in Ihrem Leben ist. Familie');
  assert.equal(q1.texts.de.machineTranslated, true);
  assert.equal(q1.topics.de.value, 'Familie');
  const scale = after.scales.find((s) => s.name === 'importance')!;
  assert.deepEqual(scale.labelLines.de.labels, ['Sehr wichtig', 'Ziemlich wichtig', 'Nicht sehr wichtig', 'Überhaupt nicht wichtig']);
  assert.equal(scale.options[0].labels.de, 'Sehr wichtig');

  // A label deleted in the preview: refused with the count.
  const short = readBack(preview.replace(' | Überhaupt nicht wichtig', ''));
  const refused = planInsertion(SURVEY, survey, short.meta, short.content);
  assert.equal(refused.ok, false);
  assert.match(refused.ok ? '' : refused.error, /needs 4 labels, the preview has 3/);
});

test('numeric scale labels are written as "low .. high"', () => {
  const survey = parseSurvey(SURVEY);
  const item = survey.items.find((i) => i.id === 'Q182')!;
  const preview = buildItemPreview({
    uri: 'u',
    item,
    language: 'de',
    source: 'en',
    by: 'm',
    translation: { labels: { labels: ['Nie vertretbar', 'Immer vertretbar'], ok: true, raw: '' } },
  });
  assert.match(preview, /^ {2}de\[mt\]: Nie vertretbar \.\. Immer vertretbar$/m);
  const read = readBack(preview);
  const plan = planInsertion(SURVEY, survey, read.meta, read.content);
  assert.ok(plan.ok, JSON.stringify(plan));
  const scale = parseSurvey(applyInsertions(SURVEY, plan.insertions)).scales.find((s) => s.name === item.scale!.name)!;
  assert.deepEqual(scale.labelLines.de.labels, ['Nie vertretbar', 'Immer vertretbar']);
});

test('insertAfterLine at the end of a file without a final newline, and with CRLF', () => {
  assert.deepEqual(insertAfterLine('a\nb', 1, '  x\n'), { position: { line: 1, character: 1 }, text: '\n  x' });
  assert.deepEqual(insertAfterLine('a\r\nb\r\n', 0, '  x\n'), { position: { line: 1, character: 0 }, text: '  x\r\n' });
  assert.equal(applyInsertions('a\r\nb\r\nc', [insertAfterLine('a\r\nb\r\nc', 1, 'x\ny\n')]), 'a\r\nb\r\nx\r\ny\r\nc');
});

test('a damaged or foreign preview is refused with a clear message', () => {
  assert.equal(readPreviewMeta('template x\n  en: y\n'), undefined);
  assert.equal(readPreviewMeta(`${PREVIEW_MARK}{"uri":"x","target":{"kind":"paraphrases"}}\n`), undefined);
  assert.equal(readPreviewMeta(`${PREVIEW_MARK}{not json\n`), undefined);
  const read = readPreview('paraphrases x\n');
  assert.ok('error' in read && /not a Value Lens preview/.test(read.error));
});
