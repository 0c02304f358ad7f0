// Aggregated human tables: one row per (country, item[, language]) with a mean, a "pro" share, a wide
// option distribution (p_1, p_2, …), or — long format — one row per option code with its share.
import {
  findColumn,
  normaliseHeader,
  COUNTRY_COLUMNS,
  DISTRIBUTION_COLUMN,
  KEY_COLUMNS,
  LANGUAGE_COLUMNS,
  MEAN_COLUMNS,
  N_COLUMNS,
  OPTION_COLUMNS,
  OPTION_VALUE_COLUMNS,
  SHARE_COLUMNS,
} from './columns';
import { pushProblem, type Problem, type Table } from './csv';
import { parseLocaleNumber } from './numbers';
import type { HumanRow } from './types';

/** Whether a header looks like an aggregated table (a key column plus some value column). */
export function looksAggregated(header: string[]): boolean {
  if (findColumn(header, KEY_COLUMNS) < 0) return false;
  const norm = header.map(normaliseHeader);
  return (
    findColumn(header, MEAN_COLUMNS) >= 0 ||
    findColumn(header, SHARE_COLUMNS) >= 0 ||
    findColumn(header, OPTION_COLUMNS) >= 0 ||
    norm.some((h) => DISTRIBUTION_COLUMN.test(h))
  );
}

/** Normalises a distribution to sum 1 (tables may hold percentages or counts); undefined if empty. */
export function normaliseDistribution(d: Record<string, number>): Record<string, number> | undefined {
  let total = 0;
  for (const v of Object.values(d)) total += v;
  if (!(total > 0)) return undefined;
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(d)) out[k] = v / total;
  return out;
}

/** Σ code·p over a normalised distribution. */
export function meanOfDistribution(d: Record<string, number>): number {
  let m = 0;
  for (const [k, v] of Object.entries(d)) m += Number(k) * v;
  return m;
}

export function loadAggregated(table: Table, problems: Problem[]): HumanRow[] {
  const { header, decimalMark } = table;
  const suppressed = { count: 0 };
  const col = {
    country: findColumn(header, COUNTRY_COLUMNS),
    key: findColumn(header, KEY_COLUMNS),
    language: findColumn(header, LANGUAGE_COLUMNS),
    mean: findColumn(header, MEAN_COLUMNS),
    n: findColumn(header, N_COLUMNS),
    option: findColumn(header, OPTION_COLUMNS),
  };
  // In long format "share" is the option's share, not a pro share.
  const optionValue = col.option >= 0 ? findColumn(header, OPTION_VALUE_COLUMNS) : -1;
  const share = col.option >= 0 ? -1 : findColumn(header, SHARE_COLUMNS);
  const wide: { index: number; code: string }[] = [];
  header.forEach((h, index) => {
    const m = DISTRIBUTION_COLUMN.exec(normaliseHeader(h));
    if (m && col.option < 0) wide.push({ index, code: String(Number(m[1])) });
  });
  // No country column but a language column: rows pooled over the countries of that interview language
  // (the second seed's ground_truth_per_language.csv); their country is ''.
  if (col.key < 0 || (col.country < 0 && col.language < 0)) {
    problems.push({
      line: 1,
      message: `aggregated table needs an item column (${KEY_COLUMNS.join('/')}) and a country (${COUNTRY_COLUMNS.join('/')}) or language column`,
    });
    return [];
  }
  const byId = new Map<string, HumanRow & { raw?: Record<string, number> }>();
  const order: string[] = [];
  for (const row of table.rows) {
    const cell = (i: number): string => (i >= 0 ? row.cells[i].trim() : '');
    const country = cell(col.country).toUpperCase();
    const key = cell(col.key);
    const language = cell(col.language).toLowerCase() || undefined;
    if ((col.country >= 0 && !country) || !key) {
      pushProblem(problems, { line: row.line, message: 'missing country or item key' }, suppressed);
      continue;
    }
    const num = (i: number, what: string): number | undefined | null => {
      const s = cell(i);
      if (s === '') return undefined;
      const v = parseLocaleNumber(s, decimalMark);
      if (v === undefined) {
        pushProblem(problems, { line: row.line, message: `${what} "${s}" is not a number` }, suppressed);
        return null;
      }
      return v;
    };
    const id = `${country}\u0000${key}\u0000${language ?? ''}`;
    if (col.option >= 0) {
      const code = num(col.option, 'option code');
      const value = num(optionValue, 'option share');
      if (code === null || value === null) continue;
      if (code === undefined || value === undefined || value < 0) {
        pushProblem(problems, { line: row.line, message: 'long-format row needs an option code and a non-negative share' }, suppressed);
        continue;
      }
      if (code < 0) continue; // WVS missing codes (don't know, no answer, …) are not options
      let target = byId.get(id);
      if (!target) {
        target = { country, key, language, raw: {} };
        byId.set(id, target);
        order.push(id);
      }
      const raw = (target.raw ??= {});
      raw[String(code)] = (raw[String(code)] ?? 0) + value;
      const n = num(col.n, 'n');
      if (typeof n === 'number') target.n = (target.n ?? 0) + n;
      continue;
    }
    const mean = num(col.mean, 'mean');
    const pro = num(share, 'share');
    const n = num(col.n, 'n');
    if (mean === null || pro === null || n === null) continue;
    let distribution: Record<string, number> | undefined;
    let bad = false;
    if (wide.length) {
      const d: Record<string, number> = {};
      for (const w of wide) {
        const v = num(w.index, `share of option ${w.code}`);
        if (v === null || (v !== undefined && v < 0)) bad = true;
        else if (v !== undefined) d[w.code] = v;
      }
      distribution = normaliseDistribution(d);
    }
    if (bad) continue;
    if (pro !== undefined && (pro < 0 || pro > 1)) {
      pushProblem(problems, { line: row.line, message: `share ${pro} is outside 0…1` }, suppressed);
      continue;
    }
    if (mean === undefined && pro === undefined && !distribution) {
      pushProblem(problems, { line: row.line, message: 'row has no mean, share or distribution' }, suppressed);
      continue;
    }
    if (byId.has(id)) {
      pushProblem(
        problems,
        { line: row.line, message: `duplicate row for ${country} ${key}${language ? ` (${language})` : ''}; the first is kept` },
        suppressed,
      );
      continue;
    }
    const out: HumanRow = { country, key };
    if (language) out.language = language;
    if (mean !== undefined) out.mean = mean;
    else if (distribution) out.mean = meanOfDistribution(distribution);
    if (pro !== undefined) out.share = pro;
    if (distribution) out.distribution = distribution;
    if (n !== undefined) out.n = n;
    byId.set(id, out);
    order.push(id);
  }
  if (suppressed.count) problems.push({ line: 0, message: `${suppressed.count} further problems not listed` });
  return order.flatMap((id) => {
    const r = byId.get(id);
    if (!r) return [];
    if (r.raw) {
      const { raw, ...rest } = r;
      const distribution = normaliseDistribution(raw);
      if (!distribution) return [];
      return [{ ...rest, distribution, mean: meanOfDistribution(distribution) }];
    }
    return [r];
  });
}
