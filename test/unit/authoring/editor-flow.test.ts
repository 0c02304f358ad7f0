// The authoring commands end to end in plain Node: the in-memory vscode fake (test/unit/editor/fake-vscode.ts,
// extended here with the few calls authoring needs: untitled documents, showTextDocument, applyEdit), the real
// Scoring/planner/runner, and the loopback fake Ollama. Generate → preview → edit → insert; quick fix →
// translate → insert; self-consistency review; option-order check.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as fake from '../editor/fake-vscode';
import { FakeDocument, Range, Uri, installFakeVscode, registeredCommands, state } from '../editor/fake-vscode';
import { startFakeOllama } from '../../support/fake-ollama';
import type { FakeServer } from '../../support/fake-common';
import { createMemoryLogger } from '../../../src/core/log';
import { parseSurvey, parseTemplates } from '../../../src/core/language';
import { applyInsertions } from '../../../src/core/authoring/insert';

installFakeVscode();
/* eslint-disable @typescript-eslint/no-explicit-any -- the vscode fake's members are replaced in place */
// New top-level names must exist before the adapters are required (their `import * as vscode` copies the names).
const vs = require('../editor/fake-vscode') as Record<string, any>;
vs.ViewColumn ??= { One: 1, Beside: -2 };
vs.TextEditorRevealType ??= { InCenter: 2 };
vs.Selection ??= class extends Range {};
const { ParsedDocuments } = require('../../../src/editor/documents') as typeof import('../../../src/editor/documents');
const { ResultsState } = require('../../../src/editor/resultsState') as typeof import('../../../src/editor/resultsState');
const { AnalysisSources } = require('../../../src/editor/analysisSources') as typeof import('../../../src/editor/analysisSources');
const { ApiKeys } = require('../../../src/editor/apiKeys') as typeof import('../../../src/editor/apiKeys');
const { ModelPicker } = require('../../../src/editor/models') as typeof import('../../../src/editor/models');
const { Scoring } = require('../../../src/editor/scoring') as typeof import('../../../src/editor/scoring');
const { registerAuthoring } = require('../../../src/editor/authoring') as typeof import('../../../src/editor/authoring');

// ---- the few vscode calls the shared fake does not have yet
if (!Object.getOwnPropertyDescriptor(Uri.prototype, 'scheme')) {
  Object.defineProperty(Uri.prototype, 'scheme', {
    get(this: Uri) {
      return this.toString().split(':')[0];
    },
  });
}
function uriOf(text: string): Uri {
  if (text.startsWith('file://')) return Uri.file(text.slice('file://'.length));
  return Object.assign(Object.create(Uri.prototype) as Uri, { fsPath: text, toString: () => text });
}
(Uri as any).parse ??= uriOf;
(fake.WorkspaceEdit.prototype as any).insert ??= function (this: fake.WorkspaceEdit, uri: Uri, position: fake.Position, newText: string) {
  this.edits.push({ uri, range: new Range(position, position), newText });
};
// Read-only previews (src/editor/authoring/previews.ts): a content provider per scheme, documents opened from it.
const contentProviders = new Map<string, { provideTextDocumentContent(uri: Uri): string }>();
(fake.workspace as any).registerTextDocumentContentProvider = (
  scheme: string,
  provider: { provideTextDocumentContent(uri: Uri): string },
) => {
  contentProviders.set(scheme, provider);
  return new fake.Disposable(() => contentProviders.delete(scheme));
};
(Uri as any).from = (parts: { scheme: string; path: string; query?: string }) => {
  const text = `${parts.scheme}:${parts.path}${parts.query ? `?${parts.query}` : ''}`;
  return Object.assign(Object.create(Uri.prototype) as Uri, { fsPath: parts.path, path: parts.path, toString: () => text });
};
(fake.languages as any).setTextDocumentLanguage = async (doc: FakeDocument, language: string) =>
  Object.assign(doc, { languageId: language });
