/**
 * The voxels the f32 shell kernels leave undecided — within BAND_MM of a lumen wall, an ownership
 * tie, the wall gap, the VOI bound, a ring boundary, a segment or lesion end, or the calcium guard —
 * classified here in float64, straight from METHOD.md §4: exact nearest point over every segment of
 * every vessel, ownership by smallest w, lumen exclusion, gap, guard, VOI, rings, lesions. They are
 * few (a band 2e-3 mm wide around each threshold), so brute force is cheap, and every backend and
 * adapter then reports the float64 definition for them.
 */
import {
  RING_COUNT,
  RING_WIDTH_MM,
  type PreparedLesion,
  type PreparedVessel,
  type ShellOptions,
} from '../measure/pericoronary-types';
import type { LabelHistograms } from '../stats/label-stats';
import { type Geometry, type Vec3, voxelToWorld } from '../volume/geometry';
import type { LesionEntry } from '../kernels/shell-plan';
import { nearestOnPolylineBrute } from './shell-labels';

export interface SettledVoxel {
  /** Crop index. */
  readonly index: number;
  /** VOI label (1 + vessel) or 0. */
  readonly voi: number;
  /** Ring label (1 + vessel·RING_COUNT + k) or 0. */
  readonly ring: number;
  /** Indices of the lesions whose region holds it. */
  readonly lesions: number[];
}

/** METHOD §4's nearest point on a vessel's polyline, in float64 (the CPU reference's oracle). */
type Nearest = { w: number; s: number; r: number };

function nearestOnVessel(v: PreparedVessel, p: Vec3): Nearest {
  return nearestOnPolylineBrute(v.points, v.radii, v.arcMm, p);
}

function inLumen(vessels: readonly PreparedVessel[], p: Vec3): boolean {
  return vessels.some((v) => nearestOnVessel(v, p).w <= 0);
}

/** Float64 classification of crop voxels `indices` of the crop starting at CT voxel `lo`. */
export function settleUndecided(
  ct: Geometry & { readonly hu: Int16Array },
  lo: Vec3,
  cropDims: Vec3,
  indices: ArrayLike<number>,
  vessels: readonly PreparedVessel[],
  lesions: readonly PreparedLesion[],
  opts: ShellOptions,
): SettledVoxel[] {
  const [cx, cy] = cropDims;
  const out: SettledVoxel[] = [];
  for (let n = 0; n < indices.length; n++) {
    const c = indices[n] as number;
    const ijk: Vec3 = [lo[0] + (c % cx), lo[1] + (Math.floor(c / cx) % cy), lo[2] + Math.floor(c / (cx * cy))];
    const p = voxelToWorld(ct, ijk);
    const near = vessels.map((v) => nearestOnVessel(v, p));
    const none: SettledVoxel = { index: c, voi: 0, ring: 0, lesions: [] };
    if (near.some((x) => x.w <= 0)) {
      out.push(none);
      continue;
    }
    let o = 0;
    for (let i = 1; i < near.length; i++) if ((near[i] as Nearest).w < (near[o] as Nearest).w) o = i;
    const { w, s, r } = near[o] as Nearest;
    if (w <= opts.wallGapMm || (opts.calciumGuardMm !== null && nearCalcium(ct, ijk, vessels, opts))) {
      out.push(none);
      continue;
    }
    const vessel = vessels[o] as PreparedVessel;
    const inSeg = s >= vessel.segmentMm[0] && s <= vessel.segmentMm[1];
    const inVoi = w <= 2 * r;
    const k = Math.ceil(w / RING_WIDTH_MM) - 1;
    out.push({
      index: c,
      voi: inSeg && inVoi ? 1 + o : 0,
      ring: inSeg && k >= 0 && k < RING_COUNT ? 1 + o * RING_COUNT + k : 0,
      lesions: lesions.flatMap((l, j) => (inVoi && l.vesselIndex === o && s >= l.startMm && s <= l.endMm ? [j] : [])),
    });
  }
  return out;
}

/** Whether a voxel ≥ calciumHu outside every lumen lies within the guard distance (centre to centre). */
function nearCalcium(
  ct: Geometry & { readonly hu: Int16Array },
  ijk: Vec3,
  vessels: readonly PreparedVessel[],
  opts: ShellOptions,
): boolean {
  const c = opts.calciumGuardMm as number;
  const [nx, ny, nz] = ct.dims;
  const reach = ct.spacing.map((sp) => Math.floor(c / sp));
  for (let dk = -(reach[2] as number); dk <= (reach[2] as number); dk++)
    for (let dj = -(reach[1] as number); dj <= (reach[1] as number); dj++)
      for (let di = -(reach[0] as number); di <= (reach[0] as number); di++) {
        const i = ijk[0] + di;
        const j = ijk[1] + dj;
        const k = ijk[2] + dk;
        if (i < 0 || j < 0 || k < 0 || i >= nx || j >= ny || k >= nz) continue;
        if ((di * ct.spacing[0]) ** 2 + (dj * ct.spacing[1]) ** 2 + (dk * ct.spacing[2]) ** 2 > c * c) continue;
        if ((ct.hu[i + nx * (j + ny * k)] as number) < opts.calciumHu) continue;
        if (!inLumen(vessels, voxelToWorld(ct, [i, j, k]))) return true;
      }
  return false;
}

/** Adds settled voxels to the histograms (and, when given, to the label layers of the crop). */
export function addSettled(
  settled: readonly SettledVoxel[],
  huCrop: Int16Array,
  h: { voi: LabelHistograms; rings: LabelHistograms; lesions: LabelHistograms | null },
  lesionLayers: readonly (readonly LesionEntry[])[],
  layers?: { voi: Uint8Array; rings: Uint8Array; lesions: Uint8Array[] },
): void {
  const add = (hist: LabelHistograms, label: number, hu: number) => {
    hist.voxels[label] = (hist.voxels[label] as number) + 1;
    if (hu >= hist.window.lo && hu <= hist.window.hi) {
      const bins = hist.window.hi - hist.window.lo + 1;
      hist.histogram[label * bins + hu - hist.window.lo]++;
    }
  };
  for (const v of settled) {
    const hu = huCrop[v.index] as number;
    if (v.voi) add(h.voi, v.voi, hu);
    if (v.ring) add(h.rings, v.ring, hu);
    if (layers) {
      layers.voi[v.index] = v.voi;
      layers.rings[v.index] = v.ring;
    }
    for (const j of v.lesions) {
      if (h.lesions) add(h.lesions, 1 + j, hu);
      const layer = lesionLayers.findIndex((entries) => entries.some((e) => e.label === 1 + j));
      const target = layers?.lesions[layer];
      if (target) target[v.index] = 1 + j;
    }
  }
}
