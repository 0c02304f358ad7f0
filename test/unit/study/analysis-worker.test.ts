// The analysis worker (node:worker_threads): the corpus read once, records appended as a run writes them,
// and the analysis after the appends equal to analyzeCorpus over the whole file — no re-read needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { writeStudy } from '../../../bench/analyze';
import { AnalysisWorker } from '../../../src/core/study/analysisClient';
import { analyzeCorpus } from '../../../src/core/study/analyzeCorpus';
import { loadStudy } from '../../../src/core/study/load';
import type { RunRecord } from '../../../src/core/results';

const AT = '2026-12-02T00:00:00.000Z';

/** The worker entry bundled as esbuild.mjs bundles it (a worker thread cannot load TypeScript itself). */
let bundled: Promise<string> | undefined;
function workerFile(): Promise<string> {
  bundled ??= (async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'vl-worker-bundle-')), 'analysisWorker.js');
    await build({
      entryPoints: ['src/core/study/analysisWorker.ts'],
      outfile: out,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      logLevel: 'silent',
      alias: { 'jsonc-parser': 'jsonc-parser/lib/esm/main.js' },
    });
    return out;
  })();
  return bundled;
}

test("worker: open, append a run's records, analyse = analyzeCorpus of the whole corpus", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vl-worker-'));
  const worker = new AnalysisWorker({ file: await workerFile() });
  try {
    const studyPath = await writeStudy(dir, 2400);
    // Fewer iterations: the test is about the state, not the bootstrap.
    const study = JSON.parse(await readFile(studyPath, 'utf8'));
    study.analysis.bootstrap.iterations = 50;
    await writeFile(studyPath, JSON.stringify(study));
    const file = join(dir, 'bench.results', 'records.jsonl');
    const lines = (await readFile(file, 'utf8')).trim().split('\n');
    // The corpus as it was when the panel opened it: the first 1,700 records (re-runs come after 2,160).
    await writeFile(file, `${lines.slice(0, 1700).join('\n')}\n`);
    await worker.open(studyPath, { generatedAt: AT });
    const loaded = await loadStudy(studyPath);
    assert.ok(loaded.study);
    const first = await worker.analyze();
    const direct1 = await analyzeCorpus(loaded as never, { generatedAt: AT });
    assert.deepEqual(first.analysis, direct1.analysis);
    assert.equal(first.analysis.counts.read, 1700);
    // A run writes the rest: appended, not re-read (the file is completed only for the comparison).
    const rest = lines.slice(1700).map((l) => JSON.parse(l) as RunRecord);
    worker.append(rest.slice(0, 300));
    worker.append(rest.slice(300));
    const [a, b] = await Promise.all([worker.analyze(), worker.analyze()]);
    await writeFile(file, `${lines.join('\n')}\n`);
    const direct2 = await analyzeCorpus(loaded as never, { generatedAt: AT });
    assert.deepEqual(a.analysis, direct2.analysis);
    assert.deepEqual(b.analysis, direct2.analysis);
    assert.equal(a.analysis.counts.read, 2400);
    assert.ok(a.analysis.counts.superseded > 0, 'the re-runs superseded records read before them');
    // Item × language aggregates for the item lenses, not the units.
    const units = direct2.selection.units;
    assert.equal(
      a.items.reduce((s, g) => s + g.units, 0),
      units.length,
    );
    const g = a.items.find((x) => x.itemId === units[0].itemId && x.language === units[0].language);
    const mine = units.filter((u) => u.itemId === units[0].itemId && u.language === units[0].language);
    assert.ok(g);
    assert.equal(g.units, mine.length);
    assert.ok(Math.abs(g.sum - mine.reduce((s, u) => s + (u.mean ?? 0), 0)) < 1e-9);
    assert.deepEqual(g.models, [...new Set(mine.map((u) => u.modelId))].sort());
  } finally {
    await worker.dispose();
    await rm(dir, { recursive: true, force: true });
  }
});

test('worker: errors come back as rejections (no study), and the worker keeps serving', async () => {
  const worker = new AnalysisWorker({ file: await workerFile() });
  try {
    await assert.rejects(worker.analyze(), /analyze before open/);
    await assert.rejects(worker.open(join(tmpdir(), 'no-such-dir', 'x.study.json')), /cannot read the study file/);
  } finally {
    await worker.dispose();
  }
});
