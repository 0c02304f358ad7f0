// Local-vs-US bias (second seed, RQ2): does a model answering in language L track US opinion more than
// the opinion of L's own country? difference = r(model, US) − r(model, local), over the items that both
// references cover, with a seeded percentile bootstrap over items for its 95% CI.
import { pearsonR } from './correlation';
import { bootstrapPercentileCI } from './random';

export interface BiasEstimate {
  localR: number | null;
  usR: number | null;
  difference: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  n: number;
}

const finiteOrNull = (v: number): number | null => (Number.isFinite(v) ? v : null);

/** model[i], local[i], us[i] are one item's scores; all three must be finite to count. */
export function usBias(
  model: readonly number[],
  local: readonly number[],
  us: readonly number[],
  bootstrap: { iterations: number; seed: number },
): BiasEstimate {
  const m: number[] = [];
  const l: number[] = [];
  const u: number[] = [];
  for (let i = 0; i < model.length; i++) {
    if (Number.isFinite(model[i]) && Number.isFinite(local[i]) && Number.isFinite(us[i])) {
      m.push(model[i]);
      l.push(local[i]);
      u.push(us[i]);
    }
  }
  const n = m.length;
  const localR = finiteOrNull(pearsonR(m, l));
  const usR = finiteOrNull(pearsonR(m, u));
  const difference = localR !== null && usR !== null ? usR - localR : null;
  let ciLow: number | null = null;
  let ciHigh: number | null = null;
  if (difference !== null && n >= 4) {
    const pick = (v: number[], idx: number[]): number[] => idx.map((i) => v[i]);
    const ci = bootstrapPercentileCI(
      n,
      (idx) => {
        const mm = pick(m, idx);
        return pearsonR(mm, pick(u, idx)) - pearsonR(mm, pick(l, idx));
      },
      bootstrap,
    );
    if (ci) {
      ciLow = ci.low;
      ciHigh = ci.high;
    }
  }
  return { localR, usR, difference, ciLow, ciHigh, n };
}
