// Column roles by header name. Names come from the joint EVS/WVS files (cntry_AN, lnge_iso, gwght),
// WVS-7 (B_COUNTRY_ALPHA, W_WEIGHT, S017) and plain hand-made tables (country, item, mean, share), also
// with Danish, Dutch and Portuguese header words (land, spørgsmål, vraag, pergunta, …).

export function normaliseHeader(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[\s.-]+/g, '_');
}

export const COUNTRY_COLUMNS = [
  'country',
  'cntry_an',
  'cntry',
  'b_country_alpha',
  'country_alpha',
  'country_code',
  'iso2',
  'land',
  'país',
  'pais',
];
export const KEY_COLUMNS = [
  'key',
  'item',
  'question_key',
  'question',
  'variable',
  'data_key',
  'item_key',
  'spørgsmål',
  'vraag',
  'pergunta',
  'variabel',
  'variabele',
  'variável',
];
export const LANGUAGE_COLUMNS = ['language', 'lang', 'lnge_iso', 'interview_language', 'sprog', 'taal', 'idioma'];
export const MEAN_COLUMNS = ['mean', 'mean_score', 'average'];
export const SHARE_COLUMNS = ['share', 'pro_share', 'pro_score', 'pro'];
export const N_COLUMNS = ['n', 'count', 'n_valid', 'respondents'];
/** Long-format distributions: one row per option code. */
export const OPTION_COLUMNS = ['option_code', 'option', 'code'];
export const OPTION_VALUE_COLUMNS = ['share', 'proportion', 'p', 'percent', 'pct', 'freq'];
/** Weight columns multiplied together when present (the joint file's design × population weight). */
export const PRODUCT_WEIGHT_COLUMNS = ['gwght', 'pwght'];
export const SINGLE_WEIGHT_COLUMNS = ['weight', 'w_weight', 's017', 'wght', 'wt'];
/** Wide distributions: p_1, p1, share_1, pct_10 … */
export const DISTRIBUTION_COLUMN = /^(?:p|share|pct|prop|option|code)_?(\d+)$/;
/** Identifier and bookkeeping columns of WVS/EVS microdata that are never items. */
export const NON_ITEM_COLUMN = /^(?:id|.*_id|uniqid|respondent|year|wave|version|doi|s00\d|s01\d|s020|s021|s024|s025|studyno|caseno|mode)$/;

export function findColumn(header: string[], names: string[]): number {
  const norm = header.map(normaliseHeader);
  for (const name of names) {
    const i = norm.indexOf(name);
    if (i >= 0) return i;
  }
  return -1;
}
