// The JSON Schema VS Code uses for *.study.json and the parser agree: the committed schema is the one
// built from the parser's property lists, every example validates against it, a file with an unknown
// property or a bad value fails both, and every property the parser accepts has hover text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { studySchema } from '../../../src/core/study/schema';
import { STUDY_PROPERTIES, parseStudyText } from '../../../src/core/study/parse';

const ROOT = process.cwd();
const SCHEMA_PATH = join(ROOT, 'schemas', 'study.schema.json');

if (process.env.UPDATE_SCHEMA) writeFileSync(SCHEMA_PATH, JSON.stringify(studySchema(), null, 2) + '\n');

const committed = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as Record<string, unknown>;
const validate = new Ajv({ allErrors: true, strict: false }).compile(committed);

function studyFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return studyFiles(p);
    return name.endsWith('.study.json') ? [p] : [];
  });
}

test('the committed schema is the one built from the parser (regenerate with UPDATE_SCHEMA=1)', () => {
  assert.deepEqual(committed, JSON.parse(JSON.stringify(studySchema())));
  assert.equal(committed.$schema, 'http://json-schema.org/draft-07/schema#');
});

test('every example study validates against the schema and parses without errors', () => {
  const files = studyFiles(join(ROOT, 'examples'));
  assert.ok(files.length >= 2, `examples found: ${files.join(', ')}`);
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    assert.ok(validate(JSON.parse(text)), `${f}: ${JSON.stringify(validate.errors)}`);
    const { diagnostics } = parseStudyText(text, f);
    assert.deepEqual(
      diagnostics.filter((d) => d.severity === 'error'),
      [],
      f,
    );
  }
});

interface SchemaNode {
  type?: unknown;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  oneOf?: SchemaNode[];
}

/** Walks the schema's object definitions: kind → property names, via the same nesting the parser uses. */
function schemaObjects(schema: SchemaNode): Record<string, string[]> {
  const props = (o: SchemaNode | undefined): string[] => Object.keys(o?.properties ?? {}).sort();
  const root = schema.properties ?? {};
  const el = (k: string): SchemaNode => root[k]?.items ?? {};
  const analysis = root.analysis ?? {};
  const s = { properties: root };
  const permutations = el('optionOrders').oneOf?.find((x) => x.type === 'object');
  return {
    root: props(s),
    item: props(el('items')),
    template: props(el('templates')),
    model: props(el('models')),
    permutations: props(permutations),
    human: props(el('human')),
    humanColumns: props(el('human').properties?.columns),
    import: props(el('imports')),
    importColumns: props(el('imports').properties?.columns),
    analysis: props(analysis),
    bootstrap: props(analysis.properties?.bootstrap),
    fit: props(analysis.properties?.fits?.items),
    contrast: props(analysis.properties?.contrasts?.items),
  };
}

test('every property the parser accepts is in the schema, and no other', () => {
  const fromSchema = schemaObjects(committed as SchemaNode);
  for (const [kind, list] of Object.entries(STUDY_PROPERTIES)) {
    assert.deepEqual(fromSchema[kind], [...list].sort(), kind);
  }
  assert.deepEqual(Object.keys(fromSchema).sort(), Object.keys(STUDY_PROPERTIES).sort());
});

test('every property has a description and a markdownDescription', () => {
  const missing: string[] = [];
  const walk = (node: unknown, path: string): void => {
    if (!node || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    if (o.properties && typeof o.properties === 'object') {
      for (const [k, v] of Object.entries(o.properties as Record<string, Record<string, unknown>>)) {
        if (typeof v.description !== 'string' || typeof v.markdownDescription !== 'string') missing.push(`${path}.${k}`);
      }
    }
    for (const [k, v] of Object.entries(o)) walk(v, `${path}.${k}`);
  };
  walk(committed, '$');
  assert.deepEqual(missing, []);
});

test('schema and parser reject the same mistakes', () => {
  interface Doc {
    [k: string]: unknown;
    models: { provider: string }[];
    countries: string[];
    optionOrders: string[];
    analysis: { levels: string[] };
  }
  const base = JSON.parse(readFileSync(join(ROOT, 'examples', 'kim-baek-2024.study.json'), 'utf8')) as Doc;
  const cases: [string, (s: Doc) => void, string][] = [
    ['unknown property', (s) => (s.temprature = 0.5), 'study/unknown-property'],
    ['unknown provider', (s) => (s.models[0].provider = 'anthropic'), 'study/unknown-provider'],
    ['unknown country', (s) => s.countries.push('UK'), 'study/unknown-country'],
    ['bad option order', (s) => (s.optionOrders = ['backwards']), 'study/bad-option-order'],
    ['bad analysis level', (s) => (s.analysis.levels = ['country']), 'study/bad-analysis'],
    ['samples not an integer', (s) => (s.samples = 2.5), 'study/wrong-type'],
    ['missing languages', (s) => delete s.languages, 'study/missing-property'],
  ];
  for (const [what, mutate, code] of cases) {
    const s = structuredClone(base);
    mutate(s);
    assert.equal(validate(s), false, `schema accepts: ${what}`);
    const { diagnostics } = parseStudyText(JSON.stringify(s, null, 2), join(ROOT, 'examples', 'x.study.json'));
    assert.ok(
      diagnostics.some((d) => d.code === code),
      `${what}: ${diagnostics.map((d) => d.code).join(', ')}`,
    );
  }
});

test('package.json contributes the schema for *.study.json and the VSIX allow-list ships it', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    contributes: { jsonValidation?: { fileMatch: string; url: string }[] };
  };
  const entry = pkg.contributes.jsonValidation?.find((e) => e.fileMatch === '*.study.json');
  assert.ok(entry, 'no jsonValidation entry for *.study.json');
  assert.equal(join(ROOT, entry.url), SCHEMA_PATH);
  const ignore = readFileSync(join(ROOT, '.vscodeignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim());
  assert.ok(ignore.includes('!schemas/study.schema.json'));
});
