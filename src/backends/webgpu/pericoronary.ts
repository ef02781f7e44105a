/**
 * Pericoronary shells and their fat histograms on the GPU, for a GpuBackend. The host plans (the
 * GPU-free src/shells: crop, parts, candidate index, tables, the calcium mask) and moves buffers;
 * the kernels find every voxel's nearest points (shell-nearest), the guard's distances (edt) and
 * the labels (shell-labels), and fat-stats counts each layer. The few voxels whose f32 geometry
 * sits within the band of a threshold come back as a list and are settled in float64 by the same
 * code the CPU backend runs, so both backends report the definition. Stages: plan (shared with the
 * CPU backend), compile, shells, labels, stats, readLayers, settle.
 * test/oracles/pericoronary-f32.ts is this file's step-for-step CPU reference.
 */
import { BufferScope } from '../../gpu/buffers';
import { checkFits } from '../../gpu/dispatch';
import { type GpuVolume, allocateLabels, readLabels, uploadHu } from '../../gpu/gpu-volume';
import { fatStatsGpu } from '../../kernels/fat-stats/fat-stats';
import { report, slice, sliced, step } from '../../measure/control';
import {
  RING_COUNT,
  type PericoronaryExtra,
  type PericoronaryResult,
  type PreparedLesion,
  type PreparedVessel,
  type ShellLayers,
  type ShellOptions,
} from '../../measure/pericoronary-types';
import { buildCandidateSteps } from '../../shells/candidates';
import { calciumMask, guardBrute } from '../../shells/classify';
import { undecidedDiagnostics } from '../../shells/diagnostics';
import { ExactShells } from '../../shells/exact';
import type { LabelLayers, TieLayer } from '../../shells/layers';
import { settleInto, sumHistograms } from '../../shells/result';
import type { LabelHistograms } from '../../stats/label-stats';
import { shellTables } from '../../shells/tables';
import { lapTimer } from '../../util/lap-timer';
import type { CtVolume } from '../../volume/volume';
import { planStage } from '../pericoronary-stages';
import type { GpuBackend } from './gpu-backend';
import { compileShellPipelines, labelStage, shellLayout, shellSlabs, shellStage } from './shell-stages';

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
  // Planning runs on the page's thread: slice() between its parts (cancel, progress, a yield).
  await slice(control, 'pericoronary.plan', 0);
  const planned = planStage(ct, vessels, lesions, opts, extra, timings);
  if ('empty' in planned) return planned.empty;
  const { plan, hu } = planned;
  const V = Math.max(1, vessels.length);
  const L = lesions.length;
  const n = plan.cropVoxels;
  await slice(control, 'pericoronary.plan', 0.03);
  // The shell kernels read only the live cells' lists (live-cells.ts); the calcium guard's lumen
  // test reads every cell, so the full index is built only when the guard is on. Built in steps,
  // with a slice() per row of blocks: the page stays responsive.
  const cands = await sliced(
    buildCandidateSteps(plan, { liveOnly: plan.guardMm === null }),
    control,
    'pericoronary.plan',
    (f) => 0.03 + 0.05 * f,
  );
  checkFits(ctx, 'pericoronary candidate index', cands.count, 16);
  const tables = shellTables(plan);
  const ex = new ExactShells(plan, cands);
  await slice(control, 'pericoronary.plan', 0.1);
  const calcium = plan.guardMm !== null ? calciumMask(ex, hu) : null;
  const limit = backend.bindingLimit();
  const slabs = shellSlabs(plan.cropDims, plan.spacing, calcium ? plan.guardMm : null, limit);
  const layout = shellLayout(plan, cands, slabs, limit);
  lap('plan');
  step(control, 'pericoronary.compile', 0.15);
  const pipes = await compileShellPipelines(ctx, calcium !== null);
  lap('compile');

  const scope = new BufferScope(ctx);
  const volumes: GpuVolume[] = [];
  try {
    // The HU and label layers share the shells' slabs, so the fat statistics read them as they are.
    const huVol = uploadHu(ctx, plan.cropDims, hu, slabs, 'pericoronary.hu');
    volumes.push(huVol);
    const layerVolume = (name: string): GpuVolume => {
      const v = allocateLabels(ctx, plan.cropDims, slabs, `pericoronary.${name}`);
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

    step(control, 'pericoronary.shells', 0.2);
    // A cancel is answered between the GPU stages, not inside one: a stage left running would go on
    // submitting work on buffers the finally below destroys, and its error scopes would interleave
    // with the next measurement's on the same device.
    const state = await shellStage(ctx, scope, pipes, { plan, cands, tables, calcium, slabs, layout }, (f) =>
      report(control, 'pericoronary.shells', 0.2 + 0.5 * f),
    );
    lap('shells');
    step(control, 'pericoronary.labels', 0.7);
    const undecided = await labelStage(ctx, scope, pipes, { plan, tables, state, out }, (f) =>
      report(control, 'pericoronary.labels', 0.7 + 0.1 * f),
    );
    lap('labels');

    step(control, 'pericoronary.stats', 0.8);
    const window = opts.window;
    const voiParts = [];
    const ringParts = [];
    for (const t of out.ties) {
      voiParts.push(await fatStatsGpu(ctx, huVol, t.voi, { maxLabel: V, window }));
      ringParts.push(await fatStatsGpu(ctx, huVol, t.rings, { maxLabel: V * RING_COUNT, window }));
    }
    const voi = sumHistograms(voiParts) as LabelHistograms;
    const rings = sumHistograms(ringParts) as LabelHistograms;
    const lesionParts = [];
    for (const lv of out.lesions)
      lesionParts.push(await fatStatsGpu(ctx, huVol, lv, { maxLabel: Math.max(1, L), window }));
    lap('stats');

    let layers: LabelLayers | undefined;
    if (extra.returnLayers) {
      const lesionLayers: Uint8Array[] = [];
      for (const lv of out.lesions) lesionLayers.push(await readLabels(ctx, lv));
      const ties: TieLayer[] = [];
      for (const t of out.ties) ties.push({ voi: await readLabels(ctx, t.voi), rings: await readLabels(ctx, t.rings) });
      const [first, ...rest] = ties as [TieLayer, ...TieLayer[]];
      layers = { voi: first.voi, rings: first.rings, lesions: lesionLayers, ties: rest };
      lap('readLayers');
    }
    const lesionsH = L > 0 ? sumHistograms(lesionParts) : null;
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
