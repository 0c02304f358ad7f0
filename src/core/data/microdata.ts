// WVS/EVS microdata exported from SPSS/Stata as CSV: one row per respondent. Produces weighted option
// distributions and means per (country, item) and per (country, interview language, item).
import {
  findColumn,
  normaliseHeader,
  COUNTRY_COLUMNS,
  LANGUAGE_COLUMNS,
  NON_ITEM_COLUMN,
  PRODUCT_WEIGHT_COLUMNS,
  SINGLE_WEIGHT_COLUMNS,
} from './columns';
import { pushProblem, type Problem, type Table } from './csv';
import { parseLocaleNumber } from './numbers';
import type { HumanRow } from './types';

interface Accumulator {
  country: string;
  key: string;
  language?: string;
  weight: number;
  weightedSum: number;
  n: number;
  byCode: Map<number, number>;
}

/**
 * Aggregates respondent rows. Negative codes (−1 don't know, −2 no answer, −3 not applicable, −4 not
 * asked, −5 missing) are dropped before weighting, as in WVS/EVS practice. `itemColumns` (data keys)
 * selects the item columns; without it every column that is not country, weight, language or an id is
 * taken as an item.
 */
export function loadMicrodata(table: Table, problems: Problem[], itemColumns?: string[]): HumanRow[] {
  const { header, decimalMark } = table;
  const suppressed = { count: 0 };
  const country = findColumn(header, COUNTRY_COLUMNS);
  const language = findColumn(header, LANGUAGE_COLUMNS);
  const norm = header.map(normaliseHeader);
  let weights = PRODUCT_WEIGHT_COLUMNS.map((w) => norm.indexOf(w)).filter((i) => i >= 0);
  if (!weights.length) {
    const single = findColumn(header, SINGLE_WEIGHT_COLUMNS);
    weights = single >= 0 ? [single] : [];
  }
  if (country < 0) {
    problems.push({ line: 1, message: `microdata needs a country column (${COUNTRY_COLUMNS.join('/')})` });
    return [];
  }
  const roles = new Set([country, language, ...weights]);
  const wanted = itemColumns ? new Set(itemColumns.map((k) => k.trim().toUpperCase())) : undefined;
  const items = header
    .map((name, index) => ({ name: name.trim(), index }))
    .filter(({ name, index }) => {
      if (roles.has(index) || name === '') return false;
      if (wanted) return wanted.has(name.toUpperCase());
      return !NON_ITEM_COLUMN.test(norm[index]);
    });
  const acc = new Map<string, Accumulator>();
  const order: Accumulator[] = [];
  const add = (c: string, key: string, lang: string | undefined, w: number, code: number): void => {
    const id = `${c}\u0000${key}\u0000${lang ?? ''}`;
    let a = acc.get(id);
    if (!a) {
      a = { country: c, key, language: lang, weight: 0, weightedSum: 0, n: 0, byCode: new Map() };
      acc.set(id, a);
      order.push(a);
    }
    a.weight += w;
    a.weightedSum += w * code;
    a.n++;
    a.byCode.set(code, (a.byCode.get(code) ?? 0) + w);
  };
  for (const row of table.rows) {
    const cells = row.cells;
    const c = cells[country].trim().toUpperCase();
    if (!c) {
      pushProblem(problems, { line: row.line, message: 'missing country' }, suppressed);
      continue;
    }
    let w = 1;
    let badWeight = false;
    for (const wi of weights) {
      const v = parseLocaleNumber(cells[wi], decimalMark);
      if (v === undefined || v < 0) {
        pushProblem(problems, { line: row.line, message: `weight "${cells[wi].trim()}" is not a non-negative number` }, suppressed);
        badWeight = true;
        break;
      }
      w *= v;
    }
    if (badWeight) continue;
    const lang = language >= 0 ? cells[language].trim().toLowerCase() || undefined : undefined;
    for (const item of items) {
      const s = cells[item.index];
      if (s.trim() === '') continue;
      const code = parseLocaleNumber(s, decimalMark);
      if (code === undefined) {
        pushProblem(problems, { line: row.line, message: `${item.name}: "${s.trim()}" is not a code` }, suppressed);
        continue;
      }
      if (code < 0) continue;
      add(c, item.name, undefined, w, code);
      if (lang) add(c, item.name, lang, w, code);
    }
  }
  if (suppressed.count) problems.push({ line: 0, message: `${suppressed.count} further problems not listed` });
  const rows: HumanRow[] = [];
  for (const a of order) {
    if (!(a.weight > 0)) continue;
    const distribution: Record<string, number> = {};
    for (const code of [...a.byCode.keys()].sort((x, y) => x - y)) distribution[String(code)] = (a.byCode.get(code) ?? 0) / a.weight;
    const row: HumanRow = { country: a.country, key: a.key, mean: a.weightedSum / a.weight, distribution, n: a.n };
    if (a.language) row.language = a.language;
    rows.push(row);
  }
  return rows;
}
