/**
 * The empirical ROC curve of a marker against a binary outcome. A case is called positive when
 * its value is ≥ the cut-off (direction 'higher': higher HU = positive), or ≤ it ('lower').
 * Cut-offs are the observed values themselves, so a reported cut-off reproduces its sensitivity
 * and specificity on the data with exactly that rule.
 */
import { quantile } from './describe';

export type Direction = 'higher' | 'lower';

export interface RocPoint {
  /** Smallest value called positive ('higher'; largest for 'lower'); null = no case positive. */
  cutoff: number | null;
  sensitivity: number;
  specificity: number;
}

/** pROC's direction="auto": 'higher' when the positives' median is at least the negatives'. */
export function autoDirection(pos: readonly number[], neg: readonly number[]): Direction {
  return quantile(neg, 0.5) <= quantile(pos, 0.5) ? 'higher' : 'lower';
}

/** Values turned so that higher always means positive. */
export function oriented(x: readonly number[], d: Direction): number[] {
  return d === 'higher' ? [...x] : x.map((v) => -v);
}

/** From no case positive (sensitivity 0, specificity 1) to every case positive. */
export function rocCurve(pos: readonly number[], neg: readonly number[], d: Direction): RocPoint[] {
  const p = oriented(pos, d).sort((a, b) => b - a);
  const n = oriented(neg, d).sort((a, b) => b - a);
  const cuts = [...new Set([...p, ...n])].sort((a, b) => b - a);
  const points: RocPoint[] = [{ cutoff: null, sensitivity: 0, specificity: 1 }];
  let tp = 0;
  let fp = 0;
  for (const c of cuts) {
    while (tp < p.length && (p[tp] as number) >= c) tp++;
    while (fp < n.length && (n[fp] as number) >= c) fp++;
    points.push({
      cutoff: d === 'higher' ? c : -c,
      sensitivity: tp / p.length,
      specificity: 1 - fp / n.length,
    });
  }
  return points;
}
