// Two lens providers for studies: "▶ Run Study · Plan only · Open Results" at the top of a `*.study.json`
// file, and on each item of a .wvs file one lens per study that has results for it (StudyResultsIndex).
import * as vscode from 'vscode';
import type { SurveyFile } from '../core/language/ast';
import type { ParsedDocuments } from './documents';
import { cachedItemHash } from './hashes';
import { STUDY_SELECTOR } from './studyCommands';
import { studyLensTitle, type ItemStudySummary, type StudyResultsIndex } from './studyResults';

/** The same switch as the item lenses (`valueLens.codeLens.enabled`). */
const enabled = (): boolean => vscode.workspace.getConfiguration('valueLens').get<boolean>('codeLens.enabled', true) !== false;

/** "$(beaker) kim-baek-2024: en 5.20 +3": the study, its first language's mean, how many more languages. */
export function shortStudyLensTitle(summary: ItemStudySummary, currentHash: string | undefined): string {
  const [first, ...rest] = summary.languages;
  const value = first
    ? ` ${first.language} ${first.mean === null ? '—' : first.mean.toFixed(2)}${rest.length ? ` +${rest.length}` : ''}`
    : '';
  const stale = currentHash !== undefined && currentHash !== summary.itemHash ? ' $(warning)' : '';
  return `$(beaker) ${summary.study}:${value}${stale}`;
}

export class StudyFileLensProvider implements vscode.CodeLensProvider {
  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    if (!enabled()) return [];
    const top = new vscode.Range(0, 0, 0, 0);
    const lens = (title: string, command: string, tooltip: string): vscode.CodeLens => {
      const l = new vscode.CodeLens(top);
      l.command = { title, command, arguments: [doc.uri], tooltip };
      return l;
    };
    return [
      lens(vscode.l10n.t('▶ Run Study'), 'valueLens.runStudy', vscode.l10n.t('Score the study into its results folder, then analyse it')),
      lens(vscode.l10n.t('Plan only'), 'valueLens.planStudy', vscode.l10n.t('The plan size (requests, tokens, cached) without running')),
      lens(vscode.l10n.t('Open Results'), 'valueLens.openStudyResults', vscode.l10n.t('Analyse the study results folder in the panel')),
    ];
  }
}

export class StudyItemLensProvider implements vscode.CodeLensProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(
    private readonly documents: ParsedDocuments,
    private readonly index: StudyResultsIndex,
  ) {}

  refresh(): void {
    this.changed.fire();
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const parsed = enabled() ? this.documents.get(doc) : undefined;
    if (parsed?.file.kind !== 'survey') return [];
    const survey = parsed.file as SurveyFile;
    const out: vscode.CodeLens[] = [];
    for (const item of survey.items) {
      for (const summary of this.index.summaries(doc.uri.fsPath, item.id)) {
        const lens = new vscode.CodeLens(new vscode.Range(item.range.start.line, 0, item.range.start.line, 0));
        // Short on the row (issue 19: the row overflowed); every language with its spans is in the tooltip.
        lens.command = {
          title: shortStudyLensTitle(summary, cachedItemHash(item)),
          command: 'valueLens.openStudyResults',
          arguments: [vscode.Uri.file(summary.studyPath)],
          tooltip: vscode.l10n.t(
            "{0}\nLatest results of the study for {1} (mean expected score per prompt language); click to open the study's analysis",
            studyLensTitle(summary, cachedItemHash(item)).replace(/^\$\(beaker\) /, ''),
            item.id,
          ),
        };
        out.push(lens);
      }
    }
    return out;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

export function registerStudyLenses(documents: ParsedDocuments, index: StudyResultsIndex): vscode.Disposable {
  const items = new StudyItemLensProvider(documents, index);
  return vscode.Disposable.from(
    items,
    vscode.languages.registerCodeLensProvider(STUDY_SELECTOR, new StudyFileLensProvider()),
    vscode.languages.registerCodeLensProvider({ language: 'wvs' }, items),
    index.onDidChange(() => items.refresh()),
  );
}
