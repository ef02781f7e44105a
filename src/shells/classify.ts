/**
 * Whole-crop and per-voxel uses of the float64 shells (exact.ts): the calcium mask both backends
 * feed to the guard's distance transform, the calcium guard test, and the label layers of the
 * CPU backend with the fat counted in them. GPU-free; runs in Node, a page or a worker.
 */
import { BoundedShells } from './bounded';
import { type CellGrid, buildCandidateSteps, cellGrid } from './candidates';
import { BAND_MM } from './constants';
import { type LayerHistograms, countLabel, countLabels, emptyCounts } from './counts';
import { ExactShells } from './exact';
import { type LabelLayers, emptyLayers, placeLabels } from './layers';
import { liveWork } from './live-cells';
import type { ShellPlan } from './plan';
import type { FatWindow } from '../stats/fat-window';
import { WasmShells } from './wasm/cells';

export type { LabelLayers } from './layers';

/**
 * Calcium of METHOD.md §4's guard: crop voxels ≥ calciumHu outside every lumen (lumen decided in
 * float64, so both backends start the guard from the same mask).
 */
export function calciumMask(ex: ExactShells, hu: Int16Array): Uint8Array {
  const { cropDims, calciumHu } = ex.plan;
  const [cx, cy] = cropDims;
  const mask = new Uint8Array(hu.length);
  for (let n = 0; n < hu.length; n++) {
    if ((hu[n] as number) < calciumHu) continue;
    const i = n % cx;
    const j = Math.floor(n / cx) % cy;
    const k = Math.floor(n / (cx * cy));
    if (!ex.inLumen(i, j, k)) mask[n] = 1;
  }
  return mask;
}

/**
 * Whether a crop voxel lies within the guard distance of a calcium voxel, centre to centre, by
 * enumeration of the offsets with (di·sx)² + (dj·sy)² + (dk·sz)² ≤ c² (the definition's sum).
 */
export function guardBrute(plan: ShellPlan, calcium: Uint8Array): (i: number, j: number, k: number) => boolean {
  const c = plan.guardMm ?? 0;
  const [sx, sy, sz] = plan.spacing;
  const reach = plan.spacing.map((s) => Math.floor(c / s) + 1);
  const offsets: number[] = [];
  for (let dk = -(reach[2] as number); dk <= (reach[2] as number); dk++)
    for (let dj = -(reach[1] as number); dj <= (reach[1] as number); dj++)
      for (let di = -(reach[0] as number); di <= (reach[0] as number); di++)
        if ((di * sx) ** 2 + (dj * sy) ** 2 + (dk * sz) ** 2 <= c * c) offsets.push(di, dj, dk);
  const [cx, cy, cz] = plan.cropDims;
  return (i, j, k) => {
    for (let q = 0; q < offsets.length; q += 3) {
      const a = i + (offsets[q] as number);
      const b = j + (offsets[q + 1] as number);
      const e = k + (offsets[q + 2] as number);
      if (a < 0 || b < 0 || e < 0 || a >= cx || b >= cy || e >= cz) continue;
      if (calcium[a + cx * (b + cy * e)] === 1) return true;
    }
    return false;
  };
}

/**
 * The guard from squared distances to calcium (an exact EDT, f32): decided by the distance where
 * it is farther than BAND_MM from the guard, by enumeration where it is not.
 */
export function guardFromDistances(
  plan: ShellPlan,
  calcium: Uint8Array,
  dist2: Float32Array,
): (i: number, j: number, k: number) => boolean {
  const c = plan.guardMm ?? 0;
  const brute = guardBrute(plan, calcium);
  const [cx, cy] = plan.cropDims;
  return (i, j, k) => {
    const g = Math.sqrt(dist2[i + cx * (j + cy * k)] as number);
    if (g < c - BAND_MM) return true;
    if (g > c + BAND_MM) return false;
    return brute(i, j, k);
  };
}

/**
 * Label layers of the crop's slices [z0, z1) by the definition (the CPU backend's shells), cell by
 * cell so that cells where no voxel can get a label (Candidates.mayLabel) are skipped whole. The layers hold those slices only
 * (cx·cy·(z1 − z0) voxels); `ex` needs candidates for the cells they cover.
 */
export function classifyCrop(
  ex: ExactShells,
  guarded: ((i: number, j: number, k: number) => boolean) | null,
  zRange: readonly [number, number] = [0, ex.plan.cropDims[2]],
): LabelLayers {
  const layers = emptyLayers(ex.plan, ex.plan.cropDims[0] * ex.plan.cropDims[1] * (zRange[1] - zRange[0]));
  for (const _ of classifyCropRows(ex, guarded, zRange, layers));
  return layers;
}

