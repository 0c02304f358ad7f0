// Line scanning shared by both parsers: line breaks, indentation, comments, property keys, quoted strings,
// `|` blocks. Offsets are absolute in the document and found with indexOf where possible, so parsing is
// one linear pass that allocates no per-line strings.
import type { Diagnostic, Located, Position, Range, Severity, TextEntry } from './ast';
import { msg, renderMessage, type Message } from '../message';

const SPACE = 32;
const TAB = 9;
const HASH = 35;
const QUOTE = 34;
const COLON = 58;
const BACKSLASH = 92;

/**
 * Languages checked per file. Real surveys have a handful; the cap keeps "each item × each declared language"
 * checks linear in the size of any input.
 */
export const MAX_LANGUAGES = 64;

/** Invalid (or repeated) names reported one by one in one header line; the rest are counted in one diagnostic. */
const MAX_INVALID_NAMES = 10;

function isBlank(code: number): boolean {
  return code === SPACE || code === TAB;
}

/**
 * The current line of a `LineReader`. Offsets are absolute in `text` (the whole document). The same object
 * is reused for every line: functions may read it but must not keep it.
 */
export interface Line {
  /** The whole document. */
  readonly text: string;
  /** 0-based line number. */
  index: number;
  /** Offset of the first character of the line. */
  start: number;
  /** Offset of the first non-blank character (equals `end` for blank and comment-only lines). */
  indent: number;
  /** Exclusive end of the content: comment and trailing blanks cut. */
  end: number;
  /** Exclusive end of the line, before its line break. */
  lineEnd: number;
}

export class LineReader implements Line {
  readonly text: string;
  index = -1;
  start = 0;
  indent = 0;
  end = 0;
  lineEnd = 0;
  /** Offset where the next line starts (text.length + 1 after the last line). */
  private next = 0;
  /** The next `#` at or after the current content, -1 when none is left, -2 when not yet searched. */
  private hash = -2;

  constructor(text: string) {
    // VS Code also breaks lines at a lone CR; turning it into LF keeps every offset the same.
    this.text = text.indexOf('\r') >= 0 ? text.replace(/\r(?!\n)/g, '\n') : text;
    // A byte-order mark (files read from disk) is not part of the first line, as in VS Code's documents.
    if (text.charCodeAt(0) === 0xfeff) this.next = 1;
  }

  /** Moves to the next line; false after the last one. */
  advance(): boolean {
    const text = this.text;
    if (this.next > text.length) return false;
    const start = this.next;
    let newline = text.indexOf('\n', start);
    if (newline < 0) newline = text.length;
    this.next = newline + 1;
    let lineEnd = newline;
    if (lineEnd > start && text.charCodeAt(lineEnd - 1) === 13) lineEnd--;
    this.index++;
    this.start = start;
    this.lineEnd = lineEnd;
    let indent = start;
    while (indent < lineEnd && isBlank(text.charCodeAt(indent))) indent++;
    this.indent = indent;
    if (indent === lineEnd || text.charCodeAt(indent) === HASH) {
      this.end = indent;
      return true;
    }
    if (this.hash !== -1 && this.hash < indent) this.hash = text.indexOf('#', indent);
    let end = lineEnd;
    if (this.hash >= 0 && this.hash < lineEnd) end = commentStart(text, indent, lineEnd);
    while (end > indent && isBlank(text.charCodeAt(end - 1))) end--;
    this.end = end;
    return true;
  }

  /** Repositions so that the next `advance` reads the line that starts at `offset` and has number `index`. */
  seek(offset: number, index: number): void {
    this.next = offset;
    this.index = index - 1;
    this.hash = -2;
  }

  /** Offset where the line after the current one starts. */
  get nextStart(): number {
    return this.next;
  }
}

/**
 * `#` starts a comment at the start of the content, or when it follows whitespace and is followed by
 * whitespace or the line end, outside double quotes (so `#1` or `C#` in wording stay text).
 */
function commentStart(text: string, from: number, to: number): number {
  let quoted = false;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) quoted = !quoted;
    else if (c === HASH && !quoted && isBlank(text.charCodeAt(i - 1)) && (i + 1 === to || isBlank(text.charCodeAt(i + 1)))) return i;
  }
  return to;
}

/**
 * Runs a parser so that it never throws: a parser bug must not take the editor down, so it becomes a file
 * with one `internal` error diagnostic instead (the fuzz tests assert this branch is never reached).
 */
export function neverThrow<T>(parse: (text: string) => T, text: string, failed: (diagnostic: Diagnostic) => T, code: string): T {
  try {
    return parse(typeof text === 'string' ? text : String(text));
  } catch (error) {
    return failed({ range: range(0, 0, 0, 0), severity: 'error', code, message: `Parser failure: ${String(error)}` });
  }
}

