// Parser for `.wvs` item files: a single pass over the lines builds header, scales and items, then
// `checkSurvey` adds the cross-reference diagnostics. Never throws: bad lines become `wvs/syntax`
// diagnostics and parsing resumes at the next line.
import { msg, type Message } from '../message';
import type { Item, Located, MissingCode, Scale, SurveyFile, TextEntry } from './ast';
import {
  Diagnostics,
  languageListRules,
  readNameList,
  firstWord,
  lineRange,
  nextToken,
  keyOf,
  valueOf,
  textEntry,
  wordIs,
  wordTag,
  neverThrow,
  range,
  readBlock,
  readProperty,
  readQuoted,
  LineReader,
  type Line,
  type Property,
} from './scan';
import { checkSurvey, type ScaleExtras } from './surveyChecks';

/** Larger ranges are refused: they are typos, and would allocate huge option lists. */
export const MAX_SCALE_OPTIONS = 101;
/** Options that single-token labels can name (A–Z); see src/core/prompt/labels.ts. */
const MAX_LABELLED_OPTIONS = 26;

type Block = { kind: 'scale'; scale: Scale; extras: ScaleExtras } | { kind: 'item'; item: Item } | { kind: 'skip' };

interface State {
  reader: LineReader;
  diagnostics: Diagnostics;
  file: SurveyFile;
  extras: Map<Scale, ScaleExtras>;
  /** Scale names declared with a broken header: items naming them get no `unknown-scale` cascade. */
  brokenScales: Set<string>;
  /** Scales by name (first declaration) and item ids seen so far: checked while the item is being read. */
  scaleByName: Map<string, Scale>;
  ids: Set<string>;
  /** Blocks under an `item` line without an id: read like items so the lines below are still checked. */
  orphans: Item[];
  block: Block | undefined;
  /** End of the current block's last property so far (-1: the header line). */
  endLine: number;
  endChar: number;
  seenTitle: boolean;
  seenSource: boolean;
}

export function parseSurvey(text: string): SurveyFile {
  return neverThrow(
    parseSurveyUnchecked,
    text,
    (d) => ({ kind: 'survey', header: { languages: [] }, scales: [], items: [], diagnostics: [d] }),
    'wvs/internal',
  );
}

function parseSurveyUnchecked(text: string): SurveyFile {
  const reader = new LineReader(text);
  const state: State = {
    reader,
    diagnostics: new Diagnostics('wvs'),
    file: { kind: 'survey', header: { languages: [] }, scales: [], items: [], diagnostics: [] },
    extras: new Map(),
    brokenScales: new Set(),
    scaleByName: new Map(),
    ids: new Set(),
    orphans: [],
    block: undefined,
    endLine: -1,
    endChar: 0,
    seenTitle: false,
    seenSource: false,
  };
  const line: Line = reader;
  while (reader.advance()) {
    if (line.end === line.indent) continue;
    // Only column-0 lines can start a block; indented ones skip the keyword test (and its string).
    const word = line.indent === line.start ? firstWord(line) : '';
    const next = line.text.charCodeAt(line.indent + word.length);
    // Blocks start at column 0; `scale:` is a property, `scale x` a header.
    const isHeader = line.indent === line.start && next !== 58;
    if (isHeader && word === 'item') startItem(state, line);
    else if (isHeader && word === 'scale') startScale(state, line);
    else if (isHeader && (word === 'survey' || word === 'source' || word === 'languages')) headerLine(state, line, word);
    else if (line.indent > line.start && state.block) propertyLine(state, line);
    else if (line.indent === line.start && state.block && state.block.kind !== 'skip' && readProperty(line)) {
      // A property that lost its indentation: say so, but keep it in its block.
      state.diagnostics.error('syntax', msg('Properties must be indented under their block'), lineRange(line, line.start, line.end));
      propertyLine(state, line);
    } else {
      state.diagnostics.error('syntax', syntaxMessage(line, word || firstWord(line)), lineRange(line, line.indent, line.end));
      // Properties under an unreadable header belong to nothing; skip them quietly (the header is reported).
      if (line.indent === line.start) setBlock(state, { kind: 'skip' });
    }
  }
  setBlock(state, undefined);
  checkSurvey(state.file, state.extras, state.brokenScales, state.diagnostics, state.orphans, reader.text);
  state.file.diagnostics = state.diagnostics.list;
  return state.file;
}