/** Where a share's labels go: its layers (from slice layersZ0 on) and, optionally, its fat counts. */
interface LabelSink {
  readonly layers: LabelLayers;
  readonly layersZ0: number;
  readonly fat: { readonly hu: Int16Array; readonly into: LayerHistograms } | null;
}

/**
 * The live cells of voxel slices zRange in rows (one row: the cells of one (cj, ck)), `visit`
 * called with each live cell and the end of its voxel box; pauses after each row (yielding the
 * fraction of the range done), so a caller on a page's thread can yield to the event loop.
 */
function* liveCellRows(
  grid: CellGrid,
  cropDims: readonly [number, number, number],
  zRange: readonly [number, number],
  live: (cell: number) => boolean,
  visit: (ci: number, cj: number, ck: number, i1: number, j1: number, k0: number, k1: number) => void,
): Generator<number> {
  const [cx, cy] = cropDims;
  const [z0, z1] = zRange;
  const { size, counts } = grid;
  const ck0 = Math.floor(z0 / size[2]);
  const rows = Math.max(1, (Math.ceil(z1 / size[2]) - ck0) * counts[1]);
  let row = 0;
  for (let ck = ck0; ck * size[2] < z1; ck++) {
    const k0 = Math.max(z0, ck * size[2]);
    const k1 = Math.min(z1, (ck + 1) * size[2]);
    for (let cj = 0; cj < counts[1]; cj++) {
      const j1 = Math.min(cy, (cj + 1) * size[1]);
      for (let ci = 0; ci < counts[0]; ci++) {
        if (live(ci + counts[0] * (cj + counts[1] * ck)))
          visit(ci, cj, ck, Math.min(cx, (ci + 1) * size[0]), j1, k0, k1);
      }
      yield ++row / rows;
    }
  }
}

/**
 * classifyCrop into `layers` (which start at slice layersZ0), each label's fat counted into
 * `fat.into` when given (fat.hu: the crop's HU, i fastest), pausing after each row of cells
 * (yielding the fraction of the range done), so a caller on a page's thread can yield to the event
 * loop between rows.
 */
export function* classifyCropRows(
  ex: ExactShells,
  guarded: ((i: number, j: number, k: number) => boolean) | null,
  zRange: readonly [number, number],
  layers: LabelLayers,
  layersZ0 = zRange[0],
  fat: { readonly hu: Int16Array; readonly into: LayerHistograms } | null = null,
): Generator<number> {
  const plan = ex.plan;
  const [cx, cy] = plan.cropDims;
  const { size } = ex.cands.grid;
  // The layers hold slices from layersZ0 on (the range's own, or the whole crop's).
  const base = cx * cy * layersZ0;
  yield* liveCellRows(
    ex.cands.grid,
    plan.cropDims,
    zRange,
    (cell) => ex.cellMayLabel(cell),
    (ci, cj, ck, i1, j1, k0, k1) => {
      for (let k = k0; k < k1; k++) {
        for (let j = cj * size[1]; j < j1; j++) {
          for (let i = ci * size[0]; i < i1; i++) {
            if (!ex.label(i, j, k, guarded)) continue;
            const n = i + cx * (j + cy * k);
            placeLabels(plan, layers, n - base, ex);
            if (fat) countLabels(plan, fat.into, fat.hu[n] as number, ex);
          }
        }
      }
    },
  );
}

/**
 * classifyCropRows by the WebAssembly twin (its index built already): it labels a cell at a time;
 * the guard, the layers and the counts stay here.
 */
function* classifyWasmRows(
  share: WasmShells,
  plan: ShellPlan,
  guarded: ((i: number, j: number, k: number) => boolean) | null,
  zRange: readonly [number, number],
  sink: LabelSink,
): Generator<number> {
  const [cx, cy] = plan.cropDims;
  const { size } = share.grid;
  const base = cx * cy * sink.layersZ0;
  const { layers, fat } = sink;
  const { voi, rings } = layers;
  yield* liveCellRows(
    share.grid,
    plan.cropDims,
    zRange,
    (cell) => share.mayLabel(cell),
    (ci, cj, ck, i1, j1, k0, k1) => {
      share.classifyCell(ci, cj, ck, ci * size[0], i1, cj * size[1], j1, k0, k1, cx, cy);
      for (let n = share.next(); n >= 0; n = share.next()) {
        if (guarded) {
          const i = n % cx;
          const j = ((n - i) / cx) % cy;
          if (guarded(i, j, (n - i - cx * j) / (cx * cy))) continue;
        }
        if (share.tieCount === 1 && share.lesionCount === 0) {
          // Most voxels: one owner and no lesion, whose labels go to tie layer 0 (placeLabels and
          // countLabels for that case, written out: this loop runs for every labelled voxel).
          const a = share.tieVoi[0] as number;
          const b = share.tieRing[0] as number;
          voi[n - base] = a;
          rings[n - base] = b;
          if (fat) {
            const v = fat.hu[n] as number;
            countLabel(fat.into.voi, a, v);
            countLabel(fat.into.rings, b, v);
          }
          continue;
        }
        placeLabels(plan, layers, n - base, share);
        if (fat) countLabels(plan, fat.into, fat.hu[n] as number, share);
      }
    },
  );
}

