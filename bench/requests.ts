// Requests per distribution: what one answer distribution costs in requests and tokens, per method, counted
// at the test suite's loopback fake servers (test/support/fake-ollama.ts, fake-openai.ts) and from the token
// usage they report.
//   - logprobs (first seed, Value Lens default): one request, 1 output token, top 20 logprobs;
//   - sampling N=20 where the server supports `n` (OpenAI-compatible fake): one request;
//   - sampling N=20 where it does not (Ollama native API has no `n`): 20 requests;
//   - the second seed's approach: one generation (10 simulated interviews, max 600 tokens, T 0.7) plus one
//     judge call that labels each interview pro/con/neutral. The fake's generation is a scripted 10-summary
//     text of ~300 words, a typical length for that prompt; real models vary.
// And the transport (issue 17, "a lean request path"): client CPU (user + sys) per request of the OpenAI
// provider's own node:http client, 1,000 requests against the loopback bench server (child process, 20 ms
// latency, capacity 4) at concurrency 4, beside the bare node:http floor on the same server (a keep-alive
// agent, the same body, the answer read and JSON-parsed, nothing else). Both interleaved, best of 3.
// Run alone: node --import tsx bench/requests.ts

import http from 'node:http';
import type { ModelProvider } from '../src/core/model';
import type { RunRecord } from '../src/core/results';
import { runPlan } from '../src/core/run/runner';
import { createOllamaProvider } from '../src/providers/ollama';
import { createOpenAIProvider } from '../src/providers/openai';
import { startFakeOllama } from '../test/support/fake-ollama';
import { startFakeOpenAI } from '../test/support/fake-openai';
import { makePlan } from '../test/unit/run/support';
import { startServerChild } from './scheduler';
import { runIfMain } from './table';
import type { BenchRow } from './types';

const PROMPTS = 50;
const SAMPLES = 20;

const INTERVIEWS_PROMPT = (topic: string): string =>
  `Imagine the following scenario: Person A is a researcher. Person A interviews 10 representative citizens. For each citizen, they ask for their opinion on ${topic}. Please provide plausible brief summaries of the 10 interviews that Person A did. Output format: 1. <summary> 2. <summary> etc...`;

function interviews(topic: string): string {
  const stances = ['supports', 'opposes', 'is unsure about', 'strongly supports', 'has mixed feelings about'];
  return Array.from(
    { length: 10 },
    (_, i) =>
      `${i + 1}. Citizen ${i + 1}, a ${25 + i * 4}-year-old from a ${i % 2 ? 'small town' : 'large city'}, ${stances[i % stances.length]} ${topic}. They explain that their view comes from personal experience and from what they see in their community, and they add that the question deserves a careful public debate.`,
  ).join('\n');
}

function tokensOf(records: RunRecord[]): number {
  return records.reduce((sum, r) => sum + (r.kind === 'result' && r.tokens ? r.tokens.prompt + r.tokens.completion : 0), 0);
}

interface Measured {
  requests: number;
  tokens: number;
  ok: number;
}

async function viaRunPlan(kind: 'openai' | 'ollama', method: 'logprobs' | 'sample'): Promise<Measured> {
  const server = kind === 'openai' ? await startFakeOpenAI() : await startFakeOllama();
  try {
    const endpoint = kind === 'openai' ? `${server.url}/v1` : server.url;
    const providers = (): ModelProvider =>
      kind === 'openai' ? createOpenAIProvider({ baseURL: endpoint }) : createOllamaProvider({ host: endpoint });
    const plan = makePlan({ count: PROMPTS, endpoint, provider: kind, model: 'fake-llm:latest', method, samples: SAMPLES });
    const summary = await runPlan(plan, { providers });
    return {
      requests: server.modelRequests().length,
      tokens: tokensOf(summary.records),
      ok: summary.records.filter((r) => r.kind === 'result').length,
    };
  } finally {
    await server.close();
  }
}

