// The editor experience of *.study.json, through vscode-json-languageservice (the library behind VS Code's
// JSON support) with the contributed schema: validation of a typo, hover text, and completion of property
// names and enum values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getLanguageService, TextDocument, type JSONSchema } from 'vscode-json-languageservice';

const schema = JSON.parse(readFileSync(join(process.cwd(), 'schemas', 'study.schema.json'), 'utf8')) as JSONSchema;
const SCHEMA_URI = 'file:///schemas/study.schema.json';

function service() {
  const ls = getLanguageService({ schemaRequestService: async () => JSON.stringify(schema) });
  ls.configure({ validate: true, allowComments: false, schemas: [{ uri: SCHEMA_URI, fileMatch: ['*.study.json'], schema }] });
  return ls;
}

function open(text: string) {
  const doc = TextDocument.create('file:///w/demo.study.json', 'json', 1, text);
  const ls = service();
  return { doc, ls, json: ls.parseJSONDocument(doc) };
}

test('validation flags an unknown property and a wrong enum value', async () => {
  const text =
    '{\n  "items": [{ "file": "a.wvs" }],\n  "templates": [{ "file": "p.wvt" }],\n  "languages": ["en"],\n  "models": [{ "id": "m", "provider": "antropic" }],\n  "temprature": 1\n}';
  const { doc, ls, json } = open(text);
  const diags = await ls.doValidation(doc, json);
  const at = (needle: string) => diags.find((d) => doc.offsetAt(d.range.start) === text.indexOf(needle));
  assert.ok(at('"temprature"'), JSON.stringify(diags.map((d) => d.message)));
  assert.ok(at('"antropic"'), JSON.stringify(diags.map((d) => d.message)));
});

test('hover shows the markdown description', async () => {
  const text = '{ "samples": 10 }';
  const { doc, ls, json } = open(text);
  const hover = await ls.doHover(doc, doc.positionAt(text.indexOf('samples') + 2), json);
  const contents = JSON.stringify(hover?.contents);
  assert.match(contents, /Samples per cell when sampling/);
});

test('completion offers property names and enum values', async () => {
  const text = '{ "models": [{ "id": "m", "provider": "" }], "" }';
  const { doc, ls, json } = open(text);
  const names = await ls.doComplete(doc, doc.positionAt(text.lastIndexOf('""') + 1), json);
  const labels = (names?.items ?? []).map((i) => i.label);
  for (const k of ['items', 'templates', 'languages', 'countries', 'optionOrders', 'analysis'])
    assert.ok(
      labels.some((l) => l.includes(k)),
      `${k} in ${labels.join(', ')}`,
    );
  const values = await ls.doComplete(doc, doc.positionAt(text.indexOf('""') + 1), json);
  const valueLabels = (values?.items ?? []).map((i) => i.label);
  assert.ok(valueLabels.some((l) => l.includes('ollama')) && valueLabels.some((l) => l.includes('openai')), valueLabels.join(', '));
});
