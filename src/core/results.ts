// What a scoring run produces: one record per planned request, a result or a failure, never neither.

/**
 * 'logprobs': first-token logprobs (top 20); 'loglik': the log-likelihood of every option's label as a
 * continuation (base models on servers that echo prompt logprobs; docs/methods.md); 'sample': parsed answers.
 */
export type ScoringMethod = 'logprobs' | 'sample' | 'loglik';

/** Identifies one planned request: item × language × template variant × model (× sample round). */
export interface RequestIdentity {
  runId: string;
  itemId: string;
  /** Hash of the item's wording and scale; a result whose hash differs from the file's is stale. */
  itemHash: string;
  category?: string;
  language: string;
  template: string;
  /** null for the template itself, 0.. for the paraphrase with that index. */
  paraphrase: number | null;
  provider: string;
  model: string;
  /** scheme://host:port only. */
  endpoint: string;
  method: ScoringMethod;
  /** Option codes in the order they were shown to the model. */
  optionOrder: number[];
  // The study factors below are written by every run since corpus format 2; records of format 1 lack them
  // and read as: no study, no country cue, modelId = model, order named from optionOrder, round 0.
  /** Study name, when the run came from a study (an implicit study of the open file is named after it). */
  study?: string;
  /** ISO 3166-1 alpha-2 code named in the prompt (`{country}`); null when the condition has no cue. */
  country?: string | null;
  /** The study's id for the model entry (two entries may share one server model name). */
  modelId?: string;
  /** Content digest when the server reports one (Ollama). */
  digest?: string;
  /** 'chat' (chat template) or 'base' (plain-text completion). */
  modelKind?: 'chat' | 'base';
  /** Named option order: 'original', 'reversed', 'perm-1', 'shift-2', … */
  order?: string;
  /** Repetition index of the condition (rounds × samples requests): 0-based. */
  round?: number;
  /** 'run' (scored here) or 'import' (`value-lens import` of an existing table). */
  source?: 'run' | 'import';
  /** Cache key of the request (absent for imports and skipped requests). */
  cacheKey?: string;
}

export interface ScoreResult extends RequestIdentity {
  kind: 'result';
  /** Probability per option code (as string keys), renormalised over substantive options. */
  probabilities: Record<string, number>;
  /** Σ p_k · s_k over substantive options. */
  mean: number;
  /** Code of the most probable option. */
  mode: number;
  /** Shannon entropy in nats of the option distribution. */
  entropy: number;
  /** Probability mass that fell outside the options (logprobs) or unparseable share (sample). */
  missMass: number;
  samples?: number;
  /** Method 'sample': the option code each sample was read as (null: unparseable or refusal), in order. */
  answers?: (number | null)[];
  unparseableShare?: number;
  refusalShare?: number;
  latencyMs: number;
  tokens?: { prompt: number; completion: number };
  cached: boolean;
  /** ISO time the answer was obtained. */
  at: string;
}

export interface ScoreFailure extends RequestIdentity {
  kind: 'failure';
  error: { kind: string; message: string; status?: number };
  attempts: number;
  at: string;
}

/**
 * A stance-judged result (the second seed's method, or an imported pro score): a share of "pro" among
 * stance-bearing answers, with the counts when they are known. No option distribution.
 */
export interface StanceResult extends RequestIdentity {
  kind: 'stance';
  /** pro / (pro + con); the second seed's Value Polarity Score. */
  proShare: number;
  pro?: number;
  con?: number;
  neither?: number;
  /** Labels the judge returned that could not be read (counted, never guessed). */
  unparseable?: number;
  /** Cache keys of the generation and the judge request. */
  cacheKeys?: string[];
  latencyMs?: number;
  cached: boolean;
  at: string;
}

export type RunRecord = ScoreResult | StanceResult | ScoreFailure;