let untitled = 0;
const openOriginal = fake.workspace.openTextDocument;
(fake.workspace as any).openTextDocument = async (arg: Uri | { language: string; content: string }) => {
  if (arg instanceof Uri) {
    const provider = contentProviders.get(arg.toString().split(':')[0]);
    if (provider && !state.documents.some((d) => d.uri.toString() === arg.toString())) {
      const path = (arg as unknown as { path: string }).path;
      state.documents.push(new FakeDocument(arg, path.slice(path.lastIndexOf('.') + 1), provider.provideTextDocumentContent(arg)));
    }
    return openOriginal(arg);
  }
  const doc = new FakeDocument(uriOf(`untitled:Untitled-${++untitled}`), arg.language, arg.content);
  state.documents.push(doc);
  return doc;
};
(fake.workspace as any).applyEdit = async (edit: fake.WorkspaceEdit) => {
  for (const e of edit.edits) {
    const doc = state.documents.find((d) => d.uri.toString() === e.uri.toString())!;
    doc.setText(applyInsertions(doc.getText(), [{ position: e.range.start, text: e.newText }]));
  }
  return true;
};
const shown: FakeDocument[] = [];
(fake.window as any).showTextDocument = async (doc: FakeDocument | Uri) => {
  const d = doc instanceof Uri ? state.documents.find((x) => x.uri.toString() === doc.toString())! : doc;
  shown.push(d);
  return { document: d, viewColumn: 1, selection: undefined, revealRange() {} };
};
const quickPickLists: { label: string; detail?: string }[][] = [];
const showQuickPick = fake.window.showQuickPick;
(fake.window as any).showQuickPick = async (items: unknown[], _options?: unknown) => {
  quickPickLists.push((await items) as { label: string }[]);
  return showQuickPick(items as unknown[]);
};

const PROMPTS = readFileSync('examples/prompts.wvt', 'utf8');
// A small survey (three items) so the review sends few requests.
const SURVEY_FULL = readFileSync('examples/wvs7-sample.wvs', 'utf8');
const SURVEY = SURVEY_FULL.slice(0, SURVEY_FULL.indexOf('item Q4 '));
// A real folder: the editor writes results beside the items file (small.results/).
const wsDir = mkdtempSync(join(tmpdir(), 'vl-authoring-ws-'));
const wvtUri = Uri.file(join(wsDir, 'prompts.wvt'));
const wvsUri = Uri.file(join(wsDir, 'small.wvs'));

let server: FakeServer;
let storage: string;
let registration: { dispose(): void } | undefined;
const logger = createMemoryLogger();
const lines = () => logger.entries.map((e) => e.message);

before(async () => {
  server = await startFakeOllama();
  storage = mkdtempSync(join(tmpdir(), 'vl-authoring-'));
});
after(async () => {
  registration?.dispose();
  await server.close();
  rmSync(storage, { recursive: true, force: true });
  rmSync(wsDir, { recursive: true, force: true });
});

beforeEach(() => {
  registration?.dispose();
  state.reset();
  state.documents = [new FakeDocument(wvtUri, 'wvt', PROMPTS), new FakeDocument(wvsUri, 'wvs', SURVEY)];
  state.settings = {
    'valueLens.provider': { defaultValue: 'ollama' },
    'valueLens.ollama.host': { defaultValue: 'http://127.0.0.1:11434', globalValue: server.url },
    'valueLens.model': { globalValue: 'fake-llm:latest' },
    'valueLens.method': { globalValue: 'logprobs' },
    'valueLens.template': { globalValue: 'direct' },
    'valueLens.cache.enabled': { globalValue: false },
    'valueLens.authoring.paraphraseCount': { globalValue: 3 },
  };
  server.setBehaviour({ reply: null, fault: null, faults: [], firstToken: null });
  server.requests.length = 0;
  quickPickLists.length = 0;
  const documents = new ParsedDocuments();
  const sources = new AnalysisSources(join(storage, 'runs'), logger);
  const apiKeys = new ApiKeys({ get: async () => undefined, store: async () => undefined, delete: async () => undefined });
  const models = new ModelPicker(apiKeys, logger);
  const results = new ResultsState();
  const scoring = new Scoring({ storageDir: storage, documents, results, sources, apiKeys, models, logger, onRecords: () => undefined });
  const context = { extensionUri: Uri.file(process.cwd()), subscriptions: [] } as never;
  let panelShown = 0;
  const lenses = {
    contributors: [] as unknown[],
    add: (c: unknown) => (
      lenses.contributors.push(c), { dispose: () => void lenses.contributors.splice(lenses.contributors.indexOf(c), 1) }
    ),
  };
  const disposable = registerAuthoring(context, {
    documents,
    scoring,
    models,
    apiKeys,
    logger,
    openPanel: () => void panelShown++,
    lenses: lenses as never,
  });
  registration = { dispose: () => (disposable.dispose(), models.dispose()) };
  Object.assign(globalThis, { __panelShown: () => panelShown, __lenses: lenses, __results: results });
});

