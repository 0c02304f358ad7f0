// Messages between the alignment panel's host (src/panel) and its webview (webview/), as discriminated
// unions on `type`. Both bundles import this file, so it must stay free of Node and DOM APIs.
// Everything arriving from the webview is untrusted: the host runs it through parseWebviewMessage and drops
// whatever does not match exactly (unknown type, extra keys, wrong types, oversized strings).
import type { AnalysisFilter, AnalysisReport } from '../core/analysis';
import type { AlignmentLevel, AlignmentMeasure, StudyAnalysis } from '../core/study/analysisTypes';
import type { RunProgress } from '../core/run/progress';

/** The panel's charts; also the opaque ids export messages refer to (never a path or URL). */
export const CHART_IDS = ['correlation', 'scatter', 'consistency', 'category', 'bias'] as const;
export type ChartId = (typeof CHART_IDS)[number];

/** The study views (a StudyAnalysis); their ids are export ids too. */
export const STUDY_VIEW_IDS = [
  'study-models',
  'study-countries',
  'study-regions',
  'study-categories',
  'study-contrasts',
  'study-consistency',
  'study-bias',
  'study-attributes',
  'study-distances',
  'study-fits',
  'study-positions',
  'study-first-token',
] as const;
export type StudyViewId = (typeof STUDY_VIEW_IDS)[number];

/** What an export message may name: a round-one chart or a study view. */
export type ExportId = ChartId | StudyViewId;
export const EXPORT_IDS: readonly ExportId[] = [...CHART_IDS, ...STUDY_VIEW_IDS];

export type { RunProgress } from '../core/run/progress';

// ---- host → webview ----

export interface ReportMessage {
  readonly type: 'report';
  readonly report: AnalysisReport;
  /** The filter the report was computed with (what the filter controls should show). */
  readonly filter: AnalysisFilter;
  /** Progress of a run in flight, or null when nothing is running. */
  readonly progress: RunProgress | null;
}

export interface ErrorMessage {
  readonly type: 'error';
  readonly message: string;
}

/** Outcome of an export the webview asked for, shown as a short status line. */
export interface NoticeMessage {
  readonly type: 'notice';
  readonly message: string;
}

/**
 * A study's analysis for the study views (src/core/study/analysisTypes.ts), or null to remove them. Sent on
 * `ready` and whenever the host has a new analysis; independent of `report` (a workspace may have either).
 */
export interface StudyMessage {
  readonly type: 'study';
  readonly analysis: StudyAnalysis | null;
}

export type HostMessage = ReportMessage | StudyMessage | ErrorMessage | NoticeMessage;

// ---- webview → host ----

export interface ReadyMessage {
  readonly type: 'ready';
}

export interface SetFilterMessage {
  readonly type: 'setFilter';
  readonly filter: AnalysisFilter;
}

/** Asks the host to save one chart's table as CSV; the host builds the rows from its own report. */
export interface ExportCsvMessage {
  readonly type: 'exportCsv';
  readonly chart: ExportId;
}

/** Asks the host to save a chart image; the webview only supplies the PNG bytes as a data URL. */
export interface ExportPngMessage {
  readonly type: 'exportPng';
  readonly chart: ExportId;
  readonly dataUrl: string;
}

/** Asks the host to reveal an item in its .wvs file; the id is opaque and looked up by the host. */
export interface OpenItemMessage {
  readonly type: 'openItem';
  readonly itemId: string;
}

export type WebviewMessage = ReadyMessage | SetFilterMessage | ExportCsvMessage | ExportPngMessage | OpenItemMessage;

// ---- validation ----

/** Bounds for strings arriving from the webview. */
export const LIMITS = {
  /** Model names, template names and item ids. */
  name: 256,
  /** A PNG data URL (about 15 MB of base64). */
  dataUrl: 20_000_000,
} as const;

const PNG_PREFIX = 'data:image/png;base64,';
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** True when `value` has only keys from `allowed` (own enumerable keys). */
function onlyKeys(value: Record<string, unknown>, allowed: readonly string[]): boolean {
  return Object.keys(value).every((key) => allowed.includes(key));
}

