/**
 * Aortic sinuses for a phantom whose coronaries should be traced from a mask: a contrast-filled
 * ball (HU.blood) behind each ostium, against the vessel's first direction, overlapping its first
 * millimetre — where a real coronary leaves the aortic root. It gives centerline derivation what a
 * CCTA gives it (a tree that meets the aorta) and an aorta mask, and changes the CT the truth is
 * computed on (the balls replace fat), so truth and measurement see the same voxels.
 */
import { type Geometry, type Vec3, voxelToWorld, worldToVoxel } from '../volume/geometry';
import type { Vessel } from '../volume/vessels';
import { HU } from './anatomy';
import { TISSUE } from './types';

/** Sinus radius (mm): a real sinus of Valsalva is 12–17 mm across. */
export const SINUS_RADIUS_MM = 7;
/** How far the ostium sits inside its ball (mm): the lumen opens into the aorta. */
const OVERLAP_MM = 0.5;

/** Paints the sinuses into `hu` and `tissue` (not over lumen); returns the aorta mask (1 in the balls). */
export function paintSinuses(g: Geometry, vessels: readonly Vessel[], hu: Int16Array, tissue: Uint8Array): Uint8Array {
  const [nx, ny, nz] = g.dims;
  const aorta = new Uint8Array(hu.length);
  const centres = new Map<string, Vec3>();
  for (const v of vessels) {
    const a = v.points[0] as Vec3;
    // The first few millimetres' direction (points are 0.3–0.7 mm apart).
    const b = v.points[Math.min(6, v.points.length - 1)] as Vec3;
    const t: Vec3 = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
    const l = Math.hypot(...t) || 1;
    const back = SINUS_RADIUS_MM - OVERLAP_MM;
    centres.set(a.join(','), [a[0] - (back * t[0]) / l, a[1] - (back * t[1]) / l, a[2] - (back * t[2]) / l]);
  }
  for (const c of centres.values()) {
    const v = worldToVoxel(g, c);
    const reach = Math.ceil(SINUS_RADIUS_MM / Math.min(...g.spacing)) + 1;
    const lo = v.map((x) => Math.floor(x - reach));
    const hi = v.map((x) => Math.ceil(x + reach));
    for (let k = Math.max(0, lo[2] as number); k <= Math.min(nz - 1, hi[2] as number); k++)
      for (let j = Math.max(0, lo[1] as number); j <= Math.min(ny - 1, hi[1] as number); j++)
        for (let i = Math.max(0, lo[0] as number); i <= Math.min(nx - 1, hi[0] as number); i++) {
          const w = voxelToWorld(g, [i, j, k]);
          if (Math.hypot(w[0] - c[0], w[1] - c[1], w[2] - c[2]) > SINUS_RADIUS_MM) continue;
          const m = i + nx * (j + ny * k);
          if (tissue[m] === TISSUE.lumen) continue;
          aorta[m] = 1;
          tissue[m] = TISSUE.blood;
          hu[m] = HU.blood;
        }
  }
  return aorta;
}
