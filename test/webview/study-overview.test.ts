// The study views (a StudyAnalysis in a `study` message, or in the report's data-study) in real Chromium,
// checked against figures computed from the fixture JSON (test/webview/study-harness.ts), not by the code
// under test. One scenario group per file (study-*.test.ts) so the runner runs them side by side:
// the header and all ten views painted, and the CLI's self-contained report pages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { AlignmentRow } from '../../src/core/study/analysisTypes';
import { makeReport } from './fixture-report';
import { REPORT_URL, SKIP_REASON, openReportPage, readTable, reportMessage, webviewSuite } from './harness';
import { colours, fixture, NO_PROBLEMS, openStudy, sendStudy, VIEWS } from './study-harness';

const skip = SKIP_REASON;
const web = webviewSuite();
const open = (state?: unknown) => openStudy(web, state);

test('a study message fills the header counts and all ten views; every canvas paints', { skip, timeout: 90_000 }, async () => {
  const panel = await open();
  await panel.send(reportMessage(makeReport()));
  await sendStudy(panel, fixture());
  assert.equal(await panel.page.textContent('#vl-study .vl-study-title'), 'Study: multicultural-demo');
  const counts = await panel.page.$$eval('#vl-study [data-count]', (lis) =>
    Object.fromEntries(lis.map((li) => [li.getAttribute('data-count'), li.querySelector('strong')?.textContent])),
  );
  assert.deepEqual(counts, {
    read: '7412',
    used: '7163',
    superseded: '120',
    stale: '37',
    skipped: '92',
    'skipped:failure': '54',
    'skipped:unknown-item': '12',
    'skipped:no-measure': '21',
    'skipped:bad-line': '5',
  });
  assert.match(
    (await panel.page.textContent('#vl-study .vl-study-header')) ?? '',
    /bootstrap 1000 resamples \(seed 1\).*Base \(non-chat\) models: gemma-2-9b\./s,
  );
  assert.match((await panel.page.textContent('#vl-study .vl-tests')) ?? '', /contrasts:item:pro:spearman: 84 test\(s\) \(holm, BH\)/);
  for (const id of VIEWS) {
    assert.equal(await panel.page.getAttribute(`[data-chart="${id}"]`, 'data-has-data'), 'true', id);
    const paint = await colours(panel.page, id);
    assert.ok(paint.width > 100 && paint.height > 100 && paint.colours > 10, `${id} painted: ${JSON.stringify(paint)}`);
    assert.ok(((await panel.page.getAttribute(`[data-chart="${id}"] canvas`, 'aria-label')) ?? '').includes('values; highest'), id);
  }
  // The round-one charts still work beside the study views.
  assert.equal(await panel.page.getAttribute('[data-chart="correlation"]', 'data-has-data'), 'true');
  assert.deepEqual(await panel.problems(), NO_PROBLEMS);
  await panel.page.context().close();
});

