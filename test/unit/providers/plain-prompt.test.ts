import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answerCue, toPlainPrompt } from '../../../src/core/prompt/plain';
import { renderPrompt } from '../../../src/core/prompt/render';
import { direct, question } from './protocol-suite';

test('toPlainPrompt: system, question and options as blocks, ending in the cue with no trailing space', () => {
  const text = toPlainPrompt([
    { role: 'system', content: '  You answer surveys. ' },
    { role: 'user', content: 'How important is family?\n1. Very\n2. Not' },
  ]);
  assert.equal(text, 'You answer surveys.\n\nHow important is family?\n1. Very\n2. Not\n\nAnswer:');
});

test('toPlainPrompt: the cue follows the prompt language; an explicit cue wins; unknown languages get English', () => {
  const { messages } = renderPrompt({ item: question, template: direct, language: 'da' });
  const da = toPlainPrompt(messages, { language: 'da' });
  assert.ok(da.endsWith('\n\nSvar:'), da);
  assert.ok(da.includes('Familie') && /^1\. /m.test(da), 'question and options are kept');
  assert.ok(!/\b(user|assistant|system):/.test(da), 'no role names');
  assert.equal(answerCue('pt-BR'), 'Resposta:');
  assert.equal(answerCue('xx'), 'Answer:');
  assert.ok(toPlainPrompt(messages, { cue: 'Nummer:' }).endsWith('\n\nNummer:'));
});

test('toPlainPrompt: a template that already ends in the cue gets no second one; worked examples keep their answers', () => {
  assert.equal(toPlainPrompt([{ role: 'user', content: 'Q?\n1. a\n2. b\nAnswer:' }]), 'Q?\n1. a\n2. b\nAnswer:');
  const fewShot = toPlainPrompt([
    { role: 'user', content: 'Q1?\n1. a\n2. b' },
    { role: 'assistant', content: '2' },
    { role: 'user', content: 'Q2?\n1. a\n2. b' },
  ]);
  assert.equal(fewShot, 'Q1?\n1. a\n2. b\n\nAnswer: 2\n\nQ2?\n1. a\n2. b\n\nAnswer:');
  assert.equal(toPlainPrompt([]), 'Answer:');
});
