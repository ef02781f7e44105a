/**
 * Plain statistics for the truth: means, sample SD and numpy-default percentiles over a list of
 * HU values. Straightforward on purpose (sort, then read order statistics).
 */

/** A growable list of numbers (HU values of the voxels of one region). */
export class ValueList {
  private buf = new Float64Array(1024);
  length = 0;

  push(v: number): void {
    if (this.length === this.buf.length) {
      const next = new Float64Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = v;
  }

  /** The values, sorted ascending (a copy). */
  sorted(): Float64Array {
    return this.buf.slice(0, this.length).sort();
  }
}

export interface Summary {
  n: number;
  mean: number | null;
  sd: number | null;
  median: number | null;
  p25: number | null;
  p75: number | null;
  min: number | null;
  max: number | null;
}

/** numpy.percentile default ('linear'): rank = p·(n−1), interpolate between the order statistics around it. */
export function percentileSorted(sorted: Float64Array, p: number): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  const rank = p * (n - 1);
  const lo = Math.floor(rank);
  const hi = Math.min(lo + 1, n - 1);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (rank - lo);
}

export function summarize(values: ValueList): Summary {
  const s = values.sorted();
  const n = s.length;
  if (n === 0) return { n, mean: null, sd: null, median: null, p25: null, p75: null, min: null, max: null };
  let sum = 0;
  for (let i = 0; i < n; i++) sum += s[i] as number;
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const d = (s[i] as number) - mean;
    ss += d * d;
  }
  return {
    n,
    mean,
    sd: n < 2 ? null : Math.sqrt(ss / (n - 1)),
    median: percentileSorted(s, 0.5),
    p25: percentileSorted(s, 0.25),
    p75: percentileSorted(s, 0.75),
    min: s[0] as number,
    max: s[n - 1] as number,
  };
}

/** Running mean of a region where only the mean is reported (rings, near, remote, lesions). */
export class MeanAcc {
  n = 0;
  sum = 0;
  add(v: number): void {
    this.n++;
    this.sum += v;
  }
  mean(): number | null {
    return this.n === 0 ? null : this.sum / this.n;
  }
}
