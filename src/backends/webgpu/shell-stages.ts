/**
 * The WebGPU pericoronary pass's GPU stages: compile the shell kernels (one after the other, each in
 * its error scopes), "shells" (nearest points of the voxels of the live cells, chunk by chunk, and,
 * with the calcium guard, the guard's EDT per z-slab), and "labels" (VOI and ring tie layers, lesion
 * layers, and the list of voxels left to the float64 settling, grown and rerun when it overflows).
 * The shell kernels visit only live cells (src/shells/live-cells.ts), the work the CPU backend does.
 */
import { PerifatError } from '../../errors';
import { type BufferScope, readBuffer } from '../../gpu/buffers';
import type { GpuContext } from '../../gpu/device';
import { uploadData, uploadMask } from '../../gpu/dispatch';
import { withErrorScopes } from '../../gpu/error-scope';
import type { GpuVolume } from '../../gpu/gpu-volume';
import { type ShellSlab, planShellSlabs } from '../../gpu/slabs';
import { type EdtPipelines, edtPipelines, encodeEdt } from '../../kernels/edt/edt';
import { encodeLabels, shellLabelsPipeline, undecidedWords } from '../../kernels/shell-labels/shell-labels';
import {
  countBytes,
  countHistograms,
  countRows,
  encodeCounts,
  shellCountsPipeline,
} from '../../kernels/shell-counts/shell-counts';
import {
  type NearestInputs,
  type NearestPipeline,
  type NearestVariant,
  OWNER_BYTES,
  STATE_BYTES,
  encodeNearest,
  shellNearestPipeline,
  uploadNearestInputs,
} from '../../kernels/shell-nearest/shell-nearest';
import type { Candidates } from '../../shells/candidates';
import { type LiveChunk, type LiveLayout, entryHu, liveLayout } from '../../shells/live-cells';
import type { ShellPlan } from '../../shells/plan';
import type { ShellTables } from '../../shells/tables';
import type { FatWindow } from '../../stats/fat-window';
import type { LabelHistograms } from '../../stats/label-stats';
import type { Vec3 } from '../../volume/geometry';

export interface ShellPipelines {
  readonly nearest: NearestPipeline;
  /** shell_labels (label layers wanted) or shell_counts (histograms counted in place): one of them. */
  readonly labels: GPUComputePipeline | null;
  readonly counts: GPUComputePipeline | null;
  readonly edt: EdtPipelines | null;
}

