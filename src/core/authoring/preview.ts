// The preview document: what the model proposed, written as a `.wvt` (paraphrases, templates) or `.wvs`
// (items) text the user edits freely, then reads back on "insert". The first line carries where the
// result goes as JSON in a comment, so the preview needs no state outside itself and survives edits.
import type { Item, Scale, Template } from '../language/ast';
import { parseSurvey, parseTemplates } from '../language';
import type { CandidateVerdict } from './checks';
import { formatListEntry, formatTaggedText } from './format';
import type { ItemTranslation, TemplateTranslation } from './translate';

export type PreviewTarget =
  /** New entries of a paraphrase set: generated (source = language) or translated (machineTranslated). */
  | { kind: 'paraphrases'; template: string; set: string; language: string; source: string; machineTranslated: boolean }
  /** A template's user (and system) part in a new language. */
  | { kind: 'template'; template: string; language: string; source: string }
  /** An item's wording and topic in a new language, and its scale's labels when the scale lacks them. */
  | { kind: 'item'; itemId: string; language: string; source: string; scale?: string };

export interface PreviewMeta {
  /** The document the result is inserted into (a URI string). */
  uri: string;
  target: PreviewTarget;
}

export const PREVIEW_MARK = '# value-lens-preview ';

/** The metadata line of a preview document, or undefined when the text is not one (or the line was damaged). */
export function readPreviewMeta(text: string): PreviewMeta | undefined {
  const first = text.slice(0, text.indexOf('\n') < 0 ? text.length : text.indexOf('\n')).replace(/\r$/, '');
  if (!first.startsWith(PREVIEW_MARK)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(first.slice(PREVIEW_MARK.length));
  } catch {
    return undefined;
  }
  if (!value || typeof value !== 'object') return undefined;
  const meta = value as { uri?: unknown; target?: Record<string, unknown> };
  const t = meta.target;
  if (typeof meta.uri !== 'string' || !t || typeof t !== 'object') return undefined;
  const str = (k: string): boolean => typeof t[k] === 'string' && (t[k] as string).length > 0;
  if (!str('language') || !str('source')) return undefined;
  if (t.kind === 'paraphrases' && str('template') && str('set') && typeof t.machineTranslated === 'boolean') return meta as PreviewMeta;
  if (t.kind === 'template' && str('template')) return meta as PreviewMeta;
  if (t.kind === 'item' && str('itemId') && (t.scale === undefined || str('scale'))) return meta as PreviewMeta;
  return undefined;
}

function metaLine(meta: PreviewMeta): string {
  return `${PREVIEW_MARK}${JSON.stringify(meta)}\n`;
}

/** A rejected candidate as a comment line (one line, so a multi-line text cannot break out of the comment). */
function rejectedLine(verdict: { text: string; reason?: string }): string {
  const text = verdict.text.replace(/\r?\n/g, ' ⏎ ');
  return `#   ✗ ${text.length > 400 ? `${text.slice(0, 400)}…` : text}   ← ${verdict.reason ?? 'rejected'}\n`;
}

function notes(lines: string[]): string {
  return lines.map((l) => `# ${l}\n`).join('');
}

// ------------------------------------------------------------------ builders

export interface ParaphrasePreviewInput {
  uri: string;
  template: Template;
  set: string;
  language: string;
  source: string;
  machineTranslated: boolean;
  kept: CandidateVerdict[];
  rejected: CandidateVerdict[];
  /** e.g. "fake-llm at http://127.0.0.1:11434", for the header. */
  by: string;
}

export function buildParaphrasePreview(input: ParaphrasePreviewInput): string {
  const target: PreviewTarget = {
    kind: 'paraphrases',
    template: input.template.name,
    set: input.set,
    language: input.language,
    source: input.source,
    machineTranslated: input.machineTranslated,
  };
  const what = input.machineTranslated
    ? `Translation into '${input.language}' of paraphrase set ${input.set}`
    : `Paraphrases of template ${input.template.name} ('${input.language}')`;
  let text = metaLine({ uri: input.uri, target });
  text += notes([
    `${what}, by ${input.by}.`,
    `Edit, delete or add '- ' entries below, then run "Value Lens: Insert Kept Entries from Preview" (or click the lens above).`,
    `Only the '${input.language}' list of "paraphrases ${input.set}" is inserted; the template is here for reference.`,
  ]);
  const reference = input.template.user[input.language] ?? input.template.user[input.source];
  text += `\ntemplate ${input.template.name}\n`;
  if (reference) text += formatTaggedText(reference.language, reference.value, '  ', false);
  text += `\nparaphrases ${input.set}${input.set === input.template.name ? '' : ` of ${input.template.name}`}\n`;
  text += `  ${input.language}${input.machineTranslated ? '[mt]' : ''}:\n`;
  for (const verdict of input.kept) {
    if (verdict.note) text += `    # note: ${verdict.note}\n`;
    text += formatListEntry(verdict.text);
  }
  if (input.rejected.length)
    text += `\n# Rejected (not inserted; copy one into the list above and fix it to keep it):\n${input.rejected.map(rejectedLine).join('')}`;
  return text;
}

export interface TemplatePreviewInput {
  uri: string;
  template: Template;
  language: string;
  source: string;
  translation: TemplateTranslation;
  by: string;
}

function warnings(verdict: CandidateVerdict | undefined, indent: string): string {
  if (!verdict) return '';
  let out = '';
  if (!verdict.ok) out += `${indent}# ✗ ${verdict.reason ?? 'rejected'}: fix this before inserting\n`;
  if (verdict.note) out += `${indent}# note: ${verdict.note}\n`;
  return out;
}

