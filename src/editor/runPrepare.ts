// The plan of an editor run: `prepareRun` (the same defaults, probe verdict and digest as `value-lens
// score`), and for the option-order check the same conditions again in each further order, in one plan, so
// that every order is one run in the corpus (records carry `order`; nothing overwrites the original order).
import { buildPlan, type PlannedRequest } from '../core/run/plan';
import { findInstalledModel, implicitStudyName, prepareRun, type PreparedRun } from '../core/run/prepare';
import { probeLogprobs } from '../providers/probe';
import { readRunChoices } from './config';
import type { RunTarget } from './runTarget';
import type { ScoreRequest } from './scoring';

export async function prepareEditorRun(target: RunTarget, request: ScoreRequest, cacheDir: string | undefined): Promise<PreparedRun> {
  const { resolved, model, survey, templates, settings } = target;
  const choices = readRunChoices();
  const input = {
    survey,
    templates: templates.file,
    template: templates.name,
    itemIds: request.itemIds,
    languages: request.languages,
    paraphrases: request.paraphrases ?? 'none',
    languageCountries: settings.languageCountries,
    study: implicitStudyName(request.uri.fsPath),
  } as const;
  // Method loglik scores a base model's plain prompt (as `value-lens score --method loglik`); on Ollama the
  // plan skips every request with the reason (core/run/plan.ts), nothing is sent.
  const kind = (request.method ?? choices.method) === 'loglik' ? ({ kind: 'base' } as const) : {};
  const prepared = await prepareRun({
    ...input,
    model: { provider: resolved.providerId, endpoint: resolved.endpoint, model, ...kind },
    choices: { ...choices, ...(request.method ? { method: request.method } : {}) },
    probe: (signal) => probeLogprobs(resolved.provider, model, signal),
    resolveDigest:
      resolved.providerId === 'ollama'
        ? async (signal) => findInstalledModel(await resolved.provider.listModels(signal), model)?.digest
        : undefined,
    cacheDir,
  });
  const further = (request.orders ?? []).filter((o) => o !== 'original');
  if (further.length === 0) return prepared;
  // The further orders as a factor (expanded per item's scale size, as a study's optionOrders), after the
  // original-order requests, in the same run.
  const more = buildPlan({
    ...input,
    models: [
      {
        provider: resolved.providerId,
        endpoint: resolved.endpoint,
        model,
        ...kind,
        ...(prepared.digest ? { digest: prepared.digest } : {}),
      },
    ],
    method: prepared.method,
    samples: prepared.choices.samples,
    temperature: prepared.choices.temperature,
    seed: prepared.choices.seed,
    optionOrders: further,
  });
  const plan: PlannedRequest[] = [...prepared.plan];
  for (const r of more) plan.push({ ...r, index: plan.length });
  return { ...prepared, plan };
}
