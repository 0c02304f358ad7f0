// Scheduler bench: 1,000 logprobs requests through runPlan and the real OpenAI provider (openai SDK) against
// a loopback server with a fixed 20 ms latency, at concurrency 4. The server runs in a child process so that
// the client CPU figure is the client's alone. Ideal wall time = N·L/c = 5,000 ms.
// Run alone: node --import tsx bench/scheduler.ts

import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createOpenAIProvider } from '../src/providers/openai';
import { runPlan } from '../src/core/run/runner';
import { makePlan } from '../test/unit/run/support';
import type { BenchRow } from './types';

const N = 1000;
const LATENCY_MS = 20;
const CONCURRENCY = 4;

export async function startServerChild(latencyMs: number): Promise<{ url: string; child: ChildProcess; stats(): Promise<ServerStats>; stop(): Promise<void> }> {
  const script = join(__dirname, '..', 'test', 'unit', 'run', 'bench-server.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', script, '--latency', String(latencyMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n')) resolve(line.trim());
    });
    child.on('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  });
  const origin = new URL(url).origin;
  return {
    url,
    child,
    stats: async () => (await (await fetch(`${origin}/stats`)).json()) as ServerStats,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

interface ServerStats {
  requests: number;
  peak: number;
  holdMeanMs: number;
  cpu: { user: number; system: number };
}

export async function run(): Promise<BenchRow[]> {
  const server = await startServerChild(LATENCY_MS);
  try {
    const providers = () => createOpenAIProvider({ baseURL: server.url });
    // Warm-up (JIT, module loading, first connections), not counted.
    await runPlan(makePlan({ count: 16, endpoint: server.url, model: 'warmup' }), { providers, concurrencyPerEndpoint: CONCURRENCY });
    const before = await server.stats();

    const plan = makePlan({ count: N, endpoint: server.url });
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const summary = await runPlan(plan, { providers, concurrencyPerEndpoint: CONCURRENCY });
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const after = await server.stats();

    const ok = summary.records.filter((r) => r.kind === 'result').length;
    const ideal = (N * LATENCY_MS) / CONCURRENCY;
    const ratio = wall / ideal;
    const cpuPerRequestMs = (cpu.user + cpu.system) / 1000 / N;
    const serverCpuPerRequestMs = (after.cpu.user + after.cpu.system - before.cpu.user - before.cpu.system) / 1000 / N;
    const note = `${N} requests, L=${LATENCY_MS} ms (server hold mean ${after.holdMeanMs.toFixed(2)} ms), c=${CONCURRENCY}; ${ok}/${N} results; server in a child process`;
    return [
      { group: 'scheduler', name: 'wall time / ideal (N·L/c)', value: ratio, unit: '×', target: '≤ 1.05', pass: ratio <= 1.05 && ok === N, note: `${wall.toFixed(0)} ms vs ${ideal} ms; ${note}` },
      { group: 'scheduler', name: 'client CPU per request', value: cpuPerRequestMs, unit: 'ms', note: `runPlan + openai SDK + scoring (server CPU ${serverCpuPerRequestMs.toFixed(3)} ms/request, not included)` },
      { group: 'scheduler', name: 'peak in-flight at the server', value: after.peak, unit: '', target: `= ${CONCURRENCY}`, pass: after.peak === CONCURRENCY },
      { group: 'scheduler', name: 'requests seen by the server', value: after.requests - before.requests, unit: '', target: `= ${N}`, pass: after.requests - before.requests === N },
    ];
  } finally {
    await server.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  run().then(
    (rows) => console.table(rows),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
