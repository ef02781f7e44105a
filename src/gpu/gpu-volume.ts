/**
 * Volumes resident on the GPU, cut into z-slabs that each fit one storage binding.
 *
 * HU upload as packed int16 — two voxels per u32, low half first, which is exactly the memory of
 * a little-endian Int16Array — so a 512×512×600 CT is 315 MB, not 630 MB. Labels upload as packed
 * u8, four voxels per u32. Each slab's buffer starts at its own first voxel.
 */
import { PerifatError } from '../errors';
import type { Vec3 } from '../volume/geometry';
import type { GpuContext } from './device';
import { readBuffer, storageBuffer, writeBytes } from './buffers';
import { type Slab, packedBytes, planSlabs } from './slabs';

export interface GpuSlab extends Slab {
  readonly voxels: number;
  readonly buffer: GPUBuffer;
}

export interface GpuVolume {
  readonly dims: Vec3;
  readonly bytesPerVoxel: 1 | 2;
  readonly slabs: readonly GpuSlab[];
  destroy(): void;
}

/** The largest storage binding to plan slabs for: the adapter's, or a smaller one for tests. */
export function bindingLimit(ctx: GpuContext, override?: number): number {
  const lim = Math.min(ctx.device.limits.maxStorageBufferBindingSize, ctx.device.limits.maxBufferSize);
  return override !== undefined ? Math.min(lim, override) : lim;
}

/** Slabs for HU volumes (2 bytes/voxel); labels reuse the same z-ranges so slabs line up. */
export function planVolumeSlabs(ctx: GpuContext, dims: Vec3, maxBindingBytes?: number): Slab[] {
  return planSlabs(dims, 2, bindingLimit(ctx, maxBindingBytes));
}

export function uploadHu(ctx: GpuContext, dims: Vec3, hu: Int16Array, slabs: readonly Slab[], label = 'hu'): GpuVolume {
  return upload(ctx, dims, new Uint8Array(hu.buffer, hu.byteOffset, hu.byteLength), 2, slabs, label);
}

export function uploadLabels(
  ctx: GpuContext,
  dims: Vec3,
  labels: Uint8Array,
  slabs: readonly Slab[],
  label = 'labels',
): GpuVolume {
  return upload(ctx, dims, labels, 1, slabs, label);
}

/** Empty per-voxel label buffers on the same slabs, for kernels that write labels on the GPU. */
export function allocateLabels(ctx: GpuContext, dims: Vec3, slabs: readonly Slab[], label = 'labels'): GpuVolume {
  const slice = dims[0] * dims[1];
  const made: GpuSlab[] = slabs.map((s) => {
    const voxels = (s.z1 - s.z0) * slice;
    return { ...s, voxels, buffer: storageBuffer(ctx, `${label}[${s.z0}:${s.z1}]`, packedBytes(voxels, 1)) };
  });
  return volumeOf(dims, 1, made);
}

function upload(
  ctx: GpuContext,
  dims: Vec3,
  bytes: Uint8Array,
  bytesPerVoxel: 1 | 2,
  slabs: readonly Slab[],
  label: string,
): GpuVolume {
  const slice = dims[0] * dims[1];
  if (bytes.byteLength !== slice * dims[2] * bytesPerVoxel) {
    throw new PerifatError('E_INPUT_VALUE', `${label}: ${bytes.byteLength} bytes do not match dims ${dims.join('×')}`);
  }
  const made: GpuSlab[] = [];
  try {
    for (const s of slabs) {
      const voxels = (s.z1 - s.z0) * slice;
      const buffer = storageBuffer(ctx, `${label}[${s.z0}:${s.z1}]`, packedBytes(voxels, bytesPerVoxel));
      made.push({ ...s, voxels, buffer });
      writeBytes(ctx, buffer, bytes.subarray(s.z0 * slice * bytesPerVoxel, s.z1 * slice * bytesPerVoxel));
    }
  } catch (e) {
    for (const m of made) m.buffer.destroy();
    throw e;
  }
  return volumeOf(dims, bytesPerVoxel, made);
}

function volumeOf(dims: Vec3, bytesPerVoxel: 1 | 2, slabs: GpuSlab[]): GpuVolume {
  return {
    dims,
    bytesPerVoxel,
    slabs,
    destroy() {
      for (const s of slabs) s.buffer.destroy();
    },
  };
}

/** A u8 label volume read back whole (slab by slab, into one array, i fastest). */
export async function readLabels(ctx: GpuContext, v: GpuVolume): Promise<Uint8Array> {
  const slice = v.dims[0] * v.dims[1];
  const out = new Uint8Array(slice * v.dims[2]);
  for (const sl of v.slabs) out.set(new Uint8Array(await readBuffer(ctx, sl.buffer, sl.voxels)), sl.z0 * slice);
  return out;
}
