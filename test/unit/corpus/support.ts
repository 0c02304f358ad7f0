// Helpers for the corpus tests: a file handle that fails like a full disk, and realistic records.
import { promises as fs } from 'node:fs';
import type { RunRecord, ScoreResult } from '../../../src/core/results';
import type { AppendFile, OpenAppendFile } from '../../../src/core/run/store';

export type WriteMode = 'ok' | 'short' | 'enospc';

/**
 * Opens a real file, but the n-th write call (1-based) behaves as `mode(n)` says: 'short' writes half of
 * what it was given (as write(2) does when the disk fills up), 'enospc' writes nothing and throws.
 */
export function failingOpen(mode: (call: number) => WriteMode): OpenAppendFile & { calls: () => number } {
  let calls = 0;
  const open = async (path: string): Promise<AppendFile> => {
    const real = await fs.open(path, 'a+');
    return {
      write: async (buffer, offset, length, position) => {
        calls++;
        const m = mode(calls);
        if (m === 'enospc') throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        if (m === 'short' && length > 1) return real.write(buffer, offset, Math.floor(length / 2), position);
        return real.write(buffer, offset, length, position);
      },
      read: (buffer, offset, length, position) => real.read(buffer, offset, length, position),
      stat: () => real.stat(),
      truncate: (length) => real.truncate(length),
      close: () => real.close(),
    };
  };
  return Object.assign(open, { calls: () => calls });
}

/** A result as a study run writes it (~500 bytes on disk). */
export function result(i: number, over: Partial<ScoreResult> = {}): ScoreResult {
  return {
    kind: 'result',
    runId: '20261201T100000Z-aaaaaa',
    itemId: `Q${i % 50}`,
    itemHash: `hash-Q${i % 50}`,
    category: 'importance',
    language: 'en',
    template: 'direct',
    paraphrase: null,
    provider: 'openai',
    model: 'test-model',
    endpoint: 'http://127.0.0.1:1',
    method: 'logprobs',
    optionOrder: [1, 2, 3, 4],
    study: 'demo',
    country: 'US',
    modelId: 'test',
    order: 'original',
    round: 0,
    source: 'run',
    probabilities: { '1': 0.4, '2': 0.3, '3': 0.2, '4': 0.1 },
    mean: 2,
    mode: 1,
    entropy: 1.28,
    missMass: 0.01,
    latencyMs: 12,
    cached: false,
    at: '2026-12-01T10:00:01.000Z',
    ...over,
  };
}

export function lines(text: string): string[] {
  return text.split('\n').filter((l) => l !== '');
}

export function parsesAll(text: string): RunRecord[] {
  return lines(text).map((l, i) => {
    try {
      return JSON.parse(l) as RunRecord;
    } catch {
      throw new Error(`line ${i + 1} is torn: ${l.slice(0, 80)}`);
    }
  });
}
