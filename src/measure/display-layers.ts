/**
 * What a viewer overlays on the CT, on the CT's grid (voxel order i fastest): the fat window, each
 * vessel's VOI and its rings coloured by their distance from the wall, the lesions' VOIs, the
 * centerlines, and the EAT HU histogram. Pure functions of a measurement's inputs and layers, so a
 * page only displays them.
 */
import { uncrop } from '../volume/crop';
import type { Geometry, Vec3 } from '../volume/geometry';
import { worldToVoxel } from '../volume/geometry';
import type { VesselSet } from '../volume/vessels';
import type { MeasureLayers } from './measure';
import type { FatWindow } from '../stats/fat-window';
import { RING_COUNT } from './pericoronary-types';

/** 1 where the HU is inside the fat window. */
export function fatWindowLayer(hu: ArrayLike<number>, window: FatWindow): Uint8Array {
  const out = new Uint8Array(hu.length);
  for (let i = 0; i < hu.length; i++) {
    const v = hu[i] as number;
    out[i] = v >= window.lo && v <= window.hi ? 1 : 0;
  }
  return out;
}

/**
 * Each VOI voxel's ring as its distance band from the wall, 1 (0–1 mm) … RING_COUNT (19–20 mm),
 * whatever its vessel; 0 outside every VOI. With `vessels` (indices into `m.vessels`), only the
 * rings of those vessels: a viewer that hides a vessel hides its rings too.
 */
export function ringDistanceLayer(dims: Vec3, m: MeasureLayers, vessels?: readonly number[]): Uint8Array {
  const keep = vesselFilter(vessels);
  // A voxel where vessels tie (METHOD.md §4) is in each one's rings: its band shows while any is kept.
  const rings = firstKept(m, 'rings', (r) => keep(Math.floor((r - 1) / RING_COUNT)));
  for (let i = 0; i < rings.length; i++) {
    const r = rings[i] as number;
    if (r !== 0) rings[i] = ((r - 1) % RING_COUNT) + 1;
  }
  return uncrop(rings, m.crop, dims);
}

/**
 * The VOI labelmap (1 + vessel index) on the full grid. With `vessels` (indices into `m.vessels`),
 * only the VOIs of those vessels (each keeps its label).
 */
export function voiLayer(dims: Vec3, m: MeasureLayers, vessels?: readonly number[]): Uint8Array {
  if (!vessels && !m.layers.ties?.length) return uncrop(m.layers.voi, m.crop, dims);
  const keep = vesselFilter(vessels);
  // A voxel where vessels tie is in each one's VOI: it shows (with the lowest kept label) while any is kept.
  return uncrop(
    firstKept(m, 'voi', (v) => keep(v - 1)),
    m.crop,
    dims,
  );
}

/**
 * One crop layer from the tie layers (ShellLayers: `voi`/`rings` first, then `ties`): at each voxel
 * the first label, over the tie layers in order, that `keep` accepts; 0 where none does.
 */
function firstKept(m: MeasureLayers, which: 'voi' | 'rings', keep: (label: number) => boolean): Uint8Array {
  const layers = [m.layers[which], ...(m.layers.ties ?? []).map((t) => t[which])];
  const out = new Uint8Array((layers[0] as Uint8Array).length);
  for (let t = layers.length - 1; t >= 0; t--) {
    const layer = layers[t] as Uint8Array;
    for (let i = 0; i < out.length; i++) {
      const v = layer[i] as number;
      if (v !== 0 && keep(v)) out[i] = v;
    }
  }
  return out;
}

/**
 * The lesions' VOIs on the full grid as one labelmap: 1 + the lowest index (into the report's
 * lesions) of the lesions whose VOI holds the voxel, 0 outside every lesion VOI. Lesions that
 * overlap are measured on separate layers; this folds the layers into one for display.
 */
export function lesionVoiLayer(dims: Vec3, m: MeasureLayers): Uint8Array {
  const [head, ...rest] = m.layers.lesions;
  if (!head) return new Uint8Array(dims[0] * dims[1] * dims[2]);
  const all = Uint8Array.from(head);
  for (const layer of rest) {
    for (let i = 0; i < all.length; i++) {
      const l = layer[i] as number;
      const a = all[i] as number;
      if (l > 0 && (a === 0 || l < a)) all[i] = l;
    }
  }
  return uncrop(all, m.crop, dims);
}

/** Whether a vessel index is kept: every one without a list. */
function vesselFilter(vessels: readonly number[] | undefined): (index: number) => boolean {
  if (!vessels) return () => true;
  const set = new Set(vessels);
  return (index) => set.has(index);
}

/** 1 + vessel index along each centerline (sampled every quarter voxel, one voxel thick). */
export function centerlineLayer(grid: Geometry, vessels: VesselSet): Uint8Array {
  const [nx, ny, nz] = grid.dims;
  const out = new Uint8Array(nx * ny * nz);
  vessels.vessels.forEach((v, index) => {
    for (let p = 1; p < v.points.length; p++) {
      const a = worldToVoxel(grid, v.points[p - 1] as Vec3);
      const b = worldToVoxel(grid, v.points[p] as Vec3);
      const steps = Math.max(1, Math.ceil(4 * Math.max(...a.map((x, c) => Math.abs((b[c] as number) - x)))));
      for (let s = 0; s <= steps; s++) {
        const t = s / steps;
        const i = Math.round(a[0] + t * (b[0] - a[0]));
        const j = Math.round(a[1] + t * (b[1] - a[1]));
        const k = Math.round(a[2] + t * (b[2] - a[2]));
        if (i >= 0 && j >= 0 && k >= 0 && i < nx && j < ny && k < nz) out[i + nx * (j + ny * k)] = index + 1;
      }
    }
  });
  return out;
}

/** Counts of each integer HU from lo to hi over the voxels where mask is set. */
export function huHistogram(hu: ArrayLike<number>, mask: Uint8Array, window: FatWindow): number[] {
  const counts = new Array<number>(window.hi - window.lo + 1).fill(0);
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue;
    const v = Math.round(hu[i] as number);
    if (v >= window.lo && v <= window.hi) counts[v - window.lo] = (counts[v - window.lo] as number) + 1;
  }
  return counts;
}
