// studyFromSettings: a settings-based setup written out as a study file that loads cleanly and keeps the
// settings' values explicit (samples 20, method, temperature, endpoint, language→country map).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { studyFromSettings } from '../../../src/core/study/migrate';
import { loadStudy } from '../../../src/core/study/load';

const EXAMPLES = join(process.cwd(), 'examples');

test('the settings of the example workspace become a study that loads with no errors', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vl-migrate-'));
  try {
    const studyPath = join(dir, 'workspace.study.json');
    const text = studyFromSettings({
      studyPath,
      surveyFiles: [join(EXAMPLES, 'wvs7-sample.wvs')],
      templateFiles: [join(EXAMPLES, 'prompts.wvt')],
      languages: ['en', 'da'],
      settings: {
        provider: 'openai',
        openaiBaseUrl: 'https://user:pw@api.example.invalid/v1?key=abc',
        model: 'gpt-4o-mini',
        method: 'sample',
        samples: 20,
        temperature: 1,
        languageCountries: { da: ['DK'], en: ['GB', 'US'] },
        humanData: join(EXAMPLES, 'human-reference.csv'),
        template: 'country',
      },
    });
    assert.ok(!/pw|abc|user/.test(text), 'no credential survives');
    writeFileSync(studyPath, text);
    const loaded = await loadStudy(studyPath);
    assert.deepEqual(
      loaded.diagnostics.filter((d) => d.severity === 'error'),
      [],
    );
    const study = loaded.study;
    assert.ok(study);
    assert.equal(study.items[0].file, join(EXAMPLES, 'wvs7-sample.wvs'));
    assert.deepEqual(study.templates[0].names, ['country']);
    assert.deepEqual(study.countries, ['GB', 'DK']);
    assert.deepEqual(study.languageCountries, { en: ['GB', 'US'], da: ['DK'] });
    assert.deepEqual([study.method, study.samples, study.temperature], ['sample', 20, 1]);
    assert.deepEqual(study.models, [
      {
        id: 'gpt-4o-mini',
        provider: 'openai',
        model: 'gpt-4o-mini',
        endpoint: 'https://api.example.invalid/v1',
        kind: 'chat',
        attributes: { chat: true },
      },
    ]);
    assert.equal(study.human[0].file, join(EXAMPLES, 'human-reference.csv'));
    // Paths in the file are relative to the study's folder.
    const written = JSON.parse(text) as { items: { file: string }[]; human: { file: string }[] };
    assert.ok(
      written.items[0].file.startsWith('../') && written.human[0].file.endsWith('examples/human-reference.csv'),
      written.items[0].file,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
