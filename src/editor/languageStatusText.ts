// What the language status item says about the model and endpoint of a document: for .wvs/.wvt files the
// editor's model (settings), for a study file the study's own models. Endpoints are shown as origins only
// (scheme://host:port): never a path's secrets or credentials. Pure (no vscode): tested in plain Node.
import { originOf } from '../core/origin';
import { parse } from 'jsonc-parser';
import { DEFAULT_ENDPOINTS } from '../core/study/parse';
import type { Translate } from './lensTitles';

// Words go through `t` (the caller's vscode.l10n.t; English with the arguments filled in by default).
const plain: Translate = (message, ...args) =>
  message.replace(/\{(\d+)\}/g, (m, i: string) => (args[Number(i)] === undefined ? m : String(args[Number(i)])));

export interface ModelStatus {
  text: string;
  detail: string;
}

/** .wvs/.wvt: the model the Score lenses use and where it is served. */
export function editorModelStatus(provider: string, model: string, endpoint: string, t: Translate = plain): ModelStatus {
  const where = originOf(endpoint) ?? endpoint;
  return { text: `$(hubot) ${model || t('no model')}`, detail: `${provider === 'openai' ? t('OpenAI-compatible') : 'Ollama'} · ${where}` };
}

/**
 * A study file: its models and the distinct endpoints they are served from, read leniently (a study being
 * written has errors elsewhere; its models are still worth showing); undefined when there is no models list.
 */
export function studyModelStatus(text: string, t: Translate = plain): ModelStatus | undefined {
  const root = parse(text, [], { allowTrailingComma: true }) as unknown;
  if (!root || typeof root !== 'object' || !Array.isArray((root as { models?: unknown }).models)) return undefined;
  const named = (root as { endpoints?: unknown }).endpoints;
  const endpoints = named && typeof named === 'object' ? (named as Record<string, unknown>) : {};
  const models: { id: string; model: string; endpoint: string }[] = [];
  for (const m of (root as { models: unknown[] }).models) {
    if (!m || typeof m !== 'object') continue;
    const { id, model, provider, endpoint } = m as Record<string, unknown>;
    if (typeof model !== 'string') continue;
    const ref = typeof endpoint === 'string' ? endpoint : undefined;
    const url =
      ref === undefined
        ? DEFAULT_ENDPOINTS[provider === 'openai' ? 'openai' : 'ollama']
        : ref.includes('://')
          ? ref
          : typeof endpoints[ref] === 'string'
            ? (endpoints[ref] as string)
            : ref;
    models.push({ id: typeof id === 'string' ? id : model, model, endpoint: originOf(url) ?? url });
  }
  if (models.length === 0) return { text: `$(hubot) ${t('no models')}`, detail: t('this study names no model: it can only be analysed') };
  const where = [...new Set(models.map((m) => m.endpoint))];
  const label = models.length === 1 ? `$(hubot) ${models[0]!.model}` : `$(hubot) ${t('{0} models', models.length)}`;
  const list =
    models.length <= 3
      ? models.map((m) => m.id).join(', ')
      : t(
          '{0} and {1} more',
          models
            .slice(0, 3)
            .map((m) => m.id)
            .join(', '),
          models.length - 3,
        );
  return { text: label, detail: `${list} · ${where.join(', ')}` };
}
