// The whole CLI process on the request path (issue 17's table), each measured with /usr/bin/time on
// `node dist/cli.js score …` (start-up, module loading, planning, requests, cache, results file):
//   - 1,000 requests against a loopback server (child process) with 20 ms latency and capacity 4, client
//     concurrency 4: wall / ideal (N·L/c = 5,000 ms), and the client's CPU (user + sys) per request, with
//     and without the process's start-up CPU (`value-lens --help`);
//   - a re-run of 10,000 cached results (2,500 items × 4 languages; the cache filled by a first CLI run
//     against a 0 ms server): wall time and requests the server saw (must be 0);
//   - the same 10,000 conditions as a study's cached re-run (`value-lens run STUDY --no-analysis`).
// Run alone: node --import tsx bench/cli-path.ts
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { measureCli, type Measured } from './analyze';
import { BENCH_LANGUAGES, directTemplate, generateContent, toWvs } from './parse';
import { startServerChild } from './scheduler';
import { runIfMain } from './table';
import type { BenchRow } from './types';

const LANGUAGES = BENCH_LANGUAGES;
const LATENCY_MS = 20;
const CAPACITY = 4;
const CONCURRENCY = 4;
const LIVE_ITEMS = 250;
const CACHED_ITEMS = 2500;
const ROUNDS = Math.max(1, Number(process.env.VL_BENCH_CLI_ROUNDS ?? 3));
const GROUP = 'cli';

function writeInputs(dir: string, items: number): void {
  const template = directTemplate();
  writeFileSync(join(dir, `items-${items}.wvs`), toWvs(generateContent(items)));
  writeFileSync(join(dir, 'prompts.wvt'), template);
}

/** A study of the cached re-run's 10,000 conditions (2,500 items × 4 languages, the direct template). */
function writeStudy(dir: string, url: string): string {
  const path = join(dir, 'bench.study.json');
  writeFileSync(
    path,
    JSON.stringify({
      name: 'bench',
      items: [{ file: join(dir, `items-${CACHED_ITEMS}.wvs`) }],
      templates: [{ file: join(dir, 'prompts.wvt'), names: ['direct'], paraphrases: 'none' }],
      languages: LANGUAGES,
      models: [{ id: 'm', provider: 'openai', model: 'm', endpoint: url, kind: 'chat' }],
      method: 'logprobs',
      confirmAbove: 100_000,
    }),
  );
  return path;
}

function scoreArgs(dir: string, items: number, url: string, cache: string, concurrency: number, fresh: boolean): string[] {
  return [
    'score',
    join(dir, `items-${items}.wvs`),
    '--template',
    join(dir, 'prompts.wvt'),
    '--template-name',
    'direct',
    '--provider',
    'openai',
    '--endpoint',
    url,
    '--model',
    'm',
    '--method',
    'logprobs',
    '--concurrency',
    String(concurrency),
    ...(fresh ? ['--fresh'] : []),
    '--cache-dir',
    cache,
    '--out',
    join(dir, 'results.jsonl'),
  ];
}

