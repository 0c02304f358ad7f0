// Preloaded (--require) into every test file's process by test/run-unit.mjs: at exit, appends the process's
// CPU time (user + system, its own and its waited-for children's: the spawned CLI, Chromium) to
// VL_TEST_CPU_LOG. Wall time alone says little on a machine shared with other work; CPU time is the fair
// figure. CommonJS because an --import preload would put every file behind the ESM loader (see run-unit.mjs).
const { appendFileSync, readFileSync } = require('node:fs');

const log = process.env.VL_TEST_CPU_LOG;
const file = process.argv[1];
// Only in the files' processes (the runner marks them), not in the runner itself.
if (log && file && process.env.NODE_TEST_CONTEXT) {
  process.on('exit', () => {
    try {
      // /proc/self/stat fields 14–17: utime, stime, cutime, cstime in clock ticks (100 per second on Linux).
      const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
      const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
      appendFileSync(log, `${JSON.stringify({ file, cpuMs: ticks * 10 })}\n`);
    } catch {
      // not Linux: no figure, never a failed run
    }
  });
}
