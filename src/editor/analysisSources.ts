// What the alignment panel and the `r` in lenses are computed from: run records (read from the corpora in
// the workspace — workspaceCorpora.ts — then appended live), the human reference file, and the workspace's
// surveys. A record counts only when its item id AND item hash match an item of a workspace survey: a
// record of a changed item is stale and left out of the analysis, and records of items this workspace does
// not have are never shown.
import { promises as fs } from 'node:fs';
import type { AnalysisFilter, AnalysisReport } from '../core/analysis';
import { loadHumanReference, type HumanReference } from '../core/data';
import type { SurveyFile } from '../core/language/ast';
import type { Logger } from '../core/log';
import type { RunRecord } from '../core/results';
import { deletedRunIds } from '../core/corpus/deleted';
import { corpusRecords } from '../core/corpus/reader';
import { analysisItemsFromSurvey, analyze, type AnalysisItem } from '../core/stats/analyze';
import { cachedItemHash } from './hashes';

export class AnalysisSources {
  private records: RunRecord[] = [];
  private human: HumanReference = { rows: [] };
  private readonly surveys = new Map<string, SurveyFile>();
  humanPath: string | undefined;

  /** Records added live while a load was reading (kept when the load replaces the list). */
  private live: RunRecord[] | undefined;
  private readonly listeners = new Set<() => void>();

  /** Records, surveys or human data changed: what is derived from them (the editor summary) is out of date. */
  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }

  constructor(
    /** The global-storage runs folder of earlier versions: read only by the migration (migration.ts). */
    readonly legacyRunsDir: string,
    private readonly logger: Logger,
  ) {}

  /** Replaces the records with those of these corpus folders (the workspace's); bad lines are counted and logged. */
  async loadCorpora(dirs: readonly string[]): Promise<number> {
    const loaded: RunRecord[] = [];
    this.live = [];
    try {
      for (const dir of dirs) {
        const reader = corpusRecords(dir);
        // Runs deleted in the results view stay in records.jsonl (append-only) and are left out here.
        const deleted = await deletedRunIds(dir);
        try {
          for await (const batch of reader.batches()) for (const r of batch) if (!deleted.has(r.runId)) loaded.push(r);
        } catch (error) {
          this.logger.warn(`${dir}: cannot read results: ${error instanceof Error ? error.message : String(error)}`);
        }
        if (reader.report.badLineCount) this.logger.warn(`${dir}: skipped ${reader.report.badLineCount} unreadable line(s)`);
      }
      const seen = new Set(loaded);
      this.records = [...loaded, ...this.live.filter((r) => !seen.has(r))];
    } finally {
      this.live = undefined;
    }
    this.changed();
    return loaded.length;
  }

  /** How many records are held (all, before the id-and-hash match). */
  get recordCount(): number {
    return this.records.length;
  }

  addRecord(record: RunRecord): void {
    this.records.push(record);
    this.live?.push(record);
    this.changed();
  }

  /** Item id → hashes of the items as the workspace's surveys have them now. */
  private currentHashes(): Map<string, Set<string>> {
    const hashes = new Map<string, Set<string>>();
    for (const survey of this.surveys.values()) {
      for (const item of survey.items) {
        let set = hashes.get(item.id);
        if (!set) hashes.set(item.id, (set = new Set()));
        set.add(cachedItemHash(item));
      }
    }
    return hashes;
  }

  /** The records an analysis may use: the item exists in the workspace with the record's hash. */
  currentRecords(): { records: RunRecord[]; stale: number; unknown: number } {
    const hashes = this.currentHashes();
    const records: RunRecord[] = [];
    let stale = 0;
    let unknown = 0;
    for (const r of this.records) {
      const known = hashes.get(r.itemId);
      if (!known) unknown++;
      else if (!known.has(r.itemHash)) stale++;
      else records.push(r);
    }
    return { records, stale, unknown };
  }

  setSurvey(uri: string, survey: SurveyFile): void {
    if (this.surveys.get(uri) === survey) return;
    this.surveys.set(uri, survey);
    this.changed();
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
    this.changed();
    return { rows: reference.rows.length, problems: problems.length };
  }

  /** Unloads the human data (the file is gone, or the setting names none). */
  clearHuman(): void {
    if (!this.humanPath && this.human.rows.length === 0) return;
    this.human = { rows: [] };
    this.humanPath = undefined;
    this.changed();
  }

  humanReference(): HumanReference {
    return this.human;
  }

  hasHuman(): boolean {
    return this.human.rows.length > 0;
  }

  private items(): AnalysisItem[] {
    const seen = new Set<string>();
    return [...this.surveys.values()].flatMap(analysisItemsFromSurvey).filter((i) => (seen.has(i.id) ? false : (seen.add(i.id), true)));
  }

  report(filter: AnalysisFilter, languageCountries: Record<string, string[]>): AnalysisReport {
    return analyze({
      records: this.currentRecords().records,
      items: this.items(),
      human: this.human,
      languageCountries,
      filter,
      bootstrap: { iterations: 300, seed: 1 },
    });
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
