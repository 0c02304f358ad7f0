// Issue 19: the text src/core produces for the editor (diagnostics of .wvs/.wvt files, quick-fix titles, item
// hovers) is an English template plus arguments; the CLI prints the English and the editor translates it with
// vscode.l10n.t when it is shown. Checked here: the English is unchanged by the round trip, every template is
// in the bundle with all three translations, and a Danish VS Code shows Danish diagnostics and fixes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  FakeDocument,
  Uri,
  diagnosticCollections,
  installFakeVscode,
  l10n,
  providers,
  state,
  type CodeAction,
  type Diagnostic,
} from '../editor/fake-vscode';
import { parseSurvey } from '../../../src/core/language/survey';
import { parseTemplates } from '../../../src/core/language/templates';
import { renderMessage, type Message, type Translate } from '../../../src/core/message';
import { quickFixes } from '../../../src/core/language/services/quickfix';
import { itemHoverMarkdown } from '../../../src/core/language/services/hover';

installFakeVscode();
const { ParsedDocuments } = require('../../../src/editor/documents') as typeof import('../../../src/editor/documents');
const { registerDiagnostics } = require('../../../src/editor/diagnostics') as typeof import('../../../src/editor/diagnostics');
const { registerLanguageFeatures } =
  require('../../../src/editor/languageFeatures') as typeof import('../../../src/editor/languageFeatures');

const ROOT = join(__dirname, '..', '..', '..');
const readBundle = (name: string): Record<string, string> =>
  JSON.parse(readFileSync(join(ROOT, 'l10n', name), 'utf8')) as Record<string, string>;

// One of each kind of mistake: undeclared tag (nested "item Q1"), placeholder, unknown scale, wrong label
// count, duplicate id, missing translation, syntax errors.
const SURVEY = `survey "T"
languages en da
scale importance 1..4
  en: Very | Rather | Not very | Not at all
  da: Meget | Ret | Ikke særlig
item Q1 "Family"
  scale: importanse
  en: How important is family?
  dk: Hvor vigtig er familien?
item Q1 "Again"
  scale: importance
  en: TODO translate
bogus line
`;
const TEMPLATES = `languages en da
template direct
  en: {question} {optoins}
template direct
  en: {question}
paraphrases p of direkt
  en:
    - Tell me {question}
`;

/** VS Code's lookup: the bundle's text for the English template, `{0}` … filled, unknown `{name}` kept. */
function bundleTranslator(bundle: Record<string, string>): Translate {
  return (template, ...args) =>
    (bundle[template] ?? template).replace(/\{([^}]+)\}/g, (m, key: string) =>
      args[Number(key)] === undefined ? m : String(args[Number(key)]),
    );
}

function templatesOf(message: Message): string[] {
  return [message.template, ...message.args.flatMap((a) => (typeof a === 'object' ? templatesOf(a) : []))];
}

const diagnosticsOfBoth = () => [...parseSurvey(SURVEY).diagnostics, ...parseTemplates(TEMPLATES).diagnostics];

test('every diagnostic of a broken .wvs and .wvt file carries its template; the English text is the template filled in', () => {
  const diagnostics = diagnosticsOfBoth();
  assert.ok(diagnostics.length >= 8, `only ${diagnostics.length} diagnostics`);
  for (const d of diagnostics) {
    assert.ok(d.text, `${d.code} "${d.message}" has no template`);
    assert.equal(renderMessage(d.text), d.message, d.code);
  }
  const codes = new Set(diagnostics.map((d) => d.code));
  for (const code of [
    'wvs/undeclared-language',
    'wvs/placeholder-text',
    'wvs/unknown-scale',
    'wvs/option-count',
    'wvs/duplicate-id',
    'wvs/syntax',
    'wvt/unknown-slot',
    'wvt/duplicate-id',
    'wvt/unknown-template',
  ]) {
    assert.ok(codes.has(code), `no ${code} (codes stay stable)`);
  }
});

test('every template a diagnostic uses, nested phrases too, is a key of the bundle and of its three translations', () => {
  const english = readBundle('bundle.l10n.json');
  const locales = ['da', 'nl', 'pt-br'].map((l) => [l, readBundle(`bundle.l10n.${l}.json`)] as const);
  for (const d of diagnosticsOfBoth()) {
    for (const template of templatesOf(d.text!)) {
      assert.ok(template in english, `"${template}" is not in l10n/bundle.l10n.json (npm run l10n:export)`);
      for (const [locale, bundle] of locales) assert.ok(template in bundle, `"${template}" has no ${locale} translation`);
    }
  }
});

test('a translator sees the outer message and its nested phrase, each once', () => {
  const undeclared = parseSurvey(SURVEY).diagnostics.find((d) => d.code === 'wvs/undeclared-language')!;
  const seen: string[] = [];
  const marking: Translate = (template, ...args) => {
    seen.push(template);
    return `«${bundleTranslator({})(template, ...args)}»`;
  };
  const text = renderMessage(undeclared.text!, marking);
  assert.equal(
    text,
    "«Language 'dk' in «item Q1» is not declared in the header (languages en da): it is never scored; did you mean 'da'?»",
  );
  assert.deepEqual(seen, [
    'item {0}',
    "Language '{0}' in {1} is not declared in the header (languages {2}): it is never scored; did you mean '{3}'?",
  ]);
});

