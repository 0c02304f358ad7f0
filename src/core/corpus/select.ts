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
  const runTimes = new Map<string, number>();
  // Parsed records carry a fresh copy of every string; units share one copy of each, and condition keys
  // are built from the strings' small integer ids (short keys: less memory for a million conditions).
  const ids = new Map<string, number>();
  const names: string[] = [];
  const idOf = (s: string): number => {
    let id = ids.get(s);
    if (id === undefined) {
      id = names.length;
      ids.set(s, id);
      names.push(s);
    }
    return id;
  };
  const intern = (s: string): string => names[idOf(s)];
  const values = new UnitValues();

  // Rule 'latest': one slot per condition key holding the run it uses and where its units are in `kept`.
  // A condition is found by its key without the round (one string per item × language × … × model, not per
  // condition: a million conditions made a million key strings), then by the round in that key's table.
  const kept: (ResponseUnit | undefined)[] = [];
  const slotsOf = new Map<string, ConditionSlots>();
  const slotRun: string[] = [];
  const slotTime: number[] = [];
  const slotFirst: number[] = [];
  /** Further units of a slot from the same run (format-1 repetitions without a round): rare. */
  const slotMore = new Map<number, number[]>();

  const runTime = (r: RunRecord): number => {
    let t = runTimes.get(r.runId);
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
      runTimes.set(r.runId, t);
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
    const unit = unitOf(r, item, models, intern, values);
    if (!unit) return skip('no-measure');
    if (rule === 'pool') {
      kept.push(unit);
      return;
    }
    const key = `${idOf(unit.itemId)}.${idOf(unit.language)}.${unit.country === null ? '' : idOf(unit.country)}.${idOf(unit.template)}.${unit.paraphrase ?? ''}.${idOf(unit.order)}.${idOf(unit.modelId)}`;
    const time = runTime(r);
    let slots = slotsOf.get(key);
    if (!slots) slotsOf.set(key, (slots = new ConditionSlots()));
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

/** item × language × country × template × paraphrase × order × model × round. */
export function conditionKey(u: Pick<ResponseUnit, 'itemId' | 'language' | 'country' | 'template' | 'paraphrase' | 'order' | 'modelId' | 'round'>): string {
  return `${u.itemId}\u0001${u.language}\u0001${u.country ?? ''}\u0001${u.template}\u0001${u.paraphrase ?? ''}\u0001${u.order}\u0001${u.modelId}\u0001${u.round}`;
}

function unitOf(r: ScoreResult | StanceResult, item: SelectItem | undefined, models: SelectContext['models'], intern: (s: string) => string, values: UnitValues): ResponseUnit | undefined {
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
  const modelId = intern(r.modelId ?? r.model);
  const unit: ResponseUnit = {
    runId: intern(r.runId),
    modelId,
    model: intern(r.model),
    modelAttributes: models?.get(modelId) ?? NO_ATTRIBUTES,
    language: intern(r.language),
    country: r.country == null ? null : intern(r.country),
    template: intern(r.template),
    paraphrase: r.paraphrase ?? null,
    order: intern(r.order ?? orderName(r.optionOrder)),
    round: roundOf(r),
    itemId: intern(r.itemId),
    itemKey: item ? intern(item.key || r.itemId) : intern(r.itemId),
    category: intern(item?.category ?? r.category ?? ''),
    method: intern(r.method),
  };
  // Absent measures are absent keys (not `undefined` values), as the contract's optional fields say.
  if (mean !== undefined) unit.mean = mean;
  if (pro !== undefined) unit.pro = pro;
  if (probabilities) unit.probabilities = values.distribution(probabilities, codes);
  if (probabilities && r.optionOrder?.length) unit.optionOrder = values.order(r.optionOrder);
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
