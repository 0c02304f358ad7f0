// Small helpers over the AST's 0-based ranges, shared by the language services.
import type { Position, Range } from '../ast';

export function comparePositions(a: Position, b: Position): number {
  return a.line !== b.line ? a.line - b.line : a.character - b.character;
}

export function containsPosition(range: Range, position: Position): boolean {
  return comparePositions(range.start, position) <= 0 && comparePositions(position, range.end) <= 0;
}

export function containsRange(outer: Range, inner: Range): boolean {
  return containsPosition(outer, inner.start) && containsPosition(outer, inner.end);
}

/** The last line that really belongs to a block: a range ending at column 0 stops on the line before. */
export function lastLine(range: Range): number {
  return range.end.character === 0 && range.end.line > range.start.line ? range.end.line - 1 : range.end.line;
}
