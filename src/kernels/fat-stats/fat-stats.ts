/**
 * Host side of the fat-statistics kernels. Hardware adapters run fat-stats.wgsl
 * (workgroup-private histograms; label passes planned to fit workgroup memory); software adapters
 * run fat-stats-private.wgsl (each workgroup's histogram in a storage slice, summed here),
 * which needs no workgroup memory and so compiles fast without Dawn's disable_workgroup_init.
 * One grid-stride pass per (label chunk, z-slab), all in a single submit. CPU twin: fat-stats.cpu.ts.
 */
import huLib from '../lib/hu.wgsl?raw';
import sharedCode from './fat-stats.wgsl?raw';
import privateCode from './fat-stats-private.wgsl?raw';
import { PerifatError } from '../../errors';
import type { GpuContext } from '../../gpu/device';
import { BufferScope, readBuffer } from '../../gpu/buffers';
import { chooseGrid, encodeKernel } from '../../gpu/dispatch';
import { withErrorScopes } from '../../gpu/error-scope';
import type { GpuVolume } from '../../gpu/gpu-volume';
import { getPipeline } from '../../gpu/pipeline-cache';
import { type FatWindow, checkWindow, windowBins } from '../../stats/fat-window';
import type { LabelHistograms } from '../../stats/label-stats';
import { type KernelDecl, packUniform } from '../../gpu/kernel-decl';

export const FAT_STATS: KernelDecl = {
  name: 'fat_stats',
  code: `${huLib}\n${sharedCode}`,
  entryPoint: 'main',
  bindings: {
    params: { group: 0, binding: 0, kind: 'uniform' },
    hu: { group: 0, binding: 1, kind: 'read' },
    labels: { group: 0, binding: 2, kind: 'read' },
    histogram: { group: 0, binding: 3, kind: 'read_write' },
    labelVoxels: { group: 0, binding: 4, kind: 'read_write' },
  },
  params: {
    size: 32,
    fields: {
      voxelCount: { offset: 0, type: 'u32' },
      labelFirst: { offset: 4, type: 'u32' },
      labelCount: { offset: 8, type: 'u32' },
      bins: { offset: 12, type: 'u32' },
      fatLo: { offset: 16, type: 'i32' },
      fatHi: { offset: 20, type: 'i32' },
      _pad0: { offset: 24, type: 'u32' },
      _pad1: { offset: 28, type: 'u32' },
    },
  },
  overrides: ['WG', 'HIST_WORDS', 'LABEL_SLOTS'],
};

export const FAT_STATS_PRIVATE: KernelDecl = {
  name: 'fat_stats_private',
  code: `${huLib}\n${privateCode}`,
  entryPoint: 'main',
  bindings: FAT_STATS.bindings,
  params: {
    size: 32,
    fields: {
      voxelCount: { offset: 0, type: 'u32' },
      maxLabel: { offset: 4, type: 'u32' },
      bins: { offset: 8, type: 'u32' },
      fatLo: { offset: 12, type: 'i32' },
      fatHi: { offset: 16, type: 'i32' },
      _pad0: { offset: 20, type: 'u32' },
      _pad1: { offset: 24, type: 'u32' },
      _pad2: { offset: 28, type: 'u32' },
    },
  },
  overrides: ['WG'],
};

/** Labels per pass that fit the adapter's workgroup memory (histogram rows plus one counter each). */
export function labelSlotsPerPass(workgroupBytes: number, bins: number, maxLabel: number): number {
  const slots = Math.floor(workgroupBytes / (4 * (bins + 1)));
  return Math.min(slots, maxLabel);
}

export interface FatStatsOptions {
  /** Labels 1…maxLabel are counted (≤ 255). */
  maxLabel: number;
  window: FatWindow;
  /** Which kernel: default 'private' on software adapters, 'shared' (workgroup memory) elsewhere. */
  variant?: 'shared' | 'private';
}

