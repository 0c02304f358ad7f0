// Turns a tidy table and a term list into a model matrix with R's model.matrix coding rules (treatment
// contrasts), so that column names and values equal lme4's. The rules, from R's model.c (after Chambers &
// Hastie, "Statistical Models in S", 1992, p. 38):
//
// - A character column is a factor with its levels sorted (by code point, as R sorts in the C locale); a
//   column whose every present cell is a number is numeric.
// - In a term T, a factor F is coded by contrasts (levels 2…k, named `Flevel`) when T without F is empty or
//   is contained in a term that comes before T; otherwise by indicators for all k levels.
// - Without an intercept, the first factor of the first term that has a factor is coded by indicators.
// - A term's columns are the products of its variables' columns, the first variable varying fastest, named
//   by joining the parts with ':'.
import { FormulaError, type Term, type TermList } from './formula';

export type Cell = string | number | boolean | null | undefined;
export type DataRow = Readonly<Record<string, Cell>>;

export interface NumericColumn {
  kind: 'numeric';
  values: number[];
}
export interface FactorColumn {
  kind: 'factor';
  levels: string[];
  /** Level index per observation. */
  codes: number[];
}
export type Column = NumericColumn | FactorColumn;

export interface ModelMatrix {
  columns: string[];
  /** n rows × columns.length. */
  X: number[][];
}

const PLAIN_NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Missing as R's read.csv and na.omit read it: an empty cell, NA, NaN (infinite values are refused). */
export function isMissing(cell: Cell): boolean {
  if (cell === null || cell === undefined) return true;
  if (typeof cell === 'number') return Number.isNaN(cell);
  if (typeof cell === 'boolean') return false;
  const s = cell.trim();
  return s === '' || s === 'NA' || s === 'NaN';
}

const INFINITE = /^[+-]?Inf(inity)?$/;

function asNumber(cell: Cell): number | undefined {
  if (typeof cell === 'number') return Number.isFinite(cell) ? cell : undefined;
  if (typeof cell !== 'string') return undefined;
  const s = cell.trim();
  return PLAIN_NUMBER.test(s) ? Number(s) : undefined;
}

// Levels are the cells as written: R's read.csv keeps surrounding spaces, so " a" and "a" are two levels.
const asLevel = (cell: Cell): string => (typeof cell === 'string' ? cell : String(cell));

/** Code-point order (R's sort in a C locale), not localeCompare and not UTF-16 code units. */
export function byCodePoint(a: string, b: string): number {
  const ca = [...a];
  const cb = [...b];
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
    const d = (ca[i].codePointAt(0) as number) - (cb[i].codePointAt(0) as number);
    if (d) return d;
  }
  return ca.length - cb.length;
}

export interface PreparedData {
  columns: Map<string, Column>;
  /** Number of rows kept (no missing value in any used column). */
  n: number;
  /** Rows dropped for a missing value, and how many per column (a row may count under several). */
  dropped: number;
  missingBy: Record<string, number>;
}

/**
 * Reads the used columns from the rows: drops rows with a missing value in any of them (R's na.omit),
 * then types each column. `factors` are always factors (grouping factors); `numeric` must be numeric.
 */
export function prepareData(
  rows: readonly DataRow[],
  names: readonly string[],
  options: { factors?: ReadonlySet<string>; numeric?: ReadonlySet<string> } = {},
): PreparedData {
  if (!rows.length) throw new FormulaError('the data has no rows');
  const present = new Set<string>();
  for (const row of rows) for (const k of Object.keys(row)) present.add(k);
  const absent = names.filter((name) => !present.has(name));
  if (absent.length) {
    throw new FormulaError(`no column ${absent.map((a) => `"${a}"`).join(', ')} in the data (columns: ${[...present].join(', ')})`);
  }
  const missingBy: Record<string, number> = {};
  const kept: DataRow[] = [];
  for (const row of rows) {
    let ok = true;
    for (const name of names) {
      if (isMissing(row[name])) {
        missingBy[name] = (missingBy[name] ?? 0) + 1;
        ok = false;
      }
    }
    if (ok) kept.push(row);
  }
  if (!kept.length) throw new FormulaError(`every row has a missing value in a used column (${Object.keys(missingBy).join(', ')})`);
  const columns = new Map<string, Column>();
  for (const name of names) {
    const cells = kept.map((row) => row[name]);
    // R reads Inf as a number and lmer then stops; say so here rather than turn the column into a factor.
    const infinite = cells.findIndex(
      (c) => (typeof c === 'number' && !Number.isFinite(c)) || (typeof c === 'string' && INFINITE.test(c.trim())),
    );
    if (infinite >= 0)
      throw new FormulaError(`the column ${name} has an infinite value (${String(cells[infinite])}); remove or replace it`);
    const nums = cells.map(asNumber);
    const numeric = !options.factors?.has(name) && nums.every((x) => x !== undefined);
    if (numeric) {
      columns.set(name, { kind: 'numeric', values: nums as number[] });
      continue;
    }
    if (options.numeric?.has(name)) {
      const bad = cells.find((_, i) => nums[i] === undefined);
      throw new FormulaError(`the response ${name} must be numeric, but it has the value "${String(bad)}"`);
    }
    // A numeric column used as a grouping factor: R's factor() sorts its values as numbers (1, 2, 10).
    const numericGroups = nums.every((x) => x !== undefined);
    const labels = numericGroups ? nums.map((x) => String(x)) : cells.map(asLevel);
    const levels = numericGroups
      ? [...new Set(nums as number[])].sort((a, b) => a - b).map((x) => String(x))
      : [...new Set(labels)].sort(byCodePoint);
    const index = new Map(levels.map((l, i) => [l, i]));
    columns.set(name, { kind: 'factor', levels, codes: labels.map((l) => index.get(l) as number) });
  }
  return { columns, n: kept.length, dropped: rows.length - kept.length, missingBy };
}

