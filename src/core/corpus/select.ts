// From records to ResponseUnits under explicit rules (docs/corpus.md, "Selection"). One pass, O(n):
//  - every repeated sample and round is kept (the round is part of the condition key);
//  - re-runs of one condition: the latest run supersedes older ones ('latest'), or all are kept ('pool');
//  - records whose item hash differs from the item's current hash are stale and excluded;
//  - failures, unknown items, filtered records, records without a usable measure and unreadable lines are
//    skipped by reason.
// Every record read lands in exactly one count: read = used + superseded + stale + Σ skipped.

import { isProCode } from '../stats/share';
import type { RunRecord, ScoreResult, StanceResult } from '../results';
import type { AttributeValue, StudyFilter } from '../study/types';
import { orderName, roundOf } from './records';
import { UnitValues } from './intern';
import type { BadLineSource } from './reader';
import type { ResponseUnit, Selection, SelectionCounts, SkipReason } from './types';

export interface SelectItem {
  hash: string;
  key: string;
  category: string;
  scale?: { min: number; max: number; reversed: boolean; proCodes?: number[] };
}

export interface SelectContext {
  /** The study's items by id; without it nothing is stale or unknown and `pro` is the judge's only. */
  items?: Map<string, SelectItem>;
  /** Model attributes by model id (the study's models). */
  models?: Map<string, Record<string, AttributeValue>>;
  rule: 'latest' | 'pool';
  filter?: StudyFilter;
  /** Run start times by run id (from the manifests); otherwise the time in the run id, then the record's. */
  runs?: Map<string, { startedAt: string }>;
  /** Runs a user deleted (manifest `deletedAt`): their records are skipped as 'deleted-run'. */
  deletedRuns?: ReadonlySet<string>;
  /** Only these runs (one run opened from the results view); others are skipped as 'filtered'. */
  onlyRuns?: ReadonlySet<string>;
  /** Unreadable lines read before these records (when the records do not come from a CorpusReader). */
  badLines?: number;
}

const NO_ATTRIBUTES: Record<string, AttributeValue> = Object.freeze({}) as Record<string, AttributeValue>;

/** Run ids made by newRunId(): 20261201T215724Z-ab12cd. */
const RUN_ID_TIME = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z/;

export async function selectUnits(records: AsyncIterable<RunRecord> | Iterable<RunRecord>, context: SelectContext): Promise<Selection> {
  const selector = unitSelector(context);
  if (isBatchSource(records)) {
    for await (const batch of records.batches()) for (let i = 0; i < batch.length; i++) selector.add(batch[i]);
  } else if (Symbol.asyncIterator in records) {
    for await (const r of records as AsyncIterable<RunRecord>) selector.add(r);
  } else {
    for (const r of records as Iterable<RunRecord>) selector.add(r);
  }
  selector.addBadLines((context.badLines ?? 0) + badLinesOf(records));
  return selector.selection();
}

/**
 * selectUnits one record at a time, for a consumer that keeps the selection and appends records as a run
 * writes them (the panel's analysis worker): selection() is the selection of every record added so far,
 * the same as selectUnits over those records in that order, and may be asked for again after more adds.
 */
export interface UnitSelector {
  add(record: RunRecord): void;
  /** Unreadable lines (counted as read and skipped 'bad-line'). */
  addBadLines(count: number): void;
  selection(): Selection;
}

