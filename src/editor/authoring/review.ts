// Self-consistency review and option-order check: both run through the editor's Scoring (same plan,
// runner, cache, results file, progress and advice as the Score lenses) and summarise with the pure
// functions of src/core/authoring/review.ts.
import * as vscode from 'vscode';
import { consistencyLines, movingItems, optionOrderLines, optionOrderShifts } from '../../core/authoring/review';
import { itemAt } from '../../core/language/services';
import type { SurveyFile } from '../../core/language/ast';
import type { Logger } from '../../core/log';
import type { RunRecord } from '../../core/results';
import { analysisItemsFromSurvey, analyze } from '../../core/stats/analyze';
import { readRunSettings } from '../config';
import type { ParsedDocuments } from '../documents';
import type { ScoreRequest } from '../scoring';

export interface ReviewDeps {
  documents: ParsedDocuments;
  logger: Logger;
  score(request: ScoreRequest): Promise<RunRecord[] | undefined>;
  findTemplates(name: string): Promise<{ file: import('../../core/language/ast').TemplateFile; name: string } | undefined>;
  openPanel(): void;
  showLog(): void;
}

async function surveyFor(deps: ReviewDeps, uriArg: unknown): Promise<{ uri: vscode.Uri; file: SurveyFile; editor?: vscode.TextEditor } | undefined> {
  const editor = vscode.window.activeTextEditor;
  const uri = uriArg instanceof vscode.Uri ? uriArg : editor?.document.uri;
  const parsed = uri ? deps.documents.survey(await vscode.workspace.openTextDocument(uri)) : undefined;
  if (!uri || !parsed) {
    void vscode.window.showWarningMessage('Value Lens: open a .wvs item file first.');
    return undefined;
  }
  return { uri, file: parsed.file, editor: editor?.document.uri.toString() === uri.toString() ? editor : undefined };
}

export async function reviewConsistencyFlow(deps: ReviewDeps, uriArg?: unknown): Promise<void> {
  const survey = await surveyFor(deps, uriArg);
  if (!survey) return;
  const settings = readRunSettings();
  const templates = await deps.findTemplates(settings.template);
  if (!templates) return;
  const sets = templates.file.paraphraseSets.filter((s) => s.templateName === templates.name);
  const paraphraseLanguages = new Set(sets.flatMap((s) => Object.keys(s.variants).filter((l) => s.variants[l].length > 0)));
  if (paraphraseLanguages.size === 0) {
    const choice = await vscode.window.showWarningMessage(`Value Lens: template ${templates.name} has no paraphrases yet.`, 'Generate Paraphrases');
    if (choice) await vscode.commands.executeCommand('valueLens.generateParaphrases', undefined, templates.name);
    return;
  }
  const declared = survey.file.header.languages.map((l) => l.value);
  const offered = (declared.length ? declared : [...paraphraseLanguages]).map((code) => ({
    label: code,
    description: paraphraseLanguages.has(code) ? `${sets.reduce((n, s) => n + (s.variants[code]?.length ?? 0), 0)} paraphrases` : 'no paraphrases: template only',
    picked: paraphraseLanguages.has(code),
  }));
  const picked = await vscode.window.showQuickPick(offered, { title: `Self-consistency of ${templates.name}: languages`, canPickMany: true });
  // canPickMany answers with an array; accept a single item too (older hosts, test doubles).
  const chosen = picked === undefined ? [] : Array.isArray(picked) ? picked : [picked as (typeof offered)[number]];
  if (chosen.length === 0) return;
  const languages = chosen.map((p) => p.label);

  const records = await deps.score({ uri: survey.uri, paraphrases: 'all', languages, template: templates.name });
  if (!records) return;
  const report = analyze({ records, items: analysisItemsFromSurvey(survey.file), human: { rows: [] }, languageCountries: settings.languageCountries });
  deps.openPanel();
  const lines = consistencyLines(report.consistency, templates.name);
  const moving = movingItems(report.consistency, sets, templates.name);
  deps.logger.info(`self-consistency of ${templates.name}:\n${lines.join('\n')}`);
  for (const m of moving) deps.logger.info(`  ${m.itemId} · ${m.language}: sd ${m.dispersion.toFixed(3)} across paraphrases; moved most by paraphrase ${m.paraphrase === null ? '–' : m.paraphrase + 1}${m.paraphraseText ? `: ${m.paraphraseText}` : ''}`);
  if (moving.length === 0) {
    void vscode.window.showInformationMessage(`Value Lens: no item was scored by two or more paraphrases. ${lines.join(' · ')}`);
    return;
  }
  const pick = await vscode.window.showQuickPick(
    moving.map((m) => ({
      label: `${m.itemId} · ${m.language}`,
      description: `sd ${m.dispersion.toFixed(2)} · ${m.title}`,
      detail: m.paraphrase === null ? 'all paraphrases agree' : `moved most by paraphrase ${m.paraphrase + 1}${m.paraphraseText ? `: ${m.paraphraseText}` : ''}`,
      itemId: m.itemId,
    })),
    { title: `Items that move most across paraphrases of ${templates.name} (${lines.join(' · ')})`, matchOnDetail: true },
  );
  if (!pick) return;
  const item = survey.file.items.find((i) => i.id === pick.itemId);
  if (!item) return;
  const editor = await vscode.window.showTextDocument(survey.uri);
  const position = new vscode.Position(item.idRange.start.line, 0);
  editor.selection = new vscode.Selection(position, position);
  editor.revealRange(new vscode.Range(position, position), vscode.TextEditorRevealType.InCenter);
}

export async function checkOptionOrderFlow(deps: ReviewDeps, uriArg?: unknown, itemArg?: unknown): Promise<void> {
  const survey = await surveyFor(deps, uriArg);
  if (!survey) return;
  const cursor = survey.editor?.selection.active;
  const item =
    (typeof itemArg === 'string' ? survey.file.items.find((i) => i.id === itemArg) : undefined) ??
    (cursor ? itemAt(survey.file, { line: cursor.line, character: cursor.character }) : undefined);
  if (!item) return void vscode.window.showWarningMessage('Value Lens: put the cursor in an item.');
  const original = await deps.score({ uri: survey.uri, itemIds: [item.id], optionOrder: 'original' });
  if (!original) return;
  const reversed = await deps.score({ uri: survey.uri, itemIds: [item.id], optionOrder: 'reversed' });
  if (!reversed) return;
  const shifts = optionOrderShifts([...original, ...reversed]);
  const lines = optionOrderLines(shifts);
  deps.logger.info(`option-order check of ${item.id}:\n${lines.join('\n')}`);
  if (shifts.length === 0) return void vscode.window.showWarningMessage(`Value Lens: no language of ${item.id} got a result in both orders; see the log.`);
  const worst = shifts.reduce((a, b) => (Math.abs(b.shift) > Math.abs(a.shift) ? b : a));
  const summary = shifts.map((s) => `${s.language} ${s.shift >= 0 ? '+' : '−'}${Math.abs(s.shift).toFixed(2)}`).join(', ');
  const choice = await vscode.window.showInformationMessage(
    `Value Lens: position bias of ${item.id} (reversed − original mean score): ${summary}. Largest: ${worst.language} ${worst.shift >= 0 ? '+' : '−'}${Math.abs(worst.shift).toFixed(2)}.`,
    'Show Log',
    'Open Panel',
  );
  if (choice === 'Show Log') deps.showLog();
  if (choice === 'Open Panel') deps.openPanel();
}
