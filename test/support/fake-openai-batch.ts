// A loopback server speaking OpenAI's Files and Batches API, built from the API reference: POST /v1/files
// (multipart, purpose "batch"), GET /v1/files/{id} and /v1/files/{id}/content, POST /v1/batches
// {input_file_id, endpoint, completion_window: "24h"}, GET /v1/batches/{id}, POST /v1/batches/{id}/cancel.
// A batch moves validating → in_progress → finalizing → completed, one step per retrieve (or stays
// in_progress while `hold` is set); an input that fails validation ends `failed` with `errors`, and
// `expire` ends it `expired` (the lines answered so far in the output file). Output lines are
// {id, custom_id, response: {status_code, request_id, body}, error}, answered by the deterministic fake
// model of fake-common (chat completions with logprobs, like fake-openai.ts; /v1/completions lines in the
// legacy shape vLLM answers, echo with prompt logprobs included, so method loglik runs as a batch). Planted
// custom_ids fail (error file) or vanish (in neither file); uploads, creations, retrieves and cancels are counted.

import type http from 'node:http';
import {
  defaultBehaviour,
  fakeText,
  fakeTokens,
  pieceLogprob,
  promptTokens,
  sendJson,
  startServer,
  type FakeBehaviour,
  type FakeServer,
  type RecordedRequest,
  type RouteContext,
} from './fake-common';

export interface FakeFile {
  id: string;
  filename: string;
  purpose: string;
  content: string;
  created_at: number;
}

export interface FakeBatch {
  id: string;
  object: 'batch';
  endpoint: string;
  input_file_id: string;
  completion_window: string;
  status: 'validating' | 'failed' | 'in_progress' | 'finalizing' | 'completed' | 'expired' | 'cancelling' | 'cancelled';
  output_file_id: string | null;
  error_file_id: string | null;
  errors: { object: 'list'; data: { code: string; message: string; line: number | null }[] } | null;
  created_at: number;
  /** Unix seconds each status was reached (the API reference's batch object); null until then. */
  in_progress_at: number | null;
  expires_at: number | null;
  finalizing_at: number | null;
  completed_at: number | null;
  failed_at: number | null;
  expired_at: number | null;
  cancelling_at: number | null;
  cancelled_at: number | null;
  request_counts: { total: number; completed: number; failed: number };
  metadata: null;
}

/** The timestamp field set when a batch reaches a status. */
const STATUS_AT: Partial<
  Record<
    FakeBatch['status'],
    'in_progress_at' | 'finalizing_at' | 'completed_at' | 'failed_at' | 'expired_at' | 'cancelling_at' | 'cancelled_at'
  >
> = {
  in_progress: 'in_progress_at',
  finalizing: 'finalizing_at',
  completed: 'completed_at',
  failed: 'failed_at',
  expired: 'expired_at',
  cancelling: 'cancelling_at',
  cancelled: 'cancelled_at',
};

export interface BatchFakeControl {
  /** Keep batches in_progress (a long job) until cleared. */
  hold: boolean;
  /** End the next in_progress batch `expired` instead of finishing it. */
  expire: boolean;
  /** custom_ids whose lines fail: an error-file line (alternately an HTTP 400 body and an `error` object). */
  failIds: Set<string>;
  /** custom_ids answered in neither file. */
  dropIds: Set<string>;
  /** Authorization required (Bearer KEY) when set. */
  requireKey: string | null;
  /** The fake model's first-token distribution per prefix (as FakeBehaviour.firstToken): plants a distribution. */
  firstToken: FakeBehaviour['firstToken'];
}

export interface FakeBatchServer extends FakeServer {
  control: BatchFakeControl;
  files: Map<string, FakeFile>;
  batches: Map<string, FakeBatch>;
  counts: { uploads: number; creations: number; retrieves: number; cancels: number; downloads: number };
}

const ENDPOINTS = new Set(['/v1/chat/completions', '/v1/completions']);

