/**
 * Host side of the exact separable feature transform (shaders/feature_init.wgsl, feature_seed.wgsl,
 * feature_pass.wgsl): every voxel gets the linear index of its nearest site, anisotropic spacing,
 * one lower-envelope pass per axis. The EDT (edt.ts) and the per-vessel nearest-centerline
 * transform of the pericoronary shells (src/host/pericoronary-gpu.ts) are built on it.
 *
 * All passes are grid-stride loops over few workgroups (chooseGrid), one invocation per line; a
 * dispatch never needs more than maxComputeWorkgroupsPerDimension workgroups, so nothing is folded.
 */
import initCode from '../../shaders/feature_init.wgsl?raw';
import gridLib from '../../shaders/lib/grid.wgsl?raw';
import featurePassCode from '../../shaders/feature_pass.wgsl?raw';
import seedCode from '../../shaders/feature_seed.wgsl?raw';
import { PerifatError } from '../errors';
import { BufferScope, readBuffer, writeBytes } from '../host/buffers';
import type { GpuContext } from '../host/device';
import { chooseGrid } from '../host/dispatch';
import { withErrorScopes } from '../host/error-scope';
import { bindingLimit } from '../host/gpu-volume';
import { getPipeline } from '../host/pipeline-cache';
import { packedBytes } from '../host/slabs';
import type { Vec3 } from '../volume/geometry';
import { SEED_WORDS } from './feature-constants';
import { type KernelDecl, packUniform } from './types';

/** Invocations per workgroup of every distance/shell kernel: small, since each runs a whole line. */
export const DISTANCE_WG = 64;
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

