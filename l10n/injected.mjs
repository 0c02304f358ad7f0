// Second half of `npm run l10n:export`. @vscode/l10n-dev sees only direct `vscode.l10n.t('…')` calls, but the
// pure text modules of src/editor (lensTitles.ts, languageStatusText.ts, …) take the translator as a parameter
// `t: Translate` so they can be unit-tested without vscode; codeLens.ts forwards it with
// `const t = (message, ...args) => vscode.l10n.t(message, ...args)`. This collects the literal first argument of
// every `t('…')` call in such files and adds the ones l10n-dev missed to l10n/bundle.l10n.json (VS Code looks a
// message up by its English text, so a forwarded call finds it like a direct one).
// src/core never calls vscode: its diagnostics are `msg('English template {0}', …)` (src/core/message.ts), kept
// as template and arguments and translated by the editor when shown; the literal templates of `msg('…')` in
// files that import `msg` are collected here the same way. So are the `t('…')` texts of the webview (webview/,
// which imports `t` from webview/l10n.ts): the panel host hands the bundle to the webview.
// Usage: node l10n/injected.mjs   (after vscode-l10n-dev export). `injectedMessages` is used by test/unit/l10n.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A file whose `t(…)` calls go to vscode.l10n.t: it takes a `Translate` or forwards `t` to vscode.l10n.t. */
export const usesInjectedTranslator = (source) =>
  /\bt\??: Translate\b|\bt: Translate = |const t = \(.*=> vscode\.l10n\.t\(|import \{[^}]*\bt\b[^}]*\} from '\.\/l10n'/.test(source);

/** A file whose `msg('…')` calls build core messages (src/core/message.ts) that the editor translates. */
export const usesMessageTemplates = (source) => /import \{[^}]*\bmsg\b[^}]*\} from '(?:\.\.?\/)+(?:[\w]+\/)*message'/.test(source);

/** The literal messages of `t('…')` / `t("…")` calls (not `x.t(…)`, not `l10n.t(…)`); `name` picks another function. */
export function injectedMessages(source, name = 't') {
  const out = [];
  const call = new RegExp(`(?<![\\w.$])${name}\\(\\s*('(?:[^'\\\\\\n]|\\\\.)*'|"(?:[^"\\\\\\n]|\\\\.)*")`, 'g');
  for (const m of source.matchAll(call)) {
    const literal = m[1];
    const quote = literal[0];
    const body = literal.slice(1, -1).replace(/\\(.)/g, (_, c) => ({ n: '\n', t: '\t', '\\': '\\', [quote]: quote })[c] ?? c);
    out.push(body);
  }
  return out;
}

function tsFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return tsFiles(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Every injected message under the given folders, in file order, without duplicates. */
export function collectInjected(...dirs) {
  const seen = new Set();
  for (const file of dirs.flatMap((dir) => tsFiles(dir).sort())) {
    const source = readFileSync(file, 'utf8');
    if (usesInjectedTranslator(source)) for (const message of injectedMessages(source)) seen.add(message);
    if (usesMessageTemplates(source)) for (const message of injectedMessages(source, 'msg')) seen.add(message);
  }
  return [...seen];
}

function main() {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const bundleFile = join(root, 'l10n', 'bundle.l10n.json');
  const bundle = JSON.parse(readFileSync(bundleFile, 'utf8'));
  let added = 0;
  for (const message of collectInjected(join(root, 'src'), join(root, 'webview'))) {
    if (message in bundle) continue;
    bundle[message] = message;
    added++;
  }
  writeFileSync(bundleFile, `${JSON.stringify(bundle, null, 2)}\n`);
  console.log(`${added} message(s) of injected translators added to l10n/bundle.l10n.json`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
