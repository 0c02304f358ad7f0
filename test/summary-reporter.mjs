// A node:test reporter that ends the run with one summary line a reader can trust: tests run, passed,
// failed, skipped, and every distinct skip reason with its count (a skip is never silent). Suites are not
// counted as tests. Used by test/run-unit.mjs next to the spec reporter.
export default async function* summaryReporter(source) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  let todo = 0;
  const reasons = new Map();
  const failures = [];
  for await (const event of source) {
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
  const run = passed + failed + skipped + todo;
  const lines = ['', `summary: ${run} tests run, ${passed} passed, ${failed} failed, ${skipped} skipped${todo ? `, ${todo} todo` : ''}`];
  for (const [reason, count] of reasons) lines.push(`  skipped ${count}: ${reason}`);
  for (const failure of failures.slice(0, 30)) lines.push(`  failed: ${failure}`);
  yield `${lines.join('\n')}\n`;
}
