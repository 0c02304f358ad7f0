// Parses a `<name>.study.json` file into a Study: defaults applied, paths resolved against the study file's
// folder, every problem a diagnostic with the source range of the offending JSON node. Never throws.
// docs/studies.md lists the fields, their defaults and the diagnostic codes.

import { createHash } from 'node:crypto';
import { basename, dirname, resolve } from 'node:path';
import { findNodeAtLocation, getNodeValue, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import { DEFAULT_LANGUAGE_COUNTRIES } from '../data';
import { canonicalJson } from '../run/key';
import { editDistance } from '../language/placeholders';
import { msg, renderMessage, type Message, type MessageArg } from '../message';
import { DEFAULT_OLLAMA_HOST, DEFAULT_OPENAI_BASE_URL } from '../origin';
import { isKnownCountry, suggestCountry } from './countries';
import type {
  AnalysisSpec,
  AttributeValue,
  HumanSource,
  ImportMapping,
  ItemSource,
  OptionOrderSpec,
  Severity,
  SourceRange,
  Study,
  StudyDiagnostic,
  StudyModel,
  TemplateSource,
} from './types';

/** Properties the parser accepts, per object kind; test/unit/study checks the JSON Schema lists the same. */
export const STUDY_PROPERTIES = {
  root: [
    '$schema',
    'name',
    'description',
    'items',
    'templates',
    'languages',
    'countries',
    'languageCountries',
    'endpoints',
    'models',
    'method',
    'judge',
    'stanceLanguage',
    'samples',
    'temperature',
    'seed',
    'rounds',
    'optionOrders',
    'human',
    'imports',
    'results',
    'analysis',
    'confirmAbove',
    'batch',
  ],
  item: ['file', 'ids', 'categories'],
  template: ['file', 'names', 'paraphrases'],
  model: ['id', 'provider', 'model', 'endpoint', 'kind', 'attributes'],
  permutations: ['permutations', 'seed'],
  human: ['file', 'columns'],
  humanColumns: ['country', 'item', 'language', 'mean', 'share', 'n', 'option', 'weight'],
  import: ['file', 'columns', 'where'],
  importColumns: ['model', 'language', 'country', 'item', 'template', 'paraphrase', 'sample', 'code', 'probabilities', 'pro', 'attributes'],
  analysis: ['levels', 'measures', 'references', 'bootstrap', 'rerun', 'adjust', 'fits', 'contrasts'],
  bootstrap: ['iterations', 'seed'],
  fit: ['name', 'formula', 'table', 'benchmarks'],
  contrast: ['factor', 'a', 'b'],
} as const;

export type StudyObjectKind = keyof typeof STUDY_PROPERTIES;

/** Defaults of the optional fields (docs/studies.md). */
export const STUDY_DEFAULTS = {
  method: 'auto',
  samples: 10,
  seed: 0,
  rounds: 1,
  confirmAbove: 5000,
  optionOrders: ['original'] as OptionOrderSpec[],
  paraphrases: 'none',
  kind: 'chat',
  analysis: {
    levels: ['item'],
    measures: ['mean'],
    references: ['cue', 'language'],
    bootstrap: { iterations: 1000, seed: 1 },
    rerun: 'latest',
    adjust: ['holm', 'BH'],
    fits: [],
    contrasts: [],
  } as AnalysisSpec,
} as const;

/** Where a model without `endpoint` is served (the settings' defaults). */
export const DEFAULT_ENDPOINTS: Record<StudyModel['provider'], string> = {
  ollama: DEFAULT_OLLAMA_HOST,
  openai: DEFAULT_OPENAI_BASE_URL,
};

const PROVIDERS = ['ollama', 'openai'] as const;
const METHODS = ['auto', 'logprobs', 'loglik', 'sample', 'judge'] as const;
const KINDS = ['chat', 'base'] as const;
const FIXED_ORDERS = ['original', 'reversed', 'cyclic'] as const;
const LEVELS = ['item', 'response'] as const;
const MEASURES = ['mean', 'pro'] as const;
const REFERENCE_WORDS = ['cue', 'language', 'pooled'] as const;
const RERUNS = ['latest', 'pool'] as const;
const ADJUSTS = ['holm', 'BH'] as const;
const CONTRAST_FACTORS = ['language', 'model', 'reference'] as const;
/** Attribute names an analysis treats as model attributes even when no model sets them. */
const WELL_KNOWN_ATTRIBUTES = ['family', 'size', 'chat'];
const LANGUAGE_CODE = /^[a-z]{2,3}$/;

/** Where each resolved entry came from in the file (index in its JSON array), for load-time diagnostics. */
export interface StudySources {
  items: number[];
  templates: number[];
  human: number[];
  imports: number[];
  models: number[];
}

export interface ParsedStudyDocument {
  /** The study, or undefined when any diagnostic is an error. */
  study: Study | undefined;
  /** The best-effort study even when there are errors (for further checks); undefined without a root object. */
  draft: Study | undefined;
  diagnostics: StudyDiagnostic[];
  root: Node | undefined;
  sources: StudySources;
}

/** Parses a study file's text. `path` is the study file's absolute path (relative paths resolve against it). */
export function parseStudyText(text: string, path: string): { study: Study | undefined; diagnostics: StudyDiagnostic[] } {
  const { study, diagnostics } = parseStudyDocument(text, path);
  return { study, diagnostics };
}

/** The range of the JSON node at a path of the document, or of the whole document when absent. */
export function rangeAt(root: Node | undefined, path: (string | number)[]): SourceRange {
  const node = root ? findNodeAtLocation(root, path) : undefined;
  if (node) return nodeRange(node);
  return root ? { start: root.offset, end: root.offset + 1 } : { start: 0, end: 0 };
}

function nodeRange(node: Node): SourceRange {
  return { start: node.offset, end: node.offset + node.length };
}

/** Study name from the file name: `kim.study.json` → `kim`. */
export function studyNameFromPath(path: string): string {
  return basename(path)
    .replace(/\.study\.json$/i, '')
    .replace(/\.json$/i, '');
}

class Ctx {
  readonly diagnostics: StudyDiagnostic[] = [];
  constructor(readonly dir: string) {}

  add(code: string, severity: Severity, message: Message, at: Node | SourceRange): void {
    const range = 'type' in at ? nodeRange(at) : at;
    this.diagnostics.push({ code, severity, message: renderMessage(message), text: message, range });
  }

  wrongType(node: Node, what: MessageArg, expected: Message): void {
    this.add('study/wrong-type', 'error', msg('{0} must be {1}, not {2}', what, expected, describe(node)), node);
  }

  /** The members of an object node, reporting unknown and duplicate properties. */
  object(node: Node, kind: StudyObjectKind, what: MessageArg): Map<string, Node> | undefined {
    if (node.type !== 'object') {
      this.wrongType(node, what, msg('an object'));
      return undefined;
    }
    const allowed: readonly string[] = STUDY_PROPERTIES[kind];
    const out = new Map<string, Node>();
    for (const prop of node.children ?? []) {
      const [keyNode, valueNode] = prop.children ?? [];
      if (!keyNode || !valueNode) continue;
      const key = String(keyNode.value);
      if (!allowed.includes(key)) {
        const near = nearest(key, allowed);
        const unknown = near
          ? msg('unknown property "{0}" in {1} (did you mean "{2}"?); it is ignored', key, what, near)
          : msg('unknown property "{0}" in {1}; it is ignored', key, what);
        this.add('study/unknown-property', 'warning', unknown, keyNode);
        continue;
      }
      if (out.has(key)) {
        this.add('study/duplicate-property', 'error', msg('"{0}" appears twice in {1}', key, what), keyNode);
        continue;
      }
      out.set(key, valueNode);
    }
    return out;
  }

  /** A plain map object (string keys, any member names allowed); reports a wrong type. */
  map(node: Node, what: MessageArg): [Node, Node][] | undefined {
    if (node.type !== 'object') {
      this.wrongType(node, what, msg('an object'));
      return undefined;
    }
    const out: [Node, Node][] = [];
    for (const prop of node.children ?? []) {
      const [k, v] = prop.children ?? [];
      if (k && v) out.push([k, v]);
    }
    return out;
  }

  string(node: Node | undefined, what: MessageArg, opts: { nonEmpty?: boolean } = {}): string | undefined {
    if (!node) return undefined;
    if (node.type !== 'string') {
      this.wrongType(node, what, msg('a string'));
      return undefined;
    }
    const v = String(node.value);
    if (opts.nonEmpty !== false && v.trim() === '') {
      this.add('study/bad-value', 'error', msg('{0} must not be empty', what), node);
      return undefined;
    }
    return v;
  }

  oneOf<T extends string>(node: Node | undefined, what: MessageArg, values: readonly T[], code = 'study/bad-value'): T | undefined {
    const v = this.string(node, what);
    if (v === undefined || !node) return undefined;
    if (!(values as readonly string[]).includes(v)) {
      const near = nearest(v, values);
      this.add(code, 'error', didYouMean(msg('{0} "{1}" is not one of {2}', what, v, values.map((x) => `"${x}"`).join(', ')), near), node);
      return undefined;
    }
    return v as T;
  }

  number(node: Node | undefined, what: MessageArg, opts: { integer?: boolean; min?: number; max?: number } = {}): number | undefined {
    if (!node) return undefined;
    if (node.type !== 'number') {
      this.wrongType(node, what, opts.integer ? msg('an integer') : msg('a number'));
      return undefined;
    }
    const v = Number(node.value);
    if (opts.integer && !Number.isInteger(v)) {
      this.wrongType(node, what, msg('an integer'));
      return undefined;
    }
    if ((opts.min !== undefined && v < opts.min) || (opts.max !== undefined && v > opts.max)) {
      const range =
        opts.max === undefined
          ? msg('at least {0}', String(opts.min))
          : opts.min === undefined
            ? msg('at most {0}', opts.max)
            : msg('between {0} and {1}', opts.min, opts.max);
      this.add('study/bad-value', 'error', msg('{0} must be {1}, not {2}', what, range, v), node);
      return undefined;
    }
    return v;
  }

  /** The element nodes of an array node. */
  array(node: Node | undefined, what: MessageArg): Node[] | undefined {
    if (!node) return undefined;
    if (node.type !== 'array') {
      this.wrongType(node, what, msg('an array'));
      return undefined;
    }
    return node.children ?? [];
  }

  /** An array of non-empty strings, duplicates reported as warnings and dropped. */
  strings(node: Node | undefined, what: MessageArg): { value: string; node: Node }[] | undefined {
    const elements = this.array(node, what);
    if (!elements) return undefined;
    const out: { value: string; node: Node }[] = [];
    const seen = new Set<string>();
    for (const el of elements) {
      const v = this.string(el, msg('each of {0}', what));
      if (v === undefined) continue;
      if (seen.has(v)) {
        this.add('study/duplicate-value', 'warning', msg('"{0}" is listed twice in {1}; once is enough', v, what), el);
        continue;
      }
      seen.add(v);
      out.push({ value: v, node: el });
    }
    return out;
  }

  country(node: Node, v: string, what: MessageArg): boolean {
    if (isKnownCountry(v)) return true;
    const near = suggestCountry(v);
    this.add('study/unknown-country', 'error', didYouMean(msg('{0} "{1}" is not an ISO 3166-1 alpha-2 code', what, v), near), node);
    return false;
  }

  path(p: string): string {
    return resolve(this.dir, p);
  }
}

function describe(node: Node): Message {
  if (node.type === 'null') return msg('null');
  if (node.type === 'array') return msg('an array');
  if (node.type === 'object') return msg('an object');
  if (node.type === 'string') return msg('the string {0}', JSON.stringify(node.value));
  // `number 3`, `boolean true`: JSON's own words.
  return msg('{0} {1}', node.type, String(node.value));
}

/** A message with its "did you mean" ending when there is a likely intended word. */
export function didYouMean(message: Message, near: string | undefined): Message {
  return near ? msg('{0} (did you mean "{1}"?)', message, near) : message;
}

/** The allowed word within edit distance 2 of a typo, if one. */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best;
}