export const FEATURE_SEED: KernelDecl = {
  name: 'feature_seed',
  code: seedCode,
  entryPoint: 'main',
  bindings: {
    params: { group: 0, binding: 0, kind: 'uniform' },
    seeds: { group: 0, binding: 1, kind: 'read' },
    ft: { group: 0, binding: 2, kind: 'read_write' },
  },
  params: {
    size: 16,
    fields: {
      seedCount: { offset: 0, type: 'u32' },
      seedWords: { offset: 4, type: 'u32' },
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

/** feature_init modes. */
export const FT_FROM_MASK = 0;
export const FT_FROM_COMPLEMENT = 1;
export const FT_EMPTY = 2;

export interface FeaturePipelines {
  readonly init: GPUComputePipeline;
  readonly seed: GPUComputePipeline;
  readonly pass: GPUComputePipeline;
}

export async function featurePipelines(ctx: GpuContext): Promise<FeaturePipelines> {
  const c = { WG: DISTANCE_WG };
  const [init, seed, pass] = await Promise.all([
    getPipeline(ctx, FEATURE_INIT, c),
    getPipeline(ctx, FEATURE_SEED, c),
    getPipeline(ctx, FEATURE_PASS, c),
  ]);
  return { init, seed, pass };
}

/** Workgroups of a grid-stride dispatch over `items`. */
export function gridFor(ctx: GpuContext, items: number): number {
  return chooseGrid(items, {
    software: ctx.isSoftware,
    hostCores: ctx.hostCores,
    workgroupSize: DISTANCE_WG,
    maxPerDim: ctx.device.limits.maxComputeWorkgroupsPerDimension,
  }).workgroups;
}

/** One labelled compute pass: bind `buffers` at bindings 0, 1, … (binding 0 = the uniform). */
export function encodeKernel(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  pipeline: GPUComputePipeline,
  label: string,
  buffers: readonly GPUBuffer[],
  workgroups: number,
): void {
  const bind = ctx.device.createBindGroup({
    label: `perifat:${label}`,
    layout: pipeline.getBindGroupLayout(0),
    entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
  });
  const pass = enc.beginComputePass({ label: `perifat:${label}` });
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bind);
  pass.dispatchWorkgroups(workgroups);
  pass.end();
}

/** Check that a per-voxel buffer of `voxels` × `bytesPerVoxel` fits one storage binding. */
export function checkFits(ctx: GpuContext, what: string, voxels: number, bytesPerVoxel: number): void {
  const bytes = voxels * bytesPerVoxel;
  const limit = bindingLimit(ctx);
  if (bytes > limit || voxels >= 0xffffffff) {
    throw new PerifatError(
      'E_TOO_LARGE',
      `${what}: ${voxels} voxels need ${bytes} bytes, over this adapter's storage binding limit of ${limit} bytes`,
    );
  }
}

/** Upload a u8-per-voxel mask as packed u8 (four voxels per word). */
export function uploadMask(ctx: GpuContext, scope: BufferScope, label: string, mask: Uint8Array): GPUBuffer {
  const buf = scope.storage(label, packedBytes(mask.length, 1));
  writeBytes(ctx, buf, mask);
  return buf;
}

export function encodeFeatureInit(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  scope: BufferScope,
  pipes: FeaturePipelines,
  voxels: number,
  mode: number,
  mask: GPUBuffer | null,
  ft: GPUBuffer,
): void {
  const params = scope.uniform(
    'feature_init.params',
    packUniform(FEATURE_INIT.params!, { voxelCount: voxels, mode, _pad0: 0, _pad1: 0 }),
  );
  const m = mask ?? scope.storage('feature_init.noMask', 16);
  encodeKernel(ctx, enc, pipes.init, 'feature_init', [params, m, ft], gridFor(ctx, voxels));
}

export function encodeFeatureSeeds(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  scope: BufferScope,
  pipes: FeaturePipelines,
  seeds: GPUBuffer,
  seedCount: number,
  ft: GPUBuffer,
): void {
  if (seedCount === 0) return;
  const params = scope.uniform(
    'feature_seed.params',
    packUniform(FEATURE_SEED.params!, { seedCount, seedWords: SEED_WORDS, _pad0: 0, _pad1: 0 }),
  );
  encodeKernel(ctx, enc, pipes.seed, 'feature_seed', [params, seeds, ft], gridFor(ctx, seedCount));
}

/** Workgroups per axis pass and the scratch they need (3 words per line position per invocation). */
function passPlan(ctx: GpuContext, dims: Vec3): { workgroups: number[]; scratchBytes: number } {
  const [nx, ny, nz] = dims;
  const lines = [ny * nz, nx * nz, nx * ny];
  const budget = Math.min(SCRATCH_BUDGET, bindingLimit(ctx));
  let scratchBytes = 16;
  const workgroups = [0, 1, 2].map((a) => {
    const n = dims[a] as number;
    const perGroup = 3 * n * DISTANCE_WG * 4;
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
    encodeKernel(ctx, enc, pipes.pass, `feature_pass[${axis}]`, [params, src, dst, s], plan.workgroups[axis] as number);
    [src, dst] = [dst, src];
  }
  return src;
}

/** Scratch bytes the passes over `dims` need (to allocate one scratch buffer for many transforms). */
export function featureScratchBytes(ctx: GpuContext, dims: Vec3): number {
  return passPlan(ctx, dims).scratchBytes;
}

export type FeatureSites = { readonly mask: Uint8Array; readonly invert?: boolean } | { readonly seeds: Uint32Array };

/** Nearest site of every voxel, read back: the standalone kernel (tests, benchmarks). */
export async function featureTransformGpu(
  ctx: GpuContext,
  dims: Vec3,
  spacing: Vec3,
  sites: FeatureSites,
): Promise<Uint32Array> {
  spacing = spacing.map((s) => Math.fround(s)) as Vec3;
  const n = dims[0] * dims[1] * dims[2];
  checkFits(ctx, 'feature transform', n, 4);
  const pipes = await featurePipelines(ctx);
  const scope = new BufferScope(ctx);
  try {
    const a = scope.storage('feature.a', n * 4);
    const b = scope.storage('feature.b', n * 4);
    const out = await withErrorScopes(ctx, 'feature transform dispatch', () => {
      const enc = ctx.device.createCommandEncoder({ label: 'perifat:feature_transform' });
      if ('mask' in sites) {
        if (sites.mask.length !== n)
          throw new PerifatError('E_INPUT_VALUE', `mask has ${sites.mask.length} voxels, not ${n}`);
        const mask = uploadMask(ctx, scope, 'feature.mask', sites.mask);
        encodeFeatureInit(ctx, enc, scope, pipes, n, sites.invert ? FT_FROM_COMPLEMENT : FT_FROM_MASK, mask, a);
      } else {
        const seeds = scope.storage('feature.seeds', sites.seeds.byteLength);
        writeBytes(ctx, seeds, new Uint8Array(sites.seeds.buffer, sites.seeds.byteOffset, sites.seeds.byteLength));
        encodeFeatureInit(ctx, enc, scope, pipes, n, FT_EMPTY, null, a);
        encodeFeatureSeeds(ctx, enc, scope, pipes, seeds, sites.seeds.length / SEED_WORDS, a);
      }
      const result = encodeFeaturePasses(ctx, enc, scope, pipes, dims, spacing, a, b);
      ctx.device.queue.submit([enc.finish()]);
      return result;
    });
    return new Uint32Array(await readBuffer(ctx, out, n * 4));
  } finally {
    scope.destroyAll();
  }
}