export function range(startLine: number, startChar: number, endLine: number, endChar: number): Range {
  return { start: { line: startLine, character: startChar }, end: { line: endLine, character: endChar } };
}

/** A range on the current line, from absolute offsets. */
export function lineRange(line: Line, from: number, to: number): Range {
  return range(line.index, from - line.start, line.index, to - line.start);
}

export function position(line: number, character: number): Position {
  return { line, character };
}

/** A text entry in its final shape: `machineTranslated` only when set, so objects never change shape later. */
export function textEntry(value: string, language: string, machineTranslated: boolean, at: Range): TextEntry {
  return machineTranslated ? { value, language, range: at, machineTranslated: true } : { value, language, range: at };
}

/** Collects diagnostics with the language prefix (`wvs/…`, `wvt/…`). */
export class Diagnostics {
  readonly list: Diagnostic[] = [];
  constructor(private readonly prefix: string) {}

  add(severity: Severity, code: string, message: Message, at: Range, data?: Record<string, unknown>): void {
    const diagnostic: Diagnostic = { range: at, severity, code: `${this.prefix}/${code}`, message: renderMessage(message), text: message };
    if (data) diagnostic.data = data;
    this.list.push(diagnostic);
  }

  error(code: string, message: Message, at: Range, data?: Record<string, unknown>): void {
    this.add('error', code, message, at, data);
  }

  warning(code: string, message: Message, at: Range, data?: Record<string, unknown>): void {
    this.add('warning', code, message, at, data);
  }
}

/** How one header line of names (`languages …`, `slots …`) is judged and reported. */
export interface NameListRules {
  /** Said when the line names nothing; `emptyFrom` is where that range starts on the line. */
  empty: Message;
  emptyFrom: number;
  isValid(name: string): boolean;
  invalid(name: string): Message;
  tooMany: Message;
  duplicate(name: string): Message;
}

/**
 * Reads the blank-separated names after a header keyword into `into`: invalid names are errors, names past
 * MAX_LANGUAGES are errors (the cap keeps later checks linear), repeated names are warnings.
 */
export function readNameList(line: Line, from: number, into: Located<string>[], diagnostics: Diagnostics, rules: NameListRules): void {
  let token = nextToken(line, from);
  if (!token) diagnostics.error('syntax', rules.empty, lineRange(line, rules.emptyFrom, line.end));
  const seen = new Set(into.map((entry) => entry.value));
  let invalid = 0;
  let moreInvalidFrom: number | undefined;
  let duplicates = 0;
  let moreDuplicatesFrom: number | undefined;
  const reportMoreInvalid = (): void => {
    if (moreInvalidFrom !== undefined)
      diagnostics.error(
        'syntax',
        msg('{0} more invalid name(s) on this line', invalid - MAX_INVALID_NAMES),
        lineRange(line, moreInvalidFrom, line.end),
      );
    if (moreDuplicatesFrom !== undefined)
      diagnostics.warning(
        'duplicate-property',
        msg('{0} more repeated name(s) on this line', duplicates - MAX_INVALID_NAMES),
        lineRange(line, moreDuplicatesFrom, line.end),
      );
  };
  while (token) {
    const at = lineRange(line, token.start, token.end);
    if (seen.size >= MAX_LANGUAGES) {
      // One error for the whole overflow (a 100,000-name header must not print 100,000 lines).
      let more = 0;
      for (let rest: typeof token | undefined = token; rest; rest = nextToken(line, rest.end)) more++;
      reportMoreInvalid();
      diagnostics.error(
        'syntax',
        msg('{0}; {1} more name(s) from here on are ignored', rules.tooMany, more),
        lineRange(line, token.start, line.end),
      );
      return;
    }
    if (!rules.isValid(token.value)) {
      // Ten are reported one by one; the rest of a garbage line is one error with the count.
      if (++invalid <= MAX_INVALID_NAMES) diagnostics.error('syntax', rules.invalid(token.value.slice(0, 40)), at);
      else moreInvalidFrom ??= token.start;
    } else if (seen.has(token.value)) {
      if (++duplicates <= MAX_INVALID_NAMES) diagnostics.warning('duplicate-property', rules.duplicate(token.value), at);
      else moreDuplicatesFrom ??= token.start;
    } else {
      seen.add(token.value);
      into.push({ value: token.value, range: at });
    }
    token = nextToken(line, token.end);
  }
  reportMoreInvalid();
}

/** Rules for a `languages` line; `example` ends the message given when no code follows. */
export function languageListRules(emptyFrom: number, example?: string): NameListRules {
  return {
    empty: example
      ? msg("'languages' needs at least one language code, e.g. {0}", example)
      : msg("'languages' needs at least one language code"),
    emptyFrom,
    isValid: isLanguageCode,
    invalid: (name) => msg("'{0}' is not a language code (ISO 639-1, e.g. en, da)", name),
    tooMany: msg('At most {0} languages are supported', MAX_LANGUAGES),
    duplicate: (name) => msg("Language '{0}' is listed twice", name),
  };
}