export async function compileShellPipelines(
  ctx: GpuContext,
  opts: { guard: boolean; layers: boolean; nearest?: NearestVariant },
): Promise<ShellPipelines> {
  const nearest = await shellNearestPipeline(ctx, opts.nearest);
  const labels = opts.layers ? await shellLabelsPipeline(ctx) : null;
  const counts = opts.layers ? null : await shellCountsPipeline(ctx);
  const edt = opts.guard ? await edtPipelines(ctx) : null;
  return { nearest, labels, counts, edt };
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

/**
 * Chunks a stage is cut into at most: each chunk is its own command buffer, all submitted at once,
 * and each one done is a progress step (a software adapter takes seconds for a large crop's shells,
 * so the page sees progress within the stage); no chunk under MIN_CHUNK_CELLS cells.
 */
export const PROGRESS_CHUNKS = 32;
const MIN_CHUNK_CELLS = 256;

/**
 * The live cells of the crop in chunks whose state fits one binding of `limit` bytes, and at most
 * about PROGRESS_CHUNKS of them over the crop.
 */
export function shellLayout(
  plan: ShellPlan,
  cands: Candidates,
  slabs: readonly { readonly z0: number; readonly z1: number }[],
  limit: number,
): LiveLayout {
  const cellVoxels = cands.grid.size[0] * cands.grid.size[1] * cands.grid.size[2];
  const fits = Math.floor(limit / (STATE_BYTES * cellVoxels));
  return liveLayout(cands, plan.cropDims, slabs, fits, { chunks: PROGRESS_CHUNKS, minCells: MIN_CHUNK_CELLS });
}

/**
 * Submits each chunk's command buffer as soon as it is encoded (so the queue never waits on the
 * host) and calls `progress` with the fraction of chunks done as the GPU finishes each.
 */
async function submitChunks(
  ctx: GpuContext,
  label: string,
  chunks: number,
  encode: (enc: GPUCommandEncoder, chunk: number) => void,
  progress: ((fraction: number) => void) | undefined,
): Promise<void> {
  const done: Promise<void>[] = [];
  for (let n = 0; n < chunks; n++) {
    const enc = ctx.device.createCommandEncoder({ label: `${label}#${n}` });
    encode(enc, n);
    ctx.device.queue.submit([enc.finish()]);
    done.push(ctx.device.queue.onSubmittedWorkDone().then(() => progress?.((n + 1) / chunks)));
  }
  await Promise.all(done);
}

/** One chunk's shell state on the GPU, after the "shells" stage. */
export interface ChunkState {
  readonly chunk: LiveChunk;
  /** Label of its buffers and dispatches: [z0:z1]#n. */
  readonly tag: string;
  readonly state: GPUBuffer;
  readonly owner: GPUBuffer;
  /** Index in its slab's guardDist of the slab's first voxel, and the slab's guard distances. */
  readonly guardBase: number;
  readonly guardDist: GPUBuffer | null;
}

export interface ShellState {
  readonly layout: LiveLayout;
  readonly chunks: readonly ChunkState[];
  readonly inputs: NearestInputs;
}

/**
 * Stage "shells": every slab's guard distances, then every chunk's nearest-point state and owner,
 * a command buffer per chunk, all submitted without waiting; `progress` as chunks finish.
 */
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
    layout: LiveLayout;
  },
  progress?: (fraction: number) => void,
): Promise<ShellState> {
  const { plan, cands, tables, calcium, layout } = job;
  const inputs = uploadNearestInputs(ctx, scope, plan, cands, tables, layout);
  const slice = plan.cropDims[0] * plan.cropDims[1];
  const chunks: ChunkState[] = [];
  await withErrorScopes(ctx, 'pericoronary shells', async () => {
    const enc = ctx.device.createCommandEncoder({ label: 'perifat:pericoronary' });
    // The guard's distances of each slab (on the slab and its halo): the labels of its chunks read them.
    const guards = job.slabs.map((sl) => {
      if (!calcium || !pipes.edt) return null;
      const { g0, g1 } = sl;
      const dims: Vec3 = [plan.cropDims[0], plan.cropDims[1], g1 - g0];
      const mask = uploadMask(
        ctx,
        scope,
        `pericoronary.calcium[${g0}:${g1}]`,
        calcium.subarray(g0 * slice, g1 * slice),
      );
      const dist = scope.storage(`pericoronary.guardDist[${g0}:${g1}]`, (g1 - g0) * slice * 4);
      encodeEdt(ctx, enc, scope, pipes.edt, dims, plan.spacing, mask, dist, false);
      return dist;
    });
    ctx.device.queue.submit([enc.finish()]);
    await submitChunks(
      ctx,
      'perifat:pericoronary.shells',
      layout.chunks.length,
      (chunkEnc, n) => {
        const chunk = layout.chunks[n] as LiveChunk;
        const sl = job.slabs[chunk.slab] as ShellSlab;
        const tag = `[${sl.z0}:${sl.z1}]#${n}`;
        const entries = chunk.count * layout.cellVoxels;
        const state = scope.storage(`pericoronary.state${tag}`, entries * STATE_BYTES);
        const owner = scope.storage(`pericoronary.owner${tag}`, entries * OWNER_BYTES);
        const bufs = { ...inputs, state, owner };
        encodeNearest(ctx, chunkEnc, scope, pipes.nearest, plan, layout, tables, bufs, chunk, tag);
        chunks.push({
          chunk,
          tag,
          state,
          owner,
          guardBase: (sl.z0 - sl.g0) * slice,
          guardDist: guards[chunk.slab] ?? null,
        });
      },
      progress,
    );
  });
  return { layout, chunks, inputs };
}

/** The voxels the labels left to the float64 settling: crop indices (ascending) and reason words. */
export interface Undecided {
  readonly indices: Uint32Array;
  readonly reasons: Uint32Array;
}

/** What stage "labels" returns: the undecided voxels and the f32 kernel's segment evaluations. */
export interface LabelOutcome extends Undecided {
  readonly evaluations: number;
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
  progress?: (fraction: number) => void,
): Promise<LabelOutcome> {
  const { plan, tables, state, out } = job;
  return layerPasses(
    ctx,
    scope,
    plan,
    state,
    'perifat:pericoronary.labels',
    (enc, c, layer, undecided) => {
      const si = c.chunk.slab;
      const lv = out.lesions[layer];
      const tv = out.ties[layer];
      encodeLabels(
        ctx,
        enc,
        scope,
        required(pipes.labels, 'shell_labels'),
        plan,
        tables,
        state.layout,
        layer,
        {
          state: c.state,
          owner: c.owner,
          guardDist: c.guardDist,
          tables: state.inputs.tables,
          liveOffset: state.inputs.liveOffset,
          voi: tv ? slabBuffer(tv.voi, si) : null,
          rings: tv ? slabBuffer(tv.rings, si) : null,
          lesion: lv ? slabBuffer(lv, si) : null,
          undecided,
        },
        { ...c.chunk, guardBase: c.guardBase, tag: c.tag },
      );
    },
    null,
    progress,
  );
}

/** What the counting labels stage returns: the layers' fat histograms (the undecided voxels not in them). */
export interface CountOutcome {
  readonly voi: LabelHistograms;
  readonly rings: LabelHistograms;
  /** Lesions 1…max(1, L). */
  readonly lesions: LabelHistograms;
  readonly outcome: LabelOutcome;
}

