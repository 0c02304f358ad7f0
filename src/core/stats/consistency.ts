// Self-consistency (second seed): how stable a model's item scores are when only the template wording
// changes. Paraphrase p gives a vector of item scores; consistency is the mean Spearman ρ over all pairs
// of paraphrases (on the items both scored). The seed also divides by (1 − 0.045) to correct for judge
// noise; Value Lens reads probabilities directly, has no judge, and so does not apply that factor.
import { spearman } from './correlation';

/** paraphrase index → (item id → score). */
export type ParaphraseScores = Map<number, Map<string, number>>;

export function meanPairwiseSpearman(scores: ParaphraseScores): { meanSpearman: number | null; pairs: number } {
  const keys = [...scores.keys()].sort((a, b) => a - b);
  let sum = 0;
  let pairs = 0;
  for (let i = 0; i < keys.length; i++) {
    for (let j = i + 1; j < keys.length; j++) {
      const a = scores.get(keys[i]) as Map<string, number>;
      const b = scores.get(keys[j]) as Map<string, number>;
      const x: number[] = [];
      const y: number[] = [];
      for (const [item, v] of a) {
        const w = b.get(item);
        if (w !== undefined) {
          x.push(v);
          y.push(w);
        }
      }
      const rho = x.length >= 3 ? spearman(x, y) : null;
      if (rho) {
        sum += rho.estimate;
        pairs++;
      }
    }
  }
  return { meanSpearman: pairs ? sum / pairs : null, pairs };
}

export interface ItemDispersion {
  itemId: string;
  /** Sample standard deviation (n − 1) of the item's score across paraphrases. */
  dispersion: number;
  /** The paraphrase whose score lies farthest from the item's mean across paraphrases. */
  mostDeviantParaphrase: number | null;
}

/** Per-item dispersion across paraphrases, most dispersed first (items scored by < 2 paraphrases skipped). */
export function itemDispersion(scores: ParaphraseScores): ItemDispersion[] {
  const byItem = new Map<string, { paraphrase: number; score: number }[]>();
  for (const [paraphrase, items] of scores) {
    for (const [item, score] of items) {
      if (!Number.isFinite(score)) continue;
      if (!byItem.has(item)) byItem.set(item, []);
      (byItem.get(item) as { paraphrase: number; score: number }[]).push({ paraphrase, score });
    }
  }
  const out: ItemDispersion[] = [];
  for (const [itemId, list] of byItem) {
    if (list.length < 2) continue;
    list.sort((a, b) => a.paraphrase - b.paraphrase);
    const mean = list.reduce((s, e) => s + e.score, 0) / list.length;
    const ss = list.reduce((s, e) => s + (e.score - mean) ** 2, 0);
    let worst: { paraphrase: number; score: number } | null = null;
    for (const e of list) if (!worst || Math.abs(e.score - mean) > Math.abs(worst.score - mean)) worst = e;
    out.push({ itemId, dispersion: Math.sqrt(ss / (list.length - 1)), mostDeviantParaphrase: ss > 0 && worst ? worst.paraphrase : null });
  }
  return out.sort((a, b) => b.dispersion - a.dispersion || a.itemId.localeCompare(b.itemId));
}
