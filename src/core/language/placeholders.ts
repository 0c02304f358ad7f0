// Placeholder wording ("TODO translate", what the quick fix inserts) and language tags the header does not
// declare. Both are texts a person must still write or correct: a placeholder sent to a model as the Danish
// question would be scored as if it were Danish wording, and an undeclared tag is silently never scored.

import { msg, type Message } from '../message';

/** What the "Add a translation stub" quick fix writes; always with `[mt]` (src/core/language/services/quickfix.ts). */
export const PLACEHOLDER_TEXT = 'TODO translate';

// A text that is only a to-do marker, optionally followed by words (`TODO: translate this`, `TBD`, `FIXME …`),
// or an ellipsis / `???` with nothing else. Matching the start only: "Todo el mundo …" (Spanish) is wording.
const PLACEHOLDER = /^\s*(?:(?:TODO|TBD|FIXME|XXX)(?:\b|$)(?![\p{Ll}])|\?{3,}\s*$|…\s*$|\.{3}\s*$)/u;

/** Whether a text (wording, template part, one scale label) is a placeholder rather than real content. */
export function isPlaceholder(text: string): boolean {
  return PLACEHOLDER.test(text);
}

/** Scale labels as written: a placeholder when any label is one (a half-translated scale is not usable either). */
export function placeholderLabels(labels: readonly string[]): boolean {
  return labels.some((label) => isPlaceholder(label));
}

// Country codes written where a language code belongs: the usual slip (`dk:` for Danish).
const COUNTRY_FOR_LANGUAGE: Record<string, string> = {
  dk: 'da',
  se: 'sv',
  gr: 'el',
  jp: 'ja',
  cz: 'cs',
  br: 'pt',
  ee: 'et',
  si: 'sl',
  ua: 'uk',
  cn: 'zh',
  kr: 'ko',
  dn: 'da',
  gb: 'en',
  uk: 'en',
  us: 'en',
  at: 'de',
  ch: 'de',
  be: 'nl',
  ir: 'fa',
  il: 'he',
  vn: 'vi',
  rs: 'sr',
};

/** Levenshtein distance (names are short: the quadratic table is fine). */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/**
 * The declared language a mistyped tag most likely means: the language of a country code written instead
 * (`dk` → `da`), else the one declared code at edit distance 1 (none when two are equally close).
 */
export function suggestLanguage(tag: string, declared: readonly string[]): string | undefined {
  const mapped = COUNTRY_FOR_LANGUAGE[tag];
  if (mapped && declared.includes(mapped)) return mapped;
  const close = declared.filter((code) => editDistance(code, tag) === 1);
  return close.length === 1 ? close[0] : undefined;
}

/** The "did you mean" tail of an undeclared-language message, and the header it should be declared in. */
export function undeclaredLanguageMessage(
  tag: string,
  where: Message,
  declared: readonly string[],
): { message: Message; suggestion?: string } {
  const suggestion = suggestLanguage(tag, declared);
  const list = declared.join(' ');
  return {
    message: suggestion
      ? msg(
          "Language '{0}' in {1} is not declared in the header (languages {2}): it is never scored; did you mean '{3}'?",
          tag,
          where,
          list,
          suggestion,
        )
      : msg(
          "Language '{0}' in {1} is not declared in the header (languages {2}): it is never scored; add it to the 'languages' header if it is meant",
          tag,
          where,
          list,
        ),
    ...(suggestion ? { suggestion } : {}),
  };
}

/**
 * The one candidate a mistyped name most likely means: the closest by edit distance (case folded), at most
 * a third of the name's length away (at least 1); undefined when none is that close or two tie.
 */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  const limit = Math.max(1, Math.floor(name.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  let tie = false;
  for (const candidate of new Set(candidates)) {
    if (candidate === name) continue;
    const d = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance, tie] = [candidate, d, false];
    else if (d === bestDistance) tie = true;
  }
  return best !== undefined && bestDistance <= limit && !tie ? best : undefined;
}
