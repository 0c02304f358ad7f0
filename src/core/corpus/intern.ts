// One shared copy of values that many response units repeat: the order of the options shown (a handful of
// orders per study) and option distributions (identical whenever a model answers a prompt the same way —
// every round of a temperature-0 logprobs run). A parsed record's own array or object costs ~100 and ~190
// bytes; at a million units that is most of the selection's memory (docs/performance.md, "Analyze").
// Units treat these values as read-only, so sharing them changes nothing a reader can see.

/** Distinct distributions kept before new ones are stored unshared (bounds the table on all-distinct data). */
const MAX_DISTRIBUTIONS = 1 << 17;

/** The bits of a double, for hashing a distribution without turning its numbers into text. */
const bits = new Float64Array(1);
const words = new Int32Array(bits.buffer);

export class UnitValues {
  private readonly orders = new Map<string, number[]>();
  /** Distributions by a hash of their codes and probabilities; a bucket holds the ones that collide. */
  private readonly distributions = new Map<number, { p: Record<string, number>; codes: string[] }[]>();
  private stored = 0;
  /** Distributions seen after the table was full: a run of misses turns interning off (all distinct). */
  private misses = 0;

  /** The first orders stored, compared element by element before a text key is built (one per record). */
  private readonly recent: number[][] = [];

  order(codes: number[]): number[] {
    // A stored order equal element by element is the one its text key finds (=== and the key agree but
    // on NaN, which misses here and is then found by its key).
    for (let r = 0; r < this.recent.length; r++) {
      const seen = this.recent[r];
      if (seen.length !== codes.length) continue;
      let i = 0;
      while (i < codes.length && seen[i] === codes[i]) i++;
      if (i === codes.length) return seen;
    }
    let key = '';
    for (let i = 0; i < codes.length; i++) key += `${codes[i]},`;
    const seen = this.orders.get(key);
    if (seen) return seen;
    if (this.orders.size < 4096) {
      this.orders.set(key, codes);
      if (this.recent.length < 8) this.recent.push(codes);
    }
    return codes;
  }

  /** @param codes Object.keys(p), when the caller has them (enumerating index-like keys is not free) */
  distribution(p: Record<string, number>, codes: string[] = Object.keys(p)): Record<string, number> {
    if (this.misses > MAX_DISTRIBUTIONS) return p;
    let h = 0;
    for (let c = 0; c < codes.length; c++) {
      const k = codes[c];
      for (let i = 0; i < k.length; i++) h = (Math.imul(h, 31) + k.charCodeAt(i)) | 0;
      const v = p[k];
      // −0 hashes as 0: the two are one value (===), as they were one key in the text form.
      bits[0] = v === 0 ? 0 : v;
      h = (Math.imul(h ^ words[0], 0x9e3779b1) + words[1]) | 0;
    }
    const bucket = this.distributions.get(h);
    if (bucket) for (const seen of bucket) if (sameDistribution(seen, p, codes)) return seen.p;
    if (this.stored < MAX_DISTRIBUTIONS) {
      const entry = { p, codes };
      if (bucket) bucket.push(entry);
      else this.distributions.set(h, [entry]);
      this.stored++;
    } else this.misses++;
    return p;
  }
}

/** The same codes in the same order with the same probabilities (what the text key compared). */
function sameDistribution(seen: { p: Record<string, number>; codes: string[] }, p: Record<string, number>, codes: string[]): boolean {
  if (codes.length !== seen.codes.length) return false;
  for (let i = 0; i < codes.length; i++) {
    const k = codes[i];
    if (seen.codes[i] !== k) return false;
    const a = seen.p[k];
    const b = p[k];
    if (!(a === b || (Number.isNaN(a) && Number.isNaN(b)))) return false;
  }
  return true;
}
