/**
 * Host side of the exact separable feature transform (feature-transform-init.wgsl,
 * feature-transform.wgsl): every voxel gets the linear index of its nearest site of a binary mask
 * (or of its complement), anisotropic spacing, one lower-envelope pass per axis. The EDT
 * (../edt) is built on it; its CPU twin is feature-transform.cpu.ts.
 *
 * All passes are grid-stride loops over few workgroups (gridFor), one invocation per line; a
 * dispatch never needs more than maxComputeWorkgroupsPerDimension workgroups, so nothing is folded.
 */
import initCode from './feature-transform-init.wgsl?raw';
import featurePassCode from './feature-transform.wgsl?raw';
import gridLib from '../lib/grid.wgsl?raw';
import { PerifatError } from '../../errors';
import { BufferScope, readBuffer } from '../../gpu/buffers';
import type { GpuContext } from '../../gpu/device';
import { LINE_WG, checkFits, encodeKernel, gridFor, uploadMask } from '../../gpu/dispatch';
import { withErrorScopes } from '../../gpu/error-scope';
import { bindingLimit } from '../../gpu/gpu-volume';
import { type KernelDecl, packUniform } from '../../gpu/kernel-decl';
import { getPipeline } from '../../gpu/pipeline-cache';
import type { Vec3 } from '../../volume/geometry';

/** Most scratch the line passes may use (envelopes of the lines in flight). */
const SCRATCH_BUDGET = 64 * 1024 * 1024;

export const FEATURE_INIT: KernelDecl = {
  name: 'feature_init',
  code: initCode,
  entryPoint: 'main',
  bindings: {
    params: { group: 0, binding: 0, kind: 'uniform' },
    mask: { group: 0, binding: 1, kind: 'read' },
    ft: { group: 0, binding: 2, kind: 'read_write' },
  },
  params: {
    size: 16,
    fields: {
      voxelCount: { offset: 0, type: 'u32' },
      mode: { offset: 4, type: 'u32' },
      _pad0: { offset: 8, type: 'u32' },
      _pad1: { offset: 12, type: 'u32' },
    },
  },
  overrides: ['WG'],
};

export const FEATURE_PASS: KernelDecl = {
  name: 'feature_pass',
  code: `${gridLib}\n${featurePassCode}`,
  entryPoint: 'main',
  bindings: {
    params: { group: 0, binding: 0, kind: 'uniform' },
    ftIn: { group: 0, binding: 1, kind: 'read' },
    ftOut: { group: 0, binding: 2, kind: 'read_write' },
    scratch: { group: 0, binding: 3, kind: 'read_write' },
  },
  params: {
    size: 32,
    fields: {
      nx: { offset: 0, type: 'u32' },
      ny: { offset: 4, type: 'u32' },
      nz: { offset: 8, type: 'u32' },
      axis: { offset: 12, type: 'u32' },
      sx: { offset: 16, type: 'f32' },
      sy: { offset: 20, type: 'f32' },
      sz: { offset: 24, type: 'f32' },
      _pad0: { offset: 28, type: 'u32' },
    },
  },
  overrides: ['WG'],
};

/** feature_init modes: sites are the mask's non-zero voxels, or its zero voxels. */
export const FT_FROM_MASK = 0;
export const FT_FROM_COMPLEMENT = 1;

export interface FeaturePipelines {
  readonly init: GPUComputePipeline;
  readonly pass: GPUComputePipeline;
}

/** Compiled one after the other (getPipeline serialises compiles per device anyway). */
export async function featurePipelines(ctx: GpuContext): Promise<FeaturePipelines> {
  const c = { WG: LINE_WG };
  const init = await getPipeline(ctx, FEATURE_INIT, c);
  const pass = await getPipeline(ctx, FEATURE_PASS, c);
  return { init, pass };
}

export function encodeFeatureInit(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  scope: BufferScope,
  pipes: FeaturePipelines,
  voxels: number,
  mode: number,
  mask: GPUBuffer,
  ft: GPUBuffer,
): void {
  const params = scope.uniform(
    'feature_init.params',
    packUniform(FEATURE_INIT.params!, { voxelCount: voxels, mode, _pad0: 0, _pad1: 0 }),
  );
  encodeKernel(ctx, enc, pipes.init, FEATURE_INIT, 'feature_init', { params, mask, ft }, gridFor(ctx, voxels));
}