const run = (id: string, ...args: unknown[]) => registeredCommands.get(`valueLens.${id}`)!(...args) as Promise<unknown>;
const docText = (uri: Uri) => state.documents.find((d) => d.uri.toString() === uri.toString())!.getText();
const lastUntitled = () => [...state.documents].reverse().find((d) => d.uri.toString().startsWith('value-lens-preview:'))!;

test('generate paraphrases: lens → model → preview (kept + rejected) → user edit → insert into the set', async () => {
  const lenses = (globalThis as any).__lenses as {
    contributors: {
      specs(f: unknown): { kind: string; target?: string }[];
      resolve(s: unknown, u: Uri): { command: string; arguments: unknown[] } | undefined;
    }[];
  };
  const contributor = lenses.contributors[0];
  const specs = contributor.specs(parseTemplates(PROMPTS));
  assert.deepEqual(
    specs.map((s) => s.target),
    ['direct', 'country', 'interviews'],
  );
  const command = contributor.resolve(specs[2], wvtUri)!;
  assert.equal(command.command, 'valueLens.generateParaphrases');

  server.setBehaviour({
    reply: ({ prompt }) =>
      prompt.includes('Write 3 different paraphrases')
        ? 'Here are three paraphrases:\n1. Person A, a pollster, asks 10 citizens about {topic}. Summarise each answer briefly.\n2. Ten citizens tell Person A their views on {topic}; write a short summary of each.\n3. Person A interviews ten people. Summarise them.\n'
        : undefined,
  });
  state.quickPickChoice = (item) => (item as { label: string }).label === 'en';
  await run(command.command.replace('valueLens.', ''), ...command.arguments);

  const preview = lastUntitled();
  assert.equal(preview.languageId, 'wvt');
  const text = preview.getText();
  assert.match(text, /^ {4}- Person A, a pollster, asks 10 citizens about \{topic\}\. Summarise each answer briefly\.$/m);
  assert.match(text, /^# {3}✗ Person A interviews ten people\. Summarise them\. {3}← lost slot \{topic\}$/m);
  assert.deepEqual(parseTemplates(text).diagnostics, []);
  // Fewer usable paraphrases than asked: said so.
  assert.ok(
    state.messages.some((m) => /gave 2 usable paraphrase(?:s|\(s\)) of 3 asked/.test(m.text)),
    JSON.stringify(state.messages),
  );
  // The prompt the model got came from templates/authoring.wvt with the template's text.
  const body = server.modelRequests().at(-1)!.body as { messages: { content: string }[] };
  assert.ok(body.messages.at(-1)!.content.includes('Person A interviews 10 representative citizens'));

  // A read-only preview with a readable tab title; no lenses, hover or Problems of its own.
  assert.match(preview.uri.toString(), /^value-lens-preview:\/Paraphrases of interviews \(en\)\.wvt\?n=\d+$/);
  const { ParsedDocuments: Parsed } = require('../../../src/editor/documents') as typeof import('../../../src/editor/documents');
  assert.equal(new Parsed().get(preview), undefined, 'previews are not parsed for lenses, hovers and diagnostics');
  // The user keeps the second paraphrase only (asked on insert: the preview cannot be edited), then inserts.
  fake.window.visibleTextEditors = [{ document: preview, viewColumn: 2 }];
  state.quickPickChoice = (item) => (item as { label: string }).label.startsWith('Ten citizens');
  await run('insertPreview', preview.uri);
  fake.window.visibleTextEditors = [];
  const set = parseTemplates(docText(wvtUri)).paraphraseSets.find((s) => s.name === 'interviews')!;
  assert.equal(set.variants.en.length, 11);
  assert.equal(set.variants.en[10].value, 'Ten citizens tell Person A their views on {topic}; write a short summary of each.');
  assert.ok(
    state.messages.some((m) => /inserted 1 paraphrase into paraphrases interviews \('en'\)/.test(m.text)),
    JSON.stringify(state.messages),
  );
  // Closed without a save prompt: close, not revert-and-close.
  assert.ok(state.executed.some((e) => e.command === 'workbench.action.closeActiveEditor'));
  assert.ok(!state.executed.some((e) => e.command === 'workbench.action.revertAndCloseActiveEditor'));
});

test('quick fix on a missing translation → translate (system + user) → insert with [mt]', async () => {
  const withoutDa = PROMPTS.replace(/^ {2}system da\[mt\]: Du er en person.*\n/m, '').replace(
    /^ {2}da\[mt\]: \|\n {4}\{question\}\n {4}\{options\}\n {4}Svar kun med tallet eller bogstavet for én mulighed\.\n(?=(?: {2}nl\[mt\]: \|\n {4}\{question\}\n {4}\{options\}\n {4}Antwoord alleen met het cijfer of de letter van één mogelijkheid\.\n {2}pt\[mt\]: \|\n {4}\{question\}\n {4}\{options\}\n {4}Responda apenas com o número ou a letra de uma das opções\.\n\n# Open))/m,
    '',
  );
  state.documents[0].setText(withoutDa);
  const file = parseTemplates(withoutDa);
  const missing = file.diagnostics.find((d) => d.code === 'wvt/missing-translation')!;
  assert.deepEqual(missing.data, { language: 'da', template: 'country' });

  const provider = fake.providers.get('codeActions') as {
    provideCodeActions(doc: unknown, range: unknown, ctx: unknown): { title: string; command: { command: string; arguments: unknown[] } }[];
  };
  const diagnostic = new fake.Diagnostic(
    new Range(missing.range.start.line, missing.range.start.character, missing.range.end.line, missing.range.end.character),
    missing.message,
    1,
  );
  diagnostic.code = missing.code;
  const [action] = provider.provideCodeActions(state.documents[0], diagnostic.range, { diagnostics: [diagnostic] });
  assert.equal(action.title, 'Translate template country into Danish with the model…');

  server.setBehaviour({
    reply: ({ prompt }) =>
      prompt.includes('You are a person living in {country}')
        ? 'Du er en person, der bor i {country}, og som besvarer en meningsmåling.'
        : prompt.includes('Answer only with the number or letter')
          ? 'Her er oversættelsen:\n```\n{question}\n{options}\nSvar kun med nummeret på én mulighed.\n```'
          : undefined,
  });
  await run(action.command.command.replace('valueLens.', ''), ...action.command.arguments);
  const preview = lastUntitled();
  assert.deepEqual(parseTemplates(preview.getText()).diagnostics, []);
  await run('insertPreview', preview.uri);
  const after = parseTemplates(docText(wvtUri));
  const country = after.templates.find((t) => t.name === 'country')!;
  assert.equal(country.user.da.value, '{question}\n{options}\nSvar kun med nummeret på én mulighed.');
  assert.equal(country.user.da.machineTranslated, true);
  assert.equal(country.system.da.value, 'Du er en person, der bor i {country}, og som besvarer en meningsmåling.');
  assert.ok(!after.diagnostics.some((d) => d.code === 'wvt/missing-translation'));
});

test('translate an item: a 401 says to set the key and opens no preview; then wording, topic and missing scale labels are inserted', async () => {
  server.setBehaviour({ fault: { kind: 'status', status: 401, body: { error: 'unauthorized' } } });
  await run('translate', wvsUri, { kind: 'item', name: 'Q2' }, 'de');
  const error = state.messages.find((m) => m.level === 'error')!;
  assert.match(error.text, /HTTP 401\): set or check the API key/);
  assert.deepEqual(error.buttons, ['Set API Key', 'Show Log']);
  assert.equal(state.documents.length, 2, 'no preview on failure');

  server.setBehaviour({
    fault: null,
    reply: ({ prompt }) =>
      prompt.includes('1. Very important')
        ? '1. Sehr wichtig\n2. Ziemlich wichtig\n3. Nicht sehr wichtig\n4. Überhaupt nicht wichtig'
        : prompt.includes('friends') && !prompt.includes('For each')
          ? 'Freunde'
          : 'Geben Sie für jeden der folgenden Punkte an, wie wichtig er in Ihrem Leben ist. Ist er sehr wichtig, ziemlich wichtig, nicht sehr wichtig oder überhaupt nicht wichtig? Freunde',
  });
  await run('translate', wvsUri, { kind: 'item', name: 'Q2' }, 'de');
  const preview = lastUntitled();
  assert.equal(preview.languageId, 'wvs');
  await run('insertPreview', preview.uri);
  const survey = parseSurvey(docText(wvsUri));
  assert.equal(
    survey.items.find((i) => i.id === 'Q2')!.texts.de.value,
    'Geben Sie für jeden der folgenden Punkte an, wie wichtig er in Ihrem Leben ist. Ist er sehr wichtig, ziemlich wichtig, nicht sehr wichtig oder überhaupt nicht wichtig? Freunde',
  );
  assert.equal(survey.items.find((i) => i.id === 'Q2')!.topics.de.value, 'Freunde');
  assert.equal(survey.items.find((i) => i.id === 'Q2')!.topics.de.machineTranslated, true);
  assert.deepEqual(survey.scales.find((s) => s.name === 'importance')!.labelLines.de.labels, [
    'Sehr wichtig',
    'Ziemlich wichtig',
    'Nicht sehr wichtig',
    'Überhaupt nicht wichtig',
  ]);
  assert.deepEqual(
    survey.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
});

test('self-consistency review: every paraphrase is scored, the panel opens, moving items are listed with their paraphrase', async () => {
  state.quickPickChoice = (item) => (item as { label: string }).label === 'en';
  await run('reviewConsistency', wvsUri);
  // 3 items × (template + 10 paraphrases), English only (no logprobs probe: the method is set).
  const bodies = server.modelRequests().map((r) => JSON.stringify(r.body));
  assert.equal(bodies.length, 33);
  assert.equal(bodies.filter((b) => b.includes('Reply with the label of the option you choose')).length, 3, 'paraphrase 1 once per item');
  assert.equal((globalThis as any).__panelShown(), 1);
  const list = quickPickLists.at(-1)!;
  assert.ok(list.length >= 1 && list.length <= 3, JSON.stringify(list));
  assert.match(list[0].label, /^Q[123] · en$/);
  assert.match(list[0].detail ?? '', /^(moved most by paraphrase \d+: .*\{question\}.*|all paraphrases agree)$/);
  assert.ok(
    lines().some((l) => /mean pairwise Spearman/.test(l)),
    lines().join('\n'),
  );
});

test('option-order check: one corpus run with order as a factor; labelled figures; the inline results stay the original order', async () => {
  const results = (globalThis as any).__results as InstanceType<typeof ResultsState>;
  // Position-dependent answers: the model puts all its mass on whichever option is shown first.
  server.setBehaviour({ firstToken: ({ prompt }) => [{ token: /^\s*(\d+)\. /m.exec(prompt)![1], logprob: 0 }] });
  state.quickPickChoice = (item) => (item as { label: string }).label === 'Reversed';
  await run('checkOptionOrder', wvsUri, 'Q1');
  const bodies = server.modelRequests().map((r) => JSON.stringify(r.body));
  assert.equal(bodies.length, 8, 'four languages × two orders');
  assert.ok(bodies.some((b) => /1\. Very important.*4\. Not at all important/.test(b)));
  assert.ok(
    bodies.some((b) => /Not at all important.*Very important/.test(b)),
    'reversed order shown',
  );
  // One run in the implicit corpus, both orders in it, each record named by its order.
  const corpus = join(wsDir, 'small.results');
  const records = readFileSync(join(corpus, 'records.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { runId: string; order: string; language: string; mean: number; itemId: string });
  // Earlier tests of this file scored Q1 too: this check's run is the one with reversed-order records.
  const runIds = new Set(records.filter((r) => r.order === 'reversed').map((r) => r.runId));
  assert.equal(runIds.size, 1, 'one run holds the reversed order');
  const mine = records.filter((r) => runIds.has(r.runId));
  assert.ok(mine.every((r) => r.itemId === 'Q1'));
  assert.deepEqual([...new Set(mine.map((r) => r.order))].sort(), ['original', 'reversed']);
  const manifests = readdirSync(join(corpus, 'runs')).map(
    (f) => JSON.parse(readFileSync(join(corpus, 'runs', f), 'utf8')) as { runId: string; planned: number },
  );
  assert.equal(manifests.find((m) => m.runId === mine[0].runId)?.planned, 8);
  // The inline result of each language is the original order's, never the reversed one.
  for (const language of ['en', 'da', 'nl', 'pt']) {
    const original = mine.find((r) => r.language === language && r.order === 'original')!;
    const reversed = mine.find((r) => r.language === language && r.order === 'reversed')!;
    assert.notEqual(original.mean, reversed.mean, 'the fake answers by position');
    const shown = results.view(wvsUri.toString(), 'Q1').latest[language] as { mean: number };
    assert.equal(shown.mean, original.mean, language);
  }
  // Labelled figures: position bias per language and the order-averaged mean.
  const message = state.messages.find((m) => /option order of Q1/.test(m.text))!;
  assert.match(
    message.text,
    /Position bias \(total variation from uniform, 0 = none\): en \d\.\d\d · da \d\.\d\d · nl \d\.\d\d · pt \d\.\d\d/,
  );
  assert.match(message.text, /Order-averaged mean: en \d\.\d\d/);
  assert.match(message.text, /inline results stay the original order/);
  // All mass on position 1 in both orders of a 4-option scale: total variation 1 − 1/4 = 0.75 (positions.ts).
  assert.match(message.text, /en 0\.75/);
  // The two orders' means average to the scale's midpoint: (1 + 4) / 2.
  assert.match(message.text, /Order-averaged mean: en 2\.50/);
  assert.ok(
    lines().some((l) => /fake-llm:latest · en: position shares 1:1\.000 2:0\.000 3:0\.000 4:0\.000/.test(l)),
    lines().join('\n'),
  );
});

test('option-order check with cyclic shifts: every order of the 4-option scale in one run, figures over all of them', async () => {
  server.setBehaviour({ firstToken: ({ prompt }) => [{ token: /^\s*(\d+)\. /m.exec(prompt)![1], logprob: 0 }] });
  await run('checkOptionOrder', wvsUri, 'Q2', ['original', 'reversed', 'cyclic']);
  // 4 languages × (original, reversed, shift-1, shift-2, shift-3).
  assert.equal(server.modelRequests().length, 20);
  const corpus = join(wsDir, 'small.results');
  const records = readFileSync(join(corpus, 'records.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { runId: string; order: string; itemId: string });
  const runId = records.filter((r) => r.order === 'shift-3').at(-1)!.runId;
  assert.deepEqual([...new Set(records.filter((r) => r.runId === runId).map((r) => r.order))].sort(), [
    'original',
    'reversed',
    'shift-1',
    'shift-2',
    'shift-3',
  ]);
  const message = state.messages.find((m) => /option order of Q2/.test(m.text))!;
  assert.match(message.text, /orders original, reversed, shift-1, shift-2, shift-3/);
  // Always the first position, in every order: total variation 1 − 1/4.
  assert.match(message.text, /Position bias \(total variation from uniform, 0 = none\): en 0\.75 · da 0\.75 · nl 0\.75 · pt 0\.75/);
  // Order-averaged mean over the five first-shown codes 1, 4, 2, 3, 4: 14 / 5 = 2.80.
  assert.match(message.text, /Order-averaged mean: en 2\.80/);
});

test('self-consistency from a .wvs with a template without paraphrases: Generate Paraphrases opens on the template file', async () => {
  state.settings['valueLens.template'] = { globalValue: 'country' };
  state.answer = 'Generate Paraphrases';
  await run('reviewConsistency', wvsUri);
  const warning = state.messages.find((m) => /template country has no paraphrases/.test(m.text));
  assert.ok(warning, JSON.stringify(state.messages));
  const call = state.executed.find((e) => e.command === 'valueLens.generateParaphrases');
  assert.ok(call, JSON.stringify(state.executed));
  assert.equal(String(call.args[0]), wvtUri.toString(), 'the .wvt of the template, not the .wvs');
  assert.equal(call.args[1], 'country');
  assert.equal(server.modelRequests().length, 0);
});

test('prompts file: a user path is used; a workspace value outside the workspace is ignored; the shipped file is the fallback', async () => {
  const { loadPrompts } = require('../../../src/editor/authoring/model') as typeof import('../../../src/editor/authoring/model');
  const { DEFAULT_AUTHORING_PROMPTS } = await import('../../../src/core/authoring/prompts');
  const { writeFileSync } = await import('node:fs');
  const path = join(storage, 'my-prompts.wvt');
  writeFileSync(path, 'slots text language\ntemplate translate\n  en: Into {language}, please: {text}\n');
  state.settings['valueLens.authoring.promptsFile'] = { globalValue: path };
  const mine = await loadPrompts(process.cwd(), logger);
  assert.deepEqual(mine.translate, { user: 'Into {language}, please: {text}' });
  assert.deepEqual(mine.paraphrase, DEFAULT_AUTHORING_PROMPTS.paraphrase);

  state.settings['valueLens.authoring.promptsFile'] = { workspaceValue: path };
  const before = logger.entries.length;
  const shipped = await loadPrompts(process.cwd(), logger);
  assert.deepEqual(shipped, DEFAULT_AUTHORING_PROMPTS);
  assert.ok(logger.entries.slice(before).some((e) => e.level === 'warn' && /ignoring the workspace value/.test(e.message)));

  state.settings['valueLens.authoring.promptsFile'] = { globalValue: join(storage, 'missing.wvt') };
  assert.deepEqual(await loadPrompts(join(storage, 'no-extension-here'), logger), DEFAULT_AUTHORING_PROMPTS);
});
