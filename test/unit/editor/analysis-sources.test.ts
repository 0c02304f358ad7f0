import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { itemHash, parseSurvey } from '../../../src/core/language/index';
import type { ScoreResult } from '../../../src/core/results';
import { createMemoryLogger } from '../../../src/core/log';
import { AnalysisSources } from '../../../src/editor/analysisSources';

const COUNTRIES = { da: ['DK'], nl: ['NL'], en: ['US', 'GB'], pt: ['PT', 'BR'] };

const survey = parseSurvey(readFileSync('examples/wvs7-sample.wvs', 'utf8'));
const hashOf = (id: string): string => itemHash(survey.items.find((i) => i.id === id)!);

function result(itemId: string, language: string, mean: number): ScoreResult {
  return {
    kind: 'result',
    runId: 'r',
    itemId,
    itemHash: hashOf(itemId),
    language,
    template: 'direct',
    paraphrase: null,
    provider: 'ollama',
    model: 'm',
    endpoint: 'http://127.0.0.1:1',
    method: 'logprobs',
    optionOrder: [],
    probabilities: { [String(mean)]: 1 },
    mean,
    mode: 1,
    entropy: 0,
    missMass: 0,
    latencyMs: 1,
    cached: false,
    at: '2026-11-25T13:00:00Z',
  };
}

test('records of the workspace corpus (id and hash matching a workspace item), the surveys and the human data give per-language r for the lenses', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vl-sources-'));
  try {
    const runs = join(dir, 'wvs7-sample.results');
    mkdirSync(runs);
    const withKeys = survey.items.filter((i) => i.dataKey && i.scale && !/^Q[1-6]$/.test(i.id));
    assert.ok(withKeys.length >= 8);
    // Earlier run on disk for en (plus one torn line); da arrives live.
    const lines = withKeys.map((item, k) =>
      JSON.stringify(result(item.id, 'en', item.scale!.min + ((k * 7) % (item.scale!.max - item.scale!.min + 1)))),
    );
    // A record of another wording of an item: stale, never analysed.
    const stale = JSON.stringify({ ...result(withKeys[0]!.id, 'en', 1), itemHash: 'another-wording' });
    writeFileSync(join(runs, 'records.jsonl'), `${lines.join('\n')}\n${stale}\n{"kind":"res`);
    const logger = createMemoryLogger();
    const sources = new AnalysisSources(join(dir, 'legacy-runs'), logger);
    assert.equal(await sources.loadCorpora([runs]), withKeys.length + 1);
    assert.ok(logger.entries.some((e) => e.level === 'warn' && /skipped 1/.test(e.message)));
    withKeys.forEach((item, k) => sources.addRecord(result(item.id, 'da', item.scale!.min + (k % 3))));
    assert.deepEqual(sources.editorSummary('m', 'direct', COUNTRIES).alignment, {}, 'no r without human data');

    sources.setSurvey('file:///ws/wvs7-sample.wvs', survey);
    const current = sources.currentRecords();
    assert.equal(current.stale, 1);
    assert.equal(current.records.length, withKeys.length * 2);
    const { rows } = await sources.loadHuman('examples/human-reference.csv');
    assert.ok(rows > 50);
    const r = sources.editorSummary('m', 'direct', COUNTRIES).alignment;
    assert.equal(typeof r.en, 'number');
    assert.equal(typeof r.da, 'number');
    assert.ok(Math.abs(r.en!) <= 1 && Math.abs(r.da!) <= 1);
    assert.notEqual(r.en, r.da);
    assert.deepEqual(sources.locate('Q182'), {
      uri: 'file:///ws/wvs7-sample.wvs',
      line: survey.items.find((i) => i.id === 'Q182')!.idRange.start.line,
    });
    // Two paraphrases that rank the items identically: self-consistency 1 for en, none for da or another template.
    withKeys.forEach((item, k) => {
      for (const paraphrase of [0, 1]) sources.addRecord({ ...result(item.id, 'en', k + paraphrase), paraphrase });
    });
    assert.deepEqual(sources.editorSummary('m', 'direct', COUNTRIES).consistency, { en: 1 });
    assert.deepEqual(sources.editorSummary('m', 'other', COUNTRIES).consistency, {});
    const report = sources.report({}, COUNTRIES);
    assert.ok(report.alignment.some((row) => row.language === 'en' && row.country === 'US'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
