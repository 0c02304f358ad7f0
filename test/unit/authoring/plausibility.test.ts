// Issue 19: a translation candidate "3" was inserted as Danish wording, because candidates were checked for
// slots only. The plausibility rule (docs/authoring.md): words, not identical to the source, the target's
// script, a length ratio within bounds; checked when the model answers and again when a preview is inserted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseSurvey } from '../../../src/core/language';
import { dominantScript, labelProblem, translationProblem } from '../../../src/core/authoring/checks';
import { buildItemPreview, readPreview } from '../../../src/core/authoring/preview';
import { planInsertion } from '../../../src/core/authoring/insert';
import type { TranslationOutcome } from '../../../src/core/authoring/generate';

const SURVEY = readFileSync('examples/wvs7-sample.wvs', 'utf8');
const Q = 'How important is family in your life? Would you say it is very important or not important at all?';
const DA = 'Hvor vigtig er familien i dit liv? Vil du sige, at den er meget vigtig eller slet ikke vigtig?';

test('a bare number, punctuation or a slot alone is not a translation', () => {
  for (const candidate of ['3', ' 3. ', '42!', '{question} 3', '…']) {
    assert.match(translationProblem(`{question} ${Q}`, candidate, 'da') ?? '', /has no words: not a translation/, candidate);
  }
  // A source without words (slots only) may be translated as slots only.
  assert.equal(translationProblem('{question}\n{options}', '{question}\n{options}', 'da'), undefined);
});

test('the source itself is not a translation (from three words on; a label such as "OK" may stay)', () => {
  assert.equal(translationProblem(Q, Q, 'da'), 'identical to the source text: not translated');
  assert.equal(translationProblem(Q, ` ${Q.toUpperCase()} `, 'da'), 'identical to the source text: not translated');
  assert.equal(translationProblem('Internet', 'Internet', 'da'), undefined);
  assert.equal(translationProblem(Q, DA, 'da'), undefined);
});

test('wrong script: Cyrillic for Danish, Latin for Russian or Greek; Japanese counts all three of its scripts', () => {
  assert.match(
    translationProblem(Q, 'Насколько важна семья в вашей жизни? Очень важна или совсем не важна?', 'da') ?? '',
    /Cyrillic script, not the Latin script of 'da'/,
  );
  assert.match(translationProblem(Q, DA, 'ru') ?? '', /Latin script, not the Cyrillic script of 'ru'/);
  assert.equal(translationProblem(Q, 'Насколько важна семья в вашей жизни? Очень важна или совсем не важна?', 'ru'), undefined);
  assert.match(translationProblem(Q, DA, 'el') ?? '', /not the Greek script/);
  // Mostly hiragana with some kanji: Japanese, not rejected.
  assert.equal(
    translationProblem(Q, 'あなたの人生において家族はどのくらい大切ですか。とても大切ですか、それともまったく大切ではありませんか。', 'ja'),
    undefined,
  );
  // Unlisted languages get no script check; a region subtag uses the language's rule.
  assert.equal(translationProblem(Q, DA, 'xq'), undefined);
  assert.match(
    translationProblem(Q, 'Насколько важна семья в вашей жизни? Очень важна?', 'pt-BR') ?? '',
    /not the Latin script of 'pt-BR'/,
  );
  assert.deepEqual(dominantScript('Hvor {question} vigtig'), { script: 'Latin', share: 1 });
});

test('length ratio: 1/3 to 3 times the source letters from 20 source letters on; looser for dense scripts', () => {
  assert.match(translationProblem(Q, 'Familie?', 'da') ?? '', /much shorter than the source \(7 letters for \d+\)/);
  assert.match(translationProblem(Q, `${DA} ${DA} ${DA} ${DA}`, 'da') ?? '', /much longer than the source/);
  // Short sources are not ratio-checked ("Family" → "Familien").
  assert.equal(translationProblem('Family', 'Familien', 'da'), undefined);
  // Chinese writes the question in a fraction of the letters: within the dense bound.
  assert.equal(translationProblem(Q, '家庭在您生活中有多重要？非常重要还是完全不重要？', 'zh'), undefined);
});

test('labels: words in the right script, no length rule', () => {
  assert.equal(labelProblem('Very important', 'Meget vigtigt', 'da'), undefined);
  assert.match(labelProblem('Very important', '1', 'da') ?? '', /has no words/);
  assert.match(labelProblem('Very important', 'Очень важно', 'da') ?? '', /Cyrillic script/);
  assert.equal(labelProblem('10', '10', 'da'), undefined, 'a numeric end label may stay a number');
});

const ok = (text: string): TranslationOutcome => ({ text, ok: true, raw: text });

function itemPlan(text: string, labels = ['Meget vigtigt', 'Ret vigtigt', 'Ikke særlig vigtigt', 'Slet ikke vigtigt']) {
  const withoutDa = SURVEY.replace(/^ {2}da\[mt\]: Angiv for hvert af følgende, hvor vigtigt det er i dit liv\..*Venner\n/m, '');
  const survey = parseSurvey(withoutDa);
  const item = survey.items.find((i) => i.id === 'Q2')!;
  assert.equal(item.texts.da, undefined);
  const preview = buildItemPreview({
    uri: 'file:///x.wvs',
    item,
    language: 'da',
    source: 'en',
    by: 'm',
    translation: { text: ok(text), labels: { labels, ok: true, raw: '' } },
  });
  const read = readPreview(preview);
  if ('error' in read) throw new Error(read.error);
  return planInsertion(withoutDa, survey, read.meta, read.content);
}

test('inserting a preview whose Danish wording is "3" is refused with the reason (the issue\'s case)', () => {
  const refused = itemPlan('3');
  assert.equal(refused.ok, false);
  assert.match(refused.ok ? '' : refused.error, /The 'da' wording: "3" has no words: not a translation/);
  const accepted = itemPlan(
    'Angiv for hvert af følgende, hvor vigtigt det er i dit liv. Vil du sige, at det er meget vigtigt, ret vigtigt, ikke særlig vigtigt eller slet ikke vigtigt? Venner',
  );
  assert.ok(accepted.ok, JSON.stringify(accepted));
});
