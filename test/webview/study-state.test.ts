// The study views (a StudyAnalysis in a `study` message, or in the report's data-study) in real Chromium,
// checked against figures computed from the fixture JSON (test/webview/study-harness.ts), not by the code
// under test. One scenario group per file (study-*.test.ts) so the runner runs them side by side:
// choices kept across a reload, export, theme colours, empty states.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MESSAGES } from '../../webview/messages';
import { makeReport } from './fixture-report';
import { SKIP_REASON, readTable, reportMessage, webviewSuite } from './harness';
import { choose, countryRows, f3, fixture, json, openStudy, sendStudy } from './study-harness';

const skip = SKIP_REASON;
const web = webviewSuite();
const open = (state?: unknown) => openStudy(web, state);

test('study choices persist with setState; a reloaded page restores them and shows that slice', { skip, timeout: 60_000 }, async () => {
  const analysis = fixture();
  const panel = await open();
  await sendStudy(panel, analysis);
  await choose(panel.page, 'model', 'gemma-2-27b-it');
  await choose(panel.page, 'language', 'da');
  await choose(panel.page, 'statistic', 'spearman');
  await choose(panel.page, 'attribute', 'chat');
  const saved = (await panel.state()) as { study?: Record<string, string> };
  assert.deepEqual(saved.study, { model: 'gemma-2-27b-it', language: 'da', statistic: 'spearman', attribute: 'chat' });
  // Local choices: nothing goes to the host.
  assert.deepEqual(await panel.posted(), [{ type: 'ready' }]);
  await panel.page.context().close();

  const reloaded = await open(saved);
  await sendStudy(reloaded, analysis);
  assert.equal(await reloaded.page.getAttribute('[data-study-choice="model"]', 'data-value'), 'gemma-2-27b-it');
  assert.equal(await reloaded.page.getAttribute('[data-study-choice="statistic"]', 'data-value'), 'spearman');
  const expected = countryRows(analysis, 'gemma-2-27b-it', 'da', null).sort((a, b) => b.spearman!.estimate - a.spearman!.estimate);
  const table = await readTable(reloaded.page, 'study-countries');
  assert.deepEqual(
    table.slice(1).map((cells) => [cells[0], cells[1], cells[3], cells[14]]),
    expected.map((r) => ['gemma-2-27b-it', 'da', r.reference, f3(r.spearman!.estimate)]),
  );
  assert.deepEqual(
    (await json(reloaded.page, 'study-attributes', 'data-datasets')).map((d: { label: string }) => d.label),
    ['chat = true', 'chat = false'],
  );
  await reloaded.page.context().close();
});

test('export buttons post exportCsv with the view id and a real PNG of the view', { skip, timeout: 60_000 }, async () => {
  const panel = await open();
  await sendStudy(panel, fixture());
  await panel.page.click('[data-chart="study-countries"] [data-export="csv"]');
  await panel.page.click('[data-chart="study-categories"] [data-export="png"]');
  const posted = (await panel.posted()) as { type: string; chart?: string; dataUrl?: string }[];
  assert.deepEqual(posted[1], { type: 'exportCsv', chart: 'study-countries' });
  assert.equal(posted[2].type, 'exportPng');
  assert.equal(posted[2].chart, 'study-categories');
  const bytes = Buffer.from(posted[2].dataUrl!.replace('data:image/png;base64,', ''), 'base64');
  assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.ok(bytes.length > 5000, `PNG has content (${bytes.length} bytes)`);
  await panel.page.context().close();
});

test('theme changes re-colour the study views from --vscode-* variables', { skip, timeout: 60_000 }, async () => {
  const panel = await open();
  await sendStudy(panel, fixture());
  const colour = async () => (await json(panel.page, 'study-models', 'data-datasets'))[0].color;
  assert.equal(await colour(), '#3794ff');
  // Past the six palette colours, the same hues come back hollow.
  assert.equal((await json(panel.page, 'study-models', 'data-datasets'))[5].color, '#cca700');
  await panel.page.evaluate(() => document.body.style.setProperty('--vscode-charts-blue', 'rgb(1, 2, 3)'));
  await panel.page.waitForFunction(() =>
    document.querySelector('[data-chart="study-models"]')?.getAttribute('data-datasets')?.includes('rgb(1, 2, 3)'),
  );
  assert.equal(await colour(), 'rgb(1, 2, 3)');
  await panel.page.context().close();
});

test('empty states: views without rows say why; a study with nothing used says so; null removes the views', {
  skip,
  timeout: 60_000,
}, async () => {
  const panel = await open();
  await panel.send(reportMessage(makeReport({ results: 0 })));
  const partial = { ...fixture(), contrasts: [], regions: [], attributeGroups: [] };
  partial.alignment = partial.alignment.filter((r) => r.country === null && r.reference.startsWith('pooled:'));
  await sendStudy(panel, partial);
  // The round-one "no results yet" banner would read as if the study had none.
  assert.equal(await panel.page.isVisible('.vl-empty[data-empty="no-results"]'), false);
  assert.equal(await panel.page.getAttribute('[data-chart="study-models"]', 'data-has-data'), 'true');
  const empty = async (id: string) => panel.page.textContent(`[data-chart="${id}"] .vl-chart-empty`);
  assert.equal(await empty('study-countries'), 'No per-country rows: the study has no country cues and no single-country references.');
  assert.match((await empty('study-contrasts')) ?? '', /^No paired differences/);
  assert.match((await empty('study-regions')) ?? '', /^No region means/);
  assert.equal(await panel.page.getAttribute('[data-chart="study-attributes"]', 'data-has-data'), 'false');
  assert.equal(await panel.page.isVisible('[data-chart="study-countries"] canvas'), false);

  const nothing = {
    ...fixture(),
    counts: { read: 40, used: 0, superseded: 0, stale: 0, skipped: { failure: 40 } },
    alignment: [],
    regions: [],
    consistency: [],
    usBias: [],
    contrasts: [],
    attributeGroups: [],
  };
  await sendStudy(panel, nothing);
  assert.equal(await panel.page.textContent('.vl-empty[data-empty="study"]'), MESSAGES.studyEmpty);
  assert.equal(await panel.page.textContent('[data-count="skipped:failure"] strong'), '40');
  await sendStudy(panel, null);
  assert.equal(await panel.page.isVisible('#vl-study'), false);
  assert.deepEqual((await panel.problems()).pageErrors, []);
  await panel.page.context().close();
});
