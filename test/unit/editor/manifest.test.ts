// package.json#contributes against the code: every command is registered, every setting has scope and
// description, endpoint settings are application-scoped and restricted in untrusted workspaces.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { registeredCommands } from './fake-vscode';
import { installMoreFakes } from './fake-vscode-more';

installMoreFakes();
const { registerCommands } = require('../../../src/editor/commands') as typeof import('../../../src/editor/commands');
const { registerAuthoring } = require('../../../src/editor/authoring') as typeof import('../../../src/editor/authoring');
const { registerStudies } = require('../../../src/editor/studies') as typeof import('../../../src/editor/studies');
const { StudyResultsIndex } = require('../../../src/editor/studyResults') as typeof import('../../../src/editor/studyResults');
const { registerResultsTree } = require('../../../src/editor/resultsTree') as typeof import('../../../src/editor/resultsTree');
const { registerWalkthrough } = require('../../../src/editor/walkthrough') as typeof import('../../../src/editor/walkthrough');

interface Manifest {
  activationEvents: string[];
  capabilities: { untrustedWorkspaces: { supported: string; restrictedConfigurations: string[] } };
  contributes: {
    commands: { command: string; title: string; category?: string }[];
    menus: Record<string, { command: string }[]>;
    configuration: { properties: Record<string, { scope?: string; markdownDescription?: string; default?: unknown }> };
  };
}

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as Manifest;

test('every contributed command is registered by the extension, and every registered one is contributed', () => {
  const disposable = registerCommands({} as never);
  const authoring = registerAuthoring({} as never, {} as never);
  const studies = registerStudies({ scoring: { cacheDir: '/nonexistent' }, index: new StudyResultsIndex() } as never);
  const tree = registerResultsTree({} as never);
  const walkthrough = registerWalkthrough({} as never);
  try {
    const declared = pkg.contributes.commands.map((c) => c.command).sort();
    assert.deepEqual([...registeredCommands.keys()].sort(), declared);
    for (const c of pkg.contributes.commands) assert.equal(c.category, 'Value Lens', c.command);
    for (const entries of Object.values(pkg.contributes.menus)) for (const e of entries) assert.ok(declared.includes(e.command), e.command);
  } finally {
    disposable.dispose();
    authoring.dispose();
    studies.disposable.dispose();
    tree.disposable.dispose();
    walkthrough.dispose();
  }
});

test('every setting has a scope and a markdownDescription', () => {
  const properties = pkg.contributes.configuration.properties;
  for (const key of [
    'provider',
    'ollama.host',
    'openai.baseUrl',
    'model',
    'method',
    'samples',
    'temperature',
    'concurrency',
    'timeoutSeconds',
    'firstRequestTimeoutSeconds',
    'languageCountries',
    'humanData',
    'template',
    'codeLens.enabled',
    'cache.enabled',
  ]) {
    assert.ok(properties[`valueLens.${key}`], key);
  }
  for (const [key, p] of Object.entries(properties)) {
    assert.ok(p.scope, `${key} has no scope`);
    assert.ok(p.markdownDescription && p.markdownDescription.length > 20, `${key} has no markdownDescription`);
  }
  assert.deepEqual(properties['valueLens.languageCountries']!.default, { da: ['DK'], nl: ['NL'], en: ['US', 'GB'], pt: ['PT', 'BR'] });
});

test('endpoint settings are application-scoped and restricted in untrusted workspaces', () => {
  const trust = pkg.capabilities.untrustedWorkspaces;
  assert.equal(trust.supported, 'limited');
  for (const key of ['valueLens.provider', 'valueLens.ollama.host', 'valueLens.openai.baseUrl']) {
    assert.equal(pkg.contributes.configuration.properties[key]!.scope, 'application', key);
    assert.ok(trust.restrictedConfigurations.includes(key), key);
  }
  assert.ok(pkg.activationEvents.includes('onWebviewPanel:valueLens.alignment'));
  assert.ok(
    pkg.activationEvents.includes('workspaceContains:**/*.study.json'),
    'the study lenses need the extension active on a study workspace',
  );
});
