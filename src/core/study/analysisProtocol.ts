// Messages between the analysis worker (analysisWorker.ts) and its client (analysisClient.ts). Everything
// crosses by structured clone: requests carry records, replies the StudyAnalysis and per item × language
// aggregates of the selected units (what the editor's item lenses show), never the units themselves.
import type { RunRecord } from '../results';
import type { StudyAnalysis } from './analysisTypes';
import type { CorpusAnalysisOptions } from './analyzeCorpus';
import type { ItemLanguageGroup } from './itemSummary';
import type { ReadyStudy } from './types';

export type WorkerOpenOptions = Pick<CorpusAnalysisOptions, 'corpus' | 'rule' | 'runIds' | 'filter' | 'generatedAt'>;

export type WorkerRequest =
  /**
   * `loaded`: a study the editor built itself (an items file's implicit study, with the settings' countries
   * and the loaded human data), analysed as given; without it the worker loads the study file at `studyPath`.
   */
  | { type: 'open'; id: number; studyPath: string; options: WorkerOpenOptions; loaded?: ReadyStudy }
  | { type: 'append'; records: RunRecord[] }
  | { type: 'analyze'; id: number; generatedAt?: string };

export interface WorkerAnalysis {
  analysis: StudyAnalysis;
  badLines: { file: string; line: number }[];
  badManifests: string[];
  items: ItemLanguageGroup[];
}

export type WorkerReply =
  | { type: 'opened'; id: number }
  | ({ type: 'analysis'; id: number } & WorkerAnalysis)
  | { type: 'error'; id: number; message: string };