function workgroupSize(ctx: GpuContext): number {
  return Math.min(256, ctx.device.limits.maxComputeInvocationsPerWorkgroup);
}

/**
 * The pipeline fatStatsGpu runs for labels 1…maxLabel and this window on this adapter (its kernel
 * as in FatStatsOptions.variant; for the shared one, the labels counted per pass).
 */
export async function fatStatsPipeline(
  ctx: GpuContext,
  maxLabel: number,
  window: FatWindow,
  variant?: 'shared' | 'private',
): Promise<
  | { readonly variant: 'private'; readonly pipeline: GPUComputePipeline }
  | { readonly variant: 'shared'; readonly pipeline: GPUComputePipeline; readonly slots: number }
> {
  const wgSize = workgroupSize(ctx);
  if ((variant ?? (ctx.isSoftware ? 'private' : 'shared')) === 'private') {
    return { variant: 'private', pipeline: await getPipeline(ctx, FAT_STATS_PRIVATE, { WG: wgSize }) };
  }
  const bins = windowBins(window);
  const slots = labelSlotsPerPass(ctx.device.limits.maxComputeWorkgroupStorageSize, bins, maxLabel);
  if (slots < 1) {
    throw new PerifatError('E_GPU_LIMITS', `a fat window of ${bins} HU does not fit this adapter's workgroup memory`);
  }
  const constants = { WG: wgSize, HIST_WORDS: slots * bins, LABEL_SLOTS: slots };
  return { variant: 'shared', pipeline: await getPipeline(ctx, FAT_STATS, constants), slots };
}

export async function fatStatsGpu(
  ctx: GpuContext,
  hu: GpuVolume,
  labels: GpuVolume,
  opts: FatStatsOptions,
): Promise<LabelHistograms> {
  checkWindow(opts.window);
  const { maxLabel, window } = opts;
  if (!Number.isInteger(maxLabel) || maxLabel < 1 || maxLabel > 255) {
    throw new PerifatError('E_OPTIONS', `maxLabel must be 1…255, got ${maxLabel}`);
  }
  if (hu.slabs.length !== labels.slabs.length || hu.slabs.some((s, i) => s.z0 !== labels.slabs[i]?.z0)) {
    throw new PerifatError('E_MASK_GRID', 'HU and label volumes are not cut into the same slabs');
  }
  const bins = windowBins(window);
  const compiled = await fatStatsPipeline(ctx, maxLabel, window, opts.variant);
  if (compiled.variant === 'private') {
    return fatStatsPrivate(ctx, compiled.pipeline, hu, labels, maxLabel, window, bins);
  }
  const { pipeline, slots } = compiled;
  const wgSize = workgroupSize(ctx);

  const scope = new BufferScope(ctx);
  try {
    const histBytes = (maxLabel + 1) * bins * 4;
    const countBytes = (maxLabel + 1) * 4;
    const histogram = scope.storage('fat_stats.histogram', histBytes);
    const labelVoxels = scope.storage('fat_stats.labelVoxels', countBytes);
    await withErrorScopes(ctx, 'fat_stats dispatch', () => {
      const enc = ctx.device.createCommandEncoder({ label: 'perifat:fat_stats' });
      for (let first = 1; first <= maxLabel; first += slots) {
        const count = Math.min(slots, maxLabel - first + 1);
        hu.slabs.forEach((slab, i) => {
          const labelSlab = labels.slabs[i];
          if (!labelSlab) return;
          const grid = chooseGrid(Math.ceil(slab.voxels / 4), {
            software: ctx.isSoftware,
            hostCores: ctx.hostCores,
            workgroupSize: wgSize,
            maxPerDim: ctx.device.limits.maxComputeWorkgroupsPerDimension,
          });
          const params = scope.uniform(
            `fat_stats.params[${first}:${slab.z0}]`,
            packUniform(FAT_STATS.params!, {
              voxelCount: slab.voxels,
              labelFirst: first,
              labelCount: count,
              bins,
              fatLo: window.lo,
              fatHi: window.hi,
              _pad0: 0,
              _pad1: 0,
            }),
          );
          encodeKernel(
            ctx,
            enc,
            pipeline,
            FAT_STATS,
            `fat_stats[${first}:${slab.z0}]`,
            { params, hu: slab.buffer, labels: labelSlab.buffer, histogram, labelVoxels },
            grid.workgroups,
          );
        });
      }
      ctx.device.queue.submit([enc.finish()]);
    });
    // Sequential: error scopes are a per-device stack, so two concurrent read-backs would mix them.
    const h = await readBuffer(ctx, histogram, histBytes);
    const c = await readBuffer(ctx, labelVoxels, countBytes);
    return { window, maxLabel, voxels: Float64Array.from(new Uint32Array(c)), histogram: new Uint32Array(h) };
  } finally {
    scope.destroyAll();
  }
}

