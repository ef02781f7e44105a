/**
 * Pericoronary shells and their fat histograms on the GPU, for a GpuBackend. The host plans (the
 * GPU-free src/shells: crop, parts, candidate index, tables, the calcium mask) and moves buffers;
 * the kernels find every voxel's nearest points (shell-nearest) and the guard's distances (edt),
 * then count each label's fat where they decide it (shell-counts) — or, when the caller wants the
 * label layers, write them (shell-labels) for fat-stats to count. The few voxels whose f32
 * geometry sits within the band of a threshold come back as a list and are settled in float64 by
 * the same code the CPU backend runs, so both backends report the definition. Stages: plan (shared
 * with the CPU backend), compile, shells, labels (with layers: labels, stats, readLayers), settle.
 * test/oracles/pericoronary-f32.ts is this file's step-for-step CPU reference.
 */
import { BufferScope } from '../../gpu/buffers';
import { checkFits } from '../../gpu/dispatch';
import { type GpuVolume, allocateLabels, readLabels, uploadHu } from '../../gpu/gpu-volume';
import { fatStatsGpu } from '../../kernels/fat-stats/fat-stats';
import { type MeasureControl, report, slice, sliced, step } from '../../measure/control';
import {
  RING_COUNT,
  type PericoronaryExtra,
  type PericoronaryResult,
  type PreparedLesion,
  type PreparedVessel,
  type ShellLayers,
  type ShellOptions,
} from '../../measure/pericoronary-types';
import { type Candidates, buildCandidateSteps } from '../../shells/candidates';
import { WasmShells } from '../../shells/wasm/cells';
import { calciumMask, guardBrute } from '../../shells/classify';
import { undecidedDiagnostics } from '../../shells/diagnostics';
import { ExactShells } from '../../shells/exact';
import type { LabelLayers, TieLayer } from '../../shells/layers';
import { settleInto, sumHistograms } from '../../shells/result';
import type { LabelHistograms } from '../../stats/label-stats';
import { shellTables } from '../../shells/tables';
import { lapTimer } from '../../util/lap-timer';
import type { CtVolume } from '../../volume/volume';
import { type PlannedCrop, planStage } from '../pericoronary-stages';
import type { LiveLayout } from '../../shells/live-cells';
import type { GpuBackend } from './gpu-backend';
import {
  type LabelOutcome,
  type ShellPipelines,
  type ShellState,
  compileShellPipelines,
  countStage,
  labelStage,
  shellLayout,
  shellSlabs,
  shellStage,
} from './shell-stages';
import type { GpuContext } from '../../gpu/device';
import type { ShellSlab } from '../../gpu/slabs';
import { type ShellPlan, guardMmOf } from '../../shells/plan';
import type { ShellTables } from '../../shells/tables';
import type { FatWindow } from '../../stats/fat-window';

