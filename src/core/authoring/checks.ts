// Checks a generated paraphrase or translation against its original: the slots are the contract between
// a template and the renderer, so a candidate that loses, repeats or invents one is unusable.

export interface CandidateVerdict {
  text: string;
  ok: boolean;
  /** Why it was rejected, in words a user can act on. */
  reason?: string;
  /** A warning that does not reject the candidate (e.g. English words left in a translation). */
  note?: string;
}

const SLOT = /\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Slot names in order of appearance; `{{` and `}}` are literal braces, not slots. */
export function slotNames(text: string): string[] {
  const names: string[] = [];
  for (const match of text.matchAll(SLOT)) if (match[1]) names.push(match[1]);
  return names;
}

function countBy(names: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const name of names) counts.set(name, (counts.get(name) ?? 0) + 1);
  return counts;
}

/** Lower case, punctuation and whitespace folded, so "Answer: {x}!" and "answer {x}" count as the same text. */
export function normaliseForComparison(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\{[a-z_][a-z0-9_]*\}/g, (slot) => ` ${slot} `)
    .replace(/[^\p{L}\p{N}{}_ ]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Slot problems of one candidate relative to the original, or undefined when the slots match. */
export function slotProblem(original: string, candidate: string): string | undefined {
  const expected = countBy(slotNames(original));
  const actual = countBy(slotNames(candidate));
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
