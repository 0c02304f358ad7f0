// Generate paraphrases, translate, and insert from a preview: the VS Code side of src/core/authoring.
// Each flow asks what is missing (language), calls the model under a cancellable progress notification,
// opens the result as a read-only preview document (previews.ts), and inserts the kept entries with a WorkspaceEdit.
import * as vscode from 'vscode';
import { AuthoringError, isCancelled } from '../../core/authoring/errors';
import { generateParaphrases, translateLabels, type AuthoringModel } from '../../core/authoring/generate';
import { planInsertion } from '../../core/authoring/insert';
import { languageName } from '../../core/authoring/languages';
import { buildItemPreview, buildParaphrasePreview, buildTemplatePreview, readPreview } from '../../core/authoring/preview';
import type { AuthoringPrompts } from '../../core/authoring/prompts';
import { sourceLanguage, translateItem, translateParaphraseSet, translateTemplate, type JobHooks } from '../../core/authoring/translate';
import { itemAt } from '../../core/language/services';
import type { Item, SurveyFile, TemplateFile } from '../../core/language/ast';
import type { Logger } from '../../core/log';
import type { ParsedDocuments } from '../documents';
import { toRange } from '../convert';
import { PREVIEW_SCHEME } from './previews';

export interface FlowDeps {
  documents: ParsedDocuments;
  logger: Logger;
  model(): Promise<(AuthoringModel & { by: string }) | undefined>;
  prompts(): Promise<AuthoringPrompts>;
  paraphraseCount(): number;
  /** Where previews open (previews.ts): read-only documents with a readable title. */
  previews: { open(content: string, language: 'wvt' | 'wvs', title: string): Promise<unknown> };
}

/** What to translate: a block of a .wvt or .wvs file. */
export type TranslateTarget = { kind: 'template' | 'paraphrases' | 'item' | 'scale'; name: string };

/** The kind of a block, in the user's language (for messages). */
function kindName(kind: TranslateTarget['kind']): string {
  return {
    template: vscode.l10n.t('template'),
    paraphrases: vscode.l10n.t('paraphrase set'),
    item: vscode.l10n.t('item'),
    scale: vscode.l10n.t('scale'),
  }[kind];
}

async function runWithProgress<T>(title: string, job: (hooks: JobHooks) => Promise<T>): Promise<T | undefined> {
  const controller = new AbortController();
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title, cancellable: true },
    async (progress, token) => {
      const sub = token.onCancellationRequested(() => controller.abort());
      let reported = 0;
      try {
        return await job({
          signal: controller.signal,
          onStep: (done, total, what) => {
            const pct = total > 0 ? Math.floor((done / total) * 100) : 0;
            progress.report({
              message: done < total ? `${what} (${done + 1}/${total})` : vscode.l10n.t('done'),
              increment: pct - reported,
            });
            reported = pct;
          },
        });
      } finally {
        sub.dispose();
      }
    },
  );
}