/** Workgroups per axis pass and the scratch they need (3 words per line position per invocation). */
function passPlan(ctx: GpuContext, dims: Vec3): { workgroups: number[]; scratchBytes: number } {
  const [nx, ny, nz] = dims;
  const lines = [ny * nz, nx * nz, nx * ny];
  const budget = Math.min(SCRATCH_BUDGET, bindingLimit(ctx));
  let scratchBytes = 16;
  const workgroups = [0, 1, 2].map((a) => {
    const n = dims[a] as number;
    const perGroup = 3 * n * LINE_WG * 4;
    const wg = Math.max(1, Math.min(gridFor(ctx, lines[a] as number), Math.floor(budget / perGroup)));
    scratchBytes = Math.max(scratchBytes, wg * perGroup);
    return wg;
  });
  return { workgroups, scratchBytes };
}

/**
 * Encode the x, y, z passes: a → b → a → b. Returns b, which then holds the nearest site of every
 * voxel; a is left as scratch.
 */
export function encodeFeaturePasses(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  scope: BufferScope,
  pipes: FeaturePipelines,
  dims: Vec3,
  spacing: Vec3,
  a: GPUBuffer,
  b: GPUBuffer,
  scratch?: GPUBuffer,
): GPUBuffer {
  const plan = passPlan(ctx, dims);
  const s = scratch ?? scope.storage('feature_pass.scratch', plan.scratchBytes);
  let src = a;
  let dst = b;
  for (const axis of [0, 1, 2]) {
    const params = scope.uniform(
      `feature_pass.params[${axis}]`,
      packUniform(FEATURE_PASS.params!, {
        nx: dims[0],
        ny: dims[1],
        nz: dims[2],
        axis,
        sx: spacing[0],
        sy: spacing[1],
        sz: spacing[2],
        _pad0: 0,
      }),
    );
    encodeKernel(
      ctx,
      enc,
      pipes.pass,
      FEATURE_PASS,
      `feature_pass[${axis}]`,
      { params, ftIn: src, ftOut: dst, scratch: s },
      plan.workgroups[axis] as number,
    );
    [src, dst] = [dst, src];
  }
  return src;
}

/** Scratch bytes the passes over `dims` need (to allocate one scratch buffer for many transforms). */
export function featureScratchBytes(ctx: GpuContext, dims: Vec3): number {
  return passPlan(ctx, dims).scratchBytes;
}

/** Nearest site of every voxel (of the mask, or of its complement with `invert`), read back. */
export async function featureTransformGpu(
  ctx: GpuContext,
  dims: Vec3,
  spacing: Vec3,
  sites: { readonly mask: Uint8Array; readonly invert?: boolean },
): Promise<Uint32Array> {
  spacing = spacing.map((s) => Math.fround(s)) as Vec3;
  const n = dims[0] * dims[1] * dims[2];
  checkFits(ctx, 'feature transform', n, 4);
  if (sites.mask.length !== n)
    throw new PerifatError('E_INPUT_VALUE', `mask has ${sites.mask.length} voxels, not ${n}`);
  const pipes = await featurePipelines(ctx);
  const scope = new BufferScope(ctx);
  try {
    const a = scope.storage('feature.a', n * 4);
    const b = scope.storage('feature.b', n * 4);
    const out = await withErrorScopes(ctx, 'feature transform dispatch', () => {
      const enc = ctx.device.createCommandEncoder({ label: 'perifat:feature_transform' });
      const mask = uploadMask(ctx, scope, 'feature.mask', sites.mask);
      encodeFeatureInit(ctx, enc, scope, pipes, n, sites.invert ? FT_FROM_COMPLEMENT : FT_FROM_MASK, mask, a);
      const result = encodeFeaturePasses(ctx, enc, scope, pipes, dims, spacing, a, b);
      ctx.device.queue.submit([enc.finish()]);
      return result;
    });
    return new Uint32Array(await readBuffer(ctx, out, n * 4));
  } finally {
    scope.destroyAll();
  }
}
