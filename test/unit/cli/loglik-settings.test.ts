// Method loglik in the editor's settings path: the `valueLens.method` enum (with a description in every
// package.nls file), the run settings and the choices read from them, the panel's filter, and the study
// written from settings (a loglik model becomes a base model, as the lens runs it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { choicesFromSettings } from '../../../src/core/run/prepare';
import { runSettings } from '../../../src/core/run/settings';
import { studyFromSettings } from '../../../src/core/study/migrate';
import { parseFilter } from '../../../src/shared/protocol';
import { ROOT } from './helpers';

const json = (file: string): Record<string, unknown> => JSON.parse(readFileSync(join(ROOT, file), 'utf8')) as Record<string, unknown>;

test('valueLens.method offers loglik, described in package.nls.json and each translation', () => {
  const pkg = json('package.json') as {
    contributes: {
      configuration:
        | { properties: Record<string, { enum?: string[]; enumDescriptions?: string[] }> }[]
        | { properties: Record<string, { enum?: string[]; enumDescriptions?: string[] }> };
    };
  };
  const sections = Array.isArray(pkg.contributes.configuration) ? pkg.contributes.configuration : [pkg.contributes.configuration];
  const setting = sections.map((s) => s.properties['valueLens.method']).find(Boolean);
  const values = setting?.enum ?? [];
  assert.ok(values.includes('loglik'));
  assert.equal(values.length, setting?.enumDescriptions?.length);
  const description = setting?.enumDescriptions?.[values.indexOf('loglik')] ?? '';
  assert.equal(description, '%valueLens.method.enum.loglik%');
  for (const file of ['package.nls.json', 'package.nls.da.json', 'package.nls.nl.json', 'package.nls.pt-br.json']) {
    const text = json(file)['valueLens.method.enum.loglik'];
    assert.ok(typeof text === 'string' && /vLLM/.test(text), `${file} describes loglik`);
  }
});

test('run settings, settings choices and the panel filter keep loglik; unknown values still fall back', () => {
  assert.equal(runSettings((k) => (k === 'method' ? 'loglik' : undefined)).method, 'loglik');
  assert.equal(runSettings((k) => (k === 'method' ? 'judge' : undefined)).method, 'auto');
  assert.equal(choicesFromSettings((k) => (k === 'method' ? { globalValue: 'loglik' } : undefined)).method, 'loglik');
  assert.equal(
    choicesFromSettings((k) => (k === 'method' ? { defaultValue: 'loglik' } : undefined)).method,
    undefined,
    'package.json defaults do not count',
  );
  assert.deepEqual(parseFilter({ method: 'loglik' }), { method: 'loglik' });
  assert.equal(parseFilter({ method: 'judge' }), undefined);
});

test('a study written from loglik settings scores its model as a base model', () => {
  const settings = { provider: 'openai' as const, openaiBaseUrl: 'http://127.0.0.1:8000/v1', model: 'base-llm' };
  const written = (method: 'loglik' | 'logprobs') =>
    JSON.parse(
      studyFromSettings({
        studyPath: join(ROOT, 'x.study.json'),
        surveyFiles: [],
        templateFiles: [],
        languages: ['en'],
        settings: { ...settings, method },
      }),
    ) as { method: string; models: { kind?: string }[] };
  assert.equal(written('loglik').method, 'loglik');
  assert.equal(written('loglik').models[0].kind, 'base');
  assert.equal(written('logprobs').models[0].kind, undefined);
});
