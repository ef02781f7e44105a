/**
 * Correlation of a marker with a continuous outcome (stenosis %, calcium score): Pearson's r and
 * Spearman's ρ with two-sided p-values (t with n − 2 df, as scipy) and 95 % intervals by Fisher's z:
 * standard error 1/√(n − 3) for r (scipy's pearsonr CI), √((1 + ρ²/2)/(n − 3)) for ρ (Bonett &
 * Wright 2000, the variance of Fisher's z of a rank correlation).
 */
import { mean } from './describe';
import { studentP, z975 } from './dists';
import { midranks } from './ranks';

export interface Correlation {
  r: number;
  p: number;
  ci95: [number, number];
}

function pearsonR(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const mx = mean(Array.from(x));
  const my = mean(Array.from(y));
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < x.length; i++) {
    const dx = (x[i] as number) - mx;
    const dy = (y[i] as number) - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return NaN;
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}

function withTest(r: number, n: number, zSe: number): Correlation {
  const t = r * Math.sqrt((n - 2) / Math.max(1e-300, 1 - r * r));
  const p = Math.abs(r) === 1 ? 0 : studentP(t, n - 2);
  if (Math.abs(r) === 1) return { r, p, ci95: [r, r] };
  const z = Math.atanh(r);
  return { r, p, ci95: [Math.tanh(z - z975() * zSe), Math.tanh(z + z975() * zSe)] };
}

/** NaN r (a constant variable) is refused by the caller before this. */
export function pearson(x: readonly number[], y: readonly number[]): Correlation {
  const n = x.length;
  return withTest(pearsonR(x, y), n, 1 / Math.sqrt(n - 3));
}

export function spearman(x: readonly number[], y: readonly number[]): Correlation {
  const n = x.length;
  const rho = pearsonR(midranks(x), midranks(y));
  return withTest(rho, n, Math.sqrt((1 + (rho * rho) / 2) / (n - 3)));
}
