/**
 * CPU reference of the WebGPU pericoronary path (src/host/pericoronary-gpu.ts), step for step: the
 * same plan, index and tables, the f32 kernels' mirrors (shell-nearest.ts, edt.ts,
 * shell-labels.ts), then the same float64 settling. The GPU must match it label for label and
 * in its undecided list; both end equal to the float64 backend (src/shells/measure-f64.ts).
 */
import {
  RING_COUNT,
  type PericoronaryExtra,
  type PericoronaryResult,
  type PreparedLesion,
  type PreparedVessel,
  type ShellOptions,
} from '../measure/pericoronary-types';
import { buildCandidates } from '../shells/candidates';
import { calciumMask, guardBrute } from '../shells/classify';
import { ExactShells } from '../shells/exact';
import { cropHu, planShells } from '../shells/plan';
import { emptyHistograms, emptyResult, requireInt16, settleInto, sumHistograms } from '../shells/result';
import { shellTables } from '../shells/tables';
import { lapTimer } from '../util/lap-timer';
import type { CtVolume } from '../volume/volume';
import { edtCpu } from './edt';
import { fatStatsCpu } from './fat-stats';
import { shellLabelsCpu } from './shell-labels';
import { shellNearestCpu } from './shell-nearest';
import { undecidedDiagnostics } from '../shells/diagnostics';

export interface F32ReferenceResult extends PericoronaryResult {
  /** The f32 layers before settling (what the GPU's label kernel writes). */
  readonly f32Layers: { voi: Uint8Array; rings: Uint8Array; lesions: Uint8Array[] };
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
  requireInt16(ct);
  const { timings, lap } = lapTimer();
  const plan = planShells(ct, vessels, lesions, opts);
  if (plan.cropVoxels === 0) return emptyResult(plan, opts, extra, timings);
  const hu = cropHu(ct.dims, ct.hu, plan.crop);
  const cands = buildCandidates(plan);
  const tables = shellTables(plan);
  const ex = new ExactShells(plan, cands);
  lap('plan');
  const st = shellNearestCpu(plan, cands, tables);
  const calcium = plan.guardMm !== null ? calciumMask(ex, hu) : null;
  const guardDist = calcium ? edtCpu(plan.cropDims, plan.spacing, calcium) : null;
  const first = shellLabelsCpu(plan, st, tables, guardDist, 0);
  const lesionLayers = first.lesion ? [first.lesion] : [];
  for (let layer = 1; layer < plan.lesionLayerCount; layer++) {
    lesionLayers.push(shellLabelsCpu(plan, st, tables, guardDist, layer).lesion as Uint8Array);
  }
  lap('shells');
  const V = Math.max(1, vessels.length);
  const L = lesions.length;
  const f32Layers = {
    voi: first.voi.slice(),
    rings: first.rings.slice(),
    lesions: lesionLayers.map((l) => l.slice()),
  };
  const strip = (h: ReturnType<typeof fatStatsCpu>) => ({
    window: h.window,
    maxLabel: h.maxLabel,
    voxels: h.voxels,
    histogram: h.histogram,
  });
  const h = {
    voi: strip(fatStatsCpu(hu, first.voi, V, opts.window)),
    rings: strip(fatStatsCpu(hu, first.rings, V * RING_COUNT, opts.window)),
    lesions:
      L > 0
        ? (sumHistograms(lesionLayers.map((l) => strip(fatStatsCpu(hu, l, L, opts.window)))) ??
          emptyHistograms(opts.window, L))
        : null,
  };
  lap('stats');
  const layers = { voi: first.voi, rings: first.rings, lesions: lesionLayers };
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
