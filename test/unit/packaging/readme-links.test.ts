// Issue 19, fast tier (the slow tier packs a real VSIX: vsix.slow.test.ts): every relative link and image of
// the README and the docs names a file that exists and that the .vscodeignore allow-list ships, so the
// extension page inside VS Code (which resolves links against the installed package) shows the screenshots
// and opens the docs. Also: the settings table in docs/editor.md states package.json's defaults.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, posix, resolve } from 'node:path';
import { relativeLinks, VSCE_RENAMES } from './links';

const ROOT = resolve(__dirname, '..', '..', '..');

/** The `!pattern` lines of the allow-list as regular expressions (`*` stays within one path segment). */
function allowList(): RegExp[] {
  return readFileSync(join(ROOT, '.vscodeignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('!'))
    .map(
      (l) =>
        new RegExp(
          `^${l
            .slice(1)
            .replace(/[.+^${}()|[\]\\]/g, '\\$&')
            .replace(/\*\*/g, '\u0000')
            .replace(/\*/g, '[^/]*')
            .replace(/\u0000/g, '.*')}$`,
        ),
    );
}

const shipped = allowList();
const ships = (path: string): boolean => shipped.some((re) => re.test(path));
const markdownFiles = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((n) => n.endsWith('.md'))
    .map((n) => `docs/${n}`),
];

test('the allow-list parser reads the real file (not vacuous)', () => {
  assert.ok(ships('README.md') && ships('dist/extension.js') && ships('examples/prompts.wvt'));
  assert.ok(!ships('src/extension.ts') && !ships('dist/extension.js.map') && !ships('bench/index.ts') && !ships('.env'));
});

test('every relative link of the README and docs exists and ships in the VSIX', () => {
  const broken: string[] = [];
  let count = 0;
  for (const file of markdownFiles) {
    const dir = posix.dirname(file);
    for (const link of relativeLinks(readFileSync(join(ROOT, file), 'utf8'))) {
      const target = posix.normalize(posix.join(dir, decodeURIComponent(link.replace(/[#?].*$/, ''))));
      count++;
      if (VSCE_RENAMES[target])
        broken.push(
          `${file}: ${link} (vsce ships it as ${VSCE_RENAMES[target]}: the link breaks in the VSIX on case-sensitive systems; link the extension page's tab or a docs/ file instead)`,
        );
      else if (!existsSync(join(ROOT, target))) broken.push(`${file}: ${link} (missing)`);
      else if (!ships(target)) broken.push(`${file}: ${link} (not in the .vscodeignore allow-list)`);
    }
  }
  assert.deepEqual(broken, []);
  assert.ok(count >= 15, `only ${count} links found`);
});

test('docs/editor.md states the settings defaults package.json declares', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    contributes: {
      configuration: { properties: Record<string, { default?: unknown }> } | { properties: Record<string, { default?: unknown }> }[];
    };
  };
  const configurations = Array.isArray(pkg.contributes.configuration) ? pkg.contributes.configuration : [pkg.contributes.configuration];
  const defaults = new Map(configurations.flatMap((c) => Object.entries(c.properties)).map(([k, v]) => [k, v.default]));
  const rows = [...readFileSync(join(ROOT, 'docs/editor.md'), 'utf8').matchAll(/^\| `(valueLens\.[\w.]+)` \| \w+ \| ([^|]+) \|/gm)];
  assert.ok(rows.length >= 5, 'the settings table was found');
  const wrong: string[] = [];
  for (const [, key, stated] of rows) {
    const declared = defaults.get(key!);
    if (typeof declared !== 'number' && typeof declared !== 'boolean') continue; // strings and objects are described in words
    if (stated!.trim().replace(/`/g, '') !== String(declared))
      wrong.push(`${key}: docs say ${stated!.trim()}, package.json ${String(declared)}`);
  }
  assert.deepEqual(wrong, []);
});