export async function pericoronaryHistogramsGpu(
  backend: GpuBackend,
  ct: CtVolume,
  vessels: PreparedVessel[],
  lesions: PreparedLesion[],
  opts: ShellOptions,
  extra: PericoronaryExtra = {},
): Promise<PericoronaryResult> {
  const ctx = backend.ctx;
  const { timings, lap } = lapTimer();
  const control = extra.control;
  const wantLayers = extra.returnLayers === true;
  // The kernels compile while the host plans (in Chromium's GPU process, or Dawn's threads): the
  // first measurement of a page or process waits for whichever takes longer, not for both.
  const compiling = compileShellPipelines(ctx, {
    guard: guardMmOf(opts) !== null,
    layers: wantLayers,
    ...(backend.nearest ? { nearest: backend.nearest } : {}),
  });
  let host: HostPlan | { readonly empty: PericoronaryResult };
  try {
    // Planning runs on the page's thread: slice() between its parts (cancel, progress, a yield).
    await slice(control, 'pericoronary.plan', 0);
    const planned = planStage(ct, vessels, lesions, opts, extra, timings);
    host = 'empty' in planned ? planned : await planOnHost(backend, planned, control);
  } catch (e) {
    // A compile in flight keeps its error scopes on the device's stack: it settles before the
    // caller's next GPU work can push its own.
    await compiling.catch(() => undefined);
    throw e;
  }
  if ('empty' in host) {
    await compiling.catch(() => undefined);
    return host.empty;
  }
  const { plan, hu, cands, tables, ex, calcium, slabs, layout } = host;
  const L = lesions.length;
  const n = plan.cropVoxels;
  lap('plan');
  step(control, 'pericoronary.compile', 0.15);
  // What the compile has left after the plan (0 when it finished first).
  const pipes = await compiling;
  lap('compile');

  const scope = new BufferScope(ctx);
  const volumes: GpuVolume[] = [];
  try {
    step(control, 'pericoronary.shells', 0.2);
    // A cancel is answered between the GPU stages, not inside one: a stage left running would go on
    // submitting work on buffers the finally below destroys, and its error scopes would interleave
    // with the next measurement's on the same device.
    const state = await shellStage(ctx, scope, pipes, { plan, cands, tables, calcium, slabs, layout }, (f) =>
      report(control, 'pericoronary.shells', 0.2 + 0.5 * f),
    );
    lap('shells');
    step(control, 'pericoronary.labels', 0.7);
    const job = { plan, tables, state, hu, window: opts.window };
    const labelled = wantLayers
      ? await layersAndStats(ctx, scope, pipes, { ...job, slabs }, volumes, control, lap)
      : await countStage(ctx, scope, pipes, job, (f) => report(control, 'pericoronary.labels', 0.7 + 0.25 * f));
    if (!wantLayers) lap('labels');
    const { voi, rings } = labelled;
    const layers = 'layers' in labelled ? labelled.layers : undefined;
    const undecided = labelled.outcome;
    const lesionsH = L > 0 ? labelled.lesions : null;
    step(control, 'pericoronary.settle', 0.95);
    const guarded = calcium ? guardBrute(plan, calcium) : null;
    settleInto(ex, undecided.indices, hu, guarded, { voi, rings, lesions: lesionsH }, layers);
    lap('settle');
    return {
      voi,
      rings,
      lesions: lesionsH,
      crop: { lo: plan.crop.lo, hi: plan.crop.hi },
      timingsMs: timings,
      diagnostics: {
        method: 'f32+float64',
        nearestKernel: pipes.nearest.variant,
        cropVoxels: n,
        slabs: slabs.length,
        parts: plan.parts.length,
        candidates: cands.count,
        evaluations: ex.evaluations,
        work: {
          cells: layout.grid.cells,
          liveCells: layout.liveCells,
          voxels: layout.liveVoxels,
          f32Evaluations: undecided.evaluations,
          float64Evaluations: ex.evaluations,
        },
        undecided: undecidedDiagnostics(plan, undecided.reasons),
      },
      ...(layers ? { layers: { dims: plan.cropDims, ...layers } satisfies ShellLayers } : {}),
    };
  } finally {
    scope.destroyAll();
    for (const v of volumes) v.destroy();
  }
}

/** What the labels stage leaves: the layers' fat histograms, the undecided voxels, the layers if read. */
interface Labelled {
  readonly voi: LabelHistograms;
  readonly rings: LabelHistograms;
  readonly lesions: LabelHistograms | null;
  readonly outcome: LabelOutcome;
  readonly layers?: LabelLayers;
}

/**
 * Stages "labels", "stats" and "readLayers" for a caller that wants the label layers (the page's
 * overlays, DICOM SEG): tie and lesion layers written over the crop's slabs, each counted by
 * fat_stats and read back.
 */
