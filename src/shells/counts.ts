/**
 * Fat histograms counted as the float64 classification places its labels (src/shells/classify.ts):
 * the numbers the stats stage would read off the finished layers — fatStatsCpu of each tie and
 * lesion layer, summed (src/backends/pericoronary-stages.ts) — without a second pass over the
 * crop. Each label a voxel gets is written to exactly one layer (src/shells/layers.ts), so counting
 * it once here, in its region's histogram, is that sum: a voxel tied between vessels counts once
 * for each (METHOD.md §4), a voxel in two lesions once in each.
 */
import { RING_COUNT } from '../measure/pericoronary-types';
import type { FatWindow } from '../stats/fat-window';
import type { LabelHistograms } from '../stats/label-stats';
import type { VoxelLabelSet } from './layers';
import type { ShellPlan } from './plan';
import { emptyHistograms } from './result';

/** Fat histograms of the VOI, ring and lesion labels of a crop (each summed over its layers). */
export interface LayerHistograms {
  voi: LabelHistograms;
  rings: LabelHistograms;
  lesions: LabelHistograms | null;
}

/** Zero histograms for a plan's labels (VOI 1…V, rings 1…V·RING_COUNT, lesions 1…L). */
export function emptyCounts(plan: ShellPlan, window: FatWindow): LayerHistograms {
  const V = Math.max(1, plan.vessels.length);
  const L = plan.lesions.length;
  return {
    voi: emptyHistograms(window, V),
    rings: emptyHistograms(window, V * RING_COUNT),
    lesions: L > 0 ? emptyHistograms(window, L) : null,
  };
}

/** One label of a voxel of HU `v` counted (0: none), as fatStatsCpu counts a labelled voxel. */
export function countLabel(h: LabelHistograms, label: number, v: number): void {
  if (label === 0) return;
  h.voxels[label]!++;
  const lo = h.window.lo;
  if (v < lo || v > h.window.hi) return;
  h.histogram[label * (h.window.hi - lo + 1) + (v - lo)]!++;
}

/** One voxel's labels counted, as placeLabels writes them; `v`: the voxel's HU. */
export function countLabels(plan: ShellPlan, h: LayerHistograms, v: number, labels: VoxelLabelSet): void {
  const { tieCount, tieVoi: voi, tieRing: ring, lesionCount, lesionHits } = labels;
  for (let t = 0; t < tieCount; t++) {
    countLabel(h.voi, voi[t] as number, v);
    countLabel(h.rings, ring[t] as number, v);
  }
  if (!h.lesions) return;
  for (let q = 0; q < lesionCount; q++) {
    countLabel(h.lesions, (plan.lesions[lesionHits[q] as number] as ShellPlan['lesions'][number]).label, v);
  }
}

/** `from` added into `into` (same plan and window). */
export function addCounts(into: LayerHistograms, from: LayerHistograms): void {
  const add = (a: LabelHistograms, b: LabelHistograms) => {
    for (let i = 0; i < a.voxels.length; i++) a.voxels[i]! += b.voxels[i] as number;
    for (let i = 0; i < a.histogram.length; i++) a.histogram[i]! += b.histogram[i] as number;
  };
  add(into.voi, from.voi);
  add(into.rings, from.rings);
  if (into.lesions && from.lesions) add(into.lesions, from.lesions);
}
