// Checks a generated paraphrase or translation against its original: the slots are the contract between
// a template and the renderer, so a candidate that loses, repeats or invents one is unusable.

import { findSlots } from '../language/slots';

export interface CandidateVerdict {
  text: string;
  ok: boolean;
  /** Why it was rejected, in words a user can act on. */
  reason?: string;
  /** A warning that does not reject the candidate (e.g. English words left in a translation). */
  note?: string;
}

/**
 * Slot names in order of appearance, by the language's one slot grammar (core/language/slots.ts): the
 * parser reports every `{name}` it finds there, so a candidate that invents `{foo-bar}` must fail here too.
 * `{{` and `}}` are literal braces, not slots.
 */
export function slotSequence(text: string): string[] {
  return findSlots(text).map((slot) => slot.name);
}

/** The text rebuilt with `outside` applied to the parts between slots and `slot` to each slot's own text. */
function aroundSlots(text: string, outside: (part: string) => string, slot: (written: string) => string): string {
  let out = '';
  let from = 0;
  for (const found of findSlots(text)) {
    out += outside(text.slice(from, found.offset)) + slot(text.slice(found.offset, found.offset + found.length));
    from = found.offset + found.length;
  }
  return out + outside(text.slice(from));
}

function countBy(names: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const name of names) counts.set(name, (counts.get(name) ?? 0) + 1);
  return counts;
}

/** Lower case, punctuation and whitespace folded, so "Answer: {x}!" and "answer {x}" count as the same text. */
export function normaliseForComparison(text: string): string {
  // Slots are kept as written (`{foo-bar}` keeps its hyphen); the text between them is folded.
  const fold = (part: string) => part.toLowerCase().replace(/[^\p{L}\p{N}_ ]+/gu, ' ');
  return aroundSlots(text.normalize('NFKC'), fold, (slot) => ` ${slot} `)
    .replace(/\s+/g, ' ')
    .trim();
}

/** Slot problems of one candidate relative to the original, or undefined when the slots match. */
export function slotProblem(original: string, candidate: string): string | undefined {
  const expected = countBy(slotSequence(original));
  const actual = countBy(slotSequence(candidate));
  const missing = [...expected.keys()].filter((name) => !actual.has(name));
  if (missing.length) return `lost slot${missing.length > 1 ? 's' : ''} ${missing.map((n) => `{${n}}`).join(', ')}`;
  const added = [...actual.keys()].filter((name) => !expected.has(name));
  if (added.length) return `new slot${added.length > 1 ? 's' : ''} ${added.map((n) => `{${n}}`).join(', ')}`;
  const repeated = [...actual].filter(([name, count]) => count !== expected.get(name)).map(([name]) => `{${name}}`);
  if (repeated.length) return `slot count changed for ${repeated.join(', ')}`;
  return undefined;
}

/** Text that cannot be written into a .wvt/.wvs file as is: `#` would start a comment there. */
export function formatProblem(text: string): string | undefined {
  if (text.includes('#')) return "contains '#', which starts a comment in Value Lens files";
  return undefined;
}

/**
 * Judges paraphrase candidates: slots exactly as in the original (each present as often, none new), not the
 * original itself, not a duplicate of an earlier candidate or of an existing paraphrase.
 */
export function checkParaphrases(original: string, candidates: string[], existing: string[] = []): CandidateVerdict[] {
  const seen = new Set(existing.map(normaliseForComparison));
  const originalKey = normaliseForComparison(original);
  return candidates.map((text) => {
    const problem = slotProblem(original, text) ?? formatProblem(text);
    if (problem) return { text, ok: false, reason: problem };
    const key = normaliseForComparison(text);
    if (key === originalKey) return { text, ok: false, reason: 'identical to the original' };
    if (seen.has(key)) return { text, ok: false, reason: 'duplicate of another paraphrase' };
    seen.add(key);
    return { text, ok: true };
  });
}

// ---- plausibility of a translation (issue 19: the candidate "3" was inserted as Danish wording) ----

/** Writing systems a language is normally written in; languages not listed get no script check. */
const SCRIPTS: Record<string, readonly string[]> = {
  ru: ['Cyrillic'],
  uk: ['Cyrillic'],
  bg: ['Cyrillic'],
  be: ['Cyrillic'],
  mk: ['Cyrillic'],
  kk: ['Cyrillic'],
  mn: ['Cyrillic'],
  sr: ['Cyrillic', 'Latin'],
  el: ['Greek'],
  ar: ['Arabic'],
  fa: ['Arabic'],
  ur: ['Arabic'],
  he: ['Hebrew'],
  hi: ['Devanagari'],
  mr: ['Devanagari'],
  ne: ['Devanagari'],
  bn: ['Bengali'],
  th: ['Thai'],
  ka: ['Georgian'],
  hy: ['Armenian'],
  ko: ['Hangul', 'Han'],
  zh: ['Han'],
  ja: ['Han', 'Hiragana', 'Katakana'],
  ta: ['Tamil'],
  te: ['Telugu'],
  am: ['Ethiopic'],
};
const LATIN = [
  'en',
  'da',
  'nl',
  'pt',
  'de',
  'fr',
  'es',
  'it',
  'sv',
  'nb',
  'nn',
  'no',
  'fi',
  'pl',
  'tr',
  'cs',
  'sk',
  'hu',
  'ro',
  'id',
  'ms',
  'vi',
  'et',
  'lv',
  'lt',
  'sl',
  'hr',
  'bs',
  'sq',
  'is',
  'ga',
  'cy',
  'eu',
  'ca',
  'gl',
  'mt',
  'af',
  'sw',
  'tl',
  'az',
  'uz',
];
for (const code of LATIN) SCRIPTS[code] = ['Latin'];
const ALL_SCRIPTS = [...new Set(Object.values(SCRIPTS).flat())];
const SCRIPT_PATTERNS = new Map(ALL_SCRIPTS.map((name) => [name, new RegExp(`\\p{Script=${name}}`, 'u')]));
/** Scripts that write a word in one or two characters: the length ratio bound is looser for them. */
const DENSE = new Set(['Han', 'Hiragana', 'Katakana', 'Hangul']);

