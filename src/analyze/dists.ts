/**
 * The distribution functions every test needs, from @stdlib (maintained ports of Cephes and
 * Boost, accurate to a few ulps) rather than written here. Loaded on first use through require:
 * the bundled CLI (dist/cli.js) would otherwise import them, ~0.2 s, for every `perifat` command.
 */
import { createRequire } from 'node:module';

type NormalCdf = typeof import('@stdlib/stats-base-dists-normal-cdf');
type NormalQuantile = typeof import('@stdlib/stats-base-dists-normal-quantile');
type TCdf = typeof import('@stdlib/stats-base-dists-t-cdf');
type TQuantile = typeof import('@stdlib/stats-base-dists-t-quantile');

interface Lib {
  normalCdf: NormalCdf;
  normalQuantile: NormalQuantile;
  tCdf: TCdf;
  tQuantile: TQuantile;
}

let lib: Lib | null = null;

function stdlib(): Lib {
  if (lib === null) {
    const require = createRequire(import.meta.url);
    lib = {
      normalCdf: require('@stdlib/stats-base-dists-normal-cdf') as NormalCdf,
      normalQuantile: require('@stdlib/stats-base-dists-normal-quantile') as NormalQuantile,
      tCdf: require('@stdlib/stats-base-dists-t-cdf') as TCdf,
      tQuantile: require('@stdlib/stats-base-dists-t-quantile') as TQuantile,
    };
  }
  return lib;
}

/** The standard normal 97.5 % quantile (1.95996…): every 95 % interval here is two-sided. */
export function z975(): number {
  return stdlib().normalQuantile(0.975, 0, 1);
}

/** Two-sided p-value of a standard normal statistic. */
export function normalP(z: number): number {
  return Math.min(1, 2 * stdlib().normalCdf(-Math.abs(z), 0, 1));
}

/** Two-sided p-value of a Student t statistic with df degrees of freedom. */
export function studentP(t: number, df: number): number {
  return Math.min(1, 2 * stdlib().tCdf(-Math.abs(t), df));
}

/** The 97.5 % quantile of Student's t (half-width factor of a 95 % interval). */
export function t975(df: number): number {
  return stdlib().tQuantile(0.975, df);
}
