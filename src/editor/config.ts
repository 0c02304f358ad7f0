// Typed access to the `valueLens.*` settings. Endpoint settings go through `inspect()` and the pure mapping,
// which uses user (global) values only.
import * as vscode from 'vscode';
import { endpointConfig, type EndpointConfig } from '../core/security/endpointSettings';
import { runSettings, type RunSettings } from '../core/run/settings';
import { choicesFromSettings, type RunChoices } from '../core/run/prepare';

export function readEndpointConfig(): EndpointConfig {
  const config = vscode.workspace.getConfiguration('valueLens');
  return endpointConfig((key) => config.inspect(key));
}

export function readRunSettings(): RunSettings {
  const config = vscode.workspace.getConfiguration('valueLens');
  return runSettings((key) => config.get(key));
}

/** Method, samples, temperature and timeouts the user set; unset ones take the defaults shared with the CLI. */
export function readRunChoices(): RunChoices {
  const config = vscode.workspace.getConfiguration('valueLens');
  return choicesFromSettings((key) => config.inspect(key));
}

/** Writes a window-scoped setting where it is in effect: the workspace if it overrides, else the user. */
export async function writeSetting(key: string, value: unknown): Promise<void> {
  const config = vscode.workspace.getConfiguration('valueLens');
  const info = config.inspect(key);
  const target = info?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await config.update(key, value, target);
}

/** Endpoint settings are always written to user settings. */
export async function writeUserSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('valueLens').update(key, value, vscode.ConfigurationTarget.Global);
}

const warned = new Set<string>();

/** Says once per session that a workspace value for an endpoint setting was ignored, and why. */
export function reportIgnoredSettings(config: EndpointConfig, log: { warn(message: string): void }): void {
  for (const ignored of config.ignored) {
    const id = `${ignored.key}@${ignored.scope}`;
    if (warned.has(id)) continue;
    warned.add(id);
    const message = `Value Lens ignores the ${ignored.scope} value of "valueLens.${ignored.key}": ${ignored.reason}.`;
    log.warn(message);
    void vscode.window.showWarningMessage(message);
  }
}
