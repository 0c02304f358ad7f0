// Authoring with a model: commands, the "Generate paraphrases…" lens on templates, the "Insert" lens on
// (read-only) preview documents, and the "Translate with the model" quick fix on missing translations.
import * as vscode from 'vscode';
import { readPreviewMeta } from '../../core/authoring/preview';
import { languageName } from '../../core/authoring/languages';
import type { LensSpec } from '../../core/language/services';
import type { Logger } from '../../core/log';
import type { ApiKeys } from '../apiKeys';
import type { EditorLensContributor } from '../codeLens';
import { SELECTOR, toRange } from '../convert';
import type { ParsedDocuments } from '../documents';
import type { ModelPicker } from '../models';
import type { Scoring } from '../scoring';
import { generateParaphrasesFlow, insertPreviewFlow, translateFlow, type FlowDeps, type TranslateTarget } from './flows';
import { loadPrompts, paraphraseCount, resolveAuthoringModel } from './model';
import { checkOptionOrderFlow, reviewConsistencyFlow, type ReviewDeps } from './review';
import { PREVIEW_SCHEME, registerPreviews } from './previews';

export interface AuthoringDeps {
  documents: ParsedDocuments;
  scoring: Pick<Scoring, 'score' | 'findTemplates'>;
  models: ModelPicker;
  apiKeys: ApiKeys;
  logger: Logger;
  openPanel(): void;
  /** The lens provider: the "Generate paraphrases…" lens is added to it (codeLens.ts, the one way to add lenses). */
  lenses?: { add(contributor: EditorLensContributor): vscode.Disposable };
}

export const AUTHORING_COMMANDS = ['generateParaphrases', 'translate', 'insertPreview', 'reviewConsistency', 'checkOptionOrder'] as const;

/** Lens specs: one "Generate paraphrases…" per template of a .wvt file. */
export const generateLensContributor: EditorLensContributor = {
  specs: (file) =>
    file.kind === 'templates'
      ? file.templates.map(
          (t): LensSpec => ({
            kind: 'generateParaphrases',
            range: { start: { line: t.range.start.line, character: 0 }, end: { line: t.range.start.line, character: 0 } },
            target: t.name,
            targetKind: 'template',
          }),
        )
      : [],
  // Also on preview documents: an unresolved lens would show as a blank line there.
  resolve: (spec, uri) =>
    spec.kind === 'generateParaphrases'
      ? {
          title: vscode.l10n.t('$(sparkle) Generate paraphrases…'),
          command: 'valueLens.generateParaphrases',
          arguments: [uri, spec.target],
          tooltip: vscode.l10n.t('Ask the configured model for paraphrases of this template'),
        }
      : undefined,
};

const PREVIEW_SELECTOR: vscode.DocumentSelector = [
  { scheme: PREVIEW_SCHEME },
  // Previews of earlier versions, or a preview's text pasted into a new file.
  { language: 'wvt', scheme: 'untitled' },
  { language: 'wvs', scheme: 'untitled' },
];

