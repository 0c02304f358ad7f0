// The study: one design (items × languages × country cues × templates × paraphrases × option orders ×
// models × samples), its human references and where its corpus lives. A `<name>.study.json` file is parsed
// into a StudyFile (with source ranges, for diagnostics) and resolved into a Study (paths absolute, defaults
// applied). Everything that runs or analyses a study — the CLI, the lens, the panel — starts from a Study.

import type { ProviderId } from '../model';
import type { ScoringMethod } from '../results';

/** Character offsets into the study file, for diagnostics and hovers. */
export interface SourceRange {
  start: number;
  end: number;
}

export type Severity = 'error' | 'warning' | 'info';

export interface StudyDiagnostic {
  code: string;
  severity: Severity;
  /** In English (the CLI's text). */
  message: string;
  /** The message as a template and arguments, for the editor to translate (src/core/message.ts). */
  text?: import('../message').Message;
  range: SourceRange;
}

/** A set of items from one .wvs file, optionally narrowed by id or category. */
export interface ItemSource {
  /** Absolute path after resolution (relative to the study file in the file). */
  file: string;
  ids?: string[];
  categories?: string[];
}

export interface TemplateSource {
  /** Absolute path of the .wvt file. */
  file: string;
  /** Template names to use; every template of the file when absent. */
  names?: string[];
  /** 'none': the template only; 'all': template and every paraphrase; [i…]: those paraphrases only. */
  paraphrases: 'none' | 'all' | number[];
}

/**
 * How option orders vary. 'original' and 'reversed' are fixed; `permutations` adds k seeded random
 * permutations; 'cyclic' adds every cyclic shift (K − 1 besides the original).
 */
export type OptionOrderSpec = 'original' | 'reversed' | 'cyclic' | { permutations: number; seed: number };

/** A named order actually shown, e.g. 'original', 'reversed', 'perm-1', 'shift-2'. */
export type OrderId = string;

/** A value an analysis may compare models on (family, size in billions, chat or base, any user attribute). */
export type AttributeValue = string | number | boolean;

export interface StudyModel {
  /** The study's own name for the model (unique in the study); records carry it as `modelId`. */
  id: string;
  provider: ProviderId;
  /** Name the server knows the model by. */
  model: string;
  /** Base URL; a name from the study's `endpoints` resolves to its URL. Never carries credentials. */
  endpoint: string;
  /** 'chat' (chat template, the default) or 'base' (plain-text completion). */
  kind: 'chat' | 'base';
  /** family, size, and any user attribute; `chat` is set from `kind` when not given. */
  attributes: Record<string, AttributeValue>;
}

/**
 * What a condition is compared with:
 *  - 'cue': the country named in the prompt (the first seed: cue US → US human data);
 *  - 'language': each country the prompt language maps to (languageCountries);
 *  - 'pooled': the per-language pooled human rows (the second seed's headline reference);
 *  - an ISO 3166-1 alpha-2 code: that country, for every condition (e.g. 'US' for US-centric bias).
 */
export type ReferenceSpec = 'cue' | 'language' | 'pooled' | string;

export interface HumanSource {
  file: string;
  /** Optional column mapping when the file's headers are not recognised. */
  columns?: Record<string, string>;
}

/** Column mapping for `value-lens import` of a researcher's own response table. */
export interface ImportMapping {
  file: string;
  columns: {
    model: string;
    language: string;
    country?: string;
    item: string;
    template?: string;
    paraphrase?: string;
    sample?: string;
    /** Exactly one of these three: a chosen option code, per-option probability columns, a pro score. */
    code?: string;
    probabilities?: Record<string, string>;
    pro?: string;
    /** Optional extra columns copied as model attributes (e.g. model_family → family). */
    attributes?: Record<string, string>;
  };
  /** Only rows whose column equals the value (e.g. template_type = survey_hypothetical). */
  where?: Record<string, string>;
}

