// Option order permutations. A seeded shuffle must give the same order on every machine and Node
// version, so it uses its own small PRNG (mulberry32) rather than Math.random.

export type OptionOrderSpec = 'original' | 'reversed' | { seed: number };

/** mulberry32: tiny, fast, good enough to permute a handful of options reproducibly. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Codes in display order. `codes` is taken in scale (code) order. */
export function orderCodes(codes: number[], spec: OptionOrderSpec = 'original'): number[] {
  const out = [...codes];
  if (spec === 'original') return out;
  if (spec === 'reversed') return out.reverse();
  const random = mulberry32(spec.seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
