// A loopback server speaking Ollama's native API (/api/chat, /api/generate, /api/tags, /api/show,
// /api/version, /api/pull) in the shapes of Ollama ≥ 0.12.11, including logprobs/top_logprobs.
// /api/generate follows docs/api.md: without `raw` the model's template wraps `system` and `prompt` and
// the final object carries `context` (the conversation encoding); with `raw: true` the prompt is the
// model's input verbatim, `system`/`template` are not applied and no `context` is returned.

import type http from 'node:http';
import {
  fakeText,
  promptTokens,
  retryAfterHeaders,
  sendCut,
  sendTransportFault,
  sendJson,
  sleep,
  startServer,
  type FakeBehaviour,
  type FakeServer,
  type FakeToken,
  type RecordedRequest,
  type RouteContext,
} from './fake-common';

export type { FakeServer, FakeBehaviour, Fault } from './fake-common';

export const FAKE_OLLAMA_VERSION = '0.12.11';
const MODEL_PATHS = new Set(['/api/chat', '/api/generate']);

interface OllamaBody {
  model?: string;
  messages?: { role: string; content: string }[];
  prompt?: string;
  system?: string;
  raw?: boolean;
  stream?: boolean;
  logprobs?: boolean;
  top_logprobs?: number;
  think?: boolean;
  keep_alive?: string | number;
  options?: { temperature?: number; seed?: number; num_predict?: number };
}

function bytesOf(token: string): number[] {
  return [...Buffer.from(token, 'utf8')];
}

function logprobEntries(text: string, first: FakeToken, dist: FakeToken[], top: number) {
  const pieces = text.split(/(?=\s)/).filter(Boolean);
  return pieces.map((token, i) => {
    const logprob = i === 0 ? (dist.find((t) => t.token === first.token)?.logprob ?? first.logprob) : -0.01;
    const alternatives = i === 0 ? dist.slice(0, top) : [{ token, logprob }].slice(0, top);
    return {
      token,
      logprob,
      bytes: bytesOf(token),
      top_logprobs: alternatives.map((t) => ({ token: t.token, logprob: t.logprob, bytes: bytesOf(t.token) })),
    };
  });
}

/** A stand-in for the token ids Ollama returns as `context` on non-raw /api/generate answers. */
function contextOf(prompt: string, text: string): number[] {
  return [...Buffer.from(prompt + text, 'utf8')].slice(0, 64).map((b, i) => 1000 + b + i);
}

function errorFor(res: http.ServerResponse, ctx: RouteContext, model: string): boolean {
  const f = ctx.fault;
  if (!f) return false;
  if (sendTransportFault(res, f)) return true;
  switch (f.kind) {
    case 'status':
      sendJson(res, f.status, f.body ?? { error: `status ${f.status}` }, f.headers);
      return true;
    case 'rateLimit':
      sendJson(res, 429, { error: 'rate limit exceeded' }, retryAfterHeaders(f));
      return true;
    case 'busy':
      sendJson(res, 503, { error: 'server busy, please try again.  maximum pending requests exceeded' });
      return true;
    case 'unauthorized':
      sendJson(res, 401, { error: 'unauthorized' });
      return true;
    case 'modelNotFound':
      sendJson(res, 404, { error: `model '${model}' not found` });
      return true;
    default:
      return false;
  }
}

async function answer(req: RecordedRequest, res: http.ServerResponse, ctx: RouteContext): Promise<void> {
  const b = ctx.behaviour;
  const body = (req.body ?? {}) as OllamaBody;
  const model = body.model ?? '';
  if (ctx.fault?.kind === 'slow') await sleep(ctx.fault.delayMs);
  if (b.latencyMs > 0) await sleep(b.latencyMs);
  if (errorFor(res, ctx, model)) return;
  if (!model) return sendJson(res, 400, { error: 'model is required' });
  if (b.rejectUnknownModels && !b.models.some((m) => m.name === model || m.name === `${model}:latest`)) {
    return sendJson(res, 404, { error: `model '${model}' not found` });
  }
  if (b.rejectThink && body.think !== undefined) return sendJson(res, 400, { error: `"${model}" does not support thinking` });
  const top = body.top_logprobs ?? 0;
  if (top < 0 || top > 20) return sendJson(res, 400, { error: 'top_logprobs must be between 0 and 20' });
  const chat = req.path === '/api/chat';
  if (chat && !Array.isArray(body.messages)) return sendJson(res, 400, { error: 'messages are required' });
  if (!chat && body.prompt !== undefined && typeof body.prompt !== 'string')
    return sendJson(res, 400, { error: 'prompt must be a string' });
  const raw = !chat && body.raw === true;
  // The deterministic model sees what the real one would: a raw prompt as sent, otherwise the template's output.
  const prompt = chat
    ? (body.messages ?? []).map((m) => `${m.role}: ${m.content}`).join('\n')
    : raw
      ? (body.prompt ?? '')
      : `${body.system ? `system: ${body.system}\n` : ''}user: ${body.prompt ?? ''}`;
  const o = body.options ?? {};
  const maxTokens = o.num_predict ?? 128;
  const { text, first, dist } = fakeText(b, {
    model,
    prompt,
    temperature: o.temperature ?? 0.8,
    seed: o.seed,
    index: 0,
    maxTokens,
  });
  const wantLogprobs = body.logprobs === true && b.logprobs === 'ok' && ctx.fault?.kind !== 'noLogprobs';
  if (body.logprobs && b.logprobs === 'reject') return sendJson(res, 400, { error: 'logprobs are not supported by this model' });
  const logprobs = wantLogprobs ? logprobEntries(text, first, dist, top) : undefined;
  const final = {
    model,
    created_at: new Date().toISOString(),
    ...(chat ? { message: { role: 'assistant', content: text } } : { response: text }),
    done: true,
    done_reason: maxTokens <= text.split(/(?=\s)/).length ? 'length' : 'stop',
    total_duration: 1_000_000,
    load_duration: 100_000,
    prompt_eval_count: promptTokens(prompt),
    prompt_eval_duration: 200_000,
    eval_count: text.split(/(?=\s)/).length,
    eval_duration: 300_000,
    ...(chat || raw ? {} : { context: contextOf(prompt, text) }),
    ...(logprobs ? { logprobs } : {}),
  };
  if (ctx.fault?.kind === 'cut') return sendCut(res, final);
  if (body.stream === false) return sendJson(res, 200, final);
  // Streaming (Ollama's default): one NDJSON object per token, the final one with done and stats.
  res.writeHead(200, { 'content-type': 'application/x-ndjson' });
  const pieces = text.split(/(?=\s)/);
  pieces.forEach((piece, i) => {
    const chunk = {
      model,
      created_at: new Date().toISOString(),
      ...(chat ? { message: { role: 'assistant', content: piece } } : { response: piece }),
      done: false,
      ...(logprobs ? { logprobs: [logprobs[i]] } : {}),
    };
    res.write(JSON.stringify(chunk) + '\n');
  });
  const { logprobs: _omit, ...rest } = final;
  res.end(JSON.stringify({ ...rest, ...(chat ? { message: { role: 'assistant', content: '' } } : { response: '' }) }) + '\n');
}