export async function startFakeOpenAIBatch(options: Partial<BatchFakeControl> & { port?: number } = {}): Promise<FakeBatchServer> {
  const control: BatchFakeControl = {
    hold: false,
    expire: false,
    failIds: new Set(),
    dropIds: new Set(),
    requireKey: null,
    firstToken: null,
    ...options,
  };
  const files = new Map<string, FakeFile>();
  const batches = new Map<string, FakeBatch>();
  const counts = { uploads: 0, creations: 0, retrieves: 0, cancels: 0, downloads: 0 };
  let serial = 0;
  const nextId = (prefix: string): string => `${prefix}-${(++serial).toString(36).padStart(6, '0')}`;
  const now = (): number => Math.floor(Date.now() / 1000);

  const error = (res: http.ServerResponse, status: number, message: string, type = 'invalid_request_error'): void =>
    sendJson(res, status, { error: { message, type, param: null, code: null } });

  const addFile = (filename: string, content: string, purpose: string): FakeFile => {
    const file = { id: nextId('file'), filename, purpose, content, created_at: now() };
    files.set(file.id, file);
    return file;
  };
  // Batch files expire after 30 days (the API reference's file object carries `expires_at`).
  const fileObject = (f: FakeFile) => ({
    id: f.id,
    object: 'file',
    bytes: Buffer.byteLength(f.content),
    created_at: f.created_at,
    expires_at: f.created_at + 30 * 86_400,
    filename: f.filename,
    purpose: f.purpose,
  });
  const setStatus = (batch: FakeBatch, status: FakeBatch['status']): void => {
    batch.status = status;
    const field = STATUS_AT[status];
    if (field) batch[field] = now();
  };

  /** Answers every line (or the first `limit`): output and error files, counts. */
  const finish = (batch: FakeBatch, limit = Infinity): void => {
    const lines = files
      .get(batch.input_file_id)!
      .content.split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { custom_id: string; url: string; body: Record<string, unknown> });
    const out: string[] = [];
    const errs: string[] = [];
    let failedSoFar = 0;
    lines.slice(0, Math.min(limit, lines.length)).forEach((line, i) => {
      const requestId = `req_${batch.id}_${i}`;
      if (control.dropIds.has(line.custom_id)) return;
      if (control.failIds.has(line.custom_id)) {
        failedSoFar++;
        const entry =
          failedSoFar % 2
            ? {
                id: `batch_req_${i}`,
                custom_id: line.custom_id,
                response: {
                  status_code: 400,
                  request_id: requestId,
                  body: { error: { message: `Planted failure of line ${i}`, type: 'invalid_request_error', param: null, code: null } },
                },
                error: null,
              }
            : {
                id: `batch_req_${i}`,
                custom_id: line.custom_id,
                response: null,
                error: { code: 'server_error', message: `Planted server error on line ${i}` },
              };
        errs.push(JSON.stringify(entry));
        return;
      }
      out.push(
        JSON.stringify({
          id: `batch_req_${i}`,
          custom_id: line.custom_id,
          response: {
            status_code: 200,
            request_id: requestId,
            body: line.url === '/v1/completions' ? completionAnswer(line.body, i, control.firstToken) : answer(line.body, i),
          },
          error: null,
        }),
      );
    });
    if (out.length) batch.output_file_id = addFile(`${batch.id}_output.jsonl`, `${out.join('\n')}\n`, 'batch_output').id;
    if (errs.length) batch.error_file_id = addFile(`${batch.id}_error.jsonl`, `${errs.join('\n')}\n`, 'batch_output').id;
    batch.request_counts = { total: lines.length, completed: out.length, failed: errs.length };
  };

  const validate = (batch: FakeBatch): void => {
    const text = files.get(batch.input_file_id)!.content;
    const seen = new Set<string>();
    const problems: { code: string; message: string; line: number | null }[] = [];
    const lines = text.split('\n').filter(Boolean);
    lines.forEach((raw, i) => {
      let line: { custom_id?: unknown; method?: unknown; url?: unknown; body?: unknown };
      try {
        line = JSON.parse(raw) as typeof line;
      } catch {
        problems.push({ code: 'invalid_json_line', message: 'This line is not parseable as valid JSON.', line: i + 1 });
        return;
      }
      if (typeof line.custom_id !== 'string' || seen.has(line.custom_id))
        problems.push({ code: 'duplicate_custom_id', message: 'The custom_id for this request is a duplicate or missing.', line: i + 1 });
      else seen.add(line.custom_id);
      if (line.method !== 'POST') problems.push({ code: 'invalid_method', message: 'The method must be POST.', line: i + 1 });
      if (line.url !== batch.endpoint)
        problems.push({
          code: 'mismatched_endpoint',
          message: `The url does not match the batch's endpoint ${batch.endpoint}.`,
          line: i + 1,
        });
      if (!line.body || typeof line.body !== 'object')
        problems.push({ code: 'missing_body', message: 'The body is missing.', line: i + 1 });
    });
    if (problems.length) {
      setStatus(batch, 'failed');
      batch.errors = { object: 'list', data: problems.slice(0, 10) };
    } else {
      setStatus(batch, 'in_progress');
      batch.request_counts = { total: lines.length, completed: 0, failed: 0 };
    }
  };

  const advance = (batch: FakeBatch): void => {
    switch (batch.status) {
      case 'validating':
        return validate(batch);
      case 'in_progress':
        if (control.expire) {
          control.expire = false;
          setStatus(batch, 'expired');
          return finish(batch, Math.floor(batch.request_counts.total / 2));
        }
        if (!control.hold) setStatus(batch, 'finalizing');
        return;
      case 'finalizing':
        finish(batch);
        setStatus(batch, 'completed');
        return;
      case 'cancelling':
        setStatus(batch, 'cancelled');
        return;
      default:
        return;
    }
  };

  const route = (req: RecordedRequest, res: http.ServerResponse, ctx: RouteContext): void => {
    // Scripted faults (fake-common's queue): a status answer in OpenAI's error shape.
    if (ctx.fault?.kind === 'status') return error(res, ctx.fault.status, `status ${ctx.fault.status}`, 'server_error');
    if (control.requireKey !== null && req.headers.authorization !== `Bearer ${control.requireKey}`) {
      return sendJson(res, 401, {
        error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' },
      });
    }
    const parts = req.path.split('/').filter(Boolean); // v1, files|batches, id?, content|cancel?
    if (parts[0] !== 'v1') return error(res, 404, `Unknown path ${req.path}`);
    if (parts[1] === 'files') {
      if (req.method === 'POST' && parts.length === 2) {
        const form = parseMultipart(req);
        if (!form) return error(res, 400, 'The request must be multipart/form-data with a file and a purpose.');
        if (form.fields.purpose !== 'batch') return error(res, 400, `Invalid purpose "${form.fields.purpose ?? ''}"; expected "batch".`);
        if (!form.file) return error(res, 400, "'file' is a required property");
        counts.uploads++;
        return sendJson(res, 200, fileObject(addFile(form.file.filename, form.file.content, 'batch')));
      }
      const file = files.get(parts[2] ?? '');
      if (!file) return error(res, 404, `No such File object: ${parts[2]}`);
      if (req.method === 'GET' && parts[3] === 'content') {
        counts.downloads++;
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': Buffer.byteLength(file.content) });
        return void res.end(file.content);
      }
      if (req.method === 'GET' && parts.length === 3) return sendJson(res, 200, fileObject(file));
      return error(res, 404, `Unknown path ${req.path}`);
    }
    if (parts[1] === 'batches') {
      if (req.method === 'POST' && parts.length === 2) {
        const body = (req.body ?? {}) as { input_file_id?: unknown; endpoint?: unknown; completion_window?: unknown };
        if (typeof body.input_file_id !== 'string' || !files.has(body.input_file_id))
          return error(res, 400, `Invalid input_file_id ${String(body.input_file_id)}`);
        if (typeof body.endpoint !== 'string' || !ENDPOINTS.has(body.endpoint))
          return error(res, 400, `Invalid endpoint ${String(body.endpoint)}`);
        if (body.completion_window !== '24h') return error(res, 400, "completion_window must be '24h'");
        counts.creations++;
        const batch: FakeBatch = {
          id: nextId('batch'),
          object: 'batch',
          endpoint: body.endpoint,
          input_file_id: body.input_file_id,
          completion_window: '24h',
          status: 'validating',
          output_file_id: null,
          error_file_id: null,
          errors: null,
          created_at: now(),
          in_progress_at: null,
          expires_at: now() + 86_400,
          finalizing_at: null,
          completed_at: null,
          failed_at: null,
          expired_at: null,
          cancelling_at: null,
          cancelled_at: null,
          request_counts: { total: 0, completed: 0, failed: 0 },
          metadata: null,
        };
        batches.set(batch.id, batch);
        return sendJson(res, 200, batch);
      }
      const batch = batches.get(parts[2] ?? '');
      if (!batch) return error(res, 404, `No batch found with id '${parts[2]}'.`);
      if (req.method === 'GET' && parts.length === 3) {
        counts.retrieves++;
        advance(batch);
        return sendJson(res, 200, batch);
      }
      if (req.method === 'POST' && parts[3] === 'cancel') {
        counts.cancels++;
        if (batch.status === 'validating' || batch.status === 'in_progress' || batch.status === 'finalizing')
          setStatus(batch, 'cancelling');
        return sendJson(res, 200, batch);
      }
    }
    return error(res, 404, `Unknown path ${req.path}`);
  };

  const server = await startServer(route, (path) => path.startsWith('/v1/batches') || path.startsWith('/v1/files'), {}, options.port ?? 0);
  return Object.assign(server, { control, files, batches, counts });
}

