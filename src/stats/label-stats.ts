/**
 * What the fused fat-statistics kernel (GPU) and its CPU reference both produce, and the exact
 * statistics that follow from it. Every number derives from integer counts, so GPU and CPU agree
 * exactly, whatever the order in which voxels were visited.
 */
import type { FatWindow } from './fat-window';

export interface LabelHistograms {
  readonly window: FatWindow;
  /** Highest label counted; labels are 1…maxLabel (0 = ignore). */
  readonly maxLabel: number;
  /** Voxels per label, index = label (index 0 unused, always 0). */
  readonly voxels: Float64Array;
  /** Fat HU histogram, row-major [label][hu − window.lo], row 0 unused. */
  readonly histogram: Uint32Array;
}

export interface FatSummary {
  /** All voxels carrying the label. */
  voxels: number;
  fatVoxels: number;
  /** Σ HU and Σ HU² over fat voxels: exact integers below 2^53 for any real CT. */
  sumHu: number;
  sumSqHu: number;
  meanHu: number | null;
  /** Sample SD (n − 1), null below two voxels. */
  sdHu: number | null;
  medianHu: number | null;
  p25Hu: number | null;
  p75Hu: number | null;
  minHu: number | null;
  maxHu: number | null;
}

export function histogramRow(h: LabelHistograms, label: number): Uint32Array {
  const bins = h.window.hi - h.window.lo + 1;
  return h.histogram.subarray(label * bins, (label + 1) * bins);
}

/** Summary of one label's fat voxels from its histogram row. */
export function summarizeLabel(h: LabelHistograms, label: number): FatSummary {
  return summarizeHistogram(histogramRow(h, label), h.window.lo, h.voxels[label] ?? 0);
}

export function summarizeHistogram(row: ArrayLike<number>, lo: number, voxels: number): FatSummary {
  let n = 0;
  let sum = 0;
  let sumSq = 0;
  let min: number | null = null;
  let max: number | null = null;
  for (let b = 0; b < row.length; b++) {
    const c = row[b] as number;
    if (c === 0) continue;
    const hu = lo + b;
    n += c;
    sum += c * hu;
    sumSq += c * hu * hu;
    if (min === null) min = hu;
    max = hu;
  }
  const mean = n > 0 ? sum / n : null;
  let sd: number | null = null;
  if (n > 1 && mean !== null) {
    // Centred second moment from the histogram: no cancellation of two huge sums.
    let m2 = 0;
    for (let b = 0; b < row.length; b++) {
      const c = row[b] as number;
      if (c !== 0) m2 += c * (lo + b - mean) ** 2;
    }
    sd = Math.sqrt(m2 / (n - 1));
  }
  return {
    voxels,
    fatVoxels: n,
    sumHu: sum,
    sumSqHu: sumSq,
    meanHu: mean,
    sdHu: sd,
    medianHu: percentileFromHistogram(row, lo, n, 0.5),
    p25Hu: percentileFromHistogram(row, lo, n, 0.25),
    p75Hu: percentileFromHistogram(row, lo, n, 0.75),
    minHu: min,
    maxHu: max,
  };
}

/**
 * Percentile with linear interpolation between order statistics (numpy's default): rank
 * p·(n − 1) in the sorted values, read off the cumulative histogram.
 */
export function percentileFromHistogram(row: ArrayLike<number>, lo: number, n: number, p: number): number | null {
  if (n === 0) return null;
  const rank = p * (n - 1);
  const below = Math.floor(rank);
  const frac = rank - below;
  const a = valueAtRank(row, lo, below);
  if (frac === 0) return a;
  const b = valueAtRank(row, lo, below + 1);
  return a + frac * (b - a);
}

/** The value of the k-th smallest (0-based) voxel. */
function valueAtRank(row: ArrayLike<number>, lo: number, k: number): number {
  let seen = 0;
  for (let b = 0; b < row.length; b++) {
    seen += row[b] as number;
    if (seen > k) return lo + b;
  }
  throw new RangeError(`rank ${k} beyond histogram total ${seen}`);
}
