/**
 * The WebGPU pericoronary pass's GPU stages: compile the shell kernels (one after the other, each in
 * its error scopes), "shells" (nearest points per z-slab and, with the calcium guard, the guard's
 * EDT), and "labels" (VOI and ring tie layers, lesion layers, and the list of voxels left to the float64
 * settling, grown and rerun when it overflows).
 */
import { PerifatError } from '../../errors';
import { type BufferScope, readBuffer } from '../../gpu/buffers';
import type { GpuContext } from '../../gpu/device';
import { uploadMask } from '../../gpu/dispatch';
import { withErrorScopes } from '../../gpu/error-scope';
import type { GpuVolume } from '../../gpu/gpu-volume';
import { type ShellSlab, planShellSlabs } from '../../gpu/slabs';
import { type EdtPipelines, edtPipelines, encodeEdt } from '../../kernels/edt/edt';
import { encodeLabels, shellLabelsPipeline, undecidedWords } from '../../kernels/shell-labels/shell-labels';
import {
  type SlabRange,
  encodeNearest,
  shellNearestPipeline,
  uploadNearestInputs,
} from '../../kernels/shell-nearest/shell-nearest';
import type { Candidates } from '../../shells/candidates';
import type { ShellPlan } from '../../shells/plan';
import type { ShellTables } from '../../shells/tables';
import type { Vec3 } from '../../volume/geometry';

export interface ShellPipelines {
  readonly nearest: GPUComputePipeline;
  readonly labels: GPUComputePipeline;
  readonly edt: EdtPipelines | null;
}

export async function compileShellPipelines(ctx: GpuContext, guard: boolean): Promise<ShellPipelines> {
  const nearest = await shellNearestPipeline(ctx);
  const labels = await shellLabelsPipeline(ctx);
  const edt = guard ? await edtPipelines(ctx) : null;
  return { nearest, labels, edt };
}

/**
 * The crop's z-slabs. The guard's halo: every calcium voxel within the guard of a slab voxel lies
 * within guard / z-spacing slices of it; one more millimetre and one more slice cover the band in
 * which a distance is compared with the guard, so each guard distance the labels read (and every
 * one near the threshold) is the one the whole crop's EDT gives.
 */
export function shellSlabs(dims: Vec3, spacing: Vec3, guardMm: number | null, limit: number): ShellSlab[] {
  const halo = guardMm === null ? null : Math.ceil((guardMm + 1) / spacing[2]) + 1;
  return planShellSlabs(dims, halo, limit);
}

/** One slab's shell state on the GPU, after the "shells" stage. */
export interface SlabState {
  readonly range: SlabRange;
  readonly state: GPUBuffer;
  readonly owner: GPUBuffer;
  readonly guardBase: number;
  readonly guardDist: GPUBuffer | null;
}

export interface ShellState {
  readonly slabs: readonly SlabState[];
  readonly tables: GPUBuffer;
}

/** Stage "shells": every slab's nearest-point state and owner (and guard distances), one submit. */
export async function shellStage(
  ctx: GpuContext,
  scope: BufferScope,
  pipes: ShellPipelines,
  job: {
    plan: ShellPlan;
    cands: Candidates;
    tables: ShellTables;
    calcium: Uint8Array | null;
    slabs: readonly ShellSlab[];
  },
): Promise<ShellState> {
  const { plan, cands, tables, calcium } = job;
  const inputs = uploadNearestInputs(ctx, scope, plan, cands, tables);
  const slice = plan.cropDims[0] * plan.cropDims[1];
  const slabs: SlabState[] = [];
  await withErrorScopes(ctx, 'pericoronary shells', async () => {
    const enc = ctx.device.createCommandEncoder({ label: 'perifat:pericoronary' });
    for (const sl of job.slabs) {
      const range = { z0: sl.z0, z1: sl.z1, base: sl.z0 * slice, voxels: (sl.z1 - sl.z0) * slice };
      const tag = `[${sl.z0}:${sl.z1}]`;
      const state = scope.storage(`pericoronary.state${tag}`, range.voxels * 16);
      const owner = scope.storage(`pericoronary.owner${tag}`, range.voxels * 4);
      encodeNearest(ctx, enc, scope, pipes.nearest, plan, cands, tables, { ...inputs, state, owner }, range);
      let guardDist: GPUBuffer | null = null;
      if (calcium && pipes.edt) {
        const { g0, g1 } = sl;
        const dims: Vec3 = [plan.cropDims[0], plan.cropDims[1], g1 - g0];
        const mask = uploadMask(
          ctx,
          scope,
          `pericoronary.calcium[${g0}:${g1}]`,
          calcium.subarray(g0 * slice, g1 * slice),
        );
        guardDist = scope.storage(`pericoronary.guardDist[${g0}:${g1}]`, (g1 - g0) * slice * 4);
        encodeEdt(ctx, enc, scope, pipes.edt, dims, plan.spacing, mask, guardDist, false);
      }
      slabs.push({ range, state, owner, guardBase: (sl.z0 - sl.g0) * slice, guardDist });
    }
    ctx.device.queue.submit([enc.finish()]);
    await ctx.device.queue.onSubmittedWorkDone();
  });
  return { slabs, tables: inputs.tables };
}

