/**
 * Wilson score interval of a proportion (no continuity correction; scipy's
 * binomtest(...).proportion_ci(method='wilson')). Unlike the Wald interval it stays inside [0, 1]
 * and keeps its coverage at 0 or n successes, which small diagnostic cohorts reach often.
 */
import { z975 } from './dists';

export function wilson(k: number, n: number, z: number = z975()): [number, number] | null {
  if (n <= 0) return null;
  const p = k / n;
  const z2 = z * z;
  const centre = p + z2 / (2 * n);
  const half = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  const den = 1 + z2 / n;
  return [Math.max(0, (centre - half) / den), Math.min(1, (centre + half) / den)];
}