export function unitSelector(context: SelectContext): UnitSelector {
  const counts: SelectionCounts = { read: 0, used: 0, superseded: 0, stale: 0, skipped: {} };
  const skip = (reason: SkipReason): void => {
    counts.skipped[reason] = (counts.skipped[reason] ?? 0) + 1;
  };
  const { items, models, filter, rule, deletedRuns, onlyRuns } = context;
  const filters = compileFilter(filter);
  /** Run start times by the run id's string id. */
  const runTimes: number[] = [];
  // Parsed records carry a fresh copy of every string; units share one copy of each, and condition keys
  // are built from the strings' small integer ids (short keys: less memory for a million conditions).
  const strings = new StringTable();
  /** The ids unitOf found for the key's fields (one lookup per field per record). */
  const keyIds = new Int32Array(KEY_FIELDS);
  const values = new UnitValues();

  // Rule 'latest': one slot per condition key holding the run it uses and where its units are in `kept`.
  // A condition is found by its fields but the item and the round (its context: language, country,
  // template, paraphrase, order, model), then the item's string id, then the round in that table: no key
  // string per record. A run writes context by context with the items innermost, so the last context
  // found is usually the next record's too.
  const kept: (ResponseUnit | undefined)[] = [];
  const contexts = new Map<string, Map<number, ConditionSlots>>();
  let inContext: Map<number, ConditionSlots> | undefined;
  const last = new Int32Array(KEY_FIELDS).fill(-2);
  let lastParaphrase: number | null = null;
  const slotRun: string[] = [];
  const slotTime: number[] = [];
  const slotFirst: number[] = [];
  /** Further units of a slot from the same run (format-1 repetitions without a round): rare. */
  const slotMore = new Map<number, number[]>();

  const runTime = (r: RunRecord, runId: number): number => {
    let t = runTimes[runId];
    if (t === undefined) {
      const started = context.runs?.get(r.runId)?.startedAt;
      t = started ? Date.parse(started) : NaN;
      if (!Number.isFinite(t)) {
        const m = RUN_ID_TIME.exec(r.runId);
        t = m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) : NaN;
      }
      if (!Number.isFinite(t)) {
        // No manifest and no time in the id: the record's own time (fixed at the run's first record).
        t = Date.parse(r.at);
        if (!Number.isFinite(t)) t = 0;
      }
      runTimes[runId] = t;
    }
    return t;
  };

  const take = (r: RunRecord): void => {
    counts.read++;
    if (deletedRuns?.has(r.runId)) return skip('deleted-run');
    if (onlyRuns && !onlyRuns.has(r.runId)) return skip('filtered');
    if (r.kind === 'failure') return skip('failure');
    const item = items?.get(r.itemId);
    // An imported table may hold items the study's .wvs files do not list: kept (never stale), keyed by id.
    if (items && !item && r.source !== 'import') return skip('unknown-item');
    if (filters && !filters(r, item)) return skip('filtered');
    if (item && r.itemHash && r.itemHash !== item.hash) {
      counts.stale++;
      return;
    }
    const unit = unitOf(r, item, models, strings, values, keyIds);
    if (!unit) return skip('no-measure');
    if (rule === 'pool') {
      kept.push(unit);
      return;
    }
    if (
      !inContext ||
      keyIds[K_LANGUAGE] !== last[K_LANGUAGE] ||
      keyIds[K_COUNTRY] !== last[K_COUNTRY] ||
      keyIds[K_TEMPLATE] !== last[K_TEMPLATE] ||
      unit.paraphrase !== lastParaphrase ||
      keyIds[K_ORDER] !== last[K_ORDER] ||
      keyIds[K_MODEL] !== last[K_MODEL]
    ) {
      const country = keyIds[K_COUNTRY];
      const key = `${keyIds[K_LANGUAGE]}.${country < 0 ? '' : country}.${keyIds[K_TEMPLATE]}.${unit.paraphrase ?? ''}.${keyIds[K_ORDER]}.${keyIds[K_MODEL]}`;
      inContext = contexts.get(key);
      if (!inContext) contexts.set(key, (inContext = new Map()));
      last.set(keyIds);
      lastParaphrase = unit.paraphrase;
    }
    const time = runTime(r, keyIds[K_RUN]);
    let slots = inContext.get(keyIds[K_ITEM]);
    if (!slots) inContext.set(keyIds[K_ITEM], (slots = new ConditionSlots()));
    const slot = slots.get(unit.round);
    if (slot === undefined) {
      slots.set(unit.round, slotRun.length);
      slotRun.push(unit.runId);
      slotTime.push(time);
      slotFirst.push(kept.length);
      kept.push(unit);
    } else if (slotRun[slot] === unit.runId) {
      // Same run, same key: repetitions that lost their round (format 1) — all kept.
      let more = slotMore.get(slot);
      if (!more) slotMore.set(slot, (more = []));
      more.push(kept.length);
      kept.push(unit);
    } else if (time > slotTime[slot] || (time === slotTime[slot] && unit.runId > slotRun[slot])) {
      kept[slotFirst[slot]] = undefined;
      counts.superseded++;
      const more = slotMore.get(slot);
      if (more) {
        for (const i of more) kept[i] = undefined;
        counts.superseded += more.length;
        slotMore.delete(slot);
      }
      slotRun[slot] = unit.runId;
      slotTime[slot] = time;
      slotFirst[slot] = kept.length;
      kept.push(unit);
    } else {
      counts.superseded++;
    }
  };

  return {
    add: take,
    addBadLines(bad: number): void {
      if (!(bad > 0)) return;
      counts.read += bad;
      counts.skipped['bad-line'] = (counts.skipped['bad-line'] ?? 0) + bad;
    },
    selection(): Selection {
      const units: ResponseUnit[] = [];
      for (let i = 0; i < kept.length; i++) if (kept[i]) units.push(kept[i] as ResponseUnit);
      // A copy: later adds must not change a selection already handed out.
      return { units, counts: { ...counts, skipped: { ...counts.skipped }, used: units.length }, rule };
    },
  };
}

