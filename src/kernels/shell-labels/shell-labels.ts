/**
 * Host side of shell-labels.wgsl: VOI and ring tie layers and lesion label layers from the merged shell state,
 * and the list of voxels left to the float64 settling (src/backends/webgpu/pericoronary.ts runs
 * it; its CPU twin is shell-labels.cpu.ts).
 */
import ownerWordLib from '../lib/owner-word.wgsl?raw';
import rulesLib from '../lib/shell-rules.wgsl?raw';
import labelsCode from './shell-labels.wgsl?raw';
import type { BufferScope } from '../../gpu/buffers';
import type { GpuContext } from '../../gpu/device';
import { getPipeline } from '../../gpu/pipeline-cache';
import { shellOverrides } from '../../shells/constants';
import type { ShellPlan } from '../../shells/plan';
import { type LiveChunk, type LiveLayout, entryDecoding } from '../../shells/live-cells';
import type { ShellTables } from '../../shells/tables';
import { LINE_WG, encodeKernel, gridFor } from '../../gpu/dispatch';
import { type KernelDecl, packUniform, uniformField as field } from '../../gpu/kernel-decl';

/**
 * The bindings ../lib/shell-rules.wgsl reads, declared alike by every kernel that includes it
 * (shell_labels, shell_counts).
 */
export const RULE_BINDINGS: KernelDecl['bindings'] = {
  params: { group: 0, binding: 0, kind: 'uniform' },
  state: { group: 0, binding: 1, kind: 'read' },
  owner: { group: 0, binding: 2, kind: 'read' },
  guardDist: { group: 0, binding: 3, kind: 'read' },
  tables: { group: 0, binding: 4, kind: 'read' },
};

export const SHELL_LABELS: KernelDecl = {
  name: 'shell_labels',
  code: `${ownerWordLib}\n${rulesLib}\n${labelsCode}`,
  entryPoint: 'main',
  bindings: {
    ...RULE_BINDINGS,
    outVoi: { group: 0, binding: 5, kind: 'read_write' },
    outRings: { group: 0, binding: 6, kind: 'read_write' },
    outLesion: { group: 0, binding: 7, kind: 'read_write' },
    undecided: { group: 0, binding: 8, kind: 'read_write' },
  },
  params: {
    size: 96,
    fields: {
      entries: field('u32', 0),
      lesionCount: field('u32', 4),
      lesionOffset: field('u32', 8),
      writeMain: field('u32', 12),
      guardOn: field('u32', 16),
      layer: field('u32', 20),
      guard2: field('f32', 24),
      wallGap: field('f32', 28),
      voxelBase: field('u32', 32),
      guardBase: field('u32', 36),
      tieLayers: field('u32', 40),
      lesionLayers: field('u32', 44),
      cx: field('u32', 48),
      cy: field('u32', 52),
      nx: field('u32', 56),
      ny: field('u32', 60),
      nz: field('u32', 64),
      gx: field('u32', 68),
      gy: field('u32', 72),
      liveOffset: field('u32', 76),
      cellVoxels: field('u32', 80),
      z0: field('u32', 84),
      z1: field('u32', 88),
      pad: field('u32', 92),
    },
  },
  overrides: [
    'WG',
    'NO_OWNER',
    'LUMEN_BIT',
    'UNDECIDED_BIT',
    'S_UNSURE_BIT',
    'TIE_SHIFT',
    'BAND_MM',
    'RINGS',
    'RING_WIDTH',
    'R_GEOMETRY',
    'R_GUARD',
    'R_GAP',
    'R_VOI',
    'R_RING',
    'R_ARC',
  ],
};

export function shellLabelsPipeline(ctx: GpuContext): Promise<GPUComputePipeline> {
  const names = SHELL_LABELS.overrides.filter((n) => n !== 'WG');
  return getPipeline(ctx, SHELL_LABELS, { WG: LINE_WG, ...shellOverrides(names) });
}

/** Words of the undecided list for `capacity` voxels: the count, then two words per voxel. */
export function undecidedWords(capacity: number): number {
  return 1 + 2 * capacity;
}

/** One layer of one chunk of live cells (its entries' state and owner from shell_nearest). */
export function encodeLabels(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  scope: BufferScope,
  pipeline: GPUComputePipeline,
  plan: ShellPlan,
  tables: ShellTables,
  layout: LiveLayout,
  layer: number,
  bufs: {
    state: GPUBuffer;
    owner: GPUBuffer;
    guardDist: GPUBuffer | null;
    tables: GPUBuffer;
    /** Word offset of the live cells in `tables`. */
    liveOffset: number;
    /** Tie layer `layer`'s VOI and rings, or null past plan.tieLayerCount. */
    voi: GPUBuffer | null;
    rings: GPUBuffer | null;
    /** Lesion layer `layer`, or null past plan.lesionLayerCount. */
    lesion: GPUBuffer | null;
    undecided: GPUBuffer;
  },
  chunk: LiveChunk & { guardBase: number; tag: string },
): void {
  const guardOn = bufs.guardDist !== null && plan.guardMm !== null;
  const params = scope.uniform(
    `shell_labels.params${chunk.tag}[${layer}]`,
    packUniform(SHELL_LABELS.params!, {
      ...labelUniform(plan, tables, layout, layer, guardOn, bufs.liveOffset, chunk),
      tieLayers: bufs.voi && bufs.rings ? plan.tieLayerCount : 0,
      lesionLayers: bufs.lesion ? plan.lesionLayerCount : 0,
      pad: 0,
    }),
  );
  const dummy = (name: string): GPUBuffer => scope.storage(`shell_labels.${name}(unused)`, 16);
  encodeKernel(
    ctx,
    enc,
    pipeline,
    SHELL_LABELS,
    `shell_labels${chunk.tag}[${layer}]`,
    {
      params,
      state: bufs.state,
      owner: bufs.owner,
      guardDist: bufs.guardDist ?? dummy('guardDist'),
      tables: bufs.tables,
      outVoi: bufs.voi ?? dummy('voi'),
      outRings: bufs.rings ?? dummy('rings'),
      outLesion: bufs.lesion ?? dummy('lesion'),
      undecided: bufs.undecided,
    },
    gridFor(ctx, chunk.count * layout.cellVoxels),
  );
}

/**
 * The uniform fields shell_labels and shell_counts share (all but the layers they count, and
 * their own), for one layer of one chunk of live cells.
 */
export function labelUniform(
  plan: ShellPlan,
  tables: ShellTables,
  layout: LiveLayout,
  layer: number,
  guardOn: boolean,
  liveOffset: number,
  chunk: LiveChunk & { guardBase: number },
): Record<string, number> {
  return {
    ...entryDecoding(plan.cropDims, layout, chunk, liveOffset),
    voxelBase: chunk.z0 * plan.cropDims[0] * plan.cropDims[1],
    guardBase: chunk.guardBase,
    lesionCount: plan.lesions.length,
    lesionOffset: tables.lesionOffset,
    writeMain: layer === 0 ? 1 : 0,
    guardOn: guardOn ? 1 : 0,
    layer,
    guard2: guardOn && plan.guardMm !== null ? Math.fround(plan.guardMm * plan.guardMm) : 0,
    wallGap: plan.wallGap,
  };
}
