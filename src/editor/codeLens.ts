// Code lenses: provide returns ranges only (from the pure lens model); resolve fills titles and commands from
// the results state. Registered only while `valueLens.codeLens.enabled` is on. Per item three short lenses
// (Score with the means per language, Paraphrases, "⋯" for the rest); per file one lens with the alignment r
// per language, which is a figure of the whole file, not of any item.
//
// Extra lenses (authoring's "Generate paraphrases…") come in one way: `provider.add(contributor)`, which
// returns the Disposable that takes them out again.
import * as vscode from 'vscode';
import { cachedItemHash as itemHash } from './hashes';
import type { Item, SurveyFile } from '../core/language/ast';
import { lensSpecs, type LensContributor, type LensSpec } from '../core/language/services';
import type { ParsedDocuments } from './documents';
import type { ResultsState } from './resultsState';
import { SELECTOR, toRange } from './convert';
import { alignmentLensTitle, MORE_LENS_TITLE, paraphrasesLensTitle, scoreLensTitle, scoreLensTooltip } from './lensTitles';

/** An extra lens kind: specs from the AST, a command on resolve. */
export interface EditorLensContributor {
  specs: LensContributor;
  resolve(spec: LensSpec, uri: vscode.Uri): vscode.Command | undefined;
}

const t = (message: string, ...args: (string | number)[]): string => vscode.l10n.t(message, ...args);

const indexes = new WeakMap<SurveyFile, Map<string, Item>>();

/** Items by id, built once per parse (resolve runs per visible lens). */
function itemIndex(survey: SurveyFile): Map<string, Item> {
  let index = indexes.get(survey);
  if (!index) {
    index = new Map();
    for (const item of survey.items) if (!index.has(item.id)) index.set(item.id, item);
    indexes.set(survey, index);
  }
  return index;
}

class SpecLens extends vscode.CodeLens {
  constructor(
    readonly spec: LensSpec,
    readonly uri: vscode.Uri,
    range: vscode.Range,
  ) {
    super(range);
  }
}

/** The file lens's spec (alignment r per language), on the first line. */
const FILE_LENS: LensSpec = { kind: 'alignment', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } };

export class ValueLensCodeLensProvider implements vscode.CodeLensProvider<SpecLens> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly contributors: EditorLensContributor[] = [];

  constructor(
    private readonly documents: ParsedDocuments,
    private readonly results: ResultsState,
  ) {}

  private pending: ReturnType<typeof setTimeout> | undefined;

  /** Adds a lens kind; dispose the result to take it out again. */
  add(contributor: EditorLensContributor): vscode.Disposable {
    this.contributors.push(contributor);
    this.refresh();
    return new vscode.Disposable(() => {
      const at = this.contributors.indexOf(contributor);
      if (at >= 0) this.contributors.splice(at, 1);
      this.refresh();
    });
  }

  /** Coalesces bursts (one record per request during a run) into one refresh per 100 ms. */
  refresh(): void {
    if (this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      this.changed.fire();
    }, 100);
  }

  provideCodeLenses(doc: vscode.TextDocument, token: vscode.CancellationToken): SpecLens[] {
    const parsed = this.documents.get(doc);
    if (!parsed || token.isCancellationRequested) return [];
    // The lenses of one item share their range object: convert each once.
    const ranges = new Map<LensSpec['range'], vscode.Range>();
    const specs = lensSpecs(
      parsed.file,
      this.contributors.map((c) => c.specs),
    );
    if (parsed.file.kind === 'survey' && parsed.file.items.length > 0) specs.unshift(FILE_LENS);
    return specs.map((spec) => {
      let range = ranges.get(spec.range);
      if (!range) ranges.set(spec.range, (range = toRange(spec.range)));
      return new SpecLens(spec, doc.uri, range);
    });
  }

  resolveCodeLens(lens: SpecLens): SpecLens {
    lens.command = this.command(lens) ?? { title: '', command: '' };
    return lens;
  }

  private survey(uriString: string): SurveyFile | undefined {
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uriString);
    const parsed = doc ? this.documents.survey(doc) : undefined;
    return parsed?.file;
  }

  private command(lens: SpecLens): vscode.Command | undefined {
    const { spec, uri } = lens;
    const uriString = uri.toString();
    if (spec.kind === 'tryOnItem') {
      return {
        title: `$(beaker) ${t('Try on item…')}`,
        command: 'valueLens.tryTemplateOnItem',
        arguments: [uri, spec.target, spec.targetKind],
      };
    }
    if (spec.kind === 'alignment') {
      const survey = this.survey(uriString);
      const order = survey?.header.languages.map((l) => l.value) ?? [];
      const title = alignmentLensTitle(this.results.editorSummary.alignment, order, t);
      // No human data or no analysis yet: no lens rather than an empty one.
      return title
        ? {
            title,
            command: 'valueLens.openPanel',
            tooltip: t(
              "Pearson r between the model's item means and the human reference of each language's first country, over this workspace's current results; click for the panel",
            ),
          }
        : undefined;
    }
    if (spec.itemId !== undefined && (spec.kind === 'score' || spec.kind === 'paraphrases' || spec.kind === 'more')) {
      const survey = this.survey(uriString);
      const item = survey ? itemIndex(survey).get(spec.itemId) : undefined;
      const order = survey?.header.languages.map((l) => l.value) ?? [];
      const view = this.results.view(uriString, spec.itemId, item ? itemHash(item) : undefined);
      if (spec.kind === 'score') {
        const title = scoreLensTitle(view, order, t);
        return view.running?.has('*')
          ? { title, command: 'valueLens.cancelRuns', tooltip: t('Cancel the run') }
          : { title, command: 'valueLens.scoreItem', arguments: [uri, spec.itemId], tooltip: scoreLensTooltip(view, order, t) };
      }
      if (spec.kind === 'paraphrases') {
        return {
          title: paraphrasesLensTitle(view, t),
          command: 'valueLens.scoreParaphrases',
          arguments: [uri, spec.itemId],
          tooltip: t('Score with every paraphrase of the active template (the spread is in the hover)'),
        };
      }
      return {
        title: MORE_LENS_TITLE,
        command: ITEM_ACTIONS_COMMAND,
        arguments: [uri, spec.itemId],
        tooltip: t('More: score one language, check the option order, open the panel'),
      };
    }
    for (const contributor of this.contributors) {
      const command = contributor.resolve(spec, uri);
      if (command) return command;
    }
    return undefined;
  }

  dispose(): void {
    clearTimeout(this.pending);
    this.changed.dispose();
  }
}

