/** Descriptive statistics of a sample: mean ± SD (n − 1), median and quartiles (numpy's linear rule). */

export interface Summary {
  n: number;
  mean: number | null;
  sd: number | null;
  median: number | null;
  q1: number | null;
  q3: number | null;
  min: number | null;
  max: number | null;
}

export function mean(x: readonly number[]): number {
  let s = 0;
  for (const v of x) s += v;
  return s / x.length;
}

/** Sample variance (n − 1 in the denominator), two-pass for accuracy. */
export function variance(x: readonly number[]): number {
  const m = mean(x);
  let s = 0;
  for (const v of x) s += (v - m) * (v - m);
  return s / (x.length - 1);
}

/** Quantile with linear interpolation between order statistics (numpy's default, R's type 7). */
export function quantile(x: readonly number[], q: number): number {
  const s = [...x].sort((a, b) => a - b);
  const h = (s.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, s.length - 1);
  return (s[lo] as number) + (h - lo) * ((s[hi] as number) - (s[lo] as number));
}

export function describe(x: readonly number[]): Summary {
  if (x.length === 0) return { n: 0, mean: null, sd: null, median: null, q1: null, q3: null, min: null, max: null };
  return {
    n: x.length,
    mean: mean(x),
    sd: x.length > 1 ? Math.sqrt(variance(x)) : null,
    median: quantile(x, 0.5),
    q1: quantile(x, 0.25),
    q3: quantile(x, 0.75),
    min: Math.min(...x),
    max: Math.max(...x),
  };
}
