/**
 * Result helpers both pericoronary backends share: empty histograms, the empty result, the sum of
 * per-layer lesion histograms, and the float64 settling of the voxels the GPU left undecided.
 */
import { PerifatError } from '../errors';
import {
  RING_COUNT,
  type PericoronaryExtra,
  type PericoronaryResult,
  type ShellLayers,
} from '../measure/pericoronary-types';
import type { ShellOptions } from '../measure/pericoronary-types';
import type { LabelHistograms } from '../stats/label-stats';
import type { CtVolume } from '../volume/volume';
import type { ExactShells } from './exact';
import { type LabelLayers, placeLabels } from './layers';
import type { ShellPlan } from './plan';

/** A CT whose HU are int16, as the kernels take it. */
export type Int16Ct = CtVolume & { readonly hu: Int16Array };

export function requireInt16(ct: CtVolume): asserts ct is Int16Ct {
  if (!(ct.hu instanceof Int16Array)) {
    throw new PerifatError('E_INPUT_VALUE', 'pericoronary shells need integer HU stored as int16');
  }
}

/** Zero histograms of labels 1…maxLabel. */
export function emptyHistograms(window: ShellOptions['window'], maxLabel: number): LabelHistograms {
  const bins = window.hi - window.lo + 1;
  return {
    window,
    maxLabel,
    voxels: new Float64Array(maxLabel + 1),
    histogram: new Uint32Array((maxLabel + 1) * bins),
  };
}

/** The result when no voxel of the CT lies near any centerline (or there are no vessels). */
export function emptyResult(
  plan: ShellPlan,
  opts: ShellOptions,
  extra: PericoronaryExtra,
  timings: Record<string, number>,
): PericoronaryResult {
  const V = Math.max(1, plan.vessels.length);
  const L = plan.lesions.length;
  const layers: ShellLayers = {
    dims: plan.cropDims,
    voi: new Uint8Array(0),
    rings: new Uint8Array(0),
    lesions: [],
    ties: [],
  };
  return {
    voi: emptyHistograms(opts.window, V),
    rings: emptyHistograms(opts.window, V * RING_COUNT),
    lesions: L > 0 ? emptyHistograms(opts.window, L) : null,
    crop: { lo: plan.crop.lo, hi: plan.crop.hi },
    timingsMs: timings,
    diagnostics: { method: 'empty', cropVoxels: 0, parts: plan.parts.length, candidates: 0, evaluations: 0 },
    ...(extra.returnLayers ? { layers } : {}),
  };
}

/**
 * Sum of per-layer histograms (lesion layers, tie layers): each (voxel, label) pair lives in
 * exactly one layer.
 */
export function sumHistograms(parts: readonly LabelHistograms[]): LabelHistograms | null {
  const [head, ...rest] = parts;
  if (!head) return null;
  const voxels = Float64Array.from(head.voxels);
  const histogram = Uint32Array.from(head.histogram);
  for (const p of rest) {
    p.voxels.forEach((x, i) => (voxels[i] = (voxels[i] as number) + x));
    p.histogram.forEach((x, i) => (histogram[i] = (histogram[i] as number) + x));
  }
  return { window: head.window, maxLabel: head.maxLabel, voxels, histogram };
}

/**
 * Classifies the listed crop voxels in float64 and adds them to the histograms: every tied owning
 * vessel's VOI and ring labels and every lesion (METHOD.md §4). When given, also writes them to the
 * crop's label layers, which hold 0 for them (adding a tie or lesion layer where one is missing).
 */
export function settleInto(
  ex: ExactShells,
  indices: ArrayLike<number>,
  hu: Int16Array,
  guarded: ((i: number, j: number, k: number) => boolean) | null,
  h: { voi: LabelHistograms; rings: LabelHistograms; lesions: LabelHistograms | null },
  layers?: LabelLayers,
): void {
  const add = (hist: LabelHistograms, label: number, value: number) => {
    hist.voxels[label] = (hist.voxels[label] as number) + 1;
    if (value >= hist.window.lo && value <= hist.window.hi) {
      const bins = hist.window.hi - hist.window.lo + 1;
      hist.histogram[label * bins + value - hist.window.lo]!++;
    }
  };
  const plan = ex.plan;
  const [cx, cy] = plan.cropDims;
  for (let n = 0; n < indices.length; n++) {
    const v = indices[n] as number;
    if (!ex.label(v % cx, Math.floor(v / cx) % cy, Math.floor(v / (cx * cy)), guarded)) continue;
    const value = hu[v] as number;
    for (let t = 0; t < ex.tieCount; t++) {
      if (ex.tieVoi[t]) add(h.voi, ex.tieVoi[t] as number, value);
      if (ex.tieRing[t]) add(h.rings, ex.tieRing[t] as number, value);
    }
    if (h.lesions) {
      for (let q = 0; q < ex.lesionCount; q++) {
        add(h.lesions, (plan.lesions[ex.lesionHits[q] as number] as ShellPlan['lesions'][number]).label, value);
      }
    }
    if (layers) placeLabels(plan, layers, v, ex);
  }
}
