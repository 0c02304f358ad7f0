// The option-order check's figures for records of the editor's implicit study, with the study's own
// definitions (src/core/study/positions.ts, docs/methods.md): position bias per model × language — the
// share of probability on each shown position, averaged over the orders, against the uniform 1/K, and its
// total variation ½Σ|share − 1/K| — and the order-averaged mean (the mean over the orders' mean scores).
// Pure: no vscode import.
import type { ResponseUnit } from '../core/corpus/types';
import type { RunRecord, ScoreResult } from '../core/results';
import type { OrderAveragedRow, PositionBiasRow } from '../core/study/analysisTypes';
import { orderAveragedRows, positionBiasRows } from '../core/study/positions';
import { recordOrder } from './resultsState';

export interface OrderCheckFigures {
  bias: PositionBiasRow[];
  averaged: OrderAveragedRow[];
}

/** The fields of a response unit positions.ts reads, from a scored record of the implicit study. */
function unitOf(r: ScoreResult): ResponseUnit {
  return {
    runId: r.runId,
    modelId: r.modelId ?? r.model,
    model: r.model,
    modelAttributes: {},
    language: r.language,
    country: r.country ?? null,
    template: r.template,
    paraphrase: r.paraphrase,
    order: recordOrder(r),
    optionOrder: r.optionOrder,
    round: r.round ?? 0,
    itemId: r.itemId,
    itemKey: r.itemId,
    category: r.category ?? '',
    method: r.method,
    mean: r.mean,
    probabilities: r.probabilities,
  };
}

/**
 * Figures from records in two or more orders. The latest record per condition and order counts (records
 * come oldest first, as in the corpus). `bootstrap` iterations resample items (0: no interval; one item
 * has none anyway).
 */
export function orderCheckFigures(records: readonly RunRecord[], bootstrap = { iterations: 0, seed: 1 }): OrderCheckFigures {
  const latest = new Map<string, ResponseUnit>();
  for (const r of records) {
    if (r.kind !== 'result') continue;
    const u = unitOf(r);
    latest.set([u.itemId, u.language, u.country ?? '', u.template, u.paraphrase ?? '', u.order, u.modelId, u.round].join('\u0001'), u);
  }
  const units = [...latest.values()];
  return { bias: positionBiasRows(units, { bootstrap }), averaged: orderAveragedRows(units) };
}
