// Child process for the crash-safety and concurrent-append tests: writes cache entries and result lines
// (8 at a time) for indexes [start, start + count) until done or killed. Every value is derived from its
// index so the parent can verify what it reads.
// Usage: node --import tsx crash-writer.ts <dir> [start] [count] [results file name]

import { join } from 'node:path';
import { ResultCache, type CachedResponse } from '../../../src/core/run/cache';
import { ResultsStore } from '../../../src/core/run/store';
import type { ScoreResult } from '../../../src/core/results';
import { createHash } from 'node:crypto';

export const COUNT = 10_000;

export function keyOf(i: number): string {
  return createHash('sha256').update(`entry-${i}`).digest('hex');
}

export function valueOf(i: number): CachedResponse {
  const alternatives = Array.from({ length: 20 }, (_, k) => ({ token: `tok-${i}-${k}`, logprob: -0.5 - k - i / 1000 }));
  return {
    response: { model: `m${i}`, choices: [{ text: `answer ${i}`, firstTokenLogprobs: alternatives }] },
    latencyMs: i,
    at: new Date(0).toISOString(),
  };
}

export function recordOf(i: number): ScoreResult {
  return {
    kind: 'result',
    runId: 'crash',
    itemId: `Q${i}`,
    itemHash: `h${i}`,
    language: 'en',
    template: 't',
    paraphrase: null,
    provider: 'openai',
    model: 'm',
    endpoint: 'http://127.0.0.1:1',
    method: 'logprobs',
    optionOrder: [1, 2, 3, 4],
    probabilities: { '1': i / COUNT, '2': 1 - i / COUNT, '3': 0, '4': 0 },
    mean: 2 - i / COUNT,
    mode: i < 500 ? 2 : 1,
    entropy: 0.5,
    missMass: 0,
    latencyMs: i,
    cached: false,
    at: new Date(0).toISOString(),
  };
}

async function main(dir: string, start: number, count: number, results: string): Promise<void> {
  const cache = new ResultCache(join(dir, 'cache'));
  const store = new ResultsStore(join(dir, results));
  process.stdout.write('ready\n');
  let next = start;
  const end = start + count;
  const worker = async (): Promise<void> => {
    while (next < end) {
      const i = next++;
      await Promise.all([cache.set(keyOf(i), valueOf(i)), store.append(recordOf(i))]);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  await store.close();
  process.stdout.write('done\n');
}

if (process.argv[2] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '\0')) {
  const [, , dir, start = '0', count = String(COUNT), results = 'results.jsonl'] = process.argv;
  main(dir, Number(start), Number(count), results).catch((error: unknown) => {
    process.stderr.write(String(error));
    process.exit(1);
  });
}
