/**
 * Host side of the pericoronary shell kernels: shaders/shell_refine.wgsl (nearest polyline point of
 * one vessel, merged into ownership), shell_calcium.wgsl (calcium mask for the guard) and
 * shell_labels.wgsl (VOI, ring and lesion label layers). The orchestration lives in
 * src/host/pericoronary-gpu.ts; the CPU mirror in src/cpu/shell-labels.ts.
 */
import calciumCode from '../../shaders/shell_calcium.wgsl?raw';
import labelsCode from '../../shaders/shell_labels.wgsl?raw';
import refineCode from '../../shaders/shell_refine.wgsl?raw';
import type { BufferScope } from '../host/buffers';
import type { GpuContext } from '../host/device';
import { getPipeline } from '../host/pipeline-cache';
import { RING_COUNT, RING_WIDTH_MM } from '../measure/pericoronary-types';
import { DISTANCE_WG, encodeKernel, gridFor } from './feature-transform';
import type { LesionEntry, ShellPlan, VesselTable } from './shell-plan';
import { type KernelDecl, packUniform } from './types';

const field = (type: 'u32' | 'f32' | 'i32', offset: number) => ({ offset, type });

export const SHELL_REFINE: KernelDecl = {
  name: 'shell_refine',
  code: refineCode,
  entryPoint: 'main',
  bindings: {
    params: { group: 0, binding: 0, kind: 'uniform' },
    ft: { group: 0, binding: 1, kind: 'read' },
    seeds: { group: 0, binding: 2, kind: 'read' },
    segments: { group: 0, binding: 3, kind: 'read' },
    state: { group: 0, binding: 4, kind: 'read_write' },
    owner: { group: 0, binding: 5, kind: 'read_write' },
  },
  params: {
    size: 80,
    fields: {
      cx: field('u32', 0),
      cy: field('u32', 4),
      cz: field('u32', 8),
      ox: field('u32', 12),
      oy: field('u32', 16),
      oz: field('u32', 20),
      dx: field('u32', 24),
      dy: field('u32', 28),
      dz: field('u32', 32),
      vessel: field('u32', 36),
      seedCount: field('u32', 40),
      first: field('u32', 44),
      sx: field('f32', 48),
      sy: field('f32', 52),
      sz: field('f32', 56),
      farCut2: field('f32', 60),
      segCount: field('u32', 64),
      _pad0: field('u32', 68),
      _pad1: field('u32', 72),
      _pad2: field('u32', 76),
    },
  },
  overrides: ['WG'],
};

export const SHELL_CALCIUM: KernelDecl = {
  name: 'shell_calcium',
  code: calciumCode,
  entryPoint: 'main',
  bindings: {
    params: { group: 0, binding: 0, kind: 'uniform' },
    hu: { group: 0, binding: 1, kind: 'read' },
    owner: { group: 0, binding: 2, kind: 'read' },
    mask: { group: 0, binding: 3, kind: 'read_write' },
  },
  params: {
    size: 16,
    fields: {
      voxelCount: field('u32', 0),
      calciumHu: field('i32', 4),
      _pad0: field('u32', 8),
      _pad1: field('u32', 12),
    },
  },
  overrides: ['WG'],
};

export const SHELL_LABELS: KernelDecl = {
  name: 'shell_labels',
  code: labelsCode,
  entryPoint: 'main',
  bindings: {
    params: { group: 0, binding: 0, kind: 'uniform' },
    state: { group: 0, binding: 1, kind: 'read' },
    owner: { group: 0, binding: 2, kind: 'read' },
    guardDist: { group: 0, binding: 3, kind: 'read' },
    segments: { group: 0, binding: 4, kind: 'read' },
    lesions: { group: 0, binding: 5, kind: 'read' },
    outVoi: { group: 0, binding: 6, kind: 'read_write' },
    outRings: { group: 0, binding: 7, kind: 'read_write' },
    outLesion: { group: 0, binding: 8, kind: 'read_write' },
    undecided: { group: 0, binding: 9, kind: 'read_write' },
  },
  params: {
    size: 48,
    fields: {
      voxelCount: field('u32', 0),
      lesionCount: field('u32', 4),
      writeMain: field('u32', 8),
      guardOn: field('u32', 12),
      rings: field('u32', 16),
      guard2: field('f32', 20),
      wallGap: field('f32', 24),
      ringWidth: field('f32', 28),
      layer: field('u32', 32),
      _pad0: field('u32', 36),
      _pad1: field('u32', 40),
      _pad2: field('u32', 44),
    },
  },
  overrides: ['WG'],
};

export interface ShellPipelines {
  readonly refine: GPUComputePipeline;
  readonly calcium: GPUComputePipeline;
  readonly labels: GPUComputePipeline;
}

export async function shellPipelines(ctx: GpuContext): Promise<ShellPipelines> {
  const c = { WG: DISTANCE_WG };
  const [refine, calcium, labels] = await Promise.all([
    getPipeline(ctx, SHELL_REFINE, c),
    getPipeline(ctx, SHELL_CALCIUM, c),
    getPipeline(ctx, SHELL_LABELS, c),
  ]);
  return { refine, calcium, labels };
}

/** Buffers of one vessel's tables. */
export function uploadVesselTable(
  ctx: GpuContext,
  scope: BufferScope,
  t: VesselTable,
): { seeds: GPUBuffer; segments: GPUBuffer } {
  const seeds = scope.storage(`shell.seeds[${t.index}]`, t.seeds.byteLength);
  if (t.seeds.byteLength > 0)
    ctx.device.queue.writeBuffer(seeds, 0, t.seeds.buffer, t.seeds.byteOffset, t.seeds.byteLength);
  const segments = scope.storage(`shell.segments[${t.index}]`, t.segments.byteLength);
  ctx.device.queue.writeBuffer(segments, 0, t.segments.buffer, t.segments.byteOffset, t.segments.byteLength);
  return { seeds, segments };
}