/** A share of the classification: cell slices [zCells[0], zCells[1]) of the crop. */
export interface ClassifyJob {
  readonly plan: ShellPlan;
  readonly zCells: readonly [number, number];
  /** The calcium mask and its squared distances (whole crop), when the guard is on. */
  readonly guard: { readonly calcium: Uint8Array; readonly dist2: Float32Array } | null;
  /**
   * Whole-crop layers the share writes its slices into (threads sharing one crop each write their
   * own slices: no copy, no stitching). Absent: the share gets layers of its own slices.
   */
  readonly into?: LabelLayers;
  /** The crop's HU (i fastest) and the fat window: the share counts its labels' fat as it goes. */
  readonly count?: { readonly hu: Int16Array; readonly window: FatWindow };
  /**
   * The inner loop: 'wasm' (default; the JS twin where WebAssembly is unavailable) or 'js' (the
   * JS twin, e.g. to compare the two). Both give the same labels bit for bit.
   */
  readonly inner?: InnerLoop;
}

/** Which twin of the float64 inner loop classified: WebAssembly (src/shells/wasm) or JS (bounded.ts). */
export type InnerLoop = 'wasm' | 'js';

export interface ClassifyShare {
  /** The voxel slices [z0, z1) it classified. */
  readonly z0: number;
  readonly z1: number;
  /** The layers it wrote: job.into (whole crop), or its own of slices [z0, z1). */
  readonly layers: LabelLayers;
  /** The fat histograms of the labels it placed (with job.count), to be summed over the shares. */
  readonly counts: LayerHistograms | null;
  readonly evaluations: number;
  readonly candidates: number;
  /** The inner loop that ran. */
  readonly inner: InnerLoop;
  /** Its live cells (the only ones classified) and the crop voxels in them. */
  readonly liveCells: number;
  readonly voxels: number;
}

/** Runs one share: its own piece of the index, then its slices. Same code in a worker or here. */
export function classifyShare(job: ClassifyJob): ClassifyShare {
  const steps = classifyShareSteps(job);
  for (let r = steps.next(); ; r = steps.next()) if (r.done) return r.value;
}

/**
 * classifyShare in steps: it pauses while building its piece of the index (yielding 0) and after
 * each row of cells (yielding the fraction done), and returns the share. A caller on a page's
 * thread yields to the event loop between steps, so a cancel or a repaint need not wait for the
 * whole share. The index holds only the cells where a label can be (buildCandidateSteps'
 * liveOnly): the others are skipped whole anyway.
 */
export function* classifyShareSteps(job: ClassifyJob): Generator<number, ClassifyShare> {
  const { plan } = job;
  const guarded = job.guard ? guardFromDistances(plan, job.guard.calcium, job.guard.dist2) : null;
  const nz = cellGrid(plan).size[2];
  const z0 = Math.min(plan.cropDims[2], job.zCells[0] * nz);
  const z1 = Math.min(plan.cropDims[2], job.zCells[1] * nz);
  const layers = job.into ?? emptyLayers(plan, plan.cropDims[0] * plan.cropDims[1] * (z1 - z0));
  const counts = job.count ? emptyCounts(plan, job.count.window) : null;
  const sink: LabelSink = {
    layers,
    layersZ0: job.into ? 0 : z0,
    fat: job.count && counts ? { hu: job.count.hu, into: counts } : null,
  };
  const share = job.inner === 'js' ? null : WasmShells.of(plan);
  if (share) {
    for (const _ of share.share(job.zCells)) yield 0;
    yield* classifyWasmRows(share, plan, guarded, [z0, z1], sink);
    const work = share.shareWork();
    return {
      z0,
      z1,
      layers,
      counts,
      evaluations: share.evaluations,
      candidates: share.candidates,
      inner: 'wasm',
      liveCells: work.liveCells,
      voxels: work.voxels,
    };
  }
  const build = buildCandidateSteps(plan, { zCells: job.zCells, liveOnly: true });
  let built = build.next();
  for (; !built.done; built = build.next()) yield 0;
  const cands = built.value;
  const ex = new BoundedShells(plan, cands);
  yield* classifyCropRows(ex, guarded, [z0, z1], layers, sink.layersZ0, sink.fat);
  const work = liveWork(cands, plan.cropDims);
  return {
    z0,
    z1,
    layers,
    counts,
    evaluations: ex.evaluations,
    candidates: cands.count,
    inner: 'js',
    liveCells: work.liveCells,
    voxels: work.voxels,
  };
}