function boundedName(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= LIMITS.name && !/[\u0000-\u001f]/.test(value);
}

function isExportId(value: unknown): value is ExportId {
  return typeof value === 'string' && (EXPORT_IDS as readonly string[]).includes(value);
}

export function isStudyViewId(value: unknown): value is StudyViewId {
  return typeof value === 'string' && (STUDY_VIEW_IDS as readonly string[]).includes(value);
}

/** Validates a filter; absent or undefined keys mean "all". Returns undefined for anything else. */
export function parseFilter(value: unknown): AnalysisFilter | undefined {
  if (!isPlainObject(value) || !onlyKeys(value, ['model', 'template', 'method'])) return undefined;
  const filter: { model?: string; template?: string; method?: 'logprobs' | 'sample' | 'loglik' } = {};
  if (value.model !== undefined) {
    if (!boundedName(value.model)) return undefined;
    filter.model = value.model;
  }
  if (value.template !== undefined) {
    if (!boundedName(value.template)) return undefined;
    filter.template = value.template;
  }
  if (value.method !== undefined) {
    if (value.method !== 'logprobs' && value.method !== 'sample' && value.method !== 'loglik') return undefined;
    filter.method = value.method;
  }
  return filter;
}

/**
 * Returns a fresh, well-typed copy of a message from the webview, or undefined when it is not one.
 * Never throws, whatever `value` is (getters, proxies and cycles included).
 */
export function parseWebviewMessage(value: unknown): WebviewMessage | undefined {
  try {
    return parseUnsafe(value);
  } catch {
    // A hostile object (a throwing getter or proxy trap) is just another invalid message.
    return undefined;
  }
}

function parseUnsafe(value: unknown): WebviewMessage | undefined {
  if (!isPlainObject(value)) return undefined;
  switch (value.type) {
    case 'ready':
      return onlyKeys(value, ['type']) ? { type: 'ready' } : undefined;
    case 'setFilter': {
      if (!onlyKeys(value, ['type', 'filter'])) return undefined;
      const filter = parseFilter(value.filter);
      return filter ? { type: 'setFilter', filter } : undefined;
    }
    case 'exportCsv':
      return onlyKeys(value, ['type', 'chart']) && isExportId(value.chart) ? { type: 'exportCsv', chart: value.chart } : undefined;
    case 'exportPng': {
      if (!onlyKeys(value, ['type', 'chart', 'dataUrl']) || !isExportId(value.chart)) return undefined;
      const url = value.dataUrl;
      if (typeof url !== 'string' || url.length > LIMITS.dataUrl || !url.startsWith(PNG_PREFIX)) return undefined;
      if (!BASE64.test(url.slice(PNG_PREFIX.length))) return undefined;
      return { type: 'exportPng', chart: value.chart, dataUrl: url };
    }
    case 'openItem':
      return onlyKeys(value, ['type', 'itemId']) && boundedName(value.itemId) ? { type: 'openItem', itemId: value.itemId } : undefined;
    default:
      return undefined;
  }
}

/** A short, safe description of a rejected message for the log (never the full payload). */
export function describeRejected(value: unknown): string {
  try {
    if (!isPlainObject(value)) return `non-object message (${value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value})`;
    const type = typeof value.type === 'string' ? JSON.stringify(value.type.slice(0, 40)) : typeof value.type;
    return `invalid message of type ${type}`;
  } catch {
    return 'invalid message';
  }
}

/**
 * The study views' own choices (local to the webview, like focusModel): which slice of the analysis the
 * charts show. Absent keys mean "the default for the data" (docs/panel.md).
 */
