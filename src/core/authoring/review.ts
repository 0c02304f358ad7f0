// Summaries for the self-consistency review and the option-order check, from analyze() output and run
// records. Pure, so the editor only shows what these return.
import type { ConsistencyRow } from '../analysis';
import type { ParaphraseSet } from '../language/ast';
import type { RunRecord, ScoreResult } from '../results';
import { isNoSpread } from '../resultText';
import { orderKind } from '../stats/analyze';

export interface MovingItem {
  itemId: string;
  title: string;
  language: string;
  model: string;
  /** Standard deviation of the item's mean score across paraphrases. */
  dispersion: number;
  /** Index of the paraphrase farthest from the item's mean, and its text when the set is known. */
  paraphrase: number | null;
  paraphraseText?: string;
}

/** The paraphrase text with that index in a language, from the sets of the template. */
export function paraphraseText(sets: ParaphraseSet[], template: string, language: string, index: number | null): string | undefined {
  if (index === null) return undefined;
  const texts = sets.filter((s) => s.templateName === template).flatMap((s) => s.variants[language] ?? []);
  return texts[index]?.value;
}

/** Items whose answers move most across paraphrases, over all languages, most dispersed first. */
export function movingItems(rows: ConsistencyRow[], sets: ParaphraseSet[], template: string, limit = 20): MovingItem[] {
  const out: MovingItem[] = [];
  for (const row of rows) {
    if (row.template !== template) continue;
    for (const item of row.items) {
      out.push({
        itemId: item.itemId,
        title: item.title,
        language: row.language,
        model: row.model,
        dispersion: item.dispersion,
        // sd 0.00: no paraphrase moved it, whatever rounding error picked (issue 19).
        paraphrase: isNoSpread(item.dispersion) ? null : item.mostDeviantParaphrase,
        paraphraseText: isNoSpread(item.dispersion) ? undefined : paraphraseText(sets, template, row.language, item.mostDeviantParaphrase),
      });
    }
  }
  return out
    .sort((a, b) => b.dispersion - a.dispersion || a.itemId.localeCompare(b.itemId) || a.language.localeCompare(b.language))
    .slice(0, limit);
}

/**
 * How one moving item reads in the log and the pick list, in one number format (2 decimals, as everywhere
 * in the review): `Q45 · da: sd 0.21 across paraphrases; moved most by paraphrase 3: …`, or `…; all
 * paraphrases agree` when the spread shows as 0.00.
 */
export function movingItemLine(m: MovingItem): string {
  return `${m.itemId} · ${m.language}: sd ${m.dispersion.toFixed(2)} across paraphrases; ${movingItemDetail(m)}`;
}

export function movingItemDetail(m: MovingItem): string {
  if (m.paraphrase === null) return 'all paraphrases agree';
  return `moved most by paraphrase ${m.paraphrase + 1}${m.paraphraseText ? `: ${m.paraphraseText}` : ''}`;
}

/** One line per language: mean pairwise Spearman across paraphrases. */
export function consistencyLines(rows: ConsistencyRow[], template: string): string[] {
  return rows
    .filter((r) => r.template === template)
    .map(
      (r) =>
        `${r.model} · ${r.language}: mean pairwise Spearman ${r.meanSpearman === null ? 'n/a (fewer than 2 paraphrases or items)' : r.meanSpearman.toFixed(2)} over ${r.pairs} pair${r.pairs === 1 ? '' : 's'}`,
    );
}

export interface OrderShift {
  language: string;
  model: string;
  itemId: string;
  original: number;
  reversed: number;
  /** reversed − original mean score: the position-bias figure. */
  shift: number;
}

/**
 * Pairs results of the same item, language, model, template and paraphrase in original and reversed
 * option order (the latest of each) and returns the shift in mean score per item and language.
 */
export function optionOrderShifts(records: RunRecord[]): OrderShift[] {
  const pairs = new Map<string, { original?: ScoreResult; reversed?: ScoreResult }>();
  for (const r of records) {
    if (r.kind !== 'result' || !Number.isFinite(r.mean)) continue;
    const kind = orderKind(r.optionOrder);
    if (kind === 'other') continue;
    const key = [r.model, r.language, r.itemId, r.template, r.paraphrase ?? 'base', r.method].join('\u0000');
    const slot = pairs.get(key) ?? {};
    if (!slot[kind] || slot[kind]!.at <= r.at) slot[kind] = r;
    pairs.set(key, slot);
  }
  const out: OrderShift[] = [];
  for (const slot of pairs.values()) {
    if (!slot.original || !slot.reversed) continue;
    const o = slot.original;
    out.push({
      language: o.language,
      model: o.model,
      itemId: o.itemId,
      original: o.mean,
      reversed: slot.reversed.mean,
      shift: slot.reversed.mean - o.mean,
    });
  }
  return out.sort((a, b) => a.itemId.localeCompare(b.itemId) || a.language.localeCompare(b.language));
}

function signed(x: number): string {
  return `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(2)}`;
}

/** "da: 2.41 → 2.73 (shift +0.32)" per language, for the message and the log. */
export function optionOrderLines(shifts: OrderShift[]): string[] {
  return shifts.map(
    (s) =>
      `${s.itemId} · ${s.language}: mean ${s.original.toFixed(2)} (original order) → ${s.reversed.toFixed(2)} (reversed), shift ${signed(s.shift)}`,
  );
}
