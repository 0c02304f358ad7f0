// Renders one item through one template (or a paraphrase of its user part) in one language into chat
// messages, with single-token option labels that map back to the scale's codes.

import type { Item, Scale, Template } from '../language/ast';
import { isSlotName } from '../language/slots';
import type { ChatMessage } from '../model';
import { limits } from '../limits';
import { labelsFor, type OptionLabel } from './labels';
import { orderCodes, type OptionOrderSpec } from './order';

export type { OptionLabel } from './labels';
export type { OptionOrderSpec } from './order';

export interface RenderInput {
  item: Item;
  template: Template;
  language: string;
  /** A paraphrase replaces the template's user part; null/undefined uses the template itself. */
  paraphrase?: { index: number; text: string } | null;
  /** Country name for `{country}`. */
  country?: string;
  optionOrder?: OptionOrderSpec;
}

export interface RenderedPrompt {
  messages: ChatMessage[];
  /** Labels in display order. */
  labels: OptionLabel[];
  /** Option codes in display order. */
  optionOrder: number[];
}

/** Thrown when the inputs cannot give a faithful prompt (e.g. no wording in the language). */
export class RenderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RenderError';
  }
}

// Used when the runtime has no ICU data for a language (Intl.DisplayNames may be small-ICU elsewhere).
const LANGUAGE_NAMES: Record<string, string> = { da: 'dansk', nl: 'Nederlands', en: 'English', pt: 'português' };

// Building an Intl.DisplayNames costs ~80 µs; a run renders thousands of prompts in a handful of languages.
const languageNameCache = new Map<string, string>();

/** The language's name in that language ("dansk" for da). */
export function languageName(language: string): string {
  const cached = languageNameCache.get(language);
  if (cached !== undefined) return cached;
  let name = LANGUAGE_NAMES[language] ?? language;
  try {
    const native = new Intl.DisplayNames([language], { type: 'language' }).of(language);
    if (native && native !== language) name = native;
  } catch {
    // invalid tag or no ICU data: keep the table's name
  }
  if (languageNameCache.size < 512) languageNameCache.set(language, name);
  return name;
}

/**
 * Fills `{slot}` occurrences; `{{` and `}}` are literal braces. A slot that is not in `values` is
 * left as written (the parser reports unknown slots; rendering should not hide them).
 */
export function fillSlots(text: string, values: Record<string, string | undefined>, maxChars = Infinity): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    // Checked as it grows: 20,000 × {question} must stop at the limit, not after building gigabytes.
    if (out.length > maxChars) throw promptTooLong(maxChars);
    // Plain text up to the next brace is copied in one piece.
    const next = nextBrace(text, i);
    if (next > i) {
      out += text.slice(i, next);
      i = next;
      continue;
    }
    const ch = text[i];
    if (ch === '{' && text[i + 1] === '{') {
      out += '{';
      i += 2;
    } else if (ch === '}' && text[i + 1] === '}') {
      out += '}';
      i += 2;
    } else if (ch === '{') {
      const end = text.indexOf('}', i + 1);
      const name = end > i ? text.slice(i + 1, end) : '';
      if (end > i && isSlotName(name) && Object.prototype.hasOwnProperty.call(values, name)) {
        const value = values[name];
        if (value === undefined) throw new RenderError(`The slot {${name}} has no value`);
        out += value;
        i = end + 1;
      } else {
        out += ch;
        i += 1;
      }
    } else {
      out += ch;
      i += 1;
    }
  }
  if (out.length > maxChars) throw promptTooLong(maxChars);
  return out;
}

/** The index of the first `{` or `}` at or after `from` (the text's length if none). */
function nextBrace(text: string, from: number): number {
  for (let k = from; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c === 0x7b || c === 0x7d) return k;
  }
  return text.length;
}

function promptTooLong(maxChars: number): RenderError {
  return new RenderError(
    `The rendered prompt is longer than ${maxChars.toLocaleString('en-US')} characters, the prompt limit (VALUE_LENS_MAX_PROMPT_CHARS); check the template for repeated slots`,
  );
}