/** The fake model's chat completion for one line's body (the shape of fake-openai.ts's answers). */
function answer(body: Record<string, unknown>, index: number): unknown {
  const model = String(body.model ?? '');
  const messages = (body.messages as { role: string; content: string }[] | undefined) ?? [];
  const prompt = messages.map((m) => `${m.role}: ${m.content}`).join('\n');
  const maxTokens = Number(body.max_tokens ?? body.max_completion_tokens ?? 256);
  const n = Math.max(1, Number(body.n ?? 1));
  const top = typeof body.top_logprobs === 'number' ? body.top_logprobs : 0;
  const behaviour = defaultBehaviour();
  let completionTokens = 0;
  const choices = Array.from({ length: n }, (_, i) => {
    const { text, first, dist } = fakeText(behaviour, {
      model,
      prompt,
      temperature: Number(body.temperature ?? 1),
      seed: body.seed as number | undefined,
      index: i,
      maxTokens,
    });
    completionTokens++;
    const logprob = dist.find((t) => t.token === first.token)?.logprob ?? first.logprob;
    return {
      index: i,
      message: { role: 'assistant', content: text, refusal: null, annotations: [] },
      logprobs:
        body.logprobs === true
          ? {
              content: [
                {
                  token: first.token,
                  logprob,
                  bytes: [...Buffer.from(first.token)],
                  top_logprobs: dist.slice(0, top).map((t) => ({ token: t.token, logprob: t.logprob, bytes: [...Buffer.from(t.token)] })),
                },
              ],
              refusal: null,
            }
          : null,
      finish_reason: 'stop',
    };
  });
  const pt = promptTokens(prompt);
  return {
    id: `chatcmpl-batch${index}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices,
    usage: { prompt_tokens: pt, completion_tokens: completionTokens, total_tokens: pt + completionTokens },
  };
}

/** vLLM's tokenizers add a BOS token first; echoed, it is text before the prompt (as fake-openai.ts). */
const BOS = '<s>';

/**
 * The fake model's legacy text completion for a /v1/completions line (vLLM's shape, as fake-openai.ts with
 * `server: 'vllm'`): one choice per prompt (a string or an array of strings) and sample; with `echo` the
 * prompt's tokens come first, BOS without a logprob, each other token with log p(token | tokens before);
 * `max_tokens: 0` generates nothing; integer `logprobs` gives tokens, token_logprobs, top_logprobs, text_offset.
 */
function completionAnswer(body: Record<string, unknown>, index: number, firstToken: FakeBehaviour['firstToken']): unknown {
  const model = String(body.model ?? '');
  const prompts = typeof body.prompt === 'string' ? [body.prompt] : Array.isArray(body.prompt) ? body.prompt.map(String) : [];
  const echo = body.echo === true;
  const maxTokens = Number(body.max_tokens ?? 16);
  const n = Math.max(1, Number(body.n ?? 1));
  const k = typeof body.logprobs === 'number' ? body.logprobs : undefined;
  const behaviour = { ...defaultBehaviour(), firstToken };
  let promptCount = 0;
  let completionTokens = 0;
  const choices: unknown[] = [];
  for (const prompt of prompts) {
    const pieces = echo ? [BOS, ...fakeTokens(prompt)] : [];
    promptCount += echo ? pieces.length : promptTokens(prompt);
    const echoed = pieces.map((token, i) => {
      if (i === 0) return { token, logprob: null as number | null, top: null as Record<string, number> | null };
      const prefix = pieces.slice(1, i).join('');
      const logprob = pieceLogprob(behaviour, model, prefix, token);
      return { token, logprob, top: { [token]: logprob } };
    });
    for (let sample = 0; sample < n; sample++) {
      const { text, first, dist } = fakeText(behaviour, {
        model,
        prompt,
        temperature: Number(body.temperature ?? 1),
        seed: body.seed as number | undefined,
        index: sample,
        maxTokens: Math.max(1, maxTokens),
      });
      const generated = maxTokens > 0 ? fakeTokens(text) : [];
      completionTokens += generated.length;
      const chosen = generated.map((token, i) => {
        const logprob = i === 0 ? (dist.find((t) => t.token === first.token)?.logprob ?? first.logprob) : -0.01;
        const top =
          i === 0
            ? Object.fromEntries([...dist.slice(0, k ?? 0), { token, logprob }].map((t) => [t.token, t.logprob]))
            : { [token]: logprob };
        return { token, logprob: logprob as number | null, top: top as Record<string, number> | null };
      });
      const all = [...echoed, ...chosen];
      let offset = echo ? 0 : prompt.length;
      const logprobs =
        k === undefined
          ? null
          : {
              tokens: all.map((t) => t.token),
              token_logprobs: all.map((t) => t.logprob),
              top_logprobs: all.map((t) => t.top),
              text_offset: all.map((t) => ((offset += t.token.length), offset - t.token.length)),
            };
      choices.push({
        index: choices.length,
        text: (echo ? prompt : '') + generated.join(''),
        logprobs,
        finish_reason: maxTokens === 0 || generated.length >= maxTokens ? 'length' : 'stop',
        stop_reason: null,
      });
    }
  }
  return {
    id: `cmpl-batch${index}`,
    object: 'text_completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices,
    usage: { prompt_tokens: promptCount, completion_tokens: completionTokens, total_tokens: promptCount + completionTokens },
  };
}

/** A multipart/form-data body's text fields and its one file. */
function parseMultipart(
  req: RecordedRequest,
): { fields: Record<string, string>; file?: { filename: string; content: string } } | undefined {
  const type = String(req.headers['content-type'] ?? '');
  const boundary = /boundary=("?)([^";]+)\1/.exec(type)?.[2];
  if (!type.startsWith('multipart/form-data') || !boundary) return undefined;
  const fields: Record<string, string> = {};
  let file: { filename: string; content: string } | undefined;
  for (const part of req.rawBody.split(`--${boundary}`)) {
    if (!part || part.startsWith('--')) continue;
    const split = part.indexOf('\r\n\r\n');
    if (split < 0) continue;
    const headers = part.slice(0, split);
    const content = part.slice(split + 4).replace(/\r\n$/, '');
    const name = /name="([^"]*)"/.exec(headers)?.[1];
    const filename = /filename="([^"]*)"/.exec(headers)?.[1];
    if (filename !== undefined) file = { filename, content };
    else if (name) fields[name] = content;
  }
  return { fields, ...(file ? { file } : {}) };
}
