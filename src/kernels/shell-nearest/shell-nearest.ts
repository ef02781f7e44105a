/**
 * Host side of the shell_nearest kernels: the nearest point of every vessel over the candidate
 * index, merged into ownership, with the f32 uncertainty (src/backends/webgpu/pericoronary.ts runs
 * them; their CPU twin is shell-nearest.cpu.ts). Two kernels, the same words: shell-nearest.wgsl
 * takes four voxels per invocation, shell-nearest-voxel.wgsl one (SwiftShader's).
 */
import ownerWordLib from '../lib/owner-word.wgsl?raw';
import commonCode from './nearest-common.wgsl?raw';
import packetCode from './shell-nearest.wgsl?raw';
import voxelCode from './shell-nearest-voxel.wgsl?raw';
import type { BufferScope } from '../../gpu/buffers';
import type { GpuContext } from '../../gpu/device';
import { getPipeline } from '../../gpu/pipeline-cache';
import type { Candidates } from '../../shells/candidates';
import { shellOverrides } from '../../shells/constants';
import type { ShellPlan } from '../../shells/plan';
import { type LiveChunk, type LiveLayout, entryDecoding } from '../../shells/live-cells';
import type { ShellTables } from '../../shells/tables';
import { LINE_WG, encodeKernel, gridFor, uploadData } from '../../gpu/dispatch';
import { type KernelDecl, packUniform, uniformField as field } from '../../gpu/kernel-decl';

/** Words of the per-entry buffers: state (vec4<f32>) and owner (u32). */
export const STATE_BYTES = 16;
export const OWNER_BYTES = 4;

/** Voxels per invocation of shell-nearest.wgsl (consecutive entries of one live cell; its vec4 lanes). */
export const PACKET_VOXELS = 4;

