// src/core is the headless domain shared by the extension and the CLI: it must never import 'vscode'.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? tsFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

const importsVscode = /(?:from\s+['"]vscode['"]|require\(\s*['"]vscode['"]\s*\)|import\(\s*['"]vscode['"]\s*\))/;

test('no module under src/core imports vscode', () => {
  const offenders = tsFiles('src/core').filter((file) => importsVscode.test(readFileSync(file, 'utf8')));
  assert.deepEqual(offenders, []);
});

test('no module under src/core imports the editor, panel or providers layers', () => {
  const upward = /from\s+['"](?:\.\.\/)+(?:editor|panel|providers)\//;
  const offenders = tsFiles('src/core').filter((file) => upward.test(readFileSync(file, 'utf8')));
  assert.deepEqual(offenders, []);
});

test('the detector itself recognises a vscode import', () => {
  assert.ok(importsVscode.test("import * as vscode from 'vscode';"));
  assert.ok(importsVscode.test("const v = require('vscode')"));
  assert.ok(!importsVscode.test("import { x } from './vscode-helpers';"));
});
