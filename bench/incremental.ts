// Incremental panel analysis bench (issue 17): the analysis worker keeps a study's selection and, when a run
// appends records, re-analyses only the models whose selection changed (src/core/study/incrementalAnalysis.ts).
// This bench writes bench/analyze.ts's study (three models) with N records, opens two corpus states on it —
// one incremental, one full — analyses both once, then appends the same batch of one model's re-run (every
// item × language of that model, a later run that supersedes round 0) to both and times the refresh:
// CPU of the incremental analyze() against the full one, interleaved, median of ROUNDS. Target: ≤ 0.5×
// (one model of three changed: a third of the per-model work plus what is recomputed across models every
// time — the merged tables, the adjustment grids, order averaging, fits; 0.5 leaves room for that).
// The two analyses must deep-equal (same generatedAt). Run alone: node --import tsx bench/incremental.ts
// (VL_BENCH_INCREMENTAL_RECORDS=… to change the size; default 300,000 keeps both states under 1 GiB).
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { corpusRecords } from '../src/core/corpus/reader';
import type { RunRecord } from '../src/core/results';
import { openCorpusState, type CorpusState } from '../src/core/study/analyzeCorpus';
import { loadStudy } from '../src/core/study/load';
import { writeStudy } from './analyze';
import { runIfMain } from './table';
import type { BenchRow } from './types';

const N = Math.max(10_000, Number(process.env.VL_BENCH_INCREMENTAL_RECORDS ?? 300_000));
const ROUNDS = 3;
const RATIO_LIMIT = 0.5;
const MODEL = 'gpt-4o-mini';
const AT = '2026-12-02T00:00:00.000Z';

function cpuMs<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = process.cpuUsage();
  return fn().then((value) => {
    const used = process.cpuUsage(start);
    return { value, ms: (used.user + used.system) / 1000 };
  });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function run(): Promise<BenchRow[]> {
  const dir = await mkdtemp(join(tmpdir(), 'vl-bench-incremental-'));
  try {
    const loaded = await loadStudy(await writeStudy(dir, N));
    if (!loaded.study) throw new Error('bench study did not load');
    const study = loaded as typeof loaded & { study: NonNullable<typeof loaded.study> };
    // The re-run's template: round 0 of every condition of one model, as the first run wrote it.
    const template: RunRecord[] = [];
    // (bench/analyze.ts writes round 0 of every condition first.)
    for await (const batch of corpusRecords(study.study.results).batches()) {
      for (const r of batch) if (r.modelId === MODEL && r.round === 0 && r.runId.endsWith('a1a1a1')) template.push(r);
      if (template.length && batch.every((r) => r.round !== 0)) break;
    }
    const models: string[] = [];
    const incremental = await openCorpusState(study, { generatedAt: AT }, { incremental: true, onModel: (m) => models.push(m) });
    const full: CorpusState = await openCorpusState(study, { generatedAt: AT });
    await incremental.analyze();
    await full.analyze();
    models.length = 0;
    const refresh: number[] = [];
    const whole: number[] = [];
    let equal = true;
    for (let round = 0; round < ROUNDS; round++) {
      // Each round a later run of that model: its records supersede the previous round's.
      const runId = `2026120${3 + round}T090000Z-d${round}d${round}d${round}`;
      const batch = template.map((r) => ({ ...r, runId, cacheKey: `${(r.cacheKey ?? '').slice(0, 56)}${runId.slice(-8)}` }));
      incremental.append(batch);
      full.append(batch);
      const a = await cpuMs(() => incremental.analyze());
      const b = await cpuMs(() => full.analyze());
      refresh.push(a.ms);
      whole.push(b.ms);
      equal &&= isDeepStrictEqual(a.value.analysis, b.value.analysis);
    }
    const ratio = median(refresh) / median(whole);
    const label = N.toLocaleString('en');
    const note = `${template.length} records of ${MODEL} appended per refresh, ${ROUNDS} refreshes interleaved (incremental ${refresh.map((v) => v.toFixed(0)).join(', ')} ms; full ${whole.map((v) => v.toFixed(0)).join(', ')} ms); models recomputed ${models.length} (${[...new Set(models)].join(', ')}); load average ${loadavg()[0].toFixed(1)}`;
    return [
      {
        group: 'incremental',
        name: `CPU of the panel's refresh after one model's batch, ${label} records (incremental)`,
        value: median(refresh),
        unit: 'ms',
        note,
      },
      { group: 'incremental', name: `CPU of a full re-analysis of the same selection, ${label} records`, value: median(whole), unit: 'ms' },
      {
        group: 'incremental',
        name: 'refresh / full re-analysis (CPU), 3 models, 1 changed',
        value: ratio,
        unit: '×',
        target: `≤ ${RATIO_LIMIT}`,
        pass: ratio <= RATIO_LIMIT && equal && models.length === ROUNDS,
      },
      {
        group: 'incremental',
        name: 'incremental analysis deep-equals the full one',
        value: equal ? 1 : 0,
        unit: '',
        target: '= 1',
        pass: equal,
      },
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

runIfMain(import.meta.url, 'incremental', run);
