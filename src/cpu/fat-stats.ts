/**
 * CPU reference of the fused fat-statistics kernel: the oracle for the GPU tests and the
 * fallback backend. Plain loops, no cleverness, so that it is obviously right. Besides the
 * histograms the GPU also makes, it sums HU and HU² directly so tests can check the sums the
 * host derives from GPU histograms against an independent computation.
 */
import { type FatWindow, checkWindow, windowBins } from '../stats/fat-window';
import type { LabelHistograms } from '../stats/label-stats';

export interface DirectSums {
  fatVoxels: Float64Array;
  sumHu: Float64Array;
  sumSqHu: Float64Array;
  minHu: Float64Array;
  maxHu: Float64Array;
}

export function fatStatsCpu(
  hu: Int16Array,
  labels: Uint8Array,
  maxLabel: number,
  window: FatWindow,
): LabelHistograms & { direct: DirectSums } {
  checkWindow(window);
  if (hu.length !== labels.length) throw new RangeError(`hu (${hu.length}) and labels (${labels.length}) differ`);
  const bins = windowBins(window);
  const voxels = new Float64Array(maxLabel + 1);
  const histogram = new Uint32Array((maxLabel + 1) * bins);
  const direct: DirectSums = {
    fatVoxels: new Float64Array(maxLabel + 1),
    sumHu: new Float64Array(maxLabel + 1),
    sumSqHu: new Float64Array(maxLabel + 1),
    minHu: new Float64Array(maxLabel + 1).fill(Infinity),
    maxHu: new Float64Array(maxLabel + 1).fill(-Infinity),
  };
  for (let i = 0; i < hu.length; i++) {
    const l = labels[i] as number;
    if (l === 0 || l > maxLabel) continue;
    voxels[l]!++;
    const v = hu[i] as number;
    if (v < window.lo || v > window.hi) continue;
    histogram[l * bins + (v - window.lo)]!++;
    direct.fatVoxels[l]!++;
    direct.sumHu[l]! += v;
    direct.sumSqHu[l]! += v * v;
    if (v < (direct.minHu[l] as number)) direct.minHu[l] = v;
    if (v > (direct.maxHu[l] as number)) direct.maxHu[l] = v;
  }
  return { window, maxLabel, voxels, histogram, direct };
}
