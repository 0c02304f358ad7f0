// Loads a study file with everything it references: the .wvs and .wvt files (parsed), the human reference
// files (merged) and the import tables' headers. Every problem is a diagnostic on the range of the study
// file that names the thing (a path, an id, a country). Never throws.
//
// With a load memo (loadMemo.ts; the CLI's run) the referenced files are read first: when the memo knows
// these exact bytes, its diagnostics stand in for the checks and each .wvs/.wvt (and human file) is parsed
// only when something asks for it (issue 17: a cached re-run needs the study, not the parsed items).

import { promises as fsp } from 'node:fs';
import { findNodeAtLocation, type Node } from 'jsonc-parser';
import { loadHumanReference, readTable } from '../data';
import type { HumanRow } from '../data/types';
import { parseSurvey, parseTemplates, slotNames, type Diagnostic as LanguageDiagnostic, type SurveyFile } from '../language';
import { didYouMean, nearest, parseStudyDocument, rangeAt } from './parse';
import { msg, renderMessage, type Message } from '../message';
import type { LoadMemoStore } from './loadMemo';
import type { LoadedStudy, Severity, SourceRange, Study, StudyDiagnostic, StudyFs } from './types';

/** node:fs, for the CLI and tests. */
export const nodeStudyFs: StudyFs = {
  readFile: async (path) => new Uint8Array(await fsp.readFile(path)),
  exists: (path) =>
    fsp.access(path).then(
      () => true,
      () => false,
    ),
};

const decoder = new TextDecoder('utf-8');

export interface LoadOptions {
  /** Remembered loads (the CLI's, in its cache): the checks are skipped for inputs it knows. */
  memo?: LoadMemoStore;
}

