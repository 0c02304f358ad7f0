// Line scanning shared by both parsers: splitting, indentation, comments, property keys, quoted strings,
// `|` blocks. Everything works on char codes in one pass per line so that parse time stays linear.
import type { Diagnostic, Position, Range, Severity } from './ast';

const SPACE = 32;
const TAB = 9;
const HASH = 35;
const QUOTE = 34;
const COLON = 58;
const BACKSLASH = 92;

/** One source line with its indentation and the end of its content (comment and trailing blanks cut). */
export interface Line {
  index: number;
  text: string;
  indent: number;
  /** Exclusive end of the content; equals `indent` for blank and comment-only lines. */
  end: number;
}

export function splitLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

function isBlank(code: number): boolean {
  return code === SPACE || code === TAB;
}

/**
 * Scans one line. `#` starts a comment at the start of the content, or when it follows whitespace and is
 * followed by whitespace or the line end, outside double quotes (so `#1` or `C#` in wording stay text).
 */
export function scanLine(text: string, index: number): Line {
  const length = text.length;
  let indent = 0;
  while (indent < length && isBlank(text.charCodeAt(indent))) indent++;
  if (indent === length || text.charCodeAt(indent) === HASH) return { index, text, indent, end: indent };
  let end = length;
  let quoted = false;
  for (let i = indent; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) quoted = !quoted;
    else if (c === HASH && !quoted && isBlank(text.charCodeAt(i - 1)) && (i + 1 === length || isBlank(text.charCodeAt(i + 1)))) {
      end = i;
      break;
    }
  }
  while (end > indent && isBlank(text.charCodeAt(end - 1))) end--;
  return { index, text, indent, end };
}

/** The line's content (without indentation and comment). */
export function content(line: Line): string {
  return line.text.slice(line.indent, line.end);
}

export function range(startLine: number, startChar: number, endLine: number, endChar: number): Range {
  return { start: { line: startLine, character: startChar }, end: { line: endLine, character: endChar } };
}

export function lineRange(line: Line, from: number, to: number): Range {
  return range(line.index, from, line.index, to);
}

export function position(line: number, character: number): Position {
  return { line, character };
}

/** Collects diagnostics with the language prefix (`wvs/…`, `wvt/…`). */
export class Diagnostics {
  readonly list: Diagnostic[] = [];
  constructor(private readonly prefix: string) {}

  add(severity: Severity, code: string, message: string, at: Range, data?: Record<string, unknown>): void {
    const diagnostic: Diagnostic = { range: at, severity, code: `${this.prefix}/${code}`, message };
    if (data) diagnostic.data = data;
    this.list.push(diagnostic);
  }

  error(code: string, message: string, at: Range, data?: Record<string, unknown>): void {
    this.add('error', code, message, at, data);
  }

  warning(code: string, message: string, at: Range, data?: Record<string, unknown>): void {
    this.add('warning', code, message, at, data);
  }
}

