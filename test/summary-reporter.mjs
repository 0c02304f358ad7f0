// A node:test reporter that ends the run with one summary line a reader can trust: tests run, passed,
// failed, skipped, and every distinct skip reason with its count (a skip is never silent). Suites are not
// counted as tests. Used by test/run-unit.mjs next to the spec reporter. It also lists the slowest test
// files (wall time of each file's process, as the runner measured it): VL_TEST_DURATIONS=N sets how many
// (default 10, 0 for none) — `node test/run-unit.mjs --durations=N` — with the CPU time of each file's
// process where test/support/cpu-usage.cjs recorded it (VL_TEST_CPU_LOG). The files' wall times are kept in
// VL_TEST_TIMES (merged with earlier runs) for the runner to start the longest files first next time.
import { readFileSync, writeFileSync } from 'node:fs';

function cpuTimes() {
  const out = new Map();
  if (!process.env.VL_TEST_CPU_LOG) return out;
  let text;
  try {
    text = readFileSync(process.env.VL_TEST_CPU_LOG, 'utf8');
  } catch {
    return out;
  }
  for (const line of text.split('\n').filter(Boolean)) {
    const { file, cpuMs } = JSON.parse(line);
    out.set(file, cpuMs);
  }
  return out;
}

/** Merges this run's wall times (ms, by repository-relative path) into the file the runner reads. */
function keepTimes(fileTimes) {
  const path = process.env.VL_TEST_TIMES;
  if (!path || !fileTimes.length) return;
  let times = {};
  try {
    times = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    // first run, or a damaged file: start afresh
  }
  const cwd = `${process.cwd()}/`;
  for (const [ms, file] of fileTimes) times[file.startsWith(cwd) ? file.slice(cwd.length) : file] = Math.round(ms);
  try {
    writeFileSync(path, `${JSON.stringify(times, null, 1)}\n`);
  } catch {
    // only an ordering hint: never a failed run
  }
}

export default async function* summaryReporter(source) {
  const fileTimes = [];
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  let todo = 0;
  const reasons = new Map();
  const failures = [];
  for await (const event of source) {
    // With process isolation each file is a test of its own, named by its path; its `complete` carries the
    // file's duration.
    if (event.type === 'test:complete' && event.data.file && event.data.name === event.data.file) {
      fileTimes.push([event.data.details?.duration_ms ?? 0, event.data.file]);
      continue;
    }
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { data } = event;
    if (data.details?.type === 'suite') continue;
    if (data.skip !== undefined && data.skip !== false) {
      skipped++;
      const reason = typeof data.skip === 'string' ? data.skip : 'no reason given';
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    } else if (data.todo !== undefined && data.todo !== false) todo++;
    else if (event.type === 'test:pass') passed++;
    else {
      failed++;
      failures.push(`${data.file ?? '?'}: ${data.name}`);
    }
  }
  keepTimes(fileTimes);
  const run = passed + failed + skipped + todo;
  const lines = ['', `summary: ${run} tests run, ${passed} passed, ${failed} failed, ${skipped} skipped${todo ? `, ${todo} todo` : ''}`];
  for (const [reason, count] of reasons) lines.push(`  skipped ${count}: ${reason}`);
  for (const failure of failures.slice(0, 30)) lines.push(`  failed: ${failure}`);
  const shown = Number(process.env.VL_TEST_DURATIONS ?? 10);
  if (shown > 0 && fileTimes.length) {
    const cpu = cpuTimes();
    const seconds = (ms) => (ms === undefined ? '     –' : (ms / 1000).toFixed(1).padStart(6));
    const total = [...cpu.values()].reduce((a, b) => a + b, 0);
    lines.push(
      `slowest ${Math.min(shown, fileTimes.length)} of ${fileTimes.length} files (wall s, cpu s${cpu.size ? `; cpu of all files ${(total / 1000).toFixed(1)} s` : ''}):`,
    );
    const cwd = `${process.cwd()}/`;
    for (const [ms, file] of fileTimes.sort((a, b) => b[0] - a[0]).slice(0, shown)) {
      lines.push(`  ${seconds(ms)} ${seconds(cpu.get(file))}  ${file.startsWith(cwd) ? file.slice(cwd.length) : file}`);
    }
  }
  yield `${lines.join('\n')}\n`;
}
