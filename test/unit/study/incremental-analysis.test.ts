// The incremental refresh (incrementalAnalysis.ts): after each random batch of appended records (several
// models, re-runs that supersede, option orders reversed, a model first seen), the per-model analysis
// deep-equals a fresh full analysis of the same records; an append touching one model recomputes that one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeStudy } from '../../../bench/analyze';
import { analyzeCorpus, openCorpusState } from '../../../src/core/study/analyzeCorpus';
import { loadStudy } from '../../../src/core/study/load';
import type { ScoreResult } from '../../../src/core/results';
import { mulberry32 as rng } from '../../../src/core/random';

const AT = '2026-12-02T00:00:00.000Z';

async function setup(records: number) {
  const dir = await mkdtemp(join(tmpdir(), 'vl-incr-'));
  const studyPath = await writeStudy(dir, records);
  const study = JSON.parse(await readFile(studyPath, 'utf8'));
  study.analysis.bootstrap.iterations = 30;
  study.analysis.contrasts = [
    { factor: 'model', a: 'llama3-8b', b: 'gpt-4o-mini' },
    { factor: 'language', a: 'en', b: 'da' },
  ];
  await writeFile(studyPath, JSON.stringify(study));
  const file = join(dir, 'bench.results', 'records.jsonl');
  const lines = (await readFile(file, 'utf8')).trim().split('\n');
  const loaded = await loadStudy(studyPath);
  assert.ok(loaded.study);
  return { dir, file, lines, loaded: loaded as typeof loaded & { study: NonNullable<typeof loaded.study> } };
}

test('incremental analysis equals a full analysis after every random batch', async () => {
  const { dir, file, lines, loaded } = await setup(1800);
  try {
    const base = lines.slice(0, 1200);
    await writeFile(file, `${base.join('\n')}\n`);
    const state = await openCorpusState(loaded, { generatedAt: AT }, { incremental: true });
    const written = [...base];
    const random = rng(7);
    const pool = lines.map((l) => JSON.parse(l) as ScoreResult);
    for (let batch = 0; batch < 6; batch++) {
      const out: ScoreResult[] = [];
      const size = 20 + Math.floor(random() * 120);
      for (let i = 0; i < size; i++) {
        const r = { ...pool[Math.floor(random() * pool.length)] };
        const kind = random();
        // A later run of the same condition supersedes; a reversed order makes a multi-order condition;
        // batch 3 brings a model the study does not list.
        r.runId = `2026120${3 + batch}T090000Z-c${batch}c${batch}c${batch}`;
        if (kind < 0.3) {
          r.order = 'reversed';
          r.optionOrder = [...r.optionOrder].reverse();
        }
        if (batch === 3 && kind > 0.7) {
          r.modelId = 'newcomer';
          r.model = 'newcomer-1b';
        }
        out.push(r);
      }
      state.append(out);
      written.push(...out.map((r) => JSON.stringify(r)));
      const incremental = await state.analyze();
      await writeFile(file, `${written.join('\n')}\n`);
      const full = await analyzeCorpus(loaded, { generatedAt: AT });
      assert.deepEqual(incremental.analysis, full.analysis, `batch ${batch}`);
    }
    const last = await state.analyze();
    assert.ok(last.analysis.models.some((m) => m.id === 'newcomer'));
    assert.ok(last.analysis.counts.superseded > 0);
    assert.ok((last.analysis.positionBias ?? []).length > 0, 'reversed orders give position-bias rows');
    assert.ok(last.analysis.contrasts.length > 0);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('an append touching one model of three recomputes that model only', async () => {
  const { dir, file, lines, loaded } = await setup(1200);
  try {
    await writeFile(file, `${lines.join('\n')}\n`);
    const computed: string[] = [];
    const state = await openCorpusState(loaded, { generatedAt: AT }, { incremental: true, onModel: (m) => computed.push(m) });
    await state.analyze();
    assert.deepEqual(computed.sort(), ['gpt-4o-mini', 'llama3-8b', 'olmo-base']);
    computed.length = 0;
    await state.analyze();
    assert.deepEqual(computed, [], 'nothing appended: nothing recomputed');
    const gpt = lines
      .map((l) => JSON.parse(l) as ScoreResult)
      .filter((r) => r.modelId === 'gpt-4o-mini')
      .slice(0, 50);
    state.append(gpt.map((r) => ({ ...r, runId: '20261205T090000Z-d1d1d1', mean: r.mean + 0.1 })));
    await state.analyze();
    assert.deepEqual(computed, ['gpt-4o-mini']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
