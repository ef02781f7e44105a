/**
 * Direct sums of the fat voxels per label (count, ΣHU, ΣHU², min, max), voxel by voxel in float64:
 * independent of the histograms, so the sums the host derives from a GPU or CPU histogram are held
 * to arithmetic that never saw one.
 */
import type { FatWindow } from '../../src/stats/fat-window';

export interface DirectSums {
  fatVoxels: Float64Array;
  sumHu: Float64Array;
  sumSqHu: Float64Array;
  minHu: Float64Array;
  maxHu: Float64Array;
}

export function directFatSums(hu: Int16Array, labels: Uint8Array, maxLabel: number, window: FatWindow): DirectSums {
  const d: DirectSums = {
    fatVoxels: new Float64Array(maxLabel + 1),
    sumHu: new Float64Array(maxLabel + 1),
    sumSqHu: new Float64Array(maxLabel + 1),
    minHu: new Float64Array(maxLabel + 1).fill(Infinity),
    maxHu: new Float64Array(maxLabel + 1).fill(-Infinity),
  };
  for (let i = 0; i < hu.length; i++) {
    const l = labels[i] as number;
    const v = hu[i] as number;
    if (l === 0 || l > maxLabel || v < window.lo || v > window.hi) continue;
    d.fatVoxels[l]!++;
    d.sumHu[l]! += v;
    d.sumSqHu[l]! += v * v;
    if (v < (d.minHu[l] as number)) d.minHu[l] = v;
    if (v > (d.maxHu[l] as number)) d.maxHu[l] = v;
  }
  return d;
}
