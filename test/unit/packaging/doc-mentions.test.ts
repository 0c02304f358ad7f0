// Issue 19: docs/panel.md (and the panel's no-human-data message) sent readers to docs/data.md, which never
// existed; readme-links.test.ts could not see it because the path sat in a code span, not a link. Every
// docs/<name>.md that the README, the docs or a user-facing string names must exist. Comments in the
// sources may cite other projects' docs (Ollama's docs/api.md) and are skipped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..', '..');
const MENTION = /\bdocs\/[A-Za-z0-9_-]+\.md\b/g;

function filesUnder(dir: string, ends: string[]): string[] {
  if (!existsSync(join(ROOT, dir))) return [];
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) return filesUnder(path, ends);
    return ends.some((e) => name.endsWith(e)) ? [path] : [];
  });
}

const isComment = (line: string): boolean => /^\s*(\/\/|\/\*|\*)/.test(line);

test('every docs/<name>.md named by the README, the docs or a user-facing string exists', () => {
  const texts = [
    'README.md',
    'ARCHITECTURE.md',
    ...filesUnder('docs', ['.md']),
    ...readdirSync(ROOT).filter((n) => /^package(\.nls.*)?\.json$/.test(n)),
    ...filesUnder('l10n', ['.json']),
  ];
  const sources = [...filesUnder('src', ['.ts']), ...filesUnder('webview', ['.ts'])];
  const missing: string[] = [];
  let seen = 0;
  for (const file of [...texts, ...sources]) {
    const code = sources.includes(file);
    readFileSync(join(ROOT, file), 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (code && isComment(line)) return;
        for (const [path] of line.matchAll(MENTION)) {
          seen++;
          if (!existsSync(join(ROOT, path))) missing.push(`${relative(ROOT, join(ROOT, file))}:${i + 1}: ${path}`);
        }
      });
  }
  assert.deepEqual(missing, []);
  assert.ok(seen >= 30, `only ${seen} mentions found: the scan is not reading the files`);
});
