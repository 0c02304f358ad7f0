// Sections the item hover adds below the results: failures since the result shown, the option-order check
// (labelled, never mixed with the inline results), and the first-token-vs-text flag. Pure: markdown text.
import type { RunRecord } from '../core/results';
import { escapeCell } from '../core/language/services/hover';
import { formatTime, isStale } from '../core/resultText';
import type { FirstTokenTextRow } from '../core/study/analysisTypes';
import { orderCheckFigures } from './orderCheck';
import type { FailureCount } from './resultsState';

export type Translate = (message: string, ...args: (string | number)[]) => string;
const plain: Translate = (message, ...args) =>
  message.replace(/\{(\d+)\}/g, (m, i: string) => (args[Number(i)] === undefined ? m : String(args[Number(i)])));

function ordered(languages: Iterable<string>, order: readonly string[]): string[] {
  const list = [...new Set(languages)];
  return [...order.filter((l) => list.includes(l)), ...list.filter((l) => !order.includes(l)).sort()];
}

/** "Failed since the result shown": per language, the count and the latest message. */
export function failuresMarkdown(
  latest: Record<string, RunRecord>,
  failures: Record<string, FailureCount>,
  order: readonly string[],
  t: Translate = plain,
): string {
  const languages = ordered(
    Object.keys(failures).filter((key) => !key.includes('#') && latest[key] && latest[key].kind !== 'failure'),
    order,
  );
  if (languages.length === 0) return '';
  const lines = languages.map((l) => {
    const f = failures[l]!;
    return `- **${l}** ${t('{0} failed run(s), last {1}: {2}', f.count, formatTime(f.at), escapeCell(f.message))}`;
  });
  return [`**${t('Failed since the result shown')}** ${t('(the result above is the last good one)')}`, ...lines].join('\n');
}

/**
 * The option-order check of this item: per language the order-averaged mean and the position bias (total
 * variation of the position shares from uniform), from the original-order result and the other orders'.
 */
export function orderCheckMarkdown(
  latest: Record<string, RunRecord>,
  orders: Record<string, Record<string, RunRecord>>,
  currentHash: string | undefined,
  order: readonly string[],
  t: Translate = plain,
): string {
  const names = Object.keys(orders).sort();
  if (names.length === 0) return '';
  const records = [...Object.values(latest), ...names.flatMap((n) => Object.values(orders[n]!))].filter((r) => !isStale(r, currentHash));
  const { bias, averaged } = orderCheckFigures(records);
  if (bias.length === 0) return '';
  const lines = ordered(
    bias.map((r) => r.language),
    order,
  ).map((language) => {
    const b = bias.find((r) => r.language === language)!;
    const a = averaged.find((r) => r.language === language && r.model === b.model);
    const mean = a?.mean === null || a?.mean === undefined ? '–' : a.mean.toFixed(2);
    return `- **${language}** ${t('order-averaged mean {0} · position bias {1} (shares by position {2}, uniform {3})', mean, b.totalVariation.estimate.toFixed(2), b.positions.map((p) => p.share.estimate.toFixed(2)).join(' '), b.uniform.toFixed(2))}`;
  });
  return [
    `**${t('Option-order check')}** (${t('orders: {0}', ['original', ...names].join(', '))}; \`${bias[0]!.model.replace(/`/g, '')}\`)`,
    ...lines,
  ].join('\n');
}

/** The first-token-vs-text check flagged this item: which model and language, which codes. */
export function firstTokenMarkdown(rows: readonly FirstTokenTextRow[] | undefined, itemId: string, t: Translate = plain): string {
  const hits = (rows ?? []).flatMap((row) => row.disagreements.filter((d) => d.itemId === itemId).map((d) => ({ row, d })));
  if (hits.length === 0) return '';
  const lines = hits
    .slice(0, 8)
    .map(
      ({ row, d }) =>
        `- **${row.language}** \`${row.model.replace(/`/g, '')}\`: ${t('first token {0}, text answer {1}', d.firstToken, d.text)}${d.country ? ` · ${d.country}` : ''}${d.paraphrase !== null ? ` · ${t('paraphrase {0}', d.paraphrase + 1)}` : ''}`,
    );
  if (hits.length > 8) lines.push(`- ${t('and {0} more', hits.length - 8)}`);
  return [
    `$(warning) **${t('First token and text disagree')}** ${t('(the first-token reading of this item may not be what the model answers; see docs/methods.md)')}`,
    ...lines,
  ].join('\n');
}
