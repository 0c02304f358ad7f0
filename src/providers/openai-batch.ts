// The OpenAI Files + Batches API (and any OpenAI-compatible server with the same file protocol): upload a
// batch input file (multipart, purpose "batch"), create, retrieve and cancel a batch, download output and
// error files. JSON calls go through the providers' transport; files are streamed to and from disk (a batch
// file may be 200 MB, far over the size limits of one scoring request or answer). Errors are ProviderErrors
// with the key redacted; the key is sent only when the caller's key policy gave one (as for chat).
// Also the codec: a planned request as the body the live chat provider sends, and a batch line's body read
// back into the provider-neutral answer the runner scores.

import http from 'node:http';
import https from 'node:https';
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { ProviderError, type CompletionChoice } from '../core/model';
import type { PlannedRequest } from '../core/run/plan';
import {
  BATCH_STATUSES,
  type BatchClient,
  type BatchCodec,
  type BatchEndpoint,
  type BatchInfo,
  type BatchStatus,
} from '../core/batch/types';
import { classifyError, excerpt, httpError, messageFromBody, endpointOriginOrThrow, parseRetryAfter, redact } from './errors';
import { httpTransport } from './http-transport';
import { checkedAlternatives } from './logprobs';
import { continuationLogprobs, echoRequestBody } from './loglik';
import { continuationsFor } from '../core/scoring/loglik';
import { completionFirstToken } from './openai';

export interface OpenAIBatchClientOptions {
  /** Base URL with the API path, as for chat (https://api.openai.com/v1, http://127.0.0.1:8000/v1). */
  baseURL: string;
  /** Only when the key policy allows it for this endpoint (src/cli/config.ts checkKeyDestination). */
  apiKey?: string;
  fetch?: typeof fetch;
}

/** Largest batch file accepted for download (OpenAI's input limit is 200 MB; outputs with logprobs are larger). */
export const MAX_BATCH_FILE_BYTES = 2 * 1024 ** 3;
const JSON_TIMEOUT_MS = 60_000;

