// Turns run failures into one clear message with a way out (buttons). Pure, so the wording is tested.
import type { ProviderId } from '../core/model';
import type { RunRecord, ScoreFailure } from '../core/results';

export type AdviceAction = 'openSettings' | 'pullModel' | 'selectModel' | 'setApiKey' | 'useSampling' | 'showLog';

export interface Advice {
  kind: 'unreachable' | 'modelNotFound' | 'auth' | 'noLogprobs' | 'timeout' | 'other';
  message: string;
  actions: AdviceAction[];
}

export interface AdviceContext {
  provider: ProviderId | string;
  endpoint: string;
  model: string;
}

export const ACTION_LABELS: Record<AdviceAction, string> = {
  openSettings: 'Open Settings',
  pullModel: 'Pull Model',
  selectModel: 'Select Model',
  setApiKey: 'Set API Key',
  useSampling: 'Use Sampling',
  showLog: 'Show Log',
};

function origin(endpoint: string): string {
  try {
    return new URL(endpoint).origin;
  } catch {
    return endpoint;
  }
}

export function adviseError(error: { kind: string; message: string; status?: number }, ctx: AdviceContext): Advice {
  const where = origin(ctx.endpoint);
  const text = error.message;
  if (error.kind === 'network' || /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|fetch failed|socket hang up/i.test(text)) {
    return ctx.provider === 'ollama'
      ? {
          kind: 'unreachable',
          message: `Ollama is not reachable at ${where}. Start it with \`ollama serve\`, or point "valueLens.ollama.host" at the right address.`,
          actions: ['openSettings', 'showLog'],
        }
      : { kind: 'unreachable', message: `The endpoint ${where} is not reachable. Check "valueLens.openai.baseUrl".`, actions: ['openSettings', 'showLog'] };
  }
  if (error.kind === 'http' && (error.status === 401 || error.status === 403)) {
    return {
      kind: 'auth',
      message: `${where} rejected the request (HTTP ${error.status}): the API key is missing or not accepted. Set the key for ${where}.`,
      actions: ['setApiKey', 'showLog'],
    };
  }
  if ((error.kind === 'http' && error.status === 404) || /model .*not found|not found.*model|no such model|model_not_found/i.test(text)) {
    return {
      kind: 'modelNotFound',
      message: `Model "${ctx.model}" was not found at ${where}.${ctx.provider === 'ollama' ? ' Pull it now?' : ''}`,
      actions: ctx.provider === 'ollama' ? ['pullModel', 'selectModel'] : ['selectModel'],
    };
  }
  if (error.kind === 'unsupported' || /logprob/i.test(text)) {
    return {
      kind: 'noLogprobs',
      message: `${where} does not return logprobs for "${ctx.model}". Score by sampling instead?`,
      actions: ['useSampling'],
    };
  }
  if (error.kind === 'timeout') {
    return {
      kind: 'timeout',
      message: `${where} did not answer in time (the model may still be loading). Raise "valueLens.timeoutSeconds" or "valueLens.firstRequestTimeoutSeconds" if this repeats.`,
      actions: ['openSettings', 'showLog'],
    };
  }
  return { kind: 'other', message: `Scoring failed: ${text}`, actions: ['showLog'] };
}

const PRIORITY: Advice['kind'][] = ['unreachable', 'auth', 'modelNotFound', 'noLogprobs', 'timeout', 'other'];

/** One advice for a run: the most actionable kind among its failures, with the failure count. */
export function adviseRun(records: RunRecord[], ctx: AdviceContext): Advice | undefined {
  const failures = records.filter((r): r is ScoreFailure => r.kind === 'failure' && r.error.kind !== 'aborted');
  if (failures.length === 0) return undefined;
  const advices = failures.map((f) => adviseError(f.error, ctx));
  advices.sort((a, b) => PRIORITY.indexOf(a.kind) - PRIORITY.indexOf(b.kind));
  const best = advices[0]!;
  const count = `${failures.length} of ${records.length} requests failed. `;
  return { ...best, message: count + best.message };
}
