// `npm run package` makes a VSIX whose file list is exactly what users need: the bundles, grammars,
// examples, icon and docs — no sources, tests, source maps, .env files, node_modules or test keys.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readZip, type ZipEntry } from './zip';

const ROOT = resolve(__dirname, '..', '..', '..');
const VSIX = join(ROOT, 'dist', 'value-lens.vsix');
// Key strings the canary tests use (test/unit/cli/canary.test.ts and others): none may ship.
const CANARIES = [/sk-canary/i, /sk-CANARY/, /canary-key/i];

function newestMtime(path: string): number {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

/** Reuses dist/value-lens.vsix when nothing it is built from changed since; otherwise runs the package script. */
function ensureVsix(): void {
  const inputs = ['src', 'webview', 'media', 'syntaxes', 'examples', 'templates', 'package.json', '.vscodeignore', 'README.md', 'CHANGELOG.md', 'LICENSE', 'esbuild.mjs'];
  const newestInput = Math.max(...inputs.map((p) => newestMtime(join(ROOT, p))));
  if (newestMtime(VSIX) > newestInput) return;
  const result = spawnSync('flock', [join(tmpdir(), 'value-lens-build.lock'), 'npm', 'run', 'package'], { cwd: ROOT, encoding: 'utf8', timeout: 600_000 });
  assert.equal(result.status, 0, `npm run package failed:\n${result.stdout}\n${result.stderr}`);
}

let entries: ZipEntry[];
before(() => {
  ensureVsix();
  entries = readZip(readFileSync(VSIX));
});

test('the VSIX holds the bundles, grammars, examples, icon and manifest', () => {
  const names = new Set(entries.map((e) => e.name));
  for (const required of [
    'extension/package.json',
    'extension/dist/extension.js',
    'extension/dist/webview.js',
    'extension/dist/cli.js',
    'extension/media/icon.png',
    'extension/syntaxes/wvs.tmLanguage.json',
    'extension/syntaxes/wvt.tmLanguage.json',
    'extension/examples/wvs7-sample.wvs',
    'extension/examples/prompts.wvt',
    'extension/readme.md',
    'extension/LICENSE.txt',
    'extension/language-configuration.json',
    'extension.vsixmanifest',
  ]) {
    assert.ok(names.has(required), `missing ${required}`);
  }
  const manifest = JSON.parse(entries.find((e) => e.name === 'extension/package.json')!.read().toString('utf8')) as { icon: string; main: string };
  assert.ok(names.has(`extension/${manifest.icon}`), 'the icon named in package.json ships');
  assert.ok(names.has(`extension/${manifest.main.replace(/^\.\//, '')}`), 'main ships');
  const icon = entries.find((e) => e.name === 'extension/media/icon.png')!.read();
  assert.equal(icon.subarray(1, 4).toString('ascii'), 'PNG');
  assert.deepEqual([icon.readUInt32BE(16), icon.readUInt32BE(20)], [128, 128]);
});

test('the VSIX holds no sources, tests, source maps, .env files or node_modules', () => {
  const bad = entries
    .map((e) => e.name)
    .filter((n) =>
      /^extension\/(src|test|webview|bench|\.vscode|\.git|\.e2e-cache|node_modules)\//.test(n) ||
      /\.map$/.test(n) ||
      /(^|\/)\.env(\.|$)/.test(n) ||
      /(^|\/)node_modules\//.test(n) ||
      /\.(ts|tsx|mts|cts)$/.test(n) && !n.endsWith('.d.ts') ||
      /tsconfig.*\.json$/.test(n) ||
      /\.vsix$/.test(n),
    );
  assert.deepEqual(bad, []);
  assert.ok(entries.length < 60, `unexpectedly many files: ${entries.length}`);
});

test('no file in the VSIX contains a canary key or a sourceMappingURL', () => {
  let scanned = 0;
  for (const entry of entries) {
    const text = entry.read().toString('latin1');
    for (const canary of CANARIES) assert.doesNotMatch(text, canary, entry.name);
    if (entry.name.endsWith('.js')) assert.doesNotMatch(text, /sourceMappingURL=/, `${entry.name} points at a map`);
    scanned++;
  }
  assert.equal(scanned, entries.length);
});
