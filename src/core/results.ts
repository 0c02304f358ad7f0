// What a scoring run produces: one record per planned request, a result or a failure, never neither.

export type ScoringMethod = 'logprobs' | 'sample';

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

export type RunRecord = ScoreResult | ScoreFailure;
