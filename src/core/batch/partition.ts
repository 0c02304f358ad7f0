// Splits a plan into what a batch run need not send (planned failures, cached answers) and the distinct
// requests it must: one line per cache key, however many planned requests share it.

import type { RequestIdentity, RunRecord, ScoreFailure } from '../results';
import type { ResultCache } from '../run/cache';
import type { PlannedRequest } from '../run/plan';
import { recordFromResponse } from '../run/runner';

export interface Partition {
  /** Records already decided (sparse: index → record). */
  records: (RunRecord | undefined)[];
  /** Cache key → plan indices of the requests it answers, in plan order. */
  pending: Map<string, number[]>;
  cached: number;
  skipped: number;
}

export class BatchUnsupportedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BatchUnsupportedError';
  }
}

/** Method 'judge' needs a second request made from the first one's answer: it cannot go in one batch. */
export function checkBatchable(plan: readonly PlannedRequest[]): void {
  if (plan.some((r) => r.judge && !r.skip))
    throw new BatchUnsupportedError(
      'Method "judge" cannot run as a batch: each judge request is made from its generation\'s answer. Run it live (without --batch).',
    );
}

export async function partitionPlan(
  plan: readonly PlannedRequest[],
  runId: string,
  cache: ResultCache | undefined,
  fresh: boolean,
): Promise<Partition> {
  const records: (RunRecord | undefined)[] = new Array<RunRecord | undefined>(plan.length);
  const pending = new Map<string, number[]>();
  let cached = 0;
  let skipped = 0;
  for (let i = 0; i < plan.length; i++) {
    const req = plan[i];
    if (req.skip) {
      records[i] = failureOf(req, runId, { kind: req.skip.kind, message: req.skip.message }, 0);
      skipped++;
      continue;
    }
    const known = pending.get(req.cacheKey);
    if (known) {
      known.push(i);
      continue;
    }
    if (cache && !fresh) {
      const hit = await cache.get(req.cacheKey).catch(() => undefined);
      if (hit) {
        const record = recordFromResponse(req, runId, hit.response, { latencyMs: hit.latencyMs, at: hit.at, cached: true, attempts: 0 });
        if (record.kind === 'result') {
          records[i] = record;
          cached++;
          continue;
        }
      }
    }
    pending.set(req.cacheKey, [i]);
  }
  return { records, pending, cached, skipped };
}

export function failureOf(
  req: PlannedRequest,
  runId: string,
  error: ScoreFailure['error'],
  attempts: number,
  at = new Date().toISOString(),
): ScoreFailure {
  const identity: RequestIdentity = { runId, ...req.identity };
  return { kind: 'failure', ...identity, error, attempts, at };
}
