/**
 * The stages both pericoronary backends run the same way: planning the crop (plan, the crop's HU,
 * or the empty result when no voxel lies near a centerline) and counting fat in label layers on the
 * CPU. The CPU backend (cpu/pericoronary.ts) classifies in float64 between them; the WebGPU backend
 * (webgpu/pericoronary.ts) runs the shell kernels and settles what they leave undecided.
 */
import {
  RING_COUNT,
  type PericoronaryExtra,
  type PericoronaryResult,
  type PreparedLesion,
  type PreparedVessel,
  type ShellOptions,
} from '../measure/pericoronary-types';
import { fatStatsCpu } from '../kernels/fat-stats/fat-stats.cpu';
import type { LayerHistograms } from '../shells/counts';
import { cropHu, planShells, type ShellPlan } from '../shells/plan';
import { emptyHistograms, emptyResult, requireInt16, sumHistograms } from '../shells/result';
import type { FatWindow } from '../stats/fat-window';
import type { LabelHistograms } from '../stats/label-stats';
import type { CtVolume } from '../volume/volume';

export interface PlannedCrop {
  readonly plan: ShellPlan;
  /** The crop's HU, i fastest. */
  readonly hu: Int16Array;
}

/**
 * Stage "plan": the shells' plan and the crop's HU (in memory from `alloc`), or the empty result
 * when the crop is empty.
 */
export function planStage(
  ct: CtVolume,
  vessels: PreparedVessel[],
  lesions: PreparedLesion[],
  opts: ShellOptions,
  extra: PericoronaryExtra,
  timings: Record<string, number>,
  alloc?: (n: number) => Int16Array,
): PlannedCrop | { readonly empty: PericoronaryResult } {
  requireInt16(ct);
  const plan = planShells(ct, vessels, lesions, opts);
  if (plan.cropVoxels === 0) return { empty: emptyResult(plan, opts, extra, timings) };
  return { plan, hu: cropHu(ct.dims, ct.hu, plan.crop, alloc) };
}

/**
 * Stage "stats" on the CPU: the fat histograms of the VOI, ring and lesion layers of a crop, each
 * summed over its layers (tie layers for VOI and rings: a tied voxel counts once for each vessel).
 */
export function layerHistogramsCpu(
  plan: ShellPlan,
  hu: Int16Array,
  layers: {
    voi: Uint8Array;
    rings: Uint8Array;
    lesions: readonly Uint8Array[];
    ties?: readonly { voi: Uint8Array; rings: Uint8Array }[];
  },
  window: FatWindow,
): LayerHistograms {
  const V = Math.max(1, plan.vessels.length);
  const L = plan.lesions.length;
  const lesionH = sumHistograms(layers.lesions.map((l) => fatStatsCpu(hu, l, Math.max(1, L), window)));
  const ties = [{ voi: layers.voi, rings: layers.rings }, ...(layers.ties ?? [])];
  return {
    voi: sumHistograms(ties.map((t) => fatStatsCpu(hu, t.voi, V, window))) as LabelHistograms,
    rings: sumHistograms(ties.map((t) => fatStatsCpu(hu, t.rings, V * RING_COUNT, window))) as LabelHistograms,
    lesions: L > 0 ? (lesionH ?? emptyHistograms(window, L)) : null,
  };
}