const isSubset = (a: readonly string[], b: readonly string[]): boolean => a.every((v) => b.includes(v));

/** R's TermCode: 1 = contrasts, 2 = indicators for every level. */
function termCode(terms: readonly Term[], j: number, variable: string): 1 | 2 {
  const rest = terms[j].filter((v) => v !== variable);
  if (!rest.length) return 1;
  for (let k = 0; k < j; k++) if (isSubset(rest, terms[k])) return 1;
  return 2;
}

interface Part {
  names: string[];
  /** values[c][i]: column c at observation i. */
  values: number[][];
}

/** Builds the model matrix of a term list (the fixed part, or the effects of one random term). */
export function modelMatrix(list: TermList, data: ReadonlyMap<string, Column>, n: number): ModelMatrix {
  const codes = list.terms.map((term, j) => term.map((v) => (data.get(v)?.kind === 'factor' ? termCode(list.terms, j, v) : 0)));
  for (const term of list.terms) {
    for (const v of term) {
      const col = data.get(v);
      if (!col) throw new FormulaError(`no column "${v}" in the data`);
      if (col.kind === 'factor' && col.levels.length < 2) {
        throw new FormulaError(`the factor ${v} has only one level ("${col.levels[0]}") in the rows used; a factor needs 2 or more levels`);
      }
    }
  }
  if (!list.intercept) {
    outer: for (let j = 0; j < list.terms.length; j++) {
      for (let k = 0; k < list.terms[j].length; k++) {
        if (codes[j][k] > 0) {
          codes[j][k] = 2;
          break outer;
        }
      }
    }
  }
  const names: string[] = [];
  const values: number[][] = [];
  if (list.intercept) {
    names.push('(Intercept)');
    values.push(new Array<number>(n).fill(1));
  }
  list.terms.forEach((term, j) => {
    let acc: Part = { names: [''], values: [new Array<number>(n).fill(1)] };
    term.forEach((v, k) => {
      const part = variablePart(v, data.get(v) as Column, codes[j][k], n);
      // The first variable varies fastest: the new part's columns are the outer loop.
      const next: Part = { names: [], values: [] };
      for (let b = 0; b < part.names.length; b++) {
        for (let a = 0; a < acc.names.length; a++) {
          next.names.push(acc.names[a] ? `${acc.names[a]}:${part.names[b]}` : part.names[b]);
          const va = acc.values[a];
          const vb = part.values[b];
          next.values.push(va.map((x, i) => x * vb[i]));
        }
      }
      acc = next;
    });
    names.push(...acc.names);
    values.push(...acc.values);
  });
  const X = Array.from({ length: n }, (_, i) => values.map((col) => col[i]));
  return { columns: names, X };
}

function variablePart(name: string, col: Column, code: number, n: number): Part {
  if (col.kind === 'numeric') return { names: [name], values: [col.values.slice(0, n)] };
  const start = code === 1 ? 1 : 0;
  const part: Part = { names: [], values: [] };
  for (let l = start; l < col.levels.length; l++) {
    part.names.push(`${name}${col.levels[l]}`);
    part.values.push(col.codes.map((c) => (c === l ? 1 : 0)));
  }
  return part;
}
