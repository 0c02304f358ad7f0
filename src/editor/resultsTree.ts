// The results view (Explorer → Value Lens Results): for each workspace folder, its studies (study files and
// the implicit study of each items file with a results folder), their runs from the manifests, per run the
// models and failures, and provider batch jobs with their status. Commands: open a run in the panel, open
// its manifest, reveal the corpus file, delete a run (after a modal: the manifest is marked deleted and every
// reader leaves its records out; records.jsonl is append-only and never rewritten: corpus/deleted.ts).
// A FileSystemWatcher on results folders and study files refreshes it.
import { dirname, join } from 'node:path';
import { parse } from 'jsonc-parser';
import * as vscode from 'vscode';
import { markRunDeleted } from '../core/corpus/deleted';
import { CORPUS_RECORDS_FILE } from '../core/corpus/types';
import { manifestPath } from '../core/corpus/writer';
import { studyNameFromPath } from '../core/study/parse';
import {
  batchDescription,
  readCorpusSummary,
  runDescription,
  runLabel,
  type BatchSummary,
  type CorpusSummary,
  type ModelCounts,
  type RunSummary,
} from './resultsModel';
import { implicitCorpusDir } from './workspaceCorpora';

export const RESULTS_VIEW_ID = 'valueLens.results';

/** A study the view lists: a study file, or an items file's implicit study. */
export interface StudyEntry {
  name: string;
  /** The corpus folder. */
  dir: string;
  folder: vscode.WorkspaceFolder;
  studyUri?: vscode.Uri;
  itemsUri?: vscode.Uri;
}

export type ResultsNode =
  | { kind: 'folder'; folder: vscode.WorkspaceFolder }
  | { kind: 'study'; entry: StudyEntry }
  | { kind: 'run'; entry: StudyEntry; run: RunSummary }
  | { kind: 'model'; entry: StudyEntry; run: RunSummary; model: ModelCounts }
  | { kind: 'failures'; entry: StudyEntry; run: RunSummary }
  | { kind: 'failure'; entry: StudyEntry; run: RunSummary; failure: { kind: string; count: number } }
  | { kind: 'batch'; entry: StudyEntry; batch: BatchSummary }
  | { kind: 'note'; label: string; detail?: string };

export interface ResultsTreeDeps {
  /** Shows one run of a study in the panel. */
  openRun(entry: StudyEntry, runId: string): Promise<unknown>;
  /** After a run was deleted: the lenses and the panel reload the workspace's results. */
  onDeleted(entry: StudyEntry, runId: string): Promise<unknown>;
}

/** The corpus folder a study file names (`results`, else `<name>.results` beside it), read leniently. */
export function studyResultsDir(studyPath: string, text: string): { name: string; dir: string } {
  const root = parse(text, [], { allowTrailingComma: true }) as { name?: unknown; results?: unknown } | undefined;
  const name = typeof root?.name === 'string' && root.name ? root.name : studyNameFromPath(studyPath);
  const results = typeof root?.results === 'string' && root.results ? root.results : `${name}.results`;
  return { name, dir: join(dirname(studyPath), results).replace(/[\\/]$/, '') };
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  return vscode.workspace.fs.stat(uri).then(
    () => true,
    () => false,
  );
}

/** Every study of every workspace folder (never only the first), in folder order, then by name. */
export async function discoverStudies(): Promise<StudyEntry[]> {
  const out: StudyEntry[] = [];
  const decoder = new TextDecoder();
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    const entries: StudyEntry[] = [];
    const seen = new Set<string>();
    for (const uri of await vscode.workspace.findFiles(new vscode.RelativePattern(folder, '**/*.study.json'), '**/node_modules/**', 200)) {
      const text = decoder.decode(
        await vscode.workspace.fs.readFile(uri).then(
          (b) => b,
          () => new Uint8Array(),
        ),
      );
      const { name, dir } = studyResultsDir(uri.fsPath, text);
      seen.add(dir);
      entries.push({ name, dir, folder, studyUri: uri });
    }
    for (const uri of await vscode.workspace.findFiles(new vscode.RelativePattern(folder, '**/*.wvs'), '**/node_modules/**', 500)) {
      const dir = implicitCorpusDir(uri.fsPath);
      if (
        seen.has(dir) ||
        !((await exists(vscode.Uri.file(join(dir, 'runs')))) || (await exists(vscode.Uri.file(join(dir, CORPUS_RECORDS_FILE)))))
      )
        continue;
      seen.add(dir);
      entries.push({ name: vscode.workspace.asRelativePath(uri, false), dir, folder, itemsUri: uri });
    }
    out.push(...entries.sort((a, b) => a.name.localeCompare(b.name)));
  }
  return out;
}

