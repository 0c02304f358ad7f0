// Shared helpers for the language tests: the text a range covers, diagnostics by code, range validity,
// CPU-time measurement.
import v8 from 'node:v8';
import vm from 'node:vm';
import type { Diagnostic, Range } from '../../../src/core/language/ast';

export function lines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

/** The document text a range covers (ranges may span lines). */
export function textAt(text: string, range: Range): string {
  const all = lines(text);
  if (range.start.line === range.end.line) return all[range.start.line].slice(range.start.character, range.end.character);
  const parts = [all[range.start.line].slice(range.start.character)];
  for (let l = range.start.line + 1; l < range.end.line; l++) parts.push(all[l]);
  parts.push(all[range.end.line].slice(0, range.end.character));
  return parts.join('\n');
}

export function withCode(diagnostics: Diagnostic[], code: string): Diagnostic[] {
  return diagnostics.filter((d) => d.code === code);
}

export function codes(diagnostics: Diagnostic[]): string[] {
  return diagnostics.map((d) => d.code);
}

/** Why a range is not a valid range of the document, or undefined when it is. */
export function invalidRange(range: Range, lineLengths: number[]): string | undefined {
  const { start, end } = range;
  for (const p of [start, end]) {
    if (!Number.isInteger(p.line) || !Number.isInteger(p.character)) return `non-integer position ${JSON.stringify(p)}`;
    if (p.line < 0 || p.line >= lineLengths.length) return `line ${p.line} outside 0..${lineLengths.length - 1}`;
    if (p.character < 0 || p.character > lineLengths[p.line])
      return `character ${p.character} outside line ${p.line} (length ${lineLengths[p.line]})`;
  }
  if (end.line < start.line || (end.line === start.line && end.character < start.character))
    return `end before start ${JSON.stringify(range)}`;
  return undefined;
}

/** Every `range`/`…Range` object reachable from a parse result. */
export function collectRanges(value: unknown, out: Range[] = [], seen = new Set<unknown>()): Range[] {
  if (value === null || typeof value !== 'object' || seen.has(value)) return out;
  seen.add(value);
  const record = value as Record<string, unknown>;
  if ('start' in record && 'end' in record && typeof record.start === 'object' && typeof record.end === 'object') {
    out.push(record as unknown as Range);
    return out;
  }
  for (const child of Object.values(record)) collectRanges(child, out, seen);
  return out;
}

// Collect garbage before each timed run, so one run does not pay for the previous one's garbage.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** CPU milliseconds used by this process so far: unlike wall time, not inflated by other processes. */
export function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** The fastest of a few runs, in CPU milliseconds. */
export function fastest(fn: () => unknown, runs = 5): number {
  let best = Infinity;
  for (let k = 0; k < runs; k++) {
    gc();
    const t0 = cpuMs();
    fn();
    best = Math.min(best, cpuMs() - t0);
  }
  return best;
}
