// Study plan bench: the plan of a 1,000,000-request study (20 example items × 4 languages × 25 country cues ×
// the country-cue template × 10 option orders (original, reversed, 8 seeded permutations) × 5 models (one
// base) × 10 rounds), built as an array (planStudy) and
// streamed (iterateStudyPlan, consumed by estimatePlan), plus the count without rendering (countStudyPlan).
// Each mode runs in a child process of its own so that its peak RSS is its own.
// Run alone: node --import tsx bench/study-plan.ts

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseSurvey, parseTemplates } from '../src/core/language/index';
import { countStudyPlan, estimatePlan, iterateStudyPlan, planStudy } from '../src/core/study/plan';
import type { LoadedStudy, Study } from '../src/core/study/types';
import { runIfMain } from './table';
import type { BenchRow } from './types';

const N = 1_000_000;
const COUNTRIES = [
  'DK',
  'NL',
  'US',
  'GB',
  'PT',
  'BR',
  'DE',
  'FR',
  'ES',
  'IT',
  'SE',
  'NO',
  'FI',
  'PL',
  'CZ',
  'HU',
  'RO',
  'GR',
  'TR',
  'JP',
  'KR',
  'CN',
  'IN',
  'MX',
  'AR',
];

export function benchStudy(): LoadedStudy {
  const survey = parseSurvey(readFileSync('examples/wvs7-sample.wvs', 'utf8'));
  const templates = parseTemplates(readFileSync('examples/prompts.wvt', 'utf8'));
  const study: Study = {
    path: '/bench/million.study.json',
    name: 'million',
    hash: '0'.repeat(64),
    items: [{ file: '/bench/items.wvs', ids: survey.items.slice(0, 20).map((i) => i.id) }],
    templates: [{ file: '/bench/prompts.wvt', names: ['country'], paraphrases: 'none' }],
    languages: ['en', 'da', 'nl', 'pt'],
    countries: COUNTRIES,
    languageCountries: {},
    models: Array.from({ length: 5 }, (_, i) => ({
      id: `m${i}`,
      provider: 'ollama' as const,
      model: `model-${i}:latest`,
      endpoint: 'http://127.0.0.1:11434',
      kind: i === 4 ? ('base' as const) : ('chat' as const),
      attributes: {},
    })),
    method: 'logprobs',
    samples: 10,
    seed: 0,
    rounds: 10,
    optionOrders: ['original', 'reversed', { permutations: 8, seed: 1 }],
    human: [],
    imports: [],
    results: '/bench/million.results',
    analysis: {
      levels: ['item'],
      measures: ['mean'],
      references: ['cue'],
      bootstrap: { iterations: 0, seed: 0 },
      rerun: 'latest',
      adjust: [],
      fits: [],
      contrasts: [],
    },
    confirmAbove: 5000,
  };
  return {
    study,
    diagnostics: [],
    surveys: [{ path: '/bench/items.wvs', file: survey }],
    templates: [{ path: '/bench/prompts.wvt', file: templates }],
    human: { rows: [] } as unknown as LoadedStudy['human'],
  };
}

interface Measure {
  mode: string;
  requests: number;
  ms: number;
  peakRssMiB: number;
  peakHeapMiB: number;
  skipped: number;
  tokens?: number;
  /** CPU seconds (user + system) of the mode, less sensitive to a loaded machine than wall time. */
  cpuS?: number;
}

const MiB = 2 ** 20;

/** One mode, in this process (the child). */
async function measure(mode: string): Promise<Measure> {
  const loaded = benchStudy();
  const cpu0 = process.cpuUsage();
  const cpuS = (): number => {
    const d = process.cpuUsage(cpu0);
    return (d.user + d.system) / 1e6;
  };
  let peakHeap = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  if (mode === 'count') {
    const requests = countStudyPlan(loaded);
    return {
      mode,
      requests,
      ms: performance.now() - t0,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
      peakHeapMiB: peakHeap / MiB,
      skipped: 0,
    };
  }
  if (mode === 'array') {
    const plan = planStudy(loaded);
    const ms = performance.now() - t0;
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
    const skipped = plan.filter((r) => r.skip).length;
    return {
      mode,
      requests: plan.length,
      ms,
      cpuS: cpuS(),
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
      peakHeapMiB: peakHeap / MiB,
      skipped,
    };
  }
  // Streamed through estimatePlan with an empty cache: what the CLI and editor do before asking to confirm.
  let seen = 0;
  const sampled = (function* () {
    for (const req of iterateStudyPlan(loaded)) {
      if (++seen % 50_000 === 0) peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
      yield req;
    }
  })();
  const estimate = await estimatePlan(sampled, () => false);
  return {
    mode,
    requests: estimate.requests,
    ms: performance.now() - t0,
    cpuS: cpuS(),
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    peakHeapMiB: peakHeap / MiB,
    skipped: estimate.skipped,
    tokens: estimate.estimatedTokens,
  };
}

function child(mode: string): Promise<Measure> {
  const script = fileURLToPath(import.meta.url);
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--max-old-space-size=6144', '--import', 'tsx', script, '--child', mode], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
    proc.on('error', reject);
    proc.on('close', (code) => {
      if (code !== 0) return reject(new Error(`study-plan ${mode}: child exited ${code}`));
      resolve(JSON.parse(out.trim().split('\n').pop()!) as Measure);
    });
  });
}

export async function run(): Promise<BenchRow[]> {
  const count = await child('count');
  const stream = await child('stream');
  const array = await child('array');
  const rows: BenchRow[] = [];
  const size = `${count.requests.toLocaleString('en')} requests`;
  rows.push({
    group: 'study-plan',
    name: `count of a ${size} plan (no rendering)`,
    value: count.ms,
    unit: 'ms',
    target: '≤ 100 ms',
    pass: count.ms <= 100 && count.requests === N,
  });
  for (const m of [stream, array]) {
    const how = m.mode === 'stream' ? 'streamed (iterateStudyPlan → estimatePlan)' : 'as an array (planStudy)';
    const note = `${m.requests.toLocaleString('en')} planned, ${m.skipped} skipped, wall ${(m.ms / 1000).toFixed(0)} s${m.tokens !== undefined ? `, ~${(m.tokens / 1e6).toFixed(0)} M tokens` : ''}`;
    // CPU time, not wall: on the shared 2-core machine the wall time mostly measures the other processes.
    const cpu = m.cpuS ?? NaN;
    rows.push({
      group: 'study-plan',
      name: `1M-request plan ${how}: CPU time`,
      value: cpu,
      unit: 's',
      target: '≤ 60 s',
      pass: cpu <= 60 && m.requests === N,
      note,
    });
    rows.push({
      group: 'study-plan',
      name: `1M-request plan ${how}: peak RSS`,
      value: m.peakRssMiB,
      unit: 'MiB',
      ...(m.mode === 'stream' ? { target: '≤ 256 MiB', pass: m.peakRssMiB <= 256 } : {}),
      note: `peak heap ${m.peakHeapMiB.toFixed(0)} MiB`,
    });
  }
  return rows;
}

if (process.argv[2] === '--child') {
  measure(process.argv[3]).then(
    (m) => process.stdout.write(`${JSON.stringify(m)}\n`),
    (error: unknown) => {
      process.stderr.write(`${String(error)}\n`);
      process.exit(1);
    },
  );
} else {
  runIfMain(import.meta.url, 'study-plan', run);
}
