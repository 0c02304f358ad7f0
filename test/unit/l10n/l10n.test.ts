// Localisation (issue 19): package.json's contributions reference package.nls.json by %key%, the vscode.l10n
// bundle is what the sources call, and the Danish, Dutch and Portuguese project translations cover every key
// with the placeholders, code spans and icons of the English. See l10n/README.md.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const LOCALES = ['da', 'nl', 'pt-br'] as const;

type Strings = Record<string, string>;
type BundleValue = string | { message: string; comment?: string[] };

const readJson = <T>(path: string): T => JSON.parse(readFileSync(join(ROOT, path), 'utf8')) as T;
const pkgText = (): string => readFileSync(join(ROOT, 'package.json'), 'utf8');
const english = (): Strings => readJson<Strings>('package.nls.json');
const bundle = (): Record<string, BundleValue> => readJson('l10n/bundle.l10n.json');
const messageOf = (value: BundleValue): string => (typeof value === 'string' ? value : value.message);

/** `%key%` references anywhere in package.json (string values that are exactly a reference). */
function manifestReferences(text: string): string[] {
  return [...new Set([...text.matchAll(/"%([^%"\s]+)%"/g)].map((m) => m[1]!))];
}

/** What a translation must keep verbatim: placeholders, code spans, codicons, line breaks, command links. */
function invariants(text: string): string[] {
  const parts = [
    ...[...text.matchAll(/\{[A-Za-z0-9_]+\}/g)].map((m) => m[0]),
    ...[...text.matchAll(/`[^`]+`/g)].map((m) => m[0]),
    ...[...text.matchAll(/\$\([a-z0-9-]+\)/g)].map((m) => m[0]),
    ...[...text.matchAll(/\n/g)].map(() => '\\n'),
    ...[...text.matchAll(/\]\((command:[^)]+)\)/g)].map((m) => m[1]!),
  ];
  return parts.sort();
}

function checkTranslation(name: string, source: Strings, translated: Strings): void {
  const missing = Object.keys(source).filter((k) => !(k in translated));
  assert.deepEqual(missing, [], `${name} lacks keys`);
  const orphans = Object.keys(translated).filter((k) => !(k in source));
  assert.deepEqual(orphans, [], `${name} has keys the English source no longer has`);
  for (const [key, text] of Object.entries(source)) {
    const value = translated[key];
    assert.equal(typeof value, 'string', `${name} ${key}`);
    assert.ok(value!.trim().length > 0, `${name}: ${key} is empty`);
    assert.deepEqual(
      invariants(value!),
      invariants(text),
      `${name}: ${key} changes a placeholder, code span or icon:\n  en: ${text}\n  ${name}: ${value}`,
    );
  }
}

test('package.json: every %key% exists in package.nls.json and in every translation', () => {
  const refs = manifestReferences(pkgText());
  assert.ok(refs.length >= 50, `only ${refs.length} references: the contributions are not localised`);
  const en = english();
  assert.deepEqual(
    refs.filter((k) => !(k in en)),
    [],
    'references missing from package.nls.json',
  );
  for (const locale of LOCALES) {
    const translated = readJson<Strings>(`package.nls.${locale}.json`);
    assert.deepEqual(
      refs.filter((k) => !(k in translated)),
      [],
      `references missing from package.nls.${locale}.json`,
    );
  }
});

test('package.json: no user-facing contribution string is left literal (node l10n/manifest.mjs moves them)', async () => {
  const { localiseManifest } = (await import(join(ROOT, 'l10n', 'manifest.mjs'))) as { localiseManifest: (m: unknown) => Strings };
  const literals = localiseManifest(JSON.parse(pkgText()));
  assert.deepEqual(literals, {}, 'run `node l10n/manifest.mjs`, then translate the new keys');
});

test('localiseManifest turns commands, settings, views and walkthrough steps into keys and keeps references', async () => {
  const { localiseManifest } = (await import(join(ROOT, 'l10n', 'manifest.mjs'))) as { localiseManifest: (m: unknown) => Strings };
  const manifest = {
    displayName: 'X',
    contributes: {
      commands: [
        { command: 'a.run', title: 'Run', category: 'X' },
        { command: 'a.stop', title: '%a.stop.title%' },
      ],
      configuration: {
        title: 'X',
        properties: { 'a.mode': { markdownDescription: 'Mode', enum: ['fast', 'slow'], enumDescriptions: ['Fast', 'Slow'] } },
      },
      views: { explorer: [{ id: 'a.results', name: 'Results' }] },
      viewsWelcome: [{ view: 'a.results', contents: 'Nothing yet' }],
      walkthroughs: [
        {
          id: 'start',
          title: 'Start',
          description: 'D',
          steps: [{ id: 's1', title: 'Step', description: 'Do it', media: { image: 'x.png', altText: 'Alt' } }],
        },
      ],
    },
  };
  const added = localiseManifest(manifest);
  assert.deepEqual(added, {
    displayName: 'X',
    'a.run.title': 'Run',
    'configuration.title': 'X',
    'a.mode.markdownDescription': 'Mode',
    'a.mode.enum.fast': 'Fast',
    'a.mode.enum.slow': 'Slow',
    'view.a.results.name': 'Results',
    'viewsWelcome.a.results.1': 'Nothing yet',
    'walkthrough.start.title': 'Start',
    'walkthrough.start.description': 'D',
    'walkthrough.start.s1.title': 'Step',
    'walkthrough.start.s1.description': 'Do it',
    'walkthrough.start.s1.altText': 'Alt',
  });
  assert.equal(manifest.contributes.commands[0]!.title, '%a.run.title%');
  assert.equal(manifest.contributes.commands[0]!.category, 'X', 'the category (product name) stays literal');
  assert.equal(manifest.contributes.commands[1]!.title, '%a.stop.title%');
  assert.deepEqual(manifest.contributes.configuration.properties['a.mode'].enumDescriptions, ['%a.mode.enum.fast%', '%a.mode.enum.slow%']);
  assert.deepEqual(localiseManifest(manifest), {}, 'a second pass finds nothing');
});

for (const locale of LOCALES) {
  test(`package.nls.${locale}.json: every key, none empty, placeholders and code spans kept`, () => {
    checkTranslation(`package.nls.${locale}.json`, english(), readJson<Strings>(`package.nls.${locale}.json`));
  });

  test(`package.nls.${locale}.json: a command named in bold in a setting description is named by its translated title`, () => {
    const en = english();
    const translated = readJson<Strings>(`package.nls.${locale}.json`);
    const titles = new Set(
      Object.entries(translated)
        .filter(([k]) => k.endsWith('.title'))
        .map(([, v]) => v),
    );
    let checked = 0;
    for (const [key, text] of Object.entries(translated)) {
      for (const m of text.matchAll(/\*\*Value Lens: ([^*]+)\*\*/g)) {
        checked++;
        assert.ok(titles.has(m[1]!), `${key}: "**Value Lens: ${m[1]}**" is not a command title of package.nls.${locale}.json`);
      }
    }
    const inEnglish = Object.values(en).reduce((n, t) => n + [...t.matchAll(/\*\*Value Lens: [^*]+\*\*/g)].length, 0);
    assert.equal(checked, inEnglish, 'as many command references as the English');
  });
}

test('injectedMessages reads the literal t(…) calls of a module that takes a Translate', async () => {
  const { injectedMessages, usesInjectedTranslator } = (await import(join(ROOT, 'l10n', 'injected.mjs'))) as {
    injectedMessages: (s: string) => string[];
    usesInjectedTranslator: (s: string) => boolean;
  };
  const source =
    "export function f(n: number, t: Translate = plain) { return `${t('Score')} ${t(\"it's {0}\", n)} ${x.t('no')} ${l10n.t('direct')} ${t('a \\'b\\'')}`; }";
  assert.ok(usesInjectedTranslator(source));
  assert.deepEqual(injectedMessages(source), ['Score', "it's {0}", "a 'b'"]);
  assert.ok(
    usesInjectedTranslator('const t = (message: string, ...args: (string | number)[]): string => vscode.l10n.t(message, ...args);'),
  );
  assert.ok(!usesInjectedTranslator("vscode.l10n.t('x')"));
});

test("core message templates: msg('…') literals of files that import msg are collected, and every msg call has a literal template", async () => {
  const { injectedMessages, usesMessageTemplates } = (await import(join(ROOT, 'l10n', 'injected.mjs'))) as {
    injectedMessages: (s: string, name?: string) => string[];
    usesMessageTemplates: (s: string) => boolean;
  };
  const source =
    "import { msg, type Message } from '../message';\nconst a = msg('Unknown scale \\'{0}\\'', name);\nconst b = msg(\n  \"Item {0} has no 'scale:'\", id);\nx.msg('no'); t('not a msg');";
  assert.ok(usesMessageTemplates(source));
  assert.ok(!usesMessageTemplates("import { msg } from './other';"));
  assert.deepEqual(injectedMessages(source, 'msg'), ["Unknown scale '{0}'", "Item {0} has no 'scale:'"]);
  // A template built at run time would be missing from the bundle: the exporter only reads literals.
  const core = sourceFiles(join(ROOT, 'src', 'core'))
    .map((path) => ({ path, contents: readFileSync(path, 'utf8') }))
    .filter((f) => usesMessageTemplates(f.contents));
  assert.ok(core.length >= 5, 'the .wvs/.wvt parsers and checks build their diagnostics with msg');
  // The lookahead holds the whitespace too: `\(\s*(?!['"])` would backtrack into a line break before the literal.
  const computed = core.filter((f) => /(?<![\w.$])msg\((?!\s*['"])/.test(f.contents)).map((f) => relative(ROOT, f.path));
  assert.deepEqual(computed, [], 'msg called with something other than a literal template');
});

test('package.json: l10n points at ./l10n, where the exported bundle is', () => {
  const pkg = JSON.parse(pkgText()) as { l10n?: string; scripts?: Record<string, string>; devDependencies?: Record<string, string> };
  assert.equal(pkg.l10n, './l10n');
  assert.match(pkg.scripts?.['l10n:export'] ?? '', /vscode-l10n-dev export .*--outDir \.\/l10n/);
  assert.ok(pkg.devDependencies?.['@vscode/l10n-dev'], '@vscode/l10n-dev is a devDependency');
  assert.ok(Object.keys(bundle()).length > 0);
});

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

test('l10n/bundle.l10n.json is what `npm run l10n:export` extracts from src/ and webview/ today (direct calls and injected translators)', async () => {
  const { getL10nJson } = (await import('@vscode/l10n-dev')) as typeof import('@vscode/l10n-dev');
  // Only files that call l10n.t (parsing all of src/ with tree-sitter takes seconds).
  const files = sourceFiles(join(ROOT, 'src'))
    .map((path) => ({ contents: readFileSync(path, 'utf8'), extension: path.endsWith('.tsx') ? '.tsx' : '.ts', path }))
    .filter((f) => f.contents.includes('l10n.t('));
  const injected = (await import(join(ROOT, 'l10n', 'injected.mjs'))) as {
    collectInjected: (...dirs: string[]) => string[];
    usesInjectedTranslator: (source: string) => boolean;
  };
  const extracted: Record<string, unknown> = { ...(await getL10nJson(files.map(({ contents, extension }) => ({ contents, extension })))) };
  for (const message of injected.collectInjected(join(ROOT, 'src'), join(ROOT, 'webview'))) extracted[message] ??= message;
  const current = bundle();
  const stale = Object.keys(extracted).filter((k) => !(k in current));
  const gone = Object.keys(current).filter((k) => !(k in extracted));
  assert.deepEqual(
    { missingFromBundle: stale, noLongerInSources: gone },
    { missingFromBundle: [], noLongerInSources: [] },
    'run `npm run l10n:export` and translate the new keys',
  );
  // The exporter sees only direct calls with a literal: a wrapper or a variable would hide a string (except
  // the forwarding `t` of files whose `t('…')` literals l10n/injected.mjs collects).
  const indirect = files
    .filter((f) => !injected.usesInjectedTranslator(f.contents))
    .filter((f) => /[^.\w]l10n\.t\(\s*[^'"`\s)]/.test(f.contents) || /vscode\.l10n\.t\(\s*(?!['"`])[^)\s]/.test(f.contents))
    .map((f) => relative(ROOT, f.path));
  assert.deepEqual(indirect, [], 'vscode.l10n.t called with something other than a literal');
});

for (const locale of LOCALES) {
  test(`l10n/bundle.l10n.${locale}.json: every key, none empty, placeholders, code spans and icons kept`, () => {
    const source = Object.fromEntries(Object.entries(bundle()).map(([k, v]) => [k, messageOf(v)]));
    const translated = readJson<Record<string, BundleValue>>(`l10n/bundle.l10n.${locale}.json`);
    checkTranslation(
      `l10n/bundle.l10n.${locale}.json`,
      source,
      Object.fromEntries(Object.entries(translated).map(([k, v]) => [k, messageOf(v)])),
    );
  });
}

test('the VSIX allow-list ships the manifest translations and the bundles', () => {
  const ignore = readFileSync(join(ROOT, '.vscodeignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim());
  assert.ok(ignore.includes('!package.nls*.json'), '.vscodeignore lets package.nls*.json in');
  assert.ok(
    ignore.some((l) => /^!l10n\/bundle\.l10n\*?\.?\*?\.json$/.test(l) || l === '!l10n/*.json'),
    '.vscodeignore lets l10n/bundle.l10n*.json in',
  );
});

// VS Code's walkthrough renderer (gettingStartedDetailsRenderer) reads `<page>.nls.<display language>.md`, then
// `<page>.nls.<language before the dash>.md`, then `<page>.md`, for a step's markdown media.
test('every walkthrough page has a Danish, Dutch and Portuguese page VS Code finds, with the same code, links and tables', () => {
  const pkg = JSON.parse(pkgText()) as { contributes: { walkthroughs: { steps: { id: string; media: { markdown?: string } }[] }[] } };
  const pages = pkg.contributes.walkthroughs
    .flatMap((w) => w.steps.map((s) => s.media.markdown))
    .filter((p): p is string => p !== undefined);
  assert.ok(pages.length >= 5);
  const shape = (text: string): unknown => ({
    code: [...text.matchAll(/`[^`]+`/g)].map((m) => m[0]).sort(),
    links: [...text.matchAll(/\]\(([^)]+)\)/g)].map((m) => m[1]).sort(),
    headings: [...text.matchAll(/^#+ /gm)].length,
    tableRows: [...text.matchAll(/^\|.*\|$/gm)].length,
    bold: [...text.matchAll(/\*\*[^*]+\*\*/g)].length,
  });
  for (const page of pages) {
    const english = readFileSync(join(ROOT, page), 'utf8');
    for (const locale of LOCALES) {
      const localised = page.replace(/\.md$/, `.nls.${locale}.md`);
      const text = readFileSync(join(ROOT, localised), 'utf8');
      assert.notEqual(text, english, `${localised} is not translated`);
      assert.deepEqual(
        shape(text),
        shape(english),
        `${localised} keeps the code spans, links, headings, table rows and bold names of ${page}`,
      );
    }
  }
  const ignore = readFileSync(join(ROOT, '.vscodeignore'), 'utf8');
  assert.match(ignore, /^!media\/walkthrough\/\*\.md$/m, 'the localised pages ship');
});
