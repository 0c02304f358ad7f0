import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunRecord, ScoreResult } from '../../../src/core/results';
import {
  bar,
  decorationText,
  languageLensTitle,
  paraphrasesLensTitle,
  resultsHoverMarkdown,
  scoreLensTitle,
  summaryLine,
  type ItemResultsView,
} from '../../../src/core/resultText';
import { IMPORTANCE } from '../../support/ast-fixtures';

function result(language: string, mean: number, extra: Partial<ScoreResult> = {}): ScoreResult {
  return {
    kind: 'result',
    runId: 'r1',
    itemId: 'Q1',
    itemHash: 'h1',
    language,
    template: 'direct',
    paraphrase: null,
    provider: 'ollama',
    model: 'llama3.2',
    endpoint: 'http://127.0.0.1:11434',
    method: 'logprobs',
    optionOrder: [1, 2, 3, 4],
    probabilities: { '1': 0.1, '2': 0.6, '3': 0.2, '4': 0.1 },
    mean,
    mode: 2,
    entropy: 1.1,
    missMass: 0.03,
    latencyMs: 12,
    cached: false,
    at: '2026-11-25T13:05:00.000Z',
    ...extra,
  };
}

const ORDER = ['en', 'da', 'nl', 'pt'];

function view(latest: Record<string, RunRecord>, extra: Partial<ItemResultsView> = {}): ItemResultsView {
  return { latest, currentHash: 'h1', ...extra };
}

test('summary line follows the declared language order', () => {
  const v = view({ pt: result('pt', 2.4), en: result('en', 2.314), nl: result('nl', 2.05), da: result('da', 2.1) });
  assert.equal(summaryLine(v, ORDER), 'en 2.31 · da 2.10 · nl 2.05 · pt 2.40');
  assert.equal(scoreLensTitle(v, ORDER), '$(play) Score: en 2.31 · da 2.10 · nl 2.05 · pt 2.40');
  assert.equal(decorationText(v, ORDER), '  en 2.31 · da 2.10 · nl 2.05 · pt 2.40');
});

test('no results: plain titles; running: spinner', () => {
  assert.equal(scoreLensTitle(view({}), ORDER), '$(play) Score');
  assert.equal(languageLensTitle(view({}), 'da'), 'da');
  assert.equal(decorationText(view({}), ORDER), '');
  const running = view({ en: result('en', 2) }, { running: new Set(['*']) });
  assert.equal(scoreLensTitle(running, ORDER), '$(sync~spin) Scoring…');
  assert.equal(languageLensTitle(running, 'en'), '$(sync~spin) en…');
  const onlyDa = view({}, { running: new Set(['da']) });
  assert.equal(languageLensTitle(onlyDa, 'da'), '$(sync~spin) da…');
  assert.equal(languageLensTitle(onlyDa, 'en'), 'en');
});

test('language lens shows mean, mode and r when available', () => {
  const v = view({ en: result('en', 2.314) }, { r: { en: 0.6234 } });
  assert.equal(languageLensTitle(v, 'en'), 'en 2.31 · mode 2 · r 0.62');
  assert.equal(languageLensTitle(view({ en: result('en', 1) }, { r: { en: null } }), 'en'), 'en 1.00 · mode 2');
});

test('stale results are marked, not hidden', () => {
  const v = view({ en: result('en', 2.5, { itemHash: 'old' }), da: result('da', 2) });
  assert.equal(scoreLensTitle(v, ORDER), '$(play) Score: en 2.50 · da 2.00 $(warning) stale');
  assert.equal(languageLensTitle(v, 'en'), 'en 2.50 · mode 2 $(warning) stale');
  assert.equal(languageLensTitle(v, 'da'), 'da 2.00 · mode 2');
  assert.match(decorationText(v, ORDER), /\(stale\)$/);
  assert.match(resultsHoverMarkdown(v, ORDER, IMPORTANCE), /\*\*en\*\*.*stale/);
});

test('failures show as ✗', () => {
  const failure: RunRecord = {
    kind: 'failure',
    runId: 'r',
    itemId: 'Q1',
    itemHash: 'h1',
    language: 'nl',
    template: 'direct',
    paraphrase: null,
    provider: 'ollama',
    model: 'm',
    endpoint: 'http://127.0.0.1:1',
    method: 'logprobs',
    optionOrder: [],
    error: { kind: 'network', message: 'ECONNREFUSED' },
    attempts: 3,
    at: '2026-11-25T13:00:00Z',
  };
  const v = view({ en: result('en', 2), nl: failure });
  assert.equal(summaryLine(v, ORDER), 'en 2.00 · nl ✗');
  assert.equal(languageLensTitle(v, 'nl'), 'nl ✗ failed');
  assert.match(resultsHoverMarkdown(v, ORDER), /\*\*nl\*\* failed: ECONNREFUSED/);
});

test('hover shows distribution bars with labels, missMass, method, model and time', () => {
  const md = resultsHoverMarkdown(view({ da: result('da', 2.3) }), ORDER, IMPORTANCE);
  assert.match(md, /\*\*da\*\* mean 2\.30 · mode 2 · missMass 0\.030 · logprobs · `llama3\.2` · 2026-11-25 13:05 UTC/);
  assert.match(md, / {2}2 ████████████░░░░░░░░ 0\.60 Ret vigtigt/);
  assert.match(md, / {2}1 ██░░░░░░░░░░░░░░░░░░ 0\.10 Meget vigtigt/);
  const sample = resultsHoverMarkdown(view({ en: result('en', 2, { method: 'sample', samples: 20 }) }), ORDER);
  assert.match(sample, /sample \(20 samples\)/);
});

test('bar widths are clamped', () => {
  assert.equal(bar(0), '░'.repeat(20));
  assert.equal(bar(1), '█'.repeat(20));
  assert.equal(bar(1.7), '█'.repeat(20));
  assert.equal(bar(0.5, 10), '█████░░░░░');
});

test('paraphrase lens summarises mean ± sd per language', () => {
  const paraphrases = { en: { '0': result('en', 2, { paraphrase: 0 }), '1': result('en', 3, { paraphrase: 1 }) } };
  const v = view({}, { paraphrases });
  assert.equal(paraphrasesLensTitle(v, ORDER), '$(list-flat) Paraphrases: en 2.50 ±0.71 (2)');
  assert.equal(paraphrasesLensTitle(view({}), ORDER), '$(list-flat) Paraphrases');
});