/** Parses and resolves a study file; keeps the JSON tree and entry origins for load-time checks. */
export function parseStudyDocument(text: string, path: string): ParsedStudyDocument {
  const ctx = new Ctx(dirname(path));
  const sources: StudySources = { items: [], templates: [], human: [], imports: [], models: [] };
  const errors: ParseError[] = [];
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const shift = text.length - body.length;
  if (body.trim() === '') {
    ctx.add('study/json-syntax', 'error', msg('the study file is empty; it must be one JSON object'), { start: 0, end: 0 });
    return { study: undefined, draft: undefined, diagnostics: ctx.diagnostics, root: undefined, sources };
  }
  let root: Node | undefined;
  try {
    root = parseTree(body, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  } catch {
    root = undefined; // jsonc-parser does not throw on any input we know of; never let it escape
  }
  const seenOffsets = new Set<number>();
  for (const e of errors) {
    if (seenOffsets.has(e.offset)) continue; // one message per place: the parser's recovery repeats itself
    seenOffsets.add(e.offset);
    const start = Math.min(e.offset + shift, text.length);
    ctx.add('study/json-syntax', 'error', msg('JSON syntax: {0}', syntaxMessage(printParseErrorCode(e.error))), {
      start,
      end: Math.min(start + Math.max(e.length, 1), text.length),
    });
  }
  if (shift && root) shiftNodes(root, shift);
  if (!root || root.type !== 'object') {
    if (root) ctx.add('study/wrong-type', 'error', msg('a study file is one JSON object, not {0}', describe(root)), root);
    return { study: undefined, draft: undefined, diagnostics: ctx.diagnostics, root, sources };
  }
  const draft = buildStudy(ctx, root, path, sources);
  const hasError = ctx.diagnostics.some((d) => d.severity === 'error');
  return { study: hasError ? undefined : draft, draft, diagnostics: ctx.diagnostics, root, sources };
}

function shiftNodes(node: Node, by: number): void {
  (node as { offset: number }).offset += by;
  for (const c of node.children ?? []) shiftNodes(c, by);
}

function syntaxMessage(code: string): string {
  const words: Record<string, string> = {
    InvalidSymbol: 'unexpected character',
    InvalidNumberFormat: 'malformed number',
    PropertyNameExpected: 'a property name in double quotes was expected (trailing comma?)',
    ValueExpected: 'a value was expected (trailing comma?)',
    ColonExpected: '":" was expected',
    CommaExpected: '"," was expected',
    CloseBraceExpected: '"}" was expected',
    CloseBracketExpected: '"]" was expected',
    EndOfFileExpected: 'text after the end of the study object',
    InvalidCommentToken: 'comments are not allowed in a .study.json file',
    UnexpectedEndOfComment: 'unterminated comment',
    UnexpectedEndOfString: 'unterminated string',
    UnexpectedEndOfNumber: 'unterminated number',
    InvalidUnicode: 'invalid \\u escape',
    InvalidEscapeCharacter: 'invalid escape character',
    InvalidCharacter: 'invalid character in a string',
  };
  return words[code] ?? code;
}

function buildStudy(ctx: Ctx, root: Node, path: string, sources: StudySources): Study {
  const props = ctx.object(root, 'root', msg('the study')) ?? new Map<string, Node>();
  const rootRange: SourceRange = { start: root.offset, end: root.offset + 1 };
  const required = (key: string): Node | undefined => {
    const n = props.get(key);
    if (!n) ctx.add('study/missing-property', 'error', msg('the study needs "{0}"', key), rootRange);
    return n;
  };

  ctx.string(props.get('$schema'), '"$schema"');
  const name = ctx.string(props.get('name'), '"name"') ?? studyNameFromPath(path);
  if (/[\\/:*?"<>|]/.test(name))
    ctx.add(
      'study/bad-value',
      'error',
      msg('"name" is used in folder names and must not contain any of \\ / : * ? " < > |'),
      props.get('name') ?? rootRange,
    );
  const description = ctx.string(props.get('description'), '"description"', { nonEmpty: false });

  const items = parseItems(ctx, required('items'), sources);
  const templates = parseTemplateSources(ctx, required('templates'), sources);
  const languages = parseLanguages(ctx, required('languages'));
  const countries = parseCountryList(ctx, props.get('countries'), '"countries"');
  const languageCountries = parseLanguageCountries(ctx, props.get('languageCountries'), languages);
  const endpoints = parseEndpoints(ctx, props.get('endpoints'));
  const models = parseModels(ctx, required('models'), endpoints, sources);
  reportPartialAttributes(ctx, props.get('models'), models);

  const method = (ctx.oneOf(props.get('method'), '"method"', METHODS) ?? STUDY_DEFAULTS.method) as Study['method'];
  const judge = ctx.string(props.get('judge'), '"judge"', { nonEmpty: true });
  if (judge !== undefined && !models.some((m) => m.id === judge)) {
    ctx.add(
      'study/unknown-model',
      'error',
      msg('"judge" names no model of the study (models: {0})', models.map((m) => m.id).join(', ') || msg('none')),
      props.get('judge')!,
    );
  }
  if (judge !== undefined && method !== 'judge')
    ctx.add('study/unused-judge', 'warning', msg('"judge" is only used when "method" is "judge"'), props.get('judge')!);
  const stanceLanguage = ctx.string(props.get('stanceLanguage'), '"stanceLanguage"', { nonEmpty: true });
  if (stanceLanguage !== undefined && !/^[a-z]{2,3}$/.test(stanceLanguage))
    ctx.add(
      'study/bad-language',
      'error',
      msg('"stanceLanguage" must be a lower-case language code, not "{0}"', stanceLanguage),
      props.get('stanceLanguage')!,
    );
  if (stanceLanguage !== undefined && method !== 'judge')
    ctx.add('study/unused-judge', 'warning', msg('"stanceLanguage" is only used when "method" is "judge"'), props.get('stanceLanguage')!);
  const samples = ctx.number(props.get('samples'), '"samples"', { integer: true, min: 1, max: 1000 }) ?? STUDY_DEFAULTS.samples;
  const temperature = ctx.number(props.get('temperature'), '"temperature"', { min: 0, max: 2 });
  const seed = ctx.number(props.get('seed'), '"seed"', { integer: true, min: 0 }) ?? STUDY_DEFAULTS.seed;
  const rounds = ctx.number(props.get('rounds'), '"rounds"', { integer: true, min: 1, max: 1000 }) ?? STUDY_DEFAULTS.rounds;
  const confirmAbove = ctx.number(props.get('confirmAbove'), '"confirmAbove"', { integer: true, min: 0 }) ?? STUDY_DEFAULTS.confirmAbove;
  const optionOrders = parseOptionOrders(ctx, props.get('optionOrders'), seed);
  const human = parseHuman(ctx, props.get('human'), sources);
  const imports = parseImports(ctx, props.get('imports'), sources);
  const resultsText = ctx.string(props.get('results'), '"results"');
  const results = ctx.path(resultsText ?? `${name}.results`);
  const analysis = parseAnalysis(ctx, props.get('analysis'), {
    languages,
    countries,
    models,
    languageCountries,
    root: rootRange,
    languagesRange: props.get('languages') ? rangeAt(root, ['languages']) : undefined,
  });

  const hash = createHash('sha256')
    .update(canonicalJson(getNodeValue(root)))
    .digest('hex');
  const study: Study = {
    path,
    name,
    hash,
    items,
    templates,
    languages,
    countries,
    languageCountries,
    models,
    method,
    samples,
    seed,
    rounds,
    optionOrders,
    human,
    imports,
    results,
    analysis,
    confirmAbove,
  };
  if (description !== undefined) study.description = description;
  if (temperature !== undefined) study.temperature = temperature;
  if (judge !== undefined) study.judge = judge;
  if (stanceLanguage !== undefined) study.stanceLanguage = stanceLanguage;
  const batchNode = props.get('batch');
  if (batchNode && batchNode.type !== 'boolean') ctx.wrongType(batchNode, '"batch"', msg('true or false'));
  else if (batchNode?.value === true) study.batch = true;
  return study;
}

function nonEmptyArray(ctx: Ctx, node: Node | undefined, what: string): Node[] {
  const elements = ctx.array(node, what);
  if (elements && elements.length === 0 && node) ctx.add('study/bad-value', 'error', msg('{0} must list at least one entry', what), node);
  return elements ?? [];
}

function parseItems(ctx: Ctx, node: Node | undefined, sources: StudySources): ItemSource[] {
  return sourceList(ctx, node, 'items', msg('its items would be planned twice'), sources.items, (p, at, file) => {
    const entry: ItemSource = { file };
    const ids = ctx.strings(p.get('ids'), `${at}.ids`);
    if (ids) entry.ids = ids.map((x) => x.value);
    const categories = ctx.strings(p.get('categories'), `${at}.categories`);
    if (categories) entry.categories = categories.map((x) => x.value);
    return entry;
  });
}

function parseTemplateSources(ctx: Ctx, node: Node | undefined, sources: StudySources): TemplateSource[] {
  return sourceList(ctx, node, 'templates', msg('its prompts would be planned twice'), sources.templates, (p, at, file) => {
    const entry: TemplateSource = { file, paraphrases: 'none' };
    const names = ctx.strings(p.get('names'), `${at}.names`);
    if (names) entry.names = names.map((x) => x.value);
    const para = p.get('paraphrases');
    if (para) {
      if (para.type === 'string') {
        const v = ctx.oneOf(para, `${at}.paraphrases`, ['none', 'all'] as const);
        if (v) entry.paraphrases = v;
      } else if (para.type === 'array') {
        const idx: number[] = [];
        for (const c of para.children ?? []) {
          const v = ctx.number(c, msg('each of {0}', `${at}.paraphrases`), { integer: true, min: 0 });
          if (v !== undefined && !idx.includes(v)) idx.push(v);
        }
        entry.paraphrases = idx;
      } else ctx.wrongType(para, `${at}.paraphrases`, msg('"none", "all" or an array of paraphrase indices'));
    }
    return entry;
  });
}

/**
 * The entries of "items" or "templates": objects with a "file" (resolved against the study's folder), the
 * rest read by `entry`. An entry equal to an earlier one is a warning and left out (`twice` says what it
 * would do); `indices` gets the array index of each kept entry, for diagnostics that point back at it.
 */
function sourceList<T>(
  ctx: Ctx,
  node: Node | undefined,
  key: 'items' | 'templates',
  twice: Message,
  indices: number[],
  entry: (p: Map<string, Node>, at: string, file: string) => T,
): T[] {
  const out: T[] = [];
  nonEmptyArray(ctx, node, `"${key}"`).forEach((el, i) => {
    const at = `${key}[${i}]`;
    const p = ctx.object(el, key === 'items' ? 'item' : 'template', at);
    if (!p) return;
    const file = fileOf(ctx, el, p, at);
    if (file === undefined) return;
    const built = entry(p, at, ctx.path(file));
    if (out.some((o) => JSON.stringify(o) === JSON.stringify(built))) {
      ctx.add('study/duplicate-value', 'warning', msg('{0} repeats an earlier entry; {1}', at, twice), el);
      return;
    }
    out.push(built);
    indices.push(i);
  });
  return out;
}

function fileOf(ctx: Ctx, el: Node, p: Map<string, Node>, what: string): string | undefined {
  const n = p.get('file');
  if (!n) {
    ctx.add('study/missing-property', 'error', msg('{0} needs "file"', what), el);
    return undefined;
  }
  return ctx.string(n, `${what}.file`);
}

function parseLanguages(ctx: Ctx, node: Node | undefined): string[] {
  if (!node) return [];
  const list = ctx.strings(node, '"languages"') ?? [];
  if (node.type === 'array' && !list.length && !(node.children ?? []).length)
    ctx.add('study/bad-value', 'error', msg('"languages" must list at least one language'), node);
  const out: string[] = [];
  for (const { value, node: n } of list) {
    if (!LANGUAGE_CODE.test(value)) {
      ctx.add('study/bad-language', 'error', msg('language "{0}" is not an ISO 639-1 code in lower case (e.g. "en", "da")', value), n);
      continue;
    }
    out.push(value);
  }
  return out;
}

function parseCountryList(ctx: Ctx, node: Node | undefined, what: string): string[] {
  const list = ctx.strings(node, what) ?? [];
  return list.filter(({ value, node: n }) => ctx.country(n, value, msg('country in {0}', what))).map((x) => x.value);
}

function parseLanguageCountries(ctx: Ctx, node: Node | undefined, languages: string[]): Record<string, string[]> {
  // Default: the built-in map for the study's languages; the file's entries replace them per language.
  const out: Record<string, string[]> = {};
  for (const l of languages) if (DEFAULT_LANGUAGE_COUNTRIES[l]) out[l] = [...DEFAULT_LANGUAGE_COUNTRIES[l]];
  if (!node) return out;
  for (const [k, v] of ctx.map(node, '"languageCountries"') ?? []) {
    const lang = String(k.value);
    if (!LANGUAGE_CODE.test(lang)) {
      ctx.add('study/bad-language', 'error', msg('language "{0}" is not an ISO 639-1 code in lower case', lang), k);
      continue;
    }
    const list = parseCountryList(ctx, v, `languageCountries.${lang}`);
    if (v.type === 'array' && !(v.children ?? []).length)
      ctx.add('study/bad-value', 'error', msg('languageCountries.{0} must list at least one country', lang), v);
    out[lang] = list;
  }
  return out;
}

function parseEndpoints(ctx: Ctx, node: Node | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!node) return out;
  for (const [k, v] of ctx.map(node, '"endpoints"') ?? []) {
    const url = ctx.string(v, `endpoints.${String(k.value)}`);
    if (url !== undefined && checkUrl(ctx, v, url)) out.set(String(k.value), url);
  }
  return out;
}

/** An endpoint URL: http(s), and never credentials (they would end up in records and manifests). */
function checkUrl(ctx: Ctx, node: Node, url: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    ctx.add('study/bad-value', 'error', msg('"{0}" is not a URL', url), node);
    return false;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    ctx.add('study/bad-value', 'error', msg('endpoint URL must be http or https, not {0}', u.protocol), node);
    return false;
  }
  const secretParam = [...u.searchParams.keys()].find((k) => /key|token|secret|password/i.test(k));
  if (u.username || u.password || secretParam) {
    ctx.add(
      'study/endpoint-credentials',
      'error',
      msg(
        'an endpoint must not carry credentials (user, password or key in the URL); set the API key with "Value Lens: Set API Key" or the environment',
      ),
      node,
    );
    return false;
  }
  return true;
}

function parseModels(ctx: Ctx, node: Node | undefined, endpoints: Map<string, string>, sources: StudySources): StudyModel[] {
  const out: StudyModel[] = [];
  const ids = new Set<string>();
  nonEmptyArray(ctx, node, '"models"').forEach((el, i) => {
    const what = `models[${i}]`;
    const p = ctx.object(el, 'model', what);
    if (!p) return;
    const idNode = p.get('id');
    if (!idNode) ctx.add('study/missing-property', 'error', msg('{0} needs "id"', what), el);
    const id = ctx.string(idNode, `${what}.id`);
    const providerNode = p.get('provider');
    if (!providerNode) ctx.add('study/missing-property', 'error', msg('{0} needs "provider" ("ollama" or "openai")', what), el);
    const provider = ctx.oneOf(providerNode, `${what}.provider`, PROVIDERS, 'study/unknown-provider');
    const model = ctx.string(p.get('model'), `${what}.model`) ?? id;
    const kind = ctx.oneOf(p.get('kind'), `${what}.kind`, KINDS) ?? 'chat';
    let endpoint: string | undefined = provider ? DEFAULT_ENDPOINTS[provider] : undefined;
    const epNode = p.get('endpoint');
    const ep = ctx.string(epNode, `${what}.endpoint`);
    if (ep !== undefined && epNode) {
      if (ep.includes('://')) endpoint = checkUrl(ctx, epNode, ep) ? ep : undefined;
      else if (endpoints.has(ep)) endpoint = endpoints.get(ep);
      else {
        const near = nearest(ep, [...endpoints.keys()]);
        ctx.add(
          'study/unknown-endpoint',
          'error',
          didYouMean(msg('endpoint "{0}" is neither a URL nor a name in "endpoints"', ep), near),
          epNode,
        );
        endpoint = undefined;
      }
    }
    const attributes: Record<string, AttributeValue> = {};
    const attrNode = p.get('attributes');
    for (const [k, v] of attrNode ? (ctx.map(attrNode, `${what}.attributes`) ?? []) : []) {
      if (v.type === 'string' || v.type === 'number' || v.type === 'boolean') attributes[String(k.value)] = v.value as AttributeValue;
      else ctx.wrongType(v, `${what}.attributes.${String(k.value)}`, msg('a string, number or boolean'));
    }
    if (attributes.chat === undefined) attributes.chat = kind === 'chat';
    else if (attributes.chat !== (kind === 'chat')) {
      const at = attrNode ? findNodeAtLocation(attrNode, ['chat']) : undefined;
      ctx.add('study/bad-value', 'warning', msg('attribute "chat" is {0} but kind is "{1}"', String(attributes.chat), kind), at ?? el);
    }
    if (id !== undefined && idNode) {
      if (ids.has(id)) {
        ctx.add('study/duplicate-model', 'error', msg('model id "{0}" is used twice; ids name the model in every record', id), idNode);
        return;
      }
      ids.add(id);
    }
    if (id === undefined || !provider || model === undefined || endpoint === undefined) return;
    out.push({ id, provider, model, endpoint, kind, attributes });
    sources.models.push(i);
  });
  return out;
}

/** An attribute set on some models only: grouping by it leaves the others out (said once, as info). */
function reportPartialAttributes(ctx: Ctx, node: Node | undefined, models: StudyModel[]): void {
  if (!node || models.length < 2) return;
  const names = [...new Set(models.flatMap((m) => Object.keys(m.attributes)))];
  for (const name of names) {
    const lacking = models.filter((m) => m.attributes[name] === undefined).map((m) => m.id);
    if (lacking.length)
      ctx.add(
        'study/attribute-partial',
        'info',
        msg('model attribute "{0}" is not set on {1}; comparisons by "{0}" leave them out', name, lacking.join(', ')),
        node,
      );
  }
}

function parseOptionOrders(ctx: Ctx, node: Node | undefined, studySeed: number): OptionOrderSpec[] {
  if (!node) return [...STUDY_DEFAULTS.optionOrders];
  const elements = ctx.array(node, '"optionOrders"') ?? [];
  if (node.type === 'array' && !elements.length)
    ctx.add('study/bad-option-order', 'error', msg('"optionOrders" must list at least one order (e.g. "original")'), node);
  const out: OptionOrderSpec[] = [];
  const seen = new Set<string>();
  elements.forEach((el, i) => {
    let spec: OptionOrderSpec | undefined;
    if (el.type === 'string') {
      const v = String(el.value);
      if ((FIXED_ORDERS as readonly string[]).includes(v)) spec = v as OptionOrderSpec;
      else {
        const near = nearest(v, FIXED_ORDERS);
        ctx.add(
          'study/bad-option-order',
          'error',
          didYouMean(msg('option order "{0}" is not "original", "reversed", "cyclic" or { "permutations": k, "seed": s }', v), near),
          el,
        );
      }
    } else if (el.type === 'object') {
      const p = ctx.object(el, 'permutations', `optionOrders[${i}]`);
      if (!p) return;
      const kNode = p.get('permutations');
      if (!kNode) {
        ctx.add('study/bad-option-order', 'error', msg('optionOrders[{0}] needs "permutations" (how many seeded random orders)', i), el);
        return;
      }
      if (kNode.type !== 'number' || !Number.isInteger(kNode.value) || Number(kNode.value) < 1 || Number(kNode.value) > 1000) {
        ctx.add('study/bad-option-order', 'error', msg('"permutations" must be an integer from 1 to 1000'), kNode);
        return;
      }
      const seed = ctx.number(p.get('seed'), `optionOrders[${i}].seed`, { integer: true, min: 0 }) ?? studySeed;
      spec = { permutations: Number(kNode.value), seed };
    } else
      ctx.add(
        'study/bad-option-order',
        'error',
        msg('an option order is a string or { "permutations": k, "seed": s }, not {0}', describe(el)),
        el,
      );
    if (!spec) return;
    const key = JSON.stringify(spec);
    if (seen.has(key)) {
      ctx.add('study/duplicate-value', 'warning', msg('option order {0} is listed twice; once is enough', key), el);
      return;
    }
    seen.add(key);
    out.push(spec);
  });
  return out;
}

function parseHuman(ctx: Ctx, node: Node | undefined, sources: StudySources): HumanSource[] {
  const out: HumanSource[] = [];
  (ctx.array(node, '"human"') ?? []).forEach((el, i) => {
    const p = ctx.object(el, 'human', `human[${i}]`);
    if (!p) return;
    const file = fileOf(ctx, el, p, `human[${i}]`);
    if (file === undefined) return;
    const entry: HumanSource = { file: ctx.path(file) };
    const cols = p.get('columns');
    if (cols) {
      const m = ctx.object(cols, 'humanColumns', `human[${i}].columns`);
      if (m) {
        entry.columns = {};
        for (const [k, v] of m) {
          const s = ctx.string(v, `human[${i}].columns.${k}`);
          if (s !== undefined) entry.columns[k] = s;
        }
      }
    }
    out.push(entry);
    sources.human.push(i);
  });
  return out;
}

function parseImports(ctx: Ctx, node: Node | undefined, sources: StudySources): ImportMapping[] {
  const out: ImportMapping[] = [];
  (ctx.array(node, '"imports"') ?? []).forEach((el, i) => {
    const what = `imports[${i}]`;
    const p = ctx.object(el, 'import', what);
    if (!p) return;
    const file = fileOf(ctx, el, p, what);
    const colsNode = p.get('columns');
    if (!colsNode) {
      ctx.add('study/missing-property', 'error', msg('{0} needs "columns"', what), el);
      return;
    }
    const m = ctx.object(colsNode, 'importColumns', `${what}.columns`);
    if (!m || file === undefined) return;
    const col = (k: string): string | undefined => ctx.string(m.get(k), `${what}.columns.${k}`);
    const missing = (['model', 'language', 'item'] as const).filter((k) => !m.has(k));
    for (const k of missing)
      ctx.add('study/bad-import', 'error', msg('{0}.columns needs "{1}" (the column holding the {1})', what, k), colsNode);
    const answers = (['code', 'probabilities', 'pro'] as const).filter((k) => m.has(k));
    if (answers.length !== 1) {
      ctx.add(
        'study/bad-import',
        'error',
        msg(
          '{0}.columns needs exactly one of "code", "probabilities" or "pro" (found {1})',
          what,
          answers.length ? answers.join(', ') : msg('none'),
        ),
        colsNode,
      );
    }
    const columns: ImportMapping['columns'] = { model: col('model') ?? '', language: col('language') ?? '', item: col('item') ?? '' };
    for (const k of ['country', 'template', 'paraphrase', 'sample', 'code', 'pro'] as const) {
      const v = col(k);
      if (v !== undefined) columns[k] = v;
    }
    for (const k of ['probabilities', 'attributes'] as const) {
      const n = m.get(k);
      if (!n) continue;
      const rec: Record<string, string> = {};
      for (const [kk, vv] of ctx.map(n, `${what}.columns.${k}`) ?? []) {
        const s = ctx.string(vv, `${what}.columns.${k}.${String(kk.value)}`);
        if (s !== undefined) rec[String(kk.value)] = s;
      }
      columns[k] = rec;
    }
    const entry: ImportMapping = { file: ctx.path(file), columns };
    const whereNode = p.get('where');
    if (whereNode) {
      entry.where = {};
      for (const [k, v] of ctx.map(whereNode, `${what}.where`) ?? []) {
        const s = ctx.string(v, `${what}.where.${String(k.value)}`, { nonEmpty: false });
        if (s !== undefined) entry.where[String(k.value)] = s;
      }
    }
    out.push(entry);
    sources.imports.push(i);
  });
  return out;
}

interface AnalysisContext {
  languages: string[];
  countries: string[];
  models: StudyModel[];
  languageCountries: Record<string, string[]>;
  root: SourceRange;
  languagesRange?: SourceRange;
}

function parseAnalysis(ctx: Ctx, node: Node | undefined, env: AnalysisContext): AnalysisSpec {
  const d = STUDY_DEFAULTS.analysis;
  const spec: AnalysisSpec = {
    levels: [...d.levels],
    measures: [...d.measures],
    references: [...d.references],
    bootstrap: { ...d.bootstrap },
    rerun: d.rerun,
    adjust: [...d.adjust],
    fits: [],
    contrasts: [],
  };
  const p = node ? ctx.object(node, 'analysis', '"analysis"') : undefined;
  if (p) {
    const enumList = <T extends string>(key: string, values: readonly T[]): T[] | undefined => {
      const list = ctx.strings(p.get(key), `analysis.${key}`);
      if (!list) return undefined;
      const out: T[] = [];
      for (const { value, node: n } of list) {
        if ((values as readonly string[]).includes(value)) out.push(value as T);
        else
          ctx.add(
            'study/bad-analysis',
            'error',
            msg('{0}: "{1}" is not one of {2}', `analysis.${key}`, value, values.map((x) => `"${x}"`).join(', ')),
            n,
          );
      }
      return out;
    };
    spec.levels = enumList('levels', LEVELS) ?? spec.levels;
    spec.measures = enumList('measures', MEASURES) ?? spec.measures;
    spec.adjust = enumList('adjust', ADJUSTS) ?? spec.adjust;
    for (const key of ['levels', 'measures'] as const) {
      const n = p.get(key);
      if (n?.type === 'array' && !(n.children ?? []).length)
        ctx.add('study/bad-analysis', 'error', msg('analysis.{0} must list at least one value', key), n);
    }
    const refs = ctx.strings(p.get('references'), 'analysis.references');
    if (refs) {
      spec.references = [];
      for (const { value, node: n } of refs) if (checkReference(ctx, n, value, env)) spec.references.push(value);
      if (!refs.length && p.get('references')?.type === 'array')
        ctx.add('study/bad-analysis', 'error', msg('analysis.references must list at least one reference'), p.get('references') as Node);
    }
    const bNode = p.get('bootstrap');
    const b = bNode ? ctx.object(bNode, 'bootstrap', 'analysis.bootstrap') : undefined;
    if (b) {
      spec.bootstrap.iterations =
        ctx.number(b.get('iterations'), 'analysis.bootstrap.iterations', { integer: true, min: 1, max: 1_000_000 }) ??
        spec.bootstrap.iterations;
      spec.bootstrap.seed = ctx.number(b.get('seed'), 'analysis.bootstrap.seed', { integer: true, min: 0 }) ?? spec.bootstrap.seed;
    }
    spec.rerun = ctx.oneOf(p.get('rerun'), 'analysis.rerun', RERUNS, 'study/bad-analysis') ?? spec.rerun;
    spec.fits = parseFits(ctx, p.get('fits'), env);
    spec.contrasts = parseContrasts(ctx, p.get('contrasts'), env);
  } else {
    // Defaults still have to make sense for this study: 'cue' without countries compares with nothing.
    if (!env.countries.length) spec.references = spec.references.filter((r) => r !== 'cue');
    const unmapped = env.languages.filter((l) => !env.languageCountries[l]?.length);
    if (unmapped.length) {
      ctx.add(
        'study/bad-analysis',
        'warning',
        msg('the default reference "language" has no countries for {0}; add them to "languageCountries"', unmapped.join(', ')),
        env.languagesRange ?? env.root,
      );
    }
  }
  return spec;
}

function checkReference(ctx: Ctx, node: Node, value: string, env: AnalysisContext): boolean {
  if ((REFERENCE_WORDS as readonly string[]).includes(value)) {
    if (value === 'cue' && !env.countries.length) {
      ctx.add(
        'study/bad-analysis',
        'error',
        msg('reference "cue" compares each condition with its cue country, but the study has no "countries"'),
        node,
      );
      return false;
    }
    if (value === 'language') {
      const unmapped = env.languages.filter((l) => !env.languageCountries[l]?.length);
      if (unmapped.length)
        ctx.add('study/bad-analysis', 'error', msg('reference "language" needs "languageCountries" for {0}', unmapped.join(', ')), node);
    }
    return true;
  }
  if (/^[A-Za-z]{2,3}$/.test(value) || /^[A-Z]{2}-[A-Z0-9]{1,3}$/.test(value)) return ctx.country(node, value, 'reference country');
  const near = nearest(value, REFERENCE_WORDS);
  ctx.add(
    'study/bad-analysis',
    'error',
    didYouMean(msg('reference "{0}" is not "cue", "language", "pooled" or a country code', value), near),
    node,
  );
  return false;
}

/** Identifiers of a model formula (lme4/statsmodels style: `y ~ a + b:c + (1 | model)`). */
export function formulaTerms(formula: string): string[] {
  return [...new Set(formula.match(/[A-Za-z_][A-Za-z0-9_.]*/g) ?? [])];
}

function parseFits(ctx: Ctx, node: Node | undefined, env: AnalysisContext): AnalysisSpec['fits'] {
  const out: AnalysisSpec['fits'] = [];
  const names = new Set<string>();
  (ctx.array(node, 'analysis.fits') ?? []).forEach((el, i) => {
    const what = `analysis.fits[${i}]`;
    const p = ctx.object(el, 'fit', what);
    if (!p) return;
    for (const k of ['name', 'formula', 'table'])
      if (!p.has(k)) ctx.add('study/bad-analysis', 'error', msg('{0} needs "{1}"', what, k), el);
    const name = ctx.string(p.get('name'), `${what}.name`);
    const formulaNode = p.get('formula');
    const formula = ctx.string(formulaNode, `${what}.formula`);
    const table = ctx.string(p.get('table'), `${what}.table`);
    if (name !== undefined && names.has(name))
      ctx.add('study/bad-analysis', 'error', msg('fit name "{0}" is used twice', name), p.get('name') as Node);
    if (name !== undefined) names.add(name);
    if (formula !== undefined && formulaNode && !/^[^~]+~[^~]+$/.test(formula)) {
      ctx.add(
        'study/bad-analysis',
        'error',
        msg('{0}.formula needs exactly one "~" between the response and the terms, e.g. "alignment ~ size + (1 | family)"', what),
        formulaNode,
      );
      return;
    }
    if (formula !== undefined && formulaNode)
      checkAttributesUsed(ctx, formulaNode, formulaTerms(formula), env.models, `fit "${name ?? i}"`);
    const benchmarks = p.has('benchmarks') ? ctx.string(p.get('benchmarks'), `${what}.benchmarks`) : undefined;
    if (table === 'regression' && benchmarks === undefined)
      ctx.add(
        'study/bad-analysis',
        'error',
        msg('{0}: the "regression" table needs "benchmarks" (a file of model, benchmark, language, score)', what),
        el,
      );
    if (name !== undefined && formula !== undefined && table !== undefined)
      out.push({ name, formula, table, ...(benchmarks !== undefined ? { benchmarks: ctx.path(benchmarks) } : {}) });
  });
  return out;
}

/** Warns when a formula uses a model attribute that some models do not set (their rows would be dropped). */
function checkAttributesUsed(ctx: Ctx, node: Node, terms: string[], models: StudyModel[], what: string): void {
  const known = new Set([...WELL_KNOWN_ATTRIBUTES, ...models.flatMap((m) => Object.keys(m.attributes))]);
  for (const term of terms) {
    if (!known.has(term)) continue;
    const lacking = models.filter((m) => m.attributes[term] === undefined).map((m) => m.id);
    if (lacking.length) {
      const shown = lacking.slice(0, 5).join(', ') + (lacking.length > 5 ? ` and ${lacking.length - 5} more` : '');
      ctx.add(
        'study/attribute-not-set',
        'warning',
        msg('{0} uses the model attribute "{1}", which is not set on {2}', what, term, shown),
        node,
      );
    }
  }
}

function parseContrasts(ctx: Ctx, node: Node | undefined, env: AnalysisContext): AnalysisSpec['contrasts'] {
  const out: AnalysisSpec['contrasts'] = [];
  (ctx.array(node, 'analysis.contrasts') ?? []).forEach((el, i) => {
    const what = `analysis.contrasts[${i}]`;
    const p = ctx.object(el, 'contrast', what);
    if (!p) return;
    for (const k of ['factor', 'a', 'b']) if (!p.has(k)) ctx.add('study/bad-analysis', 'error', msg('{0} needs "{1}"', what, k), el);
    const factor = ctx.oneOf(p.get('factor'), `${what}.factor`, CONTRAST_FACTORS, 'study/bad-analysis');
    const a = ctx.string(p.get('a'), `${what}.a`);
    const b = ctx.string(p.get('b'), `${what}.b`);
    if (!factor || a === undefined || b === undefined) return;
    const levels: string[] = factor === 'language' ? env.languages : factor === 'model' ? env.models.map((m) => m.id) : [];
    let ok = true;
    for (const [key, v] of [
      ['a', a],
      ['b', b],
    ] as const) {
      const n = p.get(key) as Node;
      if (factor === 'reference') {
        const pooled = /^pooled:([a-z]{2,3})$/.exec(v);
        if (pooled ? !env.languages.includes(pooled[1]) : !isKnownCountry(v)) {
          ctx.add(
            'study/bad-analysis',
            'error',
            msg('{0}.{1}: "{2}" is not a reference of this study (a country code or "pooled:<language>")', what, key, v),
            n,
          );
          ok = false;
        }
      } else if (!levels.includes(v)) {
        const near = nearest(v, levels);
        ctx.add(
          'study/bad-analysis',
          'error',
          didYouMean(msg('{0}: "{1}" is not a {2} of this study', `${what}.${key}`, v, factor), near),
          n,
        );
        ok = false;
      }
    }
    if (a === b) {
      ctx.add('study/bad-analysis', 'error', msg('{0} compares "{1}" with itself', what, a), el);
      ok = false;
    }
    if (ok) out.push({ factor, a, b });
  });
  return out;
}
