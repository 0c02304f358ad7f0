// Hand-built AST nodes for tests that must not depend on the parser (ranges are dummies).

import type { Item, Range, Scale, ScaleOption, Template, TextEntry } from '../../src/core/language/ast';

export const R: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

export function entry(language: string, value: string): TextEntry {
  return { language, value, range: R };
}

function entries(map: Record<string, string>): Record<string, TextEntry> {
  return Object.fromEntries(Object.entries(map).map(([l, v]) => [l, entry(l, v)]));
}

/** A labelled scale min..max with `labels[language][i]` for option min+i. */
export function labelledScale(name: string, min: number, labels: Record<string, string[]>, reversed = false): Scale {
  const count = Object.values(labels)[0].length;
  const max = min + count - 1;
  const options: ScaleOption[] = [];
  for (let i = 0; i < count; i++) {
    const code = min + i;
    options.push({
      code,
      score: reversed ? min + max - code : code,
      labels: Object.fromEntries(Object.entries(labels).map(([l, list]) => [l, list[i]])),
    });
  }
  return { name, nameRange: R, range: R, kind: 'labelled', min, max, reversed, options, labelLines: {}, missing: [] };
}

/** A numeric scale min..max with end labels per language (`[low, high]`). */
export function numericScale(name: string, min: number, max: number, ends: Record<string, [string, string]>, reversed = false): Scale {
  const options: ScaleOption[] = [];
  for (let code = min; code <= max; code++) {
    const labels: Record<string, string> = {};
    for (const [l, [low, high]] of Object.entries(ends)) {
      if (code === min) labels[l] = low;
      if (code === max) labels[l] = high;
    }
    options.push({ code, score: reversed ? min + max - code : code, labels });
  }
  return { name, nameRange: R, range: R, kind: 'numeric', min, max, reversed, options, labelLines: {}, missing: [] };
}

export function item(
  id: string,
  scale: Scale,
  texts: Record<string, string>,
  extra: { title?: string; topics?: Record<string, string>; category?: string } = {},
): Item {
  return {
    id,
    idRange: R,
    range: R,
    title: extra.title === undefined ? undefined : { value: extra.title, range: R },
    category: extra.category === undefined ? undefined : { value: extra.category, range: R },
    scaleName: { value: scale.name, range: R },
    scale,
    texts: entries(texts),
    topics: entries(extra.topics ?? {}),
  };
}

export function template(name: string, user: Record<string, string>, system: Record<string, string> = {}): Template {
  return { name, nameRange: R, range: R, user: entries(user), system: entries(system) };
}

export const IMPORTANCE = labelledScale('importance', 1, {
  en: ['Very important', 'Rather important', 'Not very important', 'Not at all important'],
  da: ['Meget vigtigt', 'Ret vigtigt', 'Ikke særlig vigtigt', 'Slet ikke vigtigt'],
  nl: ['Zeer belangrijk', 'Tamelijk belangrijk', 'Niet erg belangrijk', 'Helemaal niet belangrijk'],
  pt: ['Muito importante', 'Bastante importante', 'Pouco importante', 'Nada importante'],
});

export const JUSTIFIABLE = numericScale('justifiable', 1, 10, {
  en: ['Never justifiable', 'Always justifiable'],
  da: ['Aldrig i orden', 'Altid i orden'],
});

export const INCOMES = numericScale(
  'incomes',
  1,
  10,
  { en: ['Incomes should be made more equal', 'There should be greater incentives for individual effort'] },
  true,
);
