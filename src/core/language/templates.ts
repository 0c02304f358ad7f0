// Parser for `.wvt` prompt-template files: an optional `languages` header, `template NAME` blocks with
// `system xx:` and `xx:` parts, and `paraphrases NAME [of TEMPLATE]` sets with `- ` list entries per
// language. Single pass over the lines; `checkTemplates` adds the slot and translation diagnostics.
import { msg } from '../message';
import type { Located, ParaphraseSet, Template, TemplateFile, TextEntry } from './ast';
import {
  Diagnostics,
  languageListRules,
  readNameList,
  firstWord,
  lineRange,
  nextToken,
  textEntry,
  wordIs,
  wordTag,
  neverThrow,
  readBlock,
  readProperty,
  skipBlanks,
  LineReader,
  MAX_LANGUAGES,
  type Line,
  type Property,
  type Segment,
} from './scan';
import { checkTemplates } from './templateChecks';
import { isSlotName } from './slots';

type Block =
  | { kind: 'template'; template: Template }
  | { kind: 'set'; set: ParaphraseSet; language?: { code: string; machineTranslated: boolean }; templateRange?: Located<string> }
  | { kind: 'skip' };

export interface TemplateParseState {
  reader: LineReader;
  diagnostics: Diagnostics;
  file: TemplateFile;
  languages: Located<string>[];
  /** Extra slot names declared with `slots NAME...`. */
  slots: Located<string>[];
  /** Where each text's characters live in the document (for exact ranges inside multi-line text). */
  segments: Map<TextEntry, Segment[]>;
  /** The `of TEMPLATE` name of each set, when written. */
  setTargets: Map<ParaphraseSet, Located<string>>;
  block: Block | undefined;
}

export function parseTemplates(text: string): TemplateFile {
  return neverThrow(
    parseTemplatesUnchecked,
    text,
    (d) => ({ kind: 'templates', templates: [], paraphraseSets: [], diagnostics: [d] }),
    'wvt/internal',
  );
}

function parseTemplatesUnchecked(text: string): TemplateFile {
  const state = run(text);
  if (state.languages.length > 0) state.file.languages = state.languages;
  if (state.slots.length > 0) state.file.slots = state.slots;
  return state.file;
}

