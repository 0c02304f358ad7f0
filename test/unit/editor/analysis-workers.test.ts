// The editor's worker host: Open Results reads the corpus in a worker; a run's records are appended to the
// study's own state and the panel refreshed from it at most once a second; other views take no appends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { writeStudy } from '../../../bench/analyze';
import { analysisWorkerScript, AnalysisWorkers } from '../../../src/editor/analysisWorkers';
import type { RunRecord } from '../../../src/core/results';

/** The worker is the CLI bundle, built into `dir` as esbuild.mjs builds dist/cli.js (src/cli.ts runs as the worker in a worker thread). */
async function buildCli(dir: string): Promise<void> {
  await build({
    entryPoints: ['src/cli.ts'],
    outfile: join(dir, 'cli.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'silent',
    banner: { js: '#!/usr/bin/env node' },
    alias: { 'jsonc-parser': 'jsonc-parser/lib/esm/main.js' },
  });
}

test('AnalysisWorkers: analyse, append during a run, throttled refresh; a one-run view takes no appends', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vl-workers-'));
  assert.equal(analysisWorkerScript(dir), undefined, "no bundle: no worker (analyses stay on the caller's thread)");
  await buildCli(dir);
  const file = analysisWorkerScript(dir);
  assert.equal(file, join(dir, 'cli.js'));
  const workers = new AnalysisWorkers(file);
  try {
    const studyPath = await writeStudy(dir, 1200);
    const study = JSON.parse(await readFile(studyPath, 'utf8'));
    study.analysis.bootstrap.iterations = 20;
    await writeFile(studyPath, JSON.stringify(study));
    const records = join(dir, 'bench.results', 'records.jsonl');
    const lines = (await readFile(records, 'utf8')).trim().split('\n');
    await writeFile(records, `${lines.slice(0, 1000).join('\n')}\n`);
    assert.equal(workers.isOpen(studyPath), false);
    assert.equal(await workers.refresh(studyPath), undefined, 'nothing open: no refresh');
    const first = await workers.analyse(studyPath);
    assert.equal(first.analysis.counts.read, 1000);
    assert.equal(workers.isOpen(studyPath), true);
    workers.append(
      studyPath,
      lines.slice(1000).map((l) => JSON.parse(l) as RunRecord),
    );
    const t = 1_000_000;
    const refreshed = await workers.refresh(studyPath, t);
    assert.equal(refreshed?.analysis.counts.read, 1200, 'appended, not re-read (the file still has 1,000)');
    assert.equal(await workers.refresh(studyPath, t + 500), undefined, 'at most once a second');
    assert.equal((await workers.refresh(studyPath, t + 1500))?.analysis.counts.read, 1200);
    // One run's view (the results view's Open Run): no appends, no refreshes.
    const one = await workers.analyse(studyPath, { runIds: ['20261201T090000Z-a1a1a1'] });
    assert.equal(one.analysis.counts.read, 1000, 'a fresh read of the file');
    assert.equal(workers.isOpen(studyPath), false);
    workers.append(studyPath, [JSON.parse(lines[0]) as RunRecord]);
    assert.equal(await workers.refresh(studyPath, t + 5000), undefined);
  } finally {
    workers.dispose();
    await rm(dir, { recursive: true, force: true });
  }
});

test("an items file's implicit study is analysed in the worker as given, equal to the in-process analysis", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vl-workers-implicit-'));
  await buildCli(dir);
  const workers = new AnalysisWorkers(join(dir, 'cli.js'));
  try {
    const studyPath = await writeStudy(dir, 300);
    const study = JSON.parse(await readFile(studyPath, 'utf8'));
    study.analysis.bootstrap.iterations = 20;
    await writeFile(studyPath, JSON.stringify(study));
    const { loadStudy } = await import('../../../src/core/study/load');
    const { analyzeCorpus } = await import('../../../src/core/study/analyzeCorpus');
    const loaded = await loadStudy(studyPath);
    assert.ok(loaded.study);
    // What the editor builds for an items file: a study under the items file's path, which is no study file
    // (the worker must take it as given, not load that path).
    const itemsPath = join(dir, 'not-there.wvs');
    const given = { ...loaded, study: { ...loaded.study, path: itemsPath } };
    const options = { generatedAt: '2026-12-03T00:00:00.000Z' };
    const inWorker = await workers.analyse(itemsPath, options, given);
    const inProcess = await analyzeCorpus(given, options);
    assert.equal(inWorker.analysis.counts.read, 300);
    assert.deepEqual(inWorker.analysis, inProcess.analysis);
  } finally {
    workers.dispose();
    await rm(dir, { recursive: true, force: true });
  }
});
