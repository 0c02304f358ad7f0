// The panel host with a study: the analysis goes to the webview on every `ready` (after reloads too), a
// newer one pushed with showStudy replaces it, and Export CSV of a study view writes every row of that view
// from the host's own copy (the webview only names the view).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createMemoryLogger } from '../../../src/core/log';
import type { StudyAnalysis } from '../../../src/core/study/analysisTypes';
import type { HostMessage } from '../../../src/shared/protocol';
import { PanelSession, type PanelDeps } from '../../../src/panel/session';
import { renderReportHtml } from '../../../src/cli/html';
import { makeReport } from '../../webview/fixture-report';

const fixture = (): StudyAnalysis => JSON.parse(readFileSync('test/fixtures/study-analysis/study-analysis.json', 'utf8')) as StudyAnalysis;

function setup(extra: Partial<PanelDeps> = {}) {
  const logger = createMemoryLogger();
  const posted: HostMessage[] = [];
  const saved: { name: string; text: string }[] = [];
  const session = new PanelSession(
    { computeReport: (filter) => ({ ...makeReport({ items: 4 }), filter }), logger, ...extra },
    {
      post: (message) => void posted.push(message),
      saveFile: async (name, data) => (saved.push({ name, text: new TextDecoder().decode(data) }), `/tmp/${name}`),
    },
  );
  return { session, posted, saved, logger };
}

const studies = (posted: HostMessage[]) => posted.filter((m): m is Extract<HostMessage, { type: 'study' }> => m.type === 'study');

test('loadStudy is asked on ready; its analysis follows the report, and again after a reload', async () => {
  let calls = 0;
  const analysis = fixture();
  const { session, posted } = setup({ loadStudy: async () => (calls++, analysis) });
  await session.handleMessage({ type: 'ready' });
  assert.deepEqual(
    posted.map((m) => m.type),
    ['report', 'study'],
  );
  assert.equal(studies(posted)[0].analysis, analysis);
  await session.handleMessage({ type: 'ready' });
  assert.deepEqual(
    posted.map((m) => m.type),
    ['report', 'study', 'report', 'study'],
  );
  assert.equal(calls, 1, 'loaded once, then kept');
});

test('without a study nothing is posted for it; showStudy before ready waits, after ready posts, null removes', async () => {
  const { session, posted } = setup({ loadStudy: () => undefined });
  session.showStudy(fixture());
  assert.equal(posted.length, 0, 'not ready yet');
  await session.handleMessage({ type: 'ready' });
  assert.deepEqual(
    posted.map((m) => m.type),
    ['report', 'study'],
  );
  const newer = { ...fixture(), study: 'second' };
  session.showStudy(newer);
  assert.equal(studies(posted).at(-1)?.analysis?.study, 'second');
  session.showStudy(null);
  assert.equal(studies(posted).at(-1)?.analysis, null);

  const none = setup();
  await none.session.handleMessage({ type: 'ready' });
  assert.deepEqual(
    none.posted.map((m) => m.type),
    ['report'],
  );
});

test('a failing loadStudy is reported to the webview and logged; the report still arrives', async () => {
  const { session, posted, logger } = setup({ loadStudy: () => Promise.reject(new Error('corpus unreadable')) });
  await session.handleMessage({ type: 'ready' });
  assert.deepEqual(
    posted.map((m) => m.type),
    ['report', 'error'],
  );
  assert.match((posted[1] as { message: string }).message, /corpus unreadable/);
  assert.ok(logger.entries.some((e) => e.level === 'error' && /corpus unreadable/.test(e.message)));
});

test('Export CSV of a study view writes every row of that view, formulas neutralised; no study: an error, no file', async () => {
  const analysis = fixture();
  analysis.contrasts[0] = { ...analysis.contrasts[0], a: '=HYPERLINK("http://127.0.0.1:9/x")' };
  const { session, posted, saved } = setup({ loadStudy: () => analysis });
  await session.handleMessage({ type: 'ready' });
  await session.handleMessage({ type: 'exportCsv', chart: 'study-contrasts' });
  assert.equal(saved[0].name, 'value-lens-study-contrasts.csv');
  const lines = saved[0].text.trimEnd().split('\r\n');
  assert.equal(lines.length, 1 + analysis.contrasts.length);
  assert.equal(lines[0], 'Factor,A,B,Within,Measure,Statistic,Difference (A − B),CI low,CI high,p,p (Holm),p (BH)');
  assert.ok(lines[1].startsWith(`model,"'=HYPERLINK(""http://127.0.0.1:9/x"")",`), lines[1]);
  const d = analysis.contrasts[1].difference;
  assert.ok(
    lines[2].endsWith(
      [d.estimate, d.ci![0], d.ci![1], d.p!, d.pHolm!, d.pBH!].map((v) => (Number.isInteger(v) ? String(v) : v.toFixed(6))).join(','),
    ),
    lines[2],
  );
  assert.equal((posted.at(-1) as { message: string }).message, 'Saved study-contrasts table to /tmp/value-lens-study-contrasts.csv');

  await session.handleMessage({ type: 'exportCsv', chart: 'study-bias' });
  const bias = saved[1].text.trimEnd().split('\r\n');
  assert.equal(bias.length, 1 + analysis.usBias.length);
  assert.ok(
    bias.slice(1).some((l) => l.includes(',item-pearson,')) && bias.slice(1).some((l) => l.includes(',response-spearman,')),
    'both definitions',
  );

  const none = setup();
  await none.session.handleMessage({ type: 'ready' });
  await none.session.handleMessage({ type: 'exportCsv', chart: 'study-models' });
  assert.equal(none.saved.length, 0);
  assert.deepEqual(none.posted.at(-1), { type: 'error', message: 'There is no study analysis to export.' });
});

test('the report page carries the study HTML-escaped in data-study, and data-report only when given', () => {
  const analysis = { ...fixture(), study: '"><script>alert(1)</script>' };
  const html = renderReportHtml({
    studyJson: JSON.stringify(analysis),
    script: 'void 0',
    css: '',
    title: 't',
    nonce: 'AAAAAAAAAAAAAAAAAAAAAA==',
  });
  const main = /<main id="vl-root"([^>]*)><\/main>/.exec(html);
  assert.ok(main, 'the root element is intact');
  assert.doesNotMatch(main[1], /data-report=/);
  const attribute = /data-study="([^"]*)"/.exec(main[1])![1];
  assert.doesNotMatch(attribute, /[<>"]/);
  const decoded = attribute
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
  assert.deepEqual(JSON.parse(decoded), analysis);
  const both = renderReportHtml({ reportJson: '{}', studyJson: '{}', script: '', css: '', title: 't' });
  assert.match(both, /<main id="vl-root" data-report="\{\}" data-study="\{\}"><\/main>/);
});