/** Reads, parses and checks a study file and what it references. */
export async function loadStudy(path: string, fs: StudyFs = nodeStudyFs, options: LoadOptions = {}): Promise<LoadedStudy> {
  const empty: LoadedStudy = { study: undefined, diagnostics: [], surveys: [], templates: [], human: { rows: [] } };
  let text: string;
  let studyBytes: Uint8Array;
  try {
    studyBytes = await fs.readFile(path);
    text = decoder.decode(studyBytes);
  } catch (e) {
    const text = msg('cannot read the study file {0}: {1}', path, (e as Error).message);
    empty.diagnostics.push({
      code: 'study/missing-file',
      severity: 'error',
      message: renderMessage(text),
      text,
      range: { start: 0, end: 0 },
    });
    return empty;
  }
  const doc = parseStudyDocument(text, path);
  const out: LoadedStudy = { ...empty, diagnostics: [...doc.diagnostics] };
  const draft = doc.draft;
  if (!draft) return out;
  const add = (code: string, severity: Severity, message: Message, range: SourceRange): void => {
    out.diagnostics.push({ code, severity, message: renderMessage(message), text: message, range });
  };
  const at = (p: (string | number)[]): SourceRange => rangeAt(doc.root, p);

  // The memo's inputs: every referenced file, read up front (a file that cannot be read: no memo, and the
  // checks below say why). These bytes are the ones parsed below, so a memo names exactly what was parsed.
  const files = referencedFiles(draft);
  let preread: Map<string, Uint8Array> | undefined;
  let inputs: Uint8Array[] | undefined;
  if (options.memo && !doc.diagnostics.some((d) => d.severity === 'error')) {
    const got = await Promise.all(files.map((file) => fs.readFile(file).catch(() => undefined)));
    if (got.every((b): b is Uint8Array => b !== undefined)) {
      preread = new Map(files.map((file, i) => [file, got[i]]));
      inputs = [studyBytes, ...got];
      const remembered = await options.memo.read(path, inputs).catch(() => undefined);
      if (remembered) return fromMemo(draft, remembered, preread);
    }
  }

  /** Reads a referenced file, or reports it missing on its path string. */
  const read = async (file: string, p: (string | number)[]): Promise<string | undefined> => {
    const known = preread?.get(file);
    if (known) return decoder.decode(known);
    try {
      if (!(await fs.exists(file))) {
        add('study/missing-file', 'error', msg('file not found: {0}', file), at(p));
        return undefined;
      }
      const bytes = await fs.readFile(file);
      return decoder.decode(bytes);
    } catch (e) {
      add('study/missing-file', 'error', msg('cannot read {0}: {1}', file, (e as Error).message), at(p));
      return undefined;
    }
  };

  // ------------------------------------------------------------------ items
  const selected: { file: SurveyFile; ids: Set<string> }[] = [];
  for (const [k, src] of draft.items.entries()) {
    const i = doc.sources.items[k];
    const t = await read(src.file, ['items', i, 'file']);
    if (t === undefined) continue;
    const file = parseSurvey(t);
    out.surveys.push({ path: src.file, file });
    reportFileDiagnostics(add, file.diagnostics, src.file, at(['items', i, 'file']));
    const byId = new Map(file.items.map((it) => [it.id, it]));
    const categories = new Set(file.items.map((it) => it.category?.value).filter((c): c is string => !!c));
    (src.ids ?? []).forEach((id, j) => {
      if (byId.has(id)) return;
      const near = nearest(id, [...byId.keys()]);
      add('study/unknown-item', 'error', didYouMean(msg('no item "{0}" in {1}', id, src.file), near), at(['items', i, 'ids', j]));
    });
    (src.categories ?? []).forEach((c, j) => {
      if (categories.has(c)) return;
      const near = nearest(c, [...categories]);
      const base = msg('no item of {0} has category "{1}"', src.file, c);
      add(
        'study/unknown-category',
        'error',
        near ? didYouMean(base, near) : msg('{0} (categories: {1})', base, [...categories].join(', ') || msg('none')),
        at(['items', i, 'categories', j]),
      );
    });
    const chosen = file.items.filter(
      (it) => (!src.ids || src.ids.includes(it.id)) && (!src.categories || (it.category && src.categories.includes(it.category.value))),
    );
    if (!chosen.length) add('study/empty-selection', 'warning', msg('no item of {0} is selected', src.file), at(['items', i]));
    selected.push({ file, ids: new Set(chosen.map((it) => it.id)) });
    const lacking = draft.languages.map((l) => ({ l, n: chosen.filter((it) => !it.texts[l]).length })).filter((x) => x.n > 0);
    for (const { l, n } of lacking)
      add(
        'study/missing-translation',
        'warning',
        msg('{0} of {1} selected items have no "{2}" text; their "{2}" conditions cannot be rendered', n, chosen.length, l),
        at(['items', i, 'file']),
      );
  }
  const chosenItems = selected.flatMap(({ file, ids }) => file.items.filter((it) => ids.has(it.id)));

  // ------------------------------------------------------------------ templates
  let usesCountry = false;
  for (const [k, src] of draft.templates.entries()) {
    const i = doc.sources.templates[k];
    const t = await read(src.file, ['templates', i, 'file']);
    if (t === undefined) continue;
    const file = parseTemplates(t);
    out.templates.push({ path: src.file, file });
    reportFileDiagnostics(add, file.diagnostics, src.file, at(['templates', i, 'file']));
    const names = file.templates.map((tp) => tp.name);
    (src.names ?? []).forEach((n, j) => {
      if (names.includes(n)) return;
      const near = nearest(n, names);
      const base = msg('no template "{0}" in {1}', n, src.file);
      add(
        'study/unknown-template',
        'error',
        near ? didYouMean(base, near) : msg('{0} (templates: {1})', base, names.join(', ') || msg('none')),
        at(['templates', i, 'names', j]),
      );
    });
    const chosen = file.templates.filter((tp) => !src.names || src.names.includes(tp.name));
    for (const tp of chosen) {
      const missing = draft.languages.filter((l) => !tp.user[l]);
      if (missing.length)
        add(
          'study/missing-translation',
          'warning',
          msg('template "{0}" has no {1} text', tp.name, missing.join(', ')),
          at(['templates', i, src.names ? 'names' : 'file']),
        );
      const sets = file.paraphraseSets.filter((ps) => ps.templateName === tp.name);
      if (src.paraphrases !== 'none') {
        if (!sets.length) {
          add(
            'study/no-paraphrases',
            'warning',
            msg('template "{0}" has no paraphrase set; only the template itself is used', tp.name),
            at(['templates', i, 'paraphrases']),
          );
        } else {
          for (const l of draft.languages) {
            const count = Math.max(0, ...sets.map((ps) => ps.variants[l]?.length ?? 0));
            if (!count)
              add(
                'study/missing-translation',
                'warning',
                msg('template "{0}" has no "{1}" paraphrases; "{1}" conditions use the template only', tp.name, l),
                at(['templates', i, 'paraphrases']),
              );
            else if (Array.isArray(src.paraphrases)) {
              const bad = src.paraphrases.filter((x) => x >= count);
              if (bad.length)
                add(
                  'study/unknown-paraphrase',
                  'error',
                  msg(
                    'template "{0}" has {1} "{2}" paraphrases (indices 0–{3}); {4} do not exist',
                    tp.name,
                    count,
                    l,
                    count - 1,
                    bad.join(', '),
                  ),
                  at(['templates', i, 'paraphrases']),
                );
            }
          }
        }
      }
      const texts = [...Object.values(tp.user), ...Object.values(tp.system), ...sets.flatMap((ps) => Object.values(ps.variants).flat())];
      if (texts.some((e) => slotNames(e.value).has('country'))) usesCountry = true;
      if (texts.some((e) => slotNames(e.value).has('topic'))) {
        for (const l of draft.languages) {
          const n = chosenItems.filter((it) => !it.topics[l]).length;
          if (n)
            add(
              'study/missing-translation',
              'warning',
              msg('template "{0}" uses {topic}, but {1} selected items have no "{2}" topic', tp.name, n, l),
              at(['templates', i, 'file']),
            );
        }
      }
    }
  }
  if (out.templates.length === draft.templates.length) {
    if (usesCountry && !draft.countries.length)
      add(
        'study/country-slot-no-cue',
        'error',
        msg('a template uses {country} but the study lists no "countries": every such prompt would fail'),
        at(['templates']),
      );
    if (!usesCountry && draft.countries.length)
      add(
        'study/country-cue-unused',
        'warning',
        msg('"countries" are listed but no chosen template has a {country} slot: every cue renders the same prompt'),
        at(['countries']),
      );
  }

  // The judge classifies against the item's stance statements: without both, a condition cannot be judged
  // (the plan marks those requests skipped with the same reason).
  if (draft.method === 'judge') {
    for (const l of draft.stanceLanguage ? [draft.stanceLanguage] : draft.languages) {
      const lacking = chosenItems.filter((it) => !it.pro?.[l] || !it.con?.[l]);
      if (lacking.length) {
        const ids = lacking
          .slice(0, 5)
          .map((it) => it.id)
          .join(', ');
        add(
          'study/missing-stance',
          'warning',
          msg(
            'method "judge": {0} selected items have no "pro {1}:" / "con {1}:" statements ({2}{3}); their "{1}" requests are skipped',
            lacking.length,
            l,
            ids,
            lacking.length > 5 ? ', …' : '',
          ),
          at(['method']),
        );
      }
    }
  }

  // ------------------------------------------------------------------ human reference
  const rows: HumanRow[] = [];
  let humanRead = 0;
  for (const [k, src] of draft.human.entries()) {
    const i = doc.sources.human[k];
    const t = await read(src.file, ['human', i, 'file']);
    if (t === undefined) continue;
    const result = readHuman(src, t);
    humanRead++;
    rows.push(...result.reference.rows);
    if (result.problems.length) {
      const first = result.problems
        .slice(0, 3)
        .map((p) => (p.line ? `line ${p.line}: ${p.message}` : p.message))
        .join('; ');
      add(
        'study/human-data',
        'warning',
        msg('{0} problem(s) reading {1}: {2}', result.problems.length, src.file, first),
        at(['human', i, 'file']),
      );
    }
    if (!result.reference.rows.length) add('study/human-data', 'error', msg('no usable rows in {0}', src.file), at(['human', i, 'file']));
  }
  out.human = { rows };
  if (humanRead && humanRead === draft.human.length) checkHumanCoverage(draft, rows, chosenItems, doc.root, add, at);

  // ------------------------------------------------------------------ imports
  for (const [k, src] of draft.imports.entries()) {
    const i = doc.sources.imports[k];
    const t = await read(src.file, ['imports', i, 'file']);
    if (t === undefined) continue;
    const header = readTable(t).header.map((h) => h.trim());
    const check = (name: string, p: (string | number)[]): void => {
      if (header.includes(name)) return;
      const near = nearest(name, header);
      add('study/import-column', 'error', didYouMean(msg('{0} has no column "{1}"', src.file, name), near), at(['imports', i, ...p]));
    };
    for (const [role, v] of Object.entries(src.columns)) {
      if (typeof v === 'string') check(v, ['columns', role]);
      else if (v) for (const [kk, vv] of Object.entries(v)) check(vv, ['columns', role, kk]);
    }
    for (const col of Object.keys(src.where ?? {})) check(col, ['where', col]);
  }

  const hasError = out.diagnostics.some((d) => d.severity === 'error');
  out.study = hasError ? undefined : draft;
  if (!hasError && options.memo && inputs) await options.memo.write(path, inputs, out.diagnostics).catch(() => undefined);
  return out;
}

