// Parse + diagnostics of a generated .wvs file (2,000 items × 4 languages) against js-yaml loading the same
// content written as YAML, measured in the same run. Runnable alone: `node --import tsx bench/parse.ts`.
import { performance } from 'node:perf_hooks';
import { dump, load } from 'js-yaml';
import { parseSurvey } from '../src/core/language/index';
import { runIfMain } from './table';
import type { BenchRow } from './types';

/** The languages of the generated items (also the CLI benches' prompt languages). */
export const BENCH_LANGUAGES = ['en', 'da', 'nl', 'pt'];
const CATEGORIES = ['socio-cultural norms', 'social systems', 'progress'];
const WORDS = {
  en: 'how important is each of the following in your life would you say it is very rather not at all family friends leisure time politics work religion',
  da: 'hvor vigtigt er hvert af følgende i dit liv vil du sige det er meget ret ikke slet familie venner fritid politik arbejde religion',
  nl: 'hoe belangrijk is elk van de volgende in uw leven zou u zeggen dat het zeer tamelijk niet helemaal gezin vrienden vrije tijd politiek werk',
  pt: 'quão importante é cada um dos seguintes na sua vida diria que é muito bastante pouco nada família amigos tempo livre política trabalho religião',
} as Record<string, string>;

interface GeneratedScale {
  name: string;
  min: number;
  max: number;
  numeric: boolean;
  reversed: boolean;
  labels: Record<string, string[]>;
  missing: { code: number; labels: Record<string, string> }[];
}

interface GeneratedItem {
  id: string;
  title: string;
  category: string;
  scale: string;
  key: string;
  topic: Record<string, string>;
  text: Record<string, string>;
  note?: string;
}

/** Deterministic pseudo-random sentence of about `words` words in a language. */
function sentence(language: string, seed: number, words: number): string {
  const pool = WORDS[language].split(' ');
  const out: string[] = [];
  let x = seed * 2654435761;
  for (let k = 0; k < words; k++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out.push(pool[x % pool.length]);
  }
  const text = out.join(' ');
  return `${text[0].toUpperCase()}${text.slice(1)}?`;
}

/** The one template the CLI benches score the generated items with. */
export function directTemplate(): string {
  return [
    'template direct',
    '  system en: You are answering a public opinion survey. Give your own view.',
    '  system da[mt]: Du besvarer en offentlig meningsmåling. Giv dit eget synspunkt.',
    '  system nl[mt]: U beantwoordt een opiniepeiling. Geef uw eigen mening.',
    '  system pt[mt]: Está a responder a um inquérito de opinião pública. Dê a sua própria opinião.',
    ...BENCH_LANGUAGES.flatMap((l) => [
      `  ${l}${l === 'en' ? '' : '[mt]'}: |`,
      '    {question}',
      '    {options}',
      '    Answer with the number of one option only.',
    ]),
    '',
  ].join('\n');
}

export function generateContent(itemCount: number): { scales: GeneratedScale[]; items: GeneratedItem[] } {
  const scales: GeneratedScale[] = [];
  for (let s = 0; s < 12; s++) {
    const numeric = s % 3 === 2;
    const max = numeric ? 10 : 4;
    const labels: Record<string, string[]> = {};
    for (const language of BENCH_LANGUAGES) {
      labels[language] = numeric
        ? [sentence(language, s * 7 + 1, 3), sentence(language, s * 7 + 2, 3)]
        : [1, 2, 3, 4].map((k) => sentence(language, s * 11 + k, 2));
    }
    const missing = [-1, -2].map((code) => ({
      code,
      labels: Object.fromEntries(BENCH_LANGUAGES.map((l) => [l, sentence(l, code + 50, 2)])),
    }));
    scales.push({ name: `scale${s}`, min: 1, max, numeric, reversed: s === 5, labels, missing });
  }
  const items: GeneratedItem[] = [];
  for (let n = 1; n <= itemCount; n++) {
    const text: Record<string, string> = {};
    for (const language of BENCH_LANGUAGES) text[language] = sentence(language, n, 18 + (n % 7));
    items.push({
      id: `Q${n}`,
      title: `Item ${n}`,
      category: CATEGORIES[n % 3],
      scale: `scale${n % 12}`,
      key: `X${String(n).padStart(4, '0')}`,
      topic: {
        en: sentence('en', n + 7, 2)
          .slice(0, -1)
          .toLowerCase(),
      },
      text,
      ...(n % 5 === 0 ? { note: `Generated item ${n}` } : {}),
    });
  }
  return { scales, items };
}

