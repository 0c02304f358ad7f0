// The model and prompts authoring uses: the same endpoint, key and model as scoring (user settings only,
// workspace trust respected), and the prompts from the user's file, the shipped file, or the built-ins.
import { promises as fs } from 'node:fs';
import { isAbsolute, join, normalize } from 'node:path';
import * as vscode from 'vscode';
import { DEFAULT_AUTHORING_PROMPTS, loadAuthoringPrompts, type AuthoringPrompts } from '../../core/authoring/prompts';
import type { AuthoringModel } from '../../core/authoring/generate';
import { parseTemplates } from '../../core/language';
import type { Logger } from '../../core/log';
import type { ApiKeys } from '../apiKeys';
import { resolveActiveProvider } from '../activeEndpoint';
import { readRunSettings } from '../config';
import type { ModelPicker } from '../models';

export interface AuthoringModelDeps {
  apiKeys: ApiKeys;
  models: ModelPicker;
  logger: Logger;
}

/** The configured provider and model, or undefined when the user cancelled or trust forbids the endpoint. */
export async function resolveAuthoringModel(deps: AuthoringModelDeps): Promise<(AuthoringModel & { by: string }) | undefined> {
  const resolved = await resolveActiveProvider(deps);
  if (!resolved) return undefined;
  const settings = readRunSettings();
  const model = settings.model || (await deps.models.select());
  if (!model) return undefined;
  return { provider: resolved.provider, model, timeoutMs: settings.timeoutMs, by: `${model} at ${resolved.provider.origin}` };
}

export function paraphraseCount(): number {
  const value = vscode.workspace.getConfiguration('valueLens').get<number>('authoring.paraphraseCount', 10);
  return typeof value === 'number' && Number.isFinite(value) ? Math.min(50, Math.max(1, Math.round(value))) : 10;
}

/** `valueLens.authoring.promptsFile` (relative to the first workspace folder), else the shipped file, else built-ins. */
export async function loadPrompts(extensionPath: string, logger: Logger): Promise<AuthoringPrompts> {
  const config = vscode.workspace.getConfiguration('valueLens');
  const setting = config.get<string>('authoring.promptsFile', '')?.trim();
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const candidates: string[] = [];
  const info = config.inspect<string>('authoring.promptsFile');
  const fromWorkspace = (info?.workspaceFolderValue ?? info?.workspaceValue) !== undefined;
  // The prompts go to the model: a cloned workspace may name a file inside itself, never one elsewhere.
  const outside = (path: string): boolean => isAbsolute(path) || normalize(path).split(/[\\/]/)[0] === '..';
  if (setting && fromWorkspace && outside(setting))
    logger.warn(`authoring prompts: ignoring the workspace value "${setting}" (outside the workspace folder)`);
  else if (setting) candidates.push(isAbsolute(setting) || !folder ? setting : join(folder, setting));
  candidates.push(join(extensionPath, 'templates', 'authoring.wvt'));
  for (const path of candidates) {
    let text: string;
    try {
      text = await fs.readFile(path, 'utf8');
    } catch (error) {
      if (path !== candidates[candidates.length - 1])
        logger.warn(`authoring prompts: cannot read ${path} (${(error as Error).message}); using the shipped prompts`);
      continue;
    }
    const loaded = loadAuthoringPrompts(parseTemplates(text));
    for (const problem of loaded.problems) logger.warn(`authoring prompts ${path}: ${problem}`);
    return loaded.prompts;
  }
  return DEFAULT_AUTHORING_PROMPTS;
}