export function encodeRefine(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  scope: BufferScope,
  pipes: ShellPipelines,
  plan: ShellPlan,
  t: VesselTable,
  bufs: { ft: GPUBuffer; seeds: GPUBuffer; segments: GPUBuffer; state: GPUBuffer; owner: GPUBuffer },
  first: boolean,
): void {
  const params = scope.uniform(
    `shell_refine.params[${t.index}]`,
    packUniform(SHELL_REFINE.params!, {
      cx: plan.cropDims[0],
      cy: plan.cropDims[1],
      cz: plan.cropDims[2],
      ox: plan.cropOffset[0],
      oy: plan.cropOffset[1],
      oz: plan.cropOffset[2],
      dx: plan.domainDims[0],
      dy: plan.domainDims[1],
      dz: plan.domainDims[2],
      vessel: t.index,
      seedCount: t.seedCount,
      first: first ? 1 : 0,
      sx: plan.spacing[0],
      sy: plan.spacing[1],
      sz: plan.spacing[2],
      farCut2: t.farCut2,
      segCount: t.segmentCount,
      _pad0: 0,
      _pad1: 0,
      _pad2: 0,
    }),
  );
  encodeKernel(
    ctx,
    enc,
    pipes.refine,
    `shell_refine[${t.index}]`,
    [params, bufs.ft, bufs.seeds, bufs.segments, bufs.state, bufs.owner],
    gridFor(ctx, plan.cropVoxels),
  );
}

export function encodeCalcium(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  scope: BufferScope,
  pipes: ShellPipelines,
  plan: ShellPlan,
  bufs: { hu: GPUBuffer; owner: GPUBuffer; mask: GPUBuffer },
): void {
  const params = scope.uniform(
    'shell_calcium.params',
    packUniform(SHELL_CALCIUM.params!, { voxelCount: plan.cropVoxels, calciumHu: plan.calciumHu, _pad0: 0, _pad1: 0 }),
  );
  encodeKernel(
    ctx,
    enc,
    pipes.calcium,
    'shell_calcium',
    [params, bufs.hu, bufs.owner, bufs.mask],
    gridFor(ctx, Math.ceil(plan.cropVoxels / 4)),
  );
}

/** Per vessel vec4<f32>: segment bounds [s0, s1], the band around s thresholds, 0. */
export function vesselSegmentsBytes(plan: ShellPlan): Float32Array {
  const out = new Float32Array(Math.max(1, plan.vessels.length) * 4);
  plan.vessels.forEach((t, i) => {
    out[4 * i] = t.s0;
    out[4 * i + 1] = t.s1;
    out[4 * i + 2] = t.sBand;
  });
  return out;
}

/** All lesions, 8 words each: vessel u32, label u32, start f32, end f32, layer u32, 3 × pad. */
export function lesionTableBytes(layers: readonly (readonly LesionEntry[])[]): ArrayBuffer {
  const all = layers.flatMap((layer, i) => layer.map((l) => ({ ...l, layer: i })));
  const buf = new ArrayBuffer(Math.max(1, all.length) * 32);
  const view = new DataView(buf);
  all.forEach((l, i) => {
    view.setUint32(32 * i, l.vessel, true);
    view.setUint32(32 * i + 4, l.label, true);
    view.setFloat32(32 * i + 8, l.start, true);
    view.setFloat32(32 * i + 12, l.end, true);
    view.setUint32(32 * i + 16, l.layer, true);
  });
  return buf;
}

export function encodeLabels(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  scope: BufferScope,
  pipes: ShellPipelines,
  plan: ShellPlan,
  layer: number,
  bufs: {
    state: GPUBuffer;
    owner: GPUBuffer;
    guardDist: GPUBuffer | null;
    segments: GPUBuffer;
    voi: GPUBuffer;
    rings: GPUBuffer;
    lesion: GPUBuffer | null;
    /** [count, crop indices…] of the voxels left to the host's float64 classification. */
    undecided: GPUBuffer;
  },
): void {
  const table = scope.storage(`shell_labels.lesions[${layer}]`, Math.max(1, plan.lesionCount) * 32);
  ctx.device.queue.writeBuffer(table, 0, lesionTableBytes(plan.lesionLayers));
  const params = scope.uniform(
    `shell_labels.params[${layer}]`,
    packUniform(SHELL_LABELS.params!, {
      voxelCount: plan.cropVoxels,
      lesionCount: plan.lesionCount,
      layer,
      _pad0: 0,
      _pad1: 0,
      _pad2: 0,
      writeMain: layer === 0 ? 1 : 0,
      guardOn: bufs.guardDist && plan.guard2 !== null ? 1 : 0,
      rings: RING_COUNT,
      guard2: plan.guard2 ?? 0,
      wallGap: plan.wallGap,
      ringWidth: RING_WIDTH_MM,
    }),
  );
  const dummy = (name: string): GPUBuffer => scope.storage(`shell_labels.${name}(unused)`, 16);
  encodeKernel(
    ctx,
    enc,
    pipes.labels,
    `shell_labels[${layer}]`,
    [
      params,
      bufs.state,
      bufs.owner,
      bufs.guardDist ?? dummy('guardDist'),
      bufs.segments,
      table,
      bufs.voi,
      bufs.rings,
      bufs.lesion ?? dummy('lesion'),
      bufs.undecided,
    ],
    gridFor(ctx, Math.ceil(plan.cropVoxels / 4)),
  );
}
