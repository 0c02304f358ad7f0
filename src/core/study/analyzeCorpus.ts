// A study's analysis from its corpus: stream the records (never one whole-file string), select response
// units under the study's rules (corpus/select.ts: superseded, stale and skipped records counted), and
// analyse them (analyze.ts). The CLI's analyze/report/run and the editor's panel all call this.

import { itemHash } from '../language/index';
import type { SurveyFile } from '../language/ast';
import { corpusRecords } from '../corpus/reader';
import { readManifests } from '../corpus/writer';
import { unitSelector, type SelectItem } from '../corpus/select';
import type { RunRecord } from '../results';
import type { Selection } from '../corpus/types';
import type { AttributeValue, LoadedStudy, Study, StudyFilter } from './types';
import type { StudyAnalysis } from './analysisTypes';
import { analyzeStudy, studyScales } from './analyze';
import { incrementalAnalyzer } from './incrementalAnalysis';
import { readFirstTokenCheck } from './firstToken';
import { studyFits } from './fits';
import { humanLookup } from './reference';
import type { DataRow } from '../stats/design';

export interface CorpusAnalysisOptions {
  filter?: StudyFilter;
  /** Read this corpus (a folder, a records.jsonl or an old results file) instead of the study's. */
  corpus?: string;
  /** Overrides the study's `analysis.rerun`. */
  rule?: 'latest' | 'pool';
  /** Only these runs' records (the results view's "open run"); the others count as filtered. */
  runIds?: readonly string[];
  generatedAt?: string;
  signal?: AbortSignal;
}

export interface CorpusAnalysis {
  analysis: StudyAnalysis;
  selection: Selection;
  /** Unreadable lines, by file and line (the first ones), for the caller to report. */
  badLines: { file: string; line: number }[];
  /** Manifest files that could not be read. */
  badManifests: string[];
  /** The regression table, when a declared fit used it (written beside the analysis as regression.csv). */
  regression?: DataRow[];
}

/** The study's items by id and by data key (imported tables name items by their data key, e.g. f118). */
export function selectionItems(surveys: readonly { file: SurveyFile }[]): Map<string, SelectItem> {
  const items = new Map<string, SelectItem>();
  for (const { file } of surveys) {
    for (const item of file.items) {
      const entry: SelectItem = {
        hash: itemHash(item),
        key: item.dataKey?.value ?? item.id,
        category: item.category?.value ?? 'uncategorised',
        ...(item.scale ? { scale: { min: item.scale.min, max: item.scale.max, reversed: item.scale.reversed } } : {}),
      };
      items.set(item.id, entry);
      const key = item.dataKey?.value;
      if (key) for (const k of [key, key.toLowerCase(), key.toUpperCase()]) if (!items.has(k)) items.set(k, entry);
    }
  }
  return items;
}

export function modelAttributes(study: Study): Map<string, Record<string, AttributeValue>> {
  return new Map(study.models.map((m) => [m.id, { chat: m.kind === 'chat', ...m.attributes }]));
}

export async function analyzeCorpus(loaded: LoadedStudy & { study: Study }, options: CorpusAnalysisOptions = {}): Promise<CorpusAnalysis> {
  const state = await openCorpusState(loaded, options);
  return state.analyze(options.generatedAt);
}

/**
 * A study's corpus read once into a selection that records can be appended to (the panel's analysis
 * worker appends what a run writes instead of re-reading the corpus per refresh). analyze() is what
 * analyzeCorpus gives for the corpus as read plus every appended record.
 */
export interface CorpusState {
  append(records: readonly RunRecord[]): void;
  analyze(generatedAt?: string): Promise<CorpusAnalysis>;
}

/** How a CorpusState analyses: per model, reusing unchanged models' rows (incrementalAnalysis.ts), or in full. */
export interface CorpusStateMode {
  incremental?: boolean;
  /** Called per model whose rows are computed (incremental only; tests count the work done). */
  onModel?: (model: string) => void;
}

export async function openCorpusState(
  loaded: LoadedStudy & { study: Study },
  options: CorpusAnalysisOptions = {},
  mode: CorpusStateMode = {},
): Promise<CorpusState> {
  const { study } = loaded;
  const corpus = options.corpus ?? study.results;
  const { manifests, bad } = await readManifests(corpus).catch(() => ({ manifests: new Map(), bad: [] as string[] }));
  const runs = new Map<string, { startedAt: string }>();
  const deletedRuns = new Set<string>();
  for (const [runId, m] of manifests) {
    runs.set(runId, { startedAt: m.startedAt });
    if (m.deletedAt) deletedRuns.add(runId);
  }
  const selector = unitSelector({
    items: selectionItems(loaded.surveys),
    models: modelAttributes(study),
    rule: options.rule ?? study.analysis.rerun,
    ...(options.filter ? { filter: options.filter } : {}),
    runs,
    ...(deletedRuns.size ? { deletedRuns } : {}),
    ...(options.runIds ? { onlyRuns: new Set(options.runIds) } : {}),
  });
  const reader = corpusRecords(corpus, options.signal ? { signal: options.signal } : {});
  for await (const batch of reader.batches()) for (let i = 0; i < batch.length; i++) selector.add(batch[i]);
  selector.addBadLines(reader.badLineCount);
  const badLines = reader.report.badLines.map((b) => ({ file: b.file, line: b.line }));
  const scales = studyScales(loaded.surveys);
  const incremental = mode.incremental
    ? incrementalAnalyzer({ human: loaded.human, study, scales, ...(mode.onModel ? { onModel: mode.onModel } : {}) })
    : undefined;
  return {
    append(records) {
      for (let i = 0; i < records.length; i++) selector.add(records[i]);
    },
    async analyze(generatedAt = options.generatedAt) {
      const selection = selector.selection();
      const analysis = incremental
        ? incremental.analyze(selection, generatedAt)
        : analyzeStudy({ selection, human: loaded.human, study, scales, ...(generatedAt ? { generatedAt } : {}) });
      const { fits, regression } = await studyFits(study, analysis, selection.units, humanLookup(loaded.human, { scales }).value);
      analysis.fits = fits;
      // The first-token-vs-text check, when one was run into the study's check corpus (study/firstToken.ts).
      if (options.corpus === undefined) {
        const check = await readFirstTokenCheck(loaded, selection.units, options.filter);
        if (check) analysis.firstTokenText = check;
      }
      return { analysis, selection, ...(regression ? { regression } : {}), badLines, badManifests: bad };
    },
  };
}
