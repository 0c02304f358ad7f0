// CSV export that is safe to open in a spreadsheet. Cells from items, human data and model output are
// untrusted: a cell starting with = + - @ (or tab / CR) would be run as a formula (OWASP "CSV injection"),
// so such cells get a leading apostrophe. Plain numbers such as -1.5 or +2 are left alone: they cannot
// carry a formula and researchers need them to stay numeric.

const PLAIN_NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const DANGEROUS_START = /^[=+\-@\t\r]/;

/** Prefixes a cell with `'` when a spreadsheet would read it as a formula. */
export function neutraliseCell(cell: string): string {
  if (DANGEROUS_START.test(cell) && !PLAIN_NUMBER.test(cell)) return `'${cell}`;
  return cell;
}

function quote(cell: string, delimiter: string): string {
  if (cell.includes('"') || cell.includes(delimiter) || /[\r\n]/.test(cell) || /^\s|\s$/.test(cell)) {
    return `"${cell.replace(/"/g, '""')}"`;
  }
  return cell;
}

/**
 * Serialises rows as RFC 4180 CSV (CRLF line ends, double-quote escaping), neutralising formula cells.
 * `delimiter` may be ';' for spreadsheets in comma-decimal locales.
 */
export function toCsv(rows: string[][], options: { delimiter?: ',' | ';' | '\t' } = {}): string {
  const d = options.delimiter ?? ',';
  return rows.map((row) => row.map((cell) => quote(neutraliseCell(String(cell)), d)).join(d)).join('\r\n') + (rows.length ? '\r\n' : '');
}
