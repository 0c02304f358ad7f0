// One small seeded PRNG for everything that must be reproducible across runs, machines and Node versions:
// option-order shuffles, bootstrap resampling, test fixtures.

/** mulberry32: 32-bit state, uniform doubles in [0, 1). Fast and good enough for shuffles and resampling. */
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
