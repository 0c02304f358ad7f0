// Turns run failures into one clear message with a way out (buttons). Pure, so the wording is tested.
import type { ProviderId } from '../core/model';
import type { RunRecord, ScoreFailure } from '../core/results';
import type { Translate } from './lensTitles';

// Messages go through `t` (the caller's vscode.l10n.t; English with the arguments filled in by default).
const plain: Translate = (message, ...args) =>
  message.replace(/\{(\d+)\}/g, (m, i: string) => (args[Number(i)] === undefined ? m : String(args[Number(i)])));

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

/** A button's label in the user's language. */
export function actionLabel(action: AdviceAction, t: Translate = plain): string {
  switch (action) {
    case 'openSettings':
      return t('Open Settings');
    case 'pullModel':
      return t('Pull Model');
    case 'selectModel':
      return t('Select Model');
    case 'setApiKey':
      return t('Set API Key');
    case 'useSampling':
      return t('Use Sampling');
    case 'showLog':
      return t('Show Log');
  }
}

function origin(endpoint: string): string {
  try {
    return new URL(endpoint).origin;
  } catch {
    return endpoint;
  }
}

export function adviseError(error: { kind: string; message: string; status?: number }, ctx: AdviceContext, t: Translate = plain): Advice {
  const where = origin(ctx.endpoint);
  const text = error.message;
  if (error.kind === 'network' || /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|fetch failed|socket hang up/i.test(text)) {
    return ctx.provider === 'ollama'
      ? {
          kind: 'unreachable',
          message: t(
            'Ollama is not reachable at {0}. Start it with `ollama serve`, or point "valueLens.ollama.host" at the right address.',
            where,
          ),
          actions: ['openSettings', 'showLog'],
        }
      : {
          kind: 'unreachable',
          message: t('The endpoint {0} is not reachable. Check "valueLens.openai.baseUrl".', where),
          actions: ['openSettings', 'showLog'],
        };
  }
  if (error.kind === 'http' && (error.status === 401 || error.status === 403)) {
    return {
      kind: 'auth',
      message: t(
        '{0} rejected the request (HTTP {1}): the API key is missing or not accepted. Set the key for {0}.',
        where,
        String(error.status),
      ),
      actions: ['setApiKey', 'showLog'],
    };
  }
  if ((error.kind === 'http' && error.status === 404) || /model .*not found|not found.*model|no such model|model_not_found/i.test(text)) {
    return {
      kind: 'modelNotFound',
      message:
        ctx.provider === 'ollama'
          ? t('Model "{0}" was not found at {1}. Pull it now?', ctx.model, where)
          : t('Model "{0}" was not found at {1}.', ctx.model, where),
      actions: ctx.provider === 'ollama' ? ['pullModel', 'selectModel'] : ['selectModel'],
    };
  }
  if (error.kind === 'unsupported' || /logprob/i.test(text)) {
    return {
      kind: 'noLogprobs',
      message: t('{0} does not return logprobs for "{1}". Score by sampling instead?', where, ctx.model),
      actions: ['useSampling'],
    };
  }
  if (error.kind === 'timeout') {
    return {
      kind: 'timeout',
      message: t(
        '{0} did not answer in time (the model may still be loading). Raise "valueLens.timeoutSeconds" or "valueLens.firstRequestTimeoutSeconds" if this repeats.',
        where,
      ),
      actions: ['openSettings', 'showLog'],
    };
  }
  return { kind: 'other', message: t('Scoring failed: {0}', text), actions: ['showLog'] };
}

const PRIORITY: Advice['kind'][] = ['unreachable', 'auth', 'modelNotFound', 'noLogprobs', 'timeout', 'other'];

/** One advice for a run: the most actionable kind among its failures, with the failure count. */
export function adviseRun(records: RunRecord[], ctx: AdviceContext, t: Translate = plain): Advice | undefined {
  const failures = records.filter((r): r is ScoreFailure => r.kind === 'failure' && r.error.kind !== 'aborted');
  if (failures.length === 0) return undefined;
  const advices = failures.map((f) => adviseError(f.error, ctx, t));
  advices.sort((a, b) => PRIORITY.indexOf(a.kind) - PRIORITY.indexOf(b.kind));
  const best = advices[0]!;
  const count = `${t('{0} of {1} requests failed.', failures.length, records.length)} `;
  return { ...best, message: count + best.message };
}
