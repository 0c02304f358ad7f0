// Corpus bench (issue 14 "Must show", issue 17 target for analyze: 1M records in ≤ 10 s, ≤ 1 GB peak RSS):
// writes a 1,000,000-record corpus of realistic study records (~500 bytes each, several runs so that
// re-runs supersede older ones) to a temp dir, then reads and selects it in a fresh child process
// (CorpusReader → selectUnits, rule 'latest'): wall time and the child's peak RSS. No whole-file string.
// Run alone: node --import tsx bench/corpus-read.ts   (VL_BENCH_CORPUS_RECORDS=… to change the size)
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CorpusReader } from '../src/core/corpus/reader';
import { selectUnits, type SelectItem } from '../src/core/corpus/select';
import type { ScoreResult } from '../src/core/results';
import { runIfMain } from './table';
import type { BenchRow } from './types';

const N = Math.max(1000, Number(process.env.VL_BENCH_CORPUS_RECORDS ?? 1_000_000));
const TIME_LIMIT_MS = 10_000;
const RSS_LIMIT = 1024 ** 3;

const ITEMS = 250;
const LANGUAGES = ['en', 'da', 'pt', 'nl'];
const COUNTRIES = ['US', 'GB', 'DK', 'BR', 'NL', 'DE', 'FR', 'JP', 'IN', 'NG'];
const MODELS = [
  { id: 'llama3-8b', model: 'llama3:8b', provider: 'ollama' },
  { id: 'gpt-4o-mini', model: 'gpt-4o-mini', provider: 'openai' },
  { id: 'olmo-base', model: 'olmo-2-7b', provider: 'openai' },
];

function itemHash(i: number): string {
  // 16 hex digits, as language/hash.ts itemHash() writes.
  return `${((i * 2654435761) >>> 0).toString(16).padStart(8, '0')}${((i * 40503) >>> 0).toString(16).padStart(8, '0')}`;
}

