// Quick fixes as plain text edits: add a stub for a missing translation, rename a duplicate id to a free one.
import type { Diagnostic, Range, Scale, SurveyFile, TemplateFile } from '../ast';
import { KNOWN_SLOTS } from '../ast';
import { closestName, PLACEHOLDER_TEXT } from '../placeholders';
import { containsPosition, lastLine } from './ranges';
import { english, type Translate } from '../../message';

export interface TextEdit {
  range: Range;
  newText: string;
}

export interface QuickFix {
  title: string;
  edits: TextEdit[];
  preferred?: boolean;
}

/**
 * The stub is a placeholder (src/core/language/placeholders.ts): it gets a `placeholder-text` warning and the
 * run plan skips it, so "TODO translate" is never sent to a model as the question. It is written with `[mt]`
 * so the hover and the review list it as not yet reviewed by a person.
 */
export const TRANSLATION_STUB = PLACEHOLDER_TEXT;

/** The language a `missing-translation` diagnostic is about: `data.language`, else the code quoted in the message. */
export function missingLanguage(diagnostic: Diagnostic): string | undefined {
  const fromData = diagnostic.data?.language;
  if (typeof fromData === 'string' && /^[a-z]{2,3}$/.test(fromData)) return fromData;
  const quoted = /['"`‘“]([a-z]{2,3})['"`’”]/.exec(diagnostic.message) ?? /\b(?:language|in)\s+([a-z]{2,3})\b/.exec(diagnostic.message);
  return quoted?.[1];
}

/** A name not in `taken`: `Q1` → `Q1_2`, `Q1_3`, … (the base's own numeric suffix is kept). */
export function freeName(base: string, taken: Set<string>): string {
  for (let n = 2; ; n++) {
    const candidate = `${base}_${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}

function indentOfProperties(lines: string[], start: number, end: number): string {
  for (let i = start + 1; i <= end; i++) {
    const m = /^(\s+)\S/.exec(lines[i] ?? '');
    if (m?.[1]) return m[1];
  }
  return '  ';
}

interface Block {
  range: Range;
  /** Scales need one stub label per option (or `low .. high` ends), not one line of wording. */
  scaleLabels?: Scale;
}

function stubFor(block: Block): string {
  const scale = block.scaleLabels;
  if (!scale) return TRANSLATION_STUB;
  if (scale.kind === 'numeric') return `${TRANSLATION_STUB} .. ${TRANSLATION_STUB}`;
  return scale.options.map(() => TRANSLATION_STUB).join(' | ');
}

function missingTranslationFix(lines: string[], blocks: Block[], diagnostic: Diagnostic, t: Translate): QuickFix[] {
  const language = missingLanguage(diagnostic);
  if (!language) return [];
  // The innermost block containing the diagnostic (blocks do not nest, but be safe).
  const block = blocks
    .filter((b) => containsPosition(b.range, diagnostic.range.start) || b.range.start.line === diagnostic.range.start.line)
    .sort((a, b) => b.range.start.line - a.range.start.line)[0];
  if (!block) return [];
  const end = lastLine(block.range);
  const indent = indentOfProperties(lines, block.range.start.line, end);
  const at = { line: end, character: (lines[end] ?? '').length };
  return [
    {
      title: t("Add a '{0}' translation stub", language),
      edits: [{ range: { start: at, end: at }, newText: `\n${indent}${language}[mt]: ${stubFor(block)}` }],
      preferred: true,
    },
  ];
}

function duplicateIdFix(lines: string[], file: SurveyFile | TemplateFile, diagnostic: Diagnostic, t: Translate): QuickFix[] {
  const names =
    file.kind === 'survey'
      ? [...file.items.map((i) => ({ name: i.id, range: i.idRange })), ...file.scales.map((s) => ({ name: s.name, range: s.nameRange }))]
      : [
          ...file.templates.map((tpl) => ({ name: tpl.name, range: tpl.nameRange })),
          ...file.paraphraseSets.map((s) => ({ name: s.name, range: s.nameRange })),
        ];
  const target = names.find((n) => containsPosition(diagnostic.range, n.range.start) || containsPosition(n.range, diagnostic.range.start));
  const fallbackText =
    diagnostic.range.start.line === diagnostic.range.end.line
      ? (lines[diagnostic.range.start.line] ?? '').slice(diagnostic.range.start.character, diagnostic.range.end.character)
      : '';
  const name = target?.name ?? (typeof diagnostic.data?.id === 'string' ? diagnostic.data.id : fallbackText);
  const range = target?.range ?? diagnostic.range;
  if (!name || !/^\S+$/.test(name)) return [];
  const fresh = freeName(name, new Set(names.map((n) => n.name)));
  return [{ title: t("Rename '{0}' to '{1}'", name, fresh), edits: [{ range, newText: fresh }], preferred: true }];
}

/** The text a single-line range covers. */
function textAt(lines: string[], range: Range): string {
  if (range.start.line !== range.end.line) return '';
  return (lines[range.start.line] ?? '').slice(range.start.character, range.end.character);
}

function replaceFix(title: string, range: Range, newText: string): QuickFix {
  return { title, edits: [{ range, newText }], preferred: true };
}

/**
 * "Did you mean" fixes (issue 19): a language tag the header does not declare, an unknown scale, slot or
 * template, replaced by the declared name it most likely means; an undeclared language can also be declared.
 */
function didYouMeanFixes(lines: string[], file: SurveyFile | TemplateFile, diagnostic: Diagnostic, code: string, t: Translate): QuickFix[] {
  const written = textAt(lines, diagnostic.range);
  if (code === 'undeclared-language' && file.kind === 'survey') {
    const language = typeof diagnostic.data?.language === 'string' ? diagnostic.data.language : written;
    const fixes: QuickFix[] = [];
    const suggestion = diagnostic.data?.suggestion;
    if (typeof suggestion === 'string' && written === language)
      fixes.push(replaceFix(t("Change '{0}' to '{1}'", language, suggestion), diagnostic.range, suggestion));
    const last = file.header.languages[file.header.languages.length - 1];
    if (last && /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/.test(language)) {
      fixes.push({
        title: t("Declare '{0}' in the languages header", language),
        edits: [{ range: { start: last.range.end, end: last.range.end }, newText: ` ${language}` }],
      });
    }
    return fixes;
  }
  if (code === 'unknown-scale' && file.kind === 'survey' && written) {
    const name = closestName(
      written,
      file.scales.map((scale) => scale.name),
    );
    return name ? [replaceFix(t("Change to scale '{0}'", name), diagnostic.range, name)] : [];
  }
  if (code === 'unknown-slot' && file.kind === 'templates') {
    const slot = typeof diagnostic.data?.slot === 'string' ? diagnostic.data.slot : undefined;
    if (!slot || written !== `{${slot}}`) return [];
    const name = closestName(slot, [...KNOWN_SLOTS, ...(file.slots ?? []).map((s) => s.value)]);
    return name ? [replaceFix(t('Change to {0}', `{${name}}`), diagnostic.range, `{${name}}`)] : [];
  }
  if (code === 'unknown-template' && file.kind === 'templates' && written) {
    const name = closestName(
      written,
      file.templates.map((tpl) => tpl.name),
    );
    return name ? [replaceFix(t("Change to template '{0}'", name), diagnostic.range, name)] : [];
  }
  return [];
}

/** The fixes for one diagnostic; `t` translates their titles (the editor passes vscode.l10n.t). */
export function quickFixes(text: string, file: SurveyFile | TemplateFile, diagnostic: Diagnostic, t: Translate = english): QuickFix[] {
  const lines = text.split(/\r?\n/);
  const code = diagnostic.code.replace(/^wv[st]\//, '');
  if (code === 'undeclared-language' || code === 'unknown-scale' || code === 'unknown-slot' || code === 'unknown-template') {
    return didYouMeanFixes(lines, file, diagnostic, code, t);
  }
  if (code === 'missing-translation') {
    const blocks: Block[] =
      file.kind === 'survey'
        ? [
            ...file.items.map((item) => ({ range: item.range })),
            ...file.scales.map((scale) => ({ range: scale.range, scaleLabels: scale })),
          ]
        : file.templates;
    return missingTranslationFix(lines, blocks, diagnostic, t);
  }
  if (code === 'duplicate-id') return duplicateIdFix(lines, file, diagnostic, t);
  return [];
}
