// `value-lens import`: a researcher's own table of responses (CSV) into corpus records, so that responses
// scored elsewhere — the second seed's judged interviews, another lab's logprobs — are analysed like a run's.
// Every data row is either used (one record) or rejected with its source line and reason; nothing else.
import { readTable, type Table } from '../data/csv';
import { findColumn } from '../data/columns';
import { parseLocaleNumber } from '../data/numbers';
import type { RunRecord, ScoreResult, StanceResult } from '../results';
import type { AttributeValue, ImportMapping } from './types';

export interface ImportOptions {
  /** Run id every record carries (one import = one run in the corpus). */
  runId: string;
  /** Study name written into each record. */
  study?: string;
  /** ISO time written as each record's `at` (one value for the whole import, so re-imports are stable). */
  at: string;
  /** Table model name → the study's model id (unmapped names are used as they are). */
  modelIds?: Record<string, string>;
  /** Item id → category, written into the records. */
  categories?: Record<string, string>;
  /** Item id → the item's current hash (so imported records are not stale); '' when unknown. */
  itemHashes?: Record<string, string>;
  /** Lower-case the item column (the second seed's keys are lower case, its ground truth upper case). */
  lowerCaseItems?: boolean;
  /**
   * Table item value → the study's item id, matched case-insensitively (e.g. { F120: 'Q184' } from the
   * items' `key:`), so that imported records name the study's items; unmatched values are kept as written.
   */
  itemIds?: Record<string, string>;
}

export interface ImportRejection {
  /** 1-based line of the row in the source text (0: file-level). */
  line: number;
  reason: string;
}

export interface ImportResult {
  records: RunRecord[];
  /** Data rows turned into records. */
  used: number;
  /** Data rows not used (filtered by `where`, unreadable, missing or bad values), each with its reason. */
  rejected: ImportRejection[];
  /** Data rows of the table (used + rejected.length). */
  rows: number;
  /** Model attributes read from `columns.attributes`, per model id (first non-empty value wins). */
  models: Record<string, Record<string, AttributeValue>>;
  /** Problems that are not rows (no header, a mapped column missing): the import used nothing. */
  errors: string[];
}

function attributeValue(raw: string): AttributeValue {
  const s = raw.trim();
  if (/^(true|false)$/i.test(s)) return s.toLowerCase() === 'true';
  const n = Number(s);
  return s !== '' && Number.isFinite(n) ? n : s;
}

function entropy(p: Record<string, number>): number {
  let h = 0;
  for (const v of Object.values(p)) if (v > 0) h -= v * Math.log(v);
  return h;
}

/**
 * Reads a response table with a column mapping. Exactly one of `columns.code` (the chosen option code →
 * a ScoreResult with a one-hot distribution), `columns.probabilities` (option code → column; renormalised,
 * the unallocated mass reported as missMass) or `columns.pro` (a pro share in 0…1 → a StanceResult) must
 * be given. Without a `sample` column the sample index is the running count of rows per (model, language,
 * country, item, template, paraphrase), in file order; it is written as the record's `round`.
 */
