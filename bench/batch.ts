// Batch engine figures for a 10,000-line batch against the loopback Files + Batches fake: writing the input
// file from the plan, uploading it, downloading the output file, and importing its lines into records and
// the response cache (one cache file per answer today). No targets: the issue asks for the figures.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ResultCache } from '../src/core/run/cache';
import { writeInputFile } from '../src/core/batch/lines';
import { importBatchLines } from '../src/core/batch/importLines';
import { createOpenAIBatchClient, openAIBatchCodec } from '../src/providers/openai-batch';
import { startFakeOpenAIBatch } from '../test/support/fake-openai-batch';
import { ITEM_IDS, load, planOf, writeStudy } from '../test/unit/batch/support';
import type { BenchRow } from './types';

export async function run(): Promise<BenchRow[]> {
  const fake = await startFakeOpenAIBatch();
  const dir = mkdtempSync(join(tmpdir(), 'vl-bench-batch-'));
  try {
    const baseURL = `${fake.url}/v1`;
    const loaded = await load(writeStudy(dir, baseURL, 500));
    const plan = planOf(loaded, { items: ITEM_IDS.slice(0, 20) });
    const codec = openAIBatchCodec();
    const client = createOpenAIBatchClient({ baseURL });
    const signal = new AbortController().signal;
    const input = join(dir, 'in.jsonl');
    let t = performance.now();
    const written = await writeInputFile(input, plan, codec);
    const writeMs = performance.now() - t;
    t = performance.now();
    const fileId = await client.uploadFile(input, signal);
    const uploadMs = performance.now() - t;
    let info = await client.createBatch(fileId, '/v1/chat/completions', signal);
    while (info.status !== 'completed') info = await client.retrieveBatch(info.id, signal);
    const output = join(dir, 'out.jsonl');
    t = performance.now();
    await client.downloadFile(info.outputFileId!, output, signal);
    const downloadMs = performance.now() - t;
    const pending = new Map(plan.map((r, i) => [r.cacheKey, [i]]));
    t = performance.now();
    const counts = await importBatchLines({
      files: [output],
      customIds: plan.map((r) => r.cacheKey),
      url: '/v1/chat/completions',
      plan,
      pending,
      records: new Array(plan.length),
      runId: 'bench',
      codec,
      cache: new ResultCache(join(dir, 'cache')),
      missingError: { kind: 'batch-missing', message: 'missing' },
    });
    const importMs = performance.now() - t;
    if (counts.results !== plan.length) throw new Error(`imported ${counts.results} of ${plan.length}`);
    const mb = (path: string): string => `${(statSync(path).size / 2 ** 20).toFixed(1)} MB`;
    return [
      { group: 'batch', name: `write input file (${written.lines} lines)`, value: Math.round(writeMs), unit: 'ms', note: mb(input) },
      { group: 'batch', name: 'upload input file (loopback)', value: Math.round(uploadMs), unit: 'ms' },
      { group: 'batch', name: 'download output file (loopback)', value: Math.round(downloadMs), unit: 'ms', note: mb(output) },
      { group: 'batch', name: `import ${counts.results} lines into records + cache`, value: Math.round(importMs), unit: 'ms' },
    ];
  } finally {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith('batch.ts')) {
  void run().then((rows) => {
    for (const r of rows) process.stdout.write(`${r.name}: ${r.value} ${r.unit}${r.note ? ` (${r.note})` : ''}\n`);
  });
}
