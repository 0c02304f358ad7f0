// The human reference data: one source of truth, the `valueLens.humanData` setting (a path, relative to the
// first workspace folder). "Load Human Reference Data…" writes that setting in the workspace; a change of
// the setting or of the file itself reloads it, and a deleted file unloads it. Earlier versions kept the
// chosen path in workspaceState, where it silently won over the setting: such a path is moved into the
// setting once (when the setting is empty) and the old key is removed.
import { basename, dirname, isAbsolute, join, relative } from 'node:path';
import * as vscode from 'vscode';
import type { Logger } from '../core/log';
import type { AnalysisSources } from './analysisSources';

/** The workspaceState key of earlier versions (read once, for the move into the setting). */
export const LEGACY_HUMAN_DATA_STATE_KEY = 'valueLens.humanDataPath';

export interface HumanDataDeps {
  sources: Pick<AnalysisSources, 'loadHuman' | 'clearHuman'>;
  logger: Logger;
  workspaceState: Pick<vscode.Memento, 'get' | 'update'>;
  /** After a load or unload: refresh what shows alignment (the panel). */
  onChange?(): void;
}

const folder = (): string | undefined => vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;

/** The setting's path made absolute against the first workspace folder; undefined when empty. */
export function resolveHumanDataPath(setting: string, workspaceFolder = folder()): string | undefined {
  const path = setting.trim();
  if (!path) return undefined;
  return isAbsolute(path) || !workspaceFolder ? path : join(workspaceFolder, path);
}

function settingValue(): string {
  return vscode.workspace.getConfiguration('valueLens').get<string>('humanData', '') ?? '';
}

export interface HumanData extends vscode.Disposable {
  /** Loads what the setting names now (or unloads when it names nothing). */
  reload(quiet?: boolean): Promise<void>;
  /** The open dialog; the choice is written to the workspace setting and loaded. */
  choose(): Promise<void>;
  /** The path loaded now, if any. */
  readonly path: string | undefined;
}

export function registerHumanData(deps: HumanDataDeps): HumanData {
  let loaded: string | undefined;
  /** The path "Load Human Reference Data…" is writing: its configuration event needs no second load. */
  let choosing: string | undefined;
  let watcher: vscode.Disposable | undefined;

  const watch = (path: string | undefined): void => {
    watcher?.dispose();
    watcher = undefined;
    if (!path) return;
    const fsWatcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(dirname(path)), basename(path)));
    watcher = vscode.Disposable.from(
      fsWatcher,
      fsWatcher.onDidChange(() => void load(path, true)),
      fsWatcher.onDidCreate(() => void load(path, true)),
      fsWatcher.onDidDelete(() => {
        deps.sources.clearHuman();
        loaded = undefined;
        deps.logger.warn(`human data ${path} was deleted: alignment is not shown until it is back`);
        deps.onChange?.();
      }),
    );
  };

  const load = async (path: string, quiet: boolean): Promise<void> => {
    try {
      const { rows, problems } = await deps.sources.loadHuman(path);
      loaded = path;
      deps.logger.info(`human data: ${rows} rows from ${path}${problems ? `, ${problems} problem(s)` : ''}`);
      if (!quiet)
        void vscode.window.showInformationMessage(
          vscode.l10n.t(
            'Value Lens: loaded {0} human reference rows{1}.',
            rows,
            problems ? vscode.l10n.t(' ({0} problems, see the log)', problems) : '',
          ),
        );
    } catch (error) {
      deps.sources.clearHuman();
      loaded = undefined;
      const message = vscode.l10n.t(
        'Value Lens: cannot read human data {0}: {1}',
        path,
        error instanceof Error ? error.message : String(error),
      );
      deps.logger.warn(message);
      void vscode.window
        .showErrorMessage(message, vscode.l10n.t('Open Settings'))
        .then((c) => c && vscode.commands.executeCommand('workbench.action.openSettings', 'valueLens.humanData'));
    }
    deps.onChange?.();
  };

  const reload = async (quiet = true): Promise<void> => {
    const path = resolveHumanDataPath(settingValue());
    watch(path);
    if (path) return load(path, quiet);
    if (loaded) {
      deps.sources.clearHuman();
      loaded = undefined;
      deps.onChange?.();
    }
  };

  const moveLegacy = async (): Promise<void> => {
    const legacy = deps.workspaceState.get<string>(LEGACY_HUMAN_DATA_STATE_KEY);
    if (!legacy) return;
    if (!settingValue()) {
      const root = folder();
      const rel = root && !relative(root, legacy).startsWith('..') && !isAbsolute(relative(root, legacy)) ? relative(root, legacy) : legacy;
      await vscode.workspace.getConfiguration('valueLens').update('humanData', rel, vscode.ConfigurationTarget.Workspace);
      deps.logger.info(`human data: the path chosen earlier (${legacy}) is now the workspace setting valueLens.humanData`);
    } else
      deps.logger.info(`human data: the setting valueLens.humanData is used; the path kept by an earlier version (${legacy}) is dropped`);
    await deps.workspaceState.update(LEGACY_HUMAN_DATA_STATE_KEY, undefined);
  };

  const configuration = vscode.workspace.onDidChangeConfiguration((e) => {
    if (!e.affectsConfiguration('valueLens.humanData')) return;
    if (choosing !== undefined && resolveHumanDataPath(settingValue()) === choosing) return;
    void reload(true);
  });
  void moveLegacy().then(() => reload(true));

  return {
    get path() {
      return loaded;
    },
    reload,
    async choose() {
      const picked = await vscode.window.showOpenDialog({
        canSelectMany: false,
        filters: { [vscode.l10n.t('CSV files')]: ['csv', 'tsv', 'txt'] },
        title: vscode.l10n.t('Human reference data (aggregated or microdata CSV)'),
      });
      const path = picked?.[0]?.fsPath;
      if (!path) return;
      const root = folder();
      const rel = root ? relative(root, path) : path;
      const value = root && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
      choosing = resolveHumanDataPath(value);
      try {
        await vscode.workspace.getConfiguration('valueLens').update('humanData', value, vscode.ConfigurationTarget.Workspace);
        watch(path);
        await load(path, false);
      } finally {
        choosing = undefined;
      }
    },
    dispose() {
      configuration.dispose();
      watcher?.dispose();
    },
  };
}
