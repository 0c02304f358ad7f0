// English instruction words that betray an untranslated part of a non-English template. The list is short
// on purpose: words that are not also words of Danish, Dutch or Portuguese, so false alarms stay rare.
// Slots (`{question}`) are skipped: their names are English by design.

export const ENGLISH_SCAFFOLDING = [
  'answer',
  'answers',
  'only',
  'option',
  'options',
  'number',
  'following',
  'question',
  'questions',
  'please',
  'reply',
  'choose',
  'select',
  'respond',
  'which',
  'the',
  'your',
] as const;

const WORDS = new Set<string>(ENGLISH_SCAFFOLDING);

/** Words of the list that are also ordinary words of a language (Danish "option" is a financial option). */
const EXCEPTIONS: Record<string, ReadonlySet<string>> = {
  da: new Set(['option']),
};

function isSlotChar(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57) || code === 95 || code === 45;
}

export interface ScaffoldingHit {
  word: string;
  offset: number;
  length: number;
}

function isLetter(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || code > 127;
}

/** English scaffolding words in `text`, for a template in `language` (nothing for English). */
export function findScaffolding(text: string, language: string, limit = 10): ScaffoldingHit[] {
  if (language === 'en' || language.startsWith('en-')) return [];
  const exceptions = EXCEPTIONS[language.slice(0, 2)];
  const hits: ScaffoldingHit[] = [];
  const length = text.length;
  let i = 0;
  while (i < length && hits.length < limit) {
    const c = text.charCodeAt(i);
    if (c === 123 /* { */) {
      // Skip `{name}` (a slot) and `{{`.
      let j = i + 1;
      while (j < length && j - i < 40 && isSlotChar(text.charCodeAt(j))) j++;
      i = text.charCodeAt(j) === 125 ? j + 1 : i + 1;
      continue;
    }
    if (!isLetter(c)) {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < length && isLetter(text.charCodeAt(j))) j++;
    if (j - i >= 3 && j - i <= 9) {
      const word = text.slice(i, j).toLowerCase();
      if (WORDS.has(word) && !exceptions?.has(word)) hits.push({ word, offset: i, length: j - i });
    }
    i = j;
  }
  return hits;
}
