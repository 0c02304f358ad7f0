// The words of the item lens row and the file lens: short, so that a row with results in four languages,
// paraphrases, failures and a study still fits beside the minimap (issue 19: the row overflowed at 1400 px).
// Details live in tooltips, the hover and the "⋯" quick pick. Pure: no vscode import (strings are passed
// through `t`, the caller's vscode.l10n.t), so the widths are unit-tested.
import type { RunRecord } from '../core/results';
import { formatScore, isNoSpread, isStale, SPINNER, wasCancelled, type ItemResultsView } from '../core/resultText';
import type { FailureCount } from './resultsState';

export type Translate = (message: string, ...args: (string | number)[]) => string;
const plain: Translate = (message, ...args) =>
  message.replace(/\{(\d+)\}/g, (m, i: string) => (args[Number(i)] === undefined ? m : String(args[Number(i)])));

export interface ItemLensView extends ItemResultsView {
  failures: Record<string, FailureCount>;
}

/** Languages named in the Score lens; the rest are counted ("+3") and listed in its tooltip. */
export const SUMMARY_LANGUAGES = 4;

function orderedLanguages(view: ItemResultsView, order: readonly string[]): string[] {
  const keys = Object.keys(view.latest);
  return [...order.filter((l) => keys.includes(l)), ...keys.filter((l) => !order.includes(l)).sort()];
}

/** The figure a record shows: the mean, the judge's pro share, – if the run was stopped first, or ✗. */
export function recordValue(record: RunRecord): string {
  if (record.kind === 'result') return formatScore(record.mean);
  if (record.kind === 'stance') return `pro ${formatScore(record.proShare)}`;
  return wasCancelled(record) ? '–' : '✗';
}

/** `da 2.10`, with `✗2` when two runs failed since that result. */
function languagePart(view: ItemLensView, language: string): string {
  const record = view.latest[language]!;
  const failed = record.kind !== 'failure' ? (view.failures[language]?.count ?? 0) : 0;
  return `${language} ${recordValue(record)}${failed ? ` ✗${failed}` : ''}`;
}

function running(view: ItemResultsView): boolean {
  return (view.running?.size ?? 0) > 0 && !(view.running!.size === 1 && view.running!.has('paraphrases'));
}

export function scoreLensTitle(view: ItemLensView, order: readonly string[], t: Translate = plain): string {
  if (running(view)) return `${SPINNER} ${t('Scoring…')}`;
  const languages = orderedLanguages(view, order);
  if (languages.length === 0) return `$(play) ${t('Score')}`;
  const shown = languages.slice(0, SUMMARY_LANGUAGES).map((l) => languagePart(view, l));
  const more = languages.length > SUMMARY_LANGUAGES ? ` +${languages.length - SUMMARY_LANGUAGES}` : '';
  const stale = languages.some((l) => isStale(view.latest[l]!, view.currentHash)) ? ` $(warning) ${t('stale')}` : '';
  return `$(play) ${t('Score')}: ${shown.join(' · ')}${more}${stale}`;
}

/** Everything the Score lens leaves out: every language, staleness, failures since the result shown. */
export function scoreLensTooltip(view: ItemLensView, order: readonly string[], t: Translate = plain): string {
  const languages = orderedLanguages(view, order);
  const lines = [t('Score in all languages with the active template and model')];
  for (const language of languages) {
    const record = view.latest[language]!;
    const failure = view.failures[language];
    let line = `${language}: ${recordValue(record)}`;
    if (isStale(record, view.currentHash)) line += ` — ${t('stale (the item changed since this run)')}`;
    if (failure && record.kind !== 'failure')
      line += ` — ${t('{0} failed run(s) since this result (last: {1}); the value shown is the last good one', failure.count, failure.message)}`;
    else if (record.kind === 'failure') line += ` — ${record.error.message}`;
    lines.push(line);
  }
  return lines.join('\n');
}

function sd(values: number[]): number {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return values.length > 1 ? Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1)) : 0;
}

/** `Paraphrases`, or after a run `Paraphrases ±0.12`: the largest sd over the item's languages. */
export function paraphrasesLensTitle(view: ItemResultsView, t: Translate = plain): string {
  if (view.running?.has('paraphrases')) return `${SPINNER} ${t('Paraphrases…')}`;
  let largest: number | undefined;
  for (const byIndex of Object.values(view.paraphrases ?? {})) {
    const means = Object.values(byIndex).flatMap((r) => (r.kind === 'result' && Number.isFinite(r.mean) ? [r.mean] : []));
    if (means.length < 2) continue;
    const spread = sd(means);
    largest = largest === undefined ? spread : Math.max(largest, spread);
  }
  if (largest === undefined) return `$(list-flat) ${t('Paraphrases')}`;
  return `$(list-flat) ${t('Paraphrases')} ${isNoSpread(largest) ? '±0' : `±${largest.toFixed(2)}`}`;
}

export const MORE_LENS_TITLE = '⋯';

/**
 * The file lens: alignment r per language (Pearson r of the model's item means with the human reference of
 * the language's first country), once per file. Empty when no language has an r.
 */
export function alignmentLensTitle(alignment: Record<string, number | null>, order: readonly string[], t: Translate = plain): string {
  const languages = [
    ...order.filter((l) => l in alignment),
    ...Object.keys(alignment)
      .filter((l) => !order.includes(l))
      .sort(),
  ];
  if (!languages.some((l) => typeof alignment[l] === 'number')) return '';
  const parts = languages.map((l) => `${l} ${typeof alignment[l] === 'number' ? alignment[l]!.toFixed(2) : '–'}`);
  return `$(graph) ${t('r vs human data')}: ${parts.join(' · ')}`;
}
