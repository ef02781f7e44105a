/**
 * Z-slab planning, GPU-free: a volume whose bytes exceed the largest storage binding is cut into
 * runs of whole slices that each fit.
 */
import { PerifatError } from '../errors';

export interface Slab {
  /** First slice (inclusive). */
  readonly z0: number;
  /** Last slice + 1 (exclusive). */
  readonly z1: number;
}

/** Bytes a buffer of `voxels` voxels needs, rounded up to whole u32 quads of `bytesPerVoxel`. */
export function packedBytes(voxels: number, bytesPerVoxel: number): number {
  // Kernels read 4 voxels per iteration (2 int16 words, 1 label word): pad to a multiple of 4 voxels.
  return Math.ceil(voxels / 4) * 4 * bytesPerVoxel;
}

/**
 * Slabs of whole slices such that every per-voxel buffer (bytesPerVoxel = the widest: 2 for int16
 * HU) of one slab fits in `maxBindingBytes`.
 */
export function planSlabs(
  dims: readonly [number, number, number],
  bytesPerVoxel: number,
  maxBindingBytes: number,
): Slab[] {
  const [nx, ny, nz] = dims;
  const slice = nx * ny;
  let perSlab = Math.floor(maxBindingBytes / (slice * bytesPerVoxel));
  while (perSlab > 0 && packedBytes(perSlab * slice, bytesPerVoxel) > maxBindingBytes) perSlab--;
  if (perSlab < 1) {
    throw new PerifatError(
      'E_TOO_LARGE',
      `one slice of ${nx}×${ny} voxels (${slice * bytesPerVoxel} bytes) exceeds the adapter's storage binding limit of ${maxBindingBytes} bytes`,
    );
  }
  const slabs: Slab[] = [];
  for (let z0 = 0; z0 < nz; z0 += perSlab) slabs.push({ z0, z1: Math.min(nz, z0 + perSlab) });
  return slabs;
}
