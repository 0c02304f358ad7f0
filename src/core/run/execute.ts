// One planned request to one record: a skipped or cancelled request is a failure at once, a judged one is
// the generation and then the judge's labelling, any other the response scored by its method.

import type { RequestIdentity, RunRecord, StanceResult } from '../results';
import { judgeMessages, readJudgeReply, stanceShare } from '../scoring/judge';
import { toPlainPrompt } from '../prompt/plain';
import { cacheKey, endpointOrigin } from './key';
import { cancelledError, errorOf, failureRecord } from './outcome';
import type { PlannedRequest } from './plan';
import { resultRecord, score, type ScoredFields } from './records';
import type { ResponseSource } from './responses';

type JudgedRequest = PlannedRequest & { judge: NonNullable<PlannedRequest['judge']> };

/** The record of a planned request; never throws (a bug in scoring or a provider still leaves a record). */
export async function executeRequest(req: PlannedRequest, runId: string, source: ResponseSource, signal: AbortSignal): Promise<RunRecord> {
  try {
    return await execute(req, runId, source, signal);
  } catch (error) {
    return failureRecord({ runId, ...req.identity }, errorOf(error, 'internal'), 0);
  }
}

async function execute(req: PlannedRequest, runId: string, source: ResponseSource, signal: AbortSignal): Promise<RunRecord> {
  const identity: RequestIdentity = { runId, ...req.identity };
  if (req.skip) return failureRecord(identity, { kind: req.skip.kind, message: req.skip.message }, 0);
  if (signal.aborted) return failureRecord(identity, cancelledError(), 0);
  if (req.judge) return executeJudged({ ...req, judge: req.judge }, identity, source);

  // The check keeps the fields of the response it accepted, so nothing is scored twice.
  let fields: ScoredFields | undefined;
  const obtained = await source.obtain(req, (r) => {
    const scored = score(req, r);
    if (!scored.ok) return scored.error;
    fields = scored.fields;
    return undefined;
  });
  if (!obtained.ok) return failureRecord(identity, obtained.error, obtained.attempts);
  return resultRecord(identity, fields!, obtained.response, obtained.latencyMs, obtained.at, obtained.cached);
}

// Method 'judge': the generation, then one judge request labelling its summaries (core/scoring/judge.ts).
async function executeJudged(req: JudgedRequest, identity: RequestIdentity, source: ResponseSource): Promise<RunRecord> {
  const generated = await source.obtain(req, (r) =>
    (r.choices[0]?.text ?? '').trim() ? undefined : { kind: 'empty', message: 'The model generated no text to judge' },
  );
  if (!generated.ok) return failureRecord(identity, generated.error, generated.attempts);
  const judgeReq = judgeRequest(req, generated.response.choices[0].text);
  const judged = await source.obtain(judgeReq, (r) => {
    const reading = readJudgeReply(r.choices[0]?.text ?? '');
    return reading.ok ? undefined : { kind: 'judge-unparseable', message: reading.message };
  });
  const attempts = generated.attempts + judged.attempts;
  if (!judged.ok) return failureRecord(identity, judged.error, attempts);
  const reading = readJudgeReply(judged.response.choices[0]?.text ?? '');
  if (!reading.ok) return failureRecord(identity, { kind: 'judge-unparseable', message: reading.message }, attempts);
  const proShare = stanceShare(reading);
  if (proShare === undefined) {
    return failureRecord(
      identity,
      {
        kind: 'no-stance',
        message: `The judge found no summary for or against (${reading.neither} neither, ${reading.unparseable} unparseable)`,
      },
      attempts,
    );
  }
  const record: StanceResult = {
    kind: 'stance',
    ...identity,
    proShare,
    pro: reading.pro,
    con: reading.con,
    neither: reading.neither,
    unparseable: reading.unparseable,
    cacheKeys: [req.cacheKey, judgeReq.cacheKey],
    latencyMs: generated.latencyMs + judged.latencyMs,
    cached: generated.cached && judged.cached,
    at: judged.at,
  };
  return record;
}

/** The judge request for a generated text: the judge model's endpoint, greedy, keyed like any request. */
function judgeRequest(req: JudgedRequest, generated: string): PlannedRequest {
  const j = req.judge;
  const messages = judgeMessages(generated, j.stance);
  const prompt = j.kind === 'base' ? toPlainPrompt(messages, { language: j.language }) : undefined;
  const key = cacheKey({
    provider: j.provider,
    endpoint: j.endpointUrl,
    model: j.model,
    digest: j.digest,
    messages,
    prompt,
    params: j.params,
    method: 'sample',
    sampleIndex: 0,
  });
  return {
    index: req.index,
    identity: {
      ...req.identity,
      provider: j.provider,
      model: j.model,
      endpoint: endpointOrigin(j.endpointUrl),
      modelId: j.id,
      cacheKey: key,
    },
    endpointUrl: j.endpointUrl,
    ...(j.digest ? { digest: j.digest } : {}),
    messages,
    ...(prompt !== undefined ? { prompt } : {}),
    labels: [],
    answerLanguages: [j.language],
    params: j.params,
    sampleIndex: 0,
    cacheKey: key,
  };
}
