// Free-text answers → distribution over the options. Models answer "3", "Answer: B", "(B) Rather
// important", "Svar: 2", or the option's wording itself; or they refuse. We parse conservatively: a text
// that names two different options, or none, is unparseable rather than guessed.

import type { OptionLabel } from '../prompt/labels';

export interface SampleDistribution {
  /** Share per option code among parsed answers; all 0 when none parsed. */
  probabilities: Record<string, number>;
  /** Share of all texts that named no option and were no refusal. */
  unparseableShare: number;
  /** Share of all texts that refused to answer. */
  refusalShare: number;
}

export type ParsedAnswer = { kind: 'option'; code: number } | { kind: 'refusal' } | { kind: 'unparseable' };

const ANSWER_WORDS: Record<string, string[]> = {
  en: ['answer', 'option', 'choice', 'my answer is', 'i choose', 'i would choose', 'i pick', "i'd say", 'i would say'],
  da: ['svar', 'mulighed', 'valg', 'mit svar er', 'jeg vælger', 'jeg vil sige', 'jeg ville sige'],
  nl: ['antwoord', 'optie', 'keuze', 'mijn antwoord is', 'ik kies', 'ik zou zeggen'],
  pt: ['resposta', 'opção', 'opcao', 'escolha', 'minha resposta é', 'eu escolho', 'escolho', 'eu diria', 'diria'],
};

