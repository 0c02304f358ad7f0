// Shared by the batch tests: a study of the example items in English with one OpenAI-compatible model at
// the batch fake, scored by logprobs, `rounds` repetitions (distinct seeds, so distinct cache keys), and
// the environment runStudy needs with a batch engine whose polls wait a millisecond.

import { cpSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ResultCache } from '../../../src/core/run/cache';
import { loadStudy } from '../../../src/core/study/load';
import { planStudy } from '../../../src/core/study/plan';
import type { StudyRunEnvironment } from '../../../src/core/study/session';
import type { LoadedStudy, Study, StudyFilter } from '../../../src/core/study/types';
import { createOpenAIBatchEngine, type OpenAIBatchEngineOptions } from '../../../src/core/batch/engine';
import { createOpenAIBatchClient, openAIBatchCodec } from '../../../src/providers/openai-batch';
import { createOpenAIProvider } from '../../../src/providers/openai';
import type { PlannedRequest } from '../../../src/core/run/plan';
import type { RunRecord } from '../../../src/core/results';
import type { RunManifest } from '../../../src/core/corpus/types';

export const EXAMPLES = resolve(__dirname, '..', '..', '..', 'examples');
export const ITEM_IDS = [...readFileSync(join(EXAMPLES, 'wvs7-sample.wvs'), 'utf8').matchAll(/^item (\S+)/gm)].map((m) => m[1]);

export function tempDir(prefix = 'vl-batch-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes `batch.study.json` (and copies the example items and templates) into `dir`; its path. */
export function writeStudy(dir: string, endpoint: string, rounds: number): string {
  cpSync(join(EXAMPLES, 'wvs7-sample.wvs'), join(dir, 'wvs7-sample.wvs'));
  cpSync(join(EXAMPLES, 'prompts.wvt'), join(dir, 'prompts.wvt'));
  const study = {
    name: 'batch',
    items: [{ file: 'wvs7-sample.wvs' }],
    templates: [{ file: 'prompts.wvt', names: ['direct'], paraphrases: 'none' }],
    languages: ['en'],
    models: [{ id: 'gpt', provider: 'openai', model: 'fake-llm', endpoint, kind: 'chat' }],
    method: 'logprobs',
    rounds,
    confirmAbove: 1_000_000,
  };
  const path = join(dir, 'batch.study.json');
  writeFileSync(path, `${JSON.stringify(study, null, 2)}\n`);
  return path;
}

export async function load(path: string): Promise<LoadedStudy & { study: Study }> {
  const loaded = await loadStudy(path);
  if (!loaded.study) throw new Error(`study did not load: ${JSON.stringify(loaded.diagnostics)}`);
  return loaded as LoadedStudy & { study: Study };
}

/** The plan runStudy will make (method fixed, no digests). */
export function planOf(loaded: LoadedStudy & { study: Study }, filter?: StudyFilter): PlannedRequest[] {
  return planStudy(loaded, { ...(filter ? { filter } : {}), digests: {}, methods: { gpt: 'logprobs' } });
}

export function environment(
  cacheDir: string,
  baseURL: string,
  signal: AbortSignal,
  engine: Partial<OpenAIBatchEngineOptions> = {},
): StudyRunEnvironment {
  return {
    providerFor: () => createOpenAIProvider({ baseURL }),
    probeFor: () => () => Promise.reject(new Error('no probe in batch tests')),
    cache: new ResultCache(cacheDir),
    cacheDir,
    via: 'cli',
    toolVersion: 'test',
    confirm: () => Promise.resolve(true),
    signal,
    batch: createOpenAIBatchEngine({
      clientFor: () => createOpenAIBatchClient({ baseURL }),
      codec: openAIBatchCodec(),
      poll: { firstMs: 1, maxMs: 2 },
      ...engine,
    }),
  };
}

export function corpusRecords(resultsDir: string): RunRecord[] {
  return readFileSync(join(resultsDir, 'records.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as RunRecord);
}

export function manifests(resultsDir: string): RunManifest[] {
  return readdirSync(join(resultsDir, 'runs'))
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(resultsDir, 'runs', f), 'utf8')) as RunManifest);
}
