// Locale-aware number parsing. PapaParse's dynamicTyping ignores decimal commas and turns strings like
// `713752e1` into numbers, so cells stay strings until a column is known to be numeric and are parsed here.

export type DecimalMark = '.' | ',';

const PLAIN = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
// Thousands groups: `1.234.567,5` (comma decimal) or `1,234,567.5` (point decimal); also spaces.
const GROUPED_COMMA = /^[+-]?\d{1,3}(?:[. \u00a0\u202f]\d{3})+(?:,\d+)?$/;
const GROUPED_POINT = /^[+-]?\d{1,3}(?:[, \u00a0\u202f]\d{3})+(?:\.\d+)?$/;

/**
 * Parses a number written with the given decimal mark; returns undefined for anything that is not a
 * number (empty cells included). With mark ',' a lone '.' followed by three digits is a thousands
 * separator (`1.234` = 1234), as a Danish, Dutch or Portuguese spreadsheet means it.
 */
export function parseLocaleNumber(raw: string, mark: DecimalMark): number | undefined {
  let s = raw.trim().replace(/^\u2212/, '-'); // U+2212 minus sign, as some exports write it
  if (s === '') return undefined;
  if (mark === ',') {
    if (GROUPED_COMMA.test(s)) s = s.replace(/[. \u00a0\u202f]/g, '');
    else if (s.includes('.') && s.includes(',')) return undefined;
    s = s.replace(',', '.');
  } else if (GROUPED_POINT.test(s)) {
    s = s.replace(/[, \u00a0\u202f]/g, '');
  }
  if (!PLAIN.test(s)) return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

/** Guesses the decimal mark from sample cells: a comma between digits and no point-decimal wins ','. */
export function guessDecimalMark(cells: Iterable<string>, delimiter: string): DecimalMark {
  if (delimiter === ',') return '.';
  let comma = 0;
  let point = 0;
  for (const cell of cells) {
    const s = cell.trim();
    if (/^[+-]?\d*,\d+$/.test(s)) comma++;
    else if (/^[+-]?\d*\.\d+$/.test(s) && !/^[+-]?\d{1,3}\.\d{3}$/.test(s)) point++;
  }
  return comma > point ? ',' : comma === 0 && point === 0 && delimiter === ';' ? ',' : '.';
}
