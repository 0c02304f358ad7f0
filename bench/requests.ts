// Requests per distribution: what one answer distribution costs in requests and tokens, per method, counted
// at B1's loopback fake servers and from the token usage they report.
//   - logprobs (first seed, Value Lens default): one request, 1 output token, top 20 logprobs;
//   - sampling N=20 where the server supports `n` (OpenAI-compatible fake): one request;
//   - sampling N=20 where it does not (Ollama native API has no `n`): 20 requests;
//   - the second seed's approach: one generation (10 simulated interviews, max 600 tokens, T 0.7) plus one
//     judge call that labels each interview pro/con/neutral. The fake's generation is a scripted 10-summary
//     text of ~300 words, a typical length for that prompt; real models vary.
// Run alone: node --import tsx bench/requests.ts

import type { ModelProvider } from '../src/core/model';
import type { RunRecord } from '../src/core/results';
import { runPlan } from '../src/core/run/runner';
import { createOllamaProvider } from '../src/providers/ollama';
import { createOpenAIProvider } from '../src/providers/openai';
import { startFakeOllama } from '../test/support/fake-ollama';
import { startFakeOpenAI } from '../test/support/fake-openai';
import { makePlan } from '../test/unit/run/support';
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
    const providers = (): ModelProvider => (kind === 'openai' ? createOpenAIProvider({ baseURL: endpoint }) : createOllamaProvider({ host: endpoint }));
    const plan = makePlan({ count: PROMPTS, endpoint, provider: kind, model: 'fake-llm:latest', method, samples: SAMPLES });
    const summary = await runPlan(plan, { providers });
    return { requests: server.modelRequests().length, tokens: tokensOf(summary.records), ok: summary.records.filter((r) => r.kind === 'result').length };
  } finally {
    await server.close();
  }
}

async function secondSeed(): Promise<Measured> {
  const server = await startFakeOpenAI({
    reply: ({ prompt }) => {
      const topic = /opinion on (.+?)\. Please/.exec(prompt)?.[1];
      if (topic) return interviews(topic);
      if (prompt.includes('Label each')) return JSON.stringify({ language: 'en', opinions: ['pro', 'con', 'NULL', 'pro', 'pro', 'con', 'pro', 'NULL', 'con', 'pro'] });
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
          { role: 'system', content: 'You classify opinions. Label each interview summary as pro, con or NULL (fully neutral) with respect to the two statements, and name the language of the text. Answer as JSON {"language": ..., "opinions": [...]}.' },
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

export async function run(): Promise<BenchRow[]> {
  const logprobs = await viaRunPlan('openai', 'logprobs');
  const sampledN = await viaRunPlan('openai', 'sample');
  const sampledLoop = await viaRunPlan('ollama', 'sample');
  const judge = await secondSeed();
  const per = (m: Measured) => ({ requests: m.requests / PROMPTS, tokens: m.tokens / PROMPTS });
  const rows: BenchRow[] = [];
  const add = (name: string, m: Measured, expectRequests: number, note: string): void => {
    const p = per(m);
    rows.push({ group: 'requests', name: `${name}: requests per distribution`, value: p.requests, unit: '', target: `= ${expectRequests}`, pass: p.requests === expectRequests && m.ok === PROMPTS, note: `${m.ok}/${PROMPTS} distributions; ${note}` });
    rows.push({ group: 'requests', name: `${name}: tokens per distribution`, value: p.tokens, unit: 'tokens', note: `prompt + completion, as reported by the fake (prompt ≈ chars/4)` });
  };
  add('logprobs', logprobs, 1, 'max 1 output token, top_logprobs 20');
  add(`sample N=${SAMPLES}, n supported`, sampledN, 1, 'OpenAI-compatible fake, n=20 in one request');
  add(`sample N=${SAMPLES}, n unsupported`, sampledLoop, SAMPLES, 'Ollama native fake: one request per sample');
  add('second seed (generation + judge)', judge, 2, '10 simulated interviews (max 600 tokens) + 1 judge call');
  const ratio = per(judge).tokens / per(logprobs).tokens;
  rows.push({ group: 'requests', name: 'tokens: second seed / logprobs', value: ratio, unit: '×', note: 'how many times more tokens one distribution costs' });
  return rows;
}

runIfMain(import.meta.url, 'requests', run);
