/**
 * The working box of a derivation: the mask's bounding box plus a margin, so nothing scales with
 * the 512 × 512 × 300 CT. Voxel indices inside the box are "crop indices"; the box knows how to
 * go to LPS mm and how inside the lumen a point is (the binary mask interpolated trilinearly, the
 * 0.5 level placing the wall half-way between an inside and an outside voxel centre).
 */
import { voxelToWorld, worldToVoxel, type Geometry, type Vec3 } from '../volume/geometry';

export interface Crop {
  readonly geometry: Geometry;
  /** Offset of the box in the full grid, and its size. */
  readonly off: Vec3;
  readonly dims: Vec3;
  readonly spacing: Vec3;
  /** 1 inside the lumen, over the box. */
  readonly mask: Uint8Array;
}

/** Box of the voxels where `pick(v)` holds, plus `margin` voxels (clipped to the grid); null if none. */
export function cropOf(geometry: Geometry, pick: (v: number) => boolean, n: number, margin: number): Crop | null {
  const [nx, ny, nz] = geometry.dims;
  const lo: Vec3 = [nx, ny, nz];
  const hi: Vec3 = [-1, -1, -1];
  for (let v = 0; v < n; v++) {
    if (!pick(v)) continue;
    const i = v % nx;
    const j = Math.floor(v / nx) % ny;
    const k = Math.floor(v / (nx * ny));
    if (i < lo[0]) lo[0] = i;
    if (i > hi[0]) hi[0] = i;
    if (j < lo[1]) lo[1] = j;
    if (j > hi[1]) hi[1] = j;
    if (k < lo[2]) lo[2] = k;
    if (k > hi[2]) hi[2] = k;
  }
  if (hi[0] < 0) return null;
  // The margin may run past the grid: those voxels are background (and give the EDT a wall).
  const off: Vec3 = [lo[0] - margin, lo[1] - margin, lo[2] - margin];
  const dims: Vec3 = [hi[0] - lo[0] + 1 + 2 * margin, hi[1] - lo[1] + 1 + 2 * margin, hi[2] - lo[2] + 1 + 2 * margin];
  const mask = new Uint8Array(dims[0] * dims[1] * dims[2]);
  for (let k = lo[2]; k <= hi[2]; k++)
    for (let j = lo[1]; j <= hi[1]; j++) {
      const row = nx * (j + ny * k);
      const crow = dims[0] * (j - off[1] + dims[1] * (k - off[2])) - off[0];
      for (let i = lo[0]; i <= hi[0]; i++) if (pick(row + i)) mask[crow + i] = 1;
    }
  return { geometry, off, dims, spacing: geometry.spacing, mask };
}

export function cropIjk(c: Crop, v: number): Vec3 {
  const nx = c.dims[0];
  const ny = c.dims[1];
  return [v % nx, Math.floor(v / nx) % ny, Math.floor(v / (nx * ny))];
}

/** LPS mm of a crop voxel centre. */
export function cropWorld(c: Crop, v: number): Vec3 {
  const [i, j, k] = cropIjk(c, v);
  return voxelToWorld(c.geometry, [i + c.off[0], j + c.off[1], k + c.off[2]]);
}

/** Continuous crop index of an LPS point. */
export function worldToCrop(c: Crop, p: Vec3): Vec3 {
  const q = worldToVoxel(c.geometry, p);
  return [q[0] - c.off[0], q[1] - c.off[1], q[2] - c.off[2]];
}

/** Nearest crop voxel of an LPS point, −1 outside the box. */
export function cropVoxelAt(c: Crop, p: Vec3): number {
  const q = worldToCrop(c, p);
  const i = Math.round(q[0]);
  const j = Math.round(q[1]);
  const k = Math.round(q[2]);
  if (i < 0 || j < 0 || k < 0 || i >= c.dims[0] || j >= c.dims[1] || k >= c.dims[2]) return -1;
  return i + c.dims[0] * (j + c.dims[1] * k);
}

/** Trilinear interpolation of a 0/1 crop mask at an LPS point (0 outside the box). */
export function insideFn(c: Crop, mask: Uint8Array = c.mask): (p: Vec3) => number {
  const [nx, ny, nz] = c.dims;
  const at = (i: number, j: number, k: number): number =>
    i < 0 || j < 0 || k < 0 || i >= nx || j >= ny || k >= nz ? 0 : (mask[i + nx * (j + ny * k)] as number);
  return (p: Vec3): number => {
    const q = worldToCrop(c, p);
    const i = Math.floor(q[0]);
    const j = Math.floor(q[1]);
    const k = Math.floor(q[2]);
    const fx = q[0] - i;
    const fy = q[1] - j;
    const fz = q[2] - k;
    const c00 = at(i, j, k) * (1 - fx) + at(i + 1, j, k) * fx;
    const c10 = at(i, j + 1, k) * (1 - fx) + at(i + 1, j + 1, k) * fx;
    const c01 = at(i, j, k + 1) * (1 - fx) + at(i + 1, j, k + 1) * fx;
    const c11 = at(i, j + 1, k + 1) * (1 - fx) + at(i + 1, j + 1, k + 1) * fx;
    return (c00 * (1 - fy) + c10 * fy) * (1 - fz) + (c01 * (1 - fy) + c11 * fy) * fz;
  };
}

/** The 26 neighbour offsets of a crop: linear offset and step length (mm). */
export function neighbours26(c: Crop): { off: Int32Array; len: Float64Array; d: Int8Array } {
  const off: number[] = [];
  const len: number[] = [];
  const d: number[] = [];
  for (let dk = -1; dk <= 1; dk++)
    for (let dj = -1; dj <= 1; dj++)
      for (let di = -1; di <= 1; di++) {
        if (di === 0 && dj === 0 && dk === 0) continue;
        off.push(di + c.dims[0] * (dj + c.dims[1] * dk));
        len.push(Math.hypot(di * c.spacing[0], dj * c.spacing[1], dk * c.spacing[2]));
        d.push(di, dj, dk);
      }
  return { off: Int32Array.from(off), len: Float64Array.from(len), d: Int8Array.from(d) };
}