const REFUSALS: Record<string, RegExp[]> = {
  en: [
    /\bi (?:cannot|can ?not|can't|am unable to|'m unable to|won't|will not|am not able to|'m not able to)\b/,
    /\bas an ai\b/,
    /\bi (?:do not|don't) have (?:personal )?(?:opinions|beliefs|views|preferences)\b/,
  ],
  da: [/\bjeg kan ikke\b/, /\bjeg vil ikke\b/, /\bsom (?:en )?ai\b/, /\bjeg har ingen (?:personlige )?(?:meninger|holdninger)\b/],
  nl: [/\bik kan (?:niet|geen)\b/, /\bik wil (?:niet|geen)\b/, /\bals (?:een )?ai\b/, /\bik heb geen (?:persoonlijke )?mening/],
  pt: [/\bn[ãa]o (?:posso|consigo|vou)\b/, /\bcomo (?:uma )?ia\b/, /\bn[ãa]o tenho (?:opini[õo]es|opini[ãa]o)\b/],
};

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Strips markdown emphasis, quotes and typographic apostrophes that do not change the answer. */
function clean(text: string): string {
  return text
    .replace(/[’‘]/g, "'")
    .replace(/[*_`"“”«»]/g, '')
    .replace(/^\s*>\s*/, '')
    .trim();
}

function languagesOf(languages: string[]): string[] {
  const list = languages.length ? [...languages] : Object.keys(ANSWER_WORDS);
  if (!list.includes('en')) list.push('en'); // models often answer in English whatever the prompt
  return list;
}

/** Which label a label-shaped match names; undefined when the string is not a label. */
function codeOfLabel(labels: OptionLabel[], found: string): number | undefined {
  const upper = found.toUpperCase();
  return labels.find((l) => l.label.toUpperCase() === upper)?.code;
}

function labelAlternation(labels: OptionLabel[]): string {
  return labels.map((l) => escapeRegExp(l.label)).join('|');
}

/** A label at the very start: "3", "3.", "(B)", "B)", "b: …". Letters need punctuation or the end after them. */
function labelAtStart(text: string, labels: OptionLabel[]): number | undefined {
  const alt = labelAlternation(labels);
  const digits = new RegExp(`^[(\\[]?(${alt})(?![0-9]|[.,][0-9])`, 'i');
  const letters = new RegExp(`^[(\\[]?(${alt})(?:[)\\].:,]|\\s*$|\\s+[-–—]\\s)`, 'i');
  const isDigits = /^[0-9]$/.test(labels[0]?.label ?? '');
  const m = (isDigits ? digits : letters).exec(text);
  return m ? codeOfLabel(labels, m[1]) : undefined;
}

/** "Answer: 3", "Svar: B", "Mijn antwoord is (2)", "Resposta é 4". */
function labelAfterKeyword(text: string, labels: OptionLabel[], languages: string[]): number | undefined {
  const alt = labelAlternation(labels);
  const words = languages.flatMap((l) => ANSWER_WORDS[l] ?? []).map(escapeRegExp);
  if (!words.length) return undefined;
  const re = new RegExp(
    `(?:^|[^\\p{L}])(?:${words.join('|')})\\s*(?:is|er|é|e|:|=|-)?\\s*[:=]?\\s*[(\\[]?(${alt})(?![\\p{L}0-9])${wordGuard(labels)}`,
    'giu',
  );
  const codes = new Set<number>();
  for (const m of text.matchAll(re)) {
    const code = codeOfLabel(labels, m[1]);
    if (code !== undefined) codes.add(code);
  }
  return codes.size === 1 ? [...codes][0] : undefined;
}

/** A letter label followed by a lowercase word is the start of a sentence ("I think", "A good"), not an answer. */
function wordGuard(labels: OptionLabel[]): string {
  return /^[0-9]$/.test(labels[0]?.label ?? '') ? '' : '(?!\\s+\\p{Ll})';
}

/** "(B)" or "[3]" anywhere, if all such marks name the same option. */
function bracketedLabel(text: string, labels: OptionLabel[]): number | undefined {
  const re = new RegExp(`[(\\[](${labelAlternation(labels)})[)\\]]`, 'gi');
  const codes = new Set<number>();
  for (const m of text.matchAll(re)) {
    const code = codeOfLabel(labels, m[1]);
    if (code !== undefined) codes.add(code);
  }
  return codes.size === 1 ? [...codes][0] : undefined;
}

/** The option's own wording; a wording inside a longer matched one ("very important" in "not very important") yields to it. */
function optionText(text: string, labels: OptionLabel[], languages: string[]): number | undefined {
  const lower = text.toLowerCase();
  const hits: { code: number; start: number; end: number }[] = [];
  for (const label of labels) {
    for (const language of languages) {
      const wording = label.texts?.[language]?.trim().toLowerCase();
      if (!wording) continue;
      const re = new RegExp(`(?<![\\p{L}])${escapeRegExp(wording)}(?![\\p{L}])`, 'gu');
      for (const m of lower.matchAll(re)) hits.push({ code: label.code, start: m.index, end: m.index + m[0].length });
    }
  }
  const kept = hits.filter((h) => !hits.some((o) => o !== h && o.start <= h.start && o.end >= h.end && o.end - o.start > h.end - h.start));
  const codes = new Set(kept.map((h) => h.code));
  return codes.size === 1 ? [...codes][0] : undefined;
}

function isRefusal(text: string, languages: string[]): boolean {
  const lower = text.toLowerCase();
  return languages.some((l) => (REFUSALS[l] ?? []).some((re) => re.test(lower)));
}

export function parseAnswer(raw: string, labels: OptionLabel[], languages: string[]): ParsedAnswer {
  if (!labels.length) return { kind: 'unparseable' };
  const text = clean(raw);
  const langs = languagesOf(languages);
  const strong = labelAtStart(text, labels) ?? labelAfterKeyword(text, labels, langs) ?? bracketedLabel(text, labels);
  if (strong !== undefined) return { kind: 'option', code: strong };
  if (isRefusal(text, langs)) return { kind: 'refusal' };
  const byText = optionText(text, labels, langs);
  if (byText !== undefined) return { kind: 'option', code: byText };
  // With letter labels a model sometimes answers with the scale value itself ("7").
  if (!/^[0-9]$/.test(labels[0].label)) {
    const m = /^(-?\d+)\.?$/.exec(text);
    const code = m ? Number(m[1]) : NaN;
    if (labels.some((l) => l.code === code)) return { kind: 'option', code };
  }
  return { kind: 'unparseable' };
}

export function distributionFromSamples(texts: string[], labels: OptionLabel[], languages: string[]): SampleDistribution {
  const counts = new Map<number, number>();
  let refusals = 0;
  let unparseable = 0;
  for (const text of texts) {
    const parsed = parseAnswer(text, labels, languages);
    if (parsed.kind === 'option') counts.set(parsed.code, (counts.get(parsed.code) ?? 0) + 1);
    else if (parsed.kind === 'refusal') refusals++;
    else unparseable++;
  }
  const parsedCount = texts.length - refusals - unparseable;
  const probabilities: Record<string, number> = {};
  for (const { code } of labels) probabilities[String(code)] = parsedCount > 0 ? (counts.get(code) ?? 0) / parsedCount : 0;
  const n = texts.length;
  return {
    probabilities,
    unparseableShare: n ? unparseable / n : 0,
    refusalShare: n ? refusals / n : 0,
  };
}
