// The layer rule is the compiler's job (tsconfig.core.json, run by `npm run typecheck`); this test proves
// the rule bites: a probe module in src/core that imports 'vscode' or the providers layer fails to compile.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

const tsc = join('node_modules', 'typescript', 'bin', 'tsc');

function compileCoreWith(probe: string): { status: number | null; output: string } {
  // The probe lives under src/core (rootDir) but only this config compiles it: tsconfig.core.json excludes
  // layer-probe-* so that a type-check running meanwhile never sees it.
  const dir = mkdtempSync(join('src', 'core', 'layer-probe-'));
  const config = `tsconfig.${basename(dir)}.json`;
  try {
    writeFileSync(join(dir, 'probe.ts'), probe);
    writeFileSync(config, JSON.stringify({ extends: './tsconfig.core.json', include: [`${dir}/probe.ts`], exclude: [] }));
    const result = spawnSync(process.execPath, [tsc, '--noEmit', '-p', config], { encoding: 'utf8' });
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(config, { force: true });
  }
}

test('src/core importing vscode does not compile', () => {
  const { status, output } = compileCoreWith("import * as vscode from 'vscode';\nexport const w = vscode;\n");
  assert.notEqual(status, 0);
  assert.match(output, /src\/core must not import vscode/);
});

test('src/core importing the providers layer does not compile', () => {
  const { status, output } = compileCoreWith(
    "import { httpTransport } from '../../providers/http-transport';\nexport const t = httpTransport;\n",
  );
  assert.notEqual(status, 0);
  assert.match(output, /TS6059/);
});

test('the editor layer does not pull in the CLI (the compiler lists every file the extension program loads)', () => {
  // The extension's program, as esbuild bundles it: src/extension.ts and everything it imports.
  const entry = spawnSync(
    process.execPath,
    [
      tsc,
      '--listFilesOnly',
      '--noEmit',
      '--skipLibCheck',
      '--types',
      'node,vscode',
      '--moduleResolution',
      'bundler',
      '--module',
      'esnext',
      '--target',
      'es2022',
      'src/extension.ts',
    ],
    { encoding: 'utf8' },
  );
  assert.equal(entry.status, 0, entry.stderr);
  const loaded = entry.stdout.split('\n').filter((f) => f.includes('/src/'));
  assert.ok(
    loaded.some((f) => f.endsWith('/src/editor/scoring.ts')),
    'the listing covers the editor layer',
  );
  assert.deepEqual(
    loaded.filter((f) => f.includes('/src/cli/')),
    [],
  );
});
