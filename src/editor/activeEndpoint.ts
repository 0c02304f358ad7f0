// The provider of the user's active endpoint for a command that contacts it (Score, authoring): settings
// the editor ignores are reported, and when workspace trust forbids the endpoint the user is told why and
// offered Manage Workspace Trust. Undefined then; the command stops.
import * as vscode from 'vscode';
import type { Logger } from '../core/log';
import type { ApiKeys } from './apiKeys';
import { readEndpointConfig, reportIgnoredSettings } from './config';
import { EndpointBlockedError, activeProvider, type ResolvedProvider } from './providerFactory';

export async function resolveActiveProvider(deps: { apiKeys: ApiKeys; logger: Logger }): Promise<ResolvedProvider | undefined> {
  const endpoints = readEndpointConfig();
  reportIgnoredSettings(endpoints, deps.logger);
  try {
    return await activeProvider(endpoints, { getApiKey: (e) => deps.apiKeys.get(e), trusted: vscode.workspace.isTrusted });
  } catch (error) {
    if (!(error instanceof EndpointBlockedError)) throw error;
    deps.logger.warn(error.message);
    const choice = await vscode.window.showWarningMessage(error.message, vscode.l10n.t('Manage Workspace Trust'));
    if (choice) await vscode.commands.executeCommand('workbench.trust.manage');
    return undefined;
  }
}