/** The first word of the content: [start, end) in line characters. */
export function firstWord(line: Line): { word: string; end: number } {
  let i = line.indent;
  while (i < line.end && !isBlank(line.text.charCodeAt(i)) && line.text.charCodeAt(i) !== COLON) i++;
  return { word: line.text.slice(line.indent, i), end: i };
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
  /** False when the closing quote is missing (the value runs to the end of the content). */
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

const TAG = /^([a-z]{2,3}(?:-[A-Za-z0-9]{1,8})?)(\[mt\])?$/;

/** Parses a language tag such as `da` or `da[mt]`. */
export function parseTag(word: string): { language: string; machineTranslated: boolean } | undefined {
  if (word.length > 20) return undefined;
  const match = TAG.exec(word);
  return match ? { language: match[1], machineTranslated: match[2] !== undefined } : undefined;
}

export function isLanguageCode(word: string): boolean {
  const tag = parseTag(word);
  return tag !== undefined && !tag.machineTranslated;
}

/** A property line `KEY: VALUE`: the key words and where the value starts. */
export interface Property {
  /** Words of the key (`topic`, `da[mt]`), at most three. */
  words: string[];
  keyStart: number;
  keyEnd: number;
  /** Value start (after the colon and blanks) and end in line characters. */
  valueStart: number;
  valueEnd: number;
  value: string;
}

/** Reads `KEY: VALUE` where KEY is one to three short words; undefined when the line is not a property. */
export function readProperty(line: Line): Property | undefined {
  const text = line.text;
  const limit = Math.min(line.end, line.indent + 48);
  let colon = -1;
  for (let i = line.indent; i < limit; i++) {
    const c = text.charCodeAt(i);
    if (c === COLON) {
      colon = i;
      break;
    }
    if (c === QUOTE) return undefined;
  }
  if (colon <= line.indent) return undefined;
  const key = text.slice(line.indent, colon);
  const words = key.split(/[ \t]+/).filter((w) => w.length > 0);
  if (words.length === 0 || words.length > 3) return undefined;
  const valueStart = skipBlanks(text, colon + 1, line.end);
  return {
    words,
    keyStart: line.indent,
    keyEnd: colon,
    valueStart,
    valueEnd: line.end,
    value: text.slice(valueStart, line.end),
  };
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
  /** Index of the last line that belongs to the block (its last content line), or the header line. */
  lastLine: number;
  /** End character of the last content line. */
  lastEnd: number;
  /** Index of the next line to read. */
  next: number;
}

/**
 * Reads a `|` block after the header line `headerIndex` whose property sits at indentation `parentIndent`:
 * the following lines indented deeper (blank lines included), common indentation removed, trailing blank
 * lines dropped. Content is verbatim: `#` inside a block is text.
 */
export function readBlock(lines: string[], headerIndex: number, parentIndent: number): Block {
  let i = headerIndex + 1;
  let lastContent = -1;
  let common = Number.MAX_SAFE_INTEGER;
  const count = lines.length;
  for (; i < count; i++) {
    const text = lines[i];
    let indent = 0;
    while (indent < text.length && isBlank(text.charCodeAt(indent))) indent++;
    if (indent === text.length) continue;
    if (indent <= parentIndent) break;
    lastContent = i;
    if (indent < common) common = indent;
  }
  if (lastContent < 0) return { value: '', segments: [], lastLine: headerIndex, lastEnd: -1, next: headerIndex + 1 };
  const segments: Segment[] = [];
  const parts: string[] = [];
  let offset = 0;
  let lastEnd = 0;
  for (let j = headerIndex + 1; j <= lastContent; j++) {
    const text = lines[j];
    let end = text.length;
    while (end > 0 && isBlank(text.charCodeAt(end - 1))) end--;
    const start = Math.min(common, end);
    const piece = text.slice(start, end);
    if (j > headerIndex + 1) offset += 1; // the joining newline
    segments.push({ offset, line: j, character: start, length: piece.length });
    parts.push(piece);
    offset += piece.length;
    lastEnd = end;
  }
  return { value: parts.join('\n'), segments, lastLine: lastContent, lastEnd, next: lastContent + 1 };
}

/** Maps an offset in a value to a document position using its segments. */
export function positionAt(segments: Segment[], offset: number): Position {
  let segment = segments[0];
  if (!segment) return position(0, 0);
  // Binary search: blocks can be long.
  let lo = 0;
  let hi = segments.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (segments[mid].offset <= offset) lo = mid;
    else hi = mid - 1;
  }
  segment = segments[lo];
  const within = Math.max(0, Math.min(offset - segment.offset, segment.length));
  return position(segment.line, segment.character + within);
}

export function rangeIn(segments: Segment[], offset: number, length: number): Range {
  return { start: positionAt(segments, offset), end: positionAt(segments, offset + length) };
}
