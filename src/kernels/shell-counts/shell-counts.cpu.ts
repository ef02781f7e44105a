/**
 * CPU twin of shell-counts.wgsl: what the kernel must equal, by its definition — the fat statistics
 * (fat-stats.cpu.ts) of the label layers shell-labels.cpu.ts writes, summed over the tie layers
 * (VOI, rings) and the lesion layers, with the same undecided voxels (dispatch 0's list).
 */
import { RING_COUNT } from '../../measure/pericoronary-types';
import type { ShellPlan } from '../../shells/plan';
import type { ShellTables } from '../../shells/tables';
import type { FatWindow } from '../../stats/fat-window';
import type { LabelHistograms } from '../../stats/label-stats';
import { fatStatsCpu } from '../fat-stats/fat-stats.cpu';
import { shellLabelsCpu } from '../shell-labels/shell-labels.cpu';
import type { ShellState } from '../shell-nearest/shell-nearest.cpu';

export interface ShellCountsCpu {
  readonly voi: LabelHistograms;
  readonly rings: LabelHistograms;
  /** Lesions 1…max(1, L) (all zero without lesions). */
  readonly lesions: LabelHistograms;
  /** Crop indices of the undecided voxels, ascending, and their reason | owner << 8. */
  readonly undecided: Uint32Array;
  readonly reasons: Uint32Array;
}

function add(into: LabelHistograms, part: LabelHistograms): void {
  for (let i = 0; i < into.voxels.length; i++) into.voxels[i] = (into.voxels[i] as number) + (part.voxels[i] as number);
  for (let i = 0; i < into.histogram.length; i++)
    into.histogram[i] = (into.histogram[i] as number) + (part.histogram[i] as number);
}

/**
 * shell_counts.wgsl over every layer its dispatches count, for the entries of `st`
 * (shellNearestCpu's); `hu` is the crop's HU, `guardDist` the crop's squared distances to calcium
 * (or null when the guard is off).
 */
export function shellCountsCpu(
  plan: ShellPlan,
  st: ShellState,
  tables: ShellTables,
  guardDist: Float32Array | null,
  hu: Int16Array,
  window: FatWindow,
): ShellCountsCpu {
  const V = Math.max(1, plan.vessels.length);
  const L = Math.max(1, plan.lesions.length);
  const empty = new Uint8Array(hu.length);
  const voi = fatStatsCpu(hu, empty, V, window);
  const rings = fatStatsCpu(hu, empty, V * RING_COUNT, window);
  const lesions = fatStatsCpu(hu, empty, L, window);
  const first = shellLabelsCpu(plan, st, tables, guardDist, 0);
  const layers = Math.max(1, plan.tieLayerCount, plan.lesionLayerCount);
  for (let layer = 0; layer < layers; layer++) {
    const l = layer === 0 ? first : shellLabelsCpu(plan, st, tables, guardDist, layer);
    if (layer < plan.tieLayerCount) {
      add(voi, fatStatsCpu(hu, l.voi, V, window));
      add(rings, fatStatsCpu(hu, l.rings, V * RING_COUNT, window));
    }
    if (layer < plan.lesionLayerCount && l.lesion) add(lesions, fatStatsCpu(hu, l.lesion, L, window));
  }
  return { voi, rings, lesions, undecided: first.undecided, reasons: first.reasons };
}
