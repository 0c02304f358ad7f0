// `--batch`, `--batch-export FILE`, `--batch-import FILE` for `value-lens run|score STUDY`: the batch engine
// of the run (core/batch, docs/batch.md) from the flags. The key goes where the chat provider's would (the
// caller ran the key policy on every model endpoint first); each model's own endpoint hosts its batches.

import { resolve } from 'node:path';
import { createBatchExporter, createBatchImporter } from '../core/batch/offline';
import { createOpenAIBatchEngine, DEFAULT_POLL, type BatchEngine } from '../core/batch/engine';
import type { BatchProgress } from '../core/batch/types';
import type { Study, StudyFilter } from '../core/study/types';
import { createOpenAIBatchClient, openAIBatchCodec } from '../providers/openai-batch';
import { flag, str, type OptionSpec, type Parsed } from './args';
import { UsageError } from './errors';
import { print, type Io } from './io';

export const BATCH_OPTIONS: OptionSpec = {
  batch: { type: 'boolean' },
  'no-batch': { type: 'boolean' },
  'batch-export': { type: 'string' },
  'batch-import': { type: 'string' },
};

export const BATCH_HELP = `  --batch                send the uncached requests as one batch job per endpoint (OpenAI Batch API or
                         a server with the same Files + Batches protocol); a restarted run resumes it.
                         The study's "batch": true does the same; --no-batch runs live
  --batch-export FILE    write the uncached requests as a batch input file (for vllm run-batch) and stop
  --batch-import FILE    read a batch output file (vllm run-batch -o FILE) into the corpus and the cache`;

/** The engine the flags ask for, or undefined for a live run. */
export function batchEngineFrom(parsed: Parsed, study: Study, filter: StudyFilter | undefined, io: Io): BatchEngine | undefined {
  const chosen = (['batch', 'batch-export', 'batch-import', 'no-batch'] as const).filter((name) =>
    name === 'batch' || name === 'no-batch' ? flag(parsed, name) : str(parsed, name) !== undefined,
  );
  if (chosen.length > 1) throw new UsageError(`--${chosen.join(' and --')}: choose one.`, 'run');
  if (chosen[0] === 'no-batch') return undefined;
  // The study's own setting applies when no flag chose.
  if (chosen.length === 0 && study.batch !== true) return undefined;
  if (study.method === 'judge')
    throw new UsageError(
      'Method "judge" cannot run as a batch (each judge request needs its generation\'s answer); run it without --batch.',
      'run',
    );
  const models = filter?.models?.length ? study.models.filter((m) => filter.models!.includes(m.id)) : study.models;
  const ollama = models.filter((m) => m.provider !== 'openai');
  if (ollama.length)
    throw new UsageError(
      `Batches need OpenAI-compatible models; ${ollama.map((m) => m.id).join(', ')} ${ollama.length > 1 ? 'are' : 'is'} not (narrow with --model).`,
      'run',
    );
  const official = models.some((m) => /(^|\.)openai\.com$/i.test(hostOf(m.endpoint)));
  const codec = openAIBatchCodec(official ? { tokenParam: 'max_completion_tokens', completionsMaxLogprobs: 5 } : {});
  const exportFile = str(parsed, 'batch-export');
  if (exportFile !== undefined) return createBatchExporter(resolve(io.cwd, exportFile), codec);
  const importFile = str(parsed, 'batch-import');
  if (importFile !== undefined) return createBatchImporter([resolve(io.cwd, importFile)], codec);
  const lastStatus = new Map<string, string>();
  return createOpenAIBatchEngine({
    clientFor: (_provider, endpoint) =>
      createOpenAIBatchClient({ baseURL: endpoint, ...(io.env.OPENAI_API_KEY ? { apiKey: io.env.OPENAI_API_KEY } : {}) }),
    codec,
    poll: pollFrom(io.env),
    onBatch: (p: BatchProgress) => {
      const line = `${p.phase} ${p.status ?? ''} ${p.requestCounts ? `${p.requestCounts.completed + p.requestCounts.failed}/${p.requestCounts.total}` : ''}`;
      if (lastStatus.get(p.batchId) === line) return;
      lastStatus.set(p.batchId, line);
      const counts = p.requestCounts
        ? ` (${p.requestCounts.completed} done, ${p.requestCounts.failed} failed of ${p.requestCounts.total})`
        : '';
      print(
        io.stderr,
        `batch ${p.batchId}: ${p.phase}${p.status ? `, ${p.status}` : ''}${counts}, ${p.lines} line(s)${p.resumed ? ', resumed' : ''}; state: ${p.stateFile}`,
      );
    },
  });
}

/** VALUE_LENS_BATCH_POLL_MS="FIRST[,MAX]": the poll backoff (tests, impatient users); defaults 5 s growing to 60 s. */
function pollFrom(env: NodeJS.ProcessEnv): { firstMs: number; maxMs: number } {
  const raw = env.VALUE_LENS_BATCH_POLL_MS;
  if (!raw) return { firstMs: DEFAULT_POLL.firstMs, maxMs: DEFAULT_POLL.maxMs };
  const [first, max] = raw.split(',').map((v) => Number(v.trim()));
  if (!Number.isFinite(first) || first < 1)
    throw new UsageError(`VALUE_LENS_BATCH_POLL_MS="${raw.slice(0, 40)}" is not FIRST[,MAX] in milliseconds.`, 'run');
  return { firstMs: first, maxMs: Number.isFinite(max) && max >= first ? max : Math.max(first, DEFAULT_POLL.maxMs) };
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
}
