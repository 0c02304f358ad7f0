// Option order permutations. A seeded shuffle must give the same order on every machine and Node
// version, so it uses its own small PRNG (mulberry32) rather than Math.random.

export type OptionOrderSpec = 'original' | 'reversed' | { seed: number };

import { mulberry32 } from '../random';

export { mulberry32 };

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
