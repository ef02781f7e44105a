/**
 * Pericoronary shells and their fat histograms entirely in float64 on the CPU (the CPU backend):
 * plan, candidate index, calcium guard, every crop voxel classified by the definition, the fat
 * statistics of each layer. No settling: nothing is approximated.
 */
import { fatStatsCpu } from '../cpu/fat-stats';
import { edtCpu } from '../cpu/edt';
import {
  RING_COUNT,
  type PericoronaryExtra,
  type PericoronaryResult,
  type PreparedLesion,
  type PreparedVessel,
  type ShellOptions,
} from '../measure/pericoronary-types';
import type { CtVolume } from '../volume/volume';
import { lapTimer } from '../util/lap-timer';
import { buildCandidates, cellGrid } from './candidates';
import { type ClassifyJob, type ClassifyShare, type LabelLayers, calciumMask, classifyShare } from './classify';
import { type MeasureControl, step } from '../measure/control';
import { ExactShells } from './exact';
import { cropHu, planShells, type ShellPlan } from './plan';
import { emptyHistograms, emptyResult, requireInt16, sumHistograms } from './result';

/**
 * Classifies every voxel of the crop: here (classifyHere) or shared among workers (a platform's
 * pool, e.g. src/node/shell-workers.ts). Returns whole-crop layers.
 */
export type CropClassifier = (
  plan: ShellPlan,
  hu: Int16Array,
  control?: MeasureControl,
) => Promise<{ layers: LabelLayers; evaluations: number; candidates: number; workers: number }>;

/** The calcium mask and its squared distances, or null when the guard is off (needs the whole index). */
export function guardInputs(plan: ShellPlan, hu: Int16Array): ClassifyJob['guard'] {
  if (plan.guardMm === null) return null;
  const calcium = calciumMask(new ExactShells(plan, buildCandidates(plan)), hu);
  return { calcium, dist2: edtCpu(plan.cropDims, plan.spacing, calcium) };
}

/** Cell slices per share of the classification (a block of the two-level index, candidates.ts). */
export const SHARE_CELLS = 4;

/** Single-threaded classification, share by share (cancellation and progress between shares). */
export const classifyHere: CropClassifier = async (plan, hu, control) => {
  const guard = guardInputs(plan, hu);
  const gz = cellGrid(plan).counts[2];
  const shares: ClassifyShare[] = [];
  for (let c = 0; c < gz; c += SHARE_CELLS) {
    step(control, 'pericoronary.classify', c / gz);
    shares.push(classifyShare({ plan, zCells: [c, Math.min(gz, c + SHARE_CELLS)], guard }));
  }
  return {
    layers: stitchShares(plan, shares),
    evaluations: shares.reduce((a, s) => a + s.evaluations, 0),
    candidates: shares.reduce((a, s) => a + s.candidates, 0),
    workers: 1,
  };
};

/** Whole-crop layers from shares' slices. */
export function stitchShares(plan: ShellPlan, shares: readonly ClassifyShare[]): LabelLayers {
  const n = plan.cropVoxels;
  const slice = plan.cropDims[0] * plan.cropDims[1];
  const voi = new Uint8Array(n);
  const rings = new Uint8Array(n);
  const lesions = Array.from({ length: plan.lesionLayerCount }, () => new Uint8Array(n));
  for (const s of shares) {
    voi.set(s.layers.voi, s.z0 * slice);
    rings.set(s.layers.rings, s.z0 * slice);
    s.layers.lesions.forEach((l, i) => (lesions[i] as Uint8Array).set(l, s.z0 * slice));
  }
  return { voi, rings, lesions };
}

export async function pericoronaryF64(
  ct: CtVolume,
  vessels: PreparedVessel[],
  lesions: PreparedLesion[],
  opts: ShellOptions,
  extra: PericoronaryExtra = {},
  classify: CropClassifier = classifyHere,
): Promise<PericoronaryResult> {
  requireInt16(ct);
  const { timings, lap } = lapTimer();
  const plan = planShells(ct, vessels, lesions, opts);
  if (plan.cropVoxels === 0) return emptyResult(plan, opts, extra, timings);
  const hu = cropHu(ct.dims, ct.hu, plan.crop);
  lap('plan');
  const control = extra.control;
  const { layers, evaluations, candidates, workers } = await classify(plan, hu, control);
  step(control, 'pericoronary.stats', 0.95);
  lap('classify');
  const V = Math.max(1, vessels.length);
  const L = lesions.length;
  const voi = fatStatsCpu(hu, layers.voi, V, opts.window);
  const rings = fatStatsCpu(hu, layers.rings, V * RING_COUNT, opts.window);
  const lesionH = sumHistograms(layers.lesions.map((l) => fatStatsCpu(hu, l, Math.max(1, L), opts.window)));
  lap('stats');
  const strip = (h: typeof voi) => ({
    window: h.window,
    maxLabel: h.maxLabel,
    voxels: h.voxels,
    histogram: h.histogram,
  });
  return {
    voi: strip(voi),
    rings: strip(rings),
    lesions: L > 0 ? (lesionH ?? emptyHistograms(opts.window, L)) : null,
    crop: { lo: plan.crop.lo, hi: plan.crop.hi },
    timingsMs: timings,
    diagnostics: {
      method: 'float64',
      cropVoxels: plan.cropVoxels,
      parts: plan.parts.length,
      candidates,
      evaluations,
      workers,
    },
    ...(extra.returnLayers ? { layers: { dims: plan.cropDims, ...layers } } : {}),
  };
}
