// Text builders for results shown in the editor: lens titles, end-of-line decorations and the item hover.
// Pure, so the wording is unit-tested without VS Code. `$(name)` are codicons the editor renders.
import type { RunRecord, ScoreResult } from './results';
import type { Scale } from './language/ast';
import { escapeCell } from './language/services/hover';
import { english, type Translate } from './message';

export interface ItemResultsView {
  /** Latest record per language for the template itself (paraphrase null). */
  latest: Record<string, RunRecord>;
  /** Latest record per language and paraphrase index. */
  paraphrases?: Record<string, Record<string, RunRecord>>;
  /** itemHash of the item as it is in the file now; results with another hash are stale. */
  currentHash?: string;
  /** Languages being scored right now ('*' = the whole item). */
  running?: ReadonlySet<string>;
  /** Alignment r vs human data per language, when an analysis is available. */
  r?: Record<string, number | null | undefined>;
  /** Self-consistency per language (mean pairwise Spearman across the template's paraphrases). */
  consistency?: Record<string, number | null | undefined>;
}

export const SPINNER = '$(sync~spin)';

export function formatScore(value: number): string {
  return Number.isFinite(value) ? value.toFixed(2) : '–';
}

export function isStale(record: RunRecord, currentHash: string | undefined): boolean {
  return currentHash !== undefined && record.itemHash !== currentHash;
}

function orderedLanguages(view: ItemResultsView, order: readonly string[]): string[] {
  const keys = Object.keys(view.latest);
  return [...order.filter((l) => keys.includes(l)), ...keys.filter((l) => !order.includes(l)).sort()];
}

/** Per language (in display order) the scored paraphrase results as { index, mean }; languages without any are left out. */
function paraphraseScores(
  view: ItemResultsView,
  order: readonly string[],
): { language: string; scored: { index: number; mean: number }[] }[] {
  const byLanguage = view.paraphrases ?? {};
  const langs = [...order.filter((l) => byLanguage[l]), ...Object.keys(byLanguage).filter((l) => !order.includes(l))];
  return langs
    .map((language) => ({
      language,
      scored: Object.entries(byLanguage[language] ?? {})
        .filter((entry): entry is [string, ScoreResult] => entry[1].kind === 'result')
        .map(([index, record]) => ({ index: Number(index), mean: record.mean })),
    }))
    .filter((entry) => entry.scored.length > 0);
}

function isRunning(view: ItemResultsView, language?: string): boolean {
  if (!view.running || view.running.size === 0) return false;
  return language === undefined || view.running.has('*') || view.running.has(language);
}

/** A request the user stopped before it was answered: not scored, and not a failure of the model or server. */
export function wasCancelled(record: RunRecord): boolean {
  return record.kind === 'failure' && record.error.kind === 'cancelled';
}

/** `en 2.31` for a result, `en pro 0.40` for a judged (stance) result, `en ✗` for a failure, `en –` if cancelled. */
export function languageScore(language: string, record: RunRecord): string {
  if (record.kind === 'result') return `${language} ${formatScore(record.mean)}`;
  if (record.kind === 'stance') return `${language} pro ${formatScore(record.proShare)}`;
  return wasCancelled(record) ? `${language} –` : `${language} ✗`;
}

/** `en 2.31 · da 2.10 · nl 2.05 · pt 2.40` in the declared language order. */
export function summaryLine(view: ItemResultsView, order: readonly string[]): string {
  return orderedLanguages(view, order)
    .map((l) => languageScore(l, view.latest[l]!))
    .join(' · ');
}

export function anyStale(view: ItemResultsView): boolean {
  return Object.values(view.latest).some((r) => isStale(r, view.currentHash));
}

export function scoreLensTitle(view: ItemResultsView, order: readonly string[]): string {
  if (isRunning(view)) return `${SPINNER} Scoring…`;
  const summary = summaryLine(view, order);
  if (!summary) return '$(play) Score';
  return `$(play) Score: ${summary}${anyStale(view) ? ' $(warning) stale' : ''}`;
}

function formatR(r: number | null | undefined): string {
  return typeof r === 'number' && Number.isFinite(r) ? ` · r ${r.toFixed(2)}` : '';
}

export function languageLensTitle(view: ItemResultsView, language: string): string {
  if (isRunning(view, language)) return `${SPINNER} ${language}…`;
  const record = view.latest[language];
  if (!record) return language;
  if (record.kind === 'failure') return `${language} ✗ failed`;
  const stale = isStale(record, view.currentHash) ? ' $(warning) stale' : '';
  if (record.kind === 'stance') return `${language} pro ${formatScore(record.proShare)}${stale}`;
  return `${language} ${formatScore(record.mean)} · mode ${record.mode}${formatR(view.r?.[language])}${stale}`;
}

/**
 * A spread too small to show: below half a unit of the second decimal, where every figure shown reads 0.00.
 * Naming a "most moving" paraphrase there would point at floating-point noise.
 */
export const NO_SPREAD = 0.005;

export function isNoSpread(sd: number): boolean {
  return !(Math.abs(sd) >= NO_SPREAD);
}

function meanAndSd(values: number[]): { mean: number; sd: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = values.length > 1 ? Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1)) : 0;
  return { mean, sd };
}

/** `Paraphrases`, or after a run `Paraphrases: en 2.30 ±0.12 (10)` per language. */
export function paraphrasesLensTitle(view: ItemResultsView, order: readonly string[]): string {
  if (view.running?.has('paraphrases')) return `${SPINNER} Paraphrases…`;
  const parts = paraphraseScores(view, order).map(({ language, scored }) => {
    const { mean, sd } = meanAndSd(scored.map((s) => s.mean));
    return `${language} ${formatScore(mean)} ±${sd.toFixed(2)} (${scored.length})`;
  });
  return parts.length ? `$(list-flat) Paraphrases: ${parts.join(' · ')}` : '$(list-flat) Paraphrases';
}

