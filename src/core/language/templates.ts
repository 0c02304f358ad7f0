// Parser for `.wvt` prompt-template files: an optional `languages` header, `template NAME` blocks with
// `system xx:` and `xx:` parts, and `paraphrases NAME [of TEMPLATE]` sets with `- ` list entries per
// language. Single pass over the lines; `checkTemplates` adds the slot and translation diagnostics.
import type { Located, ParaphraseSet, Template, TemplateFile, TextEntry } from './ast';
import {
  Diagnostics,
  firstWord,
  isLanguageCode,
  lineRange,
  nextToken,
  parseTag,
  range,
  readBlock,
  readProperty,
  scanLine,
  skipBlanks,
  splitLines,
  type Line,
  type Property,
  type Segment,
} from './scan';
import { checkTemplates } from './templateChecks';

type Block =
  | { kind: 'template'; template: Template }
  | { kind: 'set'; set: ParaphraseSet; language?: { code: string; machineTranslated: boolean }; templateRange?: Located<string> }
  | { kind: 'skip' };

export interface TemplateParseState {
  lines: string[];
  diagnostics: Diagnostics;
  file: TemplateFile;
  languages: Located<string>[];
  /** Where each text's characters live in the document (for exact ranges inside multi-line text). */
  segments: Map<TextEntry, Segment[]>;
  /** The `of TEMPLATE` name of each set, when written. */
  setTargets: Map<ParaphraseSet, Located<string>>;
  block: Block | undefined;
}

export function parseTemplates(text: string): TemplateFile {
  try {
    return parseTemplatesUnchecked(typeof text === 'string' ? text : String(text));
  } catch (error) {
    // A parser bug must not take the editor down; the fuzz test asserts this branch is never reached.
    return {
      kind: 'templates',
      templates: [],
      paraphraseSets: [],
      diagnostics: [{ range: range(0, 0, 0, 0), severity: 'error', code: 'wvt/internal', message: `Parser failure: ${String(error)}` }],
    };
  }
}

function parseTemplatesUnchecked(text: string): TemplateFile {
  const state = run(text);
  if (state.languages.length > 0) state.file.languages = state.languages;
  return state.file;
}

function run(text: string): TemplateParseState {
  const lines = splitLines(text);
  const state: TemplateParseState = {
    lines,
    diagnostics: new Diagnostics('wvt'),
    file: { kind: 'templates', templates: [], paraphraseSets: [], diagnostics: [] },
    languages: [],
    segments: new Map(),
    setTargets: new Map(),
    block: undefined,
  };
  let i = 0;
  while (i < lines.length) {
    const line = scanLine(lines[i], i);
    i++;
    if (line.end === line.indent) continue;
    const { word } = firstWord(line);
    const isHeader = line.indent === 0 && line.text.charCodeAt(word.length) !== 58;
    if (isHeader && word === 'template') startTemplate(state, line);
    else if (isHeader && word === 'paraphrases') startSet(state, line);
    else if (isHeader && word === 'languages') languagesLine(state, line);
    else if (line.indent > 0 && state.block) i = propertyLine(state, line, i);
    else if (line.indent === 0 && state.block && state.block.kind !== 'skip' && readProperty(line)) {
      state.diagnostics.error('syntax', `Properties must be indented under their block`, lineRange(line, 0, line.end));
      i = propertyLine(state, line, i);
    } else {
      const message =
        line.indent > 0
          ? `Indented line outside a block: expected 'template' or 'paraphrases' above it`
          : `Unexpected '${word.slice(0, 40)}': expected languages, template or paraphrases`;
      state.diagnostics.error('syntax', message, lineRange(line, line.indent, line.end));
      if (line.indent === 0) state.block = { kind: 'skip' };
    }
  }
  checkTemplates(state);
  state.file.diagnostics = state.diagnostics.list;
  return state;
}

