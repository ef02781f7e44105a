/**
 * Pericoronary shells and their fat histograms on the GPU, for a GpuBackend. The host plans (the
 * GPU-free src/shells: crop, parts, candidate index, tables, the calcium mask) and moves buffers;
 * the kernels find every voxel's nearest points (shell_nearest), the guard's distances (EDT) and
 * the labels (shell_labels), and the fat_stats kernel counts each layer. The few voxels whose f32
 * geometry sits within the band of a threshold come back as a list and are settled in float64 by
 * the same code the CPU backend runs, so both backends report the definition.
 * src/cpu/pericoronary.ts is this file's step-for-step CPU reference.
 */
import { PerifatError } from '../errors';
import { edtPipelines, encodeEdt } from '../kernels/edt';
import { fatStatsGpu } from '../kernels/fat-stats';
import { checkFits, uploadMask } from '../kernels/feature-transform';
import { encodeLabels, shellLabelsPipeline, undecidedWords } from '../kernels/shell-labels';
import { encodeNearest, shellNearestPipeline, uploadNearestInputs } from '../kernels/shell-nearest';
import {
  RING_COUNT,
  type PericoronaryExtra,
  type PericoronaryResult,
  type PreparedLesion,
  type PreparedVessel,
  type ShellLayers,
  type ShellOptions,
} from '../measure/pericoronary-types';
import { buildCandidates } from '../shells/candidates';
import { calciumMask, guardBrute } from '../shells/classify';
import { undecidedDiagnostics } from '../shells/diagnostics';
import { ExactShells } from '../shells/exact';
import { cropHu, planShells } from '../shells/plan';
import { emptyResult, requireInt16, settleInto, sumHistograms } from '../shells/result';
import { shellTables } from '../shells/tables';
import { lapTimer } from '../util/lap-timer';
import { step } from '../measure/control';
import type { Vec3 } from '../volume/geometry';
import type { CtVolume } from '../volume/volume';
import { BufferScope, readBuffer } from './buffers';
import { withErrorScopes } from './error-scope';
import type { GpuBackend } from './gpu-backend';
import { type GpuVolume, allocateLabels, uploadHu } from './gpu-volume';
import { type ShellSlab, planShellSlabs } from './slabs';

