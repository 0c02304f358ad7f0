// A response scored into a record: the one conversion from a CompletionResponse to a result or a failure,
// shared by the live runner and the batch engines (core/batch), so a batch line and a live answer give the
// same record.

import type { CompletionResponse } from '../model';
import type { RequestIdentity, ScoreFailure, ScoreResult } from '../results';
import { distributionFromLogprobs } from '../scoring/logprobs';
import { distributionFromLoglik } from '../scoring/loglik';
import { distributionFromSamples } from '../scoring/sample';
import { summarize } from '../scoring/summary';
import { failureRecord } from './outcome';
import type { PlannedRequest } from './plan';

export type ScoredFields = Pick<
  ScoreResult,
  'probabilities' | 'mean' | 'mode' | 'entropy' | 'missMass' | 'samples' | 'unparseableShare' | 'refusalShare'
>;

type Scored = { ok: true; fields: ScoredFields } | { ok: false; error: ScoreFailure['error'] };

export function score(req: PlannedRequest, response: CompletionResponse): Scored {
  if (req.identity.method === 'loglik') {
    const logliks = response.continuationLogprobs;
    if (!logliks)
      return {
        ok: false,
        error: {
          kind: 'no-loglik',
          message:
            'The server returned no continuation log-likelihoods; method loglik needs a /v1/completions that echoes prompt logprobs (vLLM)',
        },
      };
    const dist = distributionFromLoglik(logliks, req.labels);
    if (!dist)
      return {
        ok: false,
        error: {
          kind: 'no-loglik',
          message: `The server returned ${logliks.length} unusable log-likelihoods for ${req.labels.length} options`,
        },
      };
    return {
      ok: true,
      fields: { probabilities: dist.probabilities, ...summarize(dist.probabilities, req.labels), missMass: dist.missMass },
    };
  }
  if (req.identity.method === 'logprobs') {
    const alternatives = response.choices[0]?.firstTokenLogprobs;
    if (!alternatives || alternatives.length === 0) {
      return {
        ok: false,
        error: { kind: 'no-logprobs', message: 'The server returned no logprobs for this model; use the sample method' },
      };
    }
    const { probabilities, missMass } = distributionFromLogprobs(alternatives, req.labels);
    const summary = summarize(probabilities, req.labels);
    if (!Number.isFinite(summary.mean)) {
      return { ok: false, error: { kind: 'no-option', message: 'None of the top alternatives of the first token is an option label' } };
    }
    return { ok: true, fields: { probabilities, ...summary, missMass } };
  }
  const texts = response.choices.map((c) => c.text);
  if (texts.length === 0) return { ok: false, error: { kind: 'empty', message: 'The server returned no samples' } };
  const dist = distributionFromSamples(texts, req.labels, req.answerLanguages);
  const summary = summarize(dist.probabilities, req.labels);
  if (!Number.isFinite(summary.mean)) {
    return {
      ok: false,
      error: {
        kind: 'unparseable',
        message: `No sample named an option (${Math.round(dist.refusalShare * 100)}% refusals, ${Math.round(dist.unparseableShare * 100)}% unparseable)`,
      },
    };
  }
  return {
    ok: true,
    fields: {
      probabilities: dist.probabilities,
      ...summary,
      missMass: dist.unparseableShare,
      samples: texts.length,
      unparseableShare: dist.unparseableShare,
      refusalShare: dist.refusalShare,
    },
  };
}

export function resultRecord(
  identity: RequestIdentity,
  fields: ScoredFields,
  response: CompletionResponse,
  latencyMs: number,
  at: string,
  cached: boolean,
): ScoreResult {
  return {
    kind: 'result',
    ...identity,
    ...fields,
    latencyMs,
    ...(response.usage ? { tokens: { prompt: response.usage.promptTokens, completion: response.usage.completionTokens } } : {}),
    cached,
    at,
  };
}

/** The record of one answered request: scored into a result, or the failure saying why it could not be scored. */
export function recordFromResponse(
  req: PlannedRequest,
  runId: string,
  response: CompletionResponse,
  meta: { latencyMs: number; at: string; cached: boolean; attempts?: number },
): ScoreResult | ScoreFailure {
  const identity: RequestIdentity = { runId, ...req.identity };
  const scored = score(req, response);
  if (!scored.ok) return failureRecord(identity, scored.error, meta.attempts ?? 1);
  return resultRecord(identity, scored.fields, response, meta.latencyMs, meta.at, meta.cached);
}
