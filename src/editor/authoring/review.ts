// Self-consistency review and option-order check: both run through the editor's Scoring (same plan,
// runner, cache, results file, progress and advice as the Score lenses) and summarise with the pure
// functions of src/core/authoring/review.ts.
import * as vscode from 'vscode';
import { consistencyLines, movingItems, optionOrderLines, optionOrderShifts } from '../../core/authoring/review';
import type { OrderAveragedRow, PositionBiasRow } from '../../core/study/analysisTypes';
import type { OptionOrderSpec } from '../../core/study/types';
import { orderCheckFigures } from '../orderCheck';
import { itemAt } from '../../core/language/services';
import type { SurveyFile, TemplateFile } from '../../core/language/ast';
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
  findTemplates(name: string): Promise<{ file: TemplateFile; name: string; uri: vscode.Uri } | undefined>;
  openPanel(): void;
  showLog(): void;
}

async function surveyFor(
  deps: ReviewDeps,
  uriArg: unknown,
): Promise<{ uri: vscode.Uri; file: SurveyFile; editor?: vscode.TextEditor } | undefined> {
  const editor = vscode.window.activeTextEditor;
  const uri = uriArg instanceof vscode.Uri ? uriArg : editor?.document.uri;
  const parsed = uri ? deps.documents.survey(await vscode.workspace.openTextDocument(uri)) : undefined;
  if (!uri || !parsed) {
    void vscode.window.showWarningMessage(vscode.l10n.t('Value Lens: open a .wvs item file first.'));
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
    // The paraphrases belong to the template's .wvt file, not to the .wvs this was started from.
    const choice = await vscode.window.showWarningMessage(
      vscode.l10n.t('Value Lens: template {0} has no paraphrases yet.', templates.name),
      vscode.l10n.t('Generate Paraphrases'),
    );
    if (choice) await vscode.commands.executeCommand('valueLens.generateParaphrases', templates.uri, templates.name);
    return;
  }
  const declared = survey.file.header.languages.map((l) => l.value);
  const offered = (declared.length ? declared : [...paraphraseLanguages]).map((code) => ({
    label: code,
    description: paraphraseLanguages.has(code)
      ? vscode.l10n.t(
          '{0} paraphrases',
          sets.reduce((n, s) => n + (s.variants[code]?.length ?? 0), 0),
        )
      : vscode.l10n.t('no paraphrases: template only'),
    picked: paraphraseLanguages.has(code),
  }));
  const picked = await vscode.window.showQuickPick(offered, {
    title: vscode.l10n.t('Self-consistency of {0}: languages', templates.name),
    canPickMany: true,
  });
  // canPickMany answers with an array; accept a single item too (older hosts, test doubles).
  const chosen = picked === undefined ? [] : Array.isArray(picked) ? picked : [picked as (typeof offered)[number]];
  if (chosen.length === 0) return;
  const languages = chosen.map((p) => p.label);

  const records = await deps.score({ uri: survey.uri, paraphrases: 'all', languages, template: templates.name });
  if (!records) return;
  const report = analyze({
    records,
    items: analysisItemsFromSurvey(survey.file),
    human: { rows: [] },
    languageCountries: settings.languageCountries,
  });
  deps.openPanel();
  const lines = consistencyLines(report.consistency, templates.name);
  const moving = movingItems(report.consistency, sets, templates.name);
  deps.logger.info(`self-consistency of ${templates.name}:\n${lines.join('\n')}`);
  for (const m of moving)
    deps.logger.info(
      `  ${m.itemId} · ${m.language}: sd ${m.dispersion.toFixed(3)} across paraphrases; moved most by paraphrase ${m.paraphrase === null ? '–' : m.paraphrase + 1}${m.paraphraseText ? `: ${m.paraphraseText}` : ''}`,
    );
  if (moving.length === 0) {
    void vscode.window.showInformationMessage(
      vscode.l10n.t('Value Lens: no item was scored by two or more paraphrases. {0}', lines.join(' · ')),
    );
    return;
  }
  const pick = await vscode.window.showQuickPick(
    moving.map((m) => ({
      label: `${m.itemId} · ${m.language}`,
      description: `sd ${m.dispersion.toFixed(2)} · ${m.title}`,
      detail:
        m.paraphrase === null
          ? vscode.l10n.t('all paraphrases agree')
          : vscode.l10n.t('moved most by paraphrase {0}', m.paraphrase + 1) + (m.paraphraseText ? `: ${m.paraphraseText}` : ''),
      itemId: m.itemId,
    })),
    {
      title: vscode.l10n.t('Items that move most across paraphrases of {0} ({1})', templates.name, lines.join(' · ')),
      matchOnDetail: true,
    },
  );
  if (!pick) return;
  const item = survey.file.items.find((i) => i.id === pick.itemId);
  if (!item) return;
  const editor = await vscode.window.showTextDocument(survey.uri);
  const position = new vscode.Position(item.idRange.start.line, 0);
  editor.selection = new vscode.Selection(position, position);
  editor.revealRange(new vscode.Range(position, position), vscode.TextEditorRevealType.InCenter);
}