/** Shows a model failure with a way out; a cancel is only logged. */
export async function reportFailure(error: unknown, logger: Logger): Promise<void> {
  if (isCancelled(error)) {
    logger.info('authoring: cancelled');
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  logger.error(`authoring: ${message}`);
  const status = error instanceof AuthoringError ? error.providerError?.status : undefined;
  const [setKey, selectModel, showLog] = [vscode.l10n.t('Set API Key'), vscode.l10n.t('Select Model'), vscode.l10n.t('Show Log')];
  const actions = status === 401 || status === 403 ? [setKey, showLog] : status === 404 ? [selectModel, showLog] : [showLog];
  const choice = await vscode.window.showErrorMessage(`Value Lens: ${message}`, ...actions);
  if (choice === setKey) await vscode.commands.executeCommand('valueLens.setApiKey');
  if (choice === selectModel) await vscode.commands.executeCommand('valueLens.selectModel');
  if (choice === showLog) await vscode.commands.executeCommand('valueLens.showLog');
}

async function openPreview(deps: FlowDeps, content: string, language: 'wvt' | 'wvs', title: string): Promise<void> {
  await deps.previews.open(content, language, title);
}

async function parsedAt(
  deps: FlowDeps,
  uri: vscode.Uri,
): Promise<{ doc: vscode.TextDocument; file: SurveyFile | TemplateFile } | undefined> {
  const doc = await vscode.workspace.openTextDocument(uri);
  const parsed = deps.documents.get(doc);
  return parsed ? { doc, file: parsed.file } : undefined;
}

async function pickLanguage(title: string, offered: string[], allowOther: boolean): Promise<string | undefined> {
  const unique = [...new Set(offered)];
  if (unique.length === 1 && !allowOther) return unique[0];
  const items: vscode.QuickPickItem[] = unique.map((code) => ({ label: code, description: languageName(code) }));
  if (allowOther) items.push({ label: vscode.l10n.t('Other…'), description: vscode.l10n.t('type an ISO 639-1 code') });
  const pick = await vscode.window.showQuickPick(items, { title });
  if (!pick) return undefined;
  if (pick.label !== 'Other…') return pick.label;
  const code = await vscode.window.showInputBox({
    title,
    prompt: vscode.l10n.t('Language code (ISO 639-1, e.g. de)'),
    validateInput: (v) => (/^[a-z]{2}$/.test(v.trim()) ? undefined : vscode.l10n.t('Two lower-case letters')),
  });
  return code?.trim();
}

// ------------------------------------------------------------------ generate paraphrases

export async function generateParaphrasesFlow(deps: FlowDeps, uriArg?: unknown, templateArg?: unknown): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  const uri = uriArg instanceof vscode.Uri ? uriArg : editor?.document.uri;
  const at = uri && (await parsedAt(deps, uri));
  if (!uri || !at || at.file.kind !== 'templates')
    return void vscode.window.showWarningMessage(vscode.l10n.t('Value Lens: open a .wvt template file and put the cursor in a template.'));
  const file = at.file;
  const line = editor && editor.document.uri.toString() === uri.toString() ? editor.selection.active.line : -1;
  const template =
    (typeof templateArg === 'string' ? file.templates.find((t) => t.name === templateArg) : undefined) ??
    file.templates.find((t) => t.range.start.line <= line && line <= t.range.end.line) ??
    (file.templates.length === 1 ? file.templates[0] : undefined);
  if (!template)
    return void vscode.window.showWarningMessage(vscode.l10n.t('Value Lens: put the cursor in a template (or use the lens above it).'));
  const language = await pickLanguage(vscode.l10n.t('Paraphrase template {0} in…', template.name), Object.keys(template.user), false);
  if (!language) return;
  const original = template.user[language];
  if (!original) return;
  const model = await deps.model();
  if (!model) return;
  const prompts = await deps.prompts();
  const count = deps.paraphraseCount();
  const set =
    file.paraphraseSets.find((s) => s.templateName === template.name && s.variants[language]) ??
    file.paraphraseSets.find((s) => s.templateName === template.name);
  const existing = file.paraphraseSets
    .filter((s) => s.templateName === template.name)
    .flatMap((s) => (s.variants[language] ?? []).map((v) => v.value));
  try {
    const outcome = await runWithProgress(
      vscode.l10n.t('Value Lens: {0} paraphrases of {1} with {2}', count, template.name, model.model),
      async (hooks) => {
        hooks.onStep?.(0, 1, 'asking the model');
        return generateParaphrases(model, prompts.paraphrase, { original: original.value, language, count, existing }, hooks.signal);
      },
    );
    if (!outcome) return;
    deps.logger.info(
      `paraphrases of ${template.name} (${language}) by ${model.by}: ${outcome.accepted.length} kept, ${outcome.rejected.length} rejected`,
    );
    deps.logger.debug(`raw answer:\n${outcome.raw}`);
    await openPreview(
      deps,
      buildParaphrasePreview({
        uri: uri.toString(),
        template,
        set: set?.name ?? template.name,
        language,
        source: language,
        machineTranslated: false,
        kept: outcome.accepted,
        rejected: outcome.rejected,
        by: model.by,
      }),
      'wvt',
      vscode.l10n.t('Paraphrases of {0} ({1})', template.name, language),
    );
    if (outcome.shortfall > 0) {
      void vscode.window.showInformationMessage(
        outcome.accepted.length === 1
          ? vscode.l10n.t(
              'Value Lens: {0} gave 1 usable paraphrase of {1} asked ({2} rejected, reasons in the preview).',
              model.model,
              count,
              outcome.rejected.length,
            )
          : vscode.l10n.t(
              'Value Lens: {0} gave {1} usable paraphrases of {2} asked ({3} rejected, reasons in the preview).',
              model.model,
              outcome.accepted.length,
              count,
              outcome.rejected.length,
            ),
      );
    }
  } catch (error) {
    await reportFailure(error, deps.logger);
  }
}