/** Every file a study's load reads besides the study file, in the order it reads them. */
function referencedFiles(study: Study): string[] {
  return [...study.items, ...study.templates, ...study.human, ...study.imports].map((src) => src.file);
}

function readHuman(src: Study['human'][number], text: string): ReturnType<typeof loadHumanReference> {
  return loadHumanReference({ text: src.columns ? renameHeader(text, src.columns) : text });
}

/**
 * A load from its memo: the remembered diagnostics, the study as parsed, and each referenced file parsed
 * on first use, by the same functions as a loading run, from the bytes the memo was matched on.
 */
function fromMemo(study: Study, diagnostics: StudyDiagnostic[], bytes: Map<string, Uint8Array>): LoadedStudy {
  const text = (file: string): string => decoder.decode(bytes.get(file));
  const lazy = <T>(path: string, parse: (text: string) => T): { path: string; file: T } => {
    let file: T | undefined;
    return {
      path,
      get file(): T {
        return (file ??= parse(text(path)));
      },
    };
  };
  let rows: HumanRow[] | undefined;
  return {
    study,
    diagnostics,
    surveys: study.items.map((src) => lazy(src.file, parseSurvey)),
    templates: study.templates.map((src) => lazy(src.file, parseTemplates)),
    human: {
      get rows(): HumanRow[] {
        return (rows ??= study.human.flatMap((src) => readHuman(src, text(src.file)).reference.rows));
      },
    },
  };
}