/** Slots of one condition key by round: an array for the usual small whole rounds, a Map for any other. */
class ConditionSlots {
  private readonly dense: number[] = [];
  private sparse: Map<number, number> | undefined;

  get(round: number): number | undefined {
    return isDense(round) ? this.dense[round] : this.sparse?.get(round);
  }

  set(round: number, slot: number): void {
    if (isDense(round)) this.dense[round] = slot;
    else (this.sparse ??= new Map()).set(round, slot);
  }
}

// Rounds count from 0 in steps of 1 (-0 is index 0 as well, one round as in a `${round}` key).
const isDense = (round: number): boolean => Number.isInteger(round) && round >= 0 && round < 1 << 20;

function isBatchSource(records: unknown): records is { batches(): AsyncIterable<RunRecord[]> } {
  return typeof (records as { batches?: unknown }).batches === 'function';
}

function badLinesOf(records: unknown): number {
  const n = (records as Partial<BadLineSource> | null)?.badLineCount;
  return typeof n === 'number' && Number.isFinite(n) ? n : 0;
}

/** One shared copy of each string, and its small integer id. */
class StringTable {
  private readonly ids = new Map<string, number>();
  readonly names: string[] = [];

  id(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.names.length;
      this.ids.set(s, id);
      this.names.push(s);
    }
    return id;
  }

  intern(s: string): string {
    return this.names[this.id(s)];
  }
}

// Where unitOf leaves the string ids of a unit's condition-key fields and its run (−1: no country).
const K_ITEM = 0;
const K_LANGUAGE = 1;
const K_COUNTRY = 2;
const K_TEMPLATE = 3;
const K_ORDER = 4;
const K_MODEL = 5;
const K_RUN = 6;
const KEY_FIELDS = 7;

/** item × language × country × template × paraphrase × order × model × round. */
export function conditionKey(
  u: Pick<ResponseUnit, 'itemId' | 'language' | 'country' | 'template' | 'paraphrase' | 'order' | 'modelId' | 'round'>,
): string {
  return `${u.itemId}\u0001${u.language}\u0001${u.country ?? ''}\u0001${u.template}\u0001${u.paraphrase ?? ''}\u0001${u.order}\u0001${u.modelId}\u0001${u.round}`;
}

