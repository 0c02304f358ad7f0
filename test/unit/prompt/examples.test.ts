// Renders the shipped examples through the real parser: every item × template × declared language must
// give a prompt, and every prompt that lists options must list exactly the scale's options with
// single-token labels.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseSurvey, parseTemplates } from '../../../src/core/language/index';
import { renderPrompt } from '../../../src/core/prompt/render';

test('every example item renders through every example template in every language it has', () => {
  const survey = parseSurvey(readFileSync('examples/wvs7-sample.wvs', 'utf8'));
  const templates = parseTemplates(readFileSync('examples/prompts.wvt', 'utf8'));
  assert.ok(survey.items.length > 0 && templates.templates.length > 0);
  let rendered = 0;
  for (const item of survey.items) {
    if (!item.scale) continue;
    for (const template of templates.templates) {
      for (const language of Object.keys(item.texts)) {
        if (!template.user[language]) continue;
        const r = renderPrompt({ item, template, language, country: 'Danmark', optionOrder: { seed: rendered } });
        rendered++;
        const user = r.messages[r.messages.length - 1].content;
        assert.ok(!/\{(question|options|country|topic|language)\}/.test(user), `unfilled slot in ${item.id}/${template.name}/${language}`);
        assert.deepEqual(
          [...r.optionOrder].sort((a, b) => a - b),
          item.scale.options.map((o) => o.code),
        );
        if (/\{options\}/.test(template.user[language].value)) {
          for (const { label } of r.labels) assert.match(user, new RegExp(`^${label}\\.`, 'm'), `${item.id}/${language}: label ${label}`);
          assert.ok(r.labels.every((l) => l.label.length === 1));
        }
      }
    }
  }
  assert.ok(rendered >= survey.items.length, `rendered ${rendered}`);
});