type Add = (code: string, severity: Severity, message: Message, range: SourceRange) => void;

/** A referenced .wvs/.wvt with its own problems: one diagnostic on the path, with a count and the first. */
function reportFileDiagnostics(add: Add, diags: LanguageDiagnostic[], file: string, range: SourceRange): void {
  const errors = diags.filter((d) => d.severity === 'error');
  if (!errors.length) return;
  const first = errors[0];
  add(
    'study/file-errors',
    'error',
    msg('{0} has {1} error(s); first, line {2}: {3}', file, errors.length, first.range.start.line + 1, first.text ?? first.message),
    range,
  );
}

/** Role → the file's header name; the header line is rewritten to the names the loader recognises. */
const ROLE_HEADERS: Record<string, string> = {
  country: 'country',
  item: 'item',
  language: 'language',
  mean: 'mean',
  share: 'share',
  n: 'n',
  option: 'option_code',
  weight: 'weight',
};

export function renameHeader(text: string, columns: Record<string, string>): string {
  const end = text.search(/\r?\n/);
  const line = end < 0 ? text : text.slice(0, end);
  const delimiter = [',', ';', '\t', '|'].map((d) => ({ d, n: line.split(d).length })).sort((a, b) => b.n - a.n)[0].d;
  const byName = new Map(Object.entries(columns).map(([role, name]) => [name.trim(), ROLE_HEADERS[role] ?? role]));
  const renamed = line
    .split(delimiter)
    .map((cell) => {
      const bare = cell.trim().replace(/^"(.*)"$/, '$1');
      return byName.get(bare) ?? cell;
    })
    .join(delimiter);
  return end < 0 ? renamed : renamed + text.slice(end);
}

