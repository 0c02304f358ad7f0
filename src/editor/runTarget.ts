// What a Score request runs against, resolved with the user's help where something is missing: the items
// file (parsed), the endpoint (trust asked for when blocked), the model (the picker when none is set) and
// the template (picked when the named one is not found). Undefined when the user backs out.
import * as vscode from 'vscode';
import type { SurveyFile, TemplateFile } from '../core/language/ast';
import type { Logger } from '../core/log';
import type { RunSettings } from '../core/run/settings';
import type { AnalysisSources } from './analysisSources';
import type { ApiKeys } from './apiKeys';
import { resolveActiveProvider } from './activeEndpoint';
import { readRunSettings, writeSetting } from './config';
import type { ParsedDocuments } from './documents';
import type { ModelPicker } from './models';
import type { ResolvedProvider } from './providerFactory';
import type { ScoreRequest } from './scoring';

export interface RunTarget {
  doc: vscode.TextDocument;
  /** The parsed document's URI string (the results state's key). */
  uriString: string;
  survey: SurveyFile;
  resolved: ResolvedProvider;
  model: string;
  templates: { file: TemplateFile; name: string; uri: vscode.Uri };
  settings: RunSettings;
}

export interface TargetDeps {
  documents: ParsedDocuments;
  sources: AnalysisSources;
  apiKeys: ApiKeys;
  models: ModelPicker;
  logger: Logger;
}

export async function resolveRunTarget(deps: TargetDeps, request: ScoreRequest): Promise<RunTarget | undefined> {
  const doc = await vscode.workspace.openTextDocument(request.uri);
  const parsed = deps.documents.survey(doc);
  if (!parsed) return void vscode.window.showErrorMessage(vscode.l10n.t('Value Lens: scoring works on .wvs item files.'));
  deps.sources.setSurvey(parsed.uri, parsed.file);
  const settings = readRunSettings();
  const resolved = await resolveActiveProvider(deps);
  if (!resolved) return undefined;
  const model = settings.model || (await deps.models.select());
  if (!model) return undefined;
  const templates = await findTemplates(deps.documents, request.template ?? settings.template, request.templateUri);
  if (!templates) return undefined;
  return { doc, uriString: parsed.uri, survey: parsed.file, resolved, model, templates, settings };
}

/** The named template: in `preferred` first, then open .wvt documents, then the workspace. Asks if not found. */
export async function findTemplates(
  documents: ParsedDocuments,
  name: string,
  preferred?: vscode.Uri,
): Promise<{ file: TemplateFile; name: string; uri: vscode.Uri } | undefined> {
  const uris: vscode.Uri[] = [];
  if (preferred) uris.push(preferred);
  for (const doc of vscode.workspace.textDocuments) if (doc.languageId === 'wvt') uris.push(doc.uri);
  uris.push(...(await vscode.workspace.findFiles('**/*.wvt', '**/node_modules/**', 50)));
  const files: { file: TemplateFile; uri: vscode.Uri }[] = [];
  const seen = new Set<string>();
  for (const uri of uris) {
    if (seen.has(uri.toString())) continue;
    seen.add(uri.toString());
    const parsed = documents.get(await vscode.workspace.openTextDocument(uri));
    if (parsed?.file.kind !== 'templates') continue;
    if (parsed.file.templates.some((t) => t.name === name)) return { file: parsed.file, name, uri };
    files.push({ file: parsed.file, uri });
  }
  const names = files.flatMap((f) => f.file.templates.map((t) => t.name));
  if (names.length === 0)
    return void vscode.window.showErrorMessage(
      vscode.l10n.t('Value Lens: no template found. Add a .wvt file with a `template` block (see docs/languages.md).'),
    );
  const picked = await vscode.window.showQuickPick(names, {
    title: vscode.l10n.t('Template "{0}" not found — pick the template to use', name),
  });
  if (!picked) return undefined;
  await writeSetting('template', picked);
  const found = files.find((f) => f.file.templates.some((t) => t.name === picked))!;
  return { file: found.file, name: picked, uri: found.uri };
}
