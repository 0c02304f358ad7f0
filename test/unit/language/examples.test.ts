// The example files shipped in examples/ must parse without errors: they are the reference for users.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSurvey, parseTemplates } from '../../../src/core/language/index';

const dir = join(process.cwd(), 'examples');
const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.wvs') || f.endsWith('.wvt')) : [];

test('examples/ holds .wvs and .wvt files', { skip: files.length === 0 ? 'no examples yet' : false }, () => {
  assert.ok(files.some((f) => f.endsWith('.wvs')));
  assert.ok(files.some((f) => f.endsWith('.wvt')));
});

for (const name of files) {
  test(`examples/${name} parses with no errors`, () => {
    const text = readFileSync(join(dir, name), 'utf8');
    const file = name.endsWith('.wvs') ? parseSurvey(text) : parseTemplates(text);
    const errors = file.diagnostics.filter((d) => d.severity === 'error');
    assert.deepEqual(
      errors.map((d) => `${d.range.start.line + 1}: ${d.code} ${d.message}`),
      [],
    );
    if (file.kind === 'survey') {
      assert.ok(file.items.length >= 12);
      assert.ok(file.items.every((item) => item.scale && item.scale.options.length > 0));
      assert.ok(file.scales.some((scale) => scale.reversed));
    } else {
      assert.ok(file.templates.length >= 1);
      assert.ok(file.paraphraseSets.some((set) => Object.values(set.variants).some((v) => v.length >= 10)));
    }
  });
}