export const SHELL_NEAREST: KernelDecl = {
  name: 'shell_nearest',
  code: `${ownerWordLib}\n${commonCode}\n${packetCode}`,
  entryPoint: 'main',
  bindings: {
    params: { group: 0, binding: 0, kind: 'uniform' },
    lists: { group: 0, binding: 1, kind: 'read' },
    candSeg: { group: 0, binding: 2, kind: 'read' },
    candPlane: { group: 0, binding: 3, kind: 'read' },
    segments: { group: 0, binding: 4, kind: 'read' },
    tables: { group: 0, binding: 5, kind: 'read' },
    state: { group: 0, binding: 6, kind: 'read_write' },
    owner: { group: 0, binding: 7, kind: 'read_write' },
    work: { group: 0, binding: 8, kind: 'read_write' },
  },
  params: {
    size: 80,
    fields: {
      entries: field('u32', 0),
      cx: field('u32', 4),
      cy: field('u32', 8),
      nx: field('u32', 12),
      ny: field('u32', 16),
      nz: field('u32', 20),
      gx: field('u32', 24),
      gy: field('u32', 28),
      parts: field('u32', 32),
      vessels: field('u32', 36),
      pathOffset: field('u32', 40),
      lesionOffset: field('u32', 44),
      lesionCount: field('u32', 48),
      sx: field('f32', 52),
      sy: field('f32', 56),
      sz: field('f32', 60),
      liveOffset: field('u32', 64),
      cellVoxels: field('u32', 68),
      z0: field('u32', 72),
      z1: field('u32', 76),
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
    'BOUND_SLACK_MM',
    'FAR_D2',
  ],
};

/** One voxel per invocation: the same bindings, parameters and words. */
export const SHELL_NEAREST_VOXEL: KernelDecl = {
  ...SHELL_NEAREST,
  name: 'shell_nearest_voxel',
  code: `${ownerWordLib}\n${commonCode}\n${voxelCode}`,
};

/** Overrides a kernel takes per adapter, not from src/shells/constants.ts. */
export const ADAPTER_OVERRIDES: readonly string[] = ['WG'];

/** Which shell_nearest kernel: four voxels per invocation, or one. */
export type NearestVariant = 'packet' | 'voxel';

export interface NearestPipeline {
  readonly variant: NearestVariant;
  readonly pipeline: GPUComputePipeline;
}

/**
 * The kernel an adapter runs, measured at 256³ (`perifat bench`): llvmpipe takes 84 ms with packets
 * against 200 ms without, SwiftShader 1.23 s against 0.74 s; hardware takes packets, which load
 * each candidate once for four voxels, until a GPU run has measured both (bench/device/run.sh
 * measures 512×512×300 with each).
 */
export function nearestVariant(ctx: GpuContext): NearestVariant {
  return ctx.adapter.architecture === 'swiftshader' ? 'voxel' : 'packet';
}

export async function shellNearestPipeline(
  ctx: GpuContext,
  variant: NearestVariant = nearestVariant(ctx),
): Promise<NearestPipeline> {
  const names = SHELL_NEAREST.overrides.filter((n) => !ADAPTER_OVERRIDES.includes(n));
  const decl = variant === 'packet' ? SHELL_NEAREST : SHELL_NEAREST_VOXEL;
  const pipeline = await getPipeline(ctx, decl, { WG: LINE_WG, ...shellOverrides(names) });
  return { variant, pipeline };
}

/** The index and tables on the GPU (the live cells of every chunk after the tables' words). */
export interface NearestInputs {
  readonly lists: GPUBuffer;
  readonly candSeg: GPUBuffer;
  readonly candPlane: GPUBuffer;
  readonly segments: GPUBuffer;
  readonly tables: GPUBuffer;
  /** Word offset of LiveLayout.cells in `tables`. */
  readonly liveOffset: number;
  /** [0]: the segment evaluations of every dispatch (read after the last stage). */
  readonly work: GPUBuffer;
}

export function uploadNearestInputs(
  ctx: GpuContext,
  scope: BufferScope,
  plan: ShellPlan,
  cands: Candidates,
  tables: ShellTables,
  layout: LiveLayout,
): NearestInputs {
  // The live cells ride in the tables' buffer: both shell kernels need them and each already binds
  // the eight storage buffers a device has by default.
  const words = new Uint32Array(tables.words.length + layout.cells.length);
  words.set(tables.words);
  words.set(layout.cells, tables.words.length);
  return {
    lists: uploadData(ctx, scope, 'shell.lists', cands.lists),
    candSeg: uploadData(ctx, scope, 'shell.candSeg', cands.seg),
    candPlane: uploadData(ctx, scope, 'shell.candPlane', cands.plane),
    segments: uploadData(ctx, scope, 'shell.segments', plan.segments32),
    tables: uploadData(ctx, scope, 'shell.tables', words),
    liveOffset: tables.words.length,
    work: uploadData(ctx, scope, 'shell.work', new Uint32Array(4)),
  };
}

/** One chunk of live cells: its state and owner words (per entry). */
export function encodeNearest(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  scope: BufferScope,
  nearest: NearestPipeline,
  plan: ShellPlan,
  layout: LiveLayout,
  tables: ShellTables,
  bufs: NearestInputs & { state: GPUBuffer; owner: GPUBuffer },
  chunk: LiveChunk,
  tag: string,
): void {
  const params = scope.uniform(
    `shell_nearest.params${tag}`,
    packUniform(SHELL_NEAREST.params!, {
      ...entryDecoding(plan.cropDims, layout, chunk, bufs.liveOffset),
      parts: plan.parts.length,
      vessels: plan.vessels.length,
      pathOffset: tables.pathOffset,
      lesionOffset: tables.lesionOffset,
      lesionCount: plan.lesions.length,
      sx: plan.spacing[0],
      sy: plan.spacing[1],
      sz: plan.spacing[2],
    }),
  );
  const { lists, candSeg, candPlane, segments, state, owner, work } = bufs;
  const perCell = nearest.variant === 'packet' ? Math.ceil(layout.cellVoxels / PACKET_VOXELS) : layout.cellVoxels;
  encodeKernel(
    ctx,
    enc,
    nearest.pipeline,
    // Bindings by SHELL_NEAREST's names (both kernels declare the same), and timed as
    // `gpu.shell_nearest` whichever kernel runs: one stage in the bench and the report.
    SHELL_NEAREST,
    `shell_nearest${tag}`,
    { params, lists, candSeg, candPlane, segments, tables: bufs.tables, state, owner, work },
    gridFor(ctx, chunk.count * perCell),
  );
}