/** The text with each slot replaced by a space (`{question}` is not content). */
function withoutSlots(text: string): string {
  return aroundSlots(
    text,
    (part) => part,
    () => ' ',
  );
}

/** The letters of a text outside its slots. */
function contentLetters(text: string): string[] {
  return [...withoutSlots(text).matchAll(/\p{L}/gu)].map((m) => m[0]);
}

/** The script most of the letters are in, and its share; undefined without letters. */
export function dominantScript(text: string): { script: string; share: number } | undefined {
  const letters = contentLetters(text);
  if (letters.length === 0) return undefined;
  const counts = new Map<string, number>();
  for (const letter of letters) {
    const script = ALL_SCRIPTS.find((name) => SCRIPT_PATTERNS.get(name)!.test(letter)) ?? 'other';
    counts.set(script, (counts.get(script) ?? 0) + 1);
  }
  const [script, count] = [...counts].sort((a, b) => b[1] - a[1])[0]!;
  return { script, share: count / letters.length };
}

function baseLanguage(tag: string): string {
  return tag.toLowerCase().split('-')[0]!;
}

/**
 * The script a text is mostly written in when half or fewer of its letters are in the scripts of `to`
 * (Japanese mixes three, so the share counts all of a language's scripts), else undefined.
 */
function wrongScript(text: string, to: string): string | undefined {
  const expected = SCRIPTS[baseLanguage(to)];
  const letters = contentLetters(text);
  if (!expected || letters.length === 0) return undefined;
  const inExpected = letters.filter((letter) => expected.some((name) => SCRIPT_PATTERNS.get(name)!.test(letter))).length;
  return inExpected / letters.length > 0.5 ? undefined : (dominantScript(text)?.script ?? 'other');
}

/** Length ratio bounds (candidate ÷ source, letters outside slots), applied from this many source letters on. */
export const LENGTH_RATIO_MIN_LETTERS = 20;
export const LENGTH_RATIO_BOUNDS = { low: 1 / 3, high: 3 } as const;
/** Lower bound when either side is written in a dense script (Chinese, Japanese, Korean). */
export const DENSE_LENGTH_RATIO_LOW = 1 / 8;
/** Identical to the source counts as untranslated from this many words on (a label such as "OK" may stay). */
export const IDENTICAL_MIN_WORDS = 3;

/**
 * Why a translation candidate is implausible as text in `to`, or undefined. The rule (docs/authoring.md):
 * 1. it has letters (outside slots) when the source has: "3" or "{question} 3" is not wording;
 * 2. it is not the source itself (normalised) when the source has at least IDENTICAL_MIN_WORDS words;
 * 3. for a language with a known script, most of its letters (over half) are in that script;
 * 4. for a source of at least LENGTH_RATIO_MIN_LETTERS letters, its letter count is 1/3 to 3 times the
 *    source's (1/8 to 3 when either side is Chinese, Japanese or Korean).
 * Slots are checked separately (slotProblem).
 */
export function translationProblem(source: string, candidate: string, to: string): string | undefined {
  const sourceLetters = contentLetters(source).length;
  const letters = contentLetters(candidate).length;
  if (sourceLetters > 0 && letters === 0) return `"${candidate.trim().slice(0, 40)}" has no words: not a translation`;
  const words = withoutSlots(source)
    .split(/\s+/)
    .filter((w) => /\p{L}/u.test(w)).length;
  if (words >= IDENTICAL_MIN_WORDS && normaliseForComparison(source) === normaliseForComparison(candidate))
    return 'identical to the source text: not translated';
  const found = dominantScript(candidate);
  const wrong = wrongScript(candidate, to);
  if (wrong) return `written in the ${wrong} script, not the ${SCRIPTS[baseLanguage(to)]!.join('/')} script of '${to}'`;
  if (sourceLetters >= LENGTH_RATIO_MIN_LETTERS && letters > 0) {
    const ratio = letters / sourceLetters;
    const dense = [dominantScript(source)?.script, found?.script].some((s) => s !== undefined && DENSE.has(s));
    const low = dense ? DENSE_LENGTH_RATIO_LOW : LENGTH_RATIO_BOUNDS.low;
    if (ratio < low || ratio > LENGTH_RATIO_BOUNDS.high) {
      return `${ratio < low ? 'much shorter' : 'much longer'} than the source (${letters} letters for ${sourceLetters}): check it is a whole translation`;
    }
  }
  return undefined;
}

/** A translated scale label: words (not a bare number) in the right script; short, so no length or identity check. */
export function labelProblem(source: string, candidate: string, to: string): string | undefined {
  if (contentLetters(source).length > 0 && contentLetters(candidate).length === 0)
    return `the label "${candidate.trim().slice(0, 40)}" has no words`;
  const wrong = wrongScript(candidate, to);
  if (wrong) return `the label "${candidate.trim().slice(0, 40)}" is in the ${wrong} script, not ${SCRIPTS[baseLanguage(to)]!.join('/')}`;
  return undefined;
}