export class ResultsTreeProvider implements vscode.TreeDataProvider<ResultsNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<ResultsNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private studies: Promise<StudyEntry[]> | undefined;
  private readonly summaries = new Map<string, Promise<CorpusSummary>>();

  refresh(): void {
    this.studies = undefined;
    this.summaries.clear();
    this.emitter.fire(undefined);
  }

  summary(dir: string): Promise<CorpusSummary> {
    let s = this.summaries.get(dir);
    if (!s) this.summaries.set(dir, (s = readCorpusSummary(dir)));
    return s;
  }

  private allStudies(): Promise<StudyEntry[]> {
    return (this.studies ??= discoverStudies());
  }

  async getChildren(node?: ResultsNode): Promise<ResultsNode[]> {
    if (!node) {
      const folders = vscode.workspace.workspaceFolders ?? [];
      if (folders.length > 1) return folders.map((folder) => ({ kind: 'folder', folder }));
      return (await this.allStudies()).map((entry) => ({ kind: 'study', entry }));
    }
    switch (node.kind) {
      case 'folder': {
        const studies = (await this.allStudies()).filter((e) => e.folder.uri.toString() === node.folder.uri.toString());
        return studies.length
          ? studies.map((entry) => ({ kind: 'study', entry }))
          : [{ kind: 'note', label: vscode.l10n.t('No studies in this folder') }];
      }
      case 'study': {
        const summary = await this.summary(node.entry.dir).catch((e: unknown) => e as Error);
        if (summary instanceof Error) return [{ kind: 'note', label: vscode.l10n.t('Cannot read the results'), detail: summary.message }];
        const out: ResultsNode[] = summary.batches.map((batch) => ({ kind: 'batch', entry: node.entry, batch }));
        out.push(...summary.runs.map((run): ResultsNode => ({ kind: 'run', entry: node.entry, run })));
        if (summary.deleted) out.push({ kind: 'note', label: vscode.l10n.t('{0} deleted run(s) hidden', summary.deleted) });
        if (summary.badManifests.length || summary.badLines)
          out.push({
            kind: 'note',
            label: vscode.l10n.t('{0} unreadable manifest(s), {1} unreadable line(s)', summary.badManifests.length, summary.badLines),
          });
        if (!out.length) out.push({ kind: 'note', label: vscode.l10n.t('No runs yet') });
        return out;
      }
      case 'run': {
        const out: ResultsNode[] = node.run.models.map((model) => ({ kind: 'model', entry: node.entry, run: node.run, model }));
        if (node.run.failures.length) out.push({ kind: 'failures', entry: node.entry, run: node.run });
        return out;
      }
      case 'failures':
        return node.run.failures.map((failure) => ({ kind: 'failure', entry: node.entry, run: node.run, failure }));
      default:
        return [];
    }
  }

  getTreeItem(node: ResultsNode): vscode.TreeItem {
    const { None, Collapsed, Expanded } = vscode.TreeItemCollapsibleState;
    switch (node.kind) {
      case 'folder': {
        const item = new vscode.TreeItem(node.folder.name, Expanded);
        item.iconPath = new vscode.ThemeIcon('root-folder');
        item.contextValue = 'valueLens.folder';
        return item;
      }
      case 'study': {
        const item = new vscode.TreeItem(node.entry.name, Collapsed);
        item.id = `study:${node.entry.dir}`;
        item.description = node.entry.studyUri ? vscode.l10n.t('study') : vscode.l10n.t('items file');
        item.tooltip = node.entry.dir;
        item.iconPath = new vscode.ThemeIcon(node.entry.studyUri ? 'beaker' : 'file');
        item.resourceUri = node.entry.studyUri ?? node.entry.itemsUri;
        item.contextValue = 'valueLens.study';
        return item;
      }
      case 'run': {
        const m = node.run.manifest;
        const item = new vscode.TreeItem(runLabel(m), node.run.models.length ? Collapsed : None);
        item.id = `run:${node.entry.dir}:${m.runId}`;
        item.description = runDescription(m);
        item.tooltip = new vscode.MarkdownString(
          [
            `**${m.runId}** (${m.via}, ${m.toolVersion})`,
            `${m.planned} planned · ${m.scored} scored · ${m.failed} failed · ${m.cached} cached${m.writeFailures ? ` · ${m.writeFailures} not written` : ''}`,
            `${m.startedAt}${m.endedAt ? ` → ${m.endedAt}` : ''}`,
          ].join('\n\n'),
        );
        item.iconPath = new vscode.ThemeIcon(
          m.status === 'done'
            ? m.failed
              ? 'warning'
              : 'pass'
            : m.status === 'running'
              ? 'sync'
              : m.status === 'cancelled'
                ? 'circle-slash'
                : 'error',
        );
        item.contextValue = 'valueLens.run';
        item.command = { title: vscode.l10n.t('Open Run Manifest'), command: 'valueLens.results.openManifest', arguments: [node] };
        return item;
      }
      case 'model': {
        const item = new vscode.TreeItem(node.model.model, None);
        item.description = vscode.l10n.t('{0} result(s) · {1} failure(s)', node.model.results, node.model.failures);
        item.iconPath = new vscode.ThemeIcon('hubot');
        item.contextValue = 'valueLens.model';
        return item;
      }
      case 'failures': {
        const total = node.run.failures.reduce((a, f) => a + f.count, 0);
        const item = new vscode.TreeItem(vscode.l10n.t('Failures'), Collapsed);
        item.description = String(total);
        item.iconPath = new vscode.ThemeIcon('error');
        return item;
      }
      case 'failure': {
        const item = new vscode.TreeItem(node.failure.kind, None);
        item.description = String(node.failure.count);
        return item;
      }
      case 'batch': {
        const b = node.batch;
        const item = new vscode.TreeItem(vscode.l10n.t('Batch {0}', b.batchId), None);
        item.id = `batch:${node.entry.dir}:${b.batchId}`;
        item.description = batchDescription(b);
        item.tooltip = vscode.l10n.t('Run {0}; state {1}; updated {2}', b.runId, b.stateFile, b.updatedAt);
        const done = b.phase === 'imported';
        item.iconPath = new vscode.ThemeIcon(done ? 'cloud-download' : b.phase === 'cancel-requested' ? 'circle-slash' : 'cloud-upload');
        item.contextValue = done ? 'valueLens.batch.done' : 'valueLens.batch.pending';
        return item;
      }
      case 'note': {
        const item = new vscode.TreeItem(node.label, None);
        if (node.detail) item.tooltip = node.detail;
        item.iconPath = new vscode.ThemeIcon('info');
        return item;
      }
    }
  }

  dispose(): void {
    this.emitter.dispose();
  }
}