function extend(state: TemplateParseState, lineIndex: number, endChar: number): void {
  const block = state.block;
  if (!block || block.kind === 'skip') return;
  const node = block.kind === 'template' ? block.template : block.set;
  node.range.end = { line: lineIndex, character: endChar };
}

function languagesLine(state: TemplateParseState, line: Line): void {
  state.block = undefined;
  let token = nextToken(line, line.indent + 'languages'.length);
  if (!token) state.diagnostics.error('syntax', `'languages' needs at least one language code`, lineRange(line, 0, line.end));
  const seen = new Set(state.languages.map((l) => l.value));
  while (token) {
    const at = lineRange(line, token.start, token.end);
    if (!isLanguageCode(token.value)) state.diagnostics.error('syntax', `'${token.value.slice(0, 40)}' is not a language code (ISO 639-1, e.g. en, da)`, at);
    else if (seen.has(token.value)) state.diagnostics.warning('duplicate-property', `Language '${token.value}' is listed twice`, at);
    else {
      seen.add(token.value);
      state.languages.push({ value: token.value, range: at });
    }
    token = nextToken(line, token.end);
  }
}

function startTemplate(state: TemplateParseState, line: Line): void {
  const name = nextToken(line, 'template'.length);
  if (!name) {
    state.diagnostics.error('syntax', `'template' needs a name, e.g. template direct`, lineRange(line, 0, line.end));
    state.block = { kind: 'skip' };
    return;
  }
  const extra = nextToken(line, name.end);
  if (extra) state.diagnostics.error('syntax', `Unexpected text after the template name`, lineRange(line, extra.start, line.end));
  const template: Template = {
    name: name.value,
    nameRange: lineRange(line, name.start, name.end),
    range: lineRange(line, 0, line.end),
    system: {},
    user: {},
  };
  state.file.templates.push(template);
  state.block = { kind: 'template', template };
}

function startSet(state: TemplateParseState, line: Line): void {
  const name = nextToken(line, 'paraphrases'.length);
  if (!name) {
    state.diagnostics.error('syntax', `'paraphrases' needs a name, e.g. paraphrases direct`, lineRange(line, 0, line.end));
    state.block = { kind: 'skip' };
    return;
  }
  const set: ParaphraseSet = {
    name: name.value,
    nameRange: lineRange(line, name.start, name.end),
    range: lineRange(line, 0, line.end),
    templateName: name.value,
    variants: {},
  };
  const of = nextToken(line, name.end);
  if (of) {
    const target = of.value === 'of' ? nextToken(line, of.end) : undefined;
    const rest = target ? nextToken(line, target.end) : undefined;
    if (!target || rest) {
      state.diagnostics.error('syntax', `Expected 'paraphrases NAME' or 'paraphrases NAME of TEMPLATE'`, lineRange(line, of.start, line.end));
    } else {
      set.templateName = target.value;
      state.setTargets.set(set, { value: target.value, range: lineRange(line, target.start, target.end) });
    }
  }
  state.file.paraphraseSets.push(set);
  state.block = { kind: 'set', set };
}

function propertyLine(state: TemplateParseState, line: Line, next: number): number {
  const block = state.block;
  if (!block || block.kind === 'skip') return next;
  if (block.kind === 'set' && line.text.charCodeAt(line.indent) === 45 /* - */) return variantLine(state, block, line, next);
  const property = readProperty(line);
  if (!property) {
    const hint = block.kind === 'set' ? `a language line 'en:' or an entry '- …'` : `'en: …' or 'system en: …'`;
    state.diagnostics.error('syntax', `Expected ${hint}`, lineRange(line, line.indent, line.end));
    return next;
  }
  extend(state, line.index, line.end);
  if (block.kind === 'template') return templateProperty(state, block.template, line, property, next);
  const tag = property.words.length === 1 ? parseTag(property.words[0]) : undefined;
  if (!tag) {
    state.diagnostics.error('syntax', `Unknown property in paraphrases ${block.set.name}: expected a language line such as 'en:'`, lineRange(line, property.keyStart, property.keyEnd));
    block.language = undefined;
    return next;
  }
  block.language = { code: tag.language, machineTranslated: tag.machineTranslated };
  if (!block.set.variants[tag.language]) block.set.variants[tag.language] = [];
  if (property.value.length > 0) {
    state.diagnostics.error('syntax', `Write each paraphrase on its own '- ' line under '${tag.language}:'`, lineRange(line, property.valueStart, property.valueEnd));
  }
  return next;
}

