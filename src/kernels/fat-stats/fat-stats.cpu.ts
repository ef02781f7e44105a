/**
 * CPU twin of the fused fat-statistics kernel (fat-stats.wgsl): the oracle for the GPU tests and
 * the CPU backend's counter. Plain loops, no cleverness, so that it is obviously right. The
 * independent direct sums the tests hold it to are in test/oracles/fat-sums.ts.
 */
import { type FatWindow, checkWindow, windowBins } from '../../stats/fat-window';
import type { LabelHistograms } from '../../stats/label-stats';

export function fatStatsCpu(hu: Int16Array, labels: Uint8Array, maxLabel: number, window: FatWindow): LabelHistograms {
  checkWindow(window);
  if (hu.length !== labels.length) throw new RangeError(`hu (${hu.length}) and labels (${labels.length}) differ`);
  const bins = windowBins(window);
  const voxels = new Float64Array(maxLabel + 1);
  const histogram = new Uint32Array((maxLabel + 1) * bins);
  for (let i = 0; i < hu.length; i++) {
    const l = labels[i] as number;
    if (l === 0 || l > maxLabel) continue;
    voxels[l]!++;
    const v = hu[i] as number;
    if (v < window.lo || v > window.hi) continue;
    histogram[l * bins + (v - window.lo)]!++;
  }
  return { window, maxLabel, voxels, histogram };
}