/** Warns for a cue or reference country, or a pooled language, that the human data do not cover. */
function checkHumanCoverage(
  study: Study,
  rows: HumanRow[],
  items: { id: string; dataKey?: { value: string } }[],
  root: Node | undefined,
  add: Add,
  at: (p: (string | number)[]) => SourceRange,
): void {
  const countries = new Set(rows.map((r) => r.country).filter((c) => c));
  const pooledLanguages = new Set(rows.filter((r) => !r.country && r.language).map((r) => r.language as string));
  const refs = study.analysis.references;
  const refsPath = (ref: string): (string | number)[] => {
    const idx = refs.indexOf(ref);
    const node = root ? findNodeAtLocation(root, ['analysis', 'references']) : undefined;
    if (!node) return ['analysis'];
    const el = (node.children ?? []).findIndex((c) => c.value === ref);
    return el >= 0 ? ['analysis', 'references', el] : idx >= 0 ? ['analysis', 'references'] : ['analysis'];
  };
  const missingCountry = (c: string, p: (string | number)[], why: string): void => {
    if (!countries.has(c))
      add('study/country-not-in-human', 'warning', msg('no human data for {0} ({1}); its comparisons will be empty', c, why), at(p));
  };
  if (refs.includes('cue')) study.countries.forEach((c, j) => missingCountry(c, ['countries', j], 'cue country, reference "cue"'));
  if (refs.includes('language')) {
    for (const l of study.languages) {
      const inFile = root ? findNodeAtLocation(root, ['languageCountries', l]) : undefined;
      (study.languageCountries[l] ?? []).forEach((c, j) =>
        missingCountry(c, inFile ? ['languageCountries', l, j] : refsPath('language'), `country of language "${l}", reference "language"`),
      );
    }
  }
  for (const r of refs) if (r.length <= 3 && r.toUpperCase() === r) missingCountry(r, refsPath(r), 'reference country');
  if (refs.includes('pooled')) {
    const lacking = study.languages.filter((l) => !pooledLanguages.has(l));
    if (lacking.length)
      add(
        'study/country-not-in-human',
        'warning',
        msg('reference "pooled" needs per-language pooled rows (no country column); none for {0}', lacking.join(', ')),
        at(refsPath('pooled')),
      );
  }
  const keys = new Set(rows.map((r) => r.key.toUpperCase()));
  const without = items.filter((it) => !keys.has(it.id.toUpperCase()) && !(it.dataKey && keys.has(it.dataKey.value.toUpperCase())));
  if (without.length && items.length) {
    const shown =
      without
        .slice(0, 8)
        .map((it) => it.id)
        .join(', ') + (without.length > 8 ? ', …' : '');
    add(
      'study/item-not-in-human',
      'info',
      msg('{0} of {1} selected items have no human data ({2}); they are left out of the alignment', without.length, items.length, shown),
      at(['human']),
    );
  }
}

export type { LoadedStudy, StudyFs };
