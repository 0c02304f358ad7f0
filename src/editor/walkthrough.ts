// The Get Started walkthrough's one command of its own: Open Example Study copies the example study shipped
// in the extension (items, templates, human reference data, the study file) into a workspace folder, in
// `value-lens-example/`, and opens the items file. Files already there are kept (never overwritten). Without
// a folder the items file opens read-only from the extension. Through workspace.fs: works on remote folders.
import * as vscode from 'vscode';

/** What ships in examples/ and makes the walkthrough's study (examples/demo.study.json names these). */
export const EXAMPLE_FILES = ['demo.study.json', 'wvs7-sample.wvs', 'prompts.wvt', 'human-reference.csv', 'README.md'] as const;
export const EXAMPLE_FOLDER = 'value-lens-example';

async function exists(uri: vscode.Uri): Promise<boolean> {
  return vscode.workspace.fs.stat(uri).then(
    () => true,
    () => false,
  );
}

async function pickFolder(): Promise<vscode.WorkspaceFolder | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length <= 1) return folders[0];
  const pick = await vscode.window.showQuickPick(
    folders.map((folder) => ({ label: folder.name, description: folder.uri.fsPath, folder })),
    { title: vscode.l10n.t('Copy the example study into which folder?') },
  );
  return pick?.folder;
}

/** Copies the example; resolves with the copied items file (or the bundled one, read-only) and what was copied. */
export async function openExampleStudy(
  extensionUri: vscode.Uri,
): Promise<{ items: vscode.Uri; copied: string[]; kept: string[] } | undefined> {
  const source = vscode.Uri.joinPath(extensionUri, 'examples');
  if (!vscode.workspace.workspaceFolders?.length) {
    const items = vscode.Uri.joinPath(source, 'wvs7-sample.wvs');
    await vscode.window.showTextDocument(items, { preview: false });
    void vscode.window.showInformationMessage(
      vscode.l10n.t(
        'Value Lens: the example opened read-only from the extension. Open a folder and run "Open Example Study" again to get a copy you can score and edit.',
      ),
    );
    return { items, copied: [], kept: [] };
  }
  const folder = await pickFolder();
  if (!folder) return undefined;
  const target = vscode.Uri.joinPath(folder.uri, EXAMPLE_FOLDER);
  await vscode.workspace.fs.createDirectory(target);
  const copied: string[] = [];
  const kept: string[] = [];
  for (const name of EXAMPLE_FILES) {
    const to = vscode.Uri.joinPath(target, name);
    if (await exists(to)) {
      kept.push(name);
      continue;
    }
    await vscode.workspace.fs.copy(vscode.Uri.joinPath(source, name), to, { overwrite: false });
    copied.push(name);
  }
  const items = vscode.Uri.joinPath(target, 'wvs7-sample.wvs');
  await vscode.window.showTextDocument(items, { preview: false });
  if (kept.length)
    void vscode.window.showInformationMessage(
      vscode.l10n.t('Value Lens: {0} already had {1}; those files were kept as they are.', EXAMPLE_FOLDER, kept.join(', ')),
    );
  return { items, copied, kept };
}

export function registerWalkthrough(extensionUri: vscode.Uri): vscode.Disposable {
  return vscode.commands.registerCommand('valueLens.openExampleStudy', () => openExampleStudy(extensionUri));
}