/** The first word of the content (up to a blank or a colon). */
export function firstWord(line: Line): string {
  const text = line.text;
  let i = line.indent;
  const limit = Math.min(line.end, i + 16);
  while (i < limit) {
    const c = text.charCodeAt(i);
    if (isBlank(c) || c === COLON) break;
    i++;
  }
  return text.slice(line.indent, i);
}

export function skipBlanks(text: string, from: number, to: number): number {
  while (from < to && isBlank(text.charCodeAt(from))) from++;
  return from;
}

/** A whitespace-separated token starting at `from` (after blanks). */
export function nextToken(line: Line, from: number): { value: string; start: number; end: number } | undefined {
  const start = skipBlanks(line.text, from, line.end);
  if (start >= line.end) return undefined;
  let end = start;
  while (end < line.end && !isBlank(line.text.charCodeAt(end))) end++;
  return { value: line.text.slice(start, end), start, end };
}

export interface Quoted {
  value: string;
  start: number;
  end: number;
  /** False when the closing quote is missing (the value runs to `to`). */
  closed: boolean;
}

/** A `"…"` string starting at `from` (which must be a quote); `\"` and `\\` escape. */
export function readQuoted(text: string, from: number, to: number): Quoted {
  let value = '';
  let chunk = from + 1;
  for (let i = from + 1; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH && i + 1 < to) {
      value += text.slice(chunk, i);
      chunk = i + 1;
      i++;
    } else if (c === QUOTE) {
      value += text.slice(chunk, i);
      return { value, start: from, end: i + 1, closed: true };
    }
  }
  value += text.slice(chunk, to);
  return { value, start: from, end: to, closed: false };
}

function isLower(c: number): boolean {
  return c >= 97 && c <= 122;
}

function isAlnum(c: number): boolean {
  return isLower(c) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57);
}

/** Recently seen language codes, so tags on every line reuse one string instead of slicing a new one. */
const interned: string[] = [];

function intern(text: string, start: number, end: number): string {
  const length = end - start;
  for (let k = 0; k < interned.length; k++) {
    const known = interned[k];
    if (known.length === length && text.startsWith(known, start)) return known;
  }
  const value = text.slice(start, end);
  if (interned.length >= 32) interned.shift();
  interned.push(value);
  return value;
}

export interface Tag {
  language: string;
  machineTranslated: boolean;
}

/**
 * Parses a language tag such as `da`, `pt-BR` or `da[mt]` in text[start, end): 2–3 lowercase letters, an
 * optional `-REGION`, an optional `[mt]` (machine translated, not reviewed). Hand-rolled (it runs on every
 * property line); the result is the caller's to keep.
 */
export function tagAt(text: string, start: number, end: number): Tag | undefined {
  const length = end - start;
  if (length < 2 || length > 20) return undefined;
  let i = start;
  while (i < end && i - start < 4 && isLower(text.charCodeAt(i))) i++;
  if (i - start < 2 || i - start > 3) return undefined;
  if (i < end && text.charCodeAt(i) === 45) {
    const region = i + 1;
    i = region;
    while (i < end && isAlnum(text.charCodeAt(i))) i++;
    if (i === region || i - region > 8) return undefined;
  }
  if (i === end) return { language: intern(text, start, end), machineTranslated: false };
  if (end - i === 4 && text.startsWith('[mt]', i)) return { language: intern(text, start, i), machineTranslated: true };
  return undefined;
}

/** `tagAt` on a whole word. */
export function parseTag(word: string): Tag | undefined {
  return tagAt(word, 0, word.length);
}

export function isLanguageCode(word: string): boolean {
  const tag = parseTag(word);
  return tag !== undefined && !tag.machineTranslated;
}

/**
 * A property line `KEY: VALUE` with a key of one to three words, as offsets (no strings are cut until a
 * caller needs them). Word k spans [starts[k], ends[k]).
 */
export interface Property {
  count: number;
  starts: [number, number, number];
  ends: [number, number, number];
  keyStart: number;
  keyEnd: number;
  /** Value start (after the colon and blanks) and end, absolute offsets. */
  valueStart: number;
  valueEnd: number;
}

