/**
 * Benchmark of the exact distance transforms: the EDT of a sparse vessel-like mask and the
 * nearest-seed feature transform of centerline samples, WebGPU (headless Chromium) vs the CPU
 * reference, same volumes, one run. Prints the adapter, medians and voxels/s, and checks that both
 * backends give bit-identical results.
 *
 *   npx tsx bench/distance.ts [--dims 256x256x256,512x512x300] [--repeats 3] [--cpu-repeats 1]
 *
 * GPU times are end to end per call (mask upload, dispatches, read-back of the per-voxel
 * result); the first call, which compiles the pipelines, is reported apart. Results are compared
 * by a digest of their 32-bit words, so nothing volume-sized crosses between page and Node.
 */
import { parseArgs } from 'node:util';
import type { AdapterReport } from '../src/platform/page/protocol';
import {
  type DistanceReply,
  type EdtCall,
  type FeatureTransformCall,
  wordDigest,
} from '../test/harness/page/protocol-distance';
import { edtCpu } from '../src/kernels/edt/edt.cpu';
import { featureInitFromMask, featureTransformCpu } from '../src/kernels/feature-transform/feature-transform.cpu';
import { TEST_PAGE } from '../test/harness/page/build';
import { ChromiumRunner } from '../src/platform/node/chromium';
import type { Vec3 } from '../src/volume/geometry';
import { median, parseDims } from './util';

const { values } = parseArgs({
  options: {
    dims: { type: 'string', default: '256x256x256,512x512x300' },
    repeats: { type: 'string', default: '3' },
    'cpu-repeats': { type: 'string', default: '1' },
    browser: { type: 'string' },
  },
});
const repeats = Number(values.repeats);
const cpuRepeats = Number(values['cpu-repeats']);
const spacing: Vec3 = [0.35, 0.35, 0.8];

/** Three coronary-like tubes (radius ≈ 1.5 mm) wandering through the volume, and their centerline voxels. */
function vesselMask(dims: Vec3): { mask: Uint8Array; centres: Uint8Array } {
  const [nx, ny, nz] = dims;
  const mask = new Uint8Array(nx * ny * nz);
  const centre = new Set<number>();
  const rad = [Math.ceil(1.5 / spacing[0]), Math.ceil(1.5 / spacing[1]), Math.ceil(1.5 / spacing[2])];
  for (let vsl = 0; vsl < 3; vsl++) {
    const steps = 4 * nz;
    for (let t = 0; t < steps; t++) {
      const u = t / steps;
      const ci = Math.round(nx * (0.5 + 0.3 * Math.cos(2 * Math.PI * (u * (1 + vsl) + vsl / 3))));
      const cj = Math.round(ny * (0.5 + 0.3 * Math.sin(2 * Math.PI * (u * (1.5 + vsl / 2) + vsl / 5))));
      const ck = Math.round((nz - 1) * u);
      centre.add(ci + nx * (cj + ny * ck));
      for (let dk = -rad[2]!; dk <= rad[2]!; dk++)
        for (let dj = -rad[1]!; dj <= rad[1]!; dj++)
          for (let di = -rad[0]!; di <= rad[0]!; di++) {
            const i = ci + di;
            const j = cj + dj;
            const k = ck + dk;
            if (i < 0 || j < 0 || k < 0 || i >= nx || j >= ny || k >= nz) continue;
            const mm = (di * spacing[0]) ** 2 + (dj * spacing[1]) ** 2 + (dk * spacing[2]) ** 2;
            if (mm <= 1.5 * 1.5) mask[i + nx * (j + ny * k)] = 1;
          }
    }
  }
  const centres = new Uint8Array(nx * ny * nz);
  for (const v of centre) centres[v] = 1;
  return { mask, centres };
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

const runner = await ChromiumRunner.start({
  page: TEST_PAGE,
  verbose: process.env['PERIFAT_VERBOSE'] === '1',
  ...(values.browser ? { browserPath: values.browser } : {}),
});
try {
  const adapter = await runner.call<AdapterReport>('adapter');
  console.log(JSON.stringify({ bench: 'distance', adapter: adapter.adapter, hostCores: adapter.hostCores, spacing }));
  for (const d of values.dims.split(',')) {
    const dims = parseDims(d);
    const n = dims[0] * dims[1] * dims[2];
    const { mask, centres } = vesselMask(dims);
    let maskVoxels = 0;
    for (const m of mask) maskVoxels += m;

    // EDT.
    const edtCall: EdtCall = { dims, spacing, maskBlob: runner.putBlob(mask), repeats: repeats + 1, digestOnly: true };
    const g = await runner.call<DistanceReply>('edt', edtCall);
    const cpuEdtTimes: number[] = [];
    let cEdt: Float32Array | null = null;
    for (let r = 0; r < cpuRepeats; r++) {
      const t = performance.now();
      cEdt = edtCpu(dims, spacing, mask);
      cpuEdtTimes.push(performance.now() - t);
    }

    // Feature transform of the centerline voxels.
    const ftCall: FeatureTransformCall = {
      dims,
      spacing,
      maskBlob: runner.putBlob(centres),
      repeats: repeats + 1,
      digestOnly: true,
    };
    const gf = await runner.call<DistanceReply>('featureTransform', ftCall);
    const cpuFtTimes: number[] = [];
    let cFt: Uint32Array | null = null;
    for (let r = 0; r < cpuRepeats; r++) {
      const t = performance.now();
      cFt = featureTransformCpu(dims, spacing, featureInitFromMask(centres));
      cpuFtTimes.push(performance.now() - t);
    }

    const row = (name: string, gpuTimes: number[], cpuTimes: number[], equal: boolean) => {
      const gm = median(gpuTimes.slice(1));
      const cm = median(cpuTimes);
      return {
        kernel: name,
        gpuFirstMs: round(gpuTimes[0] ?? NaN),
        gpuMedianMs: round(gm),
        gpuMvoxPerS: round(n / gm / 1e3),
        cpuMedianMs: round(cm),
        cpuMvoxPerS: round(n / cm / 1e3),
        speedup: round(cm / gm),
        bitIdentical: equal,
      };
    };
    console.log(
      JSON.stringify(
        {
          dims,
          voxels: n,
          maskVoxels,
          centerlineVoxels: centres.reduce((a, b) => a + b, 0),
          results: [
            row('edt', g.timesMs, cpuEdtTimes, cEdt !== null && wordDigest(cEdt) === g.digest),
            row('featureTransform', gf.timesMs, cpuFtTimes, cFt !== null && wordDigest(cFt) === gf.digest),
          ],
        },
        null,
        2,
      ),
    );
  }
} finally {
  await runner.close();
}
