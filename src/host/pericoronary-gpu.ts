/**
 * Pericoronary shells and their fat histograms on the GPU, for a GpuBackend (kept out of
 * gpu-backend.ts so the backend stays small). Everything between the crop upload and the
 * histograms stays on the GPU: per vessel a feature transform of its centerline seeds over the
 * domain and the exact refinement merged into ownership, then the calcium guard's EDT, the label
 * layers, and the existing fat_stats kernel over each layer. Same plan and same f32 arithmetic as
 * the CPU reference (src/cpu/pericoronary.ts), so labels agree voxel for voxel.
 */
import {
  type PericoronaryExtra,
  type PericoronaryResult,
  type ShellLayers,
  emptyResult,
  requireInt16,
  sumHistograms,
} from '../cpu/pericoronary';
import { PerifatError } from '../errors';
import { edtPipelines, encodeEdt } from '../kernels/edt';
import { fatStatsGpu } from '../kernels/fat-stats';
import {
  FT_EMPTY,
  checkFits,
  encodeFeatureInit,
  encodeFeaturePasses,
  encodeFeatureSeeds,
  featurePipelines,
  featureScratchBytes,
} from '../kernels/feature-transform';
import {
  encodeCalcium,
  encodeLabels,
  encodeRefine,
  shellPipelines,
  uploadVesselTable,
  vesselSegmentsBytes,
} from '../kernels/shell-labels';
import { cropHu, planShells } from '../kernels/shell-plan';
import { RING_COUNT, type PreparedLesion, type PreparedVessel, type ShellOptions } from '../measure/pericoronary-types';
import type { CtVolume } from '../volume/volume';
import { BufferScope, readBuffer } from './buffers';
import { withErrorScopes } from './error-scope';
import type { GpuBackend } from './gpu-backend';
import { type GpuVolume, allocateLabels, planVolumeSlabs, uploadHu } from './gpu-volume';
import { packedBytes } from './slabs';
import { lapTimer } from '../util/lap-timer';
import { addSettled, settleUndecided } from '../cpu/undecided-f64';

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
  const plan = planShells(ct, vessels, lesions, opts);
  const V = Math.max(1, vessels.length);
  const L = lesions.length;
  if (plan.cropVoxels === 0) return emptyResult(plan, opts, { vessels: vessels.length, lesions: L }, extra, timings);

  const n = plan.cropVoxels;
  const domainVoxels = plan.domainDims[0] * plan.domainDims[1] * plan.domainDims[2];
  checkFits(ctx, 'pericoronary feature-transform domain', domainVoxels, 4);
  checkFits(ctx, 'pericoronary shell state', n, 16);
  const slabs = planVolumeSlabs(ctx, plan.cropDims);
  if (slabs.length !== 1) {
    throw new PerifatError(
      'E_TOO_LARGE',
      `the pericoronary crop (${plan.cropDims.join('×')}) exceeds one storage binding`,
    );
  }
  const [ftPipes, shellPipes, edtPipes] = await Promise.all([
    featurePipelines(ctx),
    shellPipelines(ctx),
    plan.guard2 !== null ? edtPipelines(ctx) : Promise.resolve(null),
  ]);
  lap('compile');

  const hu = cropHu(ct.dims, ct.hu, plan.crop);
  const scope = new BufferScope(ctx);
  const volumes: GpuVolume[] = [];
  try {
    const huVol = uploadHu(ctx, plan.cropDims, hu, slabs, 'pericoronary.hu');
    volumes.push(huVol);
    const huBuf = (huVol.slabs[0] as { buffer: GPUBuffer }).buffer;
    const layerVolume = (name: string): GpuVolume => {
      const v = allocateLabels(ctx, plan.cropDims, slabs, `pericoronary.${name}`);
      volumes.push(v);
      return v;
    };
    const voiVol = layerVolume('voi');
    const ringsVol = layerVolume('rings');
    const lesionVols = plan.lesionLayers.map((_, i) => layerVolume(`lesions[${i}]`));
    const bufOf = (v: GpuVolume): GPUBuffer => (v.slabs[0] as { buffer: GPUBuffer }).buffer;

    const state = scope.storage('pericoronary.state', n * 16);
    const owner = scope.storage('pericoronary.owner', n * 4);
    const ftA = scope.storage('pericoronary.ftA', domainVoxels * 4);
    const ftB = scope.storage('pericoronary.ftB', domainVoxels * 4);
    const scratch = scope.storage('pericoronary.scratch', featureScratchBytes(ctx, plan.domainDims));
    const segs = vesselSegmentsBytes(plan);
    const segBuf = scope.storage('pericoronary.vesselSegments', segs.byteLength);
    ctx.device.queue.writeBuffer(segBuf, 0, segs.buffer, segs.byteOffset, segs.byteLength);
    const tables = plan.vessels.map((tb) => uploadVesselTable(ctx, scope, tb));

    const guardDist = await withErrorScopes(ctx, 'pericoronary shells', async () => {
      const enc = ctx.device.createCommandEncoder({ label: 'perifat:pericoronary' });
      plan.vessels.forEach((tb, i) => {
        const bufs = tables[i] as { seeds: GPUBuffer; segments: GPUBuffer };
        encodeFeatureInit(ctx, enc, scope, ftPipes, domainVoxels, FT_EMPTY, null, ftA);
        encodeFeatureSeeds(ctx, enc, scope, ftPipes, bufs.seeds, tb.seedCount, ftA);
        const ft = encodeFeaturePasses(ctx, enc, scope, ftPipes, plan.domainDims, plan.spacing, ftA, ftB, scratch);
        encodeRefine(ctx, enc, scope, shellPipes, plan, tb, { ft, ...bufs, state, owner }, i === 0);
      });
      let guardDist: GPUBuffer | null = null;
      if (edtPipes) {
        const mask = scope.storage('pericoronary.calcium', packedBytes(n, 1));
        encodeCalcium(ctx, enc, scope, shellPipes, plan, { hu: huBuf, owner, mask });
        guardDist = scope.storage('pericoronary.guardDist', n * 4);
        encodeEdt(ctx, enc, scope, edtPipes, plan.cropDims, plan.spacing, mask, guardDist, false);
      }
      ctx.device.queue.submit([enc.finish()]);
      await ctx.device.queue.onSubmittedWorkDone();
      return guardDist;
    });
    const labelsWith = async (capacity: number): Promise<Uint32Array> => {
      const undecided = scope.storage('pericoronary.undecided', (1 + capacity) * 4);
      await withErrorScopes(ctx, 'pericoronary labels', async () => {
        const enc = ctx.device.createCommandEncoder({ label: 'perifat:pericoronary.labels' });
        const layers = Math.max(1, plan.lesionLayers.length);
        for (let layer = 0; layer < layers; layer++) {
          const lv = lesionVols[layer];
          encodeLabels(ctx, enc, scope, shellPipes, plan, layer, {
            state,
            owner,
            guardDist,
            segments: segBuf,
            voi: bufOf(voiVol),
            rings: bufOf(ringsVol),
            lesion: lv ? bufOf(lv) : null,
            undecided,
          });
        }
        ctx.device.queue.submit([enc.finish()]);
      });
      const count = new Uint32Array(await readBuffer(ctx, undecided, 4))[0] as number;
      if (count > capacity) return labelsWith(count);
      // Appended in whatever order the GPU ran: sort so the host's additions are reproducible.
      return new Uint32Array(await readBuffer(ctx, undecided, (1 + count) * 4)).subarray(1).sort();
    };
    const undecided = await labelsWith(Math.min(n, Math.max(1 << 16, Math.ceil(n / 16))));
    lap('shells');

    const window = opts.window;
    const voi = await fatStatsGpu(ctx, huVol, voiVol, { maxLabel: V, window });
    const rings = await fatStatsGpu(ctx, huVol, ringsVol, { maxLabel: V * RING_COUNT, window });
    const lesionParts = [];
    for (const lv of lesionVols)
      lesionParts.push(await fatStatsGpu(ctx, huVol, lv, { maxLabel: Math.max(1, L), window }));
    lap('stats');

    let layers: ShellLayers | undefined;
    if (extra.returnLayers) {
      const read = async (v: GpuVolume): Promise<Uint8Array> => new Uint8Array(await readBuffer(ctx, bufOf(v), n));
      const lesionLayers: Uint8Array[] = [];
      for (const lv of lesionVols) lesionLayers.push(await read(lv));
      layers = { dims: plan.cropDims, voi: await read(voiVol), rings: await read(ringsVol), lesions: lesionLayers };
      lap('readLayers');
    }
    const lesionsH = L > 0 ? sumHistograms(lesionParts) : null;
    const settled = settleUndecided(ct, plan.crop.lo, plan.cropDims, undecided, vessels, lesions, opts);
    addSettled(settled, hu, { voi, rings, lesions: lesionsH }, plan.lesionLayers, layers);
    lap('settle');
    return {
      voi,
      rings,
      lesions: lesionsH,
      crop: { lo: plan.crop.lo, hi: plan.crop.hi },
      timingsMs: timings,
      ...(layers ? { layers } : {}),
    };
  } finally {
    scope.destroyAll();
    for (const v of volumes) v.destroy();
  }
}