export const ITEM_ACTIONS_COMMAND = 'valueLens.itemActions';

interface ActionPick extends vscode.QuickPickItem {
  command: string;
  args: unknown[];
}

/** The "⋯" lens: what the row no longer shows as lenses of its own. */
export async function itemActions(documents: ParsedDocuments, results: ResultsState, uri: vscode.Uri, itemId: string): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(uri);
  const parsed = documents.survey(doc);
  const item = parsed?.file.items.find((i) => i.id === itemId);
  if (!parsed || !item) return;
  const declared = parsed.file.header.languages.map((l) => l.value);
  const languages = declared.length ? declared.filter((l) => item.texts[l]) : Object.keys(item.texts);
  const view = results.view(uri.toString(), itemId, itemHash(item));
  const picks: ActionPick[] = languages.map((language) => {
    const record = view.latest[language];
    const failure = view.failures[language];
    const detail = failure ? t('{0} failed run(s) since the result shown: {1}', failure.count, failure.message) : undefined;
    return {
      label: `$(play) ${t('Score in {0} only', language)}`,
      description: record
        ? `${record.kind === 'result' ? record.mean.toFixed(2) : record.kind === 'stance' ? `pro ${record.proShare.toFixed(2)}` : '✗'}`
        : undefined,
      detail,
      command: 'valueLens.scoreItem',
      args: [uri, itemId, [language]],
    };
  });
  picks.push(
    { label: `$(list-flat) ${t('Score with every paraphrase')}`, command: 'valueLens.scoreParaphrases', args: [uri, itemId] },
    { label: `$(arrow-swap) ${t('Check option order (position bias)')}`, command: 'valueLens.checkOptionOrder', args: [uri, itemId] },
    { label: `$(graph) ${t('Open the alignment panel')}`, command: 'valueLens.openPanel', args: [] },
  );
  if (Object.keys(view.failures).length)
    picks.push({ label: `$(output) ${t('Show the log (failures)')}`, command: 'valueLens.showLog', args: [] });
  const pick = await vscode.window.showQuickPick(picks, { title: t('Value Lens: {0}', itemId) });
  if (pick) await vscode.commands.executeCommand(pick.command, ...pick.args);
}

/** Registers the provider while the setting is on; returns the provider (for refresh and `add`). */
export function registerCodeLenses(
  documents: ParsedDocuments,
  results: ResultsState,
): { provider: ValueLensCodeLensProvider; disposable: vscode.Disposable } {
  const provider = new ValueLensCodeLensProvider(documents, results);
  let registration: vscode.Disposable | undefined;
  const sync = (): void => {
    const enabled = vscode.workspace.getConfiguration('valueLens').get<boolean>('codeLens.enabled', true);
    if (enabled && !registration) registration = vscode.languages.registerCodeLensProvider(SELECTOR, provider);
    if (!enabled && registration) {
      registration.dispose();
      registration = undefined;
    }
  };
  sync();
  return {
    provider,
    disposable: vscode.Disposable.from(
      provider,
      vscode.commands.registerCommand(ITEM_ACTIONS_COMMAND, (uri: unknown, itemId: unknown) =>
        uri instanceof vscode.Uri && typeof itemId === 'string' ? itemActions(documents, results, uri, itemId) : undefined,
      ),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('valueLens.codeLens.enabled') && sync()),
      results.onDidChange(() => provider.refresh()),
      { dispose: () => registration?.dispose() },
    ),
  };
}
