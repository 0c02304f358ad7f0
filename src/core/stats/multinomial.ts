// Exact binomial and multinomial draws from a seeded uniform stream (docs/analyses.md §7.6). A resample of
// n rows drawn with replacement, counted by cell (cell c holding m_c of the rows), is Multinomial(n; m_c/n):
// drawn as one binomial per cell conditional on the cells before it, it costs O(cells), not O(n).
// Binomial(N, p): inversion (sequential search) when N·min(p, 1−p) < 10, otherwise BTRD — transformed
// rejection with decomposition (W. Hörmann, "The generation of binomial random variates", J. Statist.
// Comput. Simul. 46 (1993) 101–110), O(1) expected uniforms whatever N.

const HALF_LN_2PI = 0.5 * Math.log(2 * Math.PI);

/** ln k! by summing logs, for the small-k table of the Stirling correction. */
function lnFactorialSmall(k: number): number {
  let s = 0;
  for (let i = 2; i <= k; i++) s += Math.log(i);
  return s;
}

/** fc(k) = ln k! − [(k + ½) ln(k + 1) − (k + 1) + ½ ln 2π], the Stirling-series remainder BTRD needs. */
const FC_TABLE = Array.from({ length: 10 }, (_, k) => lnFactorialSmall(k) - ((k + 0.5) * Math.log(k + 1) - (k + 1) + HALF_LN_2PI));

function stirlingCorrection(k: number): number {
  if (k < 10) return FC_TABLE[k];
  const z = k + 1;
  const z2 = z * z;
  return (1 / 12 - (1 / 360 - 1 / 1260 / z2) / z2) / z;
}

/** Binomial and multinomial variates from one mulberry32 stream (reproducible for a seed). */
export class BinomialSampler {
  private a: number;

  constructor(seed: number) {
    this.a = seed >>> 0;
  }

  /** The next uniform of mulberry32(seed) (src/core/random.ts), written out: a method V8 inlines. */
  private u(): number {
    const a = (this.a = (this.a + 0x6d2b79f5) >>> 0);
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** One draw of Binomial(n, p), n a non-negative integer. */
  binomial(n: number, p: number): number {
    if (n <= 0 || p <= 0) return 0;
    if (p >= 1) return n;
    if (p > 0.5) return n - this.binomialLow(n, 1 - p);
    return this.binomialLow(n, p);
  }

  /**
   * counts[c] = how often cell c is drawn when n rows are drawn with replacement from rows whose cell c
   * holds sizes[c] (Σ sizes = rows): Multinomial(n; sizes/rows), as x_c ~ Binomial(n − Σ_{c′<c} x_c′,
   * sizes[c] / Σ_{c′≥c} sizes[c′]). Overwrites counts.
   */
  multinomialInto(counts: Float64Array, sizes: ArrayLike<number>, n: number): void {
    let left = n;
    let mass = 0;
    for (let c = 0; c < sizes.length; c++) mass += sizes[c];
    for (let c = 0; c < sizes.length; c++) {
      const m = sizes[c];
      if (left === 0 || m === 0) {
        counts[c] = 0;
      } else if (m >= mass) {
        counts[c] = left;
        left = 0;
      } else {
        const x = this.binomial(left, m / mass);
        counts[c] = x;
        left -= x;
      }
      mass -= m;
    }
  }

  /** Binomial(n, p) for p ≤ ½. */
  private binomialLow(n: number, p: number): number {
    return n * p < 10 ? this.inversion(n, p) : this.btrd(n, p);
  }

  /** Sequential search from 0: f(x + 1) = f(x) · (n − x)/(x + 1) · p/q. Expected n·p + 1 steps. */
  private inversion(n: number, p: number): number {
    const q = 1 - p;
    const r = p / q;
    for (;;) {
      let f = Math.pow(q, n);
      let u = this.u();
      let x = 0;
      while (u > f) {
        u -= f;
        f *= ((n - x) / (x + 1)) * r;
        x++;
        // Rounding left u above the whole remaining mass: draw again rather than return a value > n.
        if (x > n) break;
      }
      if (x <= n) return x;
    }
  }

  /** Hörmann's BTRD, steps 0–3.4 of the paper, for n·p ≥ 10 and p ≤ ½. */
  private btrd(n: number, p: number): number {
    const q = 1 - p;
    const m = Math.floor((n + 1) * p);
    const r = p / q;
    const nr = (n + 1) * r;
    const npq = n * p * q;
    const spq = Math.sqrt(npq);
    const b = 1.15 + 2.53 * spq;
    const a = -0.0873 + 0.0248 * b + 0.01 * p;
    const c = n * p + 0.5;
    const alpha = (2.83 + 5.1 / b) * spq;
    const vr = 0.92 - 4.2 / b;
    const urvr = 0.86 * vr;
    for (;;) {
      // Step 1: the centre of the hat, accepted at once.
      let v = this.u();
      let u: number;
      if (v <= urvr) {
        u = v / vr - 0.43;
        return Math.floor(((2 * a) / (0.5 - Math.abs(u)) + b) * u + c);
      }
      // Step 2: the rest of the hat.
      if (v >= vr) {
        u = this.u() - 0.5;
      } else {
        u = v / vr - 0.93;
        u = Math.sign(u) * 0.5 - u;
        v = this.u() * vr;
      }
      // Step 3.0: the candidate k and the scaled V it must fall under.
      const us = 0.5 - Math.abs(u);
      const k = Math.floor(((2 * a) / us + b) * u + c);
      if (k < 0 || k > n) continue;
      v = (v * alpha) / (a / (us * us) + b);
      const km = Math.abs(k - m);
      if (km <= 15) {
        // Step 3.1: f(k)/f(m) by recursion.
        let f = 1;
        if (m < k) {
          for (let i = m + 1; i <= k; i++) f *= nr / i - r;
        } else if (m > k) {
          for (let i = k + 1; i <= m; i++) v *= nr / i - r;
        }
        if (v <= f) return k;
        continue;
      }
      // Step 3.2: squeeze on the log scale.
      v = Math.log(v);
      const rho = (km / npq) * (((km / 3 + 0.625) * km + 1 / 6) / npq + 0.5);
      const t = (-km * km) / (2 * npq);
      if (v < t - rho) return k;
      if (v > t + rho) continue;
      // Steps 3.3–3.4: the exact log ratio ln f(k)/f(m) by Stirling with correction terms.
      const nm = n - m + 1;
      const h = (m + 0.5) * Math.log((m + 1) / (r * nm)) + stirlingCorrection(m) + stirlingCorrection(n - m);
      const nk = n - k + 1;
      if (
        v <=
        h + (n + 1) * Math.log(nm / nk) + (k + 0.5) * Math.log((nk * r) / (k + 1)) - stirlingCorrection(k) - stirlingCorrection(n - k)
      )
        return k;
    }
  }
}
