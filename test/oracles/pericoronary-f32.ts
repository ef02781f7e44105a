/**
 * CPU reference of the WebGPU pericoronary path (src/backends/webgpu/pericoronary.ts), step for
 * step: the same plan, index and tables, the f32 kernels' CPU twins (src/kernels/*\/*.cpu.ts), then
 * the same float64 settling. The GPU must match it label for label and in its undecided list; both
 * end equal to the float64 CPU backend (src/backends/cpu/pericoronary.ts).
 */
import {
  type PericoronaryExtra,
  type PericoronaryResult,
  type PreparedLesion,
  type PreparedVessel,
  type ShellOptions,
} from '../../src/measure/pericoronary-types';
import { buildCandidates } from '../../src/shells/candidates';
import { calciumMask, guardBrute } from '../../src/shells/classify';
import { ExactShells } from '../../src/shells/exact';
import { liveLayout } from '../../src/shells/live-cells';
import { settleInto } from '../../src/shells/result';
import { shellTables } from '../../src/shells/tables';
import { lapTimer } from '../../src/util/lap-timer';
import type { CtVolume } from '../../src/volume/volume';
import { edtCpu } from '../../src/kernels/edt/edt.cpu';
import { layerHistogramsCpu, planStage } from '../../src/backends/pericoronary-stages';
import { shellLabelsCpu } from '../../src/kernels/shell-labels/shell-labels.cpu';
import { shellNearestCpu } from '../../src/kernels/shell-nearest/shell-nearest.cpu';
import { undecidedDiagnostics } from '../../src/shells/diagnostics';

export interface F32ReferenceResult extends PericoronaryResult {
  /** The f32 layers before settling (what the GPU's label kernel writes). */
  readonly f32Layers: {
    voi: Uint8Array;
    rings: Uint8Array;
    lesions: Uint8Array[];
    ties: { voi: Uint8Array; rings: Uint8Array }[];
  };
  /** Undecided crop indices (ascending) and their reason | owner << 8. */
  readonly undecided: Uint32Array;
  readonly reasons: Uint32Array;
}

export function pericoronaryF32Reference(
  ct: CtVolume,
  vessels: PreparedVessel[],
  lesions: PreparedLesion[],
  opts: ShellOptions,
  extra: PericoronaryExtra = {},
): F32ReferenceResult | PericoronaryResult {
  const { timings, lap } = lapTimer();
  const planned = planStage(ct, vessels, lesions, opts, extra, timings);
  if ('empty' in planned) return planned.empty;
  const { plan, hu } = planned;
  const cands = buildCandidates(plan);
  const tables = shellTables(plan);
  const ex = new ExactShells(plan, cands);
  lap('plan');
  const st = shellNearestCpu(
    plan,
    cands,
    tables,
    liveLayout(cands, plan.cropDims, [{ z0: 0, z1: plan.cropDims[2] }], Infinity),
  );
  const calcium = plan.guardMm !== null ? calciumMask(ex, hu) : null;
  const guardDist = calcium ? edtCpu(plan.cropDims, plan.spacing, calcium) : null;
  // One pass per layer, as the GPU dispatches them: tie layer and lesion layer `layer`.
  const passes = Array.from({ length: Math.max(1, plan.tieLayerCount, plan.lesionLayerCount) }, (_, layer) =>
    shellLabelsCpu(plan, st, tables, guardDist, layer),
  );
  const first = passes[0]!;
  const tieLayers = passes.slice(0, Math.max(1, plan.tieLayerCount)).map((p) => ({ voi: p.voi, rings: p.rings }));
  const lesionLayers = passes.slice(0, plan.lesionLayerCount).map((p) => p.lesion as Uint8Array);
  lap('shells');
  const f32Layers = {
    voi: first.voi.slice(),
    rings: first.rings.slice(),
    lesions: lesionLayers.map((l) => l.slice()),
    ties: tieLayers.slice(1).map((t) => ({ voi: t.voi.slice(), rings: t.rings.slice() })),
  };
  const h = layerHistogramsCpu(plan, hu, f32Layers, opts.window);
  lap('stats');
  const layers = { voi: first.voi, rings: first.rings, lesions: lesionLayers, ties: tieLayers.slice(1) };
  settleInto(ex, first.undecided, hu, calcium ? guardBrute(plan, calcium) : null, h, layers);
  lap('settle');
  return {
    ...h,
    crop: { lo: plan.crop.lo, hi: plan.crop.hi },
    timingsMs: timings,
    diagnostics: {
      method: 'f32+float64',
      cropVoxels: plan.cropVoxels,
      parts: plan.parts.length,
      candidates: cands.count,
      evaluations: ex.evaluations,
      undecided: undecidedDiagnostics(plan, first.reasons),
    },
    f32Layers,
    undecided: first.undecided,
    reasons: first.reasons,
    ...(extra.returnLayers ? { layers: { dims: plan.cropDims, ...layers } } : {}),
  };
}
