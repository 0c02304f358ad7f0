// Generates syntaxes/*.tmLanguage.json from the YAML sources next to this file.
// `node syntaxes/build.mjs` writes the files; `--check` exits 1 when a checked-in JSON is stale.
// The conversion is exported so the unit test can compare without writing.
import { readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';

const here = dirname(fileURLToPath(import.meta.url));

/** YAML grammar text → the JSON text to check in (stable key order as written, 2-space indent). */
export function grammarJson(yamlText) {
  const grammar = yaml.load(yamlText, { schema: yaml.JSON_SCHEMA });
  if (!grammar || typeof grammar !== 'object' || typeof grammar.scopeName !== 'string') {
    throw new Error('not a TextMate grammar: scopeName missing');
  }
  return JSON.stringify(grammar, null, 2) + '\n';
}

/** Every `<name>.tmLanguage.yaml` in this folder with its JSON target. */
export function grammarSources(dir = here) {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.tmLanguage.yaml'))
    .sort()
    .map((f) => ({ yaml: join(dir, f), json: join(dir, f.replace(/\.yaml$/, '.json')) }));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const { yaml: src, json } of grammarSources()) {
    const out = grammarJson(readFileSync(src, 'utf8'));
    let current = '';
    try {
      current = readFileSync(json, 'utf8');
    } catch {
      /* not built yet */
    }
    if (current === out) continue;
    if (check) {
      console.error(`stale: ${json}`);
      stale++;
    } else {
      writeFileSync(json, out);
      console.log(`wrote ${json}`);
    }
  }
  process.exit(stale ? 1 : 0);
}
