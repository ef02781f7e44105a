/**
 * The distance transforms and pericoronary shells on the real WGSL (headless Chromium, SwiftShader
 * without a GPU) against the CPU references: bit-identical squared distances and sites; for the
 * shells the same undecided voxels (count, reasons, vessels) as the f32 kernels' mirror, and after
 * the float64 settling labels and histograms identical to the float64 backend and the literal
 * oracle of METHOD.md §4.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  DistanceReply,
  EdtCall,
  FeatureTransformCall,
  HistogramsJson,
  PericoronaryCall,
  PericoronaryReply,
} from '../../src/browser/protocol-distance';
import { edtBrute, edtCpu } from '../../src/cpu/edt';
import { featureInitFromMask, featureInitFromSeeds, featureTransformCpu } from '../../src/cpu/feature-transform';
import { type F32ReferenceResult, pericoronaryF32Reference } from '../../src/cpu/pericoronary';
import { pericoronaryF64 } from '../../src/shells/measure-f64';
import type {
  PericoronaryResult,
  PreparedLesion,
  PreparedVessel,
  ShellOptions,
} from '../../src/measure/pericoronary-types';
import type { ChromiumRunner } from '../../src/runner/chromium';
import type { LabelHistograms } from '../../src/stats/label-stats';
import type { Mat3, Vec3 } from '../../src/volume/geometry';
import { bytesOf, startGpuRunner } from '../helpers/gpu-runner';
import {
  type Int16Ct,
  OPTS,
  curve,
  fatNoise,
  makeCt,
  mismatches,
  oracleLayers,
  randomMask,
  twoCurvedVessels,
  vessel,
} from '../unit/distance-fixtures';

let runner: ChromiumRunner;

beforeAll(async () => {
  const started = await startGpuRunner();
  runner = started.runner;
  console.log(`GPU suite adapter: ${JSON.stringify(started.adapter.adapter)}`);
});
afterAll(async () => {
  await runner?.close();
});

const ANISO: Vec3 = [0.35, 0.35, 0.8];

function take(id: string): Uint8Array {
  const u = runner.server.takeUpload(id);
  if (!u) throw new Error(`no upload ${id}`);
  return u;
}

async function edtGpu(dims: Vec3, spacing: Vec3, mask: Uint8Array, signed = false): Promise<Float32Array> {
  const call: EdtCall = { dims, spacing, maskBlob: runner.putBlob(mask), signed };
  const r = await runner.call<DistanceReply>('edt', call);
  const bytes = take(r.uploadId ?? '');
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
}

async function ftGpu(
  dims: Vec3,
  spacing: Vec3,
  sites: { mask: Uint8Array } | { seeds: Uint32Array },
): Promise<Uint32Array> {
  const call: FeatureTransformCall =
    'mask' in sites
      ? { dims, spacing, maskBlob: runner.putBlob(sites.mask) }
      : { dims, spacing, seedsBlob: runner.putBlob(new Uint8Array(sites.seeds.buffer)) };
  const r = await runner.call<DistanceReply>('featureTransform', call);
  const bytes = take(r.uploadId ?? '');
  return new Uint32Array(bytes.slice().buffer);
}

function firstDiff(a: ArrayLike<number>, b: ArrayLike<number>): string {
  for (let i = 0; i < a.length; i++) {
    if (!Object.is(a[i], b[i])) return `first difference at ${i}: ${a[i]} vs ${b[i]}`;
  }
  return a.length === b.length ? 'equal' : `lengths ${a.length} vs ${b.length}`;
}

async function expectEdt(dims: Vec3, spacing: Vec3, mask: Uint8Array, signed = false): Promise<void> {
  const gpu = await edtGpu(dims, spacing, mask, signed);
  const cpu = edtCpu(dims, spacing, mask, { signed });
  expect(firstDiff(gpu, cpu)).toBe('equal');
  const brute = edtBrute(dims, spacing, mask, { signed });
  let worst = 0;
  for (let v = 0; v < brute.length; v++) {
    const w = brute[v] as number;
    const g = gpu[v] as number;
    if (!Number.isFinite(w)) expect(g).toBe(w);
    else
      worst = Math.max(worst, Math.abs(Math.sign(g) * Math.sqrt(Math.abs(g)) - Math.sign(w) * Math.sqrt(Math.abs(w))));
  }
  expect(worst).toBeLessThanOrEqual(1e-4);
}

describe('EDT and feature transform (WGSL) vs CPU reference and brute force', () => {
  it('random masks with anisotropic spacing on odd dims, unsigned and signed', async () => {
    const dims: Vec3 = [19, 13, 11];
    const n = 19 * 13 * 11;
    await expectEdt(dims, ANISO, randomMask(n, 0.01, 21));
    await expectEdt(dims, ANISO, randomMask(n, 0.3, 22), true);
    await expectEdt(dims, [0.5, 0.7, 1.3], randomMask(n, 0.05, 23), true);
  });

  it('single voxel, masks touching the borders, degenerate dims', async () => {
    const dims: Vec3 = [9, 8, 7];
    const one = new Uint8Array(9 * 8 * 7);
    one[3 + 9 * (4 + 8 * 5)] = 1;
    await expectEdt(dims, ANISO, one);
    const border = new Uint8Array(9 * 8 * 7);
    border[0] = 1;
    border[border.length - 1] = 1;
    border[8 + 9 * 7] = 1;
    await expectEdt(dims, ANISO, border, true);
    await expectEdt([1, 1, 17], ANISO, randomMask(17, 0.2, 24), true);
    await expectEdt([23, 1, 2], ANISO, randomMask(46, 0.1, 25));
  });

  it('empty mask → +∞; full mask signed → −∞', async () => {
    const dims: Vec3 = [6, 5, 3];
    expect(Array.from(await edtGpu(dims, ANISO, new Uint8Array(90))).every((x) => x === Infinity)).toBe(true);
    expect(Array.from(await edtGpu(dims, ANISO, new Uint8Array(90).fill(1), true)).every((x) => x === -Infinity)).toBe(
      true,
    );
  });

  it('a 64×48×40 volume with a sparse vessel-like mask, several grid-stride rounds', async () => {
    const dims: Vec3 = [64, 48, 40];
    const n = 64 * 48 * 40;
    const mask = new Uint8Array(n);
    for (let k = 0; k < 40; k++) {
      const i = Math.round(32 + 20 * Math.cos(k / 7));
      const j = Math.round(24 + 15 * Math.sin(k / 5));
      mask[i + 64 * (j + 48 * k)] = 1;
    }
    const gpu = await edtGpu(dims, ANISO, mask);
    expect(firstDiff(gpu, edtCpu(dims, ANISO, mask))).toBe('equal');
  });

  it('feature transform: identical sites from a mask and from seed records', async () => {
    const dims: Vec3 = [21, 17, 13];
    const n = 21 * 17 * 13;
    const mask = randomMask(n, 0.02, 26);
    const cpu = featureTransformCpu(dims, ANISO, featureInitFromMask(mask));
    expect(firstDiff(await ftGpu(dims, ANISO, { mask }), cpu)).toBe('equal');
    const seeds = new Uint32Array([5, 0, 0, 700, 0, 0, 3000, 0, 0, n - 1, 0, 0]);
    const cpuSeeds = featureTransformCpu(dims, ANISO, featureInitFromSeeds(n, seeds));
    expect(firstDiff(await ftGpu(dims, ANISO, { seeds }), cpuSeeds)).toBe('equal');
  });
});

function histJson(h: LabelHistograms): HistogramsJson {
  return { maxLabel: h.maxLabel, voxels: Array.from(h.voxels), histogram: Array.from(h.histogram) };
}

async function shellsGpu(
  ct: Int16Ct,
  vessels: PreparedVessel[],
  lesions: PreparedLesion[],
  opts: ShellOptions,
  maxBindingBytes?: number,
): Promise<PericoronaryReply & { layerBytes: { voi: Uint8Array; rings: Uint8Array; lesions: Uint8Array[] } }> {
  const call: PericoronaryCall = {
    ...(maxBindingBytes !== undefined ? { maxBindingBytes } : {}),
    ct: { dims: ct.dims, spacing: ct.spacing, origin: ct.origin, direction: ct.direction },
    huBlob: runner.putBlob(bytesOf(ct.hu)),
    vessels: vessels.map((v) => ({
      name: v.name,
      index: v.index,
      points: v.points.map((p) => [...p] as Vec3),
      radii: [...v.radii],
      arcMm: Array.from(v.arcMm),
      segmentMm: [v.segmentMm[0], v.segmentMm[1]],
    })),
    lesions,
    opts,
    returnLayers: true,
  };
  const r = await runner.call<PericoronaryReply>('pericoronary', call);
  const L = r.layers!;
  return { ...r, layerBytes: { voi: take(L.voi), rings: take(L.rings), lesions: L.lesions.map(take) } };
}

async function expectShellsMatch(
  ct: Int16Ct,
  vessels: PreparedVessel[],
  lesions: PreparedLesion[],
  opts: ShellOptions,
  maxBindingBytes?: number,
): Promise<{ cpu: PericoronaryResult; gpu: PericoronaryReply }> {
  const gpu = await shellsGpu(ct, vessels, lesions, opts, maxBindingBytes);
  const ref = pericoronaryF32Reference(ct, vessels, lesions, opts, { returnLayers: true }) as F32ReferenceResult;
  const cpu = await pericoronaryF64(ct, vessels, lesions, opts, { returnLayers: true });
  expect(gpu.crop).toEqual(cpu.crop);
  // The f32 kernels leave exactly the voxels their mirror does.
  expect(gpu.diagnostics.undecided).toEqual(ref.diagnostics.undecided);
  const cl = cpu.layers!;
  expect(mismatches(gpu.layerBytes.voi, cl.voi)).toBe(0);
  expect(mismatches(gpu.layerBytes.rings, cl.rings)).toBe(0);
  expect(gpu.layerBytes.lesions.length).toBe(cl.lesions.length);
  gpu.layerBytes.lesions.forEach((l, i) => expect(mismatches(l, cl.lesions[i]!)).toBe(0));
  expect(gpu.voi).toEqual(histJson(cpu.voi));
  expect(gpu.rings).toEqual(histJson(cpu.rings));
  expect(gpu.lesions).toEqual(cpu.lesions ? histJson(cpu.lesions) : null);
  return { cpu, gpu };
}

describe('pericoronary shells (WGSL) vs CPU reference', () => {
  it('a straight cylinder leaving the volume: GPU = CPU = analytic labels', async () => {
    const dims: Vec3 = [40, 36, 20];
    const spacing: Vec3 = [0.7, 0.7, 1.1];
    const ct = makeCt(dims, spacing, fatNoise(dims[0] * dims[1] * dims[2], 31), [-3, 2, -1]);
    const pts = curve((u) => [-3 - 8 + 40 * u, 2 + 4 + 17 * u, -1 - 5 + 32 * u] as Vec3, 0, 1, 7);
    const vessels = [vessel('LAD', 0, pts, 1.37, [9.3, 31.1])];
    const { cpu } = await expectShellsMatch(ct, vessels, [], OPTS);
    const oracle = oracleLayers(ct, cpu.crop, vessels, [], OPTS);
    expect(mismatches(cpu.layers!.voi, oracle.voi, oracle.ambiguous)).toBe(0);
    expect(mismatches(cpu.layers!.rings, oracle.rings, oracle.ambiguous)).toBe(0);
    expect(cpu.voi.voxels[1]).toBeGreaterThan(100);
  });

  it('two curved vessels, overlapping lesions, wall gap and calcium guard, oblique geometry', async () => {
    const { ct, vessels, lesions, opts } = curvedCase();
    const { cpu } = await expectShellsMatch(ct, vessels, lesions, opts);
    expect(cpu.layers!.lesions.length).toBe(2);
    expect(cpu.rings.voxels.reduce((a, b) => a + b, 0)).toBeGreaterThan(1000);
  });

  it('the same through z-slabs: a binding limit too small for the crop cuts it, guard halo included', async () => {
    const { ct, vessels, lesions, opts } = curvedCase();
    const whole = await shellsGpu(ct, vessels, lesions, opts);
    const [cx, cy, cz] = whole.layers!.dims;
    // Three slices of shell state per binding (the guard's EDT region, three slices plus a halo of
    // (1 + 1) / 0.9 + 1 = 4 on each side, must fit at 4 bytes a voxel: 11 × 4 < 3 × 16).
    const limit = 3 * cx * cy * 16;
    const { gpu } = await expectShellsMatch(ct, vessels, lesions, opts, limit);
    expect(gpu.diagnostics.slabs).toBe(Math.ceil(cz / 3));
    expect(whole.diagnostics.slabs).toBe(1);
    expect(gpu.diagnostics.undecided).toEqual(whole.diagnostics.undecided);
  });

  it('no vessel near the volume: empty crop, zero histograms', async () => {
    const ct = makeCt([8, 8, 8], [1, 1, 1], fatNoise(512, 33));
    const r = await shellsGpu(
      ct,
      [
        vessel(
          'RCA',
          0,
          [
            [500, 0, 0],
            [520, 0, 0],
          ],
          2,
        ),
      ],
      [],
      OPTS,
    );
    expect(r.crop.hi).toEqual([0, 0, 0]);
    expect(r.voi.voxels.every((x) => x === 0)).toBe(true);
  });
});

function curvedCase(): { ct: Int16Ct; vessels: PreparedVessel[]; lesions: PreparedLesion[]; opts: ShellOptions } {
  const c = Math.cos(0.3);
  const s = Math.sin(0.3);
  const direction: Mat3 = [c, -s, 0, s, c, 0, 0, 0, 1];
  const made = twoCurvedVessels({
    dims: [36, 32, 22],
    seed: 32,
    origin: [1, -2, 3],
    direction,
    arcZ: 8,
    lad: [14, 12],
  });
  return { ...made, opts: { ...OPTS, calciumGuardMm: 1.0, wallGapMm: 0.3 } };
}