/** fat_stats_private.wgsl: per-workgroup storage slices, summed on the host. */
async function fatStatsPrivate(
  ctx: GpuContext,
  pipeline: GPUComputePipeline,
  hu: GpuVolume,
  labels: GpuVolume,
  maxLabel: number,
  window: FatWindow,
  bins: number,
): Promise<LabelHistograms> {
  const wgSize = workgroupSize(ctx);
  const rows = maxLabel + 1;
  const grids = hu.slabs.map((slab) =>
    chooseGrid(Math.ceil(slab.voxels / 4), {
      software: true,
      hostCores: ctx.hostCores,
      workgroupSize: wgSize,
      maxPerDim: ctx.device.limits.maxComputeWorkgroupsPerDimension,
    }),
  );
  const groups = Math.max(1, ...grids.map((g) => g.workgroups));
  const scope = new BufferScope(ctx);
  try {
    const histBytes = groups * rows * bins * 4;
    const countBytes = groups * rows * 4;
    const histogram = scope.storage('fat_stats_private.histogram', histBytes);
    const labelVoxels = scope.storage('fat_stats_private.labelVoxels', countBytes);
    await withErrorScopes(ctx, 'fat_stats_private dispatch', () => {
      const enc = ctx.device.createCommandEncoder({ label: 'perifat:fat_stats_private' });
      hu.slabs.forEach((slab, i) => {
        const labelSlab = labels.slabs[i];
        if (!labelSlab) return;
        const params = scope.uniform(
          `fat_stats_private.params[${slab.z0}]`,
          packUniform(FAT_STATS_PRIVATE.params!, {
            voxelCount: slab.voxels,
            maxLabel,
            bins,
            fatLo: window.lo,
            fatHi: window.hi,
            _pad0: 0,
            _pad1: 0,
            _pad2: 0,
          }),
        );
        encodeKernel(
          ctx,
          enc,
          pipeline,
          FAT_STATS_PRIVATE,
          `fat_stats_private[${slab.z0}]`,
          { params, hu: slab.buffer, labels: labelSlab.buffer, histogram, labelVoxels },
          (grids[i] as { workgroups: number }).workgroups,
        );
      });
      ctx.device.queue.submit([enc.finish()]);
    });
    const h = new Uint32Array(await readBuffer(ctx, histogram, histBytes));
    const c = new Uint32Array(await readBuffer(ctx, labelVoxels, countBytes));
    const histogramSum = new Uint32Array(rows * bins);
    const voxels = new Float64Array(rows);
    for (let g = 0; g < groups; g++) {
      const hb = g * rows * bins;
      for (let i = 0; i < rows * bins; i++) histogramSum[i] = (histogramSum[i] as number) + (h[hb + i] as number);
      for (let l = 0; l < rows; l++) voxels[l] = (voxels[l] as number) + (c[g * rows + l] as number);
    }
    voxels[0] = 0;
    histogramSum.fill(0, 0, bins);
    return { window, maxLabel, voxels, histogram: histogramSum };
  } finally {
    scope.destroyAll();
  }
}