function unitOf(
  r: ScoreResult | StanceResult,
  item: SelectItem | undefined,
  models: SelectContext['models'],
  strings: StringTable,
  values: UnitValues,
  keyIds: Int32Array,
): ResponseUnit | undefined {
  let mean: number | undefined;
  let pro: number | undefined;
  let probabilities: Record<string, number> | undefined;
  let codes: string[] | undefined;
  if (r.kind === 'stance') {
    if (!(Number.isFinite(r.proShare) && r.proShare >= 0 && r.proShare <= 1)) return undefined;
    pro = r.proShare;
  } else {
    if (!Number.isFinite(r.mean)) return undefined;
    mean = r.mean;
    probabilities = r.probabilities;
    codes = Object.keys(probabilities);
    if (item?.scale) {
      const p = proMass(r.probabilities, codes, item.scale);
      if (Number.isFinite(p)) pro = p;
    }
  }
  const { names } = strings;
  const modelIdN = (keyIds[K_MODEL] = strings.id(r.modelId ?? r.model));
  const modelId = names[modelIdN];
  const runIdN = (keyIds[K_RUN] = strings.id(r.runId));
  const languageN = (keyIds[K_LANGUAGE] = strings.id(r.language));
  const countryN = (keyIds[K_COUNTRY] = r.country == null ? -1 : strings.id(r.country));
  const templateN = (keyIds[K_TEMPLATE] = strings.id(r.template));
  const orderN = (keyIds[K_ORDER] = strings.id(r.order ?? orderName(r.optionOrder)));
  const itemIdN = (keyIds[K_ITEM] = strings.id(r.itemId));
  const runId = names[runIdN];
  const model = strings.intern(r.model);
  const modelAttributes = models?.get(modelId) ?? NO_ATTRIBUTES;
  const language = names[languageN];
  const country = countryN < 0 ? null : names[countryN];
  const template = names[templateN];
  const paraphrase = r.paraphrase ?? null;
  const order = names[orderN];
  const round = roundOf(r);
  const itemId = names[itemIdN];
  const itemKey = item ? strings.intern(item.key || r.itemId) : itemId;
  const category = strings.intern(item?.category ?? r.category ?? '');
  const method = strings.intern(r.method);
  const shared = probabilities ? values.distribution(probabilities, codes) : undefined;
  const optionOrder = probabilities && r.optionOrder?.length ? values.order(r.optionOrder) : undefined;
  // The usual unit (a distribution with its mean, pro share and order) in one literal: its fields live in
  // the object, not in a second array of properties added one by one (memory and a pointer per read).
  // Same keys in the same order as the general case below.
  if (mean !== undefined && pro !== undefined && shared && optionOrder) {
    return {
      runId,
      modelId,
      model,
      modelAttributes,
      language,
      country,
      template,
      paraphrase,
      order,
      round,
      itemId,
      itemKey,
      category,
      method,
      mean,
      pro,
      probabilities: shared,
      optionOrder,
    };
  }
  const unit: ResponseUnit = {
    runId,
    modelId,
    model,
    modelAttributes,
    language,
    country,
    template,
    paraphrase,
    order,
    round,
    itemId,
    itemKey,
    category,
    method,
  };
  // Absent measures are absent keys (not `undefined` values), as the contract's optional fields say.
  if (mean !== undefined) unit.mean = mean;
  if (pro !== undefined) unit.pro = pro;
  if (shared) unit.probabilities = shared;
  if (optionOrder) unit.optionOrder = optionOrder;
  return unit;
}

/** Mass on the pro codes over the mass on all non-negative codes (missing codes: src/core/stats/share.ts). */
function proMass(probabilities: Record<string, number>, codes: readonly string[], scale: NonNullable<SelectItem['scale']>): number {
  const proCodes = scale.proCodes ? new Set(scale.proCodes) : undefined;
  let pro = 0;
  let total = 0;
  for (const key of codes) {
    const p = probabilities[key];
    const code = Number(key);
    if (!Number.isFinite(code) || code < 0 || !(p > 0)) continue;
    total += p;
    if (proCodes ? proCodes.has(code) : isProCode(code, scale.max, scale.reversed)) pro += p;
  }
  return total > 0 ? pro / total : NaN;
}

type RecordFilter = (r: ScoreResult | StanceResult, item: SelectItem | undefined) => boolean;

function compileFilter(filter: StudyFilter | undefined): RecordFilter | undefined {
  if (!filter) return undefined;
  const set = (values: string[] | undefined): Set<string> | undefined => (values && values.length ? new Set(values) : undefined);
  const items = set(filter.items);
  const categories = set(filter.categories);
  const languages = set(filter.languages);
  const countries = set(filter.countries?.map((c) => c.toUpperCase()));
  const templates = set(filter.templates);
  const models = set(filter.models);
  const orders = set(filter.orders);
  if (!items && !categories && !languages && !countries && !templates && !models && !orders) return undefined;
  return (r, item) => {
    if (items && !items.has(r.itemId)) return false;
    if (categories && !categories.has(item?.category ?? r.category ?? '')) return false;
    if (languages && !languages.has(r.language)) return false;
    // A country filter keeps only conditions that name one of those countries (not the cue-less ones).
    if (countries && (r.country == null || !countries.has(r.country.toUpperCase()))) return false;
    if (templates && !templates.has(r.template)) return false;
    if (models && !models.has(r.modelId ?? r.model) && !models.has(r.model)) return false;
    if (orders && !orders.has(r.order ?? orderName(r.optionOrder))) return false;
    return true;
  };
}
