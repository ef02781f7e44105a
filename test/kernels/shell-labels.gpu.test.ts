/**
 * The shell kernels (shell-nearest → shell-labels) on the real WGSL (headless Chromium, SwiftShader
 * without a GPU), run as the WebGPU backend's pericoronary pass, against their CPU twins chained in
 * test/oracles/pericoronary-f32.ts: the same label layers and the same undecided voxels (count,
 * reasons, vessels), and after the float64 settling labels and histograms identical to the float64
 * backend and the literal oracle of METHOD.md §4.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistogramsJson, PericoronaryCall, PericoronaryReply } from '../harness/page/protocol-distance';
import { type F32ReferenceResult, pericoronaryF32Reference } from '../oracles/pericoronary-f32';
import { pericoronaryF64 } from '../../src/backends/cpu/pericoronary';
import type {
  PericoronaryResult,
  PreparedLesion,
  PreparedVessel,
  ShellOptions,
} from '../../src/measure/pericoronary-types';
import type { PageRunner } from '../../src/platform/node/chromium';
import type { LabelHistograms } from '../../src/stats/label-stats';
import type { Vec3 } from '../../src/volume/geometry';
import { startGpuRunner } from '../helpers/gpu-runner';
import { pericoronaryCall, takeUpload } from '../harness/distance-calls';
import { curvedCase } from '../harness/shell-case';
import {
  type Int16Ct,
  OPTS,
  curve,
  fatNoise,
  makeCt,
  mismatches,
  oracleLayers,
  stemTree,
  tieMismatches,
  vessel,
} from '../harness/shell-fixtures';

let runner: PageRunner;

beforeAll(async () => {
  const started = await startGpuRunner();
  runner = started.runner;
  console.log(`GPU suite adapter: ${JSON.stringify(started.adapter.adapter)}`);
});
afterAll(async () => {
  await runner?.close();
});

function take(id: string): Uint8Array {
  return takeUpload(runner, id);
}

function histJson(h: LabelHistograms): HistogramsJson {
  return { maxLabel: h.maxLabel, voxels: Array.from(h.voxels), histogram: Array.from(h.histogram) };
}

async function shellsGpu(
  ct: Int16Ct,
  vessels: PreparedVessel[],
  lesions: PreparedLesion[],
  opts: ShellOptions,
  maxBindingBytes?: number,
): Promise<
  PericoronaryReply & {
    layerBytes: {
      voi: Uint8Array;
      rings: Uint8Array;
      lesions: Uint8Array[];
      ties: { voi: Uint8Array; rings: Uint8Array }[];
    };
  }
> {
  const call: PericoronaryCall = {
    ...pericoronaryCall(runner, ct, vessels, lesions, opts, maxBindingBytes),
    returnLayers: true,
  };
  const r = await runner.call<PericoronaryReply>('pericoronary', call);
  const L = r.layers!;
  return {
    ...r,
    layerBytes: {
      voi: take(L.voi),
      rings: take(L.rings),
      lesions: L.lesions.map((id) => take(id)),
      ties: L.ties.map((t) => ({ voi: take(t.voi), rings: take(t.rings) })),
    },
  };
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
  // Every tie layer (vessels tied exactly at a voxel each count it).
  expect(tieMismatches(gpu.layerBytes, cl)).toBe(0);
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
    const { ct, vessels, lesions, opts } = curvedCase({ calciumGuardMm: 1.0 });
    const { cpu } = await expectShellsMatch(ct, vessels, lesions, opts);
    expect(cpu.layers!.lesions.length).toBe(2);
    expect(cpu.rings.voxels.reduce((a, b) => a + b, 0)).toBeGreaterThan(1000);
  });

  it('the same through z-slabs: a binding limit too small for the crop cuts it, guard halo included', async () => {
    const { ct, vessels, lesions, opts } = curvedCase({ calciumGuardMm: 1.0 });
    const whole = await shellsGpu(ct, vessels, lesions, opts);
    const [cx, cy, cz] = whole.layers!.dims;
    // Three slices per binding: the guard's EDT region, three slices plus a halo of
    // (1 + 1) / 0.9 + 1 = 4 on each side at 4 bytes a voxel, just fits (11 × 4); four would not.
    const limit = 11 * cx * cy * 4;
    const { gpu } = await expectShellsMatch(ct, vessels, lesions, opts, limit);
    expect(gpu.diagnostics.slabs).toBe(Math.ceil(cz / 3));
    expect(whole.diagnostics.slabs).toBe(1);
    expect(gpu.diagnostics.undecided).toEqual(whole.diagnostics.undecided);
  });

  it('a stem three vessels share from one ostium, in all 6 orders: the same per-vessel numbers', async () => {
    // METHOD.md §4: an exact tie counts for every tied vessel, so the order the vessels are listed
    // in changes no number. Each order: GPU = f32 mirror = float64 (expectShellsMatch, every tie
    // layer voxel for voxel) = the literal oracle; then each vessel's VOI, rings and every lesion
    // equal across orders.
    const bins = OPTS.window.hi - OPTS.window.lo + 1;
    const perVessel = (h: HistogramsJson, label: number): number[] => [
      h.voxels[label]!,
      ...h.histogram.slice(label * bins, (label + 1) * bins),
    ];
    let first: { byName: Record<string, number[]>; lesions: HistogramsJson | null } | null = null;
    const orders = [
      [0, 1, 2],
      [0, 2, 1],
      [1, 0, 2],
      [1, 2, 0],
      [2, 0, 1],
      [2, 1, 0],
    ];
    for (const order of orders) {
      const { ct, vessels, lesions } = stemTree(order);
      const opts = { ...OPTS, wallGapMm: 0.2 };
      const { cpu, gpu } = await expectShellsMatch(ct, vessels, lesions, opts);
      const oracle = oracleLayers(ct, cpu.crop, vessels, lesions, opts);
      expect(tieMismatches(cpu.layers!, oracle)).toBe(0);
      // The stem's tie is decided on the GPU: its three tie layers come back filled.
      expect((gpu.layers?.ties ?? []).length).toBe(2);
      const byName: Record<string, number[]> = {};
      for (const v of vessels) {
        byName[v.name] = [
          ...perVessel(gpu.voi, 1 + v.index),
          ...Array.from({ length: 20 }, (_, k) => perVessel(gpu.rings, 1 + v.index * 20 + k)).flat(),
        ];
      }
      first ??= { byName, lesions: gpu.lesions };
      expect(byName, `order ${order}`).toEqual(first.byName);
      expect(gpu.lesions).toEqual(first.lesions);
    }
    expect(first!.lesions!.voxels.slice(1).every((n) => n > 0)).toBe(true);
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
