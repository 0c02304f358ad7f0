// TypeScript for the test files' processes: a CommonJS require hook (test/run-unit.mjs preloads it with
// --require) that compiles .ts with esbuild and keeps the output under node_modules/.cache/value-lens/ts,
// keyed by path and content. `--import tsx` did the same, but also started Node's ESM loader thread in every
// file's process (0.15–0.25 s of CPU each, ~30 s per run). The package and its tests are CommonJS; dynamic
// import() becomes require() so extensionless paths resolve like static imports (.mjs files load through
// Node's require of ES modules). Options follow tsconfig.base.json (ES2022 class fields).
const { createHash } = require('node:crypto');
const { mkdirSync, readFileSync, renameSync, writeFileSync } = require('node:fs');
const Module = require('node:module');
const { join } = require('node:path');

const CACHE = join(__dirname, '..', '..', 'node_modules', '.cache', 'value-lens', 'ts');
// Bump when the options below change: the cache key holds only the path and the source.
const VERSION = '1';

function compile(source, filename) {
  const key = createHash('sha1').update(`${VERSION}\0${filename}\0${source}`).digest('hex');
  const cached = join(CACHE, `${key}.js`);
  try {
    return readFileSync(cached, 'utf8');
  } catch {
    // not compiled yet
  }
  const meta = source.includes('import.meta');
  const { code } = require('esbuild').transformSync(source, {
    loader: 'ts',
    format: 'cjs',
    target: 'node20',
    platform: 'node',
    sourcefile: filename,
    sourcemap: 'inline',
    supported: { 'dynamic-import': false },
    tsconfigRaw: { compilerOptions: { useDefineForClassFields: true } },
    ...(meta
      ? {
          define: { 'import.meta.url': '__vlImportMetaUrl' },
          banner: "var __vlImportMetaUrl = require('node:url').pathToFileURL(__filename).href;",
        }
      : {}),
  });
  try {
    mkdirSync(CACHE, { recursive: true });
    // Written aside and renamed: files running at once never read half a file.
    const partial = `${cached}.${process.pid}`;
    writeFileSync(partial, code);
    renameSync(partial, cached);
  } catch {
    // a cache that cannot be written only costs the next process a compile
  }
  return code;
}

Module._extensions['.ts'] = function loadTypeScript(module, filename) {
  module._compile(compile(readFileSync(filename, 'utf8'), filename), filename);
};
// Stack traces point into the .ts sources.
process.setSourceMapsEnabled(true);
