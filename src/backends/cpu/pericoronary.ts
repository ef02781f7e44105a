/**
 * The CPU backend's pericoronary path: plan, candidate index, calcium guard (its distances from the
 * EDT's CPU twin), every crop voxel classified in float64 by the definition (src/shells), with the
 * fat of each label counted as it is placed (src/shells/counts.ts: the sums over tie and lesion
 * layers the stats stage would read off the layers). No settling: nothing is approximated.
 */
import { edtCpu } from '../../kernels/edt/edt.cpu';
import {
  type PericoronaryExtra,
  type PericoronaryResult,
  type PreparedLesion,
  type PreparedVessel,
  type ShellOptions,
} from '../../measure/pericoronary-types';
import type { CtVolume } from '../../volume/volume';
import { lapTimer } from '../../util/lap-timer';
import { buildCandidates, cellGrid } from '../../shells/candidates';
import {
  type ClassifyJob,
  type ClassifyShare,
  type InnerLoop,
  type LabelLayers,
  calciumMask,
  classifyShareSteps,
} from '../../shells/classify';
import { type MeasureControl, slice, sliced, step, within } from '../../measure/control';
import { ExactShells } from '../../shells/exact';
import { emptyLayers } from '../../shells/layers';
import type { ShellPlan } from '../../shells/plan';
import { layerHistogramsCpu, planStage } from '../pericoronary-stages';
import { type LayerHistograms, addCounts, emptyCounts } from '../../shells/counts';
import type { FatWindow } from '../../stats/fat-window';

/**
 * Classifies every voxel of the crop: here (classifyHere) or shared among workers (a platform's
 * pool, e.g. src/platform/node/shell-workers.ts). Returns whole-crop layers and, given the fat
 * window, the fat histograms of their labels counted as they were placed (src/shells/counts.ts).
 */
export type CropClassifier = (
  plan: ShellPlan,
  hu: Int16Array,
  control?: MeasureControl,
  window?: FatWindow,
) => Promise<{
  layers: LabelLayers;
  /** With `window`: the histograms layerHistogramsCpu would give of `layers`. */
  counts: LayerHistograms | null;
  evaluations: number;
  candidates: number;
  workers: number;
  work: { cells: number; liveCells: number; voxels: number };
  /** The float64 inner loop that ran ('js' if any share fell back to it). */
  inner: InnerLoop;
}>;

/** The calcium mask and its squared distances, or null when the guard is off (needs the whole index). */
export function guardInputs(plan: ShellPlan, hu: Int16Array): ClassifyJob['guard'] {
  if (plan.guardMm === null) return null;
  const calcium = calciumMask(new ExactShells(plan, buildCandidates(plan)), hu);
  return { calcium, dist2: edtCpu(plan.cropDims, plan.spacing, calcium) };
}

/** Cell slices per share of the classification (a block of the two-level index, candidates.ts). */
export const SHARE_CELLS = 4;

/** Voxel slices of the crop in the cell slices zCells (the last cell slice may be cut by the crop). */
export function shareSlices(plan: ShellPlan, zCells: readonly [number, number]): number {
  const nz = cellGrid(plan).size[2];
  return Math.min(plan.cropDims[2], zCells[1] * nz) - Math.min(plan.cropDims[2], zCells[0] * nz);
}

/**
 * One share classified on this thread, a slice() at each of its steps (progress `at(f)` when a
 * fraction f of the share is done, a yield to the event loop every SLICE_MS, cancellation): the
 * steps pause while its index is built and after each row of cells.
 */
export async function classifyShareSliced(
  job: ClassifyJob,
  control: MeasureControl | undefined,
  at: (fraction: number) => number,
): Promise<ClassifyShare> {
  return sliced(classifyShareSteps(job), control, 'pericoronary.classify', at);
}

/** The shares classified on this thread one after the other, progress by voxel slices done. */
export async function classifySliced(
  plan: ShellPlan,
  jobs: readonly ClassifyJob[],
  control: MeasureControl | undefined,
): Promise<ClassifyShare[]> {
  const shares: ClassifyShare[] = [];
  const total = Math.max(
    1,
    jobs.reduce((a, j) => a + shareSlices(plan, j.zCells), 0),
  );
  let done = 0;
  for (const job of jobs) {
    const n = shareSlices(plan, job.zCells);
    shares.push(await classifyShareSliced(job, control, (f) => (done + f * n) / total));
    done += n;
  }
  return shares;
}

