// Reads a delimited text table with PapaParse and keeps each row's 1-based source line, so a bad row can
// be reported where the user will find it in an editor (quoted newlines make rows ≠ lines).
import Papa from 'papaparse';
import { decodeText, type TextEncodingName } from './decode';
import { guessDecimalMark, type DecimalMark } from './numbers';

export interface Problem {
  /** 1-based line in the source text where the row starts (0 for file-level problems). */
  line: number;
  message: string;
}

export interface TableRow {
  line: number;
  cells: string[];
}

export interface Table {
  header: string[];
  rows: TableRow[];
  delimiter: string;
  decimalMark: DecimalMark;
  encoding: TextEncodingName;
  problems: Problem[];
}

const CANDIDATES = [',', ';', '\t', '|'];

/** Picks the delimiter that occurs most often (outside quotes) in the header line; ',' on a tie. */
export function detectDelimiter(text: string): string {
  let line = '';
  let inQuotes = false;
  const counts = new Map<string, number>(CANDIDATES.map((c) => [c, 0]));
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') inQuotes = !inQuotes;
    else if (!inQuotes && ch === '\n') {
      if (line.trim() !== '') break;
      line = '';
      continue;
    } else if (!inQuotes && counts.has(ch)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    line += ch;
  }
  let best = ',';
  for (const c of CANDIDATES) if ((counts.get(c) ?? 0) > (counts.get(best) ?? 0)) best = c;
  return best;
}

/** Caps the problem list: a 100,000-row file with one systematic fault must not make 100,000 messages. */
export const MAX_PROBLEMS = 200;

export function pushProblem(problems: Problem[], problem: Problem, suppressed: { count: number }): void {
  if (problems.length < MAX_PROBLEMS) problems.push(problem);
  else suppressed.count++;
}

export function readTable(input: string | Uint8Array, options: { delimiter?: string } = {}): Table {
  const decoded = decodeText(input);
  // One newline convention, so PapaParse does not pick "\r\n" from line 1 and miss bare "\n" later.
  const text = decoded.text.replace(/\r\n?/g, '\n');
  const delimiter = options.delimiter ?? detectDelimiter(text);
  const problems: Problem[] = [];
  const suppressed = { count: 0 };
  const raw: TableRow[] = [];
  let lineAt = 1; // line number at offset `scanned`
  let scanned = 0;
  let nextStart = 0;
  const lineOf = (offset: number): number => {
    for (let i = scanned; i < offset; i++) if (text.charCodeAt(i) === 10) lineAt++;
    scanned = Math.max(scanned, offset);
    return lineAt;
  };
  Papa.parse<string[]>(text, {
    delimiter,
    newline: '\n',
    header: false,
    dynamicTyping: false,
    skipEmptyLines: false,
    step(result) {
      const start = nextStart;
      const line = lineOf(start);
      nextStart = result.meta.cursor + 1;
      const cells = result.data;
      for (const err of result.errors) {
        pushProblem(problems, { line, message: `CSV ${err.code}: ${err.message}` }, suppressed);
      }
      if (result.errors.length) return;
      if (cells.every((c) => c.trim() === '')) return; // blank lines (also "; ; ;" left by Excel)
      raw.push({ line, cells });
    },
  });
  const headerRow = raw.shift();
  const header = (headerRow?.cells ?? []).map((h) => h.trim());
  // Excel pads with trailing empty header cells; drop them so "ragged" checks look at real columns.
  while (header.length && header[header.length - 1] === '') header.pop();
  const sample: string[] = [];
  for (const row of raw.slice(0, 200)) sample.push(...row.cells);
  const decimalMark = guessDecimalMark(sample, delimiter);
  const rows: TableRow[] = [];
  for (const row of raw) {
    const extra = row.cells.slice(header.length).filter((c) => c.trim() !== '');
    if (extra.length) {
      pushProblem(
        problems,
        {
          line: row.line,
          message: `row has ${row.cells.length} cells but the header has ${header.length} (an unquoted "${delimiter}" inside a value?)`,
        },
        suppressed,
      );
      continue;
    }
    // Short (ragged) rows are padded: the missing trailing cells are empty.
    const cells = row.cells.slice(0, header.length);
    while (cells.length < header.length) cells.push('');
    rows.push({ line: row.line, cells });
  }
  for (const line of (decoded.windows1252Lines ?? []).slice(0, 20)) {
    pushProblem(
      problems,
      { line, message: 'this line is not valid UTF-8 (the rest of the file is); it was read as Windows-1252' },
      suppressed,
    );
  }
  if ((decoded.windows1252Lines?.length ?? 0) > 20)
    problems.push({ line: 0, message: `${decoded.windows1252Lines!.length} lines in all were read as Windows-1252` });
  if (!headerRow) problems.push({ line: 0, message: 'the file has no header row' });
  if (suppressed.count) problems.push({ line: 0, message: `${suppressed.count} further problems not listed` });
  return { header, rows, delimiter, decimalMark, encoding: decoded.encoding, problems };
}