// ------------------------------------------------------------------ translate

/** The block under the cursor: a template or paraphrase set in .wvt, an item in .wvs. */
function targetAtCursor(file: SurveyFile | TemplateFile, line: number): TranslateTarget | undefined {
  if (file.kind === 'survey') {
    const item = itemAt(file, { line, character: 0 });
    if (item) return { kind: 'item', name: item.id };
    const scale = file.scales.find((s) => s.range.start.line <= line && line <= s.range.end.line);
    return scale ? { kind: 'scale', name: scale.name } : undefined;
  }
  const template = file.templates.find((t) => t.range.start.line <= line && line <= t.range.end.line);
  if (template) return { kind: 'template', name: template.name };
  const set = file.paraphraseSets.find((s) => s.range.start.line <= line && line <= s.range.end.line);
  return set ? { kind: 'paraphrases', name: set.name } : undefined;
}

function declaredLanguages(file: SurveyFile | TemplateFile): string[] {
  if (file.kind === 'survey') return file.header.languages.map((l) => l.value);
  if (file.languages?.length) return file.languages.map((l) => l.value);
  return [...new Set(file.templates.flatMap((t) => Object.keys(t.user)))];
}

export async function translateFlow(deps: FlowDeps, uriArg?: unknown, targetArg?: unknown, languageArg?: unknown): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  const uri = uriArg instanceof vscode.Uri ? uriArg : editor?.document.uri;
  const at = uri && (await parsedAt(deps, uri));
  if (!uri || !at)
    return void vscode.window.showWarningMessage(
      vscode.l10n.t('Value Lens: open a .wvt or .wvs file and put the cursor in a template, paraphrase set or item.'),
    );
  const file = at.file;
  const line = editor && editor.document.uri.toString() === uri.toString() ? editor.selection.active.line : -1;
  const target = isTarget(targetArg) ? targetArg : targetAtCursor(file, line);
  if (!target)
    return void vscode.window.showWarningMessage(
      vscode.l10n.t('Value Lens: put the cursor in a template, paraphrase set or item to translate.'),
    );

  // What exists already, to offer only the languages still missing.
  let present: string[] = [];
  if (file.kind === 'templates' && target.kind === 'template')
    present = Object.keys(file.templates.find((t) => t.name === target.name)?.user ?? {});
  else if (file.kind === 'templates' && target.kind === 'paraphrases')
    present = Object.keys(file.paraphraseSets.find((s) => s.name === target.name)?.variants ?? {});
  else if (file.kind === 'survey' && target.kind === 'item')
    present = Object.keys(file.items.find((i) => i.id === target.name)?.texts ?? {});
  else if (file.kind === 'survey' && target.kind === 'scale')
    present = Object.keys(file.scales.find((s) => s.name === target.name)?.labelLines ?? {});
  const language =
    typeof languageArg === 'string' && /^[a-z]{2}$/.test(languageArg)
      ? languageArg
      : await pickLanguage(
          vscode.l10n.t('Translate {0} {1} into…', kindName(target.kind), target.name),
          declaredLanguages(file).filter((l) => !present.includes(l)),
          true,
        );
  if (!language) return;
  if (present.includes(language) && target.kind !== 'paraphrases')
    return void vscode.window.showInformationMessage(
      vscode.l10n.t("Value Lens: {0} {1} already has '{2}'.", kindName(target.kind), target.name, language),
    );
  const model = await deps.model();
  if (!model) return;
  const prompts = await deps.prompts();
  const title = vscode.l10n.t(
    'Value Lens: translating {0} {1} into {2} with {3}',
    kindName(target.kind),
    target.name,
    languageName(language),
    model.model,
  );
  try {
    if (file.kind === 'templates' && target.kind === 'template') {
      const template = file.templates.find((t) => t.name === target.name);
      const source = template && sourceLanguage(template.user);
      if (!template || !source)
        return void vscode.window.showWarningMessage(vscode.l10n.t('Value Lens: template {0} has no text to translate.', target.name));
      const translation = await runWithProgress(title, (hooks) =>
        translateTemplate(model, prompts.translate, template, source, language, hooks),
      );
      if (translation)
        await openPreview(
          deps,
          buildTemplatePreview({ uri: uri.toString(), template, language, source, translation, by: model.by }),
          'wvt',
          vscode.l10n.t('Template {0} in {1}', template.name, language),
        );
    } else if (file.kind === 'templates' && target.kind === 'paraphrases') {
      const set = file.paraphraseSets.find((s) => s.name === target.name);
      const template = set && file.templates.find((t) => t.name === set.templateName);
      const source = set && sourceLanguage(Object.fromEntries(Object.entries(set.variants).filter(([, v]) => v.length > 0)));
      if (!set || !template || !source)
        return void vscode.window.showWarningMessage(
          vscode.l10n.t('Value Lens: paraphrase set {0} has no template or no entries to translate.', target.name),
        );
      const outcomes = await runWithProgress(title, (hooks) =>
        translateParaphraseSet(model, prompts.translate, set, source, language, hooks),
      );
      if (outcomes) {
        const preview = buildParaphrasePreview({
          uri: uri.toString(),
          template,
          set: set.name,
          language,
          source,
          machineTranslated: true,
          kept: outcomes.filter((o) => o.ok),
          rejected: outcomes.filter((o) => !o.ok),
          by: model.by,
        });
        await openPreview(deps, preview, 'wvt', vscode.l10n.t('Paraphrases {0} in {1}', set.name, language));
      }
    } else if (file.kind === 'survey' && (target.kind === 'item' || target.kind === 'scale')) {
      const item: Item | undefined =
        target.kind === 'item' ? file.items.find((i) => i.id === target.name) : file.items.find((i) => i.scale?.name === target.name);
      if (!item)
        return void vscode.window.showWarningMessage(
          target.kind === 'scale'
            ? vscode.l10n.t('Value Lens: no item uses scale {0}.', target.name)
            : vscode.l10n.t('Value Lens: no item {0}.', target.name),
        );
      const source = sourceLanguage(item.texts) ?? 'en';
      const translation = await runWithProgress(title, async (hooks) => {
        if (target.kind === 'item') return translateItem(model, prompts.translate, item, source, language, hooks);
        // A scale on its own: only its labels.
        const scale = item.scale!;
        const labelSource = sourceLanguage(scale.labelLines) ?? source;
        hooks.onStep?.(0, 1, `labels of scale ${scale.name}`);
        return {
          labels: await translateLabels(
            model,
            prompts.translate,
            scale.labelLines[labelSource]?.labels ?? [],
            labelSource,
            language,
            hooks.signal,
          ),
        };
      });
      if (translation)
        await openPreview(
          deps,
          buildItemPreview({ uri: uri.toString(), item, language, source, translation, by: model.by }),
          'wvs',
          vscode.l10n.t('{0} {1} in {2}', target.kind === 'item' ? vscode.l10n.t('Item') : vscode.l10n.t('Scale'), target.name, language),
        );
    } else {
      void vscode.window.showWarningMessage(
        vscode.l10n.t('Value Lens: cannot translate {0} {1} in this file.', kindName(target.kind), target.name),
      );
    }
  } catch (error) {
    await reportFailure(error, deps.logger);
  }
}