export async function pericoronaryHistogramsGpu(
  backend: GpuBackend,
  ct: CtVolume,
  vessels: PreparedVessel[],
  lesions: PreparedLesion[],
  opts: ShellOptions,
  extra: PericoronaryExtra = {},
): Promise<PericoronaryResult> {
  requireInt16(ct);
  const ctx = backend.ctx;
  const { timings, lap } = lapTimer();
  const control = extra.control;
  step(control, 'pericoronary.plan', 0);
  const plan = planShells(ct, vessels, lesions, opts);
  if (plan.cropVoxels === 0) return emptyResult(plan, opts, extra, timings);
  const V = Math.max(1, vessels.length);
  const L = lesions.length;
  const n = plan.cropVoxels;
  const hu = cropHu(ct.dims, ct.hu, plan.crop);
  const cands = buildCandidates(plan);
  checkFits(ctx, 'pericoronary candidate index', cands.count, 16);
  const tables = shellTables(plan);
  const ex = new ExactShells(plan, cands);
  const calcium = plan.guardMm !== null ? calciumMask(ex, hu) : null;
  const slabs = shellSlabs(plan.cropDims, plan.spacing, calcium ? plan.guardMm : null, backend.bindingLimit());
  lap('plan');
  step(control, 'pericoronary.compile', 0.15);
  const [nearestPipe, labelsPipe, edtPipes] = await Promise.all([
    shellNearestPipeline(ctx),
    shellLabelsPipeline(ctx),
    calcium ? edtPipelines(ctx) : Promise.resolve(null),
  ]);
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
    const voiVol = layerVolume('voi');
    const ringsVol = layerVolume('rings');
    const lesionVols = Array.from({ length: plan.lesionLayerCount }, (_, i) => layerVolume(`lesions[${i}]`));

    step(control, 'pericoronary.shells', 0.2);
    const inputs = uploadNearestInputs(ctx, scope, plan, cands, tables);
    const slice = plan.cropDims[0] * plan.cropDims[1];
    const perSlab = slabs.map((sl) => {
      const range = { z0: sl.z0, z1: sl.z1, base: sl.z0 * slice, voxels: (sl.z1 - sl.z0) * slice };
      const tag = `[${sl.z0}:${sl.z1}]`;
      const state = scope.storage(`pericoronary.state${tag}`, range.voxels * 16);
      const owner = scope.storage(`pericoronary.owner${tag}`, range.voxels * 4);
      return { sl, range, state, owner, guardBase: (sl.z0 - sl.g0) * slice, guardDist: null as GPUBuffer | null };
    });
    await withErrorScopes(ctx, 'pericoronary shells', async () => {
      const enc = ctx.device.createCommandEncoder({ label: 'perifat:pericoronary' });
      for (const p of perSlab) {
        encodeNearest(
          ctx,
          enc,
          scope,
          nearestPipe,
          plan,
          cands,
          tables,
          { ...inputs, state: p.state, owner: p.owner },
          p.range,
        );
        if (calcium && edtPipes) {
          const { g0, g1 } = p.sl;
          const dims: Vec3 = [plan.cropDims[0], plan.cropDims[1], g1 - g0];
          const mask = uploadMask(
            ctx,
            scope,
            `pericoronary.calcium[${g0}:${g1}]`,
            calcium.subarray(g0 * slice, g1 * slice),
          );
          p.guardDist = scope.storage(`pericoronary.guardDist[${g0}:${g1}]`, (g1 - g0) * slice * 4);
          encodeEdt(ctx, enc, scope, edtPipes, dims, plan.spacing, mask, p.guardDist, false);
        }
      }
      ctx.device.queue.submit([enc.finish()]);
      await ctx.device.queue.onSubmittedWorkDone();
    });
    const labelsWith = async (capacity: number): Promise<{ indices: Uint32Array; reasons: Uint32Array }> => {
      const undecided = scope.storage('pericoronary.undecided', undecidedWords(capacity) * 4);
      await withErrorScopes(ctx, 'pericoronary labels', async () => {
        const enc = ctx.device.createCommandEncoder({ label: 'perifat:pericoronary.labels' });
        perSlab.forEach((p, si) => {
          for (let layer = 0; layer < Math.max(1, plan.lesionLayerCount); layer++) {
            const lv = lesionVols[layer];
            encodeLabels(
              ctx,
              enc,
              scope,
              labelsPipe,
              plan,
              tables,
              layer,
              {
                state: p.state,
                owner: p.owner,
                guardDist: p.guardDist,
                tables: inputs.tables,
                voi: slabBuffer(voiVol, si),
                rings: slabBuffer(ringsVol, si),
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
      if (count > capacity) return labelsWith(count);
      const words = new Uint32Array(await readBuffer(ctx, undecided, undecidedWords(count) * 4));
      // Appended in whatever order the GPU ran: sort so the host's additions are reproducible.
      const order = Array.from({ length: count }, (_, q) => q).sort(
        (a, b) => (words[1 + 2 * a] as number) - (words[1 + 2 * b] as number),
      );
      return {
        indices: Uint32Array.from(order, (q) => words[1 + 2 * q] as number),
        reasons: Uint32Array.from(order, (q) => words[2 + 2 * q] as number),
      };
    };
    step(control, 'pericoronary.labels', 0.7);
    const undecided = await labelsWith(Math.min(n, Math.max(1 << 14, Math.ceil(n / 256))));
    lap('shells');
    step(control, 'pericoronary.stats', 0.8);

    const window = opts.window;
    const voi = await fatStatsGpu(ctx, huVol, voiVol, { maxLabel: V, window });
    const rings = await fatStatsGpu(ctx, huVol, ringsVol, { maxLabel: V * RING_COUNT, window });
    const lesionParts = [];
    for (const lv of lesionVols)
      lesionParts.push(await fatStatsGpu(ctx, huVol, lv, { maxLabel: Math.max(1, L), window }));
    lap('stats');

    let layers: ShellLayers | undefined;
    if (extra.returnLayers) {
      const read = async (v: GpuVolume): Promise<Uint8Array> => {
        const out = new Uint8Array(n);
        for (const sl of v.slabs) out.set(new Uint8Array(await readBuffer(ctx, sl.buffer, sl.voxels)), sl.z0 * slice);
        return out;
      };
      const lesionLayers: Uint8Array[] = [];
      for (const lv of lesionVols) lesionLayers.push(await read(lv));
      layers = { dims: plan.cropDims, voi: await read(voiVol), rings: await read(ringsVol), lesions: lesionLayers };
      lap('readLayers');
    }
    const lesionsH = L > 0 ? sumHistograms(lesionParts) : null;
    step(control, 'pericoronary.settle', 0.95);
    settleInto(
      ex,
      undecided.indices,
      hu,
      calcium ? guardBrute(plan, calcium) : null,
      { voi, rings, lesions: lesionsH },
      layers,
    );
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
        undecided: undecidedDiagnostics(plan, undecided.reasons),
      },
      ...(layers ? { layers } : {}),
    };
  } finally {
    scope.destroyAll();
    for (const v of volumes) v.destroy();
  }
}

/**
 * The crop's z-slabs. The guard's halo: every calcium voxel within the guard of a slab voxel lies
 * within guard / z-spacing slices of it; one more millimetre and one more slice cover the band in
 * which a distance is compared with the guard, so each guard distance the labels read (and every
 * one near the threshold) is the one the whole crop's EDT gives.
 */
function shellSlabs(dims: Vec3, spacing: Vec3, guardMm: number | null, limit: number): ShellSlab[] {
  const halo = guardMm === null ? null : Math.ceil((guardMm + 1) / spacing[2]) + 1;
  return planShellSlabs(dims, halo, limit);
}

function slabBuffer(v: GpuVolume, i: number): GPUBuffer {
  const slab = v.slabs[i];
  if (!slab) throw new PerifatError('E_RUNTIME', `${v.slabs.length} slabs, no slab ${i}`);
  return slab.buffer;
}