/** Single-threaded classification, voxel slice by voxel slice (cancellation and progress between). */
export const classifyHere: CropClassifier = async (plan, hu, control, window) => {
  const guard = guardInputs(plan, hu);
  await slice(control, 'pericoronary.classify', 0);
  const gz = cellGrid(plan).counts[2];
  // Every share writes its slices into the crop's layers.
  const layers = emptyLayers(plan, plan.cropVoxels);
  const count = window ? { hu, window } : undefined;
  const jobs: ClassifyJob[] = [];
  for (let c = 0; c < gz; c += SHARE_CELLS)
    jobs.push({ plan, zCells: [c, Math.min(gz, c + SHARE_CELLS)], guard, into: layers, ...(count ? { count } : {}) });
  const shares = await classifySliced(plan, jobs, control);
  return {
    layers,
    counts: sumCounts(plan, shares, window),
    evaluations: shares.reduce((a, s) => a + s.evaluations, 0),
    candidates: shares.reduce((a, s) => a + s.candidates, 0),
    workers: 1,
    work: shareWork(plan, shares),
    inner: innerOf(shares),
  };
};

/** 'wasm' when every share ran the WebAssembly twin, else 'js'. */
export function innerOf(shares: readonly Pick<ClassifyShare, 'inner'>[]): InnerLoop {
  return shares.every((s) => s.inner === 'wasm') ? 'wasm' : 'js';
}

/** An Int16Array on a SharedArrayBuffer where the platform has them (a page needs cross-origin isolation). */
export function sharedInt16(n: number): Int16Array {
  return typeof SharedArrayBuffer === 'undefined' ? new Int16Array(n) : new Int16Array(new SharedArrayBuffer(2 * n));
}

/** The shares' fat histograms summed (null without a window). */
export function sumCounts(
  plan: ShellPlan,
  shares: readonly Pick<ClassifyShare, 'counts'>[],
  window: FatWindow | undefined,
): LayerHistograms | null {
  if (!window) return null;
  const total = emptyCounts(plan, window);
  for (const s of shares) if (s.counts) addCounts(total, s.counts);
  return total;
}

/** The work of the shares together (each counts the live cells of its own cell slices). */
export function shareWork(
  plan: ShellPlan,
  shares: readonly Pick<ClassifyShare, 'liveCells' | 'voxels'>[],
): { cells: number; liveCells: number; voxels: number } {
  return {
    cells: cellGrid(plan).cells,
    liveCells: shares.reduce((a, s) => a + s.liveCells, 0),
    voxels: shares.reduce((a, s) => a + s.voxels, 0),
  };
}

export async function pericoronaryF64(
  ct: CtVolume,
  vessels: PreparedVessel[],
  lesions: PreparedLesion[],
  opts: ShellOptions,
  extra: PericoronaryExtra = {},
  classify: CropClassifier = classifyHere,
): Promise<PericoronaryResult> {
  const { timings, lap } = lapTimer();
  const control = extra.control;
  await slice(control, 'pericoronary.plan', 0);
  // The crop's HU on shared memory where there is any: worker threads read it without a copy
  // each (a fresh copy costs more in page faults than in copying).
  const planned = planStage(ct, vessels, lesions, opts, extra, timings, sharedInt16);
  if ('empty' in planned) return planned.empty;
  const { plan, hu } = planned;
  lap('plan');
  await slice(control, 'pericoronary.classify', 0);
  // Classification reports 0…1 of its own; it is the stage up to 'stats' at 0.95.
  const { layers, counts, evaluations, candidates, workers, work, inner } = await classify(
    plan,
    hu,
    within(control, 0, 0.95),
    opts.window,
  );
  step(control, 'pericoronary.stats', 0.95);
  lap('classify');
  // Counted during the classification; a classifier that did not count is counted here.
  const h = counts ?? layerHistogramsCpu(plan, hu, layers, opts.window);
  lap('stats');
  return {
    ...h,
    crop: { lo: plan.crop.lo, hi: plan.crop.hi },
    timingsMs: timings,
    diagnostics: {
      method: 'float64',
      cropVoxels: plan.cropVoxels,
      parts: plan.parts.length,
      candidates,
      evaluations,
      work: { ...work, f32Evaluations: 0, float64Evaluations: evaluations },
      workers,
      inner,
    },
    ...(extra.returnLayers ? { layers: { dims: plan.cropDims, ...layers } } : {}),
  };
}
