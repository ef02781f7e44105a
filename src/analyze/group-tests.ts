/**
 * Two-group comparisons of a marker: Welch's t-test (unequal variances) with the 95 % interval of
 * the difference in means, and the Mann–Whitney U test (normal approximation with tie and
 * continuity corrections: scipy.stats.mannwhitneyu(method='asymptotic'), which is also scipy's
 * choice for the ≥ 10 cases per group that `perifat analyze` requires).
 */
import { mean, variance } from './describe';
import { normalP, studentP, t975 } from './dists';
import { midranks, tieSizes } from './ranks';

export interface WelchResult {
  t: number;
  df: number;
  p: number;
  /** mean(x) − mean(y). */
  meanDiff: number;
  meanDiffCi95: [number, number];
}

export function welch(x: readonly number[], y: readonly number[]): WelchResult {
  const vx = variance(x) / x.length;
  const vy = variance(y) / y.length;
  const se = Math.sqrt(vx + vy);
  const meanDiff = mean(x) - mean(y);
  const df = (vx + vy) ** 2 / (vx ** 2 / (x.length - 1) + vy ** 2 / (y.length - 1));
  const t = meanDiff / se;
  const h = t975(df) * se;
  return { t, df, p: studentP(t, df), meanDiff, meanDiffCi95: [meanDiff - h, meanDiff + h] };
}

export interface MannWhitneyResult {
  /** U of the first group: pairs (x, y) with x > y, ties ½. U / (nx·ny) is the AUC. */
  u: number;
  p: number;
}

export function mannWhitney(x: readonly number[], y: readonly number[]): MannWhitneyResult {
  const n1 = x.length;
  const n2 = y.length;
  const n = n1 + n2;
  const r = midranks([...x, ...y]);
  let r1 = 0;
  for (let i = 0; i < n1; i++) r1 += r[i] as number;
  const u1 = r1 - (n1 * (n1 + 1)) / 2;
  const u2 = n1 * n2 - u1;
  let tie = 0;
  for (const t of tieSizes([...x, ...y])) tie += t ** 3 - t;
  const s = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tie / (n * (n - 1))));
  // Two-sided: the larger U, continuity-corrected towards the mean.
  const z = (Math.max(u1, u2) - (n1 * n2) / 2 - 0.5) / s;
  return { u: u1, p: s > 0 ? Math.min(1, normalP(z)) : 1 };
}