/** The n-th record: a deterministic walk over the factors; the last 10% re-run conditions of the first run. */
function recordOf(n: number): ScoreResult {
  const rerun = n >= N * 0.9;
  const k = rerun ? n - Math.floor(N * 0.9) : n;
  const item = k % ITEMS;
  const language = LANGUAGES[Math.floor(k / ITEMS) % LANGUAGES.length];
  const country = COUNTRIES[Math.floor(k / (ITEMS * 4)) % COUNTRIES.length];
  const paraphrase = Math.floor(k / (ITEMS * 40)) % 10;
  const model = MODELS[Math.floor(k / (ITEMS * 400)) % MODELS.length];
  const round = Math.floor(k / (ITEMS * 1200));
  const p = [0.05 + (k % 7) / 20, 0.3, 0.2, 0.1];
  const total = p.reduce((a, b) => a + b, 0);
  const probabilities: Record<string, number> = {};
  p.forEach((v, i) => (probabilities[String(i + 1)] = Math.round((v / total) * 1e6) / 1e6));
  const mean = Object.entries(probabilities).reduce((s, [c, v]) => s + Number(c) * v, 0);
  return {
    kind: 'result',
    runId: rerun ? '20261202T090000Z-b2b2b2' : '20261201T090000Z-a1a1a1',
    itemId: `Q${item + 1}`,
    itemHash: itemHash(item),
    category: 'importance',
    language,
    template: 'country-cue',
    paraphrase,
    provider: model.provider,
    model: model.model,
    endpoint: model.provider === 'ollama' ? 'http://127.0.0.1:11434' : 'http://127.0.0.1:8000',
    method: 'logprobs',
    optionOrder: [1, 2, 3, 4],
    study: 'seed-one',
    country,
    modelId: model.id,
    ...(model.provider === 'ollama' ? { digest: '365c0bd3c000a25d28ddbf732fe1c6add414de7275464c4e4d1c3b5fcb5d8ad1' } : {}),
    modelKind: model.id === 'olmo-base' ? 'base' : 'chat',
    order: 'original',
    round,
    source: 'run',
    cacheKey: `v2-${((n * 40503) >>> 0).toString(16).padStart(8, '0')}${'ab'.repeat(28)}`,
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
}

async function writeCorpus(dir: string): Promise<void> {
  const out = createWriteStream(join(dir, 'records.jsonl'));
  let chunk: string[] = [];
  for (let n = 0; n < N; n++) {
    chunk.push(JSON.stringify(recordOf(n)));
    if (chunk.length === 5000 || n === N - 1) {
      const ok = out.write(`${chunk.join('\n')}\n`);
      chunk = [];
      if (!ok) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    }
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

interface ChildResult {
  ms: number;
  cpuMs: number;
  /** Peak RSS before reading (Node + tsx + modules): what the corpus itself does not cost. */
  baselineRssBytes: number;
  maxRssBytes: number;
  read: number;
  used: number;
  superseded: number;
  stale: number;
  skipped: number;
  units: number;
}

/** In the child: read + select, nothing else. */
async function child(dir: string): Promise<void> {
  const baselineRssBytes = process.resourceUsage().maxRSS * 1024;
  const items = new Map<string, SelectItem>();
  for (let i = 0; i < ITEMS; i++)
    items.set(`Q${i + 1}`, { hash: itemHash(i), key: `Q${i + 1}`, category: 'importance', scale: { min: 1, max: 4, reversed: false } });
  const models = new Map(MODELS.map((m) => [m.id, { family: 'llama', chat: m.id !== 'olmo-base' }]));
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const selection = await selectUnits(new CorpusReader(dir), { rule: 'latest', items, models });
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const c = selection.counts;
  const result: ChildResult = {
    ms,
    cpuMs: (cpu.user + cpu.system) / 1000,
    baselineRssBytes,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    read: c.read,
    used: c.used,
    superseded: c.superseded,
    stale: c.stale,
    skipped: Object.values(c.skipped).reduce((a, b) => a + (b ?? 0), 0),
    units: selection.units.length,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function runChild(dir: string): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', __filename, '--child', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    proc.on('error', reject);
    proc.on('close', (code) => {
      if (code !== 0) return reject(new Error(`corpus child exited ${code}: ${stderr.slice(0, 400)}`));
      resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as ChildResult);
    });
  });
}

export async function run(): Promise<BenchRow[]> {
  const dir = await mkdtemp(join(tmpdir(), 'vl-bench-corpus-'));
  try {
    const t0 = performance.now();
    await writeCorpus(dir);
    const writeMs = performance.now() - t0;
    const bytes = (await stat(join(dir, 'records.jsonl'))).size;
    const r = await runChild(dir);
    const label = N.toLocaleString('en');
    const identity = r.read === r.used + r.superseded + r.stale + r.skipped && r.units === r.used;
    const note = `${(bytes / 2 ** 20).toFixed(0)} MiB file (${Math.round(bytes / N)} B/record, written in ${(writeMs / 1000).toFixed(1)} s); read ${r.read}, used ${r.used}, superseded ${r.superseded}, stale ${r.stale}, skipped ${r.skipped}`;
    return [
      {
        group: 'corpus',
        name: `read + select ${label} records (child process)`,
        value: r.ms,
        unit: 'ms',
        target: '≤ 10000 ms',
        pass: r.ms <= TIME_LIMIT_MS && identity && r.read === N,
        note,
      },
      {
        group: 'corpus',
        name: `CPU (user + sys) of read + select, ${label} records`,
        value: r.cpuMs,
        unit: 'ms',
        note: `wall/CPU ${(r.ms / r.cpuMs).toFixed(2)} (above 1: the machine was busy)`,
      },
      {
        group: 'corpus',
        name: `peak RSS reading + selecting ${label} records`,
        value: r.maxRssBytes / 2 ** 20,
        unit: 'MiB',
        target: '≤ 1024 MiB',
        pass: r.maxRssBytes <= RSS_LIMIT,
        note: `of which ${(r.baselineRssBytes / 2 ** 20).toFixed(0)} MiB before reading (node + tsx)`,
      },
      {
        group: 'corpus',
        name: 'read = used + superseded + stale + skipped',
        value: identity ? 1 : 0,
        unit: '',
        target: '= 1',
        pass: identity,
      },
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--write') {
  // For profiling: node --import tsx bench/corpus-read.ts --write <dir>, then --child <dir> under --cpu-prof.
  void writeCorpus(process.argv[3]);
} else if (process.argv[2] === '--child') {
  child(process.argv[3]).catch((error: unknown) => {
    process.stderr.write(String(error instanceof Error ? error.stack : error));
    process.exit(1);
  });
} else {
  runIfMain(import.meta.url, 'corpus-read', run);
}
