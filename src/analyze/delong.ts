/**
 * AUC with DeLong's variance (DeLong, DeLong & Clarke-Pearson 1988), computed from mid-ranks as in
 * Sun & Xu 2014 (O(n log n)); pROC's "delong" method. The structural components V10 (one per
 * positive: the fraction of negatives it outranks, ties ½) and V01 (one per negative) give both the
 * AUC's standard error and the covariance of two AUCs on the same cases (the paired test).
 */
import { normalP, z975 } from './dists';
import { midranks } from './ranks';

export interface DelongParts {
  auc: number;
  /** Per positive case. */
  v10: Float64Array;
  /** Per negative case. */
  v01: Float64Array;
}

/** Scores oriented so that higher means positive (roc.ts `oriented`). */
export function delongParts(pos: readonly number[], neg: readonly number[]): DelongParts {
  const m = pos.length;
  const n = neg.length;
  const all = midranks([...pos, ...neg]);
  const rp = midranks(pos);
  const rn = midranks(neg);
  const v10 = new Float64Array(m);
  const v01 = new Float64Array(n);
  // Combined rank minus rank within the own group = the other group's cases below, ties ½.
  for (let i = 0; i < m; i++) v10[i] = ((all[i] as number) - (rp[i] as number)) / n;
  for (let j = 0; j < n; j++) v01[j] = 1 - ((all[m + j] as number) - (rn[j] as number)) / m;
  let s = 0;
  for (const v of v10) s += v;
  return { auc: s / m, v10, v01 };
}

function cov(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i] as number;
    mb += b[i] as number;
  }
  ma /= n;
  mb /= n;
  let s = 0;
  for (let i = 0; i < n; i++) s += ((a[i] as number) - ma) * ((b[i] as number) - mb);
  return s / (n - 1);
}

/** DeLong variance of the AUC. */
export function delongVariance(p: DelongParts): number {
  return cov(p.v10, p.v10) / p.v10.length + cov(p.v01, p.v01) / p.v01.length;
}

export interface AucEstimate {
  auc: number;
  se: number;
  /** auc ± 1.96·se, clipped to [0, 1] as pROC does. */
  ci95: [number, number];
}

export function aucWithCi(p: DelongParts): AucEstimate {
  const se = Math.sqrt(delongVariance(p));
  return {
    auc: p.auc,
    se,
    ci95: [Math.max(0, p.auc - z975() * se), Math.min(1, p.auc + z975() * se)],
  };
}

export interface PairedTest {
  /** AUC(a) − AUC(b). */
  diff: number;
  se: number;
  z: number;
  p: number;
  ci95: [number, number];
}

/**
 * DeLong's test of two correlated AUCs (pROC roc.test, paired): both markers measured on the same
 * positives and negatives, in the same order.
 */
export function pairedDelong(a: DelongParts, b: DelongParts): PairedTest {
  const m = a.v10.length;
  const n = a.v01.length;
  if (b.v10.length !== m || b.v01.length !== n) throw new RangeError('paired DeLong needs the same cases');
  const va = cov(a.v10, a.v10) / m + cov(a.v01, a.v01) / n;
  const vb = cov(b.v10, b.v10) / m + cov(b.v01, b.v01) / n;
  const cab = cov(a.v10, b.v10) / m + cov(a.v01, b.v01) / n;
  const diff = a.auc - b.auc;
  const se = Math.sqrt(Math.max(0, va + vb - 2 * cab));
  // Identical curves: no difference and no variance; pROC reports Z = 0, p = 1.
  const z = se > 0 ? diff / se : 0;
  return { diff, se, z, p: se > 0 ? normalP(z) : 1, ci95: [diff - z975() * se, diff + z975() * se] };
}
