// The results corpus of a study: `<results>/records.jsonl` (append-only, one RunRecord per line, written by
// the editor and the CLI alike) and `<results>/runs/<runId>.json` (one manifest per run). Analyses never read
// records directly: selectUnits() turns them into ResponseUnits under explicit rules and counts every record
// it does not use, so that read = used + superseded + stale + Σ skipped.

import type { AttributeValue } from '../study/types';

export const CORPUS_RECORDS_FILE = 'records.jsonl';
export const CORPUS_RUNS_DIR = 'runs';
/** Format 1: round one's results files (no study factors). Format 2: every record carries every factor. */
export const CORPUS_FORMAT_VERSION = 2;

export interface RunManifest {
  format: number;
  runId: string;
  study: string;
  studyHash: string;
  toolVersion: string;
  /** Who ran it: 'cli' or 'editor'. */
  via: 'cli' | 'editor';
  startedAt: string;
  endedAt?: string;
  status: 'running' | 'done' | 'cancelled' | 'failed';
  planned: number;
  scored: number;
  failed: number;
  cached: number;
  /** Records that could not be written (disk full…): counted, and the run exits with failure. */
  writeFailures: number;
  /** The filter that narrowed the study for this run, if any. */
  filter?: Record<string, string[]>;
  /**
   * Set when the run went through a provider batch job instead of live requests (core/batch): the batch's
   * id (the first one when the plan needed several: `ids` lists them all) and who ran it ('openai' for the
   * Files + Batches API of an OpenAI-compatible server, 'vllm-offline' for an imported `vllm run-batch` file).
   */
  batch?: { id: string; provider: string; ids?: string[] };
  /**
   * Set when a user deleted the run (the editor's results view): its records stay in the append-only
   * records.jsonl (other processes may be appending), and every reader leaves them out (select.ts, reason
   * 'deleted-run'; corpus/deleted.ts).
   */
  deletedAt?: string;
}

/** One response after selection: what every analysis consumes. */
export interface ResponseUnit {
  runId: string;
  modelId: string;
  model: string;
  modelAttributes: Record<string, AttributeValue>;
  language: string;
  /** Country cue named in the prompt; null when none. */
  country: string | null;
  template: string;
  paraphrase: number | null;
  order: string;
  /** Option codes in the order shown (optional: from the record, for position-bias figures). */
  optionOrder?: number[];
  round: number;
  itemId: string;
  /** Key in the human data (the item's `key:`), falling back to the item id. */
  itemKey: string;
  category: string;
  method: string;
  /** Σ p·s on the item's code scale (absent for stance results). */
  mean?: number;
  /** Share on the item's pro side: the judge's pro/(pro+con), or the probability mass of the pro codes. */
  pro?: number;
  /** Option distribution (absent for stance results). */
  probabilities?: Record<string, number>;
}

export type SkipReason = 'failure' | 'unknown-item' | 'no-measure' | 'filtered' | 'bad-line' | 'deleted-run';

export interface SelectionCounts {
  /** Lines read (records plus unreadable lines). */
  read: number;
  used: number;
  /** Older runs of a condition a later run replaced (rule 'latest'). */
  superseded: number;
  /** Records whose item hash differs from the item's current wording and scale. */
  stale: number;
  skipped: Partial<Record<SkipReason, number>>;
}

export interface Selection {
  units: ResponseUnit[];
  counts: SelectionCounts;
  rule: 'latest' | 'pool';
}