function syntaxMessage(line: Line, word: string): Message {
  if (line.indent > line.start) return msg("Indented line outside a block: expected 'scale' or 'item' above it");
  return msg("Unexpected '{0}': expected survey, source, languages, scale or item", word.slice(0, 40));
}

/** Extends the current block's range to cover a line ending at `endChar`. */
function extend(state: State, lineIndex: number, endChar: number): void {
  state.endLine = lineIndex;
  state.endChar = endChar;
}

/** Closes the current block (its range ends at its last property, recorded without allocating per line). */
function setBlock(state: State, block: Block | undefined): void {
  const current = state.block;
  if (current && current.kind !== 'skip' && state.endLine >= 0) {
    const node = current.kind === 'item' ? current.item : current.scale;
    node.range.end = { line: state.endLine, character: state.endChar };
  }
  state.block = block;
  state.endLine = -1;
}

function headerLine(state: State, line: Line, word: string): void {
  setBlock(state, undefined);
  const { diagnostics, file } = state;
  const after = line.indent + word.length;
  if (word === 'languages') {
    readNameList(line, after, file.header.languages, diagnostics, languageListRules(line.indent, 'languages en da nl pt'));
    return;
  }
  const value = readStringValue(state, line, after, word);
  if (!value) return;
  if (word === 'survey') {
    if (state.seenTitle) diagnostics.error('duplicate-property', msg('The survey title is already set'), value.range);
    else file.header.title = value;
    state.seenTitle = true;
  } else {
    if (state.seenSource) diagnostics.error('duplicate-property', msg('The source is already set'), value.range);
    else file.header.source = value;
    state.seenSource = true;
  }
}

/** A `"quoted"` value (or, tolerated, the bare rest of the line) starting after `from`. */
function readStringValue(state: State, line: Line, from: number, what: string): Located<string> | undefined {
  let start = from;
  while (start < line.end && (line.text.charCodeAt(start) === 32 || line.text.charCodeAt(start) === 9)) start++;
  if (start >= line.end) {
    state.diagnostics.error('syntax', msg("'{0}' needs a quoted text", what), lineRange(line, line.indent, line.end));
    return undefined;
  }
  if (line.text.charCodeAt(start) !== 34) return { value: line.text.slice(start, line.end), range: lineRange(line, start, line.end) };
  const quoted = readQuoted(line.text, start, line.end);
  if (!quoted.closed) state.diagnostics.error('syntax', msg('Missing closing quote'), lineRange(line, start, line.end));
  else if (quoted.end < line.end)
    state.diagnostics.error('syntax', msg('Unexpected text after the closing quote'), lineRange(line, quoted.end, line.end));
  return { value: quoted.value, range: lineRange(line, start + 1, quoted.closed ? quoted.end - 1 : line.end) };
}

