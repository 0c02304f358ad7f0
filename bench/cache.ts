// Cache bench: a re-run of 10,000 cached results through runPlan (cache reads, re-scoring, JSONL store
// writes, progress events) — wall time and the number of requests sent (must be 0).
// Run alone: node --import tsx bench/cache.ts

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CompletionRequest, CompletionResponse, ModelProvider } from '../src/core/model';
import { ResultCache } from '../src/core/run/cache';
import { runPlan } from '../src/core/run/runner';
import { ResultsStore } from '../src/core/run/store';
import { makePlan } from '../test/unit/run/support';
import { runIfMain } from './table';
import type { BenchRow } from './types';

const N = 10_000;

/** Answers at once with a prompt-dependent distribution (the first pass only fills the cache). */
function instantProvider(): ModelProvider & { calls: number } {
  const provider = {
    id: 'openai' as const,
    origin: 'http://127.0.0.1:1',
    calls: 0,
    listModels: async () => [],
    complete: async (request: CompletionRequest): Promise<CompletionResponse> => {
      provider.calls++;
      const seed = request.messages[request.messages.length - 1].content.length;
      const alternatives = ['1', '2', '3', '4', ' 1', 'I'].map((token, k) => ({ token, logprob: -((k + seed) % 5) - 0.25 }));
      return {
        model: request.model,
        choices: [{ text: '1', firstTokenLogprobs: alternatives }],
        usage: { promptTokens: 40, completionTokens: 1 },
      };
    },
  };
  return provider;
}

export async function run(): Promise<BenchRow[]> {
  const dir = await mkdtemp(join(tmpdir(), 'vl-bench-cache-'));
  try {
    const plan = makePlan({ count: N, endpoint: 'http://127.0.0.1:1/v1' });
    const provider = instantProvider();
    // Fill (fsync off: only the re-run is measured).
    const fill = await runPlan(plan, {
      providers: () => provider,
      cache: new ResultCache(join(dir, 'cache'), { fsync: false }),
      concurrencyPerEndpoint: 64,
    });
    const filled = fill.records.filter((r) => r.kind === 'result').length;

    const cache = new ResultCache(join(dir, 'cache'));
    const store = new ResultsStore(join(dir, 'rerun.jsonl'));
    let progressEvents = 0;
    provider.calls = 0;
    const t0 = performance.now();
    const rerun = await runPlan(plan, { providers: () => provider, cache, store, onProgress: () => progressEvents++ });
    await store.close();
    const wall = performance.now() - t0;
    const cached = rerun.records.filter((r) => r.kind === 'result' && r.cached).length;
    const note = `${filled} filled, ${cached} read back from cache + written to JSONL, ${progressEvents} progress events`;
    return [
      {
        group: 'cache',
        name: `re-run of ${N.toLocaleString('en')} cached results`,
        value: wall,
        unit: 'ms',
        target: '≤ 1000 ms',
        pass: wall <= 1000 && cached === N,
        note,
      },
      {
        group: 'cache',
        name: 'requests on the cached re-run',
        value: rerun.requestsSent + provider.calls,
        unit: '',
        target: '= 0',
        pass: rerun.requestsSent + provider.calls === 0,
      },
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

runIfMain(import.meta.url, 'cache', run);
