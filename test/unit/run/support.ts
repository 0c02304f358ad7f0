// A tiny OpenAI-style chat completions server on 127.0.0.1 with scriptable faults, and a minimal fetch-based
// ModelProvider over it. The run tests use these so that they measure the scheduler, retries and cache
// against real HTTP, independent of the SDK-based providers.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createHash } from 'node:crypto';
import { ProviderError, type CompletionRequest, type CompletionResponse, type ModelProvider } from '../../../src/core/model';
import { parseRetryAfter } from '../../../src/core/run/retry';

export type Fault =
  | { kind: 'ok'; delayMs?: number }
  | { kind: 'status'; status: number; retryAfter?: string; delayMs?: number }
  | { kind: 'hang' }
  | { kind: 'cut'; delayMs?: number }
  | { kind: 'non-json'; delayMs?: number }
  | { kind: 'no-logprobs' };

export interface SeenRequest {
  at: number;
  body: Record<string, unknown>;
  authorization?: string;
}

export interface TestServer {
  url: string;
  requests: SeenRequest[];
  /** Highest number of requests open at once (being served or queued). */
  peak: number;
  /** Highest number of requests being served at once (≤ capacity). */
  processingPeak: number;
  /** Connections closed by the client while the server still held the request. */
  clientAborts: number;
  close(): Promise<void>;
}

export interface TestServerOptions {
  /** Decides the answer to the n-th request (0-based); default: answer at once. */
  fault?: (n: number, body: Record<string, unknown>, active: number) => Fault;
  /** Fixed latency of ok answers. */
  latencyMs?: number;
  /** Hold ok answers for latencyMs on average (timer lateness compensated), not ≥ it. */
  preciseLatency?: boolean;
  /** Serve at most this many requests at once; more wait in a FIFO queue (like Ollama's NUM_PARALLEL). */
  capacity?: number;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const sockets = new Set<Socket>();
  let active = 0;
  const state: TestServer = { url: '', requests: [], peak: 0, processingPeak: 0, clientAborts: 0, close: async () => undefined };

