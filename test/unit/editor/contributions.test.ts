// Issue 19's conventions in package.json, checked against the files and the parsers: keybindings scoped to
// the languages (and not on chords VS Code binds in the editor), file icons and snippets that exist, and
// every snippet expanded with its defaults parses without errors in its language.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { parse as parseJsonc } from 'jsonc-parser';
import { parseSurvey, parseTemplates } from '../../../src/core/language/index';
import { parseStudyText } from '../../../src/core/study/parse';

interface Manifest {
  contributes: {
    languages: { id: string; icon?: { light: string; dark: string } }[];
    keybindings: { command: string; key: string; mac?: string; when: string }[];
    snippets: { language: string; path: string }[];
    menus: Record<string, { command: string; when?: string }[]>;
    commands: { command: string }[];
  };
}
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as Manifest;

/** A snippet body with every placeholder at its default (choices: the first) and tab stops empty. */
function expandSnippet(body: string | string[]): string {
  let text = Array.isArray(body) ? body.join('\n') : body;
  for (let i = 0; i < 5; i++) text = text.replace(/\$\{\d+:([^${}]*)\}/g, '$1').replace(/\$\{\d+\|([^,|]*)[^|]*\|\}/g, '$1');
  return text.replace(/\$\d+/g, '').replace(/\\([$}\\])/g, '$1');
}

test('Score Item and Score File have keybindings, focused on a .wvs editor, on chords the editor leaves free', () => {
  const byCommand = new Map(pkg.contributes.keybindings.map((k) => [k.command, k]));
  for (const command of ['valueLens.scoreItem', 'valueLens.scoreFile']) {
    const k = byCommand.get(command);
    assert.ok(k, command);
    assert.match(k.when, /editorLangId == wvs/);
    assert.match(k.when, /editorTextFocus/);
    // Chords VS Code binds in a focused text editor (replace all, insert line, find, notebooks' run): never ours.
    for (const taken of ['ctrl+alt+enter', 'ctrl+enter', 'shift+enter', 'alt+enter', 'ctrl+shift+enter', 'ctrl+k ctrl+i'])
      assert.notEqual(k.key, taken, command);
  }
  const keys = pkg.contributes.keybindings.map((k) => k.key);
  assert.equal(new Set(keys).size, keys.length, 'no two of ours share a chord');
});

test('both languages have a file icon that ships in media/', () => {
  for (const id of ['wvs', 'wvt']) {
    const icon = pkg.contributes.languages.find((l) => l.id === id)?.icon;
    assert.ok(icon, id);
    for (const path of [icon.light, icon.dark]) {
      assert.match(path, /^\.\/media\/[^/]+\.svg$/);
      const svg = readFileSync(path, 'utf8');
      assert.match(svg, /^<svg [^>]*viewBox="0 0 16 16"/);
      assert.doesNotMatch(svg, /<script|href=/i);
    }
  }
  const ignore = readFileSync('.vscodeignore', 'utf8');
  assert.match(ignore, /^!media\/\*\.svg$/m);
  assert.match(ignore, /^!snippets\/\*\.json$/m);
});

test('the Stop button (cancel every run) shows in the editor title only while valueLens.running', () => {
  const stop = pkg.contributes.menus['editor/title']!.find((m) => m.command === 'valueLens.cancelRuns');
  assert.ok(stop);
  assert.match(stop.when!, /^valueLens\.running && /);
});

test('snippets: item, scale, template, paraphrase set and study, each parsing without errors at its defaults', () => {
  const files = new Map(pkg.contributes.snippets.map((s) => [s.language, s.path]));
  const load = (language: string) => {
    const path = files.get(language);
    assert.ok(path && existsSync(path), language);
    return parseJsonc(readFileSync(path, 'utf8')) as Record<string, { prefix: string | string[]; body: string[]; description: string }>;
  };
  const wvs = load('wvs');
  const wvt = load('wvt');
  const study = load('json');
  const prefixes = (set: typeof wvs) => Object.values(set).flatMap((s) => (Array.isArray(s.prefix) ? s.prefix : [s.prefix]));
  for (const p of ['item', 'scale']) assert.ok(prefixes(wvs).includes(p), p);
  for (const p of ['template', 'paraphrases']) assert.ok(prefixes(wvt).includes(p), p);
  assert.ok(prefixes(study).includes('value-lens study'));

  const surveyText = ['Survey header', 'Scale', 'Item'].map((name) => expandSnippet(wvs[name]!.body)).join('\n');
  const survey = parseSurvey(surveyText);
  assert.deepEqual(
    survey.diagnostics.filter((d) => d.severity === 'error'),
    [],
    surveyText,
  );
  assert.equal(survey.items[0]?.id, 'Q1');
  assert.equal(survey.items[0]?.scale?.name, 'agree');

  const templateText = ['Template', 'Paraphrase set'].map((name) => expandSnippet(wvt[name]!.body)).join('\n');
  const templates = parseTemplates(templateText);
  assert.deepEqual(
    templates.diagnostics.filter((d) => d.severity === 'error'),
    [],
    templateText,
  );
  assert.equal(templates.templates[0]?.name, 'direct');
  assert.equal(templates.paraphraseSets[0]?.name, 'direct');

  const studyText = expandSnippet(study['Value Lens study']!.body);
  const parsed = parseStudyText(studyText, '/ws/my-study.study.json');
  assert.deepEqual(
    parsed.diagnostics.filter((d) => d.severity === 'error'),
    [],
    studyText,
  );
  assert.equal(parsed.study?.models[0]?.model, 'qwen2.5:0.5b');
});

test('extensionKind is workspace and virtual workspaces are declared unsupported, with reasons in the docs', () => {
  const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as {
    extensionKind: string[];
    capabilities: { virtualWorkspaces: { supported: boolean; description: string } };
  };
  assert.deepEqual(manifest.extensionKind, ['workspace']);
  assert.equal(manifest.capabilities.virtualWorkspaces.supported, false);
  assert.ok(manifest.capabilities.virtualWorkspaces.description.length > 40);
  const doc = readFileSync('docs/editor.md', 'utf8');
  assert.match(doc, /## Where it runs/);
  assert.match(doc, /ssh -R 11434:127\.0\.0\.1:11434/);
});

test('editor code never assumes the first workspace folder (issue 19, multi-root)', () => {
  const mine = [
    'resultsTree.ts',
    'walkthrough.ts',
    'tasks.ts',
    'languageStatus.ts',
    'running.ts',
    'studies.ts',
    'studyCommands.ts',
    'workspaceCorpora.ts',
    'commands.ts',
  ];
  for (const name of mine)
    assert.doesNotMatch(readFileSync(`src/editor/${name}`, 'utf8'), /workspaceFolders\??\.\[0\]|workspaceFolders!?\[0\]/, name);
});
