// Completion by context, from the current line and the block the cursor is in. Works on plain lines plus the
// parsed file (for declared languages, scale and template names), so it needs no editor API.
import { KNOWN_SLOTS, type Position, type SurveyFile, type TemplateFile } from '../ast';

export type CompletionKind = 'keyword' | 'property' | 'language' | 'scale' | 'slot' | 'category' | 'template';

export interface CompletionEntry {
  label: string;
  kind: CompletionKind;
  /** Text to insert when it differs from the label. */
  insertText?: string;
  detail?: string;
}

export const SEED_CATEGORIES = ['socio-cultural norms', 'social systems', 'progress'];
/** Offered after `languages` in addition to those already used; any ISO 639-1 code is valid. */
export const COMMON_LANGUAGES = ['en', 'da', 'nl', 'pt', 'de', 'fr', 'es', 'it', 'sv', 'nb', 'fi', 'pl'];

const SURVEY_TOP = [
  { label: 'survey', detail: 'survey "TITLE"' },
  { label: 'source', detail: 'source "TEXT"' },
  { label: 'languages', detail: 'languages en da nl pt' },
  { label: 'scale', detail: 'scale NAME MIN..MAX [numeric] [reversed]' },
  { label: 'item', detail: 'item ID "TITLE"' },
];
const ITEM_PROPS = ['category', 'scale', 'key', 'note'];
const TEMPLATE_TOP = [
  { label: 'template', detail: 'template NAME' },
  { label: 'paraphrases', detail: 'paraphrases NAME [of TEMPLATE]' },
];

function keywords(list: { label: string; detail: string }[]): CompletionEntry[] {
  return list.map((k) => ({ label: k.label, kind: 'keyword', insertText: `${k.label} `, detail: k.detail }));
}

/** The keyword of the block the line belongs to: the nearest unindented, non-comment line above. */
export function enclosingBlock(lines: string[], line: number): string | undefined {
  for (let i = line; i >= 0; i--) {
    const text = lines[i] ?? '';
    if (/^\s*(#|$)/.test(text)) continue;
    if (!/^\s/.test(text)) return i === line ? undefined : text.split(/\s+/)[0];
  }
  return undefined;
}

function languageEntries(codes: Iterable<string>, suffix: string, detail: string): CompletionEntry[] {
  return [...new Set(codes)].map((code) => ({
    label: `${code}${suffix.trimEnd()}`,
    kind: 'language',
    insertText: `${code}${suffix}`,
    detail,
  }));
}

export function surveyCompletions(text: string, position: Position, survey: SurveyFile): CompletionEntry[] {
  const lines = text.split(/\r?\n/);
  const prefix = (lines[position.line] ?? '').slice(0, position.character);
  const declared = survey.header.languages.map((l) => l.value);
  if (/^languages\s/.test(prefix)) {
    const used = new Set(prefix.split(/\s+/).slice(1));
    return COMMON_LANGUAGES.filter((c) => !used.has(c)).map((c) => ({ label: c, kind: 'language', insertText: `${c} ` }));
  }
  if (/^\s+scale:\s*\S*$/.test(prefix)) {
    return survey.scales.map((s) => ({
      label: s.name,
      kind: 'scale',
      detail: `${s.min}..${s.max} ${s.kind}${s.reversed ? ' reversed' : ''}`,
    }));
  }
  if (/^\s+category:\s*[^#]*$/.test(prefix)) {
    const used = survey.items.map((i) => i.category?.value).filter((c): c is string => Boolean(c));
    return [...new Set([...SEED_CATEGORIES, ...used])].map((c) => ({ label: c, kind: 'category' }));
  }
  if (/^scale\s+\S+\s+-?\d+\.\.-?\d+(\s+\w+)*\s+\w*$/.test(prefix)) {
    return ['numeric', 'reversed'].filter((w) => !prefix.includes(` ${w}`)).map((w) => ({ label: w, kind: 'keyword' }));
  }
  if (/^\S*$/.test(prefix)) return keywords(SURVEY_TOP);
  if (/^\s+\S*$/.test(prefix)) {
    const block = enclosingBlock(lines, position.line);
    const langs = declared.length ? declared : COMMON_LANGUAGES.slice(0, 4);
    if (block === 'item') {
      return [
        ...ITEM_PROPS.map((p): CompletionEntry => ({ label: `${p}:`, kind: 'property', insertText: `${p}: ` })),
        ...languageEntries(langs, ': ', 'wording'),
        ...langs.map(
          (l): CompletionEntry => ({
            label: `topic ${l}:`,
            kind: 'property',
            insertText: `topic ${l}: `,
            detail: 'topic phrase for {topic}',
          }),
        ),
        ...langs.flatMap((l): CompletionEntry[] => [
          { label: `pro ${l}:`, kind: 'property', insertText: `pro ${l}: `, detail: 'pro stance statement (judge method)' },
          { label: `con ${l}:`, kind: 'property', insertText: `con ${l}: `, detail: 'con stance statement (judge method)' },
        ]),
      ];
    }
    if (block === 'scale') {
      return [
        ...languageEntries(langs, ': ', 'option labels'),
        { label: 'missing:', kind: 'property', insertText: 'missing: ', detail: 'missing codes, e.g. -1 "Don\'t know"' },
        ...langs.map((l): CompletionEntry => ({ label: `missing ${l}:`, kind: 'property', insertText: `missing ${l}: ` })),
      ];
    }
  }
  return [];
}

function templateLanguages(file: TemplateFile): string[] {
  const langs = new Set<string>();
  for (const t of file.templates) for (const l of [...Object.keys(t.user), ...Object.keys(t.system)]) langs.add(l);
  for (const s of file.paraphraseSets) for (const l of Object.keys(s.variants)) langs.add(l);
  for (const l of COMMON_LANGUAGES.slice(0, 4)) langs.add(l);
  return [...langs];
}

export function templateCompletions(text: string, position: Position, file: TemplateFile): CompletionEntry[] {
  const lines = text.split(/\r?\n/);
  const prefix = (lines[position.line] ?? '').slice(0, position.character);
  // `{` opens a slot unless it is the escape `{{`.
  const slot = /(^|[^{])\{(\w*)$/.exec(prefix);
  if (slot && /^\s/.test(prefix)) {
    const after = (lines[position.line] ?? '').slice(position.character);
    const close = after.startsWith('}') ? '' : '}';
    return KNOWN_SLOTS.map((name) => ({ label: name, kind: 'slot', insertText: `${name}${close}`, detail: `{${name}}` }));
  }
  if (/^paraphrases\s+\S+\s+of\s+\S*$/.test(prefix)) {
    return file.templates.map((t) => ({ label: t.name, kind: 'template' }));
  }
  if (/^paraphrases\s+\S+\s+$/.test(prefix)) return [{ label: 'of', kind: 'keyword', insertText: 'of ' }];
  if (/^\S*$/.test(prefix)) return keywords(TEMPLATE_TOP);
  if (/^\s+\S*$/.test(prefix)) {
    const block = enclosingBlock(lines, position.line);
    const langs = templateLanguages(file);
    if (block === 'template') {
      return [
        ...languageEntries(langs, ': ', 'user part'),
        ...langs.map(
          (l): CompletionEntry => ({ label: `system ${l}:`, kind: 'property', insertText: `system ${l}: `, detail: 'system part' }),
        ),
      ];
    }
    if (block === 'paraphrases') return languageEntries(langs, ':', 'paraphrase list');
  }
  return [];
}
