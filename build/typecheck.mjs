// `npm run typecheck`: the four TypeScript projects (core alone — the layer rule —, src with the VS Code
// types, the webview, the tests), two at a time: tsc is single-threaded and the projects are independent.
// Each keeps build info under node_modules/.cache/tsc, so a second run re-checks only what changed.
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';

const PROJECTS = ['tsconfig.core.json', 'tsconfig.json', 'webview/tsconfig.json', 'test/tsconfig.json'];
const tsc = new URL('../node_modules/typescript/bin/tsc', import.meta.url).pathname;

function check(project) {
  return new Promise((done) => {
    const child = spawn(process.execPath, [tsc, '--noEmit', '--pretty', '-p', project], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('close', (code) => done({ project, code, output }));
  });
}

const queue = [...PROJECTS];
const failed = [];
await Promise.all(
  Array.from({ length: Math.min(2, availableParallelism()) }, async () => {
    for (let project = queue.shift(); project; project = queue.shift()) {
      const result = await check(project);
      // Printed whole, one project at a time, so two projects' errors never interleave.
      if (result.output) process.stdout.write(result.output);
      if (result.code !== 0) failed.push(project);
    }
  }),
);
if (failed.length) {
  console.error(`typecheck: errors in ${failed.join(', ')}`);
  process.exit(1);
}