/** "en 0.12 · da 0.05": one figure per language, in the survey's language order. */
function perLanguage(rows: { language: string }[], value: (row: never) => string, order: readonly string[]): string {
  const sorted = [...rows].sort((a, b) => order.indexOf(a.language) - order.indexOf(b.language));
  return sorted.map((r) => `${r.language} ${value(r as never)}`).join(' · ');
}

/**
 * The option-order check: the item in the original order and the chosen further orders (reversed, cyclic
 * shifts, seeded permutations, as `value-lens run --orders`) as ONE run of the implicit study
 * (written to its corpus like any run; records carry `order`), then the study's figures labelled: position
 * bias per model × language (total variation of the position shares from uniform) and the order-averaged
 * mean. The inline results stay the original order's (ResultsState shows no other order).
 */
function isOrderList(value: unknown): value is OptionOrderSpec[] {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every(
      (v) =>
        v === 'original' ||
        v === 'reversed' ||
        v === 'cyclic' ||
        (typeof v === 'object' && v !== null && typeof (v as { permutations?: unknown }).permutations === 'number'),
    )
  );
}

/** Which orders beside the original (as `value-lens run --orders`): reversed, cyclic shifts, seeded permutations. */
async function pickOrders(k: number): Promise<OptionOrderSpec[] | undefined> {
  const options: (vscode.QuickPickItem & { orders: OptionOrderSpec[] })[] = [
    { label: vscode.l10n.t('Reversed'), description: vscode.l10n.t('2 orders'), orders: ['original', 'reversed'] },
    {
      label: vscode.l10n.t('Reversed and cyclic shifts'),
      description: vscode.l10n.t('{0} orders', Math.max(2, k + 1)),
      orders: ['original', 'reversed', 'cyclic'],
    },
    {
      label: vscode.l10n.t('Reversed, cyclic shifts and 3 seeded random orders'),
      description: vscode.l10n.t('up to {0} orders', Math.max(2, k + 4)),
      orders: ['original', 'reversed', 'cyclic', { permutations: 3, seed: 0 }],
    },
  ];
  const pick = await vscode.window.showQuickPick(options, {
    title: vscode.l10n.t('Option orders to score beside the original (one run, written to the corpus)'),
  });
  return pick?.orders;
}

export async function checkOptionOrderFlow(deps: ReviewDeps, uriArg?: unknown, itemArg?: unknown, ordersArg?: unknown): Promise<void> {
  const survey = await surveyFor(deps, uriArg);
  if (!survey) return;
  const cursor = survey.editor?.selection.active;
  const item =
    (typeof itemArg === 'string' ? survey.file.items.find((i) => i.id === itemArg) : undefined) ??
    (cursor ? itemAt(survey.file, { line: cursor.line, character: cursor.character }) : undefined);
  if (!item) return void vscode.window.showWarningMessage(vscode.l10n.t('Value Lens: put the cursor in an item.'));
  const orders = isOrderList(ordersArg) ? ordersArg : await pickOrders(item.scale?.options.length ?? 0);
  if (!orders) return;
  const records = await deps.score({ uri: survey.uri, itemIds: [item.id], orders });
  if (!records) return;
  const { bias, averaged } = orderCheckFigures(records);
  const orderNames = [...new Set(records.map((r) => r.order ?? 'original'))];
  const order = survey.file.header.languages.map((l) => l.value);
  const shifts = optionOrderShifts(records);
  deps.logger.info(`option-order check of ${item.id} (orders ${orderNames.join(', ')}; one run in the corpus):`);
  for (const row of bias) {
    deps.logger.info(
      `  ${row.model} · ${row.language}: position shares ${row.positions.map((p) => `${p.position}:${p.share.estimate.toFixed(3)}`).join(' ')} (uniform ${row.uniform.toFixed(3)}), total variation ${row.totalVariation.estimate.toFixed(3)}`,
    );
  }
  for (const row of averaged)
    deps.logger.info(
      `  ${row.model} · ${row.language}: order-averaged mean ${row.mean === null ? 'n/a' : row.mean.toFixed(2)} over ${row.orders.join(', ')}`,
    );
  for (const line of optionOrderLines(shifts)) deps.logger.info(`  ${line}`);
  if (bias.length === 0)
    return void vscode.window.showWarningMessage(
      vscode.l10n.t('Value Lens: no language of {0} got a result in both orders; see the log.', item.id),
    );
  const models = [...new Set(bias.map((r) => r.model))].join(', ');
  const tv = perLanguage(bias, (r: PositionBiasRow) => r.totalVariation.estimate.toFixed(2), order);
  const means = perLanguage(averaged, (r: OrderAveragedRow) => (r.mean === null ? '–' : r.mean.toFixed(2)), order);
  const choice = await vscode.window.showInformationMessage(
    vscode.l10n.t(
      'Value Lens: option order of {0} ({1}; orders {2}). Position bias (total variation from uniform, 0 = none): {3}. Order-averaged mean: {4}. The inline results stay the original order; this run is in the corpus.',
      item.id,
      models,
      orderNames.join(', '),
      tv,
      means,
    ),
    vscode.l10n.t('Show Log'),
    vscode.l10n.t('Open Panel'),
  );
  if (choice === vscode.l10n.t('Show Log')) deps.showLog();
  if (choice === vscode.l10n.t('Open Panel')) deps.openPanel();
}