async function layersAndStats(
  ctx: GpuContext,
  scope: BufferScope,
  pipes: ShellPipelines,
  job: {
    plan: ShellPlan;
    tables: ShellTables;
    state: ShellState;
    hu: Int16Array;
    slabs: readonly ShellSlab[];
    window: FatWindow;
  },
  volumes: GpuVolume[],
  control: MeasureControl | undefined,
  lap: (name: string) => void,
): Promise<Labelled> {
  const { plan, tables, state, window } = job;
  // The crop's HU on the shells' slabs, so the fat statistics read it beside the layers.
  const hu = uploadHu(ctx, plan.cropDims, job.hu, job.slabs, 'pericoronary.hu');
  volumes.push(hu);
  const V = Math.max(1, plan.vessels.length);
  const L = plan.lesions.length;
  const layerVolume = (name: string): GpuVolume => {
    const v = allocateLabels(ctx, plan.cropDims, hu.slabs, `pericoronary.${name}`);
    volumes.push(v);
    return v;
  };
  // Tie layers (a voxel where vessels tie exactly counts for each, METHOD.md §4) and lesion layers.
  const out = {
    ties: Array.from({ length: plan.tieLayerCount }, (_, t) => ({
      voi: layerVolume(t === 0 ? 'voi' : `voi[${t}]`),
      rings: layerVolume(t === 0 ? 'rings' : `rings[${t}]`),
    })),
    lesions: Array.from({ length: plan.lesionLayerCount }, (_, i) => layerVolume(`lesions[${i}]`)),
  };
  const outcome = await labelStage(ctx, scope, pipes, { plan, tables, state, out }, (f) =>
    report(control, 'pericoronary.labels', 0.7 + 0.1 * f),
  );
  lap('labels');
  step(control, 'pericoronary.stats', 0.8);
  const voiParts = [];
  const ringParts = [];
  for (const t of out.ties) {
    voiParts.push(await fatStatsGpu(ctx, hu, t.voi, { maxLabel: V, window }));
    ringParts.push(await fatStatsGpu(ctx, hu, t.rings, { maxLabel: V * RING_COUNT, window }));
  }
  const lesionParts = [];
  for (const lv of out.lesions) lesionParts.push(await fatStatsGpu(ctx, hu, lv, { maxLabel: Math.max(1, L), window }));
  lap('stats');
  const lesionLayers: Uint8Array[] = [];
  for (const lv of out.lesions) lesionLayers.push(await readLabels(ctx, lv));
  const ties: TieLayer[] = [];
  for (const t of out.ties) ties.push({ voi: await readLabels(ctx, t.voi), rings: await readLabels(ctx, t.rings) });
  const [first, ...rest] = ties as [TieLayer, ...TieLayer[]];
  lap('readLayers');
  return {
    voi: sumHistograms(voiParts) as LabelHistograms,
    rings: sumHistograms(ringParts) as LabelHistograms,
    lesions: L > 0 ? sumHistograms(lesionParts) : null,
    outcome,
    layers: { voi: first.voi, rings: first.rings, lesions: lesionLayers, ties: rest },
  };
}

/** What the host plans before the kernels run. */
interface HostPlan {
  readonly plan: ShellPlan;
  readonly hu: Int16Array;
  readonly cands: Candidates;
  readonly tables: ShellTables;
  readonly ex: ExactShells;
  readonly calcium: Uint8Array | null;
  readonly slabs: ShellSlab[];
  readonly layout: LiveLayout;
}

/**
 * The rest of stage "plan" on the host, after the crop: candidate index, tables, the calcium mask,
 * slabs and live layout, on the page's thread with a slice() between its parts.
 */
async function planOnHost(
  backend: GpuBackend,
  planned: PlannedCrop,
  control: MeasureControl | undefined,
): Promise<HostPlan> {
  const { plan, hu } = planned;
  await slice(control, 'pericoronary.plan', 0.03);
  // The shell kernels read only the live cells' lists (live-cells.ts); the calcium guard's lumen
  // test reads every cell, so the full index is built only when the guard is on. Built over the
  // platform's threads where it gives some, else in steps with a slice() per row of blocks: the page
  // stays responsive.
  const cands =
    backend.buildIndex && plan.guardMm === null
      ? await backend.buildIndex(plan, control?.signal)
      : await sliced(candidateSteps(plan), control, 'pericoronary.plan', (f) => 0.03 + 0.05 * f);
  checkFits(backend.ctx, 'pericoronary candidate index', cands.count, 16);
  const tables = shellTables(plan);
  const ex = new ExactShells(plan, cands);
  await slice(control, 'pericoronary.plan', 0.1);
  const calcium = plan.guardMm !== null ? calciumMask(ex, hu) : null;
  const limit = backend.bindingLimit();
  const slabs = shellSlabs(plan.cropDims, plan.spacing, calcium ? plan.guardMm : null, limit);
  const layout = shellLayout(plan, cands, slabs, limit);
  return { plan, hu, cands, tables, ex, calcium, slabs, layout };
}

/**
 * The candidate index in steps (a row of blocks each). Without the guard only the live cells'
 * lists are built, by the WebAssembly twin of the builder where it runs (the same lists bit for
 * bit, in about half the time; src/shells/wasm), else by candidates.ts.
 */
function* candidateSteps(plan: ShellPlan): Generator<number, Candidates> {
  const wasm = plan.guardMm === null ? WasmShells.of(plan) : null;
  if (!wasm) return yield* buildCandidateSteps(plan, { liveOnly: plan.guardMm === null });
  yield* wasm.share([0, Infinity]);
  return wasm.toCandidates();
}
