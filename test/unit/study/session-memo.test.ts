// runStudy's plan memo (src/core/study/session.ts): the memo stands in only for the study it was made from
// (after the command's changes), with every answer cached and the run not fresh; its requests are the
// plan's, key order included; a memo file reported torn or damaged is counted in the outcome, and replaced.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readPlanMemo, skeletonOf } from '../../../src/core/run/planMemo';
import { loadStudy } from '../../../src/core/study/load';
import { planStudy } from '../../../src/core/study/plan';
import { runStudy, type StudyRunEnvironment } from '../../../src/core/study/session';
import type { LoadedStudy, Study } from '../../../src/core/study/types';
import { startFakeOllama } from '../../support/fake-ollama';
import { ollamaStudyEnv } from '../../support/study-env';

const examples = resolve(__dirname, '../../../examples');

test('a study memo is used only for the same study, all cached and not fresh; a damaged one is counted and replaced', async () => {
  const fake = await startFakeOllama();
  const dir = mkdtempSync(join(tmpdir(), 'vl-session-memo-'));
  try {
    const path = join(dir, 's.study.json');
    writeFileSync(
      path,
      JSON.stringify({
        name: 's',
        items: [{ file: join(examples, 'wvs7-sample.wvs'), ids: ['Q1', 'Q2', 'Q3', 'Q4'] }],
        templates: [{ file: join(examples, 'prompts.wvt'), names: ['direct'] }],
        languages: ['en', 'da', 'zz'],
        models: [{ id: 'm', provider: 'ollama', model: 'fake-llm:latest', endpoint: fake.url }],
        method: 'logprobs',
        results: join(dir, 'results'),
      }),
    );
    const loaded = (await loadStudy(path)) as LoadedStudy & { study: Study };
    assert.ok(loaded.study, JSON.stringify(loaded.diagnostics));
    const file = join(dir, 'cache', 'plans', 'study.vlp');
    const env = (memo: StudyRunEnvironment['memo'], fresh = false): StudyRunEnvironment =>
      ollamaStudyEnv(join(dir, 'cache'), { fresh, ...(memo ? { memo } : {}) });
    const records = (r: Awaited<ReturnType<typeof runStudy>>): string[] => {
      assert.equal(r.status, 'ran');
      if (r.status !== 'ran') return [];
      // A planned skip is a failure record stamped with the time it was written: that differs by design.
      return r.summary.records.map(({ runId: _r, ...rest }) =>
        JSON.stringify(rest.kind === 'failure' ? { ...rest, at: '' } : { ...rest, cached: null }),
      );
    };

    const first = await runStudy(loaded, undefined, env({ file }));
    assert.ok(first.status === 'ran' && first.plan.some((r) => r.skip), 'the plan has planned skips too (language zz)');
    assert.deepEqual(first.status === 'ran' && first.memo, { used: false, written: true });
    const memo = await readPlanMemo(file);
    assert.ok(memo);
    const plan = planStudy(loaded, { digests: {}, methods: { m: 'logprobs' } });
    assert.equal(JSON.stringify(memo.requests), JSON.stringify(plan.map(skeletonOf)), 'the plan without its messages, key order included');

    const sent = fake.modelRequests().length;
    const second = await runStudy(loaded, undefined, env({ file, known: memo }));
    assert.deepEqual(second.status === 'ran' && second.memo, { used: true, written: false });
    assert.equal(fake.modelRequests().length, sent, 'nothing sent');
    assert.ok(second.status === 'ran' && second.estimate.cached + second.estimate.skipped === second.estimate.requests);
    const without = await runStudy(loaded, undefined, env(undefined));
    assert.deepEqual(records(second), records(without), 'the same records with and without the memo');

    // Fresh: every request is sent, from the real plan.
    const fresh = await runStudy(loaded, undefined, env({ file, known: memo }, true));
    assert.deepEqual(fresh.status === 'ran' && fresh.memo?.used, false);
    assert.ok(fake.modelRequests().length > sent);

    // The same files, another study (the seed, as a command's override would change it): not this memo.
    const reseeded = { ...loaded, study: { ...loaded.study, seed: 7 } };
    const other = await runStudy(reseeded, undefined, env({ file, known: memo }));
    assert.deepEqual(other.status === 'ran' && other.memo?.used, false);

    // Reported damaged by the reader: counted in the outcome, not used, and a new one written.
    rmSync(file);
    const damaged = await runStudy(loaded, undefined, env({ file, ignored: 'damaged (checksum)' }));
    assert.deepEqual(damaged.status === 'ran' && damaged.memo, { used: false, written: true, ignored: 'damaged (checksum)' });
    assert.ok(await readPlanMemo(file));
  } finally {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
