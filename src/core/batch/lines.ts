// The batch JSONL format (OpenAI Batch API; `vllm run-batch` reads and writes the same): input lines
// `{custom_id, method: "POST", url, body}`, output and error lines `{id, custom_id, response: {status_code,
// request_id, body}, error}`. custom_id is the request's cache key, so a line finds its request (and its
// cache entry) whatever order the server writes them in. Files are streamed, never read whole.

import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { ProviderError, type CompletionResponse } from '../model';
import type { PlannedRequest } from '../run/plan';
import type { BatchCodec, BatchEndpoint, BatchInputLine, BatchOutputLine } from './types';

/** Writes one input line per request (each a distinct cache key); the byte count. */
export async function writeInputFile(
  path: string,
  requests: Iterable<PlannedRequest>,
  codec: BatchCodec,
): Promise<{ lines: number; bytes: number; url: BatchEndpoint | undefined }> {
  const out = createWriteStream(path, { flags: 'w', encoding: 'utf8' });
  let lines = 0;
  let bytes = 0;
  let url: BatchEndpoint | undefined;
  const done = new Promise<void>((resolve, reject) => {
    out.on('error', reject);
    out.on('finish', resolve);
  });
  try {
    for (const req of requests) {
      const request = codec.requestOf(req);
      url ??= request.url;
      const line: BatchInputLine = { custom_id: req.cacheKey, method: 'POST', url: request.url, body: request.body };
      const text = `${JSON.stringify(line)}\n`;
      bytes += Buffer.byteLength(text);
      lines++;
      if (!out.write(text)) await Promise.race([once(out, 'drain'), done]);
    }
  } finally {
    out.end();
  }
  await done;
  return { lines, bytes, url };
}

/** Reads a JSONL file line by line; `onLine` gets each parsed line, `bad` counts the unreadable ones. */
export async function readOutputFile(
  path: string,
  onLine: (line: BatchOutputLine, lineNumber: number) => void | Promise<void>,
): Promise<{ lines: number; bad: number; firstBad?: number }> {
  const rl = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let lines = 0;
  let bad = 0;
  let firstBad: number | undefined;
  let n = 0;
  for await (const text of rl) {
    n++;
    if (!text.trim()) continue;
    const line = parseOutputLine(text);
    if (!line) {
      bad++;
      firstBad ??= n;
      continue;
    }
    lines++;
    await onLine(line, n);
  }
  return { lines, bad, ...(firstBad !== undefined ? { firstBad } : {}) };
}

export function parseOutputLine(text: string): BatchOutputLine | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!value || typeof value !== 'object' || typeof (value as { custom_id?: unknown }).custom_id !== 'string') return undefined;
  return value as BatchOutputLine;
}

export type LineOutcome =
  | { ok: true; response: CompletionResponse }
  | { ok: false; error: { kind: string; message: string; status?: number } };

/** What one output or error line says: the answer, or the failure with the server's own message. */
export function lineOutcome(line: BatchOutputLine, url: BatchEndpoint, req: PlannedRequest, codec: BatchCodec): LineOutcome {
  if (line.error && (line.error.message || line.error.code)) {
    return {
      ok: false,
      error: {
        kind: 'batch-error',
        message: `${line.error.code ? `${line.error.code}: ` : ''}${line.error.message ?? 'the batch reported an error for this line'}`,
      },
    };
  }
  const response = line.response;
  if (!response || typeof response !== 'object')
    return { ok: false, error: { kind: 'batch-error', message: 'The line has neither a response nor an error' } };
  // Older vLLM: the completion itself is the response.
  const wrapped = 'body' in response || 'status_code' in response;
  const status = wrapped ? response.status_code : 200;
  const body = wrapped ? response.body : response;
  if (typeof status === 'number' && status !== 200) {
    return { ok: false, error: { kind: 'http', status, message: `HTTP ${status} in the batch: ${bodyMessage(body)}` } };
  }
  try {
    return { ok: true, response: codec.responseOf(url, body, req) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, error: { kind: error instanceof ProviderError ? error.kind : 'parse', message } };
  }
}

function bodyMessage(body: unknown): string {
  const error = (body as { error?: unknown } | undefined)?.error;
  if (typeof error === 'string') return error.slice(0, 300);
  if (error && typeof error === 'object' && typeof (error as { message?: unknown }).message === 'string')
    return (error as { message: string }).message.slice(0, 300);
  // vLLM's ErrorResponse: {object: "error", message, type, code}.
  const message = (body as { message?: unknown } | undefined)?.message;
  if (typeof message === 'string') return message.slice(0, 300);
  return 'no message';
}
