// Analyze bench (issue 17: `analyze` of 1M records in ≤ 10 s and ≤ 1 GB peak RSS): writes a study (the
// example items, template and human reference, three models) and a 1,000,000-record corpus for it (the
// items' real hashes, 10% re-runs that supersede older records) to a temp dir, then runs the whole CLI,
// `node dist/cli.js analyze STUDY --json`, as a child process: wall time, its CPU time and peak RSS.
// Needs the build (npm run bench builds first). Run alone: node --import tsx bench/analyze.ts
// (VL_BENCH_ANALYZE_RECORDS=… to change the size; --write DIR only writes the study, for profiling).
import { spawn } from 'node:child_process';
import { copyFileSync, createWriteStream, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { itemHash } from '../src/core/language/index';
import { loadStudy } from '../src/core/study/load';
import type { ScoreResult } from '../src/core/results';
import { runIfMain } from './table';
import type { BenchRow } from './types';

const N = Math.max(1000, Number(process.env.VL_BENCH_ANALYZE_RECORDS ?? 1_000_000));
const TIME_LIMIT_MS = 10_000;
const RSS_LIMIT = 1024 ** 3;
const LANGUAGES = ['en', 'da', 'nl', 'pt'];
const MODELS = [
  { id: 'llama3-8b', provider: 'ollama', model: 'llama3:8b', kind: 'chat', attributes: { family: 'llama', size: 8 } },
  { id: 'gpt-4o-mini', provider: 'openai', model: 'gpt-4o-mini', kind: 'chat', attributes: { family: 'gpt', size: 8 } },
  { id: 'olmo-base', provider: 'openai', model: 'olmo-2-7b', kind: 'base', attributes: { family: 'olmo', size: 7 } },
];

/** Writes the study and its corpus into `dir`; returns the study file's path. */
export async function writeStudy(dir: string, records = N): Promise<string> {
  for (const f of ['wvs7-sample.wvs', 'prompts.wvt', 'human-reference.csv']) copyFileSync(join('examples', f), join(dir, f));
  const path = join(dir, 'bench.study.json');
  writeFileSync(
    path,
    JSON.stringify({
      name: 'bench',
      items: [{ file: 'wvs7-sample.wvs' }],
      templates: [{ file: 'prompts.wvt', names: ['direct'], paraphrases: 'none' }],
      languages: LANGUAGES,
      languageCountries: { en: ['US', 'GB'], da: ['DK'], nl: ['NL'], pt: ['PT', 'BR'] },
      models: MODELS,
      method: 'logprobs',
      human: [{ file: 'human-reference.csv' }],
      analysis: {
        levels: ['item', 'response'],
        measures: ['mean', 'pro'],
        references: ['language'],
        bootstrap: { iterations: 1000, seed: 1 },
      },
    }),
  );
  const loaded = await loadStudy(path);
  const items = loaded.surveys.flatMap((s) =>
    s.file.items.map((item) => ({ id: item.id, hash: itemHash(item), max: item.scale?.max ?? 4 })),
  );
  const corpus = loaded.study?.results ?? join(dir, 'bench.results');
  mkdirSync(corpus, { recursive: true });
  const out = createWriteStream(join(corpus, 'records.jsonl'));
  const conditions = items.length * LANGUAGES.length * MODELS.length;
  const first = Math.floor(records * 0.9);
  let chunk: string[] = [];
  for (let n = 0; n < records; n++) {
    const rerun = n >= first;
    const k = rerun ? n - first : n;
    const item = items[k % items.length];
    const language = LANGUAGES[Math.floor(k / items.length) % LANGUAGES.length];
    const model = MODELS[Math.floor(k / (items.length * LANGUAGES.length)) % MODELS.length];
    const round = Math.floor(k / conditions);
    const probabilities: Record<string, number> = {};
    let total = 0;
    const raw: number[] = [];
    for (let c = 1; c <= item.max; c++) {
      const v = 0.05 + ((k * 7 + c * 13 + item.id.length) % 17) / 17;
      raw.push(v);
      total += v;
    }
    let mean = 0;
    raw.forEach((v, i) => {
      const p = Math.round((v / total) * 1e6) / 1e6;
      probabilities[String(i + 1)] = p;
      mean += (i + 1) * p;
    });
    const record: ScoreResult = {
      kind: 'result',
      runId: rerun ? '20261202T090000Z-b2b2b2' : '20261201T090000Z-a1a1a1',
      itemId: item.id,
      itemHash: item.hash,
      category: 'importance',
      language,
      template: 'direct',
      paraphrase: null,
      provider: model.provider as ScoreResult['provider'],
      model: model.model,
      endpoint: model.provider === 'ollama' ? 'http://127.0.0.1:11434' : 'http://127.0.0.1:8000',
      method: 'logprobs',
      optionOrder: raw.map((_, i) => i + 1),
      study: 'bench',
      country: null,
      modelId: model.id,
      modelKind: model.kind as 'chat' | 'base',
      order: 'original',
      round,
      source: 'run',
      cacheKey: `${((n * 40503) >>> 0).toString(16).padStart(8, '0')}${'ab'.repeat(28)}`,
      probabilities,
      mean,
      mode: 1,
      entropy: 1.2799,
      missMass: 0.0123,
      latencyMs: 40 + (n % 50),
      tokens: { prompt: 143, completion: 1 },
      cached: false,
      at: '2026-12-01T09:00:01.123Z',
    };
    chunk.push(JSON.stringify(record));
    if (chunk.length === 5000 || n === records - 1) {
      const ok = out.write(`${chunk.join('\n')}\n`);
      chunk = [];
      if (!ok) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    }
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  return path;
}

export interface Measured {
  /** Wall time of the CLI process. */
  ms: number;
  /** Its user + sys CPU time. */
  cpuMs: number;
  maxRssBytes: number;
  stdout: string;
  stderr: string;
  code: number;
}

/** Runs `node dist/cli.js …args` under /usr/bin/time: wall, CPU (user + sys) and peak RSS of that process alone. */
export async function measureCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Measured> {
  if (!existsSync('/usr/bin/time')) throw new Error('needs /usr/bin/time (apt-get install time)');
  const dir = await mkdtemp(join(tmpdir(), 'vl-bench-time-'));
  const timing = join(dir, 'time.txt');
  try {
    const { stdout, stderr, code } = await new Promise<{ stdout: string; stderr: string; code: number }>((resolve, reject) => {
      const child = spawn(
        '/usr/bin/time',
        ['-q', '-o', timing, '-f', '%e %U %S %M', process.execPath, join(process.cwd(), 'dist', 'cli.js'), ...args],
        { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const out: Buffer[] = [];
      let err = '';
      child.stdout.on('data', (c: Buffer) => out.push(c));
      child.stderr.on('data', (c: Buffer) => (err += c.toString()));
      child.on('error', reject);
      child.on('close', (c) => resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr: err, code: c ?? -1 }));
    });
    const text = (await readFile(timing, 'utf8')).trim().split('\n').pop() ?? '';
    const [wall, user, sys, kb] = text.split(' ').map(Number);
    return { ms: wall * 1000, cpuMs: (user + sys) * 1000, maxRssBytes: kb * 1024, stdout, stderr, code };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Corpus sizes measured, smallest first (VL_BENCH_ANALYZE_SIZES=100000,500000 to change; VL_BENCH_ANALYZE_RECORDS: one size). */
function sizes(): number[] {
  const list = process.env.VL_BENCH_ANALYZE_SIZES ?? (process.env.VL_BENCH_ANALYZE_RECORDS ? String(N) : '100000,500000,1000000');
  return list
    .split(',')
    .map((v) => Math.max(1000, Number(v)))
    .filter(Number.isFinite);
}

/** One size: the study and corpus written, then the whole CLI measured; targets on the million-record row only. */
async function measureSize(records: number): Promise<BenchRow[]> {
  const dir = await mkdtemp(join(tmpdir(), 'vl-bench-analyze-'));
  try {
    const t0 = performance.now();
    const study = await writeStudy(dir, records);
    const writeMs = performance.now() - t0;
    const bytes = (await stat(join(dir, 'bench.results', 'records.jsonl'))).size;
    const r = await measureCli(['analyze', study, '--json'], { cwd: dir });
    if (r.code !== 0) throw new Error(`analyze exited ${r.code}: ${r.stderr.slice(0, 400)}`);
    const analysis = JSON.parse(r.stdout) as {
      counts?: { read: number; used: number; superseded: number };
      alignment?: unknown[];
      usBias?: unknown[];
    };
    const c = analysis.counts ?? { read: 0, used: 0, superseded: 0 };
    const label = records.toLocaleString('en');
    const complete = c.read === records && c.used + c.superseded === records && (analysis.alignment?.length ?? 0) > 0;
    const target = records >= 1_000_000;
    const note = `${(bytes / 2 ** 20).toFixed(0)} MiB corpus written in ${(writeMs / 1000).toFixed(1)} s; read ${c.read}, used ${c.used}, superseded ${c.superseded}; ${analysis.alignment?.length ?? 0} alignment rows, ${analysis.usBias?.length ?? 0} US-bias rows; load average ${loadavg()[0].toFixed(1)}`;
    return [
      {
        group: 'analyze',
        name: `CPU (user + sys) of analyze, ${label} records`,
        value: r.cpuMs / 1000,
        unit: 's',
        ...(target ? { target: '≤ 10 s' } : {}),
        ...(target ? { pass: r.cpuMs <= TIME_LIMIT_MS && complete } : {}),
        note,
      },
      {
        group: 'analyze',
        name: `wall time of analyze STUDY --json, ${label} records (whole CLI process)`,
        value: r.ms / 1000,
        unit: 's',
        ...(target ? { target: '≤ 10 s' } : {}),
        ...(target ? { pass: r.ms <= TIME_LIMIT_MS && complete } : {}),
        note: `wall/CPU ${(r.ms / r.cpuMs).toFixed(2)} (above 1: the machine was busy)`,
      },
      {
        group: 'analyze',
        name: `peak RSS of analyze, ${label} records`,
        value: r.maxRssBytes / 2 ** 20,
        unit: 'MiB',
        ...(target ? { target: '≤ 1024 MiB' } : {}),
        ...(target ? { pass: r.maxRssBytes <= RSS_LIMIT } : {}),
      },
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<BenchRow[]> {
  if (!existsSync(join('dist', 'cli.js'))) throw new Error('dist/cli.js missing: run npm run build first');
  const rows: BenchRow[] = [];
  for (const records of sizes()) rows.push(...(await measureSize(records)));
  return rows;
}

if (process.argv[2] === '--write') {
  void writeStudy(process.argv[3]).then((p) => process.stdout.write(`${p}\n`));
} else {
  runIfMain(import.meta.url, 'analyze', run);
}