/** The options block: one line per option, `label. text`; numeric scales show end labels at their ends. */
export function formatOptions(scale: Scale, labels: OptionLabel[], language: string): string {
  const first = scale.options[0]?.code;
  const last = scale.options[scale.options.length - 1]?.code;
  // Numeric scale: the code carries the meaning, so show it unless every label already is its code
  // (decided for the whole list: "3. " in a reversed list must not hide that 3 means code 3 by chance).
  const labelsAreCodes = labels.every(({ label, code }) => label === String(code));
  return labels
    .map(({ label, code, texts }) => {
      const text = texts?.[language]?.trim() ?? '';
      if (scale.kind === 'labelled') return `${label}. ${text}`;
      const isEnd = code === first || code === last;
      const value = labelsAreCodes ? '' : String(code);
      const end = isEnd && text ? text : '';
      const body = value && end ? `${value} (${end})` : value || end;
      return body ? `${label}. ${body}` : `${label}.`;
    })
    .join('\n');
}

// Per parsed scale (a survey has a handful, shared by thousands of items), what a prompt derives from the
// scale alone: the labels per display order, the options text per (order, language), and the first option
// without a label per language. Parsed ASTs are not mutated (a new parse gives new objects), so the scale
// object is the key; the shared label arrays are only read downstream.
interface ScaleMemo {
  labels: Map<string, OptionLabel[]>;
  options: Map<string, string>;
  unlabelled: Map<string, Scale['options'][number] | null>;
}

const scaleMemos = new WeakMap<Scale, ScaleMemo>();
/** Entries per map and scale: a study has a few orders × languages; beyond this, compute without keeping. */
const MEMO_ENTRIES = 4096;

function memoOf(scale: Scale): ScaleMemo {
  let memo = scaleMemos.get(scale);
  if (!memo) scaleMemos.set(scale, (memo = { labels: new Map(), options: new Map(), unlabelled: new Map() }));
  return memo;
}

function remember<V>(map: Map<string, V>, key: string, value: V): V {
  if (map.size < MEMO_ENTRIES) map.set(key, value);
  return value;
}

function firstUnlabelled(scale: Scale, memo: ScaleMemo, language: string): Scale['options'][number] | undefined {
  let found = memo.unlabelled.get(language);
  if (found === undefined) found = remember(memo.unlabelled, language, scale.options.find((o) => !o.labels[language]?.trim()) ?? null);
  return found ?? undefined;
}

/** True when `text` may use the slot `{name}` (a literal `{{name}}` also matches: then it is computed unused). */
function mentions(text: string | undefined, name: string): boolean {
  return text !== undefined && text.includes(`{${name}}`);
}

export function renderPrompt(input: RenderInput): RenderedPrompt {
  const { item, template, language } = input;
  const scale = item.scale;
  if (!scale || scale.options.length === 0) throw new RenderError(`Item ${item.id} has no resolved scale`);
  const question = item.texts[language]?.value;
  if (question === undefined) throw new RenderError(`Item ${item.id} has no wording in "${language}"`);
  const memo = memoOf(scale);
  if (scale.kind === 'labelled') {
    const unlabelled = firstUnlabelled(scale, memo, language);
    if (unlabelled) {
      throw new RenderError(`Scale ${scale.name} has no "${language}" label for option ${unlabelled.code}`);
    }
  }
  const userText = input.paraphrase ? input.paraphrase.text : template.user[language]?.value;
  if (userText === undefined) throw new RenderError(`Template ${template.name} has no "${language}" part`);

  const optionOrder = orderCodes(
    scale.options.map((o) => o.code),
    input.optionOrder ?? 'original',
  );
  const orderKey = optionOrder.join(',');
  const labels = memo.labels.get(orderKey) ?? remember(memo.labels, orderKey, labelsFor(scale, optionOrder));
  const optionsKey = `${language}\u0000${orderKey}`;
  const system = template.system[language]?.value;
  // The language's display name costs an ICU load on first use: only computed when a part uses {language}.
  const values: Record<string, string | undefined> = {
    question: question.trim(),
    options: memo.options.get(optionsKey) ?? remember(memo.options, optionsKey, formatOptions(scale, labels, language)),
    country: input.country,
    topic: (item.topics[language]?.value ?? item.title?.value)?.trim(),
    language: mentions(system, 'language') || mentions(userText, 'language') ? languageName(language) : undefined,
  };

  const messages: ChatMessage[] = [];
  const max = limits().maxPromptChars;
  if (system !== undefined && system.trim()) messages.push({ role: 'system', content: fillSlots(system, values, max).trim() });
  messages.push({ role: 'user', content: fillSlots(userText, values, max - (messages[0]?.content.length ?? 0)).trim() });
  return { messages, labels, optionOrder };
}