async function pull(req: RecordedRequest, res: http.ServerResponse, ctx: RouteContext): Promise<void> {
  const body = (req.body ?? {}) as { model?: string; name?: string; stream?: boolean };
  const model = body.model ?? body.name ?? '';
  if (errorFor(res, ctx, model)) return;
  if (!model) return sendJson(res, 400, { error: 'model is required' });
  if (model.startsWith('missing')) return sendJson(res, 500, { error: 'pull model manifest: file does not exist' });
  const digest = 'sha256:' + Buffer.from(model).toString('hex').padEnd(64, '0').slice(0, 64);
  const total = 4_000_000;
  const steps = [
    { status: 'pulling manifest' },
    ...[0, 1_000_000, 2_500_000, total].map((completed) => ({ status: `pulling ${digest.slice(7, 19)}`, digest, total, completed })),
    { status: 'verifying sha256 digest' },
    { status: 'writing manifest' },
    { status: 'success' },
  ];
  // Known before "success" is sent: a client may list models as soon as it reads it.
  if (!ctx.behaviour.models.some((m) => m.name === model)) ctx.behaviour.models.push({ name: model, digest, size: total });
  if (body.stream === false) return sendJson(res, 200, { status: 'success' });
  res.writeHead(200, { 'content-type': 'application/x-ndjson' });
  for (const step of steps) {
    if (res.destroyed) return;
    res.write(JSON.stringify(step) + '\n');
    await sleep(ctx.behaviour.latencyMs || 5);
  }
  res.end();
}

async function route(req: RecordedRequest, res: http.ServerResponse, ctx: RouteContext): Promise<void> {
  const b = ctx.behaviour;
  if (req.method === 'POST' && MODEL_PATHS.has(req.path)) return answer(req, res, ctx);
  if (req.method === 'POST' && req.path === '/api/pull') return pull(req, res, ctx);
  if (errorFor(res, ctx, '')) return;
  if (req.method === 'GET' && req.path === '/api/tags') {
    return sendJson(res, 200, {
      models: b.models.map((m) => ({
        name: m.name,
        model: m.name,
        modified_at: '2026-11-01T10:00:00.000000000Z',
        size: m.size ?? 1_000_000,
        digest: (m.digest ?? '').replace(/^sha256:/, ''),
        details: {
          parent_model: '',
          format: 'gguf',
          family: 'llama',
          families: ['llama'],
          parameter_size: '1B',
          quantization_level: 'Q4_K_M',
        },
      })),
    });
  }
  if (req.method === 'POST' && req.path === '/api/show') {
    const model = ((req.body ?? {}) as { model?: string }).model ?? '';
    if (!b.models.some((m) => m.name === model || m.name === `${model}:latest`)) {
      return sendJson(res, 404, { error: `model '${model}' not found` });
    }
    return sendJson(res, 200, {
      license: '',
      modelfile: `FROM ${model}`,
      parameters: 'temperature 0.8',
      template: '{{ .Prompt }}',
      details: {
        parent_model: '',
        format: 'gguf',
        family: 'llama',
        families: ['llama'],
        parameter_size: '1B',
        quantization_level: 'Q4_K_M',
      },
      model_info: { 'general.architecture': 'llama', 'llama.context_length': 131072 },
      capabilities: model.includes('reasoner') ? ['completion', 'thinking'] : ['completion'],
      modified_at: '2026-11-01T10:00:00.000000000Z',
    });
  }
  if (req.method === 'GET' && req.path === '/api/version') return sendJson(res, 200, { version: FAKE_OLLAMA_VERSION });
  if (req.method === 'GET' && req.path === '/') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    return void res.end('Ollama is running');
  }
  res.writeHead(404, { 'content-type': 'text/plain' });
  res.end('404 page not found');
}

export function startFakeOllama(options: Partial<FakeBehaviour> & { port?: number } = {}): Promise<FakeServer> {
  const { port, ...behaviour } = options;
  return startServer(route, (p) => MODEL_PATHS.has(p), behaviour, port);
}
