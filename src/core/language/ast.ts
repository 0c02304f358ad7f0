// The syntax trees of the two authoring languages. Every node keeps its source range so that lenses,
// diagnostics, hovers and quick fixes can point at it. Positions are 0-based, like VS Code's.
import type { Message } from '../message';

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export type Severity = 'error' | 'warning' | 'information' | 'hint';

export interface Diagnostic {
  range: Range;
  severity: Severity;
  /** Stable code such as `wvs/unknown-scale`; quick fixes and docs key on it. */
  code: string;
  /** In English (the CLI's text; quick fixes read it). */
  message: string;
  /** The message as a template and arguments, for the editor to translate (`message` is its English). */
  text?: Message;
  /** Extra facts a quick fix needs (e.g. the missing language). */
  data?: Record<string, unknown>;
}

export interface Located<T> {
  value: T;
  range: Range;
}

/** A piece of wording in one language. */
export interface TextEntry extends Located<string> {
  language: string;
  /** Set while the text is a machine translation no person has edited yet. */
  machineTranslated?: boolean;
}

// ---------------------------------------------------------------- .wvs items

export interface ScaleOption {
  /** The code the survey records (1, 2, …). */
  code: number;
  /** The value used for the mean score: the code, or mirrored for reversed scales. */
  score: number;
  /** Label per language; numeric scales may have labels only at the ends. */
  labels: Record<string, string>;
}

export interface MissingCode {
  code: number;
  labels: Record<string, string>;
  range: Range;
}

export interface Scale {
  name: string;
  nameRange: Range;
  range: Range;
  /** `labelled`: every option has a label; `numeric`: min..max with end labels only. */
  kind: 'labelled' | 'numeric';
  min: number;
  max: number;
  reversed: boolean;
  /** Substantive options in code order. */
  options: ScaleOption[];
  /** Label lines as written, per language (for diagnostics and hovers). */
  labelLines: Record<string, TextEntry & { labels: string[] }>;
  missing: MissingCode[];
}

export interface Item {
  id: string;
  idRange: Range;
  /** The whole block, header line to last property. */
  range: Range;
  title?: Located<string>;
  category?: Located<string>;
  scaleName?: Located<string>;
  /** The resolved scale, when `scaleName` names a declared one. */
  scale?: Scale;
  /** Question wording per language. */
  texts: Record<string, TextEntry>;
  /** Short topic phrase per language for `{topic}` slots (second seed style). */
  topics: Record<string, TextEntry>;
  /**
   * Stance statements per language (`pro en:` / `con en:`): what the judge method classifies generated
   * answers against (the second seed's stance_labels). Absent when the item declares none.
   */
  pro?: Record<string, TextEntry>;
  con?: Record<string, TextEntry>;
  notes?: Located<string>;
  /** Data column this item maps to in human reference data (e.g. F118). */
  dataKey?: Located<string>;
}

export interface SurveyHeader {
  title?: Located<string>;
  source?: Located<string>;
  languages: Located<string>[];
}

export interface SurveyFile {
  kind: 'survey';
  header: SurveyHeader;
  scales: Scale[];
  items: Item[];
  diagnostics: Diagnostic[];
}

// ---------------------------------------------------------------- .wvt templates

export const KNOWN_SLOTS = ['question', 'options', 'country', 'topic', 'language'] as const;
export type SlotName = (typeof KNOWN_SLOTS)[number];

export interface Template {
  name: string;
  nameRange: Range;
  range: Range;
  /** Optional system part per language. */
  system: Record<string, TextEntry>;
  /** User part per language. */
  user: Record<string, TextEntry>;
}

export interface ParaphraseSet {
  name: string;
  nameRange: Range;
  range: Range;
  /** The template whose user part these paraphrase (defaults to the set's own name). */
  templateName: string;
  /** Variants of the user part, per language, in order; index = paraphrase index. */
  variants: Record<string, TextEntry[]>;
}

export interface TemplateFile {
  kind: 'templates';
  /** The optional `languages` header; without it the languages used by any template count as declared. */
  languages?: Located<string>[];
  /** Extra slot names allowed in this file, from a `slots NAME...` header (e.g. the authoring prompts' {text}). */
  slots?: Located<string>[];
  templates: Template[];
  paraphraseSets: ParaphraseSet[];
  diagnostics: Diagnostic[];
}