/** Reads `KEY: VALUE`; undefined when the line is not a property. The result is the caller's to keep. */
export function readProperty(line: Line): Property | undefined {
  const text = line.text;
  const limit = Math.min(line.end, line.indent + 48);
  const starts: [number, number, number] = [0, 0, 0];
  const ends: [number, number, number] = [0, 0, 0];
  let count = 0;
  let wordStart = -1;
  let colon = -1;
  for (let i = line.indent; i < limit; i++) {
    const c = text.charCodeAt(i);
    if (c === COLON || isBlank(c)) {
      if (wordStart >= 0) {
        if (count === 3) return undefined;
        starts[count] = wordStart;
        ends[count] = i;
        count++;
        wordStart = -1;
      }
      if (c === COLON) {
        colon = i;
        break;
      }
    } else if (c === QUOTE) return undefined;
    else if (wordStart < 0) wordStart = i;
  }
  if (colon < 0 || count === 0) return undefined;
  return {
    count,
    starts,
    ends,
    keyStart: line.indent,
    keyEnd: colon,
    valueStart: skipBlanks(text, colon + 1, line.end),
    valueEnd: line.end,
  };
}

/** Whether word k of the property is exactly `keyword`. */
export function wordIs(text: string, property: Property, k: number, keyword: string): boolean {
  return property.ends[k] - property.starts[k] === keyword.length && text.startsWith(keyword, property.starts[k]);
}

export function wordTag(text: string, property: Property, k: number): Tag | undefined {
  return tagAt(text, property.starts[k], property.ends[k]);
}

export function valueOf(text: string, property: Property): string {
  return text.slice(property.valueStart, property.valueEnd);
}

export function keyOf(text: string, property: Property): string {
  return text.slice(property.keyStart, property.keyEnd);
}

/** Where each line of a multi-line value lives in the document, to map value offsets back to positions. */
export interface Segment {
  /** Offset in the value where this piece starts. */
  offset: number;
  line: number;
  character: number;
  length: number;
}

export interface Block {
  value: string;
  segments: Segment[];
  /** Number of the block's last content line (the header line when the block is empty). */
  lastLine: number;
  /** End character of the last content line; -1 when the block is empty. */
  lastEnd: number;
}

/**
 * Reads a `|` block after the reader's current line, whose property sits at indentation width
 * `parentIndent`: the following lines indented deeper (blank lines included), common indentation removed,
 * trailing blank lines dropped. Content is verbatim: `#` inside a block is text. Leaves the reader on the
 * block's last line.
 */
export function readBlock(reader: LineReader, parentIndent: number): Block {
  const text = reader.text;
  const headerLine = reader.index;
  let offset = reader.nextStart;
  let lineNumber = headerLine + 1;
  let common = Number.MAX_SAFE_INTEGER;
  // First pass: find the last content line and the common indentation.
  let lastNumber = -1;
  let afterLast = offset;
  while (offset <= text.length) {
    let newline = text.indexOf('\n', offset);
    if (newline < 0) newline = text.length;
    let lineEnd = newline;
    if (lineEnd > offset && text.charCodeAt(lineEnd - 1) === 13) lineEnd--;
    let indent = offset;
    while (indent < lineEnd && isBlank(text.charCodeAt(indent))) indent++;
    if (indent < lineEnd) {
      if (indent - offset <= parentIndent) break;
      if (indent - offset < common) common = indent - offset;
      lastNumber = lineNumber;
      afterLast = newline + 1;
    }
    offset = newline + 1;
    lineNumber++;
  }
  if (lastNumber < 0) return { value: '', segments: [], lastLine: headerLine, lastEnd: -1 };
  const segments: Segment[] = [];
  const parts: string[] = [];
  let valueOffset = 0;
  let lastEnd = 0;
  offset = reader.nextStart;
  for (let n = headerLine + 1; n <= lastNumber; n++) {
    let newline = text.indexOf('\n', offset);
    if (newline < 0) newline = text.length;
    let end = newline;
    while (end > offset && (isBlank(text.charCodeAt(end - 1)) || text.charCodeAt(end - 1) === 13)) end--;
    const start = Math.min(offset + common, end);
    const piece = text.slice(start, end);
    if (n > headerLine + 1) valueOffset += 1; // the joining newline
    segments.push({ offset: valueOffset, line: n, character: start - offset, length: piece.length });
    parts.push(piece);
    valueOffset += piece.length;
    lastEnd = end - offset;
    offset = newline + 1;
  }
  // Continue after the block: the next advance reads the line after the last content line.
  reader.seek(afterLast, lastNumber + 1);
  return { value: parts.join('\n'), segments, lastLine: lastNumber, lastEnd };
}

/** Maps an offset in a value to a document position using its segments. */
export function positionAt(segments: Segment[], offset: number): Position {
  if (segments.length === 0) return position(0, 0);
  let lo = 0;
  let hi = segments.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (segments[mid].offset <= offset) lo = mid;
    else hi = mid - 1;
  }
  const segment = segments[lo];
  const within = Math.max(0, Math.min(offset - segment.offset, segment.length));
  return position(segment.line, segment.character + within);
}

export function rangeIn(segments: Segment[], offset: number, length: number): Range {
  return { start: positionAt(segments, offset), end: positionAt(segments, offset + length) };
}
