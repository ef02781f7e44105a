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

/** A z-slab of the pericoronary crop, with the slices its calcium-guard EDT must also see. */
export interface ShellSlab extends Slab {
  /** First slice of the guard's EDT region (z0 − halo, clipped). */
  readonly g0: number;
  /** Last slice + 1 of the guard's EDT region (z1 + halo, clipped). */
  readonly g1: number;
}

/**
 * Bytes per crop voxel of the shells' widest per-voxel buffer: the int16 HU (label layers are u8;
 * the kernels' f32 state is per entry of the live cells, chunked on its own, shell-stages.ts).
 */
export const SHELL_VOXEL_BYTES = 2;
/** Bytes per voxel of the widest EDT buffer (feature sites and distances, u32/f32). */
export const EDT_BYTES = 4;

/**
 * Slabs of the pericoronary crop such that every per-voxel shell buffer of a slab fits in
 * `maxBindingBytes`. Each voxel's geometry depends on nothing but its own position, so the shells
 * cut anywhere; the calcium guard's distance does not: a slab's EDT runs on the slab widened by
 * `haloSlices` on each side (every calcium voxel within the guard plus its band of the slab lies
 * there, so the distances the labels compare with the guard are the whole crop's).
 */
export function planShellSlabs(
  dims: readonly [number, number, number],
  haloSlices: number | null,
  maxBindingBytes: number,
): ShellSlab[] {
  const [nx, ny, nz] = dims;
  const slice = nx * ny;
  const halo = haloSlices ?? 0;
  const fits = (slices: number): boolean =>
    packedBytes(slices * slice, SHELL_VOXEL_BYTES) <= maxBindingBytes &&
    (haloSlices === null || packedBytes(Math.min(nz, slices + 2 * halo) * slice, EDT_BYTES) <= maxBindingBytes);
  let perSlab = Math.min(nz, Math.floor(maxBindingBytes / (slice * SHELL_VOXEL_BYTES)));
  while (perSlab > 0 && !fits(perSlab)) perSlab--;
  if (perSlab < 1) {
    throw new PerifatError(
      'E_TOO_LARGE',
      `one slice of the ${nx}×${ny} pericoronary crop (${slice * SHELL_VOXEL_BYTES} bytes of HU` +
        (haloSlices !== null ? `, ${2 * halo} guard slices around it` : '') +
        `) exceeds the adapter's storage binding limit of ${maxBindingBytes} bytes`,
    );
  }
  const slabs: ShellSlab[] = [];
  for (let z0 = 0; z0 < nz; z0 += perSlab) {
    const z1 = Math.min(nz, z0 + perSlab);
    slabs.push({ z0, z1, g0: Math.max(0, z0 - halo), g1: Math.min(nz, z1 + halo) });
  }
  return slabs;
}
