// One shared copy of values that many response units repeat: the order of the options shown (a handful of
// orders per study) and option distributions (identical whenever a model answers a prompt the same way —
// every round of a temperature-0 logprobs run). A parsed record's own array or object costs ~100 and ~190
// bytes; at a million units that is most of the selection's memory (docs/performance.md, "Analyze").
// Units treat these values as read-only, so sharing them changes nothing a reader can see.

/** Distinct distributions kept before new ones are stored unshared (bounds the table on all-distinct data). */
const MAX_DISTRIBUTIONS = 1 << 17;

export class UnitValues {
  private readonly orders = new Map<string, number[]>();
  private readonly distributions = new Map<string, Record<string, number>>();
  /** Distributions seen after the table was full: a run of misses turns interning off (all distinct). */
  private misses = 0;

  order(codes: number[]): number[] {
    let key = '';
    for (let i = 0; i < codes.length; i++) key += `${codes[i]},`;
    const seen = this.orders.get(key);
    if (seen) return seen;
    if (this.orders.size < 4096) this.orders.set(key, codes);
    return codes;
  }

  distribution(p: Record<string, number>): Record<string, number> {
    if (this.misses > MAX_DISTRIBUTIONS) return p;
    let key = '';
    for (const k in p) key += `${k}:${p[k]};`;
    const seen = this.distributions.get(key);
    if (seen) return seen;
    if (this.distributions.size < MAX_DISTRIBUTIONS) this.distributions.set(key, p);
    else this.misses++;
    return p;
  }
}