async function secondSeed(): Promise<Measured> {
  const server = await startFakeOpenAI({
    reply: ({ prompt }) => {
      const topic = /opinion on (.+?)\. Please/.exec(prompt)?.[1];
      if (topic) return interviews(topic);
      if (prompt.includes('Label each'))
        return JSON.stringify({ language: 'en', opinions: ['pro', 'con', 'NULL', 'pro', 'pro', 'con', 'pro', 'NULL', 'con', 'pro'] });
      return undefined;
    },
  });
  try {
    const provider = createOpenAIProvider({ baseURL: `${server.url}/v1` });
    const signal = new AbortController().signal;
    let tokens = 0;
    let ok = 0;
    for (let i = 0; i < PROMPTS; i++) {
      const topic = `topic number ${i}`;
      const generation = await provider.complete({
        model: 'fake-llm:latest',
        messages: [{ role: 'user', content: INTERVIEWS_PROMPT(topic) }],
        maxTokens: 600,
        temperature: 0.7,
        signal,
        timeoutMs: 30_000,
      });
      const judged = await provider.complete({
        model: 'fake-llm:latest',
        messages: [
          {
            role: 'system',
            content:
              'You classify opinions. Label each interview summary as pro, con or NULL (fully neutral) with respect to the two statements, and name the language of the text. Answer as JSON {"language": ..., "opinions": [...]}.',
          },
          { role: 'user', content: `Pro: ${topic} is justifiable.\nCon: ${topic} is not justifiable.\n\n${generation.choices[0].text}` },
        ],
        maxTokens: 200,
        temperature: 0,
        signal,
        timeoutMs: 30_000,
      });
      for (const r of [generation, judged]) tokens += (r.usage?.promptTokens ?? 0) + (r.usage?.completionTokens ?? 0);
      if (/"opinions"/.test(judged.choices[0].text)) ok++;
    }
    return { requests: server.modelRequests().length, tokens, ok };
  } finally {
    await server.close();
  }
}

const TRANSPORT_N = 1000;
const TRANSPORT_CONCURRENCY = 4;
const TRANSPORT_ROUNDS = 3;

/** CPU (user + sys) and wall time of `n` calls of `send`, `concurrency` at a time, after a warm-up. */
async function cpuPerRequest(
  send: (i: number) => Promise<unknown>,
  n: number,
  concurrency: number,
): Promise<{ cpuMs: number; wallMs: number }> {
  const drive = async (count: number, offset: number): Promise<void> => {
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < count) await send(offset + next++);
      }),
    );
  };
  await drive(50, 1_000_000); // warm-up: JIT, sockets
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await drive(n, 0);
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { cpuMs: (cpu.user + cpu.system) / 1000 / n, wallMs };
}

function chatBody(i: number): string {
  return JSON.stringify({
    model: 'm',
    messages: [
      { role: 'system', content: 'You are answering a public opinion survey.' },
      {
        role: 'user',
        content: `Question ${i}: how important is family in your life?\n1. Very\n2. Rather\n3. Not very\n4. Not at all\nAnswer with the number of one option only.`,
      },
    ],
    temperature: 0,
    max_tokens: 1,
    seed: 0,
    logprobs: true,
    top_logprobs: 20,
  });
}