export function createOpenAIBatchClient(options: OpenAIBatchClientOptions): BatchClient {
  const base = options.baseURL.replace(/\/+$/, '');
  const origin = endpointOriginOrThrow(base);
  const secrets = [options.apiKey];
  const doFetch = options.fetch ?? httpTransport;
  const auth = (): Record<string, string> => (options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {});

  async function call(method: 'GET' | 'POST', path: string, body: unknown, signal: AbortSignal): Promise<unknown> {
    const timeout = AbortSignal.timeout(JSON_TIMEOUT_MS);
    const combined = AbortSignal.any([signal, timeout]);
    let response: Response;
    try {
      response = await doFetch(`${base}${path}`, {
        method,
        headers: { ...auth(), accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: combined,
      });
    } catch (error) {
      throw classifyError(error, { origin, userSignal: signal, timeoutSignal: timeout, timeoutMs: JSON_TIMEOUT_MS, secrets });
    }
    const text = await response.text();
    if (!response.ok) throw httpError(response.status, origin, messageFromBody(text), parseRetryAfter(response.headers), secrets);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new ProviderError(`Answer from ${origin}${path} is not JSON: ${excerpt(redact(text, secrets), 120)}`, 'parse');
    }
  }

  return {
    provider: 'openai',
    origin,
    async uploadFile(path, signal) {
      const boundary = `----value-lens-${randomBytes(12).toString('hex')}`;
      const name = path.split(/[\\/]/).pop() ?? 'batch.jsonl';
      const head = Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nbatch\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name.replace(/"/g, '')}"\r\nContent-Type: application/jsonl\r\n\r\n`,
      );
      const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
      const size = (await fs.stat(path)).size;
      const { status, text, headers } = await stream('POST', `${base}/files`, signal, {
        headers: {
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': String(head.length + size + tail.length),
        },
        send: async (req) => {
          req.write(head);
          for await (const chunk of createReadStream(path)) if (!req.write(chunk as Buffer)) await new Promise((r) => req.once('drain', r));
          req.end(tail);
        },
      });
      if (status < 200 || status >= 300) throw httpError(status, origin, messageFromBody(text), parseRetryAfter(headers), secrets);
      const file = parseJson(text, '/files') as { id?: unknown };
      if (typeof file.id !== 'string') throw new ProviderError(`Answer from ${origin}/files has no file id`, 'parse');
      return file.id;
    },
    async createBatch(inputFileId, endpoint, signal) {
      return batchInfo(await call('POST', '/batches', { input_file_id: inputFileId, endpoint, completion_window: '24h' }, signal), origin);
    },
    async retrieveBatch(batchId, signal) {
      return batchInfo(await call('GET', `/batches/${encodeURIComponent(batchId)}`, undefined, signal), origin);
    },
    async cancelBatch(batchId, signal) {
      return batchInfo(await call('POST', `/batches/${encodeURIComponent(batchId)}/cancel`, undefined, signal), origin);
    },
    async downloadFile(fileId, path, signal) {
      const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      try {
        const { status, text, headers } = await stream('GET', `${base}/files/${encodeURIComponent(fileId)}/content`, signal, {
          toFile: temp,
        });
        if (status < 200 || status >= 300) throw httpError(status, origin, messageFromBody(text), parseRetryAfter(headers), secrets);
        await fs.rename(temp, path);
      } finally {
        await fs.rm(temp, { force: true }).catch(() => undefined);
      }
    },
  };

  function parseJson(text: string, path: string): unknown {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new ProviderError(`Answer from ${origin}${path} is not JSON: ${excerpt(redact(text, secrets), 120)}`, 'parse');
    }
  }

  /**
   * One streamed HTTP exchange: the request body written by `send`, the response body to `toFile` on a 2xx
   * (else kept as text for the error message). No timeout (a 200 MB file takes a while); the signal cancels.
   */
  function stream(
    method: 'GET' | 'POST',
    url: string,
    signal: AbortSignal,
    io: { headers?: Record<string, string>; send?: (req: http.ClientRequest) => Promise<void>; toFile?: string },
  ): Promise<{ status: number; text: string; headers: Headers }> {
    const target = new URL(url);
    const transport = target.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(new ProviderError(`Request to ${origin} was cancelled`, 'aborted'));
      let settled = false;
      const fail = (error: unknown): void => {
        if (settled) return;
        settled = true;
        request.destroy();
        reject(
          signal.aborted
            ? new ProviderError(`Request to ${origin} was cancelled`, 'aborted')
            : classifyError(error, { origin, userSignal: signal, secrets }),
        );
      };
      const request = transport.request(target, { method, headers: { ...auth(), ...io.headers } }, (response) => {
        const status = response.statusCode ?? 500;
        const headers = new Headers();
        for (const [k, v] of Object.entries(response.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
        if (io.toFile && status >= 200 && status < 300) {
          const out = createWriteStream(io.toFile);
          let bytes = 0;
          response.on('data', (chunk: Buffer) => {
            bytes += chunk.length;
            if (bytes > MAX_BATCH_FILE_BYTES)
              fail(new ProviderError(`The batch file from ${origin} is over ${MAX_BATCH_FILE_BYTES} bytes; not read`, 'parse'));
          });
          response.pipe(out);
          response.on('aborted', () => fail(new Error('connection closed before the file was complete')));
          out.on('error', fail);
          out.on('finish', () => {
            if (settled) return;
            if (!response.complete) return fail(new Error('connection closed before the file was complete'));
            settled = true;
            resolve({ status, text: '', headers });
          });
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= 1024 * 1024) chunks.push(chunk);
        });
        response.on('error', fail);
        response.on('end', () => {
          if (settled) return;
          settled = true;
          resolve({ status, text: Buffer.concat(chunks).toString('utf8'), headers });
        });
      });
      const onAbort = (): void => fail(new Error('aborted'));
      signal.addEventListener('abort', onAbort, { once: true });
      request.on('close', () => signal.removeEventListener('abort', onAbort));
      request.on('error', fail);
      if (io.send) io.send(request).catch(fail);
      else request.end();
    });
  }
}

/** The batch object as BatchInfo; a status outside the reference's list is a parse error, never guessed. */
export function batchInfo(value: unknown, origin: string): BatchInfo {
  const b = (value ?? {}) as Record<string, unknown>;
  if (typeof b.id !== 'string' || typeof b.status !== 'string')
    throw new ProviderError(`Answer from ${origin} is not a batch object`, 'parse');
  if (!BATCH_STATUSES.includes(b.status as BatchStatus))
    throw new ProviderError(`Batch ${b.id} from ${origin} has an unknown status "${excerpt(b.status, 40)}"`, 'parse');
  const counts = b.request_counts as { total?: unknown; completed?: unknown; failed?: unknown } | null | undefined;
  const errors = (b.errors as { data?: { code?: unknown; message?: unknown }[] } | null | undefined)?.data;
  return {
    id: b.id,
    status: b.status as BatchStatus,
    inputFileId: typeof b.input_file_id === 'string' ? b.input_file_id : '',
    ...(typeof b.output_file_id === 'string' && b.output_file_id ? { outputFileId: b.output_file_id } : {}),
    ...(typeof b.error_file_id === 'string' && b.error_file_id ? { errorFileId: b.error_file_id } : {}),
    ...(counts && typeof counts.total === 'number'
      ? { requestCounts: { total: counts.total, completed: Number(counts.completed) || 0, failed: Number(counts.failed) || 0 } }
      : {}),
    ...(Array.isArray(errors) && errors.length
      ? { errors: errors.map((e) => `${String(e.code ?? 'error')}: ${String(e.message ?? '')}`.slice(0, 300)) }
      : {}),
  };
}

export interface OpenAIBatchCodecOptions {
  /** The token-limit field: OpenAI's newer models read only max_completion_tokens; local servers max_tokens (default). */
  tokenParam?: 'max_tokens' | 'max_completion_tokens';
  /** Cap of the integer `logprobs` of /v1/completions (OpenAI's own: 5; vLLM: 20, the default). */
  completionsMaxLogprobs?: number;
}

/** Bodies as the live provider sends them (src/providers/openai.ts), and answers read as it reads them. */
export function openAIBatchCodec(options: OpenAIBatchCodecOptions = {}): BatchCodec {
  const tokenParam = options.tokenParam ?? 'max_tokens';
  const cap = options.completionsMaxLogprobs ?? 20;
  return {
    requestOf(req: PlannedRequest) {
      const p = req.params;
      const common = {
        model: req.identity.model,
        temperature: p.temperature,
        ...(p.n > 1 ? { n: p.n } : {}),
        seed: p.seed,
        ...(p.stop ? { stop: p.stop } : {}),
      };
      // Method loglik: the live provider's one echo request (src/providers/loglik.ts), as a batch line.
      if (req.identity.method === 'loglik' && req.prompt !== undefined) {
        return {
          url: '/v1/completions' as BatchEndpoint,
          body: echoRequestBody(req.identity.model, req.prompt, continuationsFor(req.prompt, req.labels)),
        };
      }
      if (req.prompt !== undefined) {
        return {
          url: '/v1/completions' as BatchEndpoint,
          body: {
            ...common,
            prompt: req.prompt,
            max_tokens: p.maxTokens,
            ...(p.topLogprobs !== undefined ? { logprobs: Math.max(0, Math.min(cap, p.topLogprobs)) } : {}),
          },
        };
      }
      return {
        url: '/v1/chat/completions' as BatchEndpoint,
        body: {
          ...common,
          messages: req.messages.map((m) => ({ role: m.role, content: m.content })),
          [tokenParam]: p.maxTokens,
          ...(p.topLogprobs !== undefined ? { logprobs: true, top_logprobs: Math.max(0, Math.min(20, p.topLogprobs)) } : {}),
        },
      };
    },
    responseOf(url, body, req) {
      const origin = req.identity.endpoint;
      const b = body as { model?: unknown; choices?: unknown; usage?: { prompt_tokens?: unknown; completion_tokens?: unknown } } | null;
      if (!b || typeof b !== 'object' || !Array.isArray(b.choices))
        throw new ProviderError(`A batch line from ${origin} has no completion in its body`, 'parse');
      const usage =
        b.usage && typeof b.usage === 'object'
          ? { promptTokens: Number(b.usage.prompt_tokens) || 0, completionTokens: Number(b.usage.completion_tokens) || 0 }
          : undefined;
      const model = typeof b.model === 'string' && b.model ? b.model : req.identity.model;
      if (req.identity.method === 'loglik' && req.prompt !== undefined) {
        const logliks = continuationLogprobs(b, req.prompt, continuationsFor(req.prompt, req.labels), origin);
        return { model, choices: [{ text: '' }], continuationLogprobs: logliks, ...(usage ? { usage } : {}) };
      }
      const wantLogprobs = req.params.topLogprobs !== undefined;
      const choices: CompletionChoice[] = (b.choices as Record<string, unknown>[]).map((c) =>
        url === '/v1/completions' ? textChoice(c, wantLogprobs, origin) : chatChoice(c, wantLogprobs, origin),
      );
      if (choices.length === 0) throw new ProviderError(`A batch line from ${origin} has no choices`, 'parse');
      return { model, choices, ...(usage ? { usage } : {}) };
    },
  };
}

// The same reading as the live provider's toChoice/toTextChoice (src/providers/openai.ts).
function chatChoice(c: Record<string, unknown>, wantLogprobs: boolean, origin: string): CompletionChoice {
  const message = c.message as { content?: unknown } | undefined;
  const first: unknown = (c.logprobs as { content?: unknown[] } | null | undefined)?.content?.[0];
  const top = first && typeof first === 'object' ? (first as { top_logprobs?: unknown }).top_logprobs : undefined;
  const alternatives =
    wantLogprobs && first && typeof first === 'object'
      ? checkedAlternatives(Array.isArray(top) && top.length ? top : [first], origin)
      : undefined;
  return {
    text: typeof message?.content === 'string' ? message.content : '',
    ...(alternatives ? { firstTokenLogprobs: alternatives } : {}),
  };
}

function textChoice(c: Record<string, unknown>, wantLogprobs: boolean, origin: string): CompletionChoice {
  const alternatives = wantLogprobs ? completionFirstToken(c.logprobs, origin) : undefined;
  return { text: typeof c.text === 'string' ? c.text : '', ...(alternatives ? { firstTokenLogprobs: alternatives } : {}) };
}