export function registerResultsTree(deps: ResultsTreeDeps): { provider: ResultsTreeProvider; disposable: vscode.Disposable } {
  const provider = new ResultsTreeProvider();
  const view = vscode.window.createTreeView(RESULTS_VIEW_ID, { treeDataProvider: provider, showCollapseAll: true });
  let timer: ReturnType<typeof setTimeout> | undefined;
  // A run writes many records: refresh at most every 500 ms.
  const soon = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => provider.refresh(), 500);
  };
  const watchers = ['**/*.results/runs/*.json', `**/*.results/${CORPUS_RECORDS_FILE}`, '**/batches/*.json', '**/*.study.json'].map((glob) =>
    vscode.workspace.createFileSystemWatcher(glob),
  );
  const register = (id: string, fn: (node: ResultsNode) => unknown) =>
    vscode.commands.registerCommand(`valueLens.results.${id}`, fn as (...args: unknown[]) => unknown);
  const runOf = (node: ResultsNode): Extract<ResultsNode, { kind: 'run' }> | undefined => (node?.kind === 'run' ? node : undefined);

  const disposable = vscode.Disposable.from(
    provider,
    view,
    ...watchers,
    ...watchers.flatMap((w) => [w.onDidCreate(soon), w.onDidChange(soon), w.onDidDelete(soon)]),
    vscode.workspace.onDidChangeWorkspaceFolders(() => provider.refresh()),
    { dispose: () => clearTimeout(timer) },
    vscode.commands.registerCommand('valueLens.results.refresh', () => provider.refresh()),
    register('openRun', (node) => {
      const run = runOf(node);
      return run ? deps.openRun(run.entry, run.run.manifest.runId) : undefined;
    }),
    register('openManifest', async (node) => {
      const run = runOf(node);
      if (!run) return undefined;
      return vscode.window.showTextDocument(vscode.Uri.file(manifestPath(run.entry.dir, run.run.manifest.runId)), { preview: true });
    }),
    register('revealCorpus', (node) => {
      const entry = node && 'entry' in node ? node.entry : undefined;
      if (!entry) return undefined;
      return vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(join(entry.dir, CORPUS_RECORDS_FILE)));
    }),
    register('deleteRun', async (node) => {
      const run = runOf(node);
      if (!run) return false;
      const m = run.run.manifest;
      const yes = vscode.l10n.t('Delete Run');
      const choice = await vscode.window.showWarningMessage(
        vscode.l10n.t(
          'Delete run {0} of {1} ({2} record(s))? Its results leave every analysis, lens and the panel. The lines stay in records.jsonl (other runs may be writing to it); the manifest is marked deleted.',
          m.runId,
          run.entry.name,
          run.run.records,
        ),
        { modal: true },
        yes,
      );
      if (choice !== yes) return false;
      const written = await markRunDeleted(run.entry.dir, m.runId);
      if (!written) {
        void vscode.window.showErrorMessage(vscode.l10n.t('Value Lens: run {0} has no manifest any more; nothing was deleted.', m.runId));
        return false;
      }
      provider.refresh();
      await deps.onDeleted(run.entry, m.runId);
      return true;
    }),
  );
  return { provider, disposable };
}