function startItem(state: State, line: Line): void {
  const id = nextToken(line, line.indent + 4);
  if (!id || id.value.charCodeAt(0) === 34) {
    state.diagnostics.error('syntax', msg('\'item\' needs an id, e.g. item Q1 "Family"'), lineRange(line, line.indent, line.end));
    // Not an item (nothing can refer to it), but its properties are still read and checked (issue 19).
    const orphan: Item = {
      id: '(no id)',
      idRange: lineRange(line, line.indent, line.end),
      range: lineRange(line, line.indent, line.end),
      texts: {},
      topics: {},
    };
    state.orphans.push(orphan);
    setBlock(state, { kind: 'item', item: orphan });
    return;
  }
  let idEnd = id.end;
  const quoteInId = id.value.indexOf('"');
  if (quoteInId > 0) idEnd = id.start + quoteInId;
  const item: Item = {
    id: line.text.slice(id.start, idEnd),
    idRange: lineRange(line, id.start, idEnd),
    range: lineRange(line, line.indent, line.end),
    texts: {},
    topics: {},
  };
  if (idEnd < line.end) {
    const title = readStringValue(state, line, idEnd, 'title');
    if (title) item.title = title;
  }
  // Ids become record fields, file names and terminal output: control characters (NUL, ESC) and U+FFFD
  // (what invalid UTF-8 decodes to) would make them unprintable or ambiguous.
  if (/[\u0000-\u001f\u007f-\u009f\ufffd]/.test(item.id)) {
    state.diagnostics.error(
      'syntax',
      msg(
        "Item id '{0}' contains a control character or an undecodable byte (U+FFFD); use letters, digits, '_', '-' and '.'",
        item.id.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`),
      ),
      item.idRange,
      { id: item.id },
    );
  }
  if (state.ids.has(item.id))
    state.diagnostics.error('duplicate-id', msg("Item id '{0}' is used twice", item.id), item.idRange, { id: item.id });
  else state.ids.add(item.id);
  state.file.items.push(item);
  setBlock(state, { kind: 'item', item });
  return;
}

function startScale(state: State, line: Line): void {
  const { diagnostics } = state;
  const name = nextToken(line, line.indent + 5);
  if (!name) {
    diagnostics.error(
      'syntax',
      msg("'scale' needs a name and a range, e.g. scale importance 1..4"),
      lineRange(line, line.indent, line.end),
    );
    setBlock(state, { kind: 'skip' });
    return;
  }
  const scale: Scale = {
    name: name.value,
    nameRange: lineRange(line, name.start, name.end),
    range: lineRange(line, line.indent, line.end),
    kind: 'labelled',
    min: 1,
    max: 0,
    reversed: false,
    options: [],
    labelLines: {},
    missing: [],
  };
  const extras: ScaleExtras = { endForm: new Map(), missingByCode: new Map(), broken: false };
  const bounds = readBounds(line, name.end);
  if (!bounds) {
    diagnostics.error('syntax', msg("Scale '{0}' needs a range MIN..MAX, e.g. 1..4", name.value), lineRange(line, name.end, line.end));
    extras.broken = true;
  } else if (bounds.min > bounds.max || bounds.max - bounds.min + 1 > MAX_SCALE_OPTIONS) {
    diagnostics.error(
      'syntax',
      msg('Range {0}..{1} must be ascending with at most {2} options', bounds.min, bounds.max, MAX_SCALE_OPTIONS),
      lineRange(line, bounds.start, bounds.end),
    );
    extras.broken = true;
  } else {
    scale.min = bounds.min;
    scale.max = bounds.max;
    // Scoring labels options with single tokens (1–9, then A–Z: src/core/prompt/labels.ts); a longer scale
    // parses, but every request on it would be skipped.
    if (bounds.max - bounds.min + 1 > MAX_LABELLED_OPTIONS) {
      diagnostics.warning(
        'unscorable-scale',
        msg(
          "Scale '{0}' has {1} options: at most {2} can be labelled with single tokens, so items on it cannot be scored (they can still be analysed against human data)",
          name.value,
          bounds.max - bounds.min + 1,
          MAX_LABELLED_OPTIONS,
        ),
        lineRange(line, bounds.start, bounds.end),
      );
    }
  }
  let token = bounds ? nextToken(line, bounds.end) : undefined;
  while (token) {
    const at = lineRange(line, token.start, token.end);
    if (token.value === 'numeric') scale.kind = 'numeric';
    else if (token.value === 'reversed') {
      scale.reversed = true;
      extras.reversedRange = at;
    } else diagnostics.error('syntax', msg("Unknown scale flag '{0}': expected numeric or reversed", token.value.slice(0, 40)), at);
    token = nextToken(line, token.end);
  }
  state.extras.set(scale, extras);
  if (extras.broken) state.brokenScales.add(scale.name);
  else {
    state.file.scales.push(scale);
    if (!state.scaleByName.has(scale.name)) state.scaleByName.set(scale.name, scale);
  }
  setBlock(state, { kind: 'scale', scale, extras });
}

/** `MIN..MAX`, spaces around `..` tolerated. */
function readBounds(line: Line, from: number): { min: number; max: number; start: number; end: number } | undefined {
  const text = line.text;
  let i = from;
  while (i < line.end && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
  const start = i;
  const min = readInt(text, i, line.end);
  if (!min) return undefined;
  i = min.end;
  while (i < line.end && text.charCodeAt(i) === 32) i++;
  if (text.charCodeAt(i) !== 46 || text.charCodeAt(i + 1) !== 46) return undefined;
  i += 2;
  while (i < line.end && text.charCodeAt(i) === 32) i++;
  const max = readInt(text, i, line.end);
  if (!max) return undefined;
  const after = text.charCodeAt(max.end);
  if (max.end < line.end && after !== 32 && after !== 9) return undefined;
  return { min: min.value, max: max.value, start, end: max.end };
}

/** An optionally signed integer of at most 9 digits. */
export function readInt(text: string, from: number, to: number): { value: number; end: number } | undefined {
  let i = from;
  let sign = 1;
  const first = text.charCodeAt(i);
  if (first === 45 || first === 43) {
    sign = first === 45 ? -1 : 1;
    i++;
  }
  const digits = i;
  let value = 0;
  while (i < to && i - digits < 9) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) break;
    value = value * 10 + (c - 48);
    i++;
  }
  if (i === digits) return undefined;
  const c = text.charCodeAt(i);
  if (i < to && c >= 48 && c <= 57) return undefined; // too many digits
  return { value: sign * value, end: i };
}

function propertyLine(state: State, line: Line): void {
  const block = state.block;
  if (!block || block.kind === 'skip') return;
  const property = readProperty(line);
  if (!property) {
    state.diagnostics.error('syntax', msg("Expected a property 'NAME: value' (e.g. en: …)"), lineRange(line, line.indent, line.end));
    return;
  }
  extend(state, line.index, line.end - line.start);
  if (block.kind === 'item') itemProperty(state, block.item, line, property);
  else scaleProperty(state, block.scale, block.extras, line, property);
}

function unknownProperty(state: State, line: Line, property: Property, where: Message): void {
  const key = keyOf(line.text, property);
  state.diagnostics.error(
    'syntax',
    msg("Unknown property '{0}' in {1}", key.slice(0, 40), where),
    lineRange(line, property.keyStart, property.keyEnd),
  );
}

function isPipe(text: string, property: Property): boolean {
  return property.valueEnd - property.valueStart === 1 && text.charCodeAt(property.valueStart) === 124;
}

/** A text value: inline, or a `|` block on the following lines. */
function readText(state: State, line: Line, property: Property, language = '', machineTranslated = false): TextEntry | undefined {
  if (isPipe(line.text, property)) {
    // The reader moves past the block: take the header's position first.
    const at = { line: line.index, character: property.valueStart - line.start };
    const block = readBlock(state.reader, line.indent - line.start);
    if (block.lastEnd < 0) {
      state.diagnostics.error(
        'syntax',
        msg("Empty '|' block: indent the text on the following lines"),
        range(at.line, at.character, at.line, at.character + 1),
      );
      return undefined;
    }
    extend(state, block.lastLine, block.lastEnd);
    return textEntry(block.value, language, machineTranslated, { start: at, end: { line: block.lastLine, character: block.lastEnd } });
  }
  if (property.valueStart === property.valueEnd) {
    state.diagnostics.error('syntax', msg("Missing text after ':'"), lineRange(line, property.keyStart, line.end));
    return undefined;
  }
  return textEntry(valueOf(line.text, property), language, machineTranslated, lineRange(line, property.valueStart, property.valueEnd));
}

function itemProperty(state: State, item: Item, line: Line, property: Property): void {
  const text = line.text;
  if (property.count === 1) {
    const keyword = wordIs(text, property, 0, 'category')
      ? 'category'
      : wordIs(text, property, 0, 'scale')
        ? 'scale'
        : wordIs(text, property, 0, 'key')
          ? 'key'
          : undefined;
    if (keyword) {
      if (property.valueStart === property.valueEnd) {
        state.diagnostics.error('syntax', msg("Missing value after '{0}:'", keyword), lineRange(line, property.keyStart, property.keyEnd));
        return;
      }
      const located = { value: valueOf(text, property), range: lineRange(line, property.valueStart, property.valueEnd) };
      // Plain property stores (not item[field]): this runs for most lines of a file.
      const taken = keyword === 'category' ? item.category : keyword === 'scale' ? item.scaleName : item.dataKey;
      if (taken)
        state.diagnostics.error(
          'duplicate-property',
          msg("'{0}' is already set for item {1}", keyword, item.id),
          lineRange(line, property.keyStart, property.keyEnd),
        );
      else if (keyword === 'category') item.category = located;
      else if (keyword === 'scale') {
        item.scaleName = located;
        // Usually the scale is declared above: resolve now; checkSurvey resolves the rest.
        const scale = state.scaleByName.get(located.value);
        if (scale) item.scale = scale;
      } else item.dataKey = located;
      if (keyword === 'scale' && /\s/.test(located.value))
        state.diagnostics.error('syntax', msg('A scale name is one word'), located.range);
      return;
    }
    if (wordIs(text, property, 0, 'note') || wordIs(text, property, 0, 'notes')) {
      const note = readText(state, line, property);
      if (note) {
        if (item.notes)
          item.notes = { value: `${item.notes.value}\n${note.value}`, range: { start: item.notes.range.start, end: note.range.end } };
        else item.notes = { value: note.value, range: note.range };
      }
      return;
    }
  }
  // Two-word keys: `topic en:`, and the stance statements a judge classifies against (`pro en:`, `con en:`).
  const twoWord =
    property.count !== 2
      ? undefined
      : wordIs(text, property, 0, 'topic')
        ? 'topic'
        : wordIs(text, property, 0, 'pro')
          ? 'pro'
          : wordIs(text, property, 0, 'con')
            ? 'con'
            : undefined;
  const isTopic = twoWord !== undefined;
  const tag = property.count === 1 ? wordTag(text, property, 0) : isTopic ? wordTag(text, property, 1) : undefined;
  if (!tag) {
    unknownProperty(state, line, property, msg('item {0}', item.id));
    return;
  }
  // Kept as numbers: the range is only built for a duplicate, and a `|` block moves the reader.
  const keyStart = property.keyStart - line.start;
  const keyEnd = property.keyEnd - line.start;
  const keyLine = line.index;
  const language = tag.language;
  const entry = readText(state, line, property, language, tag.machineTranslated);
  if (!entry) return;
  const target =
    twoWord === 'topic' ? item.topics : twoWord === 'pro' ? (item.pro ??= {}) : twoWord === 'con' ? (item.con ??= {}) : item.texts;
  const what =
    twoWord === 'topic'
      ? msg('a topic')
      : twoWord === 'pro'
        ? msg('a pro statement')
        : twoWord === 'con'
          ? msg('a con statement')
          : msg('wording');
  // Tags are 2–3 letter codes, never inherited names such as `constructor`: a plain read is safe.
  if (target[language] !== undefined) {
    state.diagnostics.error(
      'duplicate-property',
      msg("Item {0} already has {1} in '{2}'", item.id, what, language),
      range(keyLine, keyStart, keyLine, keyEnd),
      { language },
    );
  } else target[language] = entry;
}

function scaleProperty(state: State, scale: Scale, extras: ScaleExtras, line: Line, property: Property): void {
  const text = line.text;
  const keyRange = lineRange(line, property.keyStart, property.keyEnd);
  if (property.count <= 2 && wordIs(text, property, 0, 'missing')) {
    const tag = property.count === 2 ? wordTag(text, property, 1) : { language: 'en', machineTranslated: false };
    if (!tag) {
      unknownProperty(state, line, property, msg('scale {0}', scale.name));
      return;
    }
    readMissing(state, scale, tag.language, line, property);
    return;
  }
  const tag = property.count === 1 ? wordTag(text, property, 0) : undefined;
  if (!tag) {
    unknownProperty(state, line, property, msg('scale {0}', scale.name));
    return;
  }
  if (property.valueStart === property.valueEnd || isPipe(text, property)) {
    state.diagnostics.error(
      'syntax',
      msg("Scale labels go on the same line: 'a | b | c', or 'low .. high' for a numeric scale"),
      lineRange(line, property.keyStart, line.end),
    );
    return;
  }
  if (Object.prototype.hasOwnProperty.call(scale.labelLines, tag.language)) {
    state.diagnostics.error('duplicate-property', msg("Scale {0} already has labels in '{1}'", scale.name, tag.language), keyRange, {
      language: tag.language,
    });
    return;
  }
  const value = valueOf(text, property);
  let labels: string[];
  const ends = value.indexOf(' .. ');
  if (value.indexOf('|') < 0 && ends >= 0) {
    labels = [value.slice(0, ends).trim(), value.slice(ends + 4).trim()];
    extras.endForm.set(tag.language, true);
  } else labels = value.split('|').map((label) => label.trim());
  const at = lineRange(line, property.valueStart, property.valueEnd);
  const entry: TextEntry & { labels: string[] } = tag.machineTranslated
    ? { value, language: tag.language, range: at, machineTranslated: true, labels }
    : { value, language: tag.language, range: at, labels };
  scale.labelLines[tag.language] = entry;
  if (labels.some((label) => label.length === 0)) state.diagnostics.error('syntax', msg('Empty label'), entry.range);
}

/** `-1 "Don't know" | -2 "No answer"`; `|` inside quotes belongs to the label. */
function readMissing(state: State, scale: Scale, language: string, line: Line, property: Property): void {
  const text = line.text;
  let i = property.valueStart;
  const end = property.valueEnd;
  if (i >= end) {
    state.diagnostics.error(
      'syntax',
      msg("'missing' needs codes with labels, e.g. missing: -1 \"Don't know\""),
      lineRange(line, property.keyStart, line.end),
    );
    return;
  }
  while (i < end) {
    while (i < end && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
    const entryStart = i;
    // Find the end of this entry: the next `|` outside quotes.
    let j = i;
    let quoted = false;
    while (j < end) {
      const c = text.charCodeAt(j);
      if (c === 34) quoted = !quoted;
      else if (c === 124 && !quoted) break;
      j++;
    }
    let entryEnd = j;
    while (entryEnd > entryStart && (text.charCodeAt(entryEnd - 1) === 32 || text.charCodeAt(entryEnd - 1) === 9)) entryEnd--;
    addMissing(state, scale, language, line, entryStart, entryEnd);
    i = j + 1;
  }
}

function addMissing(state: State, scale: Scale, language: string, line: Line, start: number, end: number): void {
  const at = lineRange(line, start, end);
  const code = readInt(line.text, start, end);
  if (!code) {
    state.diagnostics.error(
      'syntax',
      msg('Expected a missing code and its label, e.g. -1 "Don\'t know"'),
      at.start.character === at.end.character ? lineRange(line, line.indent, line.end) : at,
    );
    return;
  }
  let labelStart = code.end;
  while (labelStart < end && (line.text.charCodeAt(labelStart) === 32 || line.text.charCodeAt(labelStart) === 9)) labelStart++;
  let label: string;
  if (line.text.charCodeAt(labelStart) === 34) {
    const quoted = readQuoted(line.text, labelStart, end);
    if (!quoted.closed) state.diagnostics.error('syntax', msg('Missing closing quote'), lineRange(line, labelStart, end));
    else if (quoted.end < end)
      state.diagnostics.error('syntax', msg('Unexpected text after the closing quote'), lineRange(line, quoted.end, end));
    label = quoted.value;
  } else label = line.text.slice(labelStart, end);
  if (label.length === 0) state.diagnostics.error('syntax', msg('Missing code {0} needs a label', code.value), at);
  if (scale.max >= scale.min && code.value >= scale.min && code.value <= scale.max) {
    state.diagnostics.error('syntax', msg("Missing code {0} lies inside the scale's range {1}..{2}", code.value, scale.min, scale.max), at);
    return;
  }
  const byCode = state.extras.get(scale)?.missingByCode;
  let missing: MissingCode | undefined = byCode?.get(code.value);
  if (!missing) {
    missing = { code: code.value, labels: {}, range: at };
    scale.missing.push(missing);
    byCode?.set(code.value, missing);
  }
  if (Object.prototype.hasOwnProperty.call(missing.labels, language)) {
    state.diagnostics.error('duplicate-property', msg("Missing code {0} already has a label in '{1}'", code.value, language), at, {
      language,
    });
  } else missing.labels[language] = label;
}
