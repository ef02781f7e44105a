/**
 * Continuous HU at any LPS point (trilinear between voxel centres), and the lumen membership the
 * radius and centring work with. Sub-voxel: the half-maximum boundary falls between voxel centres,
 * and the radius must not be quantised to the grid.
 */
import { worldToVoxel, type Vec3 } from '../volume/geometry';
import type { CtVolume } from '../volume/volume';

export type Sampler = (p: Vec3) => number;

/** Trilinear HU at an LPS point; outside the grid the nearest edge voxel continues. */
export function huSampler(ct: CtVolume): Sampler {
  const [nx, ny, nz] = ct.dims;
  const hu = ct.hu;
  const sx = nx;
  const sxy = nx * ny;
  return (p: Vec3): number => {
    const v = worldToVoxel(ct, p);
    const x = Math.min(nx - 1, Math.max(0, v[0]));
    const y = Math.min(ny - 1, Math.max(0, v[1]));
    const z = Math.min(nz - 1, Math.max(0, v[2]));
    const i0 = Math.min(nx - 2, Math.floor(x));
    const j0 = Math.min(ny - 2, Math.floor(y));
    const k0 = Math.min(nz - 2, Math.floor(z));
    // A grid one voxel thick along an axis: both corners are the same voxel.
    const di = nx > 1 ? 1 : 0;
    const dj = ny > 1 ? sx : 0;
    const dk = nz > 1 ? sxy : 0;
    const fx = nx > 1 ? x - i0 : 0;
    const fy = ny > 1 ? y - j0 : 0;
    const fz = nz > 1 ? z - k0 : 0;
    const m = Math.max(0, i0) + Math.max(0, j0) * sx + Math.max(0, k0) * sxy;
    const c000 = hu[m] as number;
    const c100 = hu[m + di] as number;
    const c010 = hu[m + dj] as number;
    const c110 = hu[m + di + dj] as number;
    const c001 = hu[m + dk] as number;
    const c101 = hu[m + di + dk] as number;
    const c011 = hu[m + dj + dk] as number;
    const c111 = hu[m + di + dj + dk] as number;
    const a = c000 + fx * (c100 - c000);
    const b = c010 + fx * (c110 - c010);
    const c = c001 + fx * (c101 - c001);
    const d = c011 + fx * (c111 - c011);
    const e = a + fy * (b - a);
    const f = c + fy * (d - c);
    return e + fz * (f - e);
  };
}

/**
 * Lumen membership in [0, 1]: 0.5 exactly at `level` (half-way between lumen and background HU,
 * the half-maximum rule), 1 at the lumen HU, 0 at the background, linear between. Calcified plaque
 * is brighter than the lumen by more than the lumen is brighter than the boundary: membership
 * falls again above the lumen and is 0.5 at `level + 2·(lumen − level)` (the lumen HU plus half the
 * contrast), so the half-maximum boundary also holds between lumen and calcium, not around both.
 */
export function membership(sample: Sampler, level: number, contrast: number): Sampler {
  const c = Math.max(1, contrast);
  const upper = level + c;
  return (p: Vec3): number => {
    const h = sample(p);
    return Math.min(1, Math.max(0, 0.5 + Math.min(h - level, upper - h) / c));
  };
}

/** HU at and above which a voxel is calcium, not lumen (see `membership`), capped at `CALCIUM_HU`. */
export function calciumLevel(level: number, contrast: number, cap: number): number {
  return Math.min(cap, level + Math.max(1, contrast));
}