export interface AnalysisSpec {
  /** Which alignment levels: item (model mean per item vs human) and/or response (each response vs human). */
  levels: ('item' | 'response')[];
  /** Which measure is compared: the mean score, the pro share, or both. */
  measures: ('mean' | 'pro')[];
  references: ReferenceSpec[];
  bootstrap: { iterations: number; seed: number };
  /** Re-runs of one condition: 'latest' run wins (default) or 'pool' every run. */
  rerun: 'latest' | 'pool';
  /** Multiplicity correction reported with every grid of tests. */
  adjust: ('holm' | 'BH')[];
  /** Mixed models fitted on the tables the analysis produces. */
  /** `table`: 'alignment', 'regression' (needs `benchmarks`, a model × benchmark × language score file) or a CSV path. */
  fits: { name: string; formula: string; table: string; benchmarks?: string }[];
  /** Paired differences to report (bootstrap over items), e.g. { factor: 'language', a: 'da', b: 'en' }. */
  contrasts: { factor: 'language' | 'model' | 'reference'; a: string; b: string }[];
}

export interface Study {
  /** Absolute path of the study file. */
  path: string;
  name: string;
  description?: string;
  /** sha256 of the study file's canonical JSON (a changed design is a new hash in the manifests). */
  hash: string;
  items: ItemSource[];
  templates: TemplateSource[];
  languages: string[];
  /** Country cues for `{country}` (ISO 3166-1 alpha-2, upper case); empty = no cue (one condition, null). */
  countries: string[];
  /** Prompt language → countries where it is spoken (for 'language' references and US-bias locals). */
  languageCountries: Record<string, string[]>;
  models: StudyModel[];
  method: ScoringMethod | 'auto' | 'judge';
  /** Method 'judge': the id of the study model that labels the generated text (default: the same model). */
  judge?: string;
  /**
   * Method 'judge': judge against the items' statements in this language for every prompt language (the
   * second seed judged all languages against English statements); default: the prompt language's.
   */
  stanceLanguage?: string;
  samples: number;
  temperature?: number;
  seed: number;
  rounds: number;
  optionOrders: OptionOrderSpec[];
  human: HumanSource[];
  imports: ImportMapping[];
  /** Absolute path of the corpus folder (default `<dir>/<name>.results`). */
  results: string;
  analysis: AnalysisSpec;
  /** Ask before running more than this many requests (editor and CLI); default 5000. */
  confirmAbove: number;
  /**
   * Run the requests as provider batch jobs (OpenAI Batch API or a compatible server; docs/batch.md) instead
   * of live requests, unless the command says otherwise (`--no-batch`). Absent: live.
   */
  batch?: boolean;
}

/** Narrowing a study from the command line or the editor: only these values of each factor. */
export interface StudyFilter {
  items?: string[];
  categories?: string[];
  languages?: string[];
  countries?: string[];
  templates?: string[];
  models?: string[];
  orders?: OrderId[];
}

/** A study file read from disk with everything it references, parsed; what plans and analyses start from. */
export interface LoadedStudy {
  /** Undefined when the file has errors that leave no usable study (see diagnostics). */
  study: Study | undefined;
  diagnostics: StudyDiagnostic[];
  /** Parsed .wvs files, in the order the study lists them. */
  surveys: { path: string; file: import('../language/ast').SurveyFile }[];
  /** Parsed .wvt files, in the order the study lists them. */
  templates: { path: string; file: import('../language/ast').TemplateFile }[];
  /** Human reference rows from every `human` file, merged. */
  human: import('../data/types').HumanReference;
}

/** A loaded study without errors that leave it unusable: what a run or an analysis takes. */
export type ReadyStudy = LoadedStudy & { study: Study };

/** File access for loading a study: node:fs in the CLI, vscode.workspace.fs in the editor. */
export interface StudyFs {
  readFile(path: string): Promise<Uint8Array>;
  exists(path: string): Promise<boolean>;
}
