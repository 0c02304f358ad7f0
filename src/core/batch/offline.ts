// Offline batches (`vllm run-batch -i in.jsonl -o out.jsonl`, which reads and writes the OpenAI batch line
// format): export the plan's input file, run vLLM yourself, import its output file into the corpus and the
// cache. The same line writer, line reader and record conversion as the online engine (engine.ts).

import { basename } from 'node:path';
import { nullLogger, redactingLogger } from '../log';
import type { RunRecord } from '../results';
import type { BatchEngine } from './engine';
import { importBatchLines } from './importLines';
import { writeInputFile } from './lines';
import { checkBatchable, partitionPlan } from './partition';
import type { BatchCodec } from './types';

/** An engine that only writes the input file for `vllm run-batch` (runStudy runs nothing with it). */
export function createBatchExporter(file: string, codec: BatchCodec): BatchEngine {
  return {
    provider: 'vllm-offline',
    async exportInput(plan, ctx) {
      checkBatchable(plan);
      const part = await partitionPlan(plan, 'export', ctx.cache, ctx.fresh ?? false);
      const first = (function* () {
        for (const indices of part.pending.values()) yield plan[indices[0]];
      })();
      const written = await writeInputFile(file, first, codec);
      return { file, lines: written.lines, bytes: written.bytes, cached: part.cached, skipped: part.skipped };
    },
    run() {
      return Promise.reject(new Error('An export-only batch engine runs nothing (runStudy calls exportInput).'));
    },
  };
}

/**
 * An engine that reads a `vllm run-batch` output file (or an OpenAI output/error file downloaded by hand)
 * as the answers of the plan: matching lines become records and cache entries, cached requests are served
 * from the cache, and every other request without a line is a failure ('batch-missing'), counted.
 */
export function createBatchImporter(files: string[], codec: BatchCodec, provider = 'vllm-offline'): BatchEngine {
  return {
    provider,
    async run(plan, ctx) {
      checkBatchable(plan);
      const logger = redactingLogger(ctx.logger ?? nullLogger);
      const part = await partitionPlan(plan, ctx.runId, ctx.cache, ctx.fresh ?? false);
      const { records, pending } = part;
      const customIds = [...pending.keys()];
      const byUrl = new Map<string, string[]>();
      for (const key of customIds) {
        const { url } = codec.requestOf(plan[pending.get(key)![0]]);
        let list = byUrl.get(url);
        if (!list) byUrl.set(url, (list = []));
        list.push(key);
      }
      const names = files.map((f) => basename(f)).join(', ');
      let imported = { results: 0, failed: 0, missing: 0, unknown: 0, badLines: 0 };
      if (byUrl.size > 1) throw new Error("This plan mixes chat and base models: import each endpoint's output separately (--model).");
      for (const [url, keys] of byUrl) {
        imported = await importBatchLines({
          files,
          customIds: keys,
          url: url as Parameters<typeof importBatchLines>[0]['url'],
          plan,
          pending,
          records,
          runId: ctx.runId,
          codec,
          ...(ctx.cache ? { cache: ctx.cache } : {}),
          missingError: { kind: 'batch-missing', message: `No line for this request in ${names}` },
          logger,
        });
      }
      // Lines of other requests (another filter, another study) are ignored, and said so.
      if (imported.unknown) logger.warn(`${names}: ${imported.unknown} line(s) not in this plan (ignored)`);
      const all = records as RunRecord[];
      let writeFailures = 0;
      if (ctx.store) {
        const store = ctx.store;
        writeFailures = (await Promise.allSettled(all.map((r) => store.append(r)))).filter((r) => r.status === 'rejected').length;
      }
      ctx.onProgress?.({
        done: all.length,
        total: plan.length,
        failed: all.filter((r) => r.kind === 'failure').length,
        cached: part.cached,
      });
      logger.info(
        `run ${ctx.runId}: imported ${names}: ${imported.results} answered, ${imported.failed} failed, ${imported.missing} missing, ${imported.unknown} not ours, ${imported.badLines} unreadable`,
      );
      return { runId: ctx.runId, records: all, requestsSent: 0, cancelled: false, writeFailures, batch: { id: names, provider }, imported };
    },
  };
}