  let processing = 0;
  const waiting: (() => void)[] = [];
  let holdTotal = 0;
  let lateness = 1;
  let holds = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'POST' && req.url === '/stats/reset') {
      state.peak = active;
      state.processingPeak = processing;
      holdTotal = 0;
      holds = 0;
      res.writeHead(204);
      res.end();
      return;
    }
    if (req.method === 'GET' && req.url === '/stats') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          requests: state.requests.length,
          peak: state.peak,
          processingPeak: state.processingPeak,
          holdMeanMs: holds ? holdTotal / holds : 0,
          cpu: process.cpuUsage(),
        }),
      );
      return;
    }
    // Latency runs from the request's arrival, so the server's own parsing and answering lie inside it.
    let arrived = performance.now();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      } catch {
        // keep {}
      }
      const n = state.requests.length;
      state.requests.push({ at: performance.now(), body, authorization: req.headers.authorization });
      active++;
      state.peak = Math.max(state.peak, active);
      let finished = false;
      let serving = false;
      const done = (): void => {
        if (!finished) {
          finished = true;
          active--;
          if (serving) {
            processing--;
            const next = waiting.shift();
            if (next) next();
          }
        }
      };
      res.on('close', () => {
        if (!res.writableFinished) state.clientAborts++;
        done();
      });
      const serve = (): void => {
        serving = true;
        processing++;
        state.processingPeak = Math.max(state.processingPeak, processing);
        const fault = options.fault?.(n, body, active) ?? { kind: 'ok' };
        const after = (ms: number | undefined, fn: () => void): void => {
          if (!ms || ms <= 0) return fn();
          if (!options.preciseLatency) return void setTimeout(fn, ms);
          // Timers fire late (more so on a busy machine), which would add several % to a 20 ms latency. Aim
          // early by the recent mean lateness, so that the mean hold is L (single holds vary by ± the timer jitter).
          setTimeout(
            () => {
              const held = performance.now() - arrived;
              lateness = 0.9 * lateness + 0.1 * (held - (ms - lateness));
              finish();
            },
            Math.max(0, ms - lateness),
          );
          const finish = (): void => {
            holdTotal += performance.now() - arrived;
            holds++;
            fn();
          };
        };
        switch (fault.kind) {
          case 'hang':
            return;
          case 'cut':
            return after(fault.delayMs, () => {
              res.writeHead(200, { 'content-type': 'application/json', 'content-length': '500' });
              res.write('{"id":"x","choices":[{"mes');
              setTimeout(() => res.socket?.destroy(), 5);
            });
          case 'non-json':
            return after(fault.delayMs, () => {
              res.writeHead(200, { 'content-type': 'application/json' });
              res.end('<html>Bad gateway</html>');
            });
          case 'status':
            return after(fault.delayMs, () => {
              const headers: Record<string, string> = { 'content-type': 'application/json' };
              if (fault.retryAfter !== undefined) headers['retry-after'] = fault.retryAfter;
              res.writeHead(fault.status, headers);
              res.end(JSON.stringify({ error: { message: `status ${fault.status}` } }));
            });
          case 'no-logprobs':
          case 'ok': {
            const payload = JSON.stringify(answer(body, fault.kind === 'no-logprobs'));
            return after((fault.kind === 'ok' ? fault.delayMs : undefined) ?? options.latencyMs, () => {
              res.writeHead(200, { 'content-type': 'application/json' });
              res.end(payload);
            });
          }
        }
      };
      if (options.capacity !== undefined && processing >= options.capacity) {
        waiting.push(() => {
          if (finished) {
            // The client gave up while queued: admit the next one instead.
            const next = waiting.shift();
            if (next) next();
            return;
          }
          // The hold starts when the request is admitted, as in a server working through its queue.
          arrived = performance.now();
          serve();
        });
      } else serve();
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  state.url = `http://127.0.0.1:${port}/v1`;
  state.close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return state;
}

/** A deterministic answer derived from the prompt text: digits 1–4 with prompt-dependent logprobs. */
export function answer(body: Record<string, unknown>, noLogprobs = false): unknown {
  const messages = (body.messages as { content: string }[] | undefined) ?? [];
  const text = messages.map((m) => m.content).join('\n');
  const digest = createHash('sha256').update(text).digest();
  const weights = [1, 2, 3, 4].map((k) => 1 + digest[k]);
  const total = weights.reduce((a, b) => a + b, 0);
  const top = weights.map((w, k) => ({ token: String(k + 1), logprob: Math.log((w / total) * 0.95) }));
  top.push({ token: 'I', logprob: Math.log(0.05) });
  const n = typeof body.n === 'number' ? body.n : 1;
  const best = top.slice(0, 4).reduce((a, b) => (b.logprob > a.logprob ? b : a));
  const choices = Array.from({ length: n }, (_, i) => ({
    index: i,
    message: { role: 'assistant', content: n > 1 ? String(1 + ((digest[5 + (i % 20)] ?? 0) % 4)) : best.token },
    finish_reason: 'stop',
    ...(body.logprobs && !noLogprobs ? { logprobs: { content: [{ token: best.token, logprob: best.logprob, top_logprobs: top }] } } : {}),
  }));
  return {
    id: 'chatcmpl-test',
    object: 'chat.completion',
    model: body.model,
    choices,
    usage: { prompt_tokens: Math.ceil(text.length / 4), completion_tokens: n },
  };
}

