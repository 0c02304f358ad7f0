// CLI start-up: CPU (user + sys) of `node dist/cli.js --version` beside a bare `node -e 0`, median of
// ROUNDS interleaved runs, from /usr/bin/time (10 ms resolution, hence the median). The difference is what
// loading the bundle costs before any command runs; src/cli/main.ts imports a command's modules only when
// the command runs.
// Run alone: node --import tsx bench/startup.ts
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runIfMain } from './table';
import type { BenchRow } from './types';

const ROUNDS = Math.max(3, Number(process.env.VL_BENCH_STARTUP_ROUNDS ?? 11));

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export async function run(): Promise<BenchRow[]> {
  const cli = join(process.cwd(), 'dist', 'cli.js');
  if (!existsSync(cli)) throw new Error('dist/cli.js missing: run npm run build first');
  const ours: number[] = [];
  const bare: number[] = [];
  // Interleaved, so a change in the machine's load touches both alike.
  for (let i = 0; i < ROUNDS; i++) {
    ours.push(await cpuOf([cli, '--version']));
    bare.push(await cpuOf(['-e', '0']));
  }
  const o = median(ours);
  const b = median(bare);
  return [
    {
      group: 'startup',
      name: '`node dist/cli.js --version`: CPU (user + sys)',
      value: o,
      unit: 'ms',
      note: `median of ${ROUNDS}; runs ${ours.map((v) => v.toFixed(0)).join('/')} ms`,
    },
    { group: 'startup', name: 'bare `node -e 0`: CPU (user + sys)', value: b, unit: 'ms', note: `median of ${ROUNDS}` },
    {
      group: 'startup',
      name: 'start-up cost of the CLI bundle (difference)',
      value: o - b,
      unit: 'ms',
      note: 'loading and compiling dist/cli.js before a command runs',
    },
  ];
}

/** CPU (user + sys, ms) of `node …args` under /usr/bin/time. */
async function cpuOf(args: string[]): Promise<number> {
  if (!existsSync('/usr/bin/time')) throw new Error('needs /usr/bin/time (apt-get install time)');
  const dir = mkdtempSync(join(tmpdir(), 'vl-bench-startup-'));
  const file = join(dir, 'time.txt');
  try {
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn('/usr/bin/time', ['-q', '-o', file, '-f', '%U %S', process.execPath, ...args], { stdio: 'ignore' });
      child.on('error', reject);
      child.on('close', (c) => resolve(c ?? -1));
    });
    if (code !== 0) throw new Error(`node ${args.join(' ')} exited ${code}`);
    const [user, sys] = readFileSync(file, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
    return (user + sys) * 1000;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

runIfMain(import.meta.url, 'startup', run);
