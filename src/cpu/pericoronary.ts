/**
 * Pericoronary shells and their fat histograms on the CPU: the reference the WebGPU path
 * (src/host/pericoronary-gpu.ts) must match label for label, and the fallback backend. Same plan,
 * same f32 geometry, same label layers, same histogram code (fatStatsCpu) over the crop.
 */
import { PerifatError } from '../errors';
import { cropHu, planShells, type ShellPlan } from '../kernels/shell-plan';
import {
  RING_COUNT,
  type PreparedLesion,
  type PreparedVessel,
  type ShellOptions,
  type PericoronaryExtra,
  type PericoronaryResult,
  type ShellLayers,
} from '../measure/pericoronary-types';
import type { LabelHistograms } from '../stats/label-stats';
import type { CtVolume } from '../volume/volume';
import { edtCpu } from './edt';
import { fatStatsCpu } from './fat-stats';
import { featureInitFromSeeds, featureTransformCpu } from './feature-transform';
import { calciumMaskCpu, newShellState, refineVesselCpu, shellLabelsCpu } from './shell-labels';
import { lapTimer } from '../util/lap-timer';
import { addSettled, settleUndecided } from './undecided-f64';

/** A CT whose HU are int16, as the kernels take it. */
export type Int16Ct = CtVolume & { readonly hu: Int16Array };

export type { PericoronaryExtra, PericoronaryResult, ShellLayers } from '../measure/pericoronary-types';

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
  counts: { vessels: number; lesions: number },
  extra: PericoronaryExtra,
  timings: Record<string, number>,
): PericoronaryResult {
  const V = Math.max(1, counts.vessels);
  const lesionCount = counts.lesions;
  const layers: ShellLayers = { dims: plan.cropDims, voi: new Uint8Array(0), rings: new Uint8Array(0), lesions: [] };
  return {
    voi: emptyHistograms(opts.window, V),
    rings: emptyHistograms(opts.window, V * RING_COUNT),
    lesions: lesionCount > 0 ? emptyHistograms(opts.window, lesionCount) : null,
    crop: { lo: plan.crop.lo, hi: plan.crop.hi },
    timingsMs: timings,
    ...(extra.returnLayers ? { layers } : {}),
  };
}

/** Sum of per-layer lesion histograms: every label lives in exactly one layer. */
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

export function pericoronaryHistogramsCpu(
  ct: CtVolume,
  vessels: PreparedVessel[],
  lesions: PreparedLesion[],
  opts: ShellOptions,
  extra: PericoronaryExtra = {},
): PericoronaryResult {
  requireInt16(ct);
  const { timings, lap } = lapTimer();
  const plan = planShells(ct, vessels, lesions, opts);
  const V = Math.max(1, vessels.length);
  const L = lesions.length;
  if (plan.cropVoxels === 0) return emptyResult(plan, opts, { vessels: vessels.length, lesions: L }, extra, timings);
  const hu = cropHu(ct.dims, ct.hu, plan.crop);
  lap('crop');
  const { state, guardDist } = shellGeometryCpu(plan, hu, timings);
  lap('geometry');
  const layers = labelLayersCpu(plan, state, guardDist);
  lap('labels');
  const voi = fatStatsCpu(hu, layers.voi, V, opts.window);
  const rings = fatStatsCpu(hu, layers.rings, V * RING_COUNT, opts.window);
  const lesionH = sumHistograms(layers.lesions.map((l) => fatStatsCpu(hu, l, Math.max(1, L), opts.window)));
  lap('stats');
  const h = {
    voi: { window: voi.window, maxLabel: voi.maxLabel, voxels: voi.voxels, histogram: voi.histogram },
    rings: { window: rings.window, maxLabel: rings.maxLabel, voxels: rings.voxels, histogram: rings.histogram },
    lesions: L > 0 ? (lesionH ?? emptyHistograms(opts.window, L)) : null,
  };
  const settled = settleUndecided(ct, plan.crop.lo, plan.cropDims, layers.undecided, vessels, lesions, opts);
  addSettled(settled, hu, h, plan.lesionLayers, layers);
  lap('settle');
  const { undecided: _undecided, ...shellLayers } = layers;
  return {
    ...h,
    crop: { lo: plan.crop.lo, hi: plan.crop.hi },
    timingsMs: timings,
    ...(extra.returnLayers ? { layers: shellLayers } : {}),
  };
}

/** Feature transform + refinement of every vessel, then the calcium guard's EDT. */
export function shellGeometryCpu(
  plan: ShellPlan,
  hu: Int16Array,
  timings: Record<string, number> = {},
): { state: ReturnType<typeof newShellState>; guardDist: Float32Array | null } {
  const state = newShellState(plan.cropVoxels);
  const domainVoxels = plan.domainDims[0] * plan.domainDims[1] * plan.domainDims[2];
  let ftMs = 0;
  let refineMs = 0;
  plan.vessels.forEach((table, i) => {
    const t0 = performance.now();
    const ft = featureTransformCpu(plan.domainDims, plan.spacing, featureInitFromSeeds(domainVoxels, table.seeds));
    const t1 = performance.now();
    refineVesselCpu(plan, table, ft, state, i === 0);
    ftMs += t1 - t0;
    refineMs += performance.now() - t1;
  });
  timings['featureTransform'] = ftMs;
  timings['refine'] = refineMs;
  let guardDist: Float32Array | null = null;
  if (plan.guard2 !== null) {
    const t0 = performance.now();
    guardDist = edtCpu(plan.cropDims, plan.spacing, calciumMaskCpu(hu, state, plan.calciumHu));
    timings['calciumGuard'] = performance.now() - t0;
  }
  return { state, guardDist };
}

export function labelLayersCpu(
  plan: ShellPlan,
  state: ReturnType<typeof newShellState>,
  guardDist: Float32Array | null,
): ShellLayers & { undecided: Uint32Array } {
  const first = shellLabelsCpu(plan, state, guardDist, 0);
  const lesionLayers: Uint8Array[] = first.lesion ? [first.lesion] : [];
  for (let layer = 1; layer < plan.lesionLayers.length; layer++) {
    const more = shellLabelsCpu(plan, state, guardDist, layer);
    if (more.lesion) lesionLayers.push(more.lesion);
  }
  return { dims: plan.cropDims, voi: first.voi, rings: first.rings, lesions: lesionLayers, undecided: first.undecided };
}
