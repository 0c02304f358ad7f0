// The data tables' column headers in the display language (issue 19). The headers of src/shared/tables.ts and
// src/shared/study-tables.ts stay English there: they are also the CSV columns (panel Export CSV, CLI), which
// scripts read by name. Only the <th> text is translated, here. Every text is a literal `t('…')` so
// l10n/injected.mjs puts it into l10n/bundle.l10n.json.
import { t } from './l10n';

/**
 * Headers that read the same in every language: statistical symbols (r, ρ, p, n, t), quartiles, the
 * contrast's sides A and B, and p adjusted by a named method.
 */
export const SYMBOL_HEADERS: readonly string[] = [
  'p',
  'n',
  't',
  'A',
  'B',
  'Q1',
  'Q3',
  'Pearson r',
  'Spearman ρ',
  'p (Holm)',
  'p (BH)',
  'r p',
  'r p (Holm)',
  'r p (BH)',
  'ρ p',
  'ρ p (Holm)',
  'ρ p (BH)',
];

/**
 * Every header of the src/shared table builders → its display text. Built when asked, not at load: the
 * bundle (webview/l10n.ts loadUiStrings) is read after this module is imported.
 */
export function columnTexts(): Map<string, string> {
  const texts = new Map<string, string>(SYMBOL_HEADERS.map((h) => [h, h]));
  const add = (header: string, text: string) => texts.set(header, text);
  // Who, where and what was compared.
  add('Model', t('Model'));
  // Standard error: Portuguese writes EP (erro padrão), as in the fits chart's "Estimativa (± 1,96 EP)".
  add('SE', t('SE'));
  add('Models', t('Models'));
  add('Language', t('Language'));
  add('Country', t('Country'));
  add('Countries', t('Countries'));
  add('Country cue', t('Country cue'));
  add('Country list', t('Country list'));
  add('Local country', t('Local country'));
  add('Reference', t('Reference'));
  add('Local reference', t('Local reference'));
  add('Region', t('Region'));
  add('Scheme', t('Scheme'));
  add('Category', t('Category'));
  add('Level', t('Level'));
  add('Measure', t('Measure'));
  add('Statistic', t('Statistic'));
  add('Template', t('Template'));
  add('Item', t('Item'));
  add('Items', t('Items'));
  add('Title', t('Title'));
  add('Factor', t('Factor'));
  add('Within', t('Within'));
  add('Definition', t('Definition'));
  add('Source', t('Source'));
  add('Attribute', t('Attribute'));
  add('Value', t('Value'));
  add('Basis', t('Basis'));
  // Estimates and their intervals.
  add('CI low', t('CI low'));
  add('CI high', t('CI high'));
  add('r CI low', t('r CI low'));
  add('r CI high', t('r CI high'));
  add('ρ CI low', t('ρ CI low'));
  add('ρ CI high', t('ρ CI high'));
  add('Model score', t('Model score'));
  add('Human score', t('Human score'));
  add('Mean Pearson r', t('Mean Pearson r'));
  add('Mean Spearman ρ', t('Mean Spearman ρ'));
  add('Mean pairwise Spearman', t('Mean pairwise Spearman'));
  add('Pairs', t('Pairs'));
  add('r (local)', t('r (local)'));
  add('r (US)', t('r (US)'));
  add('US − local', t('US − local'));
  add('Difference (A − B)', t('Difference (A − B)'));
  add('Dispersion', t('Dispersion'));
  add('Most deviant paraphrase', t('Most deviant paraphrase'));
  // Box plots.
  add('Min', t('Min'));
  add('Median', t('Median'));
  add('Max', t('Max'));
  add('Mean', t('Mean'));
  add('Lower whisker', t('Lower whisker'));
  add('Upper whisker', t('Upper whisker'));
  add('Outliers', t('Outliers'));
  // Distribution distances.
  add('Mean JSD', t('Mean JSD'));
  add('Mean JSD (uniform answers)', t('Mean JSD (uniform answers)'));
  add('Mean Wasserstein', t('Mean Wasserstein'));
  add('Mean Wasserstein (uniform answers)', t('Mean Wasserstein (uniform answers)'));
  // Mixed-model fits.
  add('Fit', t('Fit'));
  add('Formula', t('Formula'));
  add('Kind', t('Kind'));
  add('Group', t('Group'));
  add('Term', t('Term'));
  add('Estimate', t('Estimate'));
  // Position bias and first token vs text.
  add('Options (K)', t('Options (K)'));
  add('Orders', t('Orders'));
  add('Responses', t('Responses'));
  add('Position', t('Position'));
  add('Share', t('Share'));
  add('Uniform 1/K', t('Uniform 1/K'));
  add('Excess (share − 1/K)', t('Excess (share − 1/K)'));
  add('Agreement', t('Agreement'));
  add('Mean |Δ mean|', t('Mean |Δ mean|'));
  add('Unparsed', t('Unparsed'));
  add('Disagreeing items', t('Disagreeing items'));
  return texts;
}

/** The headers as shown: each one's display text, or the header itself when it has none. */
export function columnLabels(headers: readonly string[]): string[] {
  const texts = columnTexts();
  return headers.map((header) => texts.get(header) ?? header);
}
