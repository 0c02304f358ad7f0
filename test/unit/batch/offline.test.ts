// The vLLM offline round trip (`vllm run-batch -i in.jsonl -o out.jsonl`): --batch-export writes the input
// file in the OpenAI batch format vLLM reads, and an output file written in the format of vLLM's
// documentation (BatchRequestOutput: {id, custom_id, response: {status_code, request_id, body}, error}; older
// releases put the completion itself in `response`) is imported into the corpus and the cache.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runStudy } from '../../../src/core/study/session';
import { createBatchExporter, createBatchImporter } from '../../../src/core/batch/offline';
import { openAIBatchCodec } from '../../../src/providers/openai-batch';
import type { PlannedRequest } from '../../../src/core/run/plan';
import { corpusRecords, environment, load, manifests, planOf, tempDir, writeStudy } from './support';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A chat completion as vLLM returns it, first token: label 0 with p = 0.5, the other labels sharing 0.5. */
function vllmCompletion(req: PlannedRequest, i: number): Record<string, unknown> {
  const labels = req.labels.map((l) => l.label);
  const rest = Math.log(0.5 / (labels.length - 1));
  const top = labels.map((token, j) => ({ token, logprob: j === 0 ? Math.log(0.5) : rest, bytes: [...Buffer.from(token)] }));
  return {
    id: `chatcmpl-${i.toString(16)}`,
    object: 'chat.completion',
    created: 1_715_633_336,
    model: 'fake-llm',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: labels[0], tool_calls: [] },
        logprobs: { content: [{ ...top[0], top_logprobs: top }] },
        finish_reason: 'length',
        stop_reason: null,
      },
    ],
    usage: { prompt_tokens: 40, total_tokens: 41, completion_tokens: 1 },
  };
}

test('vLLM offline: export the input file, import an output file in the documented format, then nothing is left to send', async () => {
  const dir = tempDir();
  dirs.push(dir);
  const loaded = await load(writeStudy(dir, 'http://127.0.0.1:9/v1', 2));
  const plan = planOf(loaded);
  const cacheDir = join(dir, 'cache');
  const inFile = join(dir, 'in.jsonl');
  const codec = openAIBatchCodec();

  const exported = await runStudy(loaded, undefined, {
    ...environment(cacheDir, 'http://127.0.0.1:9/v1', new AbortController().signal),
    batch: createBatchExporter(inFile, codec),
  });
  assert.equal(exported.status, 'declined');
  assert.ok(exported.status === 'declined' && exported.exported);
  assert.equal(exported.exported.lines, plan.length);
  const lines = readFileSync(inFile, 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(lines.length, plan.length);
  for (const [i, line] of lines.entries()) {
    assert.deepEqual(Object.keys(line).sort(), ['body', 'custom_id', 'method', 'url']);
    assert.equal(line.custom_id, plan[i].cacheKey);
    assert.equal(line.method, 'POST');
    assert.equal(line.url, '/v1/chat/completions');
    const body = line.body as {
      model: string;
      messages: { role: string; content: string }[];
      seed: number;
      temperature: number;
      logprobs: boolean;
      top_logprobs: number;
    };
    assert.equal(body.model, 'fake-llm');
    assert.deepEqual(
      body.messages,
      plan[i].messages.map((m) => ({ role: m.role, content: m.content })),
    );
    assert.deepEqual(
      [body.seed, body.temperature, body.logprobs, body.top_logprobs],
      [plan[i].params.seed, plan[i].params.temperature, true, 20],
    );
  }
  // No run was written by the export.
  assert.throws(() => manifests(loaded.study.results));

  // vLLM's output: lines in any order; one in the older shape, one failed line, one missing, one unreadable.
  const out: string[] = [];
  plan.forEach((req, i) => {
    if (i === 5) return; // missing
    if (i === 3) {
      out.push(
        JSON.stringify({
          id: `vllm-${i}`,
          custom_id: req.cacheKey,
          response: {
            status_code: 400,
            request_id: `vllm-batch-${i}`,
            body: {
              object: 'error',
              message: "This model's maximum context length is 4096 tokens.",
              type: 'BadRequestError',
              param: null,
              code: 400,
            },
          },
          error: null,
        }),
      );
      return;
    }
    if (i === 7) {
      out.push(JSON.stringify({ id: `vllm-${i}`, custom_id: req.cacheKey, response: vllmCompletion(req, i), error: null }));
      return;
    }
    out.push(
      JSON.stringify({
        id: `vllm-${i}`,
        custom_id: req.cacheKey,
        response: { status_code: 200, request_id: `vllm-batch-${i}`, body: vllmCompletion(req, i) },
        error: null,
      }),
    );
  });
  out.reverse();
  out.splice(10, 0, '{"id": "vllm-torn", "custom_');
  out.push(
    JSON.stringify({ id: 'vllm-x', custom_id: 'f'.repeat(64), response: { status_code: 200, request_id: 'x', body: {} }, error: null }),
  );
  const outFile = join(dir, 'out.jsonl');
  writeFileSync(outFile, `${out.join('\n')}\n`);

  const imported = await runStudy(loaded, undefined, {
    ...environment(cacheDir, 'http://127.0.0.1:9/v1', new AbortController().signal),
    batch: createBatchImporter([outFile], codec),
  });
  assert.ok(imported.status === 'ran');
  const records = corpusRecords(loaded.study.results);
  assert.equal(records.length, plan.length);
  const byKey = new Map(records.map((r) => [r.cacheKey, r]));
  const failed3 = byKey.get(plan[3].cacheKey)!;
  assert.ok(
    failed3.kind === 'failure' &&
      failed3.error.kind === 'http' &&
      failed3.error.status === 400 &&
      /maximum context length/.test(failed3.error.message),
  );
  const missing5 = byKey.get(plan[5].cacheKey)!;
  assert.ok(missing5.kind === 'failure' && missing5.error.kind === 'batch-missing');
  for (const i of [0, 7, plan.length - 1]) {
    const r = byKey.get(plan[i].cacheKey)!;
    assert.equal(r.kind, 'result');
    if (r.kind !== 'result') continue;
    // The first label's code has p = 0.5 exactly (all labels are among the alternatives: no miss mass).
    assert.ok(Math.abs(r.probabilities[String(plan[i].labels[0].code)] - 0.5) < 1e-9, JSON.stringify(r.probabilities));
    assert.ok(Math.abs(r.missMass) < 1e-9);
  }
  const [manifest] = manifests(loaded.study.results);
  assert.deepEqual(
    [manifest.scored, manifest.failed, manifest.batch?.provider, manifest.batch?.id],
    [plan.length - 2, 2, 'vllm-offline', 'out.jsonl'],
  );
  assert.ok(imported.summary.requestsSent === 0);

  // Export again: only the two failed requests are left to send (the rest come from the cache).
  const again = await runStudy(loaded, undefined, {
    ...environment(cacheDir, 'http://127.0.0.1:9/v1', new AbortController().signal),
    batch: createBatchExporter(inFile, codec),
  });
  assert.ok(again.status === 'declined' && again.exported);
  assert.deepEqual([again.exported.lines, again.exported.cached], [2, plan.length - 2]);
  const left = readFileSync(inFile, 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => (JSON.parse(l) as { custom_id: string }).custom_id)
    .sort();
  assert.deepEqual(left, [plan[3].cacheKey, plan[5].cacheKey].sort());
});
