// The study views (a StudyAnalysis in a `study` message, or in the report's data-study) in real Chromium,
// checked against figures computed from the fixture JSON (test/webview/study-harness.ts), not by the code
// under test. One scenario group per file (study-*.test.ts) so the runner runs them side by side:
// hostile strings and fuzzed messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SKIP_REASON, readTable, webviewSuite } from './harness';
import { choose, fixture, json, NO_PROBLEMS, openStudy, sendStudy } from './study-harness';

const skip = SKIP_REASON;
const web = webviewSuite();
const open = (state?: unknown) => openStudy(web, state);

const HOSTILE_MODEL = '<script>window.__pwned = 1; alert(1)</script>';
const HOSTILE_COUNTRY = '<img src=x onerror="window.__pwned = 2; alert(2)">';

test('hostile model, country, category and study names render as text: 0 scripts run, 0 CSP violations, 0 requests', {
  skip,
  timeout: 60_000,
}, async () => {
  const analysis = fixture();
  const swap = (s: string) => (s === 'gpt-4o' ? HOSTILE_MODEL : s);
  analysis.study = '"><svg onload=alert(3)>';
  analysis.models = analysis.models.map((m) => ({ ...m, id: swap(m.id) }));
  analysis.alignment = analysis.alignment.map((r) => ({
    ...r,
    model: swap(r.model),
    country: r.country === 'DK' ? HOSTILE_COUNTRY : r.country,
    reference: r.reference === 'DK' ? HOSTILE_COUNTRY : r.reference,
    category: r.category === 'progress' ? '<b onmouseover=alert(4)>progress</b>' : r.category,
  }));
  analysis.consistency = analysis.consistency.map((r) => ({ ...r, model: swap(r.model) }));
  analysis.usBias = analysis.usBias.map((r) => ({ ...r, model: swap(r.model) }));
  analysis.contrasts = analysis.contrasts.map((r) => ({ ...r, a: swap(r.a), b: swap(r.b) }));
  const panel = await open();
  await sendStudy(panel, analysis);
  await choose(panel.page, 'model', HOSTILE_MODEL);
  assert.equal(await panel.page.textContent('#vl-study .vl-study-title'), 'Study: "><svg onload=alert(3)>');
  const models = await readTable(panel.page, 'study-models');
  assert.ok(models.some((cells) => cells[0] === HOSTILE_MODEL));
  const countries = await readTable(panel.page, 'study-countries');
  assert.ok(countries.some((cells) => cells[0] === HOSTILE_MODEL && cells[3] === HOSTILE_COUNTRY));
  assert.ok((await json(panel.page, 'study-countries', 'data-labels')).includes(HOSTILE_COUNTRY));
  const categories = await readTable(panel.page, 'study-categories');
  assert.ok(categories.some((cells) => cells[5] === '<b onmouseover=alert(4)>progress</b>'));
  const contrasts = await readTable(panel.page, 'study-contrasts');
  assert.ok(contrasts.some((cells) => cells[1] === HOSTILE_MODEL));
  await panel.page.hover('[data-chart="study-countries"] canvas');
  await panel.page.hover('[data-chart="study-models"] canvas');
  const injected = await panel.page.evaluate(() => ({
    pwned: (window as unknown as { __pwned?: number }).__pwned,
    elements: document.querySelectorAll('#vl-root img, #vl-root svg, #vl-root script, #vl-root b').length,
    scripts: document.scripts.length,
  }));
  assert.deepEqual(injected, { pwned: undefined, elements: 0, scripts: 1 });
  assert.deepEqual(await panel.problems(), NO_PROBLEMS);
  assert.deepEqual(
    web.server.requests.filter((p) => !['/', '/dist/webview.js', '/media/panel.css', '/favicon.ico'].includes(p)),
    [],
  );
  await panel.page.context().close();
});

test('1,000 fuzzed study messages: no page error, malformed rows are counted, the views keep working', {
  skip,
  timeout: 90_000,
}, async () => {
  const panel = await open();
  const small = fixture();
  small.alignment = small.alignment.filter((r) => r.country === null).slice(0, 40);
  await panel.page.evaluate((base) => {
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
    const junk: unknown[] = [
      null,
      undefined,
      0,
      -1,
      NaN,
      1e308,
      '',
      'x',
      [],
      {},
      [1, 2],
      { a: 1 },
      '<script>alert(1)</script>',
      true,
      { estimate: 'x' },
      { estimate: 1, ci: [0] },
    ];
    const keys = Object.keys(base);
    for (let i = 0; i < 1000; i++) {
      const kind = pick(['field', 'row', 'raw', 'analysis']);
      let message: unknown;
      if (kind === 'raw') message = { type: 'study', analysis: pick(junk) };
      else if (kind === 'analysis') message = pick(junk);
      else {
        const copy = JSON.parse(JSON.stringify(base));
        if (kind === 'field') copy[pick(keys)] = pick(junk);
        else {
          const list = pick(['alignment', 'contrasts', 'consistency', 'usBias', 'regions', 'attributeGroups']);
          const rows = copy[list] as Record<string, unknown>[];
          if (rows.length) {
            const row = rows[Math.floor(rand() * rows.length)];
            row[pick(Object.keys(row))] = pick(junk);
          }
        }
        message = { type: 'study', analysis: copy };
      }
      window.postMessage(message, '*');
    }
  }, small);
  await panel.page.evaluate(() => new Promise((r) => setTimeout(r, 100)));
  const broken = {
    ...fixture(),
    alignment: [...fixture().alignment.slice(0, 50), { model: 'm' }, 'not a row', { ...fixture().alignment[0], level: 'sentence' }],
  };
  await sendStudy(panel, broken);
  assert.equal(await panel.page.getAttribute('[data-dropped]', 'data-dropped'), '3');
  assert.match((await panel.page.textContent('[data-dropped]')) ?? '', /3 malformed row\(s\) ignored: alignment 3/);
  await sendStudy(panel, fixture());
  assert.equal(await panel.page.getAttribute('[data-chart="study-models"]', 'data-has-data'), 'true');
  assert.equal(await panel.page.$('[data-dropped]'), null);
  const problems = await panel.problems();
  assert.deepEqual(problems.pageErrors, []);
  assert.deepEqual(problems.cspViolations, []);
  assert.deepEqual(problems.dialogs, []);
  await panel.page.context().close();
});