/** The content as `.wvs`. */
export function toWvs(content: { scales: GeneratedScale[]; items: GeneratedItem[] }): string {
  const out: string[] = [
    '# generated for bench/parse.ts',
    'survey "Generated"',
    'source "bench"',
    `languages ${BENCH_LANGUAGES.join(' ')}`,
    '',
  ];
  for (const scale of content.scales) {
    out.push(`scale ${scale.name} ${scale.min}..${scale.max}${scale.numeric ? ' numeric' : ''}${scale.reversed ? ' reversed' : ''}`);
    for (const language of BENCH_LANGUAGES) out.push(`  ${language}: ${scale.labels[language].join(scale.numeric ? ' .. ' : ' | ')}`);
    for (const language of BENCH_LANGUAGES) {
      const key = language === 'en' ? 'missing' : `missing ${language}`;
      out.push(`  ${key}: ${scale.missing.map((m) => `${m.code} "${m.labels[language]}"`).join(' | ')}`);
    }
    out.push('');
  }
  for (const item of content.items) {
    out.push(
      `item ${item.id} "${item.title}"`,
      `  category: ${item.category}`,
      `  scale: ${item.scale}`,
      `  key: ${item.key}   # data column`,
    );
    for (const [language, topic] of Object.entries(item.topic)) out.push(`  topic ${language}: ${topic}`);
    for (const language of BENCH_LANGUAGES) out.push(`  ${language}${language === 'en' ? '' : '[mt]'}: ${item.text[language]}`);
    if (item.note) out.push(`  note: ${item.note}`);
    out.push('');
  }
  return out.join('\n');
}

/** The same content as YAML (what a YAML-based format would have to load). */
export function toYaml(content: { scales: GeneratedScale[]; items: GeneratedItem[] }): string {
  return dump(
    {
      survey: 'Generated',
      source: 'bench',
      languages: BENCH_LANGUAGES,
      scales: content.scales,
      items: content.items.map((item) => ({ ...item, mt: BENCH_LANGUAGES.filter((l) => l !== 'en') })),
    },
    { lineWidth: -1 },
  );
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** Median wall-clock and CPU milliseconds of `runs` calls. */
function time(fn: () => unknown, runs: number): { wall: number; cpu: number } {
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let k = 0; k < runs; k++) {
    const cpu0 = cpuMs();
    const started = performance.now();
    fn();
    walls.push(performance.now() - started);
    cpus.push(cpuMs() - cpu0);
  }
  return { wall: median(walls), cpu: median(cpus) };
}

export async function run(): Promise<BenchRow[]> {
  const content = generateContent(2000);
  const wvs = toWvs(content);
  const yaml = toYaml(content);
  const check = parseSurvey(wvs);
  if (check.items.length !== 2000 || check.diagnostics.some((d) => d.severity === 'error')) {
    throw new Error(`generated file parsed wrongly: ${check.items.length} items, ${check.diagnostics.length} diagnostics`);
  }
  // Warm both up so the JIT has compiled the hot paths before timing.
  time(() => parseSurvey(wvs), 10);
  time(() => load(yaml), 10);
  const rounds = 8;
  const perRound = 5;
  const runs = rounds * perRound;
  // Interleave the two measurements in rounds so a noisy neighbour affects both sides alike.
  const ours: { wall: number; cpu: number }[] = [];
  const theirs: { wall: number; cpu: number }[] = [];
  for (let round = 0; round < rounds; round++) {
    ours.push(time(() => parseSurvey(wvs), perRound));
    theirs.push(time(() => load(yaml), perRound));
  }
  // The figure is CPU time: on a machine shared with other jobs, wall time also counts their turns.
  // Wall time is reported alongside.
  const parseMs = median(ours.map((t) => t.cpu));
  const yamlMs = median(theirs.map((t) => t.cpu));
  const parseWall = median(ours.map((t) => t.wall));
  const yamlWall = median(theirs.map((t) => t.wall));
  // The ratio is the median of per-round ratios: each pair ran back to back, under the same load.
  const ratio = median(ours.map((t, k) => theirs[k].cpu / t.cpu));
  const size = `${(wvs.length / 1024).toFixed(0)} KB .wvs, ${(yaml.length / 1024).toFixed(0)} KB YAML`;
  return [
    {
      group: 'parse',
      name: 'parse + diagnostics, 2,000 items × 4 languages',
      value: parseMs,
      unit: 'ms',
      target: '≤ 20 ms',
      pass: parseMs <= 20,
      note: `CPU time, median of ${runs} runs; wall ${parseWall.toFixed(1)} ms; ${size}`,
    },
    {
      group: 'parse',
      name: 'js-yaml load of the same content',
      value: yamlMs,
      unit: 'ms',
      note: `CPU time, median of ${runs} runs; wall ${yamlWall.toFixed(1)} ms`,
    },
    {
      group: 'parse',
      name: 'speed-up over js-yaml',
      value: ratio,
      unit: '×',
      target: '≥ 3×',
      pass: ratio >= 3,
      note: `wall-time ratio ${(yamlWall / parseWall).toFixed(2)}×`,
    },
  ];
}

runIfMain(import.meta.url, 'parse', run);
