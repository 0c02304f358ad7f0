// Per item × prompt language aggregates of selected units: what the editor's item lenses show of a study
// (src/editor/studyResults.ts). Small, so that the analysis worker can hand them back instead of the units.
import type { ResponseUnit } from '../corpus/types';

export interface ItemLanguageGroup {
  itemId: string;
  language: string;
  /** Σ and count of the units' finite means. */
  sum: number;
  n: number;
  units: number;
  countries: string[];
  models: string[];
}

export function itemLanguageGroups(units: readonly ResponseUnit[]): ItemLanguageGroup[] {
  const groups = new Map<string, { g: ItemLanguageGroup; countries: Set<string>; models: Set<string> }>();
  for (const u of units) {
    const key = `${u.itemId}\u0000${u.language}`;
    let e = groups.get(key);
    if (!e)
      groups.set(
        key,
        (e = {
          g: { itemId: u.itemId, language: u.language, sum: 0, n: 0, units: 0, countries: [], models: [] },
          countries: new Set(),
          models: new Set(),
        }),
      );
    e.g.units++;
    if (u.mean !== undefined && Number.isFinite(u.mean)) {
      e.g.sum += u.mean;
      e.g.n++;
    }
    if (u.country) e.countries.add(u.country);
    e.models.add(u.modelId);
  }
  return [...groups.values()].map(({ g, countries, models }) => ({ ...g, countries: [...countries].sort(), models: [...models].sort() }));
}
