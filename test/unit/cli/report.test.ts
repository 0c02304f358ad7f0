// `value-lens analyze` and `report` on results produced by scoring against the fake Ollama.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { startFakeOllama, type FakeServer } from '../../support/fake-ollama';
import { buildOnce, EXAMPLE_HUMAN, EXAMPLE_ITEMS, EXAMPLE_TEMPLATES, removeDir, runCli, tempDir } from './helpers';

const HOSTILE = '</script><script>alert(1)</script>';

let fake: FakeServer;
let dir: string;
let results: string;
let hostileItems: string;

before(async () => {
  buildOnce();
  fake = await startFakeOllama();
  dir = tempDir();
  // The example survey with a hostile title on an item that has human data (so it reaches the charts).
  const text = await fs.readFile(EXAMPLE_ITEMS, 'utf8');
  const hostile = text.replace(/^item Q182 "[^"]*"/m, `item Q182 "${HOSTILE}"`);
  assert.notEqual(hostile, text, 'the item title was replaced');
  hostileItems = join(dir, 'hostile.wvs');
  await fs.writeFile(hostileItems, hostile);
  results = join(dir, 'results.jsonl');
  const r = await runCli([
    'score',
    hostileItems,
    '--template',
    EXAMPLE_TEMPLATES,
    '--endpoint',
    fake.url,
    '--model',
    'fake-llm',
    '--cache-dir',
    join(dir, 'cache'),
    '--out',
    results,
  ]);
  assert.equal(r.code, 0, r.stderr);
});
after(async () => {
  await fake.close();
  await removeDir(dir);
});

