// Country codes a study may name: the ISO 3166-1 alpha-2 list (249 officially assigned codes, as data, so
// that validation does not depend on the ICU build of the host), plus the few non-ISO codes the joint
// EVS/WVS data use as countries (docs/studies.md, "Country codes").

/** ISO 3166-1 alpha-2, officially assigned codes. */
export const ISO_3166_ALPHA2: readonly string[] = [
  'AD', 'AE', 'AF', 'AG', 'AI', 'AL', 'AM', 'AO', 'AQ', 'AR', 'AS', 'AT', 'AU', 'AW', 'AX', 'AZ',
  'BA', 'BB', 'BD', 'BE', 'BF', 'BG', 'BH', 'BI', 'BJ', 'BL', 'BM', 'BN', 'BO', 'BQ', 'BR', 'BS', 'BT', 'BV', 'BW', 'BY', 'BZ',
  'CA', 'CC', 'CD', 'CF', 'CG', 'CH', 'CI', 'CK', 'CL', 'CM', 'CN', 'CO', 'CR', 'CU', 'CV', 'CW', 'CX', 'CY', 'CZ',
  'DE', 'DJ', 'DK', 'DM', 'DO', 'DZ',
  'EC', 'EE', 'EG', 'EH', 'ER', 'ES', 'ET',
  'FI', 'FJ', 'FK', 'FM', 'FO', 'FR',
  'GA', 'GB', 'GD', 'GE', 'GF', 'GG', 'GH', 'GI', 'GL', 'GM', 'GN', 'GP', 'GQ', 'GR', 'GS', 'GT', 'GU', 'GW', 'GY',
  'HK', 'HM', 'HN', 'HR', 'HT', 'HU',
  'ID', 'IE', 'IL', 'IM', 'IN', 'IO', 'IQ', 'IR', 'IS', 'IT',
  'JE', 'JM', 'JO', 'JP',
  'KE', 'KG', 'KH', 'KI', 'KM', 'KN', 'KP', 'KR', 'KW', 'KY', 'KZ',
  'LA', 'LB', 'LC', 'LI', 'LK', 'LR', 'LS', 'LT', 'LU', 'LV', 'LY',
  'MA', 'MC', 'MD', 'ME', 'MF', 'MG', 'MH', 'MK', 'ML', 'MM', 'MN', 'MO', 'MP', 'MQ', 'MR', 'MS', 'MT', 'MU', 'MV', 'MW', 'MX', 'MY', 'MZ',
  'NA', 'NC', 'NE', 'NF', 'NG', 'NI', 'NL', 'NO', 'NP', 'NR', 'NU', 'NZ',
  'OM',
  'PA', 'PE', 'PF', 'PG', 'PH', 'PK', 'PL', 'PM', 'PN', 'PR', 'PS', 'PT', 'PW', 'PY',
  'QA',
  'RE', 'RO', 'RS', 'RU', 'RW',
  'SA', 'SB', 'SC', 'SD', 'SE', 'SG', 'SH', 'SI', 'SJ', 'SK', 'SL', 'SM', 'SN', 'SO', 'SR', 'SS', 'ST', 'SV', 'SX', 'SY', 'SZ',
  'TC', 'TD', 'TF', 'TG', 'TH', 'TJ', 'TK', 'TL', 'TM', 'TN', 'TO', 'TR', 'TT', 'TV', 'TW', 'TZ',
  'UA', 'UG', 'UM', 'US', 'UY', 'UZ',
  'VA', 'VC', 'VE', 'VG', 'VI', 'VN', 'VU',
  'WF', 'WS',
  'YE', 'YT',
  'ZA', 'ZM', 'ZW',
];

/**
 * Non-ISO codes accepted because the joint EVS/WVS data use them as countries. NIR is Northern Ireland
 * (ISO subdivision GB-NIR), surveyed by EVS apart from Great Britain; XK is Kosovo (a user-assigned code
 * EVS/WVS and the EU use). Kept as written so that a study matches the data's `cntry_AN` column.
 */
export const DATA_COUNTRY_CODES: Readonly<Record<string, { name: string; iso: string }>> = {
  NIR: { name: 'Northern Ireland', iso: 'GB-NIR' },
  XK: { name: 'Kosovo', iso: 'XK (user-assigned)' },
};

const KNOWN = new Set<string>([...ISO_3166_ALPHA2, ...Object.keys(DATA_COUNTRY_CODES)]);

/** Whether a study may name this code (exact, upper case). */
export function isKnownCountry(code: string): boolean {
  return KNOWN.has(code);
}

/** Every accepted code, for completion lists and the JSON Schema. */
export function knownCountries(): string[] {
  return [...KNOWN].sort();
}

/**
 * The country's name in a language, for the `{country}` slot: Intl.DisplayNames (CLDR) where the host
 * has it, the English data-code name for NIR/XK, else the code itself.
 */
export function countryName(code: string, language: string): string {
  const data = DATA_COUNTRY_CODES[code];
  if (code.length === 2) {
    try {
      const name = new Intl.DisplayNames([language], { type: 'region', fallback: 'none' }).of(code);
      if (name) return name;
    } catch {
      // an unknown language tag: fall through
    }
  }
  return data?.name ?? code;
}

/** A near code for "did you mean", e.g. 'UK' → 'GB', lower case → upper case. */
export function suggestCountry(code: string): string | undefined {
  const upper = code.trim().toUpperCase();
  if (upper !== code && KNOWN.has(upper)) return upper;
  const aliases: Record<string, string> = { UK: 'GB', EN: 'GB', EL: 'GR', 'GB-NIR': 'NIR', KV: 'XK', KOS: 'XK' };
  return aliases[upper];
}
