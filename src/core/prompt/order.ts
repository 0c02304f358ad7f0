// Option orders. A seeded shuffle must give the same order on every machine and Node version, so it uses its
// own small PRNG (mulberry32) rather than Math.random. Orders permute the scale's substantive options only:
// missing codes (don't know, no answer) are never shown as options, so no order moves them.
//
// Named orders (what records carry as `order`), for K options in code order c0..c(K-1):
//  - 'original': c0 … c(K-1);  'reversed': c(K-1) … c0;
//  - 'shift-j' (1 ≤ j < K): rotated left by j, i.e. cj … c(K-1) c0 … c(j-1);
//  - 'perm-i' (i ≥ 1): the i-th distinct non-original Fisher–Yates shuffle drawn from mulberry32(seed). perm-1…k
//    are distinct from each other and from the original while K! − 1 ≥ k; beyond that they repeat cyclically
//    (perm-i = perm-(((i − 1) mod (K! − 1)) + 1)), and for K ≤ 1 every perm is the original.

import { mulberry32 } from '../random';
import type { OptionOrderSpec as StudyOrderSpec, OrderId } from '../study/types';

export { mulberry32 };

/** How to order one prompt's options: fixed, one seeded shuffle, or a named order (see above). */
export type OptionOrderSpec = 'original' | 'reversed' | { seed: number } | { order: OrderId; seed?: number };

/** A named order of a study with the spec that renders it. */
export interface NamedOrder {
  id: OrderId;
  spec: OptionOrderSpec;
}

/** Codes in display order. `codes` is taken in scale (code) order. */
export function orderCodes(codes: number[], spec: OptionOrderSpec = 'original'): number[] {
  const out = [...codes];
  if (spec === 'original') return out;
  if (spec === 'reversed') return out.reverse();
  if ('order' in spec) return namedOrder(codes, spec.order, spec.seed ?? 0);
  const random = mulberry32(spec.seed);
  shuffle(out, random);
  return out;
}

/** The codes in the named order; throws on a name that is not one of the forms above. */
export function namedOrder(codes: number[], id: OrderId, seed = 0): number[] {
  if (id === 'original') return [...codes];
  if (id === 'reversed') return [...codes].reverse();
  const shift = /^shift-(\d+)$/.exec(id);
  if (shift) {
    const j = Number(shift[1]);
    if (j < 1 || j >= Math.max(codes.length, 2))
      throw new RangeError(`Order ${id}: a scale of ${codes.length} options has shifts 1..${codes.length - 1}`);
    return [...codes.slice(j), ...codes.slice(0, j)];
  }
  const perm = /^perm-(\d+)(?:@(\d+))?$/.exec(id);
  if (perm) {
    const i = Number(perm[1]);
    if (i < 1) throw new RangeError(`Order ${id}: permutations are numbered from 1`);
    const positions = permutation(codes.length, perm[2] === undefined ? seed : Number(perm[2]), i);
    return positions.map((p) => codes[p]);
  }
  throw new RangeError(`Unknown option order "${id}" (expected original, reversed, perm-N or shift-N)`);
}

/**
 * The named orders a study's option-order entries give for a scale of `k` options, in the entries' order,
 * each name once. No entries means the original order only. A second `permutations` entry with another
 * seed names its orders `perm-i@seed` so that names stay unique.
 */
export function expandOrders(specs: readonly StudyOrderSpec[], k: number): NamedOrder[] {
  const out: NamedOrder[] = [];
  const seen = new Set<string>();
  const add = (id: OrderId, spec: OptionOrderSpec): void => {
    if (seen.has(id)) return;
    seen.add(id);
    out.push({ id, spec });
  };
  let firstSeed: number | undefined;
  for (const spec of specs.length ? specs : (['original'] as const)) {
    if (spec === 'original' || spec === 'reversed') add(spec, spec);
    else if (spec === 'cyclic') for (let j = 1; j < k; j++) add(`shift-${j}`, { order: `shift-${j}` });
    else {
      firstSeed ??= spec.seed;
      const suffix = spec.seed === firstSeed ? '' : `@${spec.seed}`;
      for (let i = 1; i <= spec.permutations; i++) add(`perm-${i}${suffix}`, { order: `perm-${i}${suffix}`, seed: spec.seed });
    }
  }
  return out;
}

/** How many named orders `expandOrders(specs, k)` gives, without building them. */
export function countOrders(specs: readonly StudyOrderSpec[], k: number): number {
  return expandOrders(specs, k).length;
}

function shuffle(out: number[], random: () => number): void {
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
}

// Distinct shuffles per (K, seed), drawn once and extended on demand: perm-i does not depend on how many
// permutations the study asks for, only on K, the seed and i.
const drawn = new Map<string, { random: () => number; list: number[][]; seen: Set<string> }>();

function permutation(k: number, seed: number, i: number): number[] {
  const identity = Array.from({ length: k }, (_, p) => p);
  const distinct = factorialMinusOne(k);
  if (distinct === 0) return identity;
  const wanted = Math.min(i, distinct);
  const id = `${k}:${seed}`;
  let state = drawn.get(id);
  if (!state) {
    state = { random: mulberry32(seed), list: [], seen: new Set([identity.join(',')]) };
    if (drawn.size > 256) drawn.clear();
    drawn.set(id, state);
  }
  while (state.list.length < wanted) {
    const next = [...identity];
    shuffle(next, state.random);
    const key = next.join(',');
    if (state.seen.has(key)) continue;
    state.seen.add(key);
    state.list.push(next);
  }
  return [...state.list[(i - 1) % distinct]];
}

/** K! − 1 (the non-original orders), capped: beyond 2^31 no study asks for that many. */
function factorialMinusOne(k: number): number {
  let f = 1;
  for (let n = 2; n <= k; n++) {
    f *= n;
    if (f > 2 ** 31) return 2 ** 31;
  }
  return f - 1;
}
