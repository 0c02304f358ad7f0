// What the item lenses show of a study: per item and prompt language, the mean expected score over the
// study's selected units (latest run per condition, stale records excluded — corpus/select.ts) and how many
// country cues and models it spans. Pure: built from a Selection, no vscode.
import type { ResponseUnit } from '../core/corpus/types';
import type { FirstTokenTextRow } from '../core/study/analysisTypes';
import type { ReadyStudy } from '../core/study/types';
import { itemHash } from '../core/language/index';
import { itemLanguageGroups, type ItemLanguageGroup } from '../core/study/itemSummary';

export interface LanguageSummary {
  language: string;
  /** Mean of the units' expected scores (units without a mean are not in it). */
  mean: number | null;
  units: number;
  countries: number;
  models: number;
}

export interface ItemStudySummary {
  study: string;
  /** The study file, for "Open Results". */
  studyPath: string;
  /** The item's hash when the analysis ran: an edit since makes the summary stale. */
  itemHash: string;
  languages: LanguageSummary[];
}

/** items file path → item id → summaries, one per study that has results for the item. */
export class StudyResultsIndex {
  private readonly byFile = new Map<string, Map<string, ItemStudySummary[]>>();
  private readonly listeners = new Set<() => void>();

  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** items file path → study path → the first-token-vs-text rows of the study's latest analysis. */
  private readonly checks = new Map<string, Map<string, readonly FirstTokenTextRow[]>>();

  /** Replaces what is known of one study (its units after selection, and its first-token check when run). */
  setStudy(
    loaded: ReadyStudy,
    units: readonly ResponseUnit[] | { groups: readonly ItemLanguageGroup[] },
    firstToken?: readonly FirstTokenTextRow[],
  ): void {
    const { study } = loaded;
    for (const byStudy of this.checks.values()) byStudy.delete(study.path);
    if (firstToken?.length) {
      for (const { path } of loaded.surveys) {
        let byStudy = this.checks.get(path);
        if (!byStudy) this.checks.set(path, (byStudy = new Map()));
        byStudy.set(study.path, firstToken);
      }
    }
    for (const items of this.byFile.values())
      for (const [id, list] of items)
        items.set(
          id,
          list.filter((s) => s.studyPath !== study.path),
        );
    // The analysis worker sends the item × language aggregates instead of the units.
    const list = 'groups' in units ? units.groups : itemLanguageGroups(units);
    const groups = new Map(
      list.map((g) => [
        `${g.itemId}\u0000${g.language}`,
        { sum: g.sum, n: g.n, units: g.units, countries: new Set(g.countries), models: new Set(g.models) },
      ]),
    );
    for (const { path, file } of loaded.surveys) {
      let items = this.byFile.get(path);
      if (!items) this.byFile.set(path, (items = new Map()));
      for (const item of file.items) {
        const languages: LanguageSummary[] = [];
        for (const language of new Set([...study.languages, ...Object.keys(item.texts)])) {
          const g = groups.get(`${item.id}\u0000${language}`);
          if (g)
            languages.push({
              language,
              mean: g.n ? g.sum / g.n : null,
              units: g.units,
              countries: g.countries.size,
              models: g.models.size,
            });
        }
        if (!languages.length) continue;
        const list = items.get(item.id) ?? [];
        list.push({ study: study.name, studyPath: study.path, itemHash: itemHash(item), languages });
        items.set(item.id, list);
      }
    }
    for (const l of this.listeners) l();
  }

  /** The first-token-vs-text rows of every study over this items file (for the item hover's flag). */
  firstTokenRows(itemsPath: string): FirstTokenTextRow[] {
    return [...(this.checks.get(itemsPath)?.values() ?? [])].flat();
  }

  summaries(itemsPath: string, itemId: string): ItemStudySummary[] {
    return this.byFile.get(itemsPath)?.get(itemId) ?? [];
  }
}

/** "kim-baek-2024: en 5.20 (24 countries · 5 models)", with a stale mark when the item changed since. */
export function studyLensTitle(summary: ItemStudySummary, currentHash: string | undefined): string {
  const parts = summary.languages.map((l) => {
    const spans = [
      l.countries > 1 ? `${l.countries} countries` : l.countries === 1 ? '1 country' : '',
      l.models > 1 ? `${l.models} models` : '',
    ].filter(Boolean);
    return `${l.language} ${l.mean === null ? '—' : l.mean.toFixed(2)}${spans.length ? ` (${spans.join(' · ')})` : ''}`;
  });
  const stale = currentHash !== undefined && currentHash !== summary.itemHash ? ' $(warning) stale: item changed since' : '';
  return `$(beaker) ${summary.study}: ${parts.join(', ')}${stale}`;
}
