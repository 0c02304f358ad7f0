// Human reference data: what real people answered, per country (and interview language) and item.

export interface HumanRow {
  /** Country code as written in the data (e.g. DK, US), upper-cased. */
  country: string;
  /** Data key (e.g. F118) or, when an item map renamed it, the project's item id. */
  key: string;
  /** Interview language (ISO 639-1) when the row is per language. */
  language?: string;
  /** Mean on the item's WVS code scale (missing codes excluded). */
  mean?: number;
  /** Share of respondents on the item's "pro" side (second seed). */
  share?: number;
  /** Proportion per option code (string keys), summing to 1. */
  distribution?: Record<string, number>;
  /** Number of valid (non-missing) answers. */
  n?: number;
}

export interface HumanReference {
  rows: HumanRow[];
}