test('analyze --json prints the AnalysisReport with alignment per language', async () => {
  const r = await runCli(['analyze', results, '--items', hostileItems, '--human', EXAMPLE_HUMAN, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as Record<string, unknown> & {
    alignment: { model: string; language: string; country: string; pearson: { estimate: number; n: number } | null }[];
    counts: { results: number; failures: number };
    languages: string[];
  };
  for (const key of [
    'generatedAt',
    'filter',
    'models',
    'languages',
    'alignment',
    'scatter',
    'byCategory',
    'consistency',
    'usBias',
    'positionBias',
    'counts',
  ]) {
    assert.ok(key in report, key);
  }
  assert.deepEqual([...report.languages].sort(), ['da', 'en', 'nl', 'pt']);
  const lines = (await fs.readFile(results, 'utf8')).trim().split('\n').length;
  assert.equal(report.counts.results, lines);
  assert.ok(report.alignment.length >= 4);
  for (const row of report.alignment) {
    assert.equal(row.model, 'fake-llm');
    assert.ok(row.pearson && row.pearson.n >= 3 && Math.abs(row.pearson.estimate) <= 1);
  }
});

test('analyze prints readable tables; filters that match nothing exit 1', async () => {
  const r = await runCli(['analyze', results, '--items', hostileItems, '--human', EXAMPLE_HUMAN]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Alignment with human data/);
  assert.match(r.stdout, /model\s+lang\s+country\s+measure/);
  assert.match(r.stdout, /fake-llm\s+da\s+DK/);
  const none = await runCli(['analyze', results, '--items', hostileItems, '--human', EXAMPLE_HUMAN, '--model', 'other']);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /No item could be compared/);
});

test('analyze and report: bad inputs give a message and exit 1 or 2', async () => {
  const garbage = join(dir, 'garbage.jsonl');
  await fs.writeFile(garbage, 'not json\n{"also": "not a record"}\n');
  const bad = await runCli(['analyze', garbage, '--items', hostileItems, '--human', EXAMPLE_HUMAN]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /2 line\(s\) are not run records/);
  assert.match(bad.stderr, /holds no run records/);
  const noHuman = await runCli(['analyze', results, '--items', hostileItems]);
  assert.equal(noHuman.code, 2);
  assert.match(noHuman.stderr, /needs --human/);
  const missing = await runCli(['analyze', join(dir, 'nope.jsonl'), '--items', hostileItems, '--human', EXAMPLE_HUMAN]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /nope\.jsonl does not exist/);
  const emptyHuman = join(dir, 'empty.csv');
  await fs.writeFile(emptyHuman, 'a,b\n');
  const unusable = await runCli(['analyze', results, '--items', hostileItems, '--human', emptyHuman]);
  assert.equal(unusable.code, 1);
  assert.match(unusable.stderr, /no usable human reference rows/);
  const noHtml = await runCli(['report', results, '--items', hostileItems, '--human', EXAMPLE_HUMAN]);
  assert.equal(noHtml.code, 2);
  assert.match(noHtml.stderr, /needs --html/);
  const badBootstrap = await runCli(['analyze', results, '--items', hostileItems, '--human', EXAMPLE_HUMAN, '--bootstrap', 'many']);
  assert.equal(badBootstrap.code, 2);
});

test('report writes one self-contained HTML file: inline nonce script, CSP, data escaped', async () => {
  const html = join(dir, 'out', 'report.html');
  const r = await runCli(['report', results, '--items', hostileItems, '--human', EXAMPLE_HUMAN, '--html', html]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), html);
  const page = await fs.readFile(html, 'utf8');
  const leftovers = (await fs.readdir(join(dir, 'out'))).filter((f) => f !== 'report.html');
  assert.deepEqual(leftovers, [], 'no temp files left behind by the atomic write');

  // Exactly one script element, inline, carrying the CSP nonce; nothing loaded from anywhere.
  const scripts = [...page.matchAll(/<script\b[^>]*>/gi)].map((m) => m[0]);
  assert.equal(scripts.length, 1, scripts.join('\n'));
  assert.doesNotMatch(page, /<script[^>]+src\s*=/i);
  // Outside the inline script and style (whose text is code, not markup) there is nothing to fetch.
  const markup = page.replace(/<script\b[^>]*>[\s\S]*?<\/script>/gi, '').replace(/<style\b[^>]*>[\s\S]*?<\/style>/gi, '');
  assert.doesNotMatch(markup, /<link\b|<img\b|<iframe\b|src\s*=|https?:\/\//i);
  assert.equal((page.match(/<\/script/gi) ?? []).length, 1, 'the inline bundle cannot close its own element early');
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(page);
  assert.ok(csp);
  const policy = csp[1].replace(/&#39;/g, "'");
  assert.match(policy, /default-src 'none'/);
  const nonce = /script-src 'nonce-([^']+)'/.exec(policy)?.[1];
  assert.ok(nonce && nonce.length >= 16);
  assert.ok(scripts[0].includes(`nonce="${nonce}"`));
  assert.doesNotMatch(policy, /https?:/);
  // The viewer bundle is inline (same size class as dist/webview.js).
  const bundle = await fs.readFile(join(__dirname, '..', '..', '..', 'dist', 'webview.js'), 'utf8');
  assert.ok(page.length > bundle.length);

  // The hostile title is present only as escaped data, and decodes back to the exact string.
  assert.ok(!page.includes(HOSTILE), 'raw hostile title must not appear');
  const attr = /<main id="vl-root" data-report="([^"]*)">/.exec(page);
  assert.ok(attr, 'data-report attribute');
  const decoded = attr[1]
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
  const data = JSON.parse(decoded) as { scatter: { points: { title: string }[] }[]; alignment: unknown[] };
  assert.ok(data.alignment.length >= 4);
  const titles = data.scatter.flatMap((s) => s.points.map((p) => p.title));
  assert.ok(titles.includes(HOSTILE), 'the title survives as data');
  // A fresh nonce per file.
  const again = join(dir, 'out', 'report2.html');
  await runCli(['report', results, '--items', hostileItems, '--human', EXAMPLE_HUMAN, '--html', again]);
  const nonce2 = /nonce-([^&']+)/.exec(await fs.readFile(again, 'utf8'))?.[1];
  assert.notEqual(nonce2, nonce);
});

const SHARED_HUMAN = '/work/shared/data/wvs-evs-pro-shares.csv';
test('analyze reads the full WVS/EVS pro-share table (read in place, never copied)', {
  skip: !existsSync(SHARED_HUMAN) && 'shared data not present',
}, async () => {
  const r = await runCli(['analyze', results, '--items', hostileItems, '--human', SHARED_HUMAN, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as {
    counts: { humanRows: number };
    alignment: { language: string; country: string; measure: string }[];
    usBias: unknown[];
  };
  assert.ok(report.counts.humanRows > 100);
  assert.deepEqual([...new Set(report.alignment.map((a) => a.language))].sort(), ['da', 'en', 'nl', 'pt']);
  assert.ok(report.alignment.every((a) => a.measure === 'share'));
  assert.ok(report.usBias.length >= 3, 'da, nl and pt each compared with their own country and the US');
});
