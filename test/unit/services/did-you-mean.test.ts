// Issue 19: "did you mean" quick fixes for an undeclared language tag, an unknown scale, slot and template.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSurvey, parseTemplates } from '../../../src/core/language/index';
import { quickFixes, type TextEdit } from '../../../src/core/language/services/quickfix';
import { closestName } from '../../../src/core/language/placeholders';

function apply(text: string, edits: TextEdit[]): string {
  const lines = text.split('\n');
  for (const edit of [...edits].sort(
    (a, b) => b.range.start.line - a.range.start.line || b.range.start.character - a.range.start.character,
  )) {
    const { start, end } = edit.range;
    const before = lines.slice(0, start.line).join('\n') + (start.line ? '\n' : '') + lines[start.line]!.slice(0, start.character);
    const after = lines[end.line]!.slice(end.character) + (end.line < lines.length - 1 ? '\n' : '') + lines.slice(end.line + 1).join('\n');
    return apply(
      before + edit.newText + after,
      edits.filter((e) => e !== edit),
    );
  }
  return text;
}

const SURVEY = `languages en da
scale agree 1..2
  en: Agree | Disagree
  da: Enig | Uenig

item Q1
  scale: agre
  en: Is family important?
  dk: Er familien vigtig?
  fr: La famille est-elle importante ?
`;

test('undeclared tag: change dk to da, or declare it; the fixed file has no such warning', () => {
  const survey = parseSurvey(SURVEY);
  const dk = survey.diagnostics.find((d) => d.code === 'wvs/undeclared-language' && d.data?.language === 'dk')!;
  const fixes = quickFixes(SURVEY, survey, dk);
  assert.deepEqual(
    fixes.map((f) => f.title),
    ["Change 'dk' to 'da'", "Declare 'dk' in the languages header"],
  );
  const fixed = apply(SURVEY, fixes[0]!.edits);
  assert.match(fixed, /^ {2}da: Er familien vigtig\?$/m);
  const fr = parseSurvey(fixed).diagnostics.find((d) => d.code === 'wvs/undeclared-language')!;
  assert.equal(fr.data?.language, 'fr');
  const [declare] = quickFixes(fixed, parseSurvey(fixed), fr);
  assert.equal(declare!.title, "Declare 'fr' in the languages header");
  const declared = apply(fixed, declare!.edits);
  assert.match(declared, /^languages en da fr$/m);
  assert.ok(!parseSurvey(declared).diagnostics.some((d) => d.code === 'wvs/undeclared-language'));
});

test('unknown scale: the message and the fix name the close declared scale', () => {
  const survey = parseSurvey(SURVEY);
  const unknown = survey.diagnostics.find((d) => d.code === 'wvs/unknown-scale')!;
  assert.equal(unknown.message, "Unknown scale 'agre': did you mean 'agree'?");
  const [fix] = quickFixes(SURVEY, survey, unknown);
  assert.equal(fix!.title, "Change to scale 'agree'");
  assert.ok(!parseSurvey(apply(SURVEY, fix!.edits)).diagnostics.some((d) => d.code === 'wvs/unknown-scale'));
  // Nothing close: no fix, no guess.
  const far = SURVEY.replace('scale: agre', 'scale: importance');
  const farFile = parseSurvey(far);
  const farDiagnostic = farFile.diagnostics.find((d) => d.code === 'wvs/unknown-scale')!;
  assert.equal(farDiagnostic.message, "Unknown scale 'importance'");
  assert.deepEqual(quickFixes(far, farFile, farDiagnostic), []);
});

test('unknown slot and unknown template: the close known name', () => {
  const text = `template direct
  en: {questoin} {options} Answer with a number.
paraphrases p of direkt
  en:
    - {question} {options} One number.
`;
  const file = parseTemplates(text);
  const slot = file.diagnostics.find((d) => d.code === 'wvt/unknown-slot')!;
  const [slotFix] = quickFixes(text, file, slot);
  assert.equal(slotFix!.title, 'Change to {question}');
  const template = file.diagnostics.find((d) => d.code === 'wvt/unknown-template')!;
  const [templateFix] = quickFixes(text, file, template);
  assert.equal(templateFix!.title, "Change to template 'direct'");
  const fixed = apply(apply(text, slotFix!.edits), templateFix!.edits);
  assert.deepEqual(
    parseTemplates(fixed).diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
});

test('closestName: within a third of the length, unique, case folded', () => {
  assert.equal(closestName('agre', ['agree', 'importance']), 'agree');
  assert.equal(closestName('Agree', ['agree']), 'agree');
  assert.equal(closestName('xyz', ['agree']), undefined);
  assert.equal(closestName('ab', ['ac', 'ad']), undefined, 'a tie is no suggestion');
});