function run(text: string): TemplateParseState {
  const reader = new LineReader(text);
  const state: TemplateParseState = {
    reader,
    diagnostics: new Diagnostics('wvt'),
    file: { kind: 'templates', templates: [], paraphraseSets: [], diagnostics: [] },
    languages: [],
    slots: [],
    segments: new Map(),
    setTargets: new Map(),
    block: undefined,
  };
  const line: Line = reader;
  while (reader.advance()) {
    if (line.end === line.indent) continue;
    const word = firstWord(line);
    const isHeader = line.indent === line.start && line.text.charCodeAt(line.indent + word.length) !== 58;
    if (isHeader && word === 'template') startTemplate(state, line);
    else if (isHeader && word === 'paraphrases') startSet(state, line);
    else if (isHeader && word === 'languages') languagesLine(state, line);
    else if (isHeader && word === 'slots') slotsLine(state, line);
    else if (line.indent > line.start && state.block) propertyLine(state, line);
    else if (line.indent === line.start && state.block && state.block.kind !== 'skip' && readProperty(line)) {
      state.diagnostics.error('syntax', msg('Properties must be indented under their block'), lineRange(line, line.start, line.end));
      propertyLine(state, line);
    } else {
      const message =
        line.indent > line.start
          ? msg("Indented line outside a block: expected 'template' or 'paraphrases' above it")
          : msg("Unexpected '{0}': expected languages, slots, template or paraphrases", word.slice(0, 40));
      state.diagnostics.error('syntax', message, lineRange(line, line.indent, line.end));
      if (line.indent === line.start) state.block = { kind: 'skip' };
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
  readNameList(line, line.indent + 'languages'.length, state.languages, state.diagnostics, languageListRules(line.start));
}

/** `slots NAME...`: extra slot names this file may use (files whose templates are filled by other code). */
function slotsLine(state: TemplateParseState, line: Line): void {
  state.block = undefined;
  readNameList(line, line.indent + 'slots'.length, state.slots, state.diagnostics, {
    empty: msg("'slots' needs at least one slot name, e.g. slots text count"),
    emptyFrom: line.start,
    isValid: isSlotName,
    invalid: (name) => msg("'{0}' is not a slot name (letters, digits, _ and -)", name),
    tooMany: msg('At most {0} extra slots are supported', MAX_LANGUAGES),
    duplicate: (name) => msg("Slot '{0}' is listed twice", name),
  });
}

function startTemplate(state: TemplateParseState, line: Line): void {
  const name = nextToken(line, line.indent + 'template'.length);
  if (!name) {
    state.diagnostics.error('syntax', msg("'template' needs a name, e.g. template direct"), lineRange(line, line.start, line.end));
    state.block = { kind: 'skip' };
    return;
  }
  const extra = nextToken(line, name.end);
  if (extra) state.diagnostics.error('syntax', msg('Unexpected text after the template name'), lineRange(line, extra.start, line.end));
  const template: Template = {
    name: name.value,
    nameRange: lineRange(line, name.start, name.end),
    range: lineRange(line, line.start, line.end),
    system: {},
    user: {},
  };
  state.file.templates.push(template);
  state.block = { kind: 'template', template };
}

function startSet(state: TemplateParseState, line: Line): void {
  const name = nextToken(line, line.indent + 'paraphrases'.length);
  if (!name) {
    state.diagnostics.error('syntax', msg("'paraphrases' needs a name, e.g. paraphrases direct"), lineRange(line, line.start, line.end));
    state.block = { kind: 'skip' };
    return;
  }
  const set: ParaphraseSet = {
    name: name.value,
    nameRange: lineRange(line, name.start, name.end),
    range: lineRange(line, line.start, line.end),
    templateName: name.value,
    variants: {},
  };
  const of = nextToken(line, name.end);
  if (of) {
    const target = of.value === 'of' ? nextToken(line, of.end) : undefined;
    const rest = target ? nextToken(line, target.end) : undefined;
    if (!target || rest) {
      state.diagnostics.error(
        'syntax',
        msg("Expected 'paraphrases NAME' or 'paraphrases NAME of TEMPLATE'"),
        lineRange(line, of.start, line.end),
      );
    } else {
      set.templateName = target.value;
      state.setTargets.set(set, { value: target.value, range: lineRange(line, target.start, target.end) });
    }
  }
  state.file.paraphraseSets.push(set);
  state.block = { kind: 'set', set };
}

function propertyLine(state: TemplateParseState, line: Line): void {
  const block = state.block;
  if (!block || block.kind === 'skip') return;
  if (block.kind === 'set' && line.text.charCodeAt(line.indent) === 45 /* - */) return variantLine(state, block, line);
  const property = readProperty(line);
  if (!property) {
    const expected =
      block.kind === 'set' ? msg("Expected a language line 'en:' or an entry '- …'") : msg("Expected 'en: …' or 'system en: …'");
    state.diagnostics.error('syntax', expected, lineRange(line, line.indent, line.end));
    return;
  }
  extend(state, line.index, line.end - line.start);
  if (block.kind === 'template') return templateProperty(state, block.template, line, property);
  const tag = property.count === 1 ? wordTag(line.text, property, 0) : undefined;
  if (!tag) {
    state.diagnostics.error(
      'syntax',
      msg("Unknown property in paraphrases {0}: expected a language line such as 'en:'", block.set.name),
      lineRange(line, property.keyStart, property.keyEnd),
    );
    block.language = undefined;
    return;
  }
  block.language = { code: tag.language, machineTranslated: tag.machineTranslated };
  if (!block.set.variants[tag.language]) block.set.variants[tag.language] = [];
  if (property.valueEnd > property.valueStart) {
    state.diagnostics.error(
      'syntax',
      msg("Write each paraphrase on its own '- ' line under '{0}:'", tag.language),
      lineRange(line, property.valueStart, property.valueEnd),
    );
  }
  return;
}

/** Reads an inline value or a `|` block that starts at `valueStart`. */
function readText(
  state: TemplateParseState,
  line: Line,
  valueStart: number,
  language: string,
  machineTranslated: boolean,
): { text?: TextEntry } {
  const value = line.text.slice(valueStart, line.end);
  if (value === '|') {
    // The reader moves past the block: take the header's position first.
    const at = { line: line.index, character: valueStart - line.start };
    const block = readBlock(state.reader, line.indent - line.start);
    if (block.lastEnd < 0) {
      state.diagnostics.error(
        'syntax',
        msg("Empty '|' block: indent the text on the following lines"),
        lineRange(line, valueStart, line.end),
      );
      return {};
    }
    extend(state, block.lastLine, block.lastEnd);
    const text = textEntry(block.value, language, machineTranslated, {
      start: at,
      end: { line: block.lastLine, character: block.lastEnd },
    });
    state.segments.set(text, block.segments);
    return { text };
  }
  if (value.length === 0) {
    state.diagnostics.error('syntax', msg('Missing text'), lineRange(line, line.indent, line.end));
    return {};
  }
  const text = textEntry(value, language, machineTranslated, lineRange(line, valueStart, line.end));
  state.segments.set(text, [{ offset: 0, line: line.index, character: valueStart - line.start, length: value.length }]);
  return { text };
}

function templateProperty(state: TemplateParseState, template: Template, line: Line, property: Property): void {
  const isSystem = property.count === 2 && wordIs(line.text, property, 0, 'system');
  const tag = property.count === 1 ? wordTag(line.text, property, 0) : isSystem ? wordTag(line.text, property, 1) : undefined;
  if (!tag) {
    const key = line.text.slice(property.keyStart, property.keyEnd);
    state.diagnostics.error(
      'syntax',
      msg("Unknown property '{0}' in template {1}: expected 'en:' or 'system en:'", key.slice(0, 40), template.name),
      lineRange(line, property.keyStart, property.keyEnd),
    );
    return;
  }
  // Taken before reading the text: a `|` block moves the reader past this line.
  const keyRange = lineRange(line, property.keyStart, property.keyEnd);
  const read = readText(state, line, property.valueStart, tag.language, tag.machineTranslated);
  if (!read.text) return;
  const target = isSystem ? template.system : template.user;
  if (Object.prototype.hasOwnProperty.call(target, tag.language)) {
    state.diagnostics.error(
      'duplicate-property',
      isSystem
        ? msg("Template {0} already has a system part in '{1}'", template.name, tag.language)
        : msg("Template {0} already has a user part in '{1}'", template.name, tag.language),
      keyRange,
      { language: tag.language },
    );
  } else target[tag.language] = read.text;
  return;
}

function variantLine(state: TemplateParseState, block: Extract<Block, { kind: 'set' }>, line: Line): void {
  extend(state, line.index, line.end - line.start);
  if (!block.language) {
    state.diagnostics.error(
      'syntax',
      msg("A paraphrase entry needs a language line such as 'en:' above it"),
      lineRange(line, line.indent, line.end),
    );
    return;
  }
  const afterDash = line.indent + 1;
  const c = line.text.charCodeAt(afterDash);
  if (afterDash < line.end && c !== 32 && c !== 9) {
    state.diagnostics.error(
      'syntax',
      msg("Write a paraphrase as '- text' (a space after the dash)"),
      lineRange(line, line.indent, line.end),
    );
    return;
  }
  const valueStart = skipBlanks(line.text, afterDash, line.end);
  const read = readText(state, line, valueStart, block.language.code, block.language.machineTranslated);
  if (!read.text) return;
  block.set.variants[block.language.code].push(read.text);
  return;
}