/** The voxels the labels left to the float64 settling: crop indices (ascending) and reason words. */
export interface Undecided {
  readonly indices: Uint32Array;
  readonly reasons: Uint32Array;
}

/** Stage "labels": every layer of every slab, one submit; the undecided list read back. */
export async function labelStage(
  ctx: GpuContext,
  scope: BufferScope,
  pipes: ShellPipelines,
  job: {
    plan: ShellPlan;
    tables: ShellTables;
    state: ShellState;
    /** Tie layers (0 first: plan.tieLayerCount) and lesion layers (plan.lesionLayerCount). */
    out: { ties: readonly { voi: GpuVolume; rings: GpuVolume }[]; lesions: readonly GpuVolume[] };
  },
): Promise<Undecided> {
  const n = job.plan.cropVoxels;
  return labelsWith(ctx, scope, pipes, job, Math.min(n, Math.max(1 << 14, Math.ceil(n / 256))));
}

async function labelsWith(
  ctx: GpuContext,
  scope: BufferScope,
  pipes: ShellPipelines,
  job: Parameters<typeof labelStage>[3],
  capacity: number,
): Promise<Undecided> {
  const { plan, tables, state, out } = job;
  const undecided = scope.storage('pericoronary.undecided', undecidedWords(capacity) * 4);
  await withErrorScopes(ctx, 'pericoronary labels', async () => {
    const enc = ctx.device.createCommandEncoder({ label: 'perifat:pericoronary.labels' });
    // One dispatch per layer: tie layer `layer` and lesion layer `layer`, while there are.
    const dispatches = Math.max(1, plan.tieLayerCount, plan.lesionLayerCount);
    state.slabs.forEach((p, si) => {
      for (let layer = 0; layer < dispatches; layer++) {
        const lv = out.lesions[layer];
        const tv = out.ties[layer];
        encodeLabels(
          ctx,
          enc,
          scope,
          pipes.labels,
          plan,
          tables,
          layer,
          {
            state: p.state,
            owner: p.owner,
            guardDist: p.guardDist,
            tables: state.tables,
            voi: tv ? slabBuffer(tv.voi, si) : null,
            rings: tv ? slabBuffer(tv.rings, si) : null,
            lesion: lv ? slabBuffer(lv, si) : null,
            undecided,
          },
          { ...p.range, guardBase: p.guardBase },
        );
      }
    });
    ctx.device.queue.submit([enc.finish()]);
  });
  const count = new Uint32Array(await readBuffer(ctx, undecided, 4))[0] as number;
  if (count > capacity) return labelsWith(ctx, scope, pipes, job, count);
  const words = new Uint32Array(await readBuffer(ctx, undecided, undecidedWords(count) * 4));
  // Appended in whatever order the GPU ran: sort so the host's additions are reproducible.
  const order = Array.from({ length: count }, (_, q) => q).sort(
    (a, b) => (words[1 + 2 * a] as number) - (words[1 + 2 * b] as number),
  );
  return {
    indices: Uint32Array.from(order, (q) => words[1 + 2 * q] as number),
    reasons: Uint32Array.from(order, (q) => words[2 + 2 * q] as number),
  };
}

function slabBuffer(v: GpuVolume, i: number): GPUBuffer {
  const slab = v.slabs[i];
  if (!slab) throw new PerifatError('E_RUNTIME', `${v.slabs.length} slabs, no slab ${i}`);
  return slab.buffer;
}
