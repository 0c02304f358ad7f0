// Issue 16, editor side: the item hover flags an item the first-token-vs-text check found disagreeing
// (first-token argmax ≠ greedy text answer), from the study analysis the editor read; other items are not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { FakeDocument, Position, Uri, installFakeVscode, state } from './fake-vscode';
import { parseSurvey } from '../../../src/core/language/index';
import type { ResponseUnit } from '../../../src/core/corpus/types';
import { firstTokenTextRows } from '../../../src/core/study/firstToken';

installFakeVscode();
const { ParsedDocuments } = require('../../../src/editor/documents') as typeof import('../../../src/editor/documents');
const { ResultsState } = require('../../../src/editor/resultsState') as typeof import('../../../src/editor/resultsState');
const { registerResultsView } = require('../../../src/editor/resultsView') as typeof import('../../../src/editor/resultsView');
const { StudyResultsIndex } = require('../../../src/editor/studyResults') as typeof import('../../../src/editor/studyResults');

const TEXT = readFileSync('examples/wvs7-sample.wvs', 'utf8');
const survey = parseSurvey(TEXT);
const path = '/ws/wvs7-sample.wvs';

function unit(itemId: string, method: string, probabilities: Record<string, number>, mean: number): ResponseUnit {
  return {
    runId: 'r',
    modelId: 'llama',
    model: 'llama',
    modelAttributes: {},
    language: 'da',
    country: 'DK',
    template: 'direct',
    paraphrase: null,
    order: 'original',
    round: 0,
    itemId,
    itemKey: itemId,
    category: '',
    method,
    mean,
    probabilities,
  };
}

test('the hover of a disagreeing item says first token 3, text answer 2; an agreeing item has no flag', () => {
  // The fake of issue 16: "3" as first token, "2" in text, on Q1; both 2 on Q2.
  const rows = firstTokenTextRows(
    [unit('Q1', 'logprobs', { '3': 1 }, 3), unit('Q2', 'logprobs', { '2': 1 }, 2)],
    [unit('Q1', 'sample', { '2': 1 }, 2), unit('Q2', 'sample', { '2': 1 }, 2)],
  );
  assert.equal(rows[0]!.agreement, 0.5);
  const index = new StudyResultsIndex();
  index.setStudy(
    { study: { name: 's', path: '/ws/s.study.json', languages: ['da'] }, surveys: [{ path, file: survey }] } as never,
    [],
    rows,
  );
  state.reset();
  state.hoverProviders.length = 0;
  state.documents = [new FakeDocument(Uri.file(path), 'wvs', TEXT)];
  const view = registerResultsView(new ParsedDocuments(), new ResultsState(), (p) => index.firstTokenRows(p));
  try {
    const hover = (id: string) => {
      const line = TEXT.split('\n').findIndex((l) => new RegExp(`^item ${id}\\b`).test(l));
      return state.hoverProviders[0]!.provideHover(state.documents[0], new Position(line, 6))!.contents[0]!.value;
    };
    assert.match(hover('Q1'), /\$\(warning\) \*\*First token and text disagree\*\*/);
    assert.match(hover('Q1'), /- \*\*da\*\* `llama`: first token 3, text answer 2 · DK/);
    assert.doesNotMatch(hover('Q2'), /First token and text disagree/);
    // A newer analysis of the study without the check drops the flag.
    index.setStudy({ study: { name: 's', path: '/ws/s.study.json', languages: ['da'] }, surveys: [{ path, file: survey }] } as never, []);
    assert.doesNotMatch(hover('Q1'), /First token and text disagree/);
  } finally {
    view.dispose();
  }
});