/** Minimal OpenAI-compatible provider over fetch; maps every failure onto ProviderError. */
export function createTestProvider(baseURL: string, apiKey?: string): ModelProvider & { calls: number } {
  const provider = {
    id: 'openai' as const,
    origin: new URL(baseURL).origin,
    calls: 0,
    async listModels() {
      return [];
    },
    async complete(request: CompletionRequest): Promise<CompletionResponse> {
      provider.calls++;
      const body = {
        model: request.model,
        messages: request.messages,
        max_tokens: request.maxTokens,
        temperature: request.temperature,
        seed: request.seed,
        ...(request.topLogprobs ? { logprobs: true, top_logprobs: request.topLogprobs } : {}),
        ...(request.n ? { n: request.n } : {}),
      };
      let res: Response;
      let text: string;
      try {
        res = await fetch(`${baseURL}/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
          body: JSON.stringify(body),
          signal: request.signal,
        });
        text = await res.text();
      } catch (error) {
        if (request.signal.aborted) throw new ProviderError('aborted', 'aborted');
        throw new ProviderError(`network: ${(error as Error).message}`, 'network');
      }
      if (!res.ok) throw new ProviderError(`HTTP ${res.status}`, 'http', res.status, parseRetryAfter(res.headers));
      let json: {
        choices: { message: { content: string }; logprobs?: { content?: { top_logprobs: { token: string; logprob: number }[] }[] } }[];
        usage?: { prompt_tokens: number; completion_tokens: number };
        model: string;
      };
      try {
        json = JSON.parse(text) as typeof json;
      } catch {
        throw new ProviderError('The server did not answer with JSON', 'parse');
      }
      return {
        model: json.model,
        choices: json.choices.map((c) => ({
          text: c.message.content,
          ...(c.logprobs?.content?.[0] ? { firstTokenLogprobs: c.logprobs.content[0].top_logprobs } : {}),
        })),
        ...(json.usage ? { usage: { promptTokens: json.usage.prompt_tokens, completionTokens: json.usage.completion_tokens } } : {}),
      };
    },
  };
  return provider;
}

// ---------------------------------------------------------------- hand-made plans (no parser needed)

import { renderPrompt } from '../../../src/core/prompt/render';
import { cacheKey, endpointOrigin, type RequestParams } from '../../../src/core/run/key';
import type { PlannedRequest } from '../../../src/core/run/plan';
import { IMPORTANCE, item, template } from '../../support/ast-fixtures';

export interface MakePlanOptions {
  count: number;
  endpoint: string;
  model?: string;
  method?: 'logprobs' | 'sample';
  samples?: number;
  provider?: 'openai' | 'ollama';
}

/** `count` distinct logprobs (or sample) requests for one endpoint, built like buildPlan builds them. */
export function makePlan(options: MakePlanOptions): PlannedRequest[] {
  const tpl = template('direct', { en: '{question}\n{options}\nAnswer with the number only.' });
  const method = options.method ?? 'logprobs';
  const model = options.model ?? 'test-model';
  const provider = options.provider ?? 'openai';
  const plan: PlannedRequest[] = [];
  for (let i = 0; i < options.count; i++) {
    const it = item(`Q${i}`, IMPORTANCE, { en: `How important is thing number ${i} in your life?` });
    const rendered = renderPrompt({ item: it, template: tpl, language: 'en' });
    const params: RequestParams =
      method === 'logprobs'
        ? { temperature: 0, seed: 1, maxTokens: 1, topLogprobs: 20, n: 1 }
        : { temperature: 1, seed: 1, maxTokens: 16, n: options.samples ?? 20 };
    plan.push({
      index: i,
      identity: {
        itemId: it.id,
        itemHash: `h${i}`,
        language: 'en',
        template: 'direct',
        paraphrase: null,
        provider,
        model,
        endpoint: endpointOrigin(options.endpoint),
        method,
        optionOrder: rendered.optionOrder,
      },
      endpointUrl: options.endpoint,
      messages: rendered.messages,
      labels: rendered.labels,
      answerLanguages: ['en'],
      params,
      sampleIndex: 0,
      cacheKey: cacheKey({ provider, endpoint: options.endpoint, model, messages: rendered.messages, params, method, sampleIndex: 0 }),
    });
  }
  return plan;
}