function results(dir: string): number {
  return readFileSync(join(dir, 'results.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{"kind":"result"')).length;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export async function run(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'vl-bench-cli-'));
  const env = { PATH: process.env.PATH, HOME: dir, TMPDIR: tmpdir(), OPENAI_API_KEY: 'x' };
  const rows: BenchRow[] = [];
  try {
    writeInputs(dir, LIVE_ITEMS);
    writeInputs(dir, CACHED_ITEMS);
    const live = LIVE_ITEMS * LANGUAGES.length;
    const server = await startServerChild(LATENCY_MS, CAPACITY);
    const runs: Measured[] = [];
    const seen: number[] = [];
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const before = (await server.stats()).requests;
        const r = await measureCli(scoreArgs(dir, LIVE_ITEMS, server.url, join(dir, `cache-live-${round}`), CONCURRENCY, true), {
          cwd: dir,
          env,
        });
        if (r.code !== 0) throw new Error(`score exited ${r.code}: ${r.stderr.slice(-300)}`);
        if (results(dir) !== live) throw new Error(`${results(dir)} results of ${live}`);
        seen.push((await server.stats()).requests - before);
        runs.push(r);
      }
    } finally {
      await server.stop();
    }
    const ideal = (live * LATENCY_MS) / CAPACITY;
    const wall = median(runs.map((r) => r.ms));
    const cpu = median(runs.map((r) => r.cpuMs));
    const setup = `${live} requests, L=${LATENCY_MS} ms, capacity ${CAPACITY}, concurrency ${CONCURRENCY}, median of ${ROUNDS}; server saw ${seen.join('/')}`;
    rows.push({
      group: GROUP,
      name: `${live} requests, whole CLI process: wall / ideal (${ideal} ms)`,
      value: wall / ideal,
      unit: '×',
      target: '≤ 1.05',
      pass: wall / ideal <= 1.05 && seen.every((n) => n === live),
      note: `${setup}; wall ${runs.map((r) => r.ms.toFixed(0)).join('/')} ms`,
    });
    rows.push({
      group: GROUP,
      name: 'client CPU (user + sys) per request, whole CLI process',
      value: cpu / live,
      unit: 'ms',
      target: '≤ 1 ms',
      pass: cpu / live <= 1,
      note: `CPU ${runs.map((r) => r.cpuMs.toFixed(0)).join('/')} ms incl. start-up; peak RSS ${(median(runs.map((r) => r.maxRssBytes)) / 2 ** 20).toFixed(0)} MiB`,
    });
    // The same without the process's start-up (node, loading dist/cli.js, printing the help): what each
    // request costs once the CLI runs — planning, the provider's HTTP client, scoring, cache and results.
    const startups: Measured[] = [];
    for (let round = 0; round < ROUNDS; round++) startups.push(await measureCli(['--help'], { cwd: dir, env }));
    const startup = median(startups.map((r) => r.cpuMs));
    rows.push({
      group: GROUP,
      name: 'client CPU (user + sys) per request, whole CLI process, start-up subtracted',
      value: (cpu - startup) / live,
      unit: 'ms',
      note: `start-up (value-lens --help) ${startups.map((r) => r.cpuMs.toFixed(0)).join('/')} ms CPU; the provider's own share is the transport group's row (bench/requests.ts)`,
    });

    // 10,000 cached results: fill through the CLI (0 ms server), then the timed re-run.
    const cached = CACHED_ITEMS * LANGUAGES.length;
    const fast = await startServerChild(0);
    try {
      const cache = join(dir, 'cache-10k');
      const fill = await measureCli(scoreArgs(dir, CACHED_ITEMS, fast.url, cache, 16, false), { cwd: dir, env });
      if (fill.code !== 0 || results(dir) !== cached)
        throw new Error(`fill: exit ${fill.code}, ${results(dir)} results: ${fill.stderr.slice(-300)}`);
      const reruns: Measured[] = [];
      const sent: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const before = (await fast.stats()).requests;
        const r = await measureCli(scoreArgs(dir, CACHED_ITEMS, fast.url, cache, CONCURRENCY, false), { cwd: dir, env });
        if (r.code !== 0 || results(dir) !== cached)
          throw new Error(`re-run: exit ${r.code}, ${results(dir)} results: ${r.stderr.slice(-300)}`);
        sent.push((await fast.stats()).requests - before);
        reruns.push(r);
      }
      const rerunWall = median(reruns.map((r) => r.ms));
      rows.push({
        group: GROUP,
        name: `re-run of ${cached.toLocaleString('en')} cached results, whole CLI process`,
        value: rerunWall,
        unit: 'ms',
        target: '≤ 500 ms',
        pass: rerunWall <= 500 && sent.every((n) => n === 0),
        note: `wall ${reruns.map((r) => r.ms.toFixed(0)).join('/')} ms, CPU ${reruns.map((r) => r.cpuMs.toFixed(0)).join('/')} ms; requests sent ${sent.join('/')}; fill ${(fill.ms / 1000).toFixed(1)} s`,
      });
      rows.push({
        group: GROUP,
        name: `CPU (user + sys) of the cached re-run`,
        value: median(reruns.map((r) => r.cpuMs)),
        unit: 'ms',
        target: '≤ 500 ms',
        pass: median(reruns.map((r) => r.cpuMs)) <= 500,
        note: 'CPU time: the figure that a busy machine does not inflate',
      });

      // The same 10,000 conditions as a study (`value-lens run STUDY --no-analysis`, into its corpus): its
      // answers are the fill's (a cache key has no study name); the first run writes the study's load and
      // plan memos.
      const study = writeStudy(dir, fast.url);
      const studyArgs = ['run', study, '--no-analysis', '--cache-dir', cache, '--trust-endpoint', '--concurrency', String(CONCURRENCY)];
      const first = await measureCli(studyArgs, { cwd: dir, env });
      if (first.code !== 0) throw new Error(`study run: exit ${first.code}: ${first.stderr.slice(-300)}`);
      const studyRuns: Measured[] = [];
      const studySent: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const before = (await fast.stats()).requests;
        const r = await measureCli(studyArgs, { cwd: dir, env });
        if (r.code !== 0 || !r.stderr.includes(`${cached} scored (${cached} from cache)`))
          throw new Error(`study re-run: exit ${r.code}: ${r.stderr.slice(-300)}`);
        studySent.push((await fast.stats()).requests - before);
        studyRuns.push(r);
      }
      const studyWall = median(studyRuns.map((r) => r.ms));
      const studyCpu = median(studyRuns.map((r) => r.cpuMs));
      rows.push({
        group: GROUP,
        name: `re-run of ${cached.toLocaleString('en')} cached results, a study (run --no-analysis), whole CLI process`,
        value: studyWall,
        unit: 'ms',
        target: '≤ 500 ms',
        pass: studyWall <= 500 && studySent.every((n) => n === 0),
        note: `wall ${studyRuns.map((r) => r.ms.toFixed(0)).join('/')} ms, CPU ${studyRuns.map((r) => r.cpuMs.toFixed(0)).join('/')} ms; requests sent ${studySent.join('/')}; first run (load and plan memos written) ${first.ms.toFixed(0)} ms wall, ${first.cpuMs.toFixed(0)} ms CPU`,
      });
      rows.push({
        group: GROUP,
        name: 'CPU (user + sys) of the cached study re-run',
        value: studyCpu,
        unit: 'ms',
        target: '≤ 500 ms',
        pass: studyCpu <= 500,
        note: `the study file parsed; its load's diagnostics (items and templates not parsed) and its plan from their memos, written by the first run; load average ${loadavg()[0].toFixed(1)}`,
      });
    } finally {
      await fast.stop();
    }
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

runIfMain(import.meta.url, 'cli-path', run);
