// The status-bar item (active provider + model) and the model quick pick, listing models from Ollama and the
// OpenAI-compatible endpoint; also pulling a missing Ollama model with progress.
import * as vscode from 'vscode';
import type { Logger } from '../core/log';
import type { ProviderId } from '../core/model';
import { pullModel } from '../providers/ollama';
import type { ApiKeys } from './apiKeys';
import { readEndpointConfig, readRunSettings, writeSetting, writeUserSetting } from './config';
import { EndpointBlockedError, providerForEndpoint } from './providerFactory';
import { isLoopback, mayContact } from '../core/security/trust';

interface ModelPick extends vscode.QuickPickItem {
  provider?: ProviderId;
  model?: string;
  /** A command to run instead of choosing a model (the "Set an API key" entry). */
  command?: string;
}

export class ModelPicker implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('valueLens.model', vscode.StatusBarAlignment.Right, 100);
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly apiKeys: ApiKeys,
    private readonly logger: Logger,
  ) {
    this.item.name = 'Value Lens model';
    this.item.command = 'valueLens.selectModel';
    this.render();
    this.subscription = vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('valueLens') && this.render());
    this.item.show();
  }

  render(loading = false): void {
    const { provider } = readEndpointConfig();
    const { model } = readRunSettings();
    this.item.text = loading
      ? vscode.l10n.t('$(sync~spin) Loading models…')
      : `$(hubot) ${provider}: ${model || vscode.l10n.t('no model')}`;
    this.item.tooltip = vscode.l10n.t('Value Lens: select the model used by Score lenses');
  }

  private async list(provider: ProviderId, signal: AbortSignal): Promise<ModelPick[]> {
    const config = readEndpointConfig();
    const endpoint = provider === 'ollama' ? config.ollamaHost : config.openaiBaseUrl;
    const separator: ModelPick = {
      label: `${provider === 'ollama' ? 'Ollama' : vscode.l10n.t('OpenAI-compatible')} — ${endpoint}`,
      kind: vscode.QuickPickItemKind.Separator,
    };
    try {
      const resolved = await providerForEndpoint(config, provider, {
        getApiKey: (e) => this.apiKeys.get(e),
        trusted: vscode.workspace.isTrusted,
      });
      if (provider === 'openai' && !resolved.hasKey && !isLoopback(endpoint) && config.provider !== 'openai') {
        // Nothing to list without a key, and no reason to contact a remote server the user is not using.
        return [
          separator,
          {
            label: vscode.l10n.t('$(key) Set an API key for this endpoint to list its models'),
            description: vscode.l10n.t('Value Lens: Set API Key'),
            command: 'valueLens.setApiKey',
          },
        ];
      }
      const models = await resolved.provider.listModels(signal).catch((error: unknown) => {
        const status = (error as { status?: number }).status;
        if (status === 401 || status === 403)
          throw new Error(resolved.hasKey ? 'API key rejected' : 'API key missing: run "Value Lens: Set API Key"');
        throw error;
      });
      return [
        separator,
        ...models.map((m) => ({
          label: m.name,
          description: m.sizeBytes ? `${(m.sizeBytes / 1e9).toFixed(1)} GB` : undefined,
          provider,
          model: m.name,
        })),
      ];
    } catch (error) {
      const reason =
        error instanceof EndpointBlockedError ? 'blocked: workspace not trusted' : error instanceof Error ? error.message : String(error);
      this.logger.warn(`listing ${provider} models failed: ${reason}`);
      return [separator, { label: `$(warning) ${reason}` }];
    }
  }

  /** Opens the quick pick; resolves with the chosen model (also written to settings). */
  async select(): Promise<string | undefined> {
    const pick = vscode.window.createQuickPick<ModelPick>();
    pick.title = 'Value Lens: Select Model';
    pick.placeholder = 'Loading models from Ollama and the OpenAI-compatible endpoint…';
    pick.busy = true;
    pick.show();
    this.render(true);
    const abort = new AbortController();
    const hidden = pick.onDidHide(() => abort.abort());
    void Promise.all([this.list('ollama', abort.signal), this.list('openai', abort.signal)]).then((lists) => {
      pick.items = lists.flat();
      pick.busy = false;
      pick.placeholder = 'Pick the model for scoring';
      this.render();
    });
    const chosen = await new Promise<ModelPick | undefined>((resolve) => {
      pick.onDidAccept(() => resolve(pick.selectedItems[0]));
      pick.onDidHide(() => resolve(undefined));
    });
    hidden.dispose();
    pick.dispose();
    this.render();
    // The key entry opens the key command (SecretStorage); the picker opens again once a key is stored.
    if (chosen?.command) {
      await vscode.commands.executeCommand(chosen.command);
      const endpoint = readEndpointConfig().openaiBaseUrl;
      const stored = await this.apiKeys.get(endpoint).catch(() => undefined);
      return stored ? this.select() : undefined;
    }
    if (!chosen?.provider || !chosen.model) return undefined;
    await writeUserSetting('provider', chosen.provider);
    await writeSetting('model', chosen.model);
    return chosen.model;
  }

  /** Pulls an Ollama model with a cancellable progress notification; true when it finished. */
  async pull(model: string): Promise<boolean> {
    const { ollamaHost } = readEndpointConfig();
    const permission = mayContact(ollamaHost, vscode.workspace.isTrusted);
    if (!permission.allowed) {
      void vscode.window.showWarningMessage(permission.reason);
      return false;
    }
    return vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: vscode.l10n.t('Pulling {0} from {1}', model, ollamaHost),
        cancellable: true,
      },
      async (progress, token) => {
        const abort = new AbortController();
        const sub = token.onCancellationRequested(() => abort.abort());
        let last = 0;
        try {
          await pullModel(
            ollamaHost,
            model,
            (p: { status?: string; completed?: number; total?: number }) => {
              const pct = p.total ? Math.floor(((p.completed ?? 0) / p.total) * 100) : undefined;
              progress.report({
                message: `${p.status ?? ''}${pct !== undefined ? ` ${pct}%` : ''}`,
                increment: pct !== undefined && pct > last ? pct - last : undefined,
              });
              if (pct !== undefined) last = Math.max(last, pct);
            },
            abort.signal,
          );
          return true;
        } catch (error) {
          if (!abort.signal.aborted)
            void vscode.window.showErrorMessage(
              vscode.l10n.t('Pulling {0} failed: {1}', model, error instanceof Error ? error.message : String(error)),
            );
          return false;
        } finally {
          sub.dispose();
        }
      },
    );
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }
}