test('in a Danish VS Code the Problems panel shows the Danish bundle texts under the same codes, and quick fixes are Danish', () => {
  const danish = readBundle('bundle.l10n.da.json');
  const original = l10n.t;
  l10n.t = bundleTranslator(danish) as typeof l10n.t;
  const doc = new FakeDocument(Uri.file('/ws/da.wvs'), 'wvs', SURVEY);
  state.documents = [doc];
  const documents = new ParsedDocuments();
  const disposables = [registerDiagnostics(documents), registerLanguageFeatures(documents)];
  try {
    const shown = diagnosticCollections.get('valueLens')!.get(doc.uri.toString()) as Diagnostic[];
    const parsed = parseSurvey(SURVEY).diagnostics;
    assert.deepEqual(
      shown.map((d) => d.code),
      parsed.map((d) => d.code),
    );
    const unknownScale = shown.find((d) => d.code === 'wvs/unknown-scale')!;
    assert.equal(unknownScale.message, "Ukendt skala 'importanse': mente du 'importance'?");
    const placeholder = shown.find((d) => d.code === 'wvs/placeholder-text')!;
    assert.equal(placeholder.message, "Pladsholder i ordlyden i item Q1 ('en'): den scores ikke, før den er erstattet af rigtig tekst");
    for (const [i, d] of shown.entries()) assert.notEqual(d.message, parsed[i]!.message, `${d.code} is still English: ${d.message}`);

    const codeActions = providers.get('codeActions') as {
      provideCodeActions(d: unknown, r: unknown, c: { diagnostics: Diagnostic[] }): CodeAction[];
    };
    const fixes = codeActions.provideCodeActions(doc, unknownScale.range, { diagnostics: [unknownScale] });
    assert.deepEqual(
      fixes.map((f) => f.title),
      ["Ret til skalaen 'importance'"],
    );
    const undeclared = shown.find((d) => d.code === 'wvs/undeclared-language')!;
    assert.deepEqual(
      codeActions.provideCodeActions(doc, undeclared.range, { diagnostics: [undeclared] }).map((f) => f.title),
      ["Ret 'dk' til 'da'", "Erklær 'dk' i languages-headeren"],
    );
  } finally {
    disposables.forEach((d) => d.dispose());
    l10n.t = original;
  }
});

test('quick-fix titles and the item hover go through the translator; the default stays English', () => {
  const file = parseSurvey(SURVEY);
  const duplicate = file.diagnostics.find((d) => d.code === 'wvs/duplicate-id')!;
  const mark: Translate = (template, ...args) => `[${bundleTranslator({})(template, ...args)}]`;
  assert.deepEqual(
    quickFixes(SURVEY, file, duplicate).map((f) => f.title),
    ["Rename 'Q1' to 'Q1_2'"],
  );
  assert.deepEqual(
    quickFixes(SURVEY, file, duplicate, mark).map((f) => f.title),
    ["[Rename 'Q1' to 'Q1_2']"],
  );
  const item = file.items[1]!;
  const english = itemHoverMarkdown(item, file);
  const marked = itemHoverMarkdown(item, file, undefined, mark);
  assert.match(english, /^Languages: en · missing: \*\*da\*\*$/m);
  assert.match(marked, /^\[Languages: en\] · \[missing: \*\*da\*\*\]$/m);
  assert.match(marked, /^\[Scale `importance` \(1\.\.4, labelled\)\]$/m);
  assert.match(marked, /^\| \[code\] \| en \|$/m);
});

// A study file with one mistake of each common kind; its diagnostics are core text too.
const STUDY = `{
  "name": "s",
  "languages": ["en", "DA"],
  "items": [{ "file": "items.wvs" }],
  "templates": [{ "file": "p.wvt" }],
  "models": [{ "id": "m", "provider": "olama" }],
  "samples": 0,
  "temprature": 1,
  "countries": ["XX"]
}`;

test('study diagnostics carry their templates too; the editor shows them in Danish under the same codes', () => {
  const { parseStudyText } = require('../../../src/core/study/parse') as typeof import('../../../src/core/study/parse');
  const { diagnostics } = parseStudyText(STUDY, '/ws/s.study.json');
  assert.ok(diagnostics.length >= 4, `only ${diagnostics.length} diagnostics`);
  const english = readBundle('bundle.l10n.json');
  const danish = readBundle('bundle.l10n.da.json');
  for (const d of diagnostics) {
    assert.ok(d.text, `${d.code} "${d.message}" has no template`);
    assert.equal(renderMessage(d.text), d.message);
    for (const template of templatesOf(d.text)) assert.ok(template in english && template in danish, `"${template}" is not in the bundles`);
  }
  const original = l10n.t;
  l10n.t = bundleTranslator(danish) as typeof l10n.t;
  try {
    const { toDiagnostics } = require('../../../src/editor/studyCommands') as typeof import('../../../src/editor/studyCommands');
    const shown = toDiagnostics(STUDY, diagnostics);
    assert.deepEqual(
      shown.map((d) => d.code),
      diagnostics.map((d) => d.code),
    );
    const samples = shown.find((d) => /"samples"/.test(d.message))!;
    assert.equal(samples.message, '"samples" skal være mellem 1 og 1000, ikke 0');
    assert.ok(
      shown.some((d) => d.message === 'ukendt egenskab "temprature" i studiet (mente du "temperature"?); den ignoreres'),
      shown.map((d) => d.message).join('\n'),
    );
  } finally {
    l10n.t = original;
  }
});