/** The compact end-of-line text; empty when there is nothing to show. */
export function decorationText(view: ItemResultsView, order: readonly string[], t: Translate = english): string {
  if (isRunning(view)) return `  ⋯ ${t('scoring')}`;
  const summary = summaryLine(view, order);
  if (!summary) return '';
  return `  ${summary}${anyStale(view) ? `  (${t('stale')})` : ''}`;
}

/** A 20-cell bar for a probability. */
export function bar(p: number, width = 20): string {
  const filled = Math.max(0, Math.min(width, Math.round(p * width)));
  return '█'.repeat(filled) + '░'.repeat(width - filled);
}

export function formatTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function optionLabel(scale: Scale | undefined, language: string, code: number): string {
  const option = scale?.options.find((o) => o.code === code);
  return option?.labels[language] ?? option?.labels.en ?? '';
}

/** Markdown section with the distribution per language (bar text), missMass, method, model, time, staleness. */
export function resultsHoverMarkdown(view: ItemResultsView, order: readonly string[], scale?: Scale, t: Translate = english): string {
  const langs = orderedLanguages(view, order);
  if (langs.length === 0) {
    if (isRunning(view)) return `${SPINNER} ${t('Scoring…')}`;
    return paraphraseSpreadMarkdown(view, order, t) || t('_Not scored yet — use the **Score** lens._');
  }
  const out: string[] = [`**${t('Results')}**`];
  if (isRunning(view)) out.push('', `${SPINNER} ${t('Scoring…')}`);
  for (const language of langs) {
    const record = view.latest[language]!;
    const stale = isStale(record, view.currentHash) ? ` — ⚠ ${t('**stale** (the item changed since this run)')}` : '';
    out.push('');
    if (record.kind === 'failure') {
      out.push(
        `**${language}** ${t('failed: {0}', escapeCell(record.error.message))} · ${record.model} · ${formatTime(record.at)}${stale}`,
      );
      continue;
    }
    if (record.kind === 'stance') {
      const counts = record.pro !== undefined && record.con !== undefined ? ` ${t('({0} pro, {1} con)', record.pro, record.con)}` : '';
      out.push(
        `**${language}** ${t('pro share {0}', formatScore(record.proShare))}${counts} · \`${record.model.replace(/`/g, '')}\` · ${formatTime(record.at)}${stale}`,
      );
      continue;
    }
    const extra = record.method === 'sample' && record.samples ? ` ${t('({0} samples)', record.samples)}` : '';
    out.push(
      `**${language}** ${t('mean {0}', formatScore(record.mean))} · ${t('mode {0}', record.mode)} · missMass ${record.missMass.toFixed(3)} · ` +
        `${record.method}${extra} · \`${record.model.replace(/`/g, '')}\` · ${formatTime(record.at)}${record.cached ? ` · ${t('cached')}` : ''}${formatR(view.r?.[language])}${stale}`,
    );
    const codes = Object.keys(record.probabilities).sort((a, b) => Number(a) - Number(b));
    const rows = codes.map((code) => {
      const p = record.probabilities[code] ?? 0;
      const label = optionLabel(scale, language, Number(code)).replace(/[\r\n]+/g, ' ');
      return `${code.padStart(3)} ${bar(p)} ${p.toFixed(2)} ${label}`;
    });
    // A fenced block keeps the bars aligned; backticks in labels cannot close it because fences need three.
    out.push('```', ...rows.map((r) => r.replace(/```/g, "'''")), '```');
  }
  const spread = paraphraseSpreadMarkdown(view, order, t);
  if (spread) out.push('', spread);
  return out.join('\n');
}

/**
 * How the item's score moves across paraphrases, per language: mean ± sd over the paraphrases, the
 * paraphrase that moved it most (furthest from the paraphrase mean), and the template's self-consistency.
 */
export function paraphraseSpreadMarkdown(view: ItemResultsView, order: readonly string[], t: Translate = english): string {
  const lines: string[] = [];
  for (const entry of paraphraseScores(view, order)) {
    const { language } = entry;
    const scored = entry.scored.filter((s) => Number.isFinite(s.mean));
    if (scored.length === 0) continue;
    const { mean, sd } = meanAndSd(scored.map((s) => s.mean));
    const mover = scored.reduce((a, b) => (Math.abs(b.mean - mean) > Math.abs(a.mean - mean) ? b : a));
    const shift = mover.mean - mean;
    const consistency = view.consistency?.[language];
    // No paraphrase "moved" an item whose spread shows as 0.00 (floating-point noise picked one before, issue 19).
    const spread = scored.length > 1 && !isNoSpread(sd);
    lines.push(
      `- **${language}** ${scored.length === 1 ? t('{0} ± {1} over 1 paraphrase', formatScore(mean), sd.toFixed(2)) : t('{0} ± {1} over {2} paraphrases', formatScore(mean), sd.toFixed(2), scored.length)}` +
        (spread
          ? ` · ${t('moved most by paraphrase {0} ({1}, {2})', mover.index + 1, formatScore(mover.mean), `${shift >= 0 ? '+' : '−'}${Math.abs(shift).toFixed(2)}`)}`
          : '') +
        (scored.length > 1 && !spread ? ` · ${t('all paraphrases agree')}` : '') +
        (typeof consistency === 'number' ? ` · ${t('self-consistency ρ̄ {0}', consistency.toFixed(2))}` : ''),
    );
  }
  return lines.length ? [`**${t('Across paraphrases')}**`, ...lines].join('\n') : '';
}