/**
 * Stage "labels" without layers: shell_counts counts each label's fat where shell_labels would
 * write it (every layer of every slab, one submit), so neither the layers nor a fat-stats pass over
 * the crop are needed; the counts and the undecided list read back.
 */
export async function countStage(
  ctx: GpuContext,
  scope: BufferScope,
  pipes: ShellPipelines,
  job: { plan: ShellPlan; tables: ShellTables; state: ShellState; hu: Int16Array; window: FatWindow },
  progress?: (fraction: number) => void,
): Promise<CountOutcome> {
  const { plan, tables, state, window } = job;
  const rows = countRows(plan, window);
  const counts = scope.storage('pericoronary.counts', countBytes(rows));
  const pipeline = required(pipes.counts, 'shell_counts');
  // Each chunk's HU in entry order: the live cells' voxels only, read contiguously.
  const hu = new Map(
    state.chunks.map((c) => [
      c,
      uploadData(ctx, scope, `pericoronary.hu${c.tag}`, entryHu(state.layout, plan.cropDims, c.chunk, job.hu)),
    ]),
  );
  const outcome = await layerPasses(
    ctx,
    scope,
    plan,
    state,
    'perifat:pericoronary.counts',
    (enc, c, layer, undecided) =>
      encodeCounts(
        ctx,
        enc,
        scope,
        pipeline,
        plan,
        tables,
        state.layout,
        layer,
        window,
        rows,
        {
          state: c.state,
          owner: c.owner,
          guardDist: c.guardDist,
          tables: state.inputs.tables,
          liveOffset: state.inputs.liveOffset,
          hu: hu.get(c) as GPUBuffer,
          counts,
          undecided,
        },
        { ...c.chunk, guardBase: c.guardBase, tag: c.tag },
      ),
    // A rerun (the undecided list overflowed) counts again from zero.
    (enc) => enc.clearBuffer(counts),
    progress,
  );
  const words = new Uint32Array(await readBuffer(ctx, counts, countBytes(rows)));
  return { ...countHistograms(words, rows, window), outcome };
}

/**
 * Every layer (tie and lesion: one dispatch each, while there are) of every chunk, each chunk its
 * own command buffer (`first` encoded before chunk 0's); the undecided list read back, sorted, with
 * the f32 kernel's evaluations. Room for one in eight voxels of the live cells (a stem shared from a
 * bifurcation leaves a few per cent undecided); a fuller list is counted and the passes rerun with
 * room for all.
 */
async function layerPasses(
  ctx: GpuContext,
  scope: BufferScope,
  plan: ShellPlan,
  state: ShellState,
  label: string,
  encodeLayer: (enc: GPUCommandEncoder, c: ChunkState, layer: number, undecided: GPUBuffer) => void,
  first: ((enc: GPUCommandEncoder) => void) | null,
  progress: ((fraction: number) => void) | undefined,
): Promise<LabelOutcome> {
  const n = plan.cropVoxels;
  const live = state.layout.liveVoxels;
  let capacity = Math.min(n, Math.max(1 << 14, Math.ceil(live / 8)));
  for (;;) {
    const undecided = scope.storage('pericoronary.undecided', undecidedWords(capacity) * 4);
    await withErrorScopes(ctx, label, async () => {
      const dispatches = Math.max(1, plan.tieLayerCount, plan.lesionLayerCount);
      await submitChunks(
        ctx,
        label,
        state.chunks.length,
        (enc, k) => {
          if (k === 0) first?.(enc);
          const c = state.chunks[k] as ChunkState;
          for (let layer = 0; layer < dispatches; layer++) encodeLayer(enc, c, layer, undecided);
        },
        progress,
      );
    });
    const count = new Uint32Array(await readBuffer(ctx, undecided, 4))[0] as number;
    if (count > capacity) {
      capacity = count;
      continue;
    }
    const words = new Uint32Array(await readBuffer(ctx, undecided, undecidedWords(count) * 4));
    // Appended in whatever order the GPU ran: sort so the host's additions are reproducible.
    const order = Array.from({ length: count }, (_, q) => q).sort(
      (a, b) => (words[1 + 2 * a] as number) - (words[1 + 2 * b] as number),
    );
    const evaluations = new Uint32Array(await readBuffer(ctx, state.inputs.work, 4))[0] as number;
    return {
      indices: Uint32Array.from(order, (q) => words[1 + 2 * q] as number),
      reasons: Uint32Array.from(order, (q) => words[2 + 2 * q] as number),
      evaluations,
    };
  }
}

function required(pipeline: GPUComputePipeline | null, name: string): GPUComputePipeline {
  if (!pipeline) throw new PerifatError('E_RUNTIME', `the ${name} pipeline was not compiled for this stage`);
  return pipeline;
}

function slabBuffer(v: GpuVolume, i: number): GPUBuffer {
  const slab = v.slabs[i];
  if (!slab) throw new PerifatError('E_RUNTIME', `${v.slabs.length} slabs, no slab ${i}`);
  return slab.buffer;
}
