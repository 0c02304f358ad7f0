// Code lenses: provide returns ranges only (from the pure lens model); resolve fills titles and commands from
// the results state. Registered only while `valueLens.codeLens.enabled` is on.
import * as vscode from 'vscode';
import { cachedItemHash as itemHash } from './hashes';
import type { Item, SurveyFile } from '../core/language/ast';
import {
  languageLensTitle,
  lensSpecs,
  paraphrasesLensTitle,
  scoreLensTitle,
  type LensContributor,
  type LensSpec,
} from '../core/language/services';
import type { ParsedDocuments } from './documents';
import type { ResultsState } from './resultsState';
import { SELECTOR, toRange } from './convert';

/** Extension point for extra lenses (e.g. "Generate paraphrases"): specs from the AST, a command on resolve. */
export interface EditorLensContributor {
  specs: LensContributor;
  resolve(spec: LensSpec, uri: vscode.Uri): vscode.Command | undefined;
}

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

/**
 * Extra lens contributors known at build time (engineer H: push a "Generate paraphrases" contributor here, or
 * call `addLensContributor` on the API `activate()` returns).
 */
export const EXTRA_LENS_CONTRIBUTORS: EditorLensContributor[] = [];

export class ValueLensCodeLensProvider implements vscode.CodeLensProvider<SpecLens> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  readonly contributors: EditorLensContributor[] = [...EXTRA_LENS_CONTRIBUTORS];

  constructor(
    private readonly documents: ParsedDocuments,
    private readonly results: ResultsState,
  ) {}

  private pending: ReturnType<typeof setTimeout> | undefined;

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
    return lensSpecs(parsed.file, this.contributors.map((c) => c.specs)).map((spec) => {
      let range = ranges.get(spec.range);
      if (!range) ranges.set(spec.range, (range = toRange(spec.range)));
      return new SpecLens(spec, doc.uri, range);
    });
  }

  resolveCodeLens(lens: SpecLens): SpecLens {
    lens.command = this.command(lens) ?? { title: '', command: '' };
    return lens;
  }

  private command(lens: SpecLens): vscode.Command | undefined {
    const { spec, uri } = lens;
    const uriString = uri.toString();
    if (spec.kind === 'tryOnItem') {
      return { title: '$(beaker) Try on item…', command: 'valueLens.tryTemplateOnItem', arguments: [uri, spec.target, spec.targetKind] };
    }
    if (spec.itemId !== undefined && (spec.kind === 'score' || spec.kind === 'scoreLanguage' || spec.kind === 'paraphrases')) {
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uriString);
      const parsed = doc ? this.documents.get(doc) : undefined;
      const survey = parsed?.file.kind === 'survey' ? (parsed.file as SurveyFile) : undefined;
      const item = survey ? itemIndex(survey).get(spec.itemId) : undefined;
      const order = survey?.header.languages.map((l) => l.value) ?? [];
      const view = this.results.view(uriString, spec.itemId, item ? itemHash(item) : undefined);
      if (spec.kind === 'score') {
        const running = view.running?.has('*');
        return running
          ? { title: scoreLensTitle(view, order), command: 'valueLens.cancelRuns', tooltip: 'Cancel the run' }
          : { title: scoreLensTitle(view, order), command: 'valueLens.scoreItem', arguments: [uri, spec.itemId], tooltip: 'Score in all languages with the active template and model' };
      }
      if (spec.kind === 'scoreLanguage' && spec.language) {
        return { title: languageLensTitle(view, spec.language), command: 'valueLens.scoreItem', arguments: [uri, spec.itemId, [spec.language]], tooltip: `Score in ${spec.language} only` };
      }
      return { title: paraphrasesLensTitle(view, order), command: 'valueLens.scoreParaphrases', arguments: [uri, spec.itemId], tooltip: 'Score with every paraphrase of the active template' };
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

/** Registers the provider while the setting is on; returns the provider (for refresh and contributors). */
export function registerCodeLenses(documents: ParsedDocuments, results: ResultsState): { provider: ValueLensCodeLensProvider; disposable: vscode.Disposable } {
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
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('valueLens.codeLens.enabled') && sync()),
      results.onDidChange(() => provider.refresh()),
      { dispose: () => registration?.dispose() },
    ),
  };
}
