/**
 * Host side of the exact anisotropic Euclidean distance transform: the feature transform of a
 * binary mask (../feature-transform) and edt.wgsl, which turns nearest sites into squared
 * distances (mm², f32). Signed: outside +d² to the mask, inside −d² to the background. Sentinels:
 * +∞ where the mask is empty, −∞ inside when there is no background. CPU twin: edt.cpu.ts.
 * Used by the calcium guard of the pericoronary shells and by the centerlines (distance to the wall).
 */
import distanceCode from './edt.wgsl?raw';
import gridLib from '../lib/grid.wgsl?raw';
import { PerifatError } from '../../errors';
import { BufferScope, readBuffer } from '../../gpu/buffers';
import type { GpuContext } from '../../gpu/device';
import { LINE_WG, checkFits, encodeKernel, gridFor, uploadMask } from '../../gpu/dispatch';
import { withErrorScopes } from '../../gpu/error-scope';
import { type KernelDecl, packUniform } from '../../gpu/kernel-decl';
import { getPipeline } from '../../gpu/pipeline-cache';
import type { Vec3 } from '../../volume/geometry';
import {
  FT_FROM_COMPLEMENT,
  FT_FROM_MASK,
  type FeaturePipelines,
  encodeFeatureInit,
  encodeFeaturePasses,
  featurePipelines,
  featureScratchBytes,
} from '../feature-transform/feature-transform';

export const EDT_DISTANCE: KernelDecl = {
  name: 'edt_distance',
  code: `${gridLib}\n${distanceCode}`,
  entryPoint: 'main',
  bindings: {
    params: { group: 0, binding: 0, kind: 'uniform' },
    ft: { group: 0, binding: 1, kind: 'read' },
    mask: { group: 0, binding: 2, kind: 'read' },
    dist: { group: 0, binding: 3, kind: 'read_write' },
  },
  params: {
    size: 32,
    fields: {
      nx: { offset: 0, type: 'u32' },
      ny: { offset: 4, type: 'u32' },
      nz: { offset: 8, type: 'u32' },
      mode: { offset: 12, type: 'u32' },
      sx: { offset: 16, type: 'f32' },
      sy: { offset: 20, type: 'f32' },
      sz: { offset: 24, type: 'f32' },
      _pad0: { offset: 28, type: 'u32' },
    },
  },
  overrides: ['WG'],
};

export interface EdtPipelines extends FeaturePipelines {
  readonly distance: GPUComputePipeline;
}

export async function edtPipelines(ctx: GpuContext): Promise<EdtPipelines> {
  const ft = await featurePipelines(ctx);
  const distance = await getPipeline(ctx, EDT_DISTANCE, { WG: LINE_WG });
  return { ...ft, distance };
}

/**
 * Encode the EDT of the packed u8 `mask` (dims voxels) into `dist` (f32 bits per voxel). Two
 * per-voxel u32 work buffers come from `scope`.
 */
export function encodeEdt(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  scope: BufferScope,
  pipes: EdtPipelines,
  dims: Vec3,
  spacing: Vec3,
  mask: GPUBuffer,
  dist: GPUBuffer,
  signed: boolean,
): void {
  const n = dims[0] * dims[1] * dims[2];
  const a = scope.storage('edt.ftA', n * 4);
  const b = scope.storage('edt.ftB', n * 4);
  const scratch = scope.storage('edt.scratch', featureScratchBytes(ctx, dims));
  const halves = signed ? [FT_FROM_MASK, FT_FROM_COMPLEMENT] : [FT_FROM_MASK];
  for (const mode of halves) {
    encodeFeatureInit(ctx, enc, scope, pipes, n, mode, mask, a);
    const ft = encodeFeaturePasses(ctx, enc, scope, pipes, dims, spacing, a, b, scratch);
    const params = scope.uniform(
      `edt_distance.params[${mode}]`,
      packUniform(EDT_DISTANCE.params!, {
        nx: dims[0],
        ny: dims[1],
        nz: dims[2],
        mode,
        sx: spacing[0],
        sy: spacing[1],
        sz: spacing[2],
        _pad0: 0,
      }),
    );
    encodeKernel(
      ctx,
      enc,
      pipes.distance,
      EDT_DISTANCE,
      `edt_distance[${mode}]`,
      { params, ft, mask, dist },
      gridFor(ctx, n),
    );
  }
}

/** Squared distances (mm²) of a u8-per-voxel mask, read back. */
export async function edtGpu(
  ctx: GpuContext,
  dims: Vec3,
  spacing: Vec3,
  mask: Uint8Array,
  opts: { signed?: boolean } = {},
): Promise<Float32Array> {
  const n = dims[0] * dims[1] * dims[2];
  if (mask.length !== n) throw new PerifatError('E_INPUT_VALUE', `mask has ${mask.length} voxels, not ${n}`);
  checkFits(ctx, 'distance transform', n, 4);
  const sp = spacing.map((s) => Math.fround(s)) as Vec3;
  const pipes = await edtPipelines(ctx);
  const scope = new BufferScope(ctx);
  try {
    const dist = scope.storage('edt.dist', n * 4);
    await withErrorScopes(ctx, 'edt dispatch', () => {
      const enc = ctx.device.createCommandEncoder({ label: 'perifat:edt' });
      const m = uploadMask(ctx, scope, 'edt.mask', mask);
      encodeEdt(ctx, enc, scope, pipes, dims, sp, m, dist, opts.signed === true);
      ctx.device.queue.submit([enc.finish()]);
    });
    return new Float32Array(await readBuffer(ctx, dist, n * 4));
  } finally {
    scope.destroyAll();
  }
}