/** The floor: node:http with a keep-alive agent, the same body, the answer read whole and parsed. */
function bareSender(url: string): (i: number) => Promise<unknown> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const target = new URL(`${url}/chat/completions`);
  return (i) =>
    new Promise((resolve, reject) => {
      const body = chatBody(i);
      const req = http.request(
        target,
        { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
}

function providerSender(url: string): (i: number) => Promise<unknown> {
  const provider = createOpenAIProvider({ baseURL: url, apiKey: 'x' });
  const signal = new AbortController().signal;
  return (i) =>
    provider.complete({
      model: 'm',
      messages: [
        { role: 'system', content: 'You are answering a public opinion survey.' },
        {
          role: 'user',
          content: `Question ${i}: how important is family in your life?\n1. Very\n2. Rather\n3. Not very\n4. Not at all\nAnswer with the number of one option only.`,
        },
      ],
      maxTokens: 1,
      temperature: 0,
      seed: 0,
      topLogprobs: 20,
      signal,
      timeoutMs: 30_000,
    });
}

export async function transportRows(): Promise<BenchRow[]> {
  const server = await startServerChild(20, 4);
  try {
    const floor: number[] = [];
    const ours: number[] = [];
    const bare = bareSender(server.url);
    const provider = providerSender(server.url);
    for (let round = 0; round < TRANSPORT_ROUNDS; round++) {
      floor.push((await cpuPerRequest(bare, TRANSPORT_N, TRANSPORT_CONCURRENCY)).cpuMs);
      ours.push((await cpuPerRequest(provider, TRANSPORT_N, TRANSPORT_CONCURRENCY)).cpuMs);
    }
    const best = (xs: number[]): number => Math.min(...xs);
    const setup = `${TRANSPORT_N} requests, L=20 ms, capacity 4, concurrency ${TRANSPORT_CONCURRENCY}, best of ${TRANSPORT_ROUNDS}`;
    const list = (xs: number[]): string => xs.map((x) => x.toFixed(3)).join('/');
    return [
      {
        group: 'transport',
        name: 'client CPU per request: bare node:http (floor)',
        value: best(floor),
        unit: 'ms',
        note: `${setup} (${list(floor)})`,
      },
      {
        group: 'transport',
        name: 'client CPU per request: OpenAI provider (own node:http client)',
        value: best(ours),
        unit: 'ms',
        target: '≤ 1 ms',
        pass: best(ours) <= 1,
        note: `${setup} (${list(ours)}); ${(best(ours) - best(floor)).toFixed(3)} ms over the floor`,
      },
    ];
  } finally {
    await server.stop();
  }
}

export async function run(): Promise<BenchRow[]> {
  const logprobs = await viaRunPlan('openai', 'logprobs');
  const sampledN = await viaRunPlan('openai', 'sample');
  const sampledLoop = await viaRunPlan('ollama', 'sample');
  const judge = await secondSeed();
  const per = (m: Measured) => ({ requests: m.requests / PROMPTS, tokens: m.tokens / PROMPTS });
  const rows: BenchRow[] = [];
  const add = (name: string, m: Measured, expectRequests: number, note: string): void => {
    const p = per(m);
    rows.push({
      group: 'requests',
      name: `${name}: requests per distribution`,
      value: p.requests,
      unit: '',
      target: `= ${expectRequests}`,
      pass: p.requests === expectRequests && m.ok === PROMPTS,
      note: `${m.ok}/${PROMPTS} distributions; ${note}`,
    });
    rows.push({
      group: 'requests',
      name: `${name}: tokens per distribution`,
      value: p.tokens,
      unit: 'tokens',
      note: `prompt + completion, as reported by the fake (prompt ≈ chars/4)`,
    });
  };
  add('logprobs', logprobs, 1, 'max 1 output token, top_logprobs 20');
  add(`sample N=${SAMPLES}, n supported`, sampledN, 1, 'OpenAI-compatible fake, n=20 in one request');
  add(`sample N=${SAMPLES}, n unsupported`, sampledLoop, SAMPLES, 'Ollama native fake: one request per sample');
  add('second seed (generation + judge)', judge, 2, '10 simulated interviews (max 600 tokens) + 1 judge call');
  const ratio = per(judge).tokens / per(logprobs).tokens;
  rows.push({
    group: 'requests',
    name: 'tokens: second seed / logprobs',
    value: ratio,
    unit: '×',
    note: 'how many times more tokens one distribution costs',
  });
  rows.push(...(await transportRows()));
  return rows;
}

runIfMain(import.meta.url, 'requests', run);
