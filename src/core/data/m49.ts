// UN M49 geographic regions for ISO 3166-1 alpha-2 codes, as data: the United Nations Statistics
// Division's "Standard country or area codes for statistical use (M49)",
// https://unstats.un.org/unsd/methodology/m49/ (region → sub-region → intermediate region).
// The first seed (Kim & Baek 2024) reports alignment averaged per continent; Value Lens uses these
// regions (and sub-regions) so that the grouping is a published standard, not a hand-made one.
// Not in M49 and placed by convention, named here: TW (listed by no M49 row; with Eastern Asia), XK
// (Kosovo; with Southern Europe), NIR (the joint EVS/WVS code for Northern Ireland; with GB).

export interface M49Entry {
  /** M49 region: Africa, Americas, Asia, Europe, Oceania. */
  region: string;
  /** M49 sub-region, e.g. "Northern Europe", "Latin America and the Caribbean". */
  subregion: string;
  /** M49 intermediate region where M49 defines one (e.g. "South America", "Western Africa"). */
  intermediate?: string;
}

/** [region, sub-region, intermediate region or '', space-separated alpha-2 codes]. */
const TABLE: readonly [string, string, string, string][] = [
  ['Africa', 'Northern Africa', '', 'DZ EG LY MA SD TN EH'],
  ['Africa', 'Sub-Saharan Africa', 'Eastern Africa', 'IO BI KM DJ ER ET TF KE MG MW MU YT MZ RE RW SC SO SS UG TZ ZM ZW'],
  ['Africa', 'Sub-Saharan Africa', 'Middle Africa', 'AO CM CF TD CG CD GQ GA ST'],
  ['Africa', 'Sub-Saharan Africa', 'Southern Africa', 'BW SZ LS NA ZA'],
  ['Africa', 'Sub-Saharan Africa', 'Western Africa', 'BJ BF CV CI GM GH GN GW LR ML MR NE NG SH SN SL TG'],
  [
    'Americas',
    'Latin America and the Caribbean',
    'Caribbean',
    'AI AG AW BS BB BQ VG KY CU CW DM DO GD GP HT JM MQ MS PR BL KN LC MF VC SX TT TC VI',
  ],
  ['Americas', 'Latin America and the Caribbean', 'Central America', 'BZ CR SV GT HN MX NI PA'],
  ['Americas', 'Latin America and the Caribbean', 'South America', 'AR BO BV BR CL CO EC FK GF GY PY PE GS SR UY VE'],
  ['Americas', 'Northern America', '', 'BM CA GL PM US'],
  ['Asia', 'Central Asia', '', 'KZ KG TJ TM UZ'],
  ['Asia', 'Eastern Asia', '', 'CN HK MO KP JP MN KR TW'],
  ['Asia', 'South-eastern Asia', '', 'BN KH ID LA MY MM PH SG TH TL VN'],
  ['Asia', 'Southern Asia', '', 'AF BD BT IN IR MV NP PK LK'],
  ['Asia', 'Western Asia', '', 'AM AZ BH CY GE IQ IL JO KW LB OM QA SA PS SY TR AE YE'],
  ['Europe', 'Eastern Europe', '', 'BY BG CZ HU PL MD RO RU SK UA'],
  ['Europe', 'Northern Europe', '', 'AX DK EE FO FI IS IE IM LV LT NO SJ SE GB NIR'],
  ['Europe', 'Northern Europe', 'Channel Islands', 'GG JE'],
  ['Europe', 'Southern Europe', '', 'AL AD BA HR GI GR VA IT MT ME MK PT SM RS SI ES XK'],
  ['Europe', 'Western Europe', '', 'AT BE FR DE LI LU MC NL CH'],
  ['Oceania', 'Australia and New Zealand', '', 'AU CX CC HM NZ NF'],
  ['Oceania', 'Melanesia', '', 'FJ NC PG SB VU'],
  ['Oceania', 'Micronesia', '', 'GU KI MH FM NR MP PW UM'],
  ['Oceania', 'Polynesia', '', 'AS CK PF NU PN WS TK TO TV WF'],
];

/** Alpha-2 code (and NIR) → M49 region, sub-region and intermediate region. AQ (Antarctica) has none. */
export const M49: Readonly<Record<string, M49Entry>> = (() => {
  const out: Record<string, M49Entry> = {};
  for (const [region, subregion, intermediate, codes] of TABLE) {
    for (const code of codes.split(' ')) out[code] = intermediate ? { region, subregion, intermediate } : { region, subregion };
  }
  return out;
})();

/** The M49 entry of a country code (case-insensitive), undefined for unknown codes. */
export function m49Of(code: string): M49Entry | undefined {
  return M49[code.trim().toUpperCase()];
}
