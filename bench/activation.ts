// Activation and bundles: builds the production bundles (`node esbuild.mjs --production`, into dist/, left
// there), measures their size, then loads dist/extension.js in fresh Node child processes with a stub of the
// `vscode` module (bench/activation-child.cjs) and times activate() with the examples workspace open, until
// every example has diagnostics and resolved code lenses. Also the code-lens provision of a 2,000-item file,
// through the registered CodeLensProvider and through the pure lens model.
// Run alone: node --import tsx bench/activation.ts
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseSurvey } from '../src/core/language/index';
import { lensSpecs } from '../src/core/language/services';
import { generateContent, toWvs } from './parse';
import { runIfMain } from './table';
import type { BenchRow } from './types';

const ROOT = join(__dirname, '..');
const RUNS = Math.max(10, Number(process.env.VL_BENCH_ACTIVATION_RUNS ?? 11));
const EXTENSION_LIMIT = 1_000_000; // bytes: "≤ 1 MB"
const WEBVIEW_LIMIT = 350_000; // bytes: "≤ 350 KB"
const LENS_LIMIT_MS = 10;

interface ChildResult {
  loadMs: number;
  activateMs: number;
  readyMs: number;
  settledMs: number;
  documents: number;
  diagnostics: number;
  lenses: number;
  commands: number;
  bigLenses: number;
  bigProvideMs: number;
  bigProvideMinMs: number;
  bigProvideCpuMs: number;
  bigProvideColdMs: number;
  bigResolve60Ms: number;
  unknown: string[];
}

function exec(command: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const kb = (bytes: number): number => bytes / 1024;

export async function run(): Promise<BenchRow[]> {
  const build = await exec(process.execPath, ['esbuild.mjs', '--production']);
  if (build.code !== 0) throw new Error(`production build failed: ${(build.stderr || build.stdout).trim().slice(0, 400)}`);
  const extensionBytes = statSync(join(ROOT, 'dist', 'extension.js')).size;
  const webviewBytes = statSync(join(ROOT, 'dist', 'webview.js')).size;

  const dir = mkdtempSync(join(tmpdir(), 'vl-bench-activation-'));
  try {
    // A private copy of the bundle just built, so a concurrent `npm run build` cannot swap it mid-measurement.
    const extensionFile = join(dir, 'extension.js');
    copyFileSync(join(ROOT, 'dist', 'extension.js'), extensionFile);
    const bigText = toWvs(generateContent(2000));
    const bigFile = join(dir, 'big.wvs');
    writeFileSync(bigFile, bigText);

    const results: ChildResult[] = [];
    for (let k = 0; k < RUNS; k++) {
      const storage = join(dir, `storage-${k}`);
      const child = await exec(process.execPath, [
        join(ROOT, 'bench', 'activation-child.cjs'),
        extensionFile,
        join(ROOT, 'examples'),
        bigFile,
        storage,
      ]);
      if (child.code !== 0) throw new Error(`activation child failed: ${child.stderr.trim().split('\n').slice(0, 4).join(' ')}`);
      results.push(JSON.parse(child.stdout.trim().split('\n').pop() ?? '') as ChildResult);
    }
    const m = (pick: (r: ChildResult) => number): number => median(results.map(pick));
    const first = results[0];
    const stubNote = first.unknown.length ? `; stub lacked: ${first.unknown.join(', ')}` : '';

    // The pure lens model on an already parsed file (what the provider maps to vscode.CodeLens objects).
    const parsed = parseSurvey(bigText);
    for (let k = 0; k < 5; k++) lensSpecs(parsed);
    const model: number[] = [];
    let specs = 0;
    for (let k = 0; k < 25; k++) {
      const s = performance.now();
      specs = lensSpecs(parsed).length;
      model.push(performance.now() - s);
    }
    const modelMs = median(model);

    const setup = `median of ${RUNS} fresh processes, production bundle`;
    return [
      {
        group: 'activation',
        name: 'extension bundle (production)',
        value: kb(extensionBytes),
        unit: 'KB',
        target: '≤ 1 MB',
        pass: extensionBytes <= EXTENSION_LIMIT,
        note: `${extensionBytes} bytes`,
      },
      {
        group: 'activation',
        name: 'webview bundle (production)',
        value: kb(webviewBytes),
        unit: 'KB',
        target: '≤ 350 KB',
        pass: webviewBytes <= WEBVIEW_LIMIT,
        note: `${webviewBytes} bytes`,
      },
      { group: 'activation', name: 'require(dist/extension.js)', value: m((r) => r.loadMs), unit: 'ms', note: setup },
      {
        group: 'activation',
        name: 'activate() start → resolved',
        value: m((r) => r.activateMs),
        unit: 'ms',
        note: `${first.commands} commands registered${stubNote}`,
      },
      {
        group: 'activation',
        name: 'activate() start → ready with the examples open',
        value: m((r) => r.readyMs),
        unit: 'ms',
        note: `${first.documents} example documents parsed, diagnostics published (${first.diagnostics}), ${first.lenses} code lenses provided + resolved; ${setup}`,
      },
      {
        group: 'activation',
        name: 'activate() start → background loading settled',
        value: m((r) => r.settledMs),
        unit: 'ms',
        note: 'earlier runs and the workspace survey index',
      },
      {
        group: 'activation',
        name: 'code lenses of 2,000 items via the registered provider',
        value: m((r) => r.bigProvideMs),
        unit: 'ms',
        target: `≤ ${LENS_LIMIT_MS} ms`,
        pass: m((r) => r.bigProvideMs) <= LENS_LIMIT_MS && first.bigLenses > 0,
        note: `${first.bigLenses} lenses, parse shared with diagnostics; CPU ${m((r) => r.bigProvideCpuMs).toFixed(1)} ms, fastest ${m((r) => r.bigProvideMinMs).toFixed(1)} ms; after an edit (parse + lenses) ${m((r) => r.bigProvideColdMs).toFixed(1)} ms; resolving a screenful (60) ${m((r) => r.bigResolve60Ms).toFixed(2)} ms`,
      },
      {
        group: 'activation',
        name: 'code-lens model of 2,000 items (pure, parsed file)',
        value: modelMs,
        unit: 'ms',
        target: `≤ ${LENS_LIMIT_MS} ms`,
        pass: modelMs <= LENS_LIMIT_MS && specs > 0,
        note: `${specs} lens specs, median of 25 in-process`,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

runIfMain(import.meta.url, 'activation', run);