export function importResponses(input: string | Uint8Array | Table, mapping: ImportMapping, options: ImportOptions): ImportResult {
  const table: Table = typeof input === 'string' || input instanceof Uint8Array ? readTable(input) : input;
  const c = mapping.columns;
  const result: ImportResult = { records: [], used: 0, rejected: [], rows: 0, models: {}, errors: [] };
  // Rows the CSV reader could not split are data rows too: they are rejected, never silently lost.
  const unreadable = table.problems.filter((p) => p.line > 0);
  result.rows = table.rows.length + unreadable.length;
  const kinds = [c.code !== undefined, c.probabilities !== undefined, c.pro !== undefined].filter(Boolean).length;
  if (kinds !== 1) result.errors.push('the mapping needs exactly one of columns.code, columns.probabilities, columns.pro');
  const col = (name: string | undefined, role: string): number => {
    if (name === undefined) return -1;
    const i = findColumn(table.header, [
      name
        .trim()
        .toLowerCase()
        .replace(/[\s.-]+/g, '_'),
    ]);
    if (i < 0) result.errors.push(`column "${name}" (${role}) is not in the table's header (${table.header.join(', ')})`);
    return i;
  };
  const idx = {
    model: col(c.model, 'model'),
    language: col(c.language, 'language'),
    country: col(c.country, 'country'),
    item: col(c.item, 'item'),
    template: col(c.template, 'template'),
    paraphrase: col(c.paraphrase, 'paraphrase'),
    sample: col(c.sample, 'sample'),
    code: col(c.code, 'code'),
    pro: col(c.pro, 'pro'),
  };
  const probCols = Object.entries(c.probabilities ?? {}).map(([code, name]) => ({
    code: String(Number(code)),
    index: col(name, `probability of ${code}`),
  }));
  // Either direction reads: { model_family: 'family' } (column → attribute) or { family: 'model_family' }.
  const inHeader = (name: string): boolean =>
    findColumn(table.header, [
      name
        .trim()
        .toLowerCase()
        .replace(/[\s.-]+/g, '_'),
    ]) >= 0;
  const attrCols = Object.entries(c.attributes ?? {}).map(([a, b]) => {
    const [column, attribute] = inHeader(a) || !inHeader(b) ? [a, b] : [b, a];
    return { attribute, index: col(column, `attribute ${attribute}`) };
  });
  const where = Object.entries(mapping.where ?? {}).map(([column, value]) => ({ column, value, index: col(column, 'where') }));
  if (!table.header.length) result.errors.push('the table has no header row');
  for (const [code] of Object.entries(c.probabilities ?? {}))
    if (!Number.isFinite(Number(code))) result.errors.push(`probability column key "${code}" is not an option code`);
  if (result.errors.length) {
    // Nothing can be read: every row is rejected with the reason, so the count still adds up.
    const reason = `not imported: ${result.errors[0]}`;
    for (const row of table.rows) result.rejected.push({ line: row.line, reason });
    for (const p of unreadable) result.rejected.push({ line: p.line, reason: p.message });
    result.rejected.sort((a, b) => a.line - b.line);
    return result;
  }
  for (const p of unreadable) result.rejected.push({ line: p.line, reason: p.message });

  const itemIdMap = options.itemIds ? new Map(Object.entries(options.itemIds).map(([k, v]) => [k.trim().toUpperCase(), v])) : undefined;
  const counters = new Map<string, number>();
  const num = (s: string): number | undefined => parseLocaleNumber(s, table.decimalMark);
  for (const row of table.rows) {
    const cell = (i: number): string => (i >= 0 ? (row.cells[i] ?? '').trim() : '');
    const reject = (reason: string): void => {
      result.rejected.push({ line: row.line, reason });
    };
    const miss = where.find((w) => cell(w.index) !== w.value);
    if (miss) {
      reject(`filtered: ${miss.column} is "${cell(miss.index)}", not "${miss.value}"`);
      continue;
    }
    const modelName = cell(idx.model);
    const language = cell(idx.language).toLowerCase();
    let itemId = cell(idx.item);
    if (options.lowerCaseItems) itemId = itemId.toLowerCase();
    itemId = itemIdMap?.get(itemId.toUpperCase()) ?? itemId;
    if (!modelName) {
      reject(`empty model (${c.model})`);
      continue;
    }
    if (!/^[a-z]{2,3}(?:-[a-z0-9]+)?$/.test(language)) {
      reject(language ? `language "${language}" is not a language code` : `empty language (${c.language})`);
      continue;
    }
    if (!itemId) {
      reject(`empty item (${c.item})`);
      continue;
    }
    const countryCell = cell(idx.country).toUpperCase();
    if (idx.country >= 0 && countryCell && !/^[A-Z]{2,3}$/.test(countryCell)) {
      reject(`country "${countryCell}" is not a country code`);
      continue;
    }
    const country = countryCell || null;
    const template = cell(idx.template) || 'import';
    let paraphrase: number | null = null;
    if (idx.paraphrase >= 0 && cell(idx.paraphrase) !== '') {
      const p = num(cell(idx.paraphrase));
      if (p === undefined || !Number.isInteger(p) || p < 0) {
        reject(`paraphrase "${cell(idx.paraphrase)}" is not a non-negative integer`);
        continue;
      }
      paraphrase = p;
    }
    const modelId = options.modelIds?.[modelName] ?? modelName;
    let round: number;
    if (idx.sample >= 0) {
      const s = num(cell(idx.sample));
      if (s === undefined || !Number.isInteger(s) || s < 0) {
        reject(`sample "${cell(idx.sample)}" is not a non-negative integer`);
        continue;
      }
      round = s;
    } else {
      round = -1; // assigned below, once the row is known to be used
    }

    const identity = {
      runId: options.runId,
      itemId,
      itemHash: options.itemHashes?.[itemId] ?? '',
      language,
      template,
      paraphrase,
      provider: 'import',
      model: modelName,
      endpoint: '',
      country,
      modelId,
      order: 'original',
      source: 'import' as const,
      ...(options.study !== undefined ? { study: options.study } : {}),
      ...(options.categories?.[itemId] !== undefined ? { category: options.categories[itemId] } : {}),
    };
    let record: ScoreResult | StanceResult;
    if (idx.pro >= 0) {
      const v = num(cell(idx.pro));
      if (v === undefined || v < 0 || v > 1) {
        reject(cell(idx.pro) === '' ? `empty pro score (${c.pro})` : `pro score "${cell(idx.pro)}" is not a number in 0…1`);
        continue;
      }
      record = { ...identity, kind: 'stance', method: 'sample', optionOrder: [], round, proShare: v, cached: false, at: options.at };
    } else if (idx.code >= 0) {
      const v = num(cell(idx.code));
      if (v === undefined || !Number.isInteger(v)) {
        reject(cell(idx.code) === '' ? `empty option code (${c.code})` : `option code "${cell(idx.code)}" is not an integer`);
        continue;
      }
      if (v < 0) {
        reject(`option code ${v} is a missing code (don't know, no answer…), not an answer`);
        continue;
      }
      record = {
        ...identity,
        kind: 'result',
        method: 'sample',
        optionOrder: [],
        round,
        probabilities: { [String(v)]: 1 },
        mean: v,
        mode: v,
        entropy: 0,
        missMass: 0,
        samples: 1,
        answers: [v],
        latencyMs: 0,
        cached: false,
        at: options.at,
      };
    } else {
      const raw: Record<string, number> = {};
      let bad: string | undefined;
      for (const p of probCols) {
        const s = cell(p.index);
        const v = s === '' ? 0 : num(s);
        if (v === undefined || v < 0) {
          bad = `probability of option ${p.code} "${s}" is not a non-negative number`;
          break;
        }
        raw[p.code] = v;
      }
      const total = Object.values(raw).reduce((a, b) => a + b, 0);
      if (!bad && !(total > 0)) bad = 'all option probabilities are 0 or empty';
      if (!bad && total > 1 + 1e-6) bad = `option probabilities sum to ${total}, more than 1`;
      if (bad) {
        reject(bad);
        continue;
      }
      const probabilities: Record<string, number> = {};
      let mean = 0;
      let mode = Number(probCols[0].code);
      for (const [code, v] of Object.entries(raw)) {
        probabilities[code] = v / total;
        mean += Number(code) * (v / total);
        if (v > (raw[String(mode)] ?? -1)) mode = Number(code);
      }
      const codes = probCols.map((p) => Number(p.code)).sort((a, b) => a - b);
      record = {
        ...identity,
        kind: 'result',
        method: 'logprobs',
        optionOrder: codes,
        round,
        probabilities,
        mean,
        mode,
        entropy: entropy(probabilities),
        missMass: Math.max(0, 1 - total),
        latencyMs: 0,
        cached: false,
        at: options.at,
      };
    }
    if (record.round === -1) {
      const k = [modelId, language, country ?? '', itemId, template, paraphrase ?? ''].join('\u0000');
      const n = counters.get(k) ?? 0;
      counters.set(k, n + 1);
      record.round = n;
    }
    const attrs = (result.models[modelId] ??= {});
    for (const a of attrCols) {
      const s = cell(a.index);
      if (s !== '' && attrs[a.attribute] === undefined) attrs[a.attribute] = attributeValue(s);
    }
    result.records.push(record);
    result.used++;
  }
  result.rejected.sort((a, b) => a.line - b.line);
  return result;
}

/** The mapping that reads the second seed's `all_lang_model_responses_with_scores.csv` as it is published. */
export const RYSTROM_2025_MAPPING: Omit<ImportMapping, 'file'> = {
  columns: {
    model: 'model_name',
    language: 'language',
    item: 'question_key',
    pro: 'response_pro_score',
    attributes: { model_family: 'family' },
  },
  where: { template_type: 'survey_hypothetical' },
};