function isTarget(value: unknown): value is TranslateTarget {
  const v = value as TranslateTarget | undefined;
  return !!v && typeof v === 'object' && typeof v.name === 'string' && ['template', 'paraphrases', 'item', 'scale'].includes(v.kind);
}

// ------------------------------------------------------------------ insert from the preview

export async function insertPreviewFlow(deps: FlowDeps, uriArg?: unknown): Promise<boolean> {
  const doc = uriArg instanceof vscode.Uri ? await vscode.workspace.openTextDocument(uriArg) : vscode.window.activeTextEditor?.document;
  if (!doc) return false;
  const read = readPreview(doc.getText());
  if ('error' in read) {
    void vscode.window.showWarningMessage(`Value Lens: ${read.error}`);
    return false;
  }
  if (read.errors.length) {
    void vscode.window.showErrorMessage(
      vscode.l10n.t('Value Lens: the preview has errors; fix them first ({0}).', read.errors.slice(0, 3).join('; ')),
    );
    return false;
  }
  // A read-only preview cannot be edited: which paraphrases to keep is asked here instead.
  let content = read.content;
  if (content.kind === 'paraphrases' && content.texts.length > 1 && doc.uri.scheme === PREVIEW_SCHEME) {
    const offered = content.texts.map((text) => ({ label: text, picked: true }));
    const picked = await vscode.window.showQuickPick(offered, { title: vscode.l10n.t('Paraphrases to insert'), canPickMany: true });
    // canPickMany answers with an array; accept a single item too (test doubles).
    const chosen = picked === undefined ? [] : Array.isArray(picked) ? picked : [picked as (typeof offered)[number]];
    if (chosen.length === 0) return false;
    content = { ...content, texts: content.texts.filter((t) => chosen.some((c) => c.label === t)) };
  }
  const targetUri = vscode.Uri.parse(read.meta.uri);
  let target: vscode.TextDocument;
  try {
    target = await vscode.workspace.openTextDocument(targetUri);
  } catch {
    void vscode.window.showErrorMessage(vscode.l10n.t('Value Lens: cannot open {0}, where this preview belongs.', read.meta.uri));
    return false;
  }
  const parsed = deps.documents.get(target);
  if (!parsed) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Value Lens: {0} is not a .wvt/.wvs file.', read.meta.uri));
    return false;
  }
  const plan = planInsertion(parsed.text, parsed.file, read.meta, content);
  const skippedText = plan.skipped.length
    ? ` ${vscode.l10n.t('Skipped {0}: {1}.', plan.skipped.length, plan.skipped.map((s) => `"${s.text.slice(0, 40)}" (${s.reason})`).join(', '))}`
    : '';
  if (!plan.ok) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Value Lens: nothing inserted. {0}{1}', plan.error, skippedText));
    return false;
  }
  const edit = new vscode.WorkspaceEdit();
  for (const insertion of plan.insertions)
    edit.insert(targetUri, new vscode.Position(insertion.position.line, insertion.position.character), insertion.text);
  if (!(await vscode.workspace.applyEdit(edit))) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Value Lens: the edit could not be applied (was the file changed meanwhile?).'));
    return false;
  }
  deps.logger.info(`authoring: inserted ${plan.summary} into ${read.meta.uri}`);
  const shown = await vscode.window.showTextDocument(target, { preview: false, viewColumn: vscode.ViewColumn.One });
  const first = plan.insertions[0].position;
  shown.revealRange(toRange({ start: first, end: first }), vscode.TextEditorRevealType.InCenter);
  void vscode.window.showInformationMessage(vscode.l10n.t('Value Lens: inserted {0}.{1}', plan.summary, skippedText));
  return true;
}