export interface StudyViewState {
  /** The model the per-country, category, consistency and US-bias views show. */
  model?: string;
  /** The prompt language the per-country, region and category views show. */
  language?: string;
  level?: AlignmentLevel;
  measure?: AlignmentMeasure;
  statistic?: 'pearson' | 'spearman';
  /** Model comparison: which references (pooled per language, single countries, or both). */
  reference?: 'pooled' | 'country' | 'all';
  scheme?: 'region' | 'subregion';
  /** Forest plot: which factor's contrasts. */
  factor?: 'all' | 'language' | 'model' | 'reference';
  /** Attribute groups: which model attribute (chat, family, size…). */
  attribute?: string;
}

export const STUDY_STATE_CHOICES = {
  level: ['item', 'response'],
  measure: ['mean', 'pro'],
  statistic: ['pearson', 'spearman'],
  reference: ['pooled', 'country', 'all'],
  scheme: ['region', 'subregion'],
  factor: ['all', 'language', 'model', 'reference'],
} as const satisfies Partial<Record<keyof StudyViewState, readonly string[]>>;

/** What the webview keeps with getState/setState (and the serializer hands back after a reload). */
export interface PanelState {
  filter: AnalysisFilter;
  /** The model the scatter, category and US-bias charts show when the filter does not pin one. */
  focusModel?: string;
  study?: StudyViewState;
}

/** Validates the study views' persisted choices key by key; unusable keys are dropped. */
export function parseStudyViewState(value: unknown): StudyViewState {
  if (!isPlainObject(value)) return {};
  const out: StudyViewState = {};
  for (const key of ['model', 'language', 'attribute'] as const) if (boundedName(value[key])) out[key] = value[key];
  const choose = <K extends keyof typeof STUDY_STATE_CHOICES>(key: K): void => {
    const v = value[key];
    if (typeof v === 'string' && (STUDY_STATE_CHOICES[key] as readonly string[]).includes(v)) (out as Record<string, string>)[key] = v;
  };
  for (const key of Object.keys(STUDY_STATE_CHOICES) as (keyof typeof STUDY_STATE_CHOICES)[]) choose(key);
  return out;
}

/** Validates a persisted state blob; anything unusable becomes the default state. */
export function parsePanelState(value: unknown): PanelState {
  try {
    if (!isPlainObject(value)) return { filter: {} };
    const filter = parseFilter(value.filter) ?? {};
    const state: PanelState = { filter };
    if (boundedName(value.focusModel)) state.focusModel = value.focusModel;
    if (value.study !== undefined) {
      const study = parseStudyViewState(value.study);
      if (Object.keys(study).length) state.study = study;
    }
    return state;
  } catch {
    return { filter: {} };
  }
}

// ---- the webview's texts in the display language (host → webview, in #vl-root[data-l10n]) ----

/** English text → its translation, from the host's vscode.l10n.bundle; empty in English and in the CLI's report. */
export type UiStrings = Readonly<Record<string, string>>;

/** Bounds for the translation table: the bundle has a few hundred short messages. */
export const UI_STRING_LIMITS = { entries: 5_000, length: 4_000 } as const;

/**
 * Validates a translation table (a parsed JSON object of string → string). Entries that are not a bounded
 * string pair, and keys such as `__proto__`, are dropped, so a bad table falls back to English text by text.
 */
export function parseUiStrings(value: unknown): UiStrings {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  if (!isPlainObject(value)) return out;
  let count = 0;
  for (const [key, text] of Object.entries(value)) {
    if (count >= UI_STRING_LIMITS.entries) break;
    if (key === '__proto__' || key.length === 0 || key.length > UI_STRING_LIMITS.length) continue;
    if (typeof text !== 'string' || text.length === 0 || text.length > UI_STRING_LIMITS.length) continue;
    out[key] = text;
    count++;
  }
  return out;
}

/** Fills `{0}`, `{1}` … as vscode.l10n.t does; a placeholder without an argument stays as written. */
export function fillUiString(template: string, args: readonly (string | number)[]): string {
  if (args.length === 0) return template;
  return template.replace(/\{([^}]+)\}/g, (match, key: string) => {
    const value = /^\d+$/.test(key) ? args[Number(key)] : undefined;
    return value === undefined ? match : String(value);
  });
}
