// What the alignment panel and the `r` in lenses are computed from: run records (loaded from the results
// JSONL files, then appended live), the human reference file, and the surveys that were scored.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { AnalysisFilter, AnalysisReport } from '../core/analysis';
import { loadHumanReference, type HumanReference } from '../core/data';
import type { SurveyFile } from '../core/language/ast';
import type { Logger } from '../core/log';
import type { RunRecord } from '../core/results';
import { readRunRecords } from '../core/run/store';
import { analysisItemsFromSurvey, analyze, type AnalysisItem } from '../core/stats/analyze';

export class AnalysisSources {
  private records: RunRecord[] = [];
  private human: HumanReference = { rows: [] };
  private readonly surveys = new Map<string, SurveyFile>();
  humanPath: string | undefined;

  constructor(
    readonly runsDir: string,
    private readonly logger: Logger,
  ) {}

  /** Reads every results file of earlier runs; bad lines are skipped and logged. */
  async loadRuns(): Promise<number> {
    let names: string[] = [];
    try {
      names = (await fs.readdir(this.runsDir)).filter((n) => n.endsWith('.jsonl')).sort();
    } catch {
      return 0;
    }
    const loaded: RunRecord[] = [];
    for (const name of names) {
      const { records, badLines } = await readRunRecords(join(this.runsDir, name));
      if (badLines.length) this.logger.warn(`${name}: skipped ${badLines.length} unreadable line(s)`);
      loaded.push(...records);
    }
    this.records = [...loaded, ...this.records];
    return loaded.length;
  }

  addRecord(record: RunRecord): void {
    this.records.push(record);
  }

  setSurvey(uri: string, survey: SurveyFile): void {
    this.surveys.set(uri, survey);
  }

  /** Where an item is declared (first survey that has it), for "reveal item" from the panel. */
  locate(itemId: string): { uri: string; line: number } | undefined {
    for (const [uri, survey] of this.surveys) {
      const item = survey.items.find((i) => i.id === itemId);
      if (item) return { uri, line: item.idRange.start.line };
    }
    return undefined;
  }

  async loadHuman(path: string): Promise<{ rows: number; problems: number }> {
    const bytes = await fs.readFile(path);
    const { reference, problems } = loadHumanReference({ text: new Uint8Array(bytes), format: 'auto' });
    for (const p of problems.slice(0, 20)) this.logger.warn(`human data line ${p.line}: ${p.message}`);
    this.human = reference;
    this.humanPath = path;
    return { rows: reference.rows.length, problems: problems.length };
  }

  hasHuman(): boolean {
    return this.human.rows.length > 0;
  }

  private items(): AnalysisItem[] {
    const seen = new Set<string>();
    return [...this.surveys.values()].flatMap(analysisItemsFromSurvey).filter((i) => (seen.has(i.id) ? false : (seen.add(i.id), true)));
  }

  report(filter: AnalysisFilter, languageCountries: Record<string, string[]>): AnalysisReport {
    return analyze({ records: this.records, items: this.items(), human: this.human, languageCountries, filter, bootstrap: { iterations: 300, seed: 1 } });
  }

  /**
   * What the editor shows per language for one model, from one analysis: Pearson r vs the language's local
   * (first) country (empty without human data), and the template's self-consistency across paraphrases.
   */
  editorSummary(model: string, template: string, languageCountries: Record<string, string[]>): EditorSummary {
    const summary: EditorSummary = { alignment: {}, consistency: {} };
    const report = this.report({ model }, languageCountries);
    if (this.hasHuman()) {
      for (const row of report.alignment) {
        if (row.model !== model || row.country !== languageCountries[row.language]?.[0]) continue;
        summary.alignment[row.language] = row.pearson?.estimate ?? null;
      }
    }
    // Consistency rows are grouped per template whatever the filter, so the model's report serves here too.
    for (const row of report.consistency) {
      if (row.model === model && row.template === template) summary.consistency[row.language] = row.meanSpearman;
    }
    return summary;
  }
}

export interface EditorSummary {
  alignment: Record<string, number | null>;
  consistency: Record<string, number | null>;
}