test("the CLI's self-contained report with a study: all views render under its CSP, CSV downloads, nothing fetched", {
  skip,
  timeout: 90_000,
}, async () => {
  const { renderStudyReport } = await import('../../src/cli/report');
  const analysis = fixture();
  analysis.models[0].id = '</script><script>alert(1)</script>';
  for (const r of analysis.alignment) if (r.model === 'gpt-3.5-turbo') r.model = analysis.models[0].id;
  // The function the CLI calls, with this test's bundle (the CLI reads dist/webview.js beside itself).
  const html = await renderStudyReport(analysis, {
    assets: { script: readFileSync(web.bundle.file, 'utf8'), css: readFileSync('media/panel.css', 'utf8') },
  });
  assert.match(html, /<title>Value Lens: multicultural-demo<\/title>/);
  const { page, errors, requests, violations, close } = await openReportPage(web.browser, html, '#vl-study[data-updates="1"]', {
    acceptDownloads: true,
  });
  for (const id of VIEWS) {
    assert.equal(await page.getAttribute(`[data-chart="${id}"]`, 'data-has-data'), 'true', id);
    assert.ok((await colours(page, id)).colours > 10, `${id} painted`);
  }
  assert.equal(await page.textContent('[data-count="used"] strong'), '7163');
  // No workspace report in this page: its charts stay hidden and no error shows.
  assert.equal(await page.isVisible('.vl-charts:not(.vl-study-charts)'), false);
  assert.equal(await page.textContent('.vl-status'), '');
  const models = await readTable(page, 'study-models');
  assert.ok(models.some((cells) => cells[0] === '</script><script>alert(1)</script>'));

  const [csv] = await Promise.all([page.waitForEvent('download'), page.click('[data-chart="study-countries"] [data-export="csv"]')]);
  assert.equal(csv.suggestedFilename(), 'value-lens-study-countries.csv');
  const text = await (await csv.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks).toString('utf8'));
  const lines = text.trimEnd().split('\r\n');
  // Every per-country row of the analysis, not just the slice shown: the cue rows (6 models × 2 cue languages
  // × 24 countries) and the no-cue rows with a single-country reference that no cue row replaces.
  const key = (r: AlignmentRow) => [r.model, r.language, r.level, r.measure, r.reference].join('|');
  const cued = new Set(analysis.alignment.filter((r) => r.category === null && r.country !== null && r.country === r.reference).map(key));
  const uncued = analysis.alignment.filter(
    (r) => r.category === null && r.country === null && !r.reference.startsWith('pooled:') && !cued.has(key(r)),
  );
  assert.equal(cued.size, 6 * 2 * 24);
  assert.equal(lines.length, 1 + cued.size + uncued.length);
  assert.equal(
    lines[0],
    'Model,Language,Country cue,Reference,Category,Level,Measure,n,Pearson r,r CI low,r CI high,r p,r p (Holm),r p (BH),Spearman ρ,ρ CI low,ρ CI high,ρ p,ρ p (Holm),ρ p (BH)',
  );
  const dk = analysis.alignment.find(
    (r) => r.model === 'gpt-4o' && r.language === 'da' && r.country === 'DK' && r.reference === 'DK' && r.category === null,
  )!;
  assert.ok(
    lines.includes(
      [
        'gpt-4o',
        'da',
        'DK',
        'DK',
        '',
        'item',
        'mean',
        '37',
        ...[dk.pearson!, dk.spearman!].flatMap((e) =>
          [e.estimate, e.ci![0], e.ci![1], e.p!, e.pHolm!, e.pBH!].map((v) => (Number.isInteger(v) ? String(v) : v.toFixed(6))),
        ),
      ].join(','),
    ),
    'the DK row, full precision',
  );

  const [png] = await Promise.all([page.waitForEvent('download'), page.click('[data-chart="study-contrasts"] [data-export="png"]')]);
  assert.equal(png.suggestedFilename(), 'value-lens-study-contrasts.png');
  assert.deepEqual(await violations(), []);
  assert.deepEqual(errors, []);
  assert.deepEqual(requests, [REPORT_URL], 'nothing fetched besides the page itself');
  await close();
});

test('a report page with both a workspace report and a study shows both', { skip, timeout: 60_000 }, async () => {
  const { renderReportHtml } = await import('../../src/cli/html');
  const html = renderReportHtml({
    reportJson: JSON.stringify(makeReport()),
    studyJson: JSON.stringify(fixture()),
    script: readFileSync(web.bundle.file, 'utf8'),
    css: readFileSync('media/panel.css', 'utf8'),
    title: 'Both',
  });
  const { page, errors, close } = await openReportPage(web.browser, html, '#vl-root[data-updates="1"]');
  await page.waitForSelector('#vl-study[data-updates="1"]');
  assert.equal(await page.getAttribute('[data-chart="correlation"]', 'data-has-data'), 'true');
  assert.equal(await page.getAttribute('[data-chart="study-contrasts"]', 'data-has-data'), 'true');
  assert.deepEqual(errors, []);
  await close();
});