/** Reads an inline value or a `|` block that starts at `valueStart`. */
function readText(state: TemplateParseState, line: Line, valueStart: number, next: number, language: string): { text?: TextEntry; next: number } {
  const value = line.text.slice(valueStart, line.end);
  if (value === '|') {
    const block = readBlock(state.lines, line.index, line.indent);
    if (block.lastEnd < 0) {
      state.diagnostics.error('syntax', `Empty '|' block: indent the text on the following lines`, lineRange(line, valueStart, line.end));
      return { next: block.next };
    }
    extend(state, block.lastLine, block.lastEnd);
    const text: TextEntry = { value: block.value, language, range: range(line.index, valueStart, block.lastLine, block.lastEnd) };
    state.segments.set(text, block.segments);
    return { text, next: block.next };
  }
  if (value.length === 0) {
    state.diagnostics.error('syntax', `Missing text`, lineRange(line, line.indent, line.end));
    return { next };
  }
  const text: TextEntry = { value, language, range: lineRange(line, valueStart, line.end) };
  state.segments.set(text, [{ offset: 0, line: line.index, character: valueStart, length: value.length }]);
  return { text, next };
}

function templateProperty(state: TemplateParseState, template: Template, line: Line, property: Property, next: number): number {
  const { words } = property;
  const isSystem = words[0] === 'system' && words.length === 2;
  const tag = words.length === 1 ? parseTag(words[0]) : isSystem ? parseTag(words[1]) : undefined;
  if (!tag) {
    const key = line.text.slice(property.keyStart, property.keyEnd);
    state.diagnostics.error('syntax', `Unknown property '${key.slice(0, 40)}' in template ${template.name}: expected 'en:' or 'system en:'`, lineRange(line, property.keyStart, property.keyEnd));
    return next;
  }
  const read = readText(state, line, property.valueStart, next, tag.language);
  if (!read.text) return read.next;
  if (tag.machineTranslated) read.text.machineTranslated = true;
  const target = isSystem ? template.system : template.user;
  if (Object.prototype.hasOwnProperty.call(target, tag.language)) {
    state.diagnostics.error(
      'duplicate-property',
      `Template ${template.name} already has a ${isSystem ? 'system' : 'user'} part in '${tag.language}'`,
      lineRange(line, property.keyStart, property.keyEnd),
      { language: tag.language },
    );
  } else target[tag.language] = read.text;
  return read.next;
}

function variantLine(state: TemplateParseState, block: Extract<Block, { kind: 'set' }>, line: Line, next: number): number {
  extend(state, line.index, line.end);
  if (!block.language) {
    state.diagnostics.error('syntax', `A paraphrase entry needs a language line such as 'en:' above it`, lineRange(line, line.indent, line.end));
    return next;
  }
  const afterDash = line.indent + 1;
  const c = line.text.charCodeAt(afterDash);
  if (afterDash < line.end && c !== 32 && c !== 9) {
    state.diagnostics.error('syntax', `Write a paraphrase as '- text' (a space after the dash)`, lineRange(line, line.indent, line.end));
    return next;
  }
  const valueStart = skipBlanks(line.text, afterDash, line.end);
  const read = readText(state, line, valueStart, next, block.language.code);
  if (!read.text) return read.next;
  if (block.language.machineTranslated) read.text.machineTranslated = true;
  block.set.variants[block.language.code].push(read.text);
  return read.next;
}