export function registerAuthoring(context: vscode.ExtensionContext, deps: AuthoringDeps): vscode.Disposable {
  const previews = registerPreviews();
  // Everything is read lazily: registration must not touch deps (the manifest test registers with none).
  const flowDeps: FlowDeps = {
    previews: previews.previews,
    get documents() {
      return deps.documents;
    },
    get logger() {
      return deps.logger;
    },
    model: () => resolveAuthoringModel(deps),
    prompts: () => loadPrompts(context.extensionUri.fsPath, deps.logger),
    paraphraseCount,
  };
  const reviewDeps: ReviewDeps = {
    get documents() {
      return deps.documents;
    },
    get logger() {
      return deps.logger;
    },
    score: (request) => deps.scoring.score(request),
    findTemplates: (name) => deps.scoring.findTemplates(name),
    openPanel: () => deps.openPanel(),
    showLog: () => void vscode.commands.executeCommand('valueLens.showLog'),
  };
  const register = (id: (typeof AUTHORING_COMMANDS)[number], fn: (...args: unknown[]) => unknown) =>
    vscode.commands.registerCommand(`valueLens.${id}`, fn);

  const disposables: vscode.Disposable[] = [
    previews.disposable,
    register('generateParaphrases', (uri, template) => generateParaphrasesFlow(flowDeps, uri, template)),
    register('translate', (uri, target, language) => translateFlow(flowDeps, uri, target, language)),
    register('insertPreview', async (uri) => {
      const previewUri = uri instanceof vscode.Uri ? uri : vscode.window.activeTextEditor?.document.uri;
      const inserted = await insertPreviewFlow(flowDeps, previewUri);
      // The preview has done its job: close it (a read-only preview never asks to save; an untitled one is reverted).
      if (inserted && (previewUri?.scheme === PREVIEW_SCHEME || previewUri?.scheme === 'untitled')) {
        const editor = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === previewUri.toString());
        if (editor) {
          await vscode.window.showTextDocument(editor.document, editor.viewColumn);
          await vscode.commands.executeCommand(
            previewUri.scheme === PREVIEW_SCHEME ? 'workbench.action.closeActiveEditor' : 'workbench.action.revertAndCloseActiveEditor',
          );
        }
      }
    }),
    register('reviewConsistency', (uri) => reviewConsistencyFlow(reviewDeps, uri)),
    register('checkOptionOrder', (uri, itemId, orders) => checkOptionOrderFlow(reviewDeps, uri, itemId, orders)),
    vscode.languages.registerCodeLensProvider(PREVIEW_SELECTOR, {
      provideCodeLenses: (doc) => {
        const meta = readPreviewMeta(doc.getText());
        if (!meta) return [];
        const title =
          meta.target.kind === 'paraphrases' && !meta.target.machineTranslated
            ? vscode.l10n.t('$(check) Insert kept paraphrases')
            : vscode.l10n.t('$(check) Insert translation');
        return [
          new vscode.CodeLens(new vscode.Range(0, 0, 0, 0), {
            title,
            command: 'valueLens.insertPreview',
            arguments: [doc.uri],
            tooltip: vscode.l10n.t('Insert into {0}', meta.uri),
          }),
        ];
      },
    }),
    vscode.languages.registerCodeActionsProvider(
      SELECTOR,
      {
        provideCodeActions: (doc, _range, ctx) => {
          const parsed = deps.documents.get(doc);
          if (!parsed) return [];
          const actions: vscode.CodeAction[] = [];
          for (const diagnostic of ctx.diagnostics) {
            if (typeof diagnostic.code !== 'string' || !diagnostic.code.endsWith('/missing-translation')) continue;
            const source = parsed.file.diagnostics.find((d) => d.code === diagnostic.code && toRange(d.range).isEqual(diagnostic.range));
            const target = source?.data ? missingTarget(source.data) : undefined;
            const language = source?.data?.language;
            if (!target || typeof language !== 'string') continue;
            const action = new vscode.CodeAction(
              `Translate ${target.kind} ${target.name} into ${languageName(language)} with the model…`,
              vscode.CodeActionKind.QuickFix,
            );
            action.diagnostics = [diagnostic];
            action.command = { title: action.title, command: 'valueLens.translate', arguments: [doc.uri, target, language] };
            actions.push(action);
          }
          return actions;
        },
      },
      { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] },
    ),
  ];
  if (deps.lenses) disposables.push(deps.lenses.add(generateLensContributor));
  return vscode.Disposable.from(...disposables);
}

/** The block a missing-translation diagnostic is about, from its data (template, id or scale). */
export function missingTarget(data: Record<string, unknown>): TranslateTarget | undefined {
  if (typeof data.template === 'string') return { kind: 'template', name: data.template };
  if (typeof data.id === 'string') return { kind: 'item', name: data.id };
  if (typeof data.scale === 'string') return { kind: 'scale', name: data.scale };
  return undefined;
}

export type { Logger };