export function buildTemplatePreview(input: TemplatePreviewInput): string {
  const meta: PreviewMeta = {
    uri: input.uri,
    target: { kind: 'template', template: input.template.name, language: input.language, source: input.source },
  };
  let text = metaLine(meta);
  text += notes([
    `Translation of template ${input.template.name} from '${input.source}' into '${input.language}', by ${input.by}.`,
    `Edit the text below (remove [mt] once a person has reviewed it), then run "Value Lens: Insert Kept Entries from Preview" (or click the lens above).`,
  ]);
  text += `\ntemplate ${input.template.name}\n`;
  const { system, user } = input.translation;
  if (system) {
    text += warnings(system, '  ');
    if (system.text) text += formatTaggedText(`system ${input.language}`, system.text, '  ', true);
  }
  text += warnings(user, '  ');
  if (user.text) text += formatTaggedText(input.language, user.text, '  ', true);
  return text;
}

export interface ItemPreviewInput {
  uri: string;
  item: Item;
  language: string;
  source: string;
  translation: ItemTranslation;
  by: string;
}

function scaleHeader(scale: Scale): string {
  return `scale ${scale.name} ${scale.min}..${scale.max}${scale.kind === 'numeric' ? ' numeric' : ''}${scale.reversed ? ' reversed' : ''}`;
}

/** A label line: `a | b | c` for labelled scales, `low .. high` for numeric ones. */
export function formatLabels(scale: Scale, labels: string[]): string {
  return scale.kind === 'numeric' && labels.length === 2 ? `${labels[0]} .. ${labels[1]}` : labels.join(' | ');
}

export function buildItemPreview(input: ItemPreviewInput): string {
  const { item, translation: tr, language } = input;
  const scale = tr.labels && item.scale ? item.scale : undefined;
  const meta: PreviewMeta = {
    uri: input.uri,
    target: { kind: 'item', itemId: item.id, language, source: input.source, ...(scale ? { scale: scale.name } : {}) },
  };
  let text = metaLine(meta);
  text += notes([
    `Translation of item ${item.id} from '${input.source}' into '${language}', by ${input.by}.`,
    `Edit the text below (remove [mt] once a person has reviewed it), then run "Value Lens: Insert Kept Entries from Preview" (or click the lens above).`,
  ]);
  if (scale && tr.labels) {
    text += `\n${scaleHeader(scale)}\n`;
    if (!tr.labels.ok) text += `  # ✗ ${tr.labels.reason ?? 'rejected'}: fix this before inserting\n`;
    if (tr.labels.labels.length) text += `  ${language}[mt]: ${formatLabels(scale, tr.labels.labels)}\n`;
  }
  text += `\nitem ${item.id}${item.title ? ` "${item.title.value.replace(/"/g, "'")}"` : ''}\n`;
  if (scale) text += `  scale: ${scale.name}\n`;
  if (tr.topic) {
    text += warnings(tr.topic, '  ');
    if (tr.topic.text) text += `  topic ${language}[mt]: ${tr.topic.text.replace(/\s*\n\s*/g, ' ')}\n`;
  }
  if (tr.text) {
    text += warnings(tr.text, '  ');
    if (tr.text.text) text += formatTaggedText(language, tr.text.text, '  ', true);
  }
  return text;
}

// ------------------------------------------------------------------ reading back

export interface TaggedText {
  text: string;
  machineTranslated: boolean;
}

export type PreviewContent =
  | { kind: 'paraphrases'; texts: string[]; machineTranslated: boolean }
  | { kind: 'template'; user?: TaggedText; system?: TaggedText }
  | { kind: 'item'; text?: TaggedText; topic?: TaggedText; labels?: { labels: string[]; machineTranslated: boolean } };

/** What the (possibly edited) preview now says, read with the real parsers. Syntax errors are returned, not thrown. */
export function readPreview(text: string): { meta: PreviewMeta; content: PreviewContent; errors: string[] } | { error: string } {
  const meta = readPreviewMeta(text);
  if (!meta)
    return { error: 'This is not a Value Lens preview (its first line, the "# value-lens-preview" marker, is missing or damaged).' };
  const t = meta.target;
  const tagged = (entry: { value: string; machineTranslated?: boolean } | undefined): TaggedText | undefined =>
    entry ? { text: entry.value, machineTranslated: entry.machineTranslated === true } : undefined;
  if (t.kind === 'item') {
    const file = parseSurvey(text);
    const errors = file.diagnostics
      .filter((d) => d.severity === 'error' && !d.code.endsWith('unknown-scale'))
      .map((d) => `line ${d.range.start.line + 1}: ${d.message}`);
    const item = file.items.find((i) => i.id === t.itemId);
    const scale = t.scale ? file.scales.find((s) => s.name === t.scale) : undefined;
    const line = scale?.labelLines[t.language];
    return {
      meta,
      errors,
      content: {
        kind: 'item',
        text: tagged(item?.texts[t.language]),
        topic: tagged(item?.topics[t.language]),
        labels: line ? { labels: line.labels, machineTranslated: line.machineTranslated === true } : undefined,
      },
    };
  }
  const file = parseTemplates(text);
  const errors = file.diagnostics.filter((d) => d.severity === 'error').map((d) => `line ${d.range.start.line + 1}: ${d.message}`);
  if (t.kind === 'template') {
    const template = file.templates.find((x) => x.name === t.template);
    return {
      meta,
      errors,
      content: { kind: 'template', user: tagged(template?.user[t.language]), system: tagged(template?.system[t.language]) },
    };
  }
  const set = file.paraphraseSets.find((s) => s.name === t.set);
  const variants = set?.variants[t.language] ?? [];
  return {
    meta,
    errors,
    content: {
      kind: 'paraphrases',
      texts: variants.map((v) => v.value),
      machineTranslated: variants.length > 0 ? variants.every((v) => v.machineTranslated === true) : t.machineTranslated,
    },
  };
}
