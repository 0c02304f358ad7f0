// renderPrompt memoises per parsed scale the labels per order, the options text per (order, language) and
// the label check per language. These tests compare every prompt rendered with a warm memo (one parse, many
// renders in a shuffled order, repeated) against the same prompt rendered cold (a fresh parse each time).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSurvey, parseTemplates } from '../../../src/core/language/index';
import { renderPrompt, RenderError, type RenderInput } from '../../../src/core/prompt/render';
import { mulberry32, type OptionOrderSpec } from '../../../src/core/prompt/order';

const SURVEY = `languages en da pt
scale agree 1..4
  en: Agree strongly | Agree | Disagree | Disagree strongly
  da: Helt enig | Enig | Uenig | Helt uenig
  pt: Concordo totalmente | Concordo | Discordo | Discordo totalmente
scale ten 1..10 numeric
  en: Never justifiable .. Always justifiable
  da: Aldrig i orden .. Altid i orden
scale partial 1..3
  en: Yes | Maybe | No
  da: Ja | Måske | Nej
scale long 1..12 numeric reversed
  en: Low .. High
item Q1 "Family"
  scale: agree
  topic en: family
  en: Family is important.
  da: Familien er vigtig.
  pt: A família é importante.
item Q2 "Taxes"
  scale: ten
  en: Cheating on taxes.
  da: Skattesnyd.
  pt: Fugir aos impostos.
item Q3
  scale: agree
  en: Work is important.
  da: Arbejde er vigtigt.
item Q4
  scale: partial
  en: Do you vote?
  da: Stemmer du?
  pt: Vota?
item Q5
  scale: long
  topic da: indkomst
  en: Your income?
  da: Din indkomst?
`;

const TEMPLATES = `template t
  system en: You live in {country}. Language: {language}.
  system da: Du bor i {country}.
  en: |
    {topic}: {question}
    {options}
    Answer {{only}} with a label.
  da: |
    {question} ({language})
    {options}
  pt: |
    {question}
    {options}
`;

const ORDERS: OptionOrderSpec[] = ['original', 'reversed', { seed: 7 }, { order: 'shift-1' }, { order: 'perm-2', seed: 3 }];
const LANGUAGES = ['en', 'da', 'pt'];

type Outcome = ReturnType<typeof renderPrompt> | { error: string };

function render(input: RenderInput): Outcome {
  try {
    return renderPrompt(input);
  } catch (error) {
    assert.ok(error instanceof RenderError);
    return { error: error.message };
  }
}

function renderCold(itemIndex: number, language: string, order: OptionOrderSpec): Outcome {
  const item = parseSurvey(SURVEY).items[itemIndex];
  const template = parseTemplates(TEMPLATES).templates[0];
  return render({ item, template, language, country: 'Denmark', optionOrder: order });
}

test('renderPrompt with a warm memo equals a cold render for every item × language × order, in any order', () => {
  const items = parseSurvey(SURVEY).items;
  const template = parseTemplates(TEMPLATES).templates[0];
  assert.equal(items.length, 5);
  const cases: [number, string, OptionOrderSpec][] = [];
  for (let i = 0; i < items.length; i++) for (const language of LANGUAGES) for (const order of ORDERS) cases.push([i, language, order]);
  const expected = new Map(cases.map((c) => [c, renderCold(...c)]));
  // Both outcomes occur: prompts, and refusals (no wording, no label in a language) that must not be memoised away.
  const outcomes = [...expected.values()];
  assert.ok(outcomes.some((o) => 'error' in o) && outcomes.some((o) => 'messages' in o));
  const random = mulberry32(42);
  for (let pass = 0; pass < 3; pass++) {
    const shuffled = [...cases].sort(() => random() - 0.5);
    for (const c of shuffled) {
      const [i, language, optionOrder] = c;
      assert.deepEqual(
        render({ item: items[i], template, language, country: 'Denmark', optionOrder }),
        expected.get(c),
        `${items[i].id} ${language} ${JSON.stringify(optionOrder)}`,
      );
    }
  }
});

test('items sharing a scale get their own question but the same options text; labels follow the order', () => {
  const [q1, , q3] = parseSurvey(SURVEY).items;
  const template = parseTemplates(TEMPLATES).templates[0];
  const a = renderPrompt({ item: q1, template, language: 'da', country: 'Danmark', optionOrder: 'reversed' });
  const b = renderPrompt({ item: q3, template, language: 'da', country: 'Danmark', optionOrder: 'reversed' });
  const c = renderPrompt({ item: q3, template, language: 'da', country: 'Danmark', optionOrder: 'original' });
  assert.equal(a.messages[0].content, 'Du bor i Danmark.');
  assert.equal(a.messages[1].content, 'Familien er vigtig. (dansk)\n1. Helt uenig\n2. Uenig\n3. Enig\n4. Helt enig');
  assert.equal(b.messages[1].content, 'Arbejde er vigtigt. (dansk)\n1. Helt uenig\n2. Uenig\n3. Enig\n4. Helt enig');
  assert.equal(c.messages[1].content, 'Arbejde er vigtigt. (dansk)\n1. Helt enig\n2. Enig\n3. Uenig\n4. Helt uenig');
  assert.deepEqual(
    a.labels.map((l) => l.code),
    [4, 3, 2, 1],
  );
  assert.deepEqual(
    c.labels.map((l) => l.code),
    [1, 2, 3, 4],
  );
});

test('the {language} slot is filled when a part uses it, and {{language}} stays literal', () => {
  const item = parseSurvey(SURVEY).items[0];
  const template = parseTemplates(`template t\n  en: {question} in {language}; {{language}}\n  da: {question} {{language}}\n`).templates[0];
  assert.equal(renderPrompt({ item, template, language: 'en' }).messages[0].content, 'Family is important. in English; {language}');
  assert.equal(renderPrompt({ item, template, language: 'da' }).messages[0].content, 'Familien er vigtig. {language}');
});
